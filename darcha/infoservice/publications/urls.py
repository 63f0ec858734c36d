"""The publications pages (language-prefixed), names `publications:<name>`."""

app_name = "publications"

urlpatterns: list = []
