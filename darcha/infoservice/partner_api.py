"""The partner import of appeals: the Presidential Virtual Reception's or a People's Reception's system
sends an appeal it received to the hokimiyat that must answer it (`POST /api/v1/appeals/imports/`).

The caller authenticates with an API token (`Authorization: Token …`, `core.api_tokens`) of a user who is
a clerk (or head) of a partner reception: an agency whose code is in APPEALS_PARTNERS ("code=source"),
the source naming whose numbers they are (`virtual_reception`, `peoples_reception`). No new role: the
reception is an agency, and whoever may act for it there may send its appeals.

Idempotent by (source, their number): the first request registers the appeal (201); a resend of the same
number, whatever else it says, answers with the appeal registered then (200) and changes nothing. The
appeal is registered as any other (`services.appeal_register`): never refused for the author's lack of
data (an anonymous appeal is registered and goes to "not considered"), refused only for input that
cannot be stored, with field errors nested as the request is (`errors.author.phone`). The author is
acknowledged by the hokimiyat with its number, access code and due date; the partner gets the number
and the due date, never the access code.

The file import (`darcha appeals_import`) reads rows of the same shape through the same serializer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from darcha.core.api import ApiLanguageMixin, ErrorSerializer
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Forbidden
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.models import Organization

from .choices import AppealType, EventKind, RequestKind
from .models import Appeal, Topic
from .services import PARTNER_ONLY, SignatoryData, appeal_register, partner_source, source_channel

ERROR = OpenApiResponse(ErrorSerializer, description='`{"code", "detail", "errors"}`')
MAX_ATTACHMENTS = 10


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    address = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="The author's residence"
    )
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="+998…; the acknowledgement goes here"
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class SignatoryInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class AttachmentInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    content = serializers.CharField(help_text="The file, base64-encoded: a PDF, JPEG or PNG (checked by content)")

    def validate_content(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("The file is not valid base64.")) from None


class AppealImportSerializer(serializers.Serializer):
    """One appeal as a partner sends it (the API's body, a row of the file import)."""

    organization = serializers.SlugField(max_length=64, help_text="Code of the hokimiyat that must answer")
    number = serializers.CharField(max_length=64, help_text="The partner's own number: the idempotency key")
    received_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When the partner received it (kept with the appeal)"
    )
    type = serializers.ChoiceField(choices=AppealType.choices, default=AppealType.APPLICATION)
    kind = serializers.ChoiceField(choices=RequestKind.choices, default=RequestKind.APPEAL)
    text = serializers.CharField(max_length=20_000, allow_blank=True, trim_whitespace=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="uz", help_text="Language of the answer")
    author = AuthorSerializer(required=False, default=dict)
    signatories = SignatoryInSerializer(many=True, required=False, default=list)
    topic = serializers.SlugField(max_length=48, required=False, allow_blank=True, default="")
    complained_body = serializers.SlugField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Code of the body complained about"
    )
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None)
    location_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    consent_publish = serializers.BooleanField(required=False, default=False)
    attachments = AttachmentInSerializer(many=True, required=False, default=list)

    def validate_number(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give your number of the appeal."))
        return value

    def validate_organization(self, value: str) -> Organization:
        organization = Organization.objects.filter(code=value, kind=OrganizationKind.HOKIMIYAT).first()
        if organization is None:
            raise serializers.ValidationError(_("No hokimiyat has this code."))
        return organization

    def validate_received_at(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise serializers.ValidationError(_("An appeal cannot be received in the future."))
        return value

    def validate_topic(self, value: str) -> Topic | None:
        if not value:
            return None
        topic = Topic.objects.filter(code=value, is_active=True).first()
        if topic is None:
            raise serializers.ValidationError(_("No topic has this code."))
        return topic

    def validate_complained_body(self, value: str) -> Organization | None:
        if not value:
            return None
        body = Organization.objects.filter(code=value).first()
        if body is None:
            raise serializers.ValidationError(_("No organization has this code."))
        return body

    def validate_attachments(self, value: list) -> list:
        if len(value) > MAX_ATTACHMENTS:
            raise serializers.ValidationError(
                ngettext(
                    "At most %(count)d file may come with one appeal.",
                    "At most %(count)d files may come with one appeal.",
                    MAX_ATTACHMENTS,
                )
                % {"count": MAX_ATTACHMENTS}
            )
        return value


class AppealImportedSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The hokimiyat's registration number; the author gets the access code")
    organization = serializers.CharField(source="organization.code")
    external_source = serializers.CharField()
    external_number = serializers.CharField()
    status = serializers.CharField()
    registered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="The end of the last day of the term")
    similar_to = serializers.CharField(
        source="similar_to.number", allow_null=True, default=None, help_text="A repeated or duplicate appeal"
    )


# The service's field names -> the request's (the author's nested under author).
_FIELDS = {
    "author_name": ("author", "name"),
    "author_address": ("author", "address"),
    "author_phone": ("author", "phone"),
    "author_email": ("author", "email"),
    "external_number": ("number", None),
    "scan": ("attachments", None),
}


def request_errors(error: DjangoValidationError) -> dict:
    """A service's field errors named as the request names them."""
    mapped: dict = {}
    for key, messages in error.message_dict.items():
        section, name = _FIELDS.get(key, (key, None))
        if name is None:
            mapped.setdefault(section if section != "__all__" else "non_field_errors", []).extend(messages)
        else:
            mapped.setdefault(section, {})[name] = messages
    return mapped


def register_imported(*, actor, source: str, valid: dict, now: dt.datetime | None = None) -> Appeal:
    """Register one validated row (`AppealImportSerializer.validated_data`) from `source`; a ValidationError
    from the service comes out as DRF's, with the request's field names."""
    author = valid["author"]
    files = [ContentFile(item["content"], name=item["name"]) for item in valid["attachments"]]
    extra = {"received_at": valid["received_at"].isoformat()} if valid["received_at"] else {}
    try:
        return appeal_register(
            actor=actor,
            organization=valid["organization"],
            text=valid["text"],
            channel=source_channel(source),
            type=valid["type"],
            kind=valid["kind"],
            author_name=author.get("name", ""),
            author_address=author.get("address", ""),
            author_phone=author.get("phone", ""),
            author_email=author.get("email", ""),
            language=valid["language"],
            topic=valid["topic"],
            signatories=[SignatoryData(s["name"], s["address"], s["phone"]) for s in valid["signatories"]],
            attachments=files,
            complained_body=valid["complained_body"],
            consent_publish=valid["consent_publish"],
            latitude=valid["latitude"],
            longitude=valid["longitude"],
            location_address=valid["location_address"],
            external_source=source,
            external_number=valid["number"],
            external_data=extra,
            now=now,
        )
    except DjangoValidationError as error:
        raise exceptions.ValidationError(request_errors(error)) from None


def existing_appeal(source: str, number) -> Appeal | None:
    number = str(number or "").strip()
    if not number:
        return None
    return (
        Appeal.objects.select_related("organization", "similar_to")
        .filter(external_source=source, external_number=number)
        .first()
    )


class AppealImportView(ApiLanguageMixin, APIView):
    """A partner reception sends an appeal to the hokimiyat that must answer it."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="appeals_imports_create",
        summary="Send an appeal from the Virtual Reception or a People's Reception to a hokimiyat",
        description="For a partner reception's system (a clerk of an agency named in APPEALS_PARTNERS), with an "
        "API token. Idempotent by `number` (with the partner's source): the first request answers 201 with the "
        "registered appeal; a resend answers 200 with the appeal registered then, and changes nothing. An appeal "
        "without the author's name or residence is registered too (it is not considered, by law, with a "
        "conclusion). Field errors are nested as the request is (`errors.author.phone`, `errors.attachments`); "
        "files are base64, a PDF, JPEG or PNG checked by content.",
        request=AppealImportSerializer,
        responses={
            201: AppealImportedSerializer,
            200: OpenApiResponse(AppealImportedSerializer, description="This number was sent before"),
            400: ERROR,
            401: ERROR,
            403: ERROR,
        },
        examples=[
            OpenApiExample(
                "An appeal from the Virtual Reception",
                request_only=True,
                value={
                    "organization": "namangan-city-hokimiyat",
                    "number": "PM-2026-0012345",
                    "received_at": "2026-11-30T16:20:00+05:00",
                    "type": "complaint",
                    "text": "Mahallamizda uch kundan beri ichimlik suvi yoʻq.",
                    "language": "uz",
                    "author": {
                        "name": "Karimov Aziz",
                        "address": "Namangan sh., Navoiy koʻchasi, 5",
                        "phone": "+998901234567",
                    },
                },
            )
        ],
        tags=["appeals"],
    )
    def post(self, request):
        source = partner_source(request.user)
        if source is None:
            raise Forbidden(PARTNER_ONLY)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        existing = existing_appeal(source, request.data.get("number"))
        if existing is not None:
            return Response(AppealImportedSerializer(existing).data, status=status.HTTP_200_OK)
        data = AppealImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        appeal = register_imported(actor=request.user, source=source, valid=data.validated_data, now=now)
        # A concurrent resend may have registered it first: then this answer is the resend's.
        created = appeal.events.filter(kind=EventKind.REGISTERED, created_at=now).exists()
        appeal = existing_appeal(source, appeal.external_number)
        body = AppealImportedSerializer(appeal).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
