"""The information service's pages under /appeals/ (language-prefixed), names `infoservice:<name>`. Each
screen module keeps its own routes; they are joined here."""

from .views import public, staff, verify

app_name = "infoservice"

urlpatterns = [
    *verify.urlpatterns,
    *staff.urlpatterns,
    *public.urlpatterns,
]
