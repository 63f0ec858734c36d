from django.urls import path  # noqa: F401

app_name = "preschool"

# Public pages (registry, family page, online application) first, then the staff desks.
urlpatterns: list = []
