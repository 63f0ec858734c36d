from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.service_list, name="service_list"),
    path("services/category/<slug:code>/", views.category_detail, name="category"),
    path("services/<slug:code>/", views.service_page, name="service"),
    path("services/<slug:code>/checklist/", views.service_checklist, name="checklist"),
]
