"""Administration of publications: categories and tags are edited here (audited, and the public pages
follow at once); publications themselves are written on the press secretary's pages, through the services,
so the admin only shows them to administrators."""

from django.contrib import admin

from darcha.core import access
from darcha.core.admin import AuditedAdmin

from .models import Category, Publication, PublicationText, Tag


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["name_uz", "name_ru", "code", "order"]
    search_fields = ["code", "name_uz", "name_uz_cyrl", "name_ru", "name_en"]
    fields = ["code", "order", ("name_uz", "name_uz_cyrl"), ("name_ru", "name_en")]
    prepopulated_fields = {"code": ["name_uz"]}


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ["name_uz", "name_ru", "code"]
    search_fields = ["code", "name_uz", "name_uz_cyrl", "name_ru", "name_en"]
    fields = ["code", ("name_uz", "name_uz_cyrl"), ("name_ru", "name_en")]
    prepopulated_fields = {"code": ["name_uz"]}


class PublicationTextInline(admin.StackedInline):
    model = PublicationText
    extra = 0
    fields = ["language", "title", "lead", "body", "is_published", "transliterated"]
    readonly_fields = fields
    can_delete = False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["slug", "organization", "kind", "status", "publish_at", "published_at"]
    list_filter = ["kind", "status", "organization"]
    search_fields = ["slug", "texts__title", "decision_number"]
    date_hierarchy = "created_at"
    inlines = [PublicationTextInline]

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
