"""Administration of surveys: a read-only look for administrators (the press secretary builds surveys on
the survey pages, through the services; responses are never edited)."""

from django.contrib import admin

from darcha.core import access

from .models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["code", "title_uz", "organization", "identity", "opens_at", "closes_at", "response_count"]
    list_filter = ["identity"]
    search_fields = ["code", "title_uz", "title_ru"]

    def has_module_permission(self, request):
        return access.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_superuser(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
