"""The admin of outlets, journalists and accreditations (documents are not listed: the commission's page
shows them to its members)."""

from django.contrib import admin

from .models import Accreditation, AccreditationEvent, Journalist, Outlet, PressRequest


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "registration_number", "registration_date", "country", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "registration_number")


@admin.register(Journalist)
class JournalistAdmin(admin.ModelAdmin):
    list_display = ("full_name", "outlet", "position", "created_at")
    search_fields = ("full_name", "user__username", "outlet__name")
    raw_id_fields = ("user", "outlet")


class EventInline(admin.TabularInline):
    model = AccreditationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "actor_label", "reason", "at")


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ("journalist", "outlet", "organization", "status", "valid_from", "valid_until", "temporary")
    list_filter = ("status", "temporary", "organization")
    search_fields = ("journalist__full_name", "outlet__name", "card_code")
    raw_id_fields = ("journalist", "outlet", "organization", "decided_by", "renewal_of")
    readonly_fields = ("card_code", "letter", "passport", "diploma", "photo")
    inlines = [EventInline]


@admin.register(PressRequest)
class PressRequestAdmin(admin.ModelAdmin):
    list_display = ("journalist", "appeal", "created_at")
    raw_id_fields = ("journalist", "appeal", "outlet")
