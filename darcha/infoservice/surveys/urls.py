"""The surveys pages (language-prefixed), names `surveys:<name>`: the staff's first (their addresses,
desk/ and manage/, are reserved survey codes), then the public's."""

from .views import public, staff

app_name = "surveys"

urlpatterns: list = [*staff.urlpatterns, *public.urlpatterns]
