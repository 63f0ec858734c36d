"""(being written) Public pages: tracking, verification, rating, online applications."""

from django.http import HttpResponse
from django.urls import path


def _pending(request, *args, **kwargs):  # replaced by the real views
    return HttpResponse(status=501)


urlpatterns = [
    path("verify/<str:code>/", _pending, name="verify"),
    path("rate/<str:token>/", _pending, name="rate"),
]
