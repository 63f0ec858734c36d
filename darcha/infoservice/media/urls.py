"""The media pages (language-prefixed, under /<lang>/press/), names `media:<name>`."""

from .events.views import urlpatterns as event_urls

app_name = "media"

urlpatterns: list = [*event_urls]
