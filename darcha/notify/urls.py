from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("eskiz/callback/", views.eskiz_callback, name="eskiz-callback"),
]
