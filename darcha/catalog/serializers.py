from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from darcha.core.i18n import CONTENT_LANGUAGES
from darcha.core.models import Organization

from .models import Category, RequiredDocument, Service, Step
from .selectors import fee_today


def _names(obj, base: str = "name") -> dict[str, str]:
    return {suffix.replace("_", "-"): getattr(obj, f"{base}_{suffix}") for suffix in CONTENT_LANGUAGES}


class NamesField(serializers.SerializerMethodField):
    """All stored languages of a translated field: {"uz": …, "uz-cyrl": …, "ru": …, "en": …}."""

    def __init__(self, base: str = "name", **kwargs):
        self.base = base
        super().__init__(**kwargs)

    def to_representation(self, value):
        return _names(value, self.base)


extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})(NamesField)


class AgencySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    short_name = serializers.CharField(read_only=True, label=capfirst(_("short name")))
    names = NamesField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # a region-level body

    class Meta:
        model = Organization
        fields = ["code", "name", "names", "short_name", "parent", "address", "phone", "email", "website"]


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    names = NamesField()
    service_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "names", "icon", "position", "service_count"]


class FeeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    amount_today = serializers.IntegerField(allow_null=True, help_text="So'm, with the BRV in force today")
    currency = serializers.CharField()


class ServiceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsible_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    fee = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "category",
            "responsible_agency",
            "for_individuals",
            "for_legal_entities",
            "online",
            "term_days",
            "fee",
        ]

    @extend_schema_field(FeeSerializer)
    def get_fee(self, service) -> dict:
        amount = fee_today(service, day=self.context["today"], brv=self.context.get("brv_today"))
        value = f"{service.fee_value:.2f}"
        return {"kind": service.fee_kind, "value": value, "amount_today": amount, "currency": "UZS"}


class DocumentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)

    class Meta:
        model = RequiredDocument
        fields = ["name", "note", "obtained_by_center", "original_required", "copies", "mandatory"]


class StepSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    citizen_label = serializers.CharField(read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Step
        fields = ["code", "stage", "name", "citizen_label", "agency", "term_days", "clock_stops_for_citizen"]


class ServiceDetailSerializer(ServiceSerializer):
    names = NamesField()
    description = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField()
    discounts = serializers.SerializerMethodField()

    class Meta(ServiceSerializer.Meta):
        fields = [
            *ServiceSerializer.Meta.fields,
            "names",
            "description",
            "result",
            "legal_basis",
            "documents",
            "steps",
            "discounts",
        ]

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, service) -> list:
        versions = getattr(service, "published_versions", [])
        if not versions:
            return []
        return StepSerializer(sorted(versions[0].steps.all(), key=lambda s: (s.stage, s.pk)), many=True).data

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_discounts(self, service) -> list:
        return [{"code": d.code, "name": d.name, "percent": d.percent} for d in service.discounts.all()]
