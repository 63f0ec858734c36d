from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("desk/", views.desk, name="desk"),
    path("desk/api-tokens/", views.api_tokens, name="api_tokens"),
    path("language/", views.set_language, name="set_language"),
]
