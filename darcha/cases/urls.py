from .views import backoffice, front, public

app_name = "cases"

# Each screen module keeps its own routes; they are joined here.
urlpatterns = [
    *front.urlpatterns,
    *backoffice.urlpatterns,
    *public.urlpatterns,
]
