"""Intake: numbers and access codes, the fee, the checks of an intake, registering the applicant with
the application, and the documents the applicant brings later (the clock runs again).

An application is filed under the service's published ProcedureVersion and keeps it; submitting
opens the first tasks through the interpreter (`workflow.open_first_tasks`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.catalog.models import Discount, RequiredDocument, Service
from darcha.catalog.selectors import NO_BRV, fee_today
from darcha.core import access
from darcha.core.audit import actor_user, audit_batch, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind, PersonKind, Role
from darcha.core.errors import Refused
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization, Person
from darcha.core.services import person_register

from ..choices import ApplicationStatus, CaseRefusal, Channel, DocumentPurpose, EventKind, FeeStatus, TaskStatus
from ..models import Application, Document, NumberSequence, PendingUpload
from ._common import (
    CENTER_STAFF_ONLY,
    check_uploads,
    clock_resume,
    notify_applicant,
    notify_staff,
    record_event,
    staff_of,
    store_document,
)
from .drafts import Draft, discard_rows
from .workflow import open_first_tasks


def _next_number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    NumberSequence.objects.get_or_create(year=year)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year % 100:02d}-{sequence.last:07d}"


def _access_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass
class Fee:
    """How the fee is settled at intake: a payment reference, or a waiver with its reason."""

    payment_reference: str = ""
    waiver_reason: str = ""
    discount: Discount | None = None


@dataclass
class Intake:
    service: Service
    applicant: Person
    center: Organization
    presented: list[RequiredDocument] = field(default_factory=list)
    # (checklist item or None for an extra file, uploaded file)
    uploads: list[tuple[RequiredDocument | None, object]] = field(default_factory=list)
    fee: Fee = field(default_factory=Fee)
    phone: str = ""
    language: str = ""
    channel: str = Channel.FRONT_OFFICE
    ticket: object = None
    # The form's draft whose kept files are among `uploads` (drafts.py): they are dropped as the
    # application is registered, in its transaction.
    draft: Draft | None = None


def application_fee(service: Service, day: dt.date, discount: Discount | None = None) -> int:
    """The fee on `day` (`catalog.selectors.fee_today`); a ValidationError when no BRV is in force then
    (an administrator must enter it)."""
    amount = fee_today(service, discount, day=day)
    if amount is None:
        raise ValidationError({"fee": [NO_BRV]})
    return amount


def _validate_intake(intake: Intake, version, now: dt.datetime) -> dict:
    errors: dict[str, list[str]] = {}
    service = intake.service
    if not service.is_active:
        errors.setdefault("service", []).append(_("This service is not available now."))
    if version is None:
        errors.setdefault("service", []).append(_("This service has no published procedure yet."))
    if intake.applicant.kind == PersonKind.INDIVIDUAL and not service.for_individuals:
        errors.setdefault("applicant", []).append(_("This service is for legal entities only."))
    if intake.applicant.kind == PersonKind.LEGAL_ENTITY and not service.for_legal_entities:
        errors.setdefault("applicant", []).append(_("This service is for individuals only."))
    if intake.center.kind != OrganizationKind.CENTER:
        errors.setdefault("center", []).append(_("Applications are taken at a public service center."))
    if intake.channel == Channel.ONLINE and not service.online:
        errors.setdefault("service", []).append(_("This service cannot be applied for online."))

    given = {d.pk for d in intake.presented} | {r.pk for r, _f in intake.uploads if r is not None}
    foreign = [d for d in [*intake.presented, *(r for r, _f in intake.uploads if r)] if d.service_id != service.pk]
    if foreign:
        errors.setdefault("documents", []).append(_("A document from another service's checklist was given."))
    missing = [
        d.name for d in service.documents.all() if d.mandatory and not d.obtained_by_center and d.pk not in given
    ]
    if missing:
        errors.setdefault("documents", []).append(
            _("These documents are required: %(names)s.") % {"names": "; ".join(str(n) for n in missing)}
        )
    fee = intake.fee
    if fee.discount is not None and not service.discounts.filter(pk=fee.discount.pk).exists():
        errors.setdefault("discount", []).append(_("This discount does not apply to this service."))
    try:
        amount = application_fee(service, timezone.localdate(now), fee.discount)
    except ValidationError as error:
        errors.setdefault("fee", []).extend(error.message_dict["fee"])
        amount = 0
    if amount and intake.channel != Channel.ONLINE and not (fee.payment_reference.strip() or fee.waiver_reason.strip()):
        errors.setdefault("fee", []).append(_("Record the payment reference of the fee, or the reason it is waived."))
    if fee.payment_reference.strip() and fee.waiver_reason.strip():
        errors.setdefault("fee", []).append(_("A fee is either paid or waived, not both."))
    if intake.phone:
        try:
            validate_phone(intake.phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    return errors


def application_problems(*, intake: Intake, now: dt.datetime | None = None) -> dict[str, list[str]]:
    """What would stop this intake (documents, fee, files…), without writing anything.

    For a screen that wants every error at once: when the applicant's details are refused, it
    checks the rest with an unsaved Person of the chosen kind.
    """
    now = now or timezone.now()
    errors = _validate_intake(intake, intake.service.published_version, now)
    try:
        check_uploads(intake.uploads)
    except ValidationError as error:
        errors.setdefault("files", []).extend(error.message_dict["files"])
    return errors


def application_submit(*, actor, intake: Intake, now: dt.datetime | None = None) -> Application:
    """Register an application: number, access code, documents, fee, and the first tasks opened."""
    now = now or timezone.now()
    service = intake.service
    if intake.channel != Channel.ONLINE:
        access.require_role(actor, access.CENTER_STAFF, intake.center, CENTER_STAFF_ONLY)
    version = service.published_version
    errors = _validate_intake(intake, version, now)
    try:
        checked = check_uploads(intake.uploads)
    except ValidationError as error:
        errors.setdefault("files", []).extend(error.message_dict["files"])
    if errors:
        raise ValidationError(errors)
    calendar = WorkingCalendar.current()
    fee = intake.fee
    amount = application_fee(service, timezone.localdate(now), fee.discount)
    if not amount:
        fee_status = FeeStatus.NONE
    elif fee.payment_reference.strip():
        fee_status = FeeStatus.PAID
    elif fee.waiver_reason.strip():
        fee_status = FeeStatus.WAIVED
    else:
        fee_status = FeeStatus.DUE
    phone = validate_phone(intake.phone) if intake.phone else intake.applicant.phone
    language = intake.language or intake.applicant.language or settings.LANGUAGE_CODE

    with transaction.atomic():
        application = Application.objects.create(
            number=_next_number(now),
            access_code=_access_code(),
            service=service,
            version=version,
            applicant=intake.applicant,
            center=intake.center,
            channel=intake.channel,
            ticket=intake.ticket,
            language=language,
            phone=phone,
            fee_amount=amount,
            fee_status=fee_status,
            discount=fee.discount,
            payment_reference=fee.payment_reference.strip()[:64],
            fee_waiver_reason=fee.waiver_reason.strip()[:255],
            registered_by=actor_user(actor),
            submitted_at=now,
            due_at=calendar.deadline(now, service.term_days),
        )
        scanned = set()
        for required, file in checked:
            store_document(application, file, purpose=DocumentPurpose.INTAKE, actor=actor, now=now, required=required)
            if required is not None:
                scanned.add(required.pk)
        for required in intake.presented:
            if required.pk not in scanned:
                Document.objects.create(
                    application=application,
                    required=required,
                    purpose=DocumentPurpose.INTAKE,
                    title=required.name,
                    added_by=actor_user(actor),
                    added_at=now,
                )
        if intake.draft is not None:  # its files are the application's documents now
            discard_rows(
                PendingUpload.objects.select_for_update().filter(draft=intake.draft.token, holder=intake.draft.holder)
            )
        record_event(
            application,
            EventKind.SUBMITTED,
            actor=actor,
            now=now,
            data={"channel": intake.channel, "fee": amount, "fee_status": fee_status},
        )
        open_first_tasks(application, actor=actor, now=now, calendar=calendar)
        audit_record(
            actor=actor,
            action="application_submit",
            obj=application,
            data={
                "service": service.code,
                "version": version.number,
                "center": intake.center.code,
                "channel": intake.channel,
                "fee": amount,
                "fee_status": fee_status,
                "files": len(checked),
            },
        )
        notify_applicant(
            application,
            "application_received",
            {"code": application.access_code, "due": timezone.localtime(application.due_at).date()},
        )
    return application


class ApplicantRefused(ValidationError):
    """The applicant's details were refused. `message_dict` holds every problem of the intake; the
    applicant's own are also in `applicant_errors`, for a caller that reports them apart (the API)."""

    def __init__(self, applicant_errors: dict, intake_errors: dict):
        super().__init__({**applicant_errors, **intake_errors})
        self.applicant_errors = applicant_errors


def application_register(
    *, actor, person: dict, intake: Intake, update_existing: bool = True, now: dt.datetime | None = None
) -> Application:
    """Find or register the applicant (`person`: person_register's fields) and submit the intake for
    them, in one transaction: a refused submission leaves no new or changed person behind. Only the
    center's staff register at a center (checked first, before anything about the applicant).

    The audit entries of both are appended together at the end (audit_batch), so concurrent intakes
    hold the audit chain's lock only for the moment before the commit. When the applicant's details
    are refused, the rest of the intake is checked too and every problem is reported at once.
    """
    if intake.channel != Channel.ONLINE:
        access.require_role(actor, access.CENTER_STAFF, intake.center, CENTER_STAFF_ONLY)
    with transaction.atomic(), audit_batch():
        try:
            applicant = person_register(actor=actor, update_existing=update_existing, **person)
        except ValidationError as error:
            problems = application_problems(intake=replace(intake, applicant=Person(kind=person.get("kind"))), now=now)
            raise ApplicantRefused(error.message_dict, problems) from None
        return application_submit(actor=actor, intake=replace(intake, applicant=applicant), now=now)


def application_supplement(
    *,
    actor,
    application: Application,
    uploads=(),
    comment: str = "",
    draft: Draft | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """The applicant brought what was asked: the documents are recorded and the clocks restart. `draft`:
    the form's draft whose kept files are among `uploads` (dropped as they are recorded)."""
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    checked = check_uploads(list(uploads))
    comment = (comment or "").strip()
    if not checked and not comment:
        raise ValidationError({"files": [_("Attach the documents brought, or describe them in the comment.")]})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.WAITING_CITIZEN:
            raise Refused(_("Nothing is requested from the applicant now."), CaseRefusal.NOT_WAITING)
        calendar = WorkingCalendar.current()
        waiting = list(application.tasks.select_for_update().filter(status=TaskStatus.WAITING_CITIZEN))
        shifted = 0
        for task in waiting:
            shifted = max(shifted, clock_resume(task, now, calendar))
            task.status = TaskStatus.OPEN
            task.save()
        paused_days = clock_resume(application, now, calendar)
        application.status = ApplicationStatus.IN_PROGRESS
        application.save(update_fields=["status", "paused_at", "paused_days", "due_at"])
        for _required, file in checked:
            store_document(
                application,
                file,
                purpose=DocumentPurpose.SUPPLEMENT,
                actor=actor,
                now=now,
                task=waiting[0] if waiting else None,
            )
        if draft is not None:  # its files are the application's documents now
            discard_rows(PendingUpload.objects.select_for_update().filter(draft=draft.token, holder=draft.holder))
        record_event(
            application,
            EventKind.SUPPLEMENTED,
            actor=actor,
            now=now,
            task=waiting[0] if waiting else None,
            comment=comment,
            data={"files": len(checked), "paused_days": paused_days},
        )
        audit_record(
            actor=actor,
            action="application_supplement",
            obj=application,
            data={"files": len(checked), "paused_days": paused_days, "tasks": [t.pk for t in waiting]},
        )
        agencies = sorted({t.agency_id for t in waiting})
        clerks = list(dict.fromkeys(user for agency_id in agencies for user in staff_of(agency_id, Role.AGENCY_CLERK)))
        assignees = [t.assignee for t in waiting if t.assignee_id]
        notify_staff(assignees or clerks, "task_supplemented", {"number": application.number}, application)
    return application
