from django.urls import path

from .views import registry

app_name = "preschool"

# Public pages (registry, family page, online application) first, then the staff desks.
urlpatterns: list = [
    path("", registry.home, name="home"),
    path("kindergartens/", registry.kindergarten_list, name="kindergartens"),
    path("kindergartens/<slug:code>/", registry.kindergarten_page, name="kindergarten"),
]
