from django.urls import path

from .views import department, family, front, kindergarten, registry

app_name = "preschool"

# Public pages (registry, family page, online application) first, then the staff desks.
urlpatterns: list = [
    path("", registry.home, name="home"),
    path("kindergartens/", registry.kindergarten_list, name="kindergartens"),
    path("kindergartens/<slug:code>/", registry.kindergarten_page, name="kindergarten"),
    *family.urlpatterns,  # the family: tracking, the family's page and its edits, applying online, the receipt
    *front.urlpatterns,  # the front office: the operator's application, privilege checks
    # Staff desks: the kindergarten director's, the district preschool department's.
    *kindergarten.urlpatterns,
    *department.urlpatterns,
]
