"""Routing an appeal (the appeals officer, the hokim): assigning the executors, the hokim's resolution,
forwarding to the competent body, returning to the author.

Executors are organizations an appeals executor may work at (the hokimiyat itself, its departments and
the agencies: `Role.APPEALS_EXECUTOR`'s kinds) in the hokimiyat's city or district
(`core.access.jurisdiction`); an agency elsewhere (a regional administration) may be assigned too.

The law gives 5 days to forward an appeal outside the hokimiyat's competence or to return one whose data
is insufficient. A forward or a return after them is allowed, not refused — the competent body must still
get the appeal, and the author their reasons — and its lateness is kept (`Forward.late`, the event's
`late`), so control sees the breach. A forward always records its ground (sending appeals down without
grounds is sanctioned since March 2026) and never goes to the body complained about.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SYSTEM, actor_user, audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Refused
from darcha.core.models import Organization, User

from .. import terms
from ..choices import AppealRefusal, AppealStatus, AssignmentRole, EventKind, Outcome
from ..models import Appeal, Assignment, Attachment, Forward, Resolution
from ._common import calendar, notify_author, record_event
from ._work import (
    clean_text,
    day_text,
    locked,
    notify_staff,
    register_following,
    require_head,
    require_officer,
    require_open,
    staff,
)
from .answers import issue_letter

EXECUTOR_KINDS = (OrganizationKind.HOKIMIYAT, OrganizationKind.AGENCY)
ROUTABLE = (AppealStatus.REGISTERED, AppealStatus.IN_WORK)


def may_execute(hokimiyat: Organization, organization: Organization) -> bool:
    """May the hokimiyat give its appeals to this organization: one of the executors' kinds, in its city
    or district, or an agency anywhere."""
    if organization.kind not in EXECUTOR_KINDS or not organization.is_active:
        return False
    if organization.kind == OrganizationKind.AGENCY:
        return True
    return organization.path.startswith(access.jurisdiction(hokimiyat).path)


def _clean_executor(appeal: Appeal, organization, field: str) -> Organization:
    if not isinstance(organization, Organization) or not may_execute(appeal.organization, organization):
        raise ValidationError({field: _("Choose a department of the hokimiyat, the hokimiyat itself, or an agency.")})
    if organization.pk == appeal.complained_body_id:
        # The body whose decision is complained about never answers the complaint (as it is never forwarded there).
        raise ValidationError({field: _("This body is the one the complaint is about: choose another executor.")})
    return organization


def _executor_staff(organization: Organization, official: User | None) -> list[User]:
    return [official] if official is not None else staff(organization.pk, Role.APPEALS_EXECUTOR)


def _assign_notice(appeal: Appeal, users, due_at) -> None:
    notify_staff(users, "appeal_assigned", {"number": appeal.number, "due": day_text(due_at)}, appeal)


def appeal_assign(
    *,
    actor,
    appeal: Appeal,
    executor: Organization,
    official: User | None = None,
    co_executors=(),
    suggested: bool = False,
    confidence: float | None = None,
    co_due_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Appeal:
    """The officer gives the appeal to its main executor (an official there, if named) and co-executors,
    each an Assignment due by the appeal's term (co-executors by `co_due_at`, not later, when given).
    Assigning again replaces the executors: the earlier open assignments end."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_officer(actor, appeal)
        require_open(appeal, ROUTABLE)
        executor = _clean_executor(appeal, executor, "executor")
        co = []
        for organization in co_executors:
            organization = _clean_executor(appeal, organization, "co_executors")
            if organization.pk != executor.pk and organization.pk not in {o.pk for o in co}:
                co.append(organization)
        if official is not None and not access.has_role(official, Role.APPEALS_EXECUTOR, executor):
            raise ValidationError({"official": _("This official is not an appeals executor there.")})
        if co_due_at is not None and (co_due_at > appeal.due_at or co_due_at < now):
            raise ValidationError({"co_due_at": _("Give co-executors a term between now and the appeal's term.")})
        if confidence is not None and not 0 <= confidence <= 1:
            raise ValidationError({"confidence": _("A confidence is between 0 and 1.")})
        ended = Assignment.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)
        by = actor_user(actor)
        Assignment.objects.create(
            appeal=appeal,
            executor=executor,
            official=official,
            role=AssignmentRole.MAIN,
            due_at=appeal.due_at,
            assigned_by=by,
            created_at=now,
            suggested=suggested,
            confidence=confidence,
        )
        for organization in co:
            Assignment.objects.create(
                appeal=appeal,
                executor=organization,
                role=AssignmentRole.CO,
                due_at=co_due_at or appeal.due_at,
                assigned_by=by,
                created_at=now,
            )
        appeal.executor = executor
        appeal.status = AppealStatus.IN_WORK
        appeal.save(update_fields=["executor", "status"])
        data = {
            "executor": executor.pk,
            "official": official.pk if official else None,
            "co_executors": [o.pk for o in co],
            "suggested": bool(suggested),
            "confidence": confidence,
            "reassigned": bool(ended),
        }
        record_event(appeal, EventKind.ASSIGNED, actor=actor, now=now, data=data)
        audit_record(actor=actor, action="appeal_assign", obj=appeal, data=data)
        _assign_notice(appeal, _executor_staff(executor, official), appeal.due_at)
        for organization in co:
            _assign_notice(appeal, staff(organization.pk, Role.APPEALS_EXECUTOR), co_due_at or appeal.due_at)
    return appeal


def appeal_resolution(
    *, actor, appeal: Appeal, text: str, due_at: dt.datetime, executors=(), now: dt.datetime | None = None
) -> Resolution:
    """The hokim's (or a deputy's) instruction to executors with a term no later than the appeal's. Each
    executor named answers by that term: an open assignment of theirs takes it, others are assigned (the
    first as the main executor when the appeal has none, the rest as co-executors)."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_head(actor, appeal)
        require_open(appeal, ROUTABLE)
        text = clean_text(text, "text", _("Write the instruction."))
        if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
            raise ValidationError({"due_at": _("Give the term of the resolution.")})
        if due_at > appeal.due_at:
            raise ValidationError(
                {
                    "due_at": _("The term may not be later than the appeal's own, %(due)s.")
                    % {"due": _day(appeal.due_at)}
                }
            )
        if due_at < now:
            raise ValidationError({"due_at": _("The term has already passed.")})
        organizations = []
        for organization in executors:
            organization = _clean_executor(appeal, organization, "executors")
            if organization.pk not in {o.pk for o in organizations}:
                organizations.append(organization)
        resolution = Resolution.objects.create(
            appeal=appeal, author=actor_user(actor), text=text, due_at=due_at, created_at=now
        )
        open_assignments = {a.executor_id: a for a in Assignment.objects.filter(appeal=appeal, done_at__isnull=True)}
        for organization in organizations:
            assignment = open_assignments.get(organization.pk)
            if assignment is not None:
                assignment.due_at = due_at
                assignment.save(update_fields=["due_at"])
                continue
            main = appeal.executor_id is None
            Assignment.objects.create(
                appeal=appeal,
                executor=organization,
                role=AssignmentRole.MAIN if main else AssignmentRole.CO,
                due_at=due_at,
                assigned_by=actor_user(actor),
                created_at=now,
            )
            if main:
                appeal.executor = organization
                appeal.status = AppealStatus.IN_WORK
                appeal.save(update_fields=["executor", "status"])
        data = {"resolution": resolution.pk, "due": due_at.isoformat(), "executors": [o.pk for o in organizations]}
        record_event(appeal, EventKind.RESOLUTION, actor=actor, now=now, comment=text, public=False, data=data)
        audit_record(actor=actor, action="appeal_resolution", obj=appeal, data=data)
        for organization in organizations:
            notify_staff(
                staff(organization.pk, Role.APPEALS_EXECUTOR),
                "appeal_resolution",
                {"number": appeal.number, "due": day_text(due_at)},
                appeal,
            )
    return resolution


def _day(moment: dt.datetime) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def _lateness(appeal: Appeal, now: dt.datetime) -> int:
    """Days past the law's 5 (forward or return) from the appeal's registration; 0 within them."""
    due = terms.forward_due(terms.local_day(appeal.registered_at), calendar())
    return max(0, (terms.local_day(now) - due).days)


def _close(appeal: Appeal, outcome: str, now: dt.datetime) -> None:
    appeal.status = AppealStatus.CLOSED
    appeal.outcome = outcome
    appeal.closed_at = now
    appeal.save(update_fields=["status", "outcome", "closed_at"])
    Assignment.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)


def _deliver(appeal: Appeal, organization: Organization, now: dt.datetime) -> Appeal | None:
    """A hokimiyat in Darcha receives the forwarded appeal as a new one following it (its own number, term
    and acknowledgement to the author), with the signatories and the files; other bodies get it outside."""
    if organization.kind != OrganizationKind.HOKIMIYAT:
        return None
    signers = [(s.name, s.address, s.phone) for s in appeal.signatories.all()]
    received = register_following(
        appeal,
        actor=SYSTEM,  # the receiving hokimiyat registers what arrives; the sender holds no role there
        organization=organization,
        text=appeal.text,
        type=appeal.type,
        complained_body=appeal.complained_body,
        signatories=signers,
        now=now,
    )
    Attachment.objects.bulk_create(
        Attachment(
            appeal=received,
            file=a.file.name,
            name=a.name,
            content_type=a.content_type,
            size=a.size,
            is_scan=a.is_scan,
            created_at=now,
        )
        for a in appeal.attachments.all()
    )
    return received


def appeal_forward(
    *,
    actor,
    appeal: Appeal,
    ground: str,
    to_organization: Organization | None = None,
    to_name: str = "",
    now: dt.datetime | None = None,
) -> Forward:
    """Outside the hokimiyat's competence: the appeal goes to the competent body (an organization of
    Darcha, or one named), with its ground; the author is told (a letter says where and why); the appeal
    closes as forwarded. A hokimiyat in Darcha registers it as a new appeal following this
    one. Never to the body whose decision is complained about."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_officer(actor, appeal)
        require_open(appeal, ROUTABLE)
        ground = clean_text(ground, "ground", _("Give the ground for forwarding: why the body is competent."))
        to_name = str(to_name or "").strip()
        if to_organization is None and not to_name:
            raise ValidationError({"to_organization": _("Choose the body the appeal goes to.")})
        if to_organization is not None and to_organization.pk == appeal.organization_id:
            raise ValidationError({"to_organization": _("The appeal is already at this hokimiyat.")})
        if to_organization is not None and to_organization.pk == appeal.complained_body_id:
            raise Refused(
                _("The appeal complains about this body's decision: the law forbids forwarding it there."),
                AppealRefusal.FORWARD_TO_COMPLAINED_BODY,
            )
        late = _lateness(appeal, now)
        received = _deliver(appeal, to_organization, now) if to_organization is not None else None
        forward = Forward.objects.create(
            appeal=appeal,
            to_organization=to_organization,
            to_name=to_name if to_organization is None else "",
            ground=ground,
            by=actor_user(actor),
            created_at=now,
            late=bool(late),
        )
        _close(appeal, Outcome.FORWARDED, now)
        issue_letter(appeal, Outcome.FORWARDED, ground, actor=actor, now=now)
        data = {
            "to": to_organization.pk if to_organization else to_name,
            "late": bool(late),
            "days_late": late,
            "registered_as": received.number if received is not None else None,
        }
        record_event(appeal, EventKind.FORWARDED, actor=actor, now=now, comment=ground, data=data)
        audit_record(actor=actor, action="appeal_forward", obj=appeal, data={**data, "ground": ground})
        notify_author(appeal, "appeal_forwarded", {"to": to_organization or to_name, "ground": ground})
    return forward


def appeal_return(*, actor, appeal: Appeal, reasons: str, now: dt.datetime | None = None) -> Appeal:
    """The data is insufficient to consider the appeal: it goes back to the author with the reasons, and
    closes as returned. The letter with the reasons is kept (and posted to an author without a phone or
    e-mail); the author may write again with what was missing."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_officer(actor, appeal)
        require_open(appeal, ROUTABLE)
        reasons = clean_text(reasons, "reasons", _("Say what is missing from the appeal."))
        late = _lateness(appeal, now)
        _close(appeal, Outcome.RETURNED, now)
        issue_letter(appeal, Outcome.RETURNED, reasons, actor=actor, now=now)
        data = {"late": bool(late), "days_late": late}
        record_event(appeal, EventKind.RETURNED, actor=actor, now=now, comment=reasons, data=data)
        audit_record(actor=actor, action="appeal_return", obj=appeal, data=data)
        notify_author(appeal, "appeal_returned", {"reasons": reasons})
    return appeal
