"""Administration of the information service, a section per concern."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from darcha.core import access
from darcha.core.services import record_delete, record_save

from . import open311
from .models import Open311Client


# --- Open311 clients (a-open311) ----------------------------------------------------------------------
@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Applications that post street problems to a hokimiyat by Open311. The api_key is made when the
    client is added (or a new one issued by the action) and shown on the next page only: the database
    keeps its hash. A client stays with the hokimiyat it was issued for; switch it off to stop its key."""

    list_display = ["name", "organization", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "organization__code", "organization__name_uz", "organization__name_ru"]
    autocomplete_fields = ["organization"]
    fields = ["name", "organization", "is_active", "created_at"]
    actions = ["issue_new_key"]
    keys_template = "infoservice/open311/admin_keys.html"

    def get_readonly_fields(self, request, obj=None):
        return ["organization", "created_at"] if obj is not None else ["created_at"]

    # Keys open a hokimiyat's intake to an application: administrators only, as the services insist.
    def has_module_permission(self, request):
        return access.is_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_superuser(request.user)

    def has_add_permission(self, request):
        return access.is_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_superuser(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.is_superuser(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            record_save(actor=request.user, instance=obj)
            return
        client, key = open311.open311_client_create(
            actor=request.user, name=obj.name, organization=obj.organization, is_active=obj.is_active
        )
        obj.pk, obj.key_hash, obj.created_at = client.pk, client.key_hash, client.created_at
        obj._state.adding = False
        request.open311_issued = [(client, key)]

    def delete_model(self, request, obj):
        record_delete(actor=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(actor=request.user, instance=obj)

    def _keys_page(self, request, issued):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "issued": issued}
        context["title"] = _("New api_key")
        return TemplateResponse(request, self.keys_template, context)

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "open311_issued", None)
        return self._keys_page(request, issued) if issued else super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Issue a new api_key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        issued = [
            (client, open311.open311_client_rotate(actor=request.user, client=client))
            for client in queryset.select_related("organization")
        ]
        return self._keys_page(request, issued)
