"""Serializers of the cases API (v1): applications, tasks, tracking.

Plain serializers with explicit fields (no ModelSerializer): integer fields carry no
database-dependent bounds, so the committed OpenAPI schema is the same on SQLite and PostgreSQL.
Input serializers check shapes and look codes up; every rule about applications lives in
darcha.cases.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from darcha.catalog.choices import FieldKind
from darcha.catalog.models import Discount, RequiredDocument, Service
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.models import Organization

from . import output
from .choices import ApplicationStatus, Channel, EventKind, FeeStatus, TaskStatus
from .models import Task
from .selectors import SIGHT_FULL, applicant_shown

ID_MAX = 2**63 - 1  # BigAutoField


# --- Creating an application --------------------------------------------------------------------------


class ApplicantInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PersonKind.choices)
    name = serializers.CharField(max_length=255, help_text="Full name, or the organization's name")
    pinfl = serializers.CharField(max_length=32, required=False, allow_blank=True, default="", help_text="14 digits")
    passport = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default="", help_text="Two Latin letters and 7 digits"
    )
    stir = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default="", help_text="9 digits (legal entities)"
    )
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="+998 and 9 digits"
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False, default="uz", help_text="Preferred language"
    )


class FeeInputSerializer(serializers.Serializer):
    payment_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    waiver_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    discount = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True, default=None, help_text="Discount code"
    )

    def validate_discount(self, value):
        if not value:
            return None
        discount = Discount.objects.filter(code=value).first()
        if discount is None:
            raise serializers.ValidationError(_("No discount has this code."))
        return discount


class ApplicationCreateSerializer(serializers.Serializer):
    """An application registered by a center's operator. Scans (multipart only) come through the
    context as {required document id: [files]} and `files` (extra files)."""

    service = serializers.CharField(max_length=64, help_text="Service code")
    center = serializers.CharField(max_length=64, help_text="Code of the public service center")
    applicant = ApplicantInputSerializer()
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        default=list,
        max_length=100,
        help_text="Ids of the service's checklist items (required documents) presented on paper",
    )
    fee = FeeInputSerializer(required=False)
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Phone for notices; empty: the applicant's",
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text="Language of notices and the receipt; empty: the applicant's",
    )
    ticket = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, default=None, help_text="Queue ticket id"
    )

    def validate_service(self, value):
        service = Service.objects.filter(code=value).first()
        if service is None:
            raise serializers.ValidationError(_("No service has this code."))
        return service

    def validate_center(self, value):
        center = Organization.objects.filter(code=value, kind=OrganizationKind.CENTER).first()
        if center is None:
            raise serializers.ValidationError(_("No public service center has this code."))
        return center

    def validate(self, attrs):
        scans = self.context.get("scans", {})
        ids = set(attrs["documents"]) | set(scans)
        known = RequiredDocument.objects.in_bulk(ids) if ids else {}
        errors = {}
        unknown = sorted(i for i in attrs["documents"] if i not in known)
        if unknown:
            errors["documents"] = [
                _("No checklist item has the id %(ids)s.") % {"ids": ", ".join(str(i) for i in unknown)}
            ]
        for pk in sorted(scans):
            if pk not in known:
                errors[f"file_{pk}"] = [_("No checklist item has the id %(ids)s.") % {"ids": pk}]
        ticket = attrs.get("ticket")
        if ticket is not None:
            from darcha.queues.models import Ticket

            found = Ticket.objects.filter(pk=ticket).first()
            if found is None or found.center_id != attrs["center"].pk:
                errors["ticket"] = [_("No ticket of this center has this id.")]
            attrs["ticket"] = found
        if errors:
            raise serializers.ValidationError(errors)
        attrs["documents"] = [known[i] for i in dict.fromkeys(attrs["documents"])]
        attrs["scans"] = [(known[pk], upload) for pk, uploads in sorted(scans.items()) for upload in uploads]
        attrs["files"] = [(None, upload) for upload in self.context.get("files", [])]
        attrs.setdefault("fee", {"payment_reference": "", "waiver_reason": "", "discount": None})
        return attrs


# The multipart form of the same request (documentation: the view reads the form into the JSON shape).
APPLICATION_FORM_SCHEMA = {
    "type": "object",
    "description": (
        "The same fields as the JSON body, as form fields: `applicant` and `fee` are JSON objects "
        "sent as text; `documents` is repeated, one checklist item id per field. A scan of checklist "
        "item N is sent as the file field `file_N` (the item then counts as presented); further files "
        "(PDF, JPEG, PNG; at most 10 MB each) as repeated `files` fields."
    ),
    "properties": {
        "service": {"type": "string", "maxLength": 64, "description": "Service code"},
        "center": {"type": "string", "maxLength": 64, "description": "Code of the public service center"},
        "applicant": {
            "type": "string",
            "description": 'The applicant as JSON text, e.g. {"kind": "individual", "name": "…", "pinfl": "…"}',
        },
        "documents": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
            "description": "Checklist item ids presented on paper (repeat the field)",
        },
        "fee": {
            "type": "string",
            "description": 'The fee as JSON text, e.g. {"payment_reference": "PAY-1", "discount": null}',
        },
        "phone": {"type": "string", "maxLength": 32},
        "language": {"type": "string", "enum": ["", *(code for code, _name in LANGUAGE_CHOICES)]},
        "ticket": {"type": "integer", "minimum": 1, "maximum": ID_MAX, "nullable": True},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": "Extra files"},
    },
    "required": ["service", "center", "applicant"],
    "additionalProperties": {
        "type": "string",
        "format": "binary",
        "description": "file_<checklist item id>: the scan of that checklist item",
    },
}


# --- Reading applications -------------------------------------------------------------------------------


class TaskBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    step = serializers.CharField(source="step.code", read_only=True, help_text="Step code")
    agency = serializers.CharField(source="agency.code", read_only=True, help_text="Agency code")
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    due_at = serializers.DateTimeField(read_only=True)


class ApplicationCreatedSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True, help_text="Tracking number, printed on the receipt")
    access_code = serializers.CharField(read_only=True, help_text="Six digits; with the number it opens tracking")
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    center = serializers.CharField(source="center.code", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    fee_amount = serializers.IntegerField(read_only=True, min_value=0, max_value=2**31 - 1, help_text="So'm")
    fee_status = serializers.ChoiceField(choices=FeeStatus.choices, read_only=True)
    tasks = TaskBriefSerializer(many=True, read_only=True)
    receipt_url = serializers.SerializerMethodField(help_text="The receipt PDF (front office), absolute")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_receipt_url(self, application) -> str | None:
        return self.context["receipt_url"](application)


class ApplicantSerializer(serializers.Serializer):
    """The applicant as the caller may see them (`selectors.applicant_shown`, the pages' rule too): in full
    for the staff of the application's center; the name with PINFL, passport, STIR and phone masked for
    those who work on it; initials, the masked identifier and no phone for leadership."""

    kind = serializers.ChoiceField(choices=PersonKind.choices, read_only=True)
    name = serializers.CharField(read_only=True, help_text="Initials only (A. V.) for leadership")
    identifier = serializers.CharField(read_only=True, help_text="PINFL, passport or STIR (masked: 3120…0017)")
    phone = serializers.CharField(read_only=True, help_text="Masked, or empty where the caller sees no phone")


class _ApplicantField(serializers.Field):
    """The applicant of an application (or of a task's application), masked per the caller's sight of it
    (`applicant_sight`, annotated by `selectors.with_sight`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value):
        sight = getattr(value, "applicant_sight", None)
        application = value.application if isinstance(value, Task) else value
        return ApplicantSerializer(applicant_shown(application.applicant, sight)).data


extend_schema_field(ApplicantSerializer)(_ApplicantField)


def _sees_in_full(application) -> bool:
    """Whether the caller works at the application's center (what only its staff get: the access code, the receipt)."""
    return getattr(application, "applicant_sight", None) == SIGHT_FULL


class ApplicationListSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    center = serializers.CharField(source="center.code", read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    applicant = _ApplicantField()
    submitted_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    fee_status = serializers.ChoiceField(choices=FeeStatus.choices, read_only=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    label = serializers.CharField(read_only=True, help_text="What happened, as the citizen reads it")
    comment = serializers.CharField(read_only=True)


class ApplicationTaskSerializer(TaskBriefSerializer):
    step_name = serializers.CharField(source="step.name", read_only=True)
    opened_at = serializers.DateTimeField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    action = serializers.CharField(read_only=True, help_text="The action that finished the task")


class ApplicationDetailSerializer(ApplicationListSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome = serializers.CharField(read_only=True, help_text="issued or refused, once the result is ready")
    access_code = serializers.SerializerMethodField(help_text="Only for the staff of the application's center")
    language = serializers.CharField(read_only=True)
    fee_amount = serializers.IntegerField(read_only=True, min_value=0, max_value=2**31 - 1, help_text="So'm")
    ready_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    clock_stopped = serializers.SerializerMethodField()
    tasks = ApplicationTaskSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField(help_text="The public history, as on the tracking page")
    receipt_url = serializers.SerializerMethodField(help_text="Only for the staff of the application's center")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_access_code(self, application) -> str | None:
        return application.access_code if _sees_in_full(application) else None

    def get_clock_stopped(self, application) -> bool:
        return application.paused_at is not None

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, application) -> list:
        return TimelineEntrySerializer(self.context["timeline"], many=True).data

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_receipt_url(self, application) -> str | None:
        return self.context["receipt_url"](application) if _sees_in_full(application) else None


# --- Tasks ------------------------------------------------------------------------------------------------


class TaskApplicationSerializer(serializers.Serializer):
    """A task's application, read from the task (which carries the caller's `applicant_sight` of it)."""

    number = serializers.CharField(source="application.number", read_only=True)
    status = serializers.ChoiceField(source="application.status", choices=ApplicationStatus.choices, read_only=True)
    service = serializers.CharField(source="application.service.code", read_only=True)
    service_name = serializers.CharField(source="application.service.name", read_only=True)
    center = serializers.CharField(source="application.center.code", read_only=True)
    applicant = _ApplicantField()
    due_at = serializers.DateTimeField(source="application.due_at", read_only=True)


class TaskSerializer(TaskBriefSerializer):
    step_name = serializers.CharField(source="step.name", read_only=True)
    application = TaskApplicationSerializer(source="*", read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, allow_null=True)
    opened_at = serializers.DateTimeField(read_only=True)
    overdue = serializers.SerializerMethodField()
    requested = serializers.CharField(read_only=True, help_text="What the applicant was asked to bring")

    def get_overdue(self, task) -> bool:
        return task.status == TaskStatus.OPEN and task.due_at < self.context["now"]


class OutputFieldSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=FieldKind.choices, read_only=True)
    required = serializers.BooleanField(read_only=True)
    choices = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The values a choice field takes"
    )


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    needs_comment = serializers.BooleanField(read_only=True)
    targets = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Step codes the work may be returned to"
    )
    ends = serializers.CharField(read_only=True, help_text="The outcome when the action ends the procedure")
    fields = OutputFieldSerializer(
        many=True, read_only=True, help_text="The step's output, sent as `fields` when taking this action"
    )


class TaskDetailSerializer(TaskSerializer):
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    action = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    actions = serializers.SerializerMethodField(help_text="What the caller may do now")

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_actions(self, task) -> list:
        return [
            {
                "action": a.action,
                "label": str(a.label),
                "needs_comment": a.needs_comment,
                "targets": [s.code for s in a.targets],
                "ends": a.ends,
                "fields": [
                    {
                        "code": f.code,
                        "label": str(f.label),
                        "kind": f.kind,
                        "required": f.required,
                        "choices": f.option_lines("uz"),
                    }
                    for f in a.fields
                ],
            }
            for a in self.context["actions"]
        ]


class TaskActionSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=32, help_text="One of the task's available actions")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    target_step = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True, default=None, help_text="For return"
    )
    fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=output.TEXT_MAX),
        required=False,
        default=dict,
        help_text="The step's output, {field code: value} (dates YYYY-MM-DD), for the actions that list `fields`",
    )


# --- Citizen tracking -------------------------------------------------------------------------------------


class TrackSerializer(serializers.Serializer):
    number = serializers.CharField(read_only=True)
    service = serializers.CharField(read_only=True, help_text="Service code")
    service_name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    status_label = serializers.CharField(read_only=True)
    current_steps = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Citizen labels")
    due_at = serializers.DateTimeField(read_only=True)
    clock_stopped = serializers.BooleanField(read_only=True)
    needed = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="What the applicant must bring"
    )
    result_ready = serializers.BooleanField(read_only=True)
    timeline = TimelineEntrySerializer(many=True, read_only=True)


# --- Figures ----------------------------------------------------------------------------------------------


class ApplicationStatusCountsSerializer(serializers.Serializer):
    in_progress = serializers.IntegerField(read_only=True, min_value=0)
    waiting_citizen = serializers.IntegerField(read_only=True, min_value=0)
    ready = serializers.IntegerField(read_only=True, min_value=0)
    closed = serializers.IntegerField(read_only=True, min_value=0)


class ApplicationFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True, min_value=0)
    overdue = serializers.IntegerField(read_only=True, min_value=0, help_text="With a task past its term")
    by_status = ApplicationStatusCountsSerializer(read_only=True)
