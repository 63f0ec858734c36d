"""The information service's pages under /appeals/ (language-prefixed), names `infoservice:<name>`. Each
screen module keeps its own routes; they are joined here."""

from .views import public, routing, staff, verify

app_name = "infoservice"

urlpatterns = [
    *verify.urlpatterns,
    *staff.urlpatterns,
    *routing.urlpatterns,
    *public.urlpatterns,
]
