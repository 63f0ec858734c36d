"""The surveys pages (language-prefixed), names `surveys:<name>`."""

app_name = "surveys"

urlpatterns: list = []
