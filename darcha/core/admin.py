"""Administration of organizations, users and roles, the calendar and the BRV.

Every save and delete goes through the audited service functions (core.services).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    AuditChain,
    AuditCheckpoint,
    AuditEntry,
    BaseCalculationAmount,
    Holiday,
    Membership,
    OpeningHours,
    Organization,
    Person,
    User,
)
from .services import api_token_revoke, holidays_seed, record_delete, record_save


class ReadOnlyAdminMixin:
    """Rows written only by the service functions (history, logs): shown, never edited by hand.
    Works for ModelAdmins and inlines alike (inlines pass the parent object)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin whose writes are service calls: validated, atomic, audited."""

    def save_model(self, request, obj, form, change):
        record_save(actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        record_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(actor=request.user, instance=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(actor=request.user, instance=obj)
        for obj in instances:
            record_save(actor=request.user, instance=obj)
        formset.save_m2m()


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name_uz", "kind", "parent", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_uz", "name_ru", "name_en", "short_name_uz", "short_name_ru", "short_name_en"]
    autocomplete_fields = ["parent"]
    inlines = [OpeningHoursInline]
    fieldsets = [
        (None, {"fields": ["code", "kind", "parent", "is_active"]}),
        (_("Names"), {"fields": ["name_uz", "name_uz_cyrl", "name_ru", "name_en"]}),
        (_("short name"), {"fields": ["short_name_uz", "short_name_uz_cyrl", "short_name_ru", "short_name_en"]}),
        (_("Contacts"), {"fields": ["address", "phone", "email", "website"]}),
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "language", "is_active", "is_staff"]
    inlines = [MembershipInline]
    fieldsets = [*DjangoUserAdmin.fieldsets, (_("Darcha"), {"fields": ["language", "phone"]})]

    def save_model(self, request, obj, form, change):
        record_save(actor=request.user, instance=obj)

    def save_formset(self, request, form, formset, change):
        AuditedAdmin.save_formset(self, request, form, formset, change)


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    """Applicants are registered at intake; an administrator may correct a name or contact."""

    list_display = ["name", "kind", "masked_identifier", "phone", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "pinfl", "stir", "passport"]
    readonly_fields = ["kind", "pinfl", "passport", "stir", "created_at", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name_uz"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "name_uz", "name_ru", "source"]
    list_filter = ["kind", "source"]
    date_hierarchy = "date"
    search_fields = ["name_uz", "name_ru", "name_en"]
    actions = ["seed_official"]

    def save_model(self, request, obj, form, change):
        obj.source = "manual"  # an administrator's word overrides the official calendar on reseed
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Load the official calendar for last year to two years ahead"))
    def seed_official(self, request, queryset):
        year = timezone.localdate().year
        try:
            created = holidays_seed(actor=request.user, years=list(range(year - 1, year + 3)))
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("%(count)d days added.") % {"count": created}, messages.SUCCESS)


@admin.register(BaseCalculationAmount)
class BaseCalculationAmountAdmin(AuditedAdmin):
    list_display = ["valid_from", "amount", "decree"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "chain", "seq", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    list_select_related = ["chain"]
    search_fields = ["object_repr", "actor_label", "object_id"]


@admin.register(AuditChain)
class AuditChainAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "organization", "length", "head"]
    list_select_related = ["organization"]
    search_fields = ["key"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "created_at", "root"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their users (desk → API tokens, or the API); an administrator sees and revokes them."""

    list_display = ["name", "user", "token_key", "created", "expiry"]
    list_filter = ["created"]
    search_fields = ["name", "user__username", "token_key"]
    readonly_fields = ["name", "user", "token_key", "created", "expiry"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        api_token_revoke(actor=request.user, token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            api_token_revoke(actor=request.user, token=token)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        self.delete_queryset(request, queryset)
