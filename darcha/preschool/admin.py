"""Administration of the preschool reference data: kindergartens and their programs, the privileged
categories (their tiers are data) and the dated fee table. The queue itself (applications, referrals,
campaigns) is shown read-only: it changes only through the services, at the desks."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from darcha.core.admin import AuditedAdmin

from .models import Benefit, Campaign, EnrollmentApplication, FeeRate, Kindergarten, Placement, Program


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0
    fields = ["age_group", "language", "regime", "seats", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # Seats of an existing program change at the district department's desk (program_seats_set):
        # never below the seats referrals hold, and a raise is offered to the queue at once.
        return ["seats"] if obj is not None else []


@admin.register(Kindergarten)
class KindergartenAdmin(AuditedAdmin):
    list_display = ["__str__", "number", "kind", "location_class", "mahalla", "closed_since"]
    list_filter = ["kind", "location_class"]
    search_fields = ["number", "mahalla", "organization__name_uz", "organization__name_ru", "organization__code"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["closed_since", "closed_reason"]
    inlines = [ProgramInline]
    fieldsets = [
        (None, {"fields": ["organization", "number", "kind", "location_class", "director_name"]}),
        (_("Place"), {"fields": ["mahalla", ("latitude", "longitude")]}),
        (_("Closed"), {"fields": ["closed_since", "closed_reason"]}),
    ]


@admin.register(Benefit)
class BenefitAdmin(AuditedAdmin):
    list_display = ["name_uz", "code", "tier", "center_obtains", "valid_from", "valid_to"]
    list_filter = ["tier", "center_obtains"]
    search_fields = ["code", "name_uz", "name_ru", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "tier", "order", "center_obtains", ("valid_from", "valid_to")]}),
        (_("Names"), {"fields": ["name_uz", "name_uz_cyrl", "name_ru", "name_en"]}),
        (_("Evidence"), {"fields": ["evidence_uz", "evidence_uz_cyrl", "evidence_ru", "evidence_en"]}),
    ]


@admin.register(FeeRate)
class FeeRateAdmin(AuditedAdmin):
    list_display = ["valid_from", "location_class", "regime", "several_children", "amount", "decree"]
    list_filter = ["valid_from", "location_class", "regime", "several_children"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to administrators, changed only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnrollmentApplication)
class EnrollmentApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "district", "channel", "status", "queue_date"]
    list_filter = ["status", "channel", "district"]
    search_fields = ["number"]


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ["application", "program", "status", "offered_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["application__number"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["district", "school_year", "kind", "status", "progress", "finished_at"]
    list_filter = ["kind", "status", "district"]
