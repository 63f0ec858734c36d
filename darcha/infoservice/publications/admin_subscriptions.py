"""Admin of the disclosure categories (editable data) and of the subscriptions. Subscribers' addresses are
listed to administrators (superusers) only; other staff with admin access see counts, never a list, and
nobody exports them from here."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from darcha.core.i18n import CONTENT_LANGUAGES

from .models_disclosures import Disclosure, DisclosureCategory
from .models_subscriptions import ChatSubscription, EmailSubscription
from .selectors_subscriptions import subscribers_total


@admin.register(DisclosureCategory)
class DisclosureCategoryAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "name", "period_days", "legal_basis", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("is_active",)
    search_fields = ("code", *(f"name_{suffix}" for suffix in CONTENT_LANGUAGES), "legal_basis")
    ordering = ("order", "code")


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    list_display = ("category", "publication", "marked_by", "created_at")
    list_select_related = ("category", "publication", "marked_by")
    raw_id_fields = ("publication",)
    readonly_fields = ("marked_by", "created_at")


class CountsOnly(admin.ModelAdmin):
    """Superusers see the rows; anyone else the counts only (a subscriber's data is for the purpose)."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def changelist_view(self, request, extra_context=None):
        if request.user.is_superuser:
            return super().changelist_view(request, extra_context)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "totals": subscribers_total()}
        return TemplateResponse(request, "publications/admin/subscriber_counts.html", context)


@admin.register(EmailSubscription)
class EmailSubscriptionAdmin(CountsOnly):
    list_display = ("__str__", "organization", "status", "frequency", "language", "created_at", "confirmed_at")
    list_filter = ("status", "frequency", "language")
    search_fields = ("email",)
    readonly_fields = ("email", "confirm_sent_at", "confirmed_at", "created_at", "since", "last_digest_at")


@admin.register(ChatSubscription)
class ChatSubscriptionAdmin(CountsOnly):
    list_display = ("__str__", "organization", "frequency", "language", "created_at")
    list_filter = ("frequency", "language")
    readonly_fields = ("chat_id", "created_at", "since", "last_digest_at")
