"""The partner API: the registry office's or maternity hospital's system puts a newborn in the
kindergarten queue (`POST /api/v1/preschool/births/`) with the kindergartens chosen on the birth form.

The caller authenticates with an API token (`Authorization: Token …`, `core.api_tokens`) of a user who is
a clerk (or head) of a partner organization: an agency whose code is in PRESCHOOL_BIRTH_PARTNERS (by
default Namangan's civil registry office). No new role: the registry office is an agency, and whoever
may act for it there may register its births.

Idempotent by the birth record number: the first request registers the child (201); a resend of the same
record, whatever else it says, answers with the application registered then (200) and changes nothing.
For each chosen kindergarten the child is put in the youngest group it takes from the child's age (a
newborn waits for its early group; a kindergarten without one takes it at 3), in the language asked for
(else the family's, else Uzbek) and regime (else any). The queue date is the birth registration's time.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from darcha.core.api import ApiLanguageMixin, ErrorSerializer
from darcha.core.audit import audit_batch
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.errors import Forbidden
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.models import Organization
from darcha.core.services import person_register

from . import ages
from .choices import Channel, Regime, Relation, TeachingLanguage
from .models import EnrollmentApplication, Kindergarten, Program
from .services import application_register, is_birth_partner
from .services._common import BIRTH_PARTNER_ONLY
from .services.intake import youngest_group_for

ERROR = OpenApiResponse(ErrorSerializer, description='`{"code", "detail", "errors"}`')


class BirthChildSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, help_text="The child's full name as registered")
    birth_date = serializers.DateField()
    birth_certificate = serializers.CharField(max_length=32, help_text="Series and number, e.g. I-NA 1234567")
    pinfl = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class BirthApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, help_text="The parent's full name")
    pinfl = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    passport = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="+998…; the family's notices go here"
    )
    relation = serializers.ChoiceField(choices=Relation.choices, default=Relation.PARENT)


class BirthChoiceSerializer(serializers.Serializer):
    kindergarten = serializers.SlugField(max_length=64, help_text="The kindergarten's organization code")
    language = serializers.ChoiceField(
        choices=TeachingLanguage.choices, required=False, help_text="Language of the group (default: the family's)"
    )
    regime = serializers.ChoiceField(choices=Regime.choices, required=False, help_text="Hours a day (default: any)")


class BirthRegistrationSerializer(serializers.Serializer):
    birth_record = serializers.CharField(max_length=32, help_text="The birth record's number: the idempotency key")
    registered_at = serializers.DateTimeField(help_text="When the birth was registered: the child's queue date")
    district = serializers.SlugField(max_length=64, help_text="Code of the city or district whose queue it joins")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="uz", help_text="Language of notices")
    child = BirthChildSerializer()
    applicant = BirthApplicantSerializer()
    kindergartens = BirthChoiceSerializer(many=True, help_text="Chosen on the form, first choice first")

    def validate_birth_record(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give the birth record's number."))
        return value

    def validate_registered_at(self, value: dt.datetime) -> dt.datetime:
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise serializers.ValidationError(_("The birth cannot be registered in the future."))
        return value

    def validate_district(self, value: str) -> Organization:
        district = Organization.objects.filter(
            code=value, kind__in=(OrganizationKind.CITY, OrganizationKind.DISTRICT)
        ).first()
        if district is None:
            raise serializers.ValidationError(_("No city or district has this code."))
        return district

    def validate_kindergartens(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError(_("Choose at least one kindergarten."))
        codes = [choice["kindergarten"] for choice in value]
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError(_("Each kindergarten may be chosen once."))
        return value

    def validate(self, data: dict) -> dict:
        """Each chosen kindergarten becomes the group the child will enter there."""
        birth_date = data["child"]["birth_date"]
        if birth_date > timezone.localdate():
            raise serializers.ValidationError(
                {"child": {"birth_date": [_("The date of birth cannot be in the future.")]}}
            )
        codes = [choice["kindergarten"] for choice in data["kindergartens"]]
        gardens = {
            garden.organization.code: garden
            for garden in Kindergarten.objects.select_related("organization").filter(organization__code__in=codes)
        }
        programs: dict[int, list[Program]] = {}
        for program in Program.objects.filter(kindergarten__in=gardens.values(), is_active=True).select_related(
            "kindergarten__organization"
        ):
            programs.setdefault(program.kindergarten_id, []).append(program)
        from_year = ages.school_year_for(timezone.now())
        family_language = data["language"] if data["language"] in TeachingLanguage.values else TeachingLanguage.UZ
        chosen, errors = [], {}
        for index, choice in enumerate(data["kindergartens"]):
            garden = gardens.get(choice["kindergarten"])
            if garden is None:
                errors[index] = {"kindergarten": [_("No kindergarten has this code.")]}
                continue
            language = choice.get("language", family_language)
            candidates = [
                p
                for p in programs.get(garden.pk, [])
                if p.language == language and choice.get("regime") in (None, p.regime)
            ]
            entry = youngest_group_for(garden.kind, {p.age_group for p in candidates}, birth_date, from_year)
            if entry is None:
                errors[index] = {"kindergarten": [_("This kindergarten has no group the child can join.")]}
                continue
            matching = [p for p in candidates if p.age_group == entry[0]]
            # Several regimes of the group: the full day (9 hours) first, as most families choose.
            matching.sort(key=lambda p: (p.regime != Regime.H9, p.regime))
            chosen.append(matching[0])
        if errors:
            raise serializers.ValidationError(
                {"kindergartens": [errors.get(i, {}) for i in range(len(data["kindergartens"]))]}
            )
        data["programs"] = chosen
        return data


class BirthChoiceOutSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    kindergarten = serializers.CharField(source="program.kindergarten.organization.code")
    age_group = serializers.CharField(source="program.age_group")
    language = serializers.CharField(source="program.language")
    regime = serializers.CharField(source="program.regime")


class BirthRegisteredSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The queue number; the access code is sent to the family's phone")
    status = serializers.CharField()
    district = serializers.CharField(source="district.code")
    queue_date = serializers.DateTimeField()
    birth_record = serializers.CharField()
    choices = BirthChoiceOutSerializer(many=True, source="preferences.all")


# The service's field names -> the request's (nested under child / applicant).
_FIELDS = {
    "child_name": ("child", "name"),
    "birth_date": ("child", "birth_date"),
    "birth_certificate": ("child", "birth_certificate"),
    "child_pinfl": ("child", "pinfl"),
    "relation": ("applicant", "relation"),
    "phone": ("applicant", "phone"),
    "choices": ("kindergartens", None),
}


def _request_errors(error: DjangoValidationError, *, person: bool = False) -> dict:
    mapped: dict = {}
    for key, messages in error.message_dict.items():
        if person:
            mapped.setdefault("applicant", {})[key if key != "__all__" else "non_field_errors"] = messages
            continue
        section, name = _FIELDS.get(key, (key, None))
        if name is None:
            mapped[section if section != "__all__" else "non_field_errors"] = messages
        else:
            mapped.setdefault(section, {})[name] = messages
    return mapped


def _registered(application_id: int) -> EnrollmentApplication:
    return (
        EnrollmentApplication.objects.select_related("district")
        .prefetch_related("preferences__program__kindergarten__organization")
        .get(pk=application_id)
    )


class BirthRegistrationView(ApiLanguageMixin, APIView):
    """A newborn joins the kindergarten queue from its birth registration."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Register a newborn in the kindergarten queue (registry office, maternity system)",
        description="For a clerk of a partner organization (the registry office, the maternity hospital's "
        "electronic birth form), with an API token. Idempotent by `birth_record`: the first request answers "
        "201 with the application; a resend of the same record answers 200 with the application registered "
        "then, and changes nothing. Each chosen kindergarten becomes the youngest group it takes from the "
        "child's age. Field errors are nested as the request is (`errors.child.birth_date`, "
        "`errors.kindergartens[1].kindergarten`); a child already in a queue is 409 `duplicate_child`.",
        request=BirthRegistrationSerializer,
        responses={
            201: BirthRegisteredSerializer,
            200: OpenApiResponse(BirthRegisteredSerializer, description="The birth record was registered before"),
            400: ERROR,
            401: ERROR,
            403: ERROR,
            409: ERROR,
        },
        examples=[
            OpenApiExample(
                "A birth in Namangan",
                request_only=True,
                value={
                    "birth_record": "FHDYO-2026-004512",
                    "registered_at": "2026-11-20T11:30:00+05:00",
                    "district": "namangan-city",
                    "language": "uz",
                    "child": {
                        "name": "Aliyeva Madina",
                        "birth_date": "2026-11-12",
                        "birth_certificate": "I-NA 1234567",
                    },
                    "applicant": {"name": "Aliyeva Dilnoza", "pinfl": "41203901230122", "phone": "+998901234567"},
                    "kindergartens": [{"kindergarten": "namangan-mtt-12"}, {"kindergarten": "namangan-mtt-7"}],
                },
            )
        ],
        tags=["preschool"],
    )
    def post(self, request):
        user = request.user
        if not is_birth_partner(user):
            raise Forbidden(BIRTH_PARTNER_ONLY)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        record = str(request.data.get("birth_record") or "").strip()
        existing = EnrollmentApplication.objects.filter(birth_record=record).values_list("pk", flat=True).first()
        if record and existing is not None:
            return Response(BirthRegisteredSerializer(_registered(existing)).data, status=status.HTTP_200_OK)
        data = BirthRegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        valid = data.validated_data
        parent, child = valid["applicant"], valid["child"]
        now = timezone.now()
        with transaction.atomic(), audit_batch():
            try:
                person = person_register(
                    actor=user,
                    kind=PersonKind.INDIVIDUAL,
                    name=parent["name"],
                    pinfl=parent["pinfl"],
                    passport=parent["passport"],
                    phone=parent["phone"],
                    language=valid["language"],
                )
            except DjangoValidationError as error:
                raise exceptions.ValidationError(_request_errors(error, person=True)) from None
            try:
                application = application_register(
                    actor=user,
                    child_name=child["name"],
                    birth_date=child["birth_date"],
                    birth_certificate=child["birth_certificate"],
                    child_pinfl=child["pinfl"] or None,
                    applicant=person,
                    relation=parent["relation"],
                    district=valid["district"],
                    choices=valid["programs"],
                    phone=parent["phone"],
                    language=valid["language"],
                    channel=Channel.BIRTH_REGISTRATION,
                    birth_record=valid["birth_record"],
                    queue_date=valid["registered_at"],
                    now=now,
                )
            except DjangoValidationError as error:
                raise exceptions.ValidationError(_request_errors(error)) from None
        created = application.created_at == now and application.birth_record == valid["birth_record"]
        body = BirthRegisteredSerializer(_registered(application.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
