"""Catalog editing: services with their documents; procedures edited as drafts, then published."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.core.admin import AuditedAdmin

from .models import Category, Discount, ProcedureVersion, RequiredDocument, Service, Step, StepField, Transition
from .services import procedure_new_draft, procedure_publish


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["name_uz", "name_ru", "code", "position"]
    search_fields = ["code", "name_uz", "name_ru", "name_en"]


@admin.register(Discount)
class DiscountAdmin(AuditedAdmin):
    list_display = ["name_uz", "percent", "code"]


class RequiredDocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0
    fields = [
        ("position", "mandatory", "obtained_by_center", "original_required", "copies"),
        ("name_uz", "name_ru"),
        ("name_uz_cyrl", "name_en"),
        ("note_uz", "note_ru"),
    ]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = [
        "name_uz",
        "code",
        "category",
        "responsible_agency",
        "fee_kind",
        "fee_value",
        "term_days",
        "online",
        "is_active",
    ]
    list_filter = ["category", "online", "is_active", "fee_kind", "for_legal_entities"]
    search_fields = ["code", "search_text"]
    autocomplete_fields = ["responsible_agency"]
    filter_horizontal = ["discounts"]
    inlines = [RequiredDocumentInline]
    actions = ["new_draft"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "category",
                    "responsible_agency",
                    "is_active",
                    "online",
                    ("for_individuals", "for_legal_entities"),
                    "term_days",
                    "legal_basis",
                ]
            },
        ),
        (_("Names"), {"fields": ["name_uz", "name_uz_cyrl", "name_ru", "name_en", "keywords"]}),
        (_("Description"), {"fields": ["description_uz", "description_uz_cyrl", "description_ru", "description_en"]}),
        (_("Result"), {"fields": ["result_uz", "result_uz_cyrl", "result_ru", "result_en"]}),
        (_("Fee"), {"fields": ["fee_kind", "fee_value", "discounts"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        from darcha.core.translit import search_key

        return super().get_search_results(request, queryset, search_key(search_term))

    @admin.action(description=_("Create a new procedure draft"))
    def new_draft(self, request, queryset):
        for service in queryset:
            try:
                procedure_new_draft(actor=request.user, service=service)
            except ValidationError as error:
                self.message_user(request, f"{service.code}: {'; '.join(error.messages)}", messages.ERROR)


class _FrozenInlineMixin:
    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen


class StepInline(_FrozenInlineMixin, admin.StackedInline):
    model = Step
    extra = 0
    show_change_link = True  # the step's own page edits its output fields
    autocomplete_fields = ["agency"]
    fields = [
        ("code", "stage", "agency", "role", "term_days"),
        ("clock_stops_for_citizen", "join"),
        ("name_uz", "name_ru"),
        ("citizen_label_uz", "citizen_label_ru"),
        "documents",
    ]
    filter_horizontal = ["documents"]


class StepFieldInline(admin.StackedInline):
    """A step's output fields, on the step's page (the admin has no inlines within inlines)."""

    model = StepField
    extra = 0
    fields = [
        ("position", "code", "kind", "required"),
        ("label_uz", "label_ru"),
        ("label_uz_cyrl", "label_en"),
        ("options_uz", "options_ru"),
        ("options_uz_cyrl", "options_en"),
    ]

    def _editable(self, obj) -> bool:
        return obj is None or not obj.version.is_frozen

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


@admin.register(Step)
class StepAdmin(AuditedAdmin):
    """A step of a procedure version with its output fields: what the agency fills in at the step and the
    result prints. A published version's steps are read only."""

    list_display = ["code", "version", "stage", "agency"]
    list_filter = ["version__status"]
    search_fields = ["code", "version__service__code", "name_uz"]
    list_select_related = ["version__service", "agency"]
    autocomplete_fields = ["agency"]
    fields = [
        "version",
        ("code", "stage", "agency", "role", "term_days"),
        ("clock_stops_for_citizen", "join"),
        ("name_uz", "name_ru"),
        ("name_uz_cyrl", "name_en"),
        ("citizen_label_uz", "citizen_label_ru"),
        ("citizen_label_uz_cyrl", "citizen_label_en"),
    ]
    readonly_fields = ["version"]
    inlines = [StepFieldInline]

    def has_add_permission(self, request):
        return False  # steps are added on their procedure version's page

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.version.is_frozen)

    def has_delete_permission(self, request, obj=None):
        return False  # and removed there


class TransitionInline(_FrozenInlineMixin, admin.TabularInline):
    model = Transition
    fk_name = "version"
    extra = 0
    fields = ["from_step", "action", "to_step", "outcome", "roles", "effects"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(AuditedAdmin):
    list_display = ["service", "number", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["service__code", "service__name_uz"]
    readonly_fields = ["status", "published_at"]
    inlines = [StepInline, TransitionInline]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_frozen)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in {"from_step", "to_step"}:
            version_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Step.objects.filter(version_id=version_id) if version_id else Step.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Validate and publish"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                procedure_publish(actor=request.user, version=version)
            except ValidationError as error:
                self.message_user(request, f"{version}: {'; '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version}, messages.SUCCESS)
