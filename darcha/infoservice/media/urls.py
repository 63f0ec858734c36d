"""The media pages (language-prefixed), names `media:<name>`."""

app_name = "media"

urlpatterns: list = []
