"""Every write of the cases app, and the one interpreter that runs every procedure version.

An application is filed under the service's published ProcedureVersion and keeps it. Submitting
follows the version's transitions that start from nothing: each opens a Task at its step's
agency (several: parallel work). A clerk's action on a task follows the transitions leaving the
task's step on that action; a transition to a join step opens it only once no task of a step
leading into the join is still active; a transition to the end closes the application with its
outcome and produces the result. Deadlines are computed once, from the working-day calendar,
and stored; while the application waits for the citizen its clock (and the waiting task's) is
stopped, and every whole working day the pause covered moves the deadlines on by one.

Two actions are the interpreter's own: "request documents" keeps the work at the same step (the
task waits for the citizen whatever the transition's target), and "return" sends it back to a
step the application has already passed (every step after one that is done offers it).

Each public function takes keyword arguments and an `actor`, runs in one transaction, writes an
AuditEntry and sends notifications only after commit. Refusals are ValidationError (bad input),
core.errors.Refused with a CaseRefusal code (not possible now) or Forbidden (not for this actor),
all with translated messages.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from darcha.catalog.choices import Action, Effect, Outcome, VersionStatus
from darcha.catalog.models import Discount, RequiredDocument, Service, Step, Transition
from darcha.core import access
from darcha.core.audit import SYSTEM, SystemActor, actor_user, audit_batch, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind, PersonKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization, Person, User
from darcha.core.money import NoBaseAmount
from darcha.core.services import person_register
from darcha.notify import services as notify
from darcha.notify.choices import Channel as NotifyChannel

from . import pdf
from .choices import (
    ACTIVE_TASK_STATUSES,
    ApplicationStatus,
    CaseRefusal,
    Channel,
    DocumentPurpose,
    EscalationLevel,
    EventKind,
    FeeStatus,
    TaskStatus,
)
from .models import (
    Application,
    Document,
    Escalation,
    Event,
    NumberSequence,
    Rating,
    Result,
    Task,
    TelegramSubscription,
)
from .selectors import organization_staff
from .uploads import CheckedFile, check_upload

log = logging.getLogger("darcha.cases")

CITIZEN = SystemActor("citizen")
RETURN = "return"  # built in: every step after the first may send the work back to a step already done
COMMENT_REQUIRED = {Action.REJECT, Action.REQUEST_DOCUMENTS, Action.RETURN, RETURN}
CENTER_STAFF_ONLY = _lazy("Only the center's operators and managers may do this.")
AGENCY_STAFF_ONLY = _lazy("Only the agency's staff may act on its tasks.")


# --- Who may do what ----------------------------------------------------------------------------


def task_allowed_roles(task: Task, transitions: Iterable[Transition]) -> set[str]:
    roles: set[str] = set()
    for t in transitions:
        roles |= set(t.roles or [task.step.role])
    return roles or {task.step.role}


# --- Numbers, codes, the clock -------------------------------------------------------------------


def _next_number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    NumberSequence.objects.get_or_create(year=year)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year % 100:02d}-{sequence.last:07d}"


def _access_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _verification_code() -> str:
    # 12 characters of an unambiguous alphabet: about 60 bits, not guessable by scanning.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _pause(obj, now: dt.datetime) -> None:
    if obj.paused_at is None:
        obj.paused_at = now


def _resume(obj, now: dt.datetime, calendar: WorkingCalendar) -> int:
    """Restart a stopped clock: the deadline moves on by the working days the pause covered."""
    if obj.paused_at is None:
        return 0
    days = calendar.working_days_between(obj.paused_at, now)
    if days:
        obj.due_at = calendar.deadline(obj.due_at, days)
    obj.paused_days += days
    obj.paused_at = None
    return days


def _event(application, kind, *, actor, now, task=None, action="", comment="", public=True, data=None) -> Event:
    user = actor_user(actor)
    return Event.objects.create(
        application=application,
        task=task,
        kind=kind,
        action=action,
        actor=user,
        actor_label=user.get_username() if user else getattr(actor, "label", "system"),
        comment=comment,
        public=public,
        data=data or {},
        created_at=now,
    )


def _store(application, checked: CheckedFile, *, purpose, actor, now, required=None, task=None, title="") -> Document:
    document = Document(
        application=application,
        required=required,
        purpose=purpose,
        title=title or (required.name if required else checked.name),
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        task=task,
        added_by=actor_user(actor),
        added_at=now,
    )
    document.file.save("upload", ContentFile(checked.content), save=False)
    document.save()
    return document


def _check_uploads(uploads) -> list[tuple[RequiredDocument | None, CheckedFile]]:
    checked, errors = [], []
    for required, upload in uploads:
        try:
            checked.append((required, check_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


# --- Notifications (always after commit) --------------------------------------------------------


def _notify_applicant(application: Application, template: str, context: dict) -> None:
    """The applicant through their preferred channel, and every Telegram chat following the application."""
    values = {"number": application.number, "service": _service_name(application), **context}
    language = application.language
    phone = application.phone
    chats = list(application.telegram_subscriptions.values_list("chat_id", "language"))

    def send():
        try:
            if phone:
                notify.message_send_preferred(
                    actor=SYSTEM, phone=phone, template=template, context=values, language=language, related=application
                )
            for chat_id, chat_language in chats:
                notify.message_send(
                    actor=SYSTEM,
                    channel=NotifyChannel.TELEGRAM,
                    address=chat_id,
                    template=template,
                    context=values,
                    language=chat_language,
                    related=application,
                )
        except ValidationError:
            log.warning("application %s: notice %s not sent", application.number, template, exc_info=True)

    transaction.on_commit(send)


def _citizen_path(application: Application, name: str, *args) -> str:
    """A page address for the applicant (printed or texted): in their language, not the staff member's."""
    with translation.override(application.language):
        return reverse(name, args=args)


def _service_name(application: Application) -> str:
    with translation.override(application.language):
        return str(application.service.name)


def _notify_staff(users: Iterable[User], template: str, context: dict, related) -> list[str]:
    """Staff are told by SMS or e-mail when they have either, else the notice is only logged."""
    told = []
    for user in users:
        told.append(user.get_username())
        phone, email, language = user.phone, user.email, user.language

        username = user.get_username()

        def send(phone=phone, email=email, language=language, username=username):
            try:
                sent = notify.message_send_preferred(
                    actor=SYSTEM,
                    phone=phone,
                    email=email,
                    template=template,
                    context=context,
                    language=language,
                    related=related,
                )
                if sent is None:
                    notify.message_send(
                        actor=SYSTEM,
                        channel=NotifyChannel.CONSOLE,
                        address=username,
                        template=template,
                        context=context,
                        language=language,
                        related=related,
                    )
            except ValidationError:
                log.warning("staff notice %s to %s not sent", template, username, exc_info=True)

        transaction.on_commit(send)
    return told


# --- Intake -------------------------------------------------------------------------------------


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


def application_fee(service: Service, day: dt.date, discount: Discount | None = None) -> int:
    """The fee on `day`; a ValidationError when no BRV is in force then (an administrator must enter it)."""
    try:
        return service.fee_on(day, discount)
    except NoBaseAmount:
        raise ValidationError(
            {"fee": [_("No base calculation amount (BRV) is entered for this day; ask an administrator.")]}
        ) from None


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


def _published_version(service: Service):
    return service.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def application_problems(*, intake: Intake, now: dt.datetime | None = None) -> dict[str, list[str]]:
    """What would stop this intake (documents, fee, files…), without writing anything.

    For a screen that wants every error at once: when the applicant's details are refused, it
    checks the rest with an unsaved Person of the chosen kind.
    """
    now = now or timezone.now()
    errors = _validate_intake(intake, _published_version(intake.service), now)
    try:
        _check_uploads(intake.uploads)
    except ValidationError as error:
        errors.setdefault("files", []).extend(error.message_dict["files"])
    return errors


def application_submit(*, actor, intake: Intake, now: dt.datetime | None = None) -> Application:
    """Register an application: number, access code, documents, fee, and the first tasks opened."""
    now = now or timezone.now()
    service = intake.service
    if intake.channel != Channel.ONLINE:
        access.require_role(actor, access.CENTER_STAFF, intake.center, CENTER_STAFF_ONLY)
    version = _published_version(service)
    errors = _validate_intake(intake, version, now)
    try:
        checked = _check_uploads(intake.uploads)
    except ValidationError as error:
        errors.setdefault("files", []).extend(error.message_dict["files"])
    if errors:
        raise ValidationError(errors)
    starts = list(version.transitions.filter(from_step__isnull=True).select_related("to_step__agency"))
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
            _store(application, file, purpose=DocumentPurpose.INTAKE, actor=actor, now=now, required=required)
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
        _event(
            application,
            EventKind.SUBMITTED,
            actor=actor,
            now=now,
            data={"channel": intake.channel, "fee": amount, "fee_status": fee_status},
        )
        for transition in starts:
            _open_task(application, transition.to_step, actor=actor, now=now, calendar=calendar)
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
        _notify_applicant(
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


# --- The interpreter ------------------------------------------------------------------------------


def _open_task(application, step: Step, *, actor, now, calendar) -> Task:
    task = Task.objects.create(
        application=application,
        step=step,
        agency=step.agency,
        opened_at=now,
        due_at=calendar.deadline(now, step.term_days),
    )
    _event(application, EventKind.TASK_OPENED, actor=actor, now=now, task=task, data={"step": step.code})
    return task


def _lock(task: Task) -> tuple[Task, Application]:
    application = Application.objects.select_for_update().get(pk=task.application_id)
    task = Task.objects.select_for_update().select_related("step", "agency").get(pk=task.pk)
    return task, application


@dataclass(frozen=True)
class AvailableAction:
    action: str
    label: str
    needs_comment: bool
    # Steps the work may be returned to (for the built-in "return" action).
    targets: tuple[Step, ...] = ()
    ends: str = ""  # the outcome, when the action ends the procedure


def _transitions_by_action(step: Step) -> dict[str, list[Transition]]:
    grouped: dict[str, list[Transition]] = {}
    for t in step.outgoing.all():
        grouped.setdefault(t.action, []).append(t)
    return grouped


def _return_targets(task: Task) -> list[Step]:
    done = (
        Task.objects.filter(application_id=task.application_id, status=TaskStatus.DONE, step__stage__lt=task.step.stage)
        .select_related("step")
        .order_by("step__stage", "id")
    )
    seen, targets = set(), []
    for t in done:
        if t.step_id not in seen:
            seen.add(t.step_id)
            targets.append(t.step)
    return targets


def task_actions(*, user, task: Task) -> list[AvailableAction]:
    """The actions this user may take on this task now (empty if none)."""
    if task.status != TaskStatus.OPEN or not task.application.is_open:
        return []
    roles = access.roles_at(user, task.agency)
    if not roles:
        return []
    available = []
    for action, transitions in _transitions_by_action(task.step).items():
        if not roles & task_allowed_roles(task, transitions):
            continue
        ends = next((t.outcome for t in transitions if t.to_step_id is None), "")
        available.append(AvailableAction(action, str(Action(action).label), action in COMMENT_REQUIRED, ends=ends))
    if task.step.role in roles:
        targets = tuple(_return_targets(task))
        if targets:
            available.append(AvailableAction(RETURN, _("Return to an earlier step"), True, targets=targets))
    order = [Action.APPROVE, Action.FORWARD, Action.REQUEST_DOCUMENTS, RETURN, Action.REJECT]
    return sorted(available, key=lambda a: order.index(a.action) if a.action in order else len(order))


def task_act(
    *,
    actor,
    task: Task,
    action: str,
    comment: str = "",
    target_step: Step | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Take an action on a task, as the procedure version allows it for the actor's role."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    with transaction.atomic():
        task, application = _lock(task)
        task.application = application
        if not application.is_open:
            raise Refused(_("The application is no longer in progress."), CaseRefusal.APPLICATION_CLOSED)
        if task.status == TaskStatus.WAITING_CITIZEN:
            raise Refused(_("This task waits for the applicant's documents."), CaseRefusal.WAITING_CITIZEN)
        if task.status != TaskStatus.OPEN:
            raise Refused(_("This task is already finished."), CaseRefusal.TASK_CLOSED)
        access.require_role(actor, access.AGENCY_STAFF, task.agency, AGENCY_STAFF_ONLY)
        allowed = {a.action: a for a in task_actions(user=actor, task=task)}
        if action not in allowed:
            raise Refused(_("This action is not allowed at this step."), CaseRefusal.ACTION_NOT_ALLOWED)
        if action in COMMENT_REQUIRED and not comment:
            messages = {
                Action.REJECT: _("Give the reason for the refusal."),
                Action.REQUEST_DOCUMENTS: _("Say which documents the applicant must bring."),
            }
            raise ValidationError({"comment": messages.get(action, _("Add a comment for the previous step."))})
        calendar = WorkingCalendar.current()
        if action == RETURN:
            _return(
                application,
                task,
                actor=actor,
                target=target_step,
                comment=comment,
                now=now,
                calendar=calendar,
                allowed=allowed[RETURN].targets,
            )
        elif action == Action.REQUEST_DOCUMENTS:
            _request_documents(application, task, actor=actor, comment=comment, now=now)
        else:
            transitions = _transitions_by_action(task.step)[action]
            _follow(
                application, task, transitions, actor=actor, action=action, comment=comment, now=now, calendar=calendar
            )
        audit_record(
            actor=actor,
            action=f"task_{action}",
            obj=task,
            data={"application": application.number, "step": task.step.code, "comment": bool(comment)},
        )
    return task


def _finish(task: Task, *, actor, action, comment, now) -> None:
    task.status = TaskStatus.DONE
    task.action = action
    task.comment = comment
    task.completed_at = now
    task.completed_by = actor_user(actor)
    task.save()


def _follow(application, task, transitions, *, actor, action, comment, now, calendar) -> None:
    _finish(task, actor=actor, action=action, comment=comment, now=now)
    _event(
        application,
        EventKind.ACTION,
        actor=actor,
        now=now,
        task=task,
        action=action,
        comment=comment,
        data={"step": task.step.code},
    )
    end = next((t for t in transitions if t.to_step_id is None), None)
    if end is not None:
        _end(application, task, end, actor=actor, comment=comment, now=now)
        return
    for transition in transitions:
        target = transition.to_step
        if target.join:
            sources = set(target.incoming.exclude(from_step__isnull=True).values_list("from_step_id", flat=True))
            still_running = application.tasks.filter(step_id__in=sources, status__in=ACTIVE_TASK_STATUSES)
            already_open = application.tasks.filter(step=target, status__in=ACTIVE_TASK_STATUSES)
            if still_running.exists() or already_open.exists():
                continue
        _open_task(application, target, actor=actor, now=now, calendar=calendar)
    if Effect.NOTIFY_CITIZEN in {e for t in transitions for e in t.effects}:
        _notify_applicant(application, "application_progress", {"status": _citizen_status(application)})


def _citizen_status(application) -> str:
    with translation.override(application.language):
        steps = [t.step for t in application.tasks.filter(status__in=ACTIVE_TASK_STATUSES).select_related("step")]
        return "; ".join(str(s.citizen_label) for s in steps) or str(application.get_status_display())


def _end(application, task, transition, *, actor, comment, now) -> None:
    for other in application.tasks.filter(status__in=ACTIVE_TASK_STATUSES).exclude(pk=task.pk):
        other.status = TaskStatus.CANCELLED
        other.completed_at = now
        other.save(update_fields=["status", "completed_at"])
    application.status = ApplicationStatus.READY
    application.outcome = transition.outcome
    application.ready_at = now
    application.paused_at = None
    application.save(update_fields=["status", "outcome", "ready_at", "paused_at"])
    result = _issue_result(application, task, outcome=transition.outcome, reason=comment, actor=actor, now=now)
    _event(
        application,
        EventKind.READY,
        actor=actor,
        now=now,
        task=task,
        data={"outcome": transition.outcome, "result": result.code},
    )
    template = "application_ready" if transition.outcome == Outcome.ISSUED else "application_refused"
    _notify_applicant(application, template, {"center": str(application.center.name), "reason": comment})


def _issue_result(application, task, *, outcome, reason, actor, now) -> Result:
    """The result document with its verification page: a clerk's upload, else generated from the template."""
    existing = Result.objects.filter(application=application).select_related("document").first()
    uploaded = existing if existing is not None and not existing.generated and outcome == Outcome.ISSUED else None
    code = uploaded.code if uploaded else _verification_code()
    context = {
        "application": application,
        "service": application.service,
        "agency": task.agency,
        "outcome": outcome,
        "reason": reason,
        "code": code,
        "issued_at": now,
        "qr": pdf.qr(_citizen_path(application, "cases:verify", code)),
        "verify_url": pdf.public_url(_citizen_path(application, "cases:verify", code)),
    }
    if uploaded is not None:
        original = uploaded.document.file.open("rb").read()
        uploaded.document.file.close()
        content = pdf.append_pages(
            original, pdf.render_pdf("cases/pdf/verification.html", context, language=application.language)
        )
    else:
        content = pdf.render_pdf("cases/pdf/result.html", context, language=application.language)
    checked = CheckedFile(content, "application/pdf", len(content), pdf.sha256(content), f"{application.number}.pdf")
    with translation.override(application.language):
        title = (
            str(application.service.result or application.service.name)
            if outcome == Outcome.ISSUED
            else _("Refusal letter")
        )
    document = _store(
        application, checked, purpose=DocumentPurpose.RESULT, actor=actor, now=now, task=task, title=title
    )
    if existing is not None:
        _discard_result(existing)
    return Result.objects.create(
        application=application,
        code=code,
        outcome=outcome,
        agency=task.agency,
        document=document,
        generated=uploaded is None,
        issued_at=now,
        issued_by=actor_user(actor),
    )


def _discard_result(result: Result) -> None:
    """A result replaced (a new upload, or the final PDF with its verification page): its row and
    document go, so the application lists one result; the file is removed once the change commits."""
    document = result.document
    result.delete()
    document.delete()
    if document.file:
        storage, name = document.file.storage, document.file.name
        transaction.on_commit(lambda: storage.delete(name))


def _request_documents(application, task, *, actor, comment, now) -> None:
    task.status = TaskStatus.WAITING_CITIZEN
    task.requested = comment
    stops = task.step.clock_stops_for_citizen
    if stops:
        _pause(task, now)
        _pause(application, now)
    task.save()
    application.status = ApplicationStatus.WAITING_CITIZEN
    application.save(update_fields=["status", "paused_at"])
    _event(
        application,
        EventKind.DOCUMENTS_REQUESTED,
        actor=actor,
        now=now,
        task=task,
        action=Action.REQUEST_DOCUMENTS,
        comment=comment,
        data={"step": task.step.code, "clock_stopped": stops},
    )
    _notify_applicant(
        application, "documents_requested", {"requested": comment, "center": str(application.center.name)}
    )


def _return(application, task, *, actor, target, comment, now, calendar, allowed) -> None:
    if target is None or target.pk not in {s.pk for s in allowed}:
        raise ValidationError({"target_step": _("Choose a step the application has already passed.")})
    _finish(task, actor=actor, action=RETURN, comment=comment, now=now)
    _event(
        application,
        EventKind.RETURNED,
        actor=actor,
        now=now,
        task=task,
        action=RETURN,
        comment=comment,
        data={"from": task.step.code, "to": target.code},
        public=False,
    )
    _open_task(application, target, actor=actor, now=now, calendar=calendar)


def application_supplement(
    *,
    actor,
    application: Application,
    uploads=(),
    comment: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """The applicant brought what was asked: the documents are recorded and the clocks restart."""
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    checked = _check_uploads(list(uploads))
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
            shifted = max(shifted, _resume(task, now, calendar))
            task.status = TaskStatus.OPEN
            task.save()
        paused_days = _resume(application, now, calendar)
        application.status = ApplicationStatus.IN_PROGRESS
        application.save(update_fields=["status", "paused_at", "paused_days", "due_at"])
        for _required, file in checked:
            _store(
                application,
                file,
                purpose=DocumentPurpose.SUPPLEMENT,
                actor=actor,
                now=now,
                task=waiting[0] if waiting else None,
            )
        _event(
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
        clerks = list(dict.fromkeys(user for agency_id in agencies for user in _staff(agency_id, Role.AGENCY_CLERK)))
        assignees = [t.assignee for t in waiting if t.assignee_id]
        _notify_staff(assignees or clerks, "task_supplemented", {"number": application.number}, application)
    return application


def task_claim(*, actor, task: Task, now: dt.datetime | None = None) -> Task:
    """A clerk takes a task of their agency to work on."""
    return task_assign(actor=actor, task=task, assignee=actor, now=now)


def task_assign(*, actor, task: Task, assignee: User | None, now: dt.datetime | None = None) -> Task:
    """Give a task to a clerk of its agency (heads assign anyone; clerks only take free tasks)."""
    now = now or timezone.now()
    with transaction.atomic():
        task, application = _lock(task)
        access.require_role(actor, access.AGENCY_STAFF, task.agency, AGENCY_STAFF_ONLY)
        if not task.is_active:
            raise Refused(_("This task is already finished."), CaseRefusal.TASK_CLOSED)
        is_head = access.has_role(actor, Role.AGENCY_HEAD, task.agency)
        if assignee is not None and not access.has_role(assignee, Role.AGENCY_CLERK, task.agency):
            raise ValidationError({"assignee": _("Tasks go to clerks of the task's agency.")})
        if not is_head:
            if assignee is None or assignee.pk != getattr(actor, "pk", None):
                raise Forbidden(_("Only the agency head assigns tasks to others."))
            if task.assignee_id and task.assignee_id != actor.pk:
                raise Refused(_("Another clerk has already taken this task."), CaseRefusal.TAKEN)
        previous = task.assignee
        task.assignee = assignee
        task.save(update_fields=["assignee"])
        self_claim = assignee is not None and assignee.pk == getattr(actor, "pk", None)
        _event(
            application,
            EventKind.CLAIMED if self_claim else EventKind.ASSIGNED,
            actor=actor,
            now=now,
            task=task,
            public=False,
            data={"assignee": assignee.get_username() if assignee else None},
        )
        audit_record(
            actor=actor,
            action="task_claim" if self_claim else "task_assign",
            obj=task,
            data={
                "from": previous.get_username() if previous else None,
                "to": assignee.get_username() if assignee else None,
            },
        )
        if assignee is not None and not self_claim:
            _notify_staff([assignee], "task_assigned", {"number": application.number}, task)
    return task


def result_attach(*, actor, task: Task, upload, now: dt.datetime | None = None) -> Result:
    """A clerk uploads the result document (a PDF) before the final approval; it replaces an earlier one."""
    now = now or timezone.now()
    checked = check_upload(upload, allowed=("application/pdf",))
    with transaction.atomic():
        task, application = _lock(task)
        if not application.is_open or task.status != TaskStatus.OPEN:
            raise Refused(_("A result is attached while the task is open."), CaseRefusal.TASK_CLOSED)
        access.require_role(actor, Role.AGENCY_CLERK, task.agency, AGENCY_STAFF_ONLY)
        issues = any(t.to_step_id is None and t.outcome == Outcome.ISSUED for t in task.step.outgoing.all())
        if not issues:
            raise Refused(_("The result is attached at the step that issues it."), CaseRefusal.NOT_FINAL_STEP)
        document = _store(application, checked, purpose=DocumentPurpose.RESULT, actor=actor, now=now, task=task)
        previous = Result.objects.filter(application=application).select_related("document").first()
        if previous is not None:
            _discard_result(previous)
        result = Result.objects.create(
            application=application,
            code=_verification_code(),
            outcome=Outcome.ISSUED,
            agency=task.agency,
            document=document,
            generated=False,
            issued_at=now,
            issued_by=actor_user(actor),
        )
        _event(
            application,
            EventKind.RESULT_ATTACHED,
            actor=actor,
            now=now,
            task=task,
            public=False,
            data={"sha256": checked.sha256},
        )
        audit_record(actor=actor, action="result_attach", obj=application, data={"sha256": checked.sha256})
    return result


# --- Front office: payment, handover --------------------------------------------------------------


def application_record_payment(
    *,
    actor,
    application: Application,
    payment_reference: str = "",
    waiver_reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    reference, reason = (payment_reference or "").strip(), (waiver_reason or "").strip()
    if bool(reference) == bool(reason):
        raise ValidationError({"fee": [_("Record the payment reference of the fee, or the reason it is waived.")]})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.fee_status != FeeStatus.DUE:
            raise Refused(_("No fee is due on this application."), CaseRefusal.NO_FEE_DUE)
        application.fee_status = FeeStatus.PAID if reference else FeeStatus.WAIVED
        application.payment_reference = reference[:64]
        application.fee_waiver_reason = reason[:255]
        application.save(update_fields=["fee_status", "payment_reference", "fee_waiver_reason"])
        _event(application, EventKind.PAYMENT, actor=actor, now=now, data={"fee_status": application.fee_status})
        audit_record(
            actor=actor,
            action="application_record_payment",
            obj=application,
            data={"fee_status": application.fee_status, "amount": application.fee_amount},
        )
    return application


def identity_matches(application: Application, identifier: str) -> bool:
    typed = "".join(str(identifier or "").split()).upper()
    person = application.applicant
    known = [v for v in (person.pinfl, person.passport, person.stir) if v]
    return bool(typed) and any(constant_time_compare(typed, v.upper()) for v in known)


def application_handover(
    *, actor, application: Application, identifier: str, now: dt.datetime | None = None
) -> Application:
    """Give the result to the applicant, whose identity document number the operator has checked."""
    now = now or timezone.now()
    access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("applicant").get(pk=application.pk)
        if application.status != ApplicationStatus.READY:
            raise Refused(_("The result is not ready to be handed over."), CaseRefusal.NOT_READY)
        if application.fee_status == FeeStatus.DUE:
            raise Refused(_("The fee is still to be paid."), CaseRefusal.FEE_DUE)
        if not identity_matches(application, identifier):
            raise ValidationError(
                {"identifier": [_("The document number does not match the applicant's. Check the identity document.")]}
            )
        application.status = ApplicationStatus.CLOSED
        application.closed_at = now
        application.handed_over_by = actor
        application.save(update_fields=["status", "closed_at", "handed_over_by"])
        _event(application, EventKind.HANDED_OVER, actor=actor, now=now)
        audit_record(actor=actor, action="application_handover", obj=application, data={"identity_checked": True})
        token = rating_token(application)
        link = pdf.public_url(_citizen_path(application, "cases:rate", token))
        _notify_applicant(application, "rating_request", {"link": link})
    return application


# --- Ratings ----------------------------------------------------------------------------------------

_RATING_SALT = "darcha.cases.rating"


def rating_token(application: Application) -> str:
    return signing.TimestampSigner(salt=_RATING_SALT).sign(application.number)


def rating_application(token: str) -> Application | None:
    """The application a rating link is for, or None for a forged or expired link."""
    try:
        number = signing.TimestampSigner(salt=_RATING_SALT).unsign(
            token, max_age=dt.timedelta(days=settings.CASES_RATING_DAYS)
        )
    except signing.BadSignature:
        return None
    return Application.objects.filter(number=number, status=ApplicationStatus.CLOSED).first()


def rating_submit(*, actor=CITIZEN, application: Application, score, comment: str = "", now=None) -> Rating:
    now = now or timezone.now()
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("Choose from 1 to 5 stars.")]})
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.CLOSED:
            raise Refused(_("A service is rated after the result is handed over."), CaseRefusal.NOT_CLOSED)
        if Rating.objects.filter(application=application).exists():
            raise Refused(_("This application has already been rated. Thank you!"), CaseRefusal.ALREADY_RATED)
        result = Result.objects.filter(application=application).first()
        rating = Rating.objects.create(
            application=application,
            score=score,
            comment=comment,
            operator=application.registered_by or application.handed_over_by,
            agency=result.agency if result else application.service.responsible_agency,
            center=application.center,
            created_at=now,
        )
        _event(application, EventKind.RATED, actor=actor, now=now, data={"score": score}, public=True)
        audit_record(actor=actor, action="rating_submit", obj=application, data={"score": score})
    return rating


# --- Telegram ---------------------------------------------------------------------------------------


def telegram_subscribe(*, chat_id: str, application: Application, language: str = "uz", now=None) -> bool:
    """Follow an application from a Telegram chat; False if the chat already follows it."""
    now = now or timezone.now()
    with transaction.atomic():
        _subscription, created = TelegramSubscription.objects.get_or_create(
            application=application, chat_id=str(chat_id), defaults={"language": language, "created_at": now}
        )
        if created:
            audit_record(actor=CITIZEN, action="telegram_subscribe", obj=application, data={"chat": "telegram"})
    return created


def telegram_unsubscribe(*, chat_id: str) -> int:
    """Stop every update to a Telegram chat (the person sent /stop); how many subscriptions ended."""
    with transaction.atomic():
        subscriptions = TelegramSubscription.objects.filter(chat_id=str(chat_id))
        numbers = list(subscriptions.values_list("application__number", flat=True))
        if numbers:
            subscriptions.delete()
            audit_record(actor=CITIZEN, action="telegram_unsubscribe", data={"applications": numbers})
    return len(numbers)


# --- Deadlines ---------------------------------------------------------------------------------------


def _staff(organization_id: int, role: str) -> list[User]:
    return list(organization_staff(organization_id, role))


def tasks_escalate(*, actor=SYSTEM, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn about open tasks due within a day, and escalate overdue ones step by step.

    due within 24 hours → the assignee (or the agency's clerks); overdue → the same; overdue by a
    whole working day → the agency head; by two → the center's manager. Each level is recorded
    once per task (a unique row), so a job run twice tells nobody twice.
    """
    now = now or timezone.now()
    calendar = WorkingCalendar.current()
    counts = dict.fromkeys(EscalationLevel.values, 0)
    candidates = (
        Task.objects.filter(status=TaskStatus.OPEN, due_at__lte=now + dt.timedelta(hours=24))
        .select_related("application__center", "agency", "assignee", "step")
        .prefetch_related("escalations")
        .order_by("due_at")
    )
    for task in candidates:
        done = {e.level for e in task.escalations.all()}
        # Whole working days gone by since the deadline (today, still running, does not count).
        yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
        overdue_days = calendar.count_working_days(timezone.localtime(task.due_at).date(), yesterday)
        levels = [EscalationLevel.DUE_SOON]
        if task.due_at < now:
            levels.append(EscalationLevel.OVERDUE)
        if overdue_days >= 1:
            levels.append(EscalationLevel.HEAD)
        if overdue_days >= 2:
            levels.append(EscalationLevel.MANAGER)
        for level in levels:
            if level in done:
                continue
            if _escalate(task, level, actor=actor, now=now):
                counts[level] += 1
    return counts


def _escalate(task: Task, level: str, *, actor, now) -> bool:
    if level in (EscalationLevel.DUE_SOON, EscalationLevel.OVERDUE):
        people = [task.assignee] if task.assignee_id else _staff(task.agency_id, Role.AGENCY_CLERK)
    elif level == EscalationLevel.HEAD:
        people = _staff(task.agency_id, Role.AGENCY_HEAD)
    else:
        people = _staff(task.application.center_id, Role.CENTER_MANAGER)
    template = "task_due_soon" if level == EscalationLevel.DUE_SOON else "task_overdue"
    context = {
        "number": task.application.number,
        "step": task.step.code,
        "agency": task.agency.short_name or task.agency.code,
        "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d"),
    }
    with transaction.atomic():
        _row, created = Escalation.objects.get_or_create(
            task=task, level=level, defaults={"created_at": now, "notified": [u.get_username() for u in people]}
        )
        if not created:
            return False
        _event(
            task.application, EventKind.ESCALATED, actor=actor, now=now, task=task, public=False, data={"level": level}
        )
        audit_record(actor=actor, action="task_escalate", obj=task, data={"level": level, "notified": len(people)})
        _notify_staff(people, template, context, task)
    return True
