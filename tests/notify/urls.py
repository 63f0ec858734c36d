"""The notify URLs mounted on their own, for the provider callback tests."""

from django.urls import include, path

urlpatterns = [path("notify/", include("darcha.notify.urls"))]
