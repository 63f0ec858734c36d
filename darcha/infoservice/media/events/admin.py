"""Administration of press events and embargoed releases: read-only (every change goes through the press
secretary's pages and their services, which notify the journalists and keep the audit log)."""

from django.contrib import admin

from ..models_events import EmbargoDispatch, EmbargoRecipient, PressEvent, PressEventMaterial, PressEventRegistration


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaterialInline(admin.TabularInline):
    model = PressEventMaterial
    fields = ["title", "file", "url", "added_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RegistrationInline(admin.TabularInline):
    model = PressEventRegistration
    fields = ["journalist", "status", "companions", "registered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PressEvent)
class PressEventAdmin(ReadOnly):
    list_display = ["title_uz", "organization", "kind", "status", "starts_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title_uz", "title_ru", "organization__code"]
    date_hierarchy = "starts_at"
    inlines = [MaterialInline, RegistrationInline]
    exclude = ["publications"]


class RecipientInline(admin.TabularInline):
    model = EmbargoRecipient
    fields = ["journalist", "channels", "sent_at", "told_until"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EmbargoDispatch)
class EmbargoDispatchAdmin(ReadOnly):
    list_display = ["publication", "organization", "status", "embargo_until", "sent_at", "recipients_count"]
    list_filter = ["status"]
    inlines = [RecipientInline]
