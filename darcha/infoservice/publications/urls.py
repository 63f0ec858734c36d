"""The publications pages (language-prefixed), names `publications:<name>`: the staff's (desk/, edit/,
files/ — reserved words, never an organization's code) first, then the public's."""

from .views import staff

app_name = "publications"

urlpatterns: list = [*staff.urlpatterns]
