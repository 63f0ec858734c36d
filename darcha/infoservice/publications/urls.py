"""The publications pages (language-prefixed), names `publications:<name>`: the staff's (desk/, edit/,
files/ — reserved words, never an organization's code) first, then the public's."""

from .views import disclosures, public, staff, subscriptions

app_name = "publications"

urlpatterns: list = [*staff.urlpatterns, *disclosures.urlpatterns, *subscriptions.urlpatterns, *public.urlpatterns]
