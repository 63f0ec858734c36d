"""Preschool API shapes. The public registry's first: kindergartens with their groups, seats, children
placed, free places, queues, fees and last cutoffs (open data); the rows come from the registry selectors
with their figures already computed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from darcha.core.i18n import CONTENT_LANGUAGES

from .models import Cutoff, Kindergarten, Program

# --- public registry ---------------------------------------------------------------------------------------


class MonthlyFeeSerializer(serializers.Serializer):
    one_child = serializers.IntegerField(
        source="one", allow_null=True, help_text="So'm a month for one child (null: not in the fee table)"
    )
    each_of_several = serializers.IntegerField(
        source="each", allow_null=True, help_text="So'm a month for each child when several of a family attend"
    )
    valid_from = serializers.DateField(allow_null=True, help_text="The fee table row in force since")
    set_by_kindergarten = serializers.BooleanField(
        source="own_price", help_text="A private kindergarten sets its own fee: the amounts are null"
    )
    currency = serializers.SerializerMethodField()

    def get_currency(self, fee) -> str:
        return "UZS"


class CutoffSerializer(serializers.ModelSerializer):
    campaign_finished_at = serializers.DateTimeField(source="campaign.finished_at", read_only=True)
    campaign_kind = serializers.CharField(source="campaign.kind", read_only=True)
    placed = serializers.IntegerField(read_only=True, help_text="Children the campaign admitted to the group")
    tier = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="0: the general list; 1 and on: a privileged tier"
    )
    sibling = serializers.BooleanField(read_only=True, help_text="The last admitted child had a sibling there")
    staff = serializers.BooleanField(read_only=True, help_text="The last admitted child's parent works there")
    queue_date = serializers.DateTimeField(read_only=True, allow_null=True, help_text="In the queue since")

    class Meta:
        model = Cutoff
        fields = ["campaign_finished_at", "campaign_kind", "placed", "tier", "sibling", "staff", "queue_date"]


class RegistryProgramSerializer(serializers.ModelSerializer):
    age_group_label = serializers.CharField(source="get_age_group_display", read_only=True)
    language_label = serializers.CharField(source="get_language_display", read_only=True)
    regime_label = serializers.CharField(source="get_regime_display", read_only=True)
    enrolled = serializers.IntegerField(read_only=True, help_text="Children attending")
    referrals_open = serializers.IntegerField(
        source="offered", read_only=True, help_text="Referrals issued and not yet taken up (they hold a seat)"
    )
    placed = serializers.IntegerField(source="held", read_only=True, help_text="Attending plus referrals open")
    free_places = serializers.IntegerField(source="free", read_only=True)
    queue = serializers.IntegerField(
        read_only=True, help_text="Children waiting for it: no place there nor at a group they ranked higher"
    )
    queue_privileged = serializers.IntegerField(read_only=True, help_text="Of them with a confirmed privilege")
    # Declared, so the schema is the same on every database (a model field's limit is the backend's).
    seats = serializers.IntegerField(read_only=True, min_value=0, help_text="Seats this school year")
    monthly_fee = MonthlyFeeSerializer(source="fee", read_only=True)
    last_cutoff = CutoffSerializer(source="cutoff", read_only=True, allow_null=True)
    last_cutoff_text = serializers.CharField(source="cutoff_text", read_only=True, help_text="In plain words")

    class Meta:
        model = Program
        fields = [
            "id",
            "age_group",
            "age_group_label",
            "language",
            "language_label",
            "regime",
            "regime_label",
            "seats",
            "enrolled",
            "referrals_open",
            "placed",
            "free_places",
            "queue",
            "queue_privileged",
            "monthly_fee",
            "last_cutoff",
            "last_cutoff_text",
        ]


class PlaceField(serializers.Field):
    """Latitude and longitude as numbers, or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, garden):
        if garden.latitude is None or garden.longitude is None:
            return None
        return {"latitude": float(garden.latitude), "longitude": float(garden.longitude)}


extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
    }
)(PlaceField)


class RegistryKindergartenSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="organization.code", read_only=True)
    name = serializers.CharField(read_only=True)
    names = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    district = serializers.CharField(source="organization.parent.code", read_only=True)
    district_name = serializers.CharField(source="organization.parent.name", read_only=True)
    address = serializers.CharField(source="organization.address", read_only=True)
    phone = serializers.CharField(source="organization.phone", read_only=True)
    location = PlaceField()
    director = serializers.CharField(source="director_name", read_only=True)
    programs = RegistryProgramSerializer(source="registry_programs", many=True, read_only=True)

    class Meta:
        model = Kindergarten
        fields = [
            "code",
            "number",
            "name",
            "names",
            "kind",
            "kind_label",
            "district",
            "district_name",
            "mahalla",
            "address",
            "phone",
            "location",
            "director",
            "location_class",
            "closed_since",
            "programs",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_names(self, garden) -> dict[str, str]:
        """Every stored language of the name: {"uz": …, "uz-cyrl": …, "ru": …, "en": …}."""
        organization = garden.organization
        return {suffix.replace("_", "-"): getattr(organization, f"name_{suffix}") for suffix in CONTENT_LANGUAGES}
