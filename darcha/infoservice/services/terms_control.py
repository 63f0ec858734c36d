"""Keeping the terms: extensions (with their reason and the author's written notice), the proposal's study
notice, reminders to executors before the term, and escalation to the head when it has passed.

The clock never stops silently: a term moves only by an `Extension` (its reason, the old and new terms, the
notice to the author), with its event and audit entry.
- Extra study (`ExtensionKind.STUDY`): the officer or the main executor, with the reason, to at most a
  month from registration.
- The head's extension (`ExtensionKind.HEAD`): the hokim or a deputy, once and exceptionally, at most one
  more month after the term in force.
Both are for appeals: the openness law's requests for information keep their 15 and 7 days.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SYSTEM, actor_user, audit_record
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused

from .. import terms
from ..choices import AppealRefusal, AppealStatus, AppealType, EventKind, ExtensionKind, RequestKind
from ..models import Appeal, Assignment, Event, Extension
from ._common import calendar, record_event
from ._work import clean_text, day_text, is_main_executor, locked, notice_to_author, notify_staff, require_open, staff

OPEN = (AppealStatus.REGISTERED, AppealStatus.IN_WORK, AppealStatus.ON_APPROVAL)


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _extension_limit(appeal: Appeal, kind: str, current: dt.date, cal) -> dt.date:
    if kind == ExtensionKind.STUDY:
        return terms.study_due(terms.local_day(appeal.registered_at), cal)
    return terms.head_extension_due(current, cal)


def appeal_extend(
    *,
    actor,
    appeal: Appeal,
    kind: str,
    reason: str,
    until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Extension:
    """Lengthen the appeal's term (to `until`, by default as far as the law allows), with the reason, the
    author told in writing. Beyond the law's limit is refused (EXTENSION_LIMIT), as is a second extension
    of its kind (SECOND_EXTENSION)."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        if kind not in ExtensionKind.values:
            raise ValidationError({"kind": _("Choose how the term is extended.")})
        if kind == ExtensionKind.HEAD:
            access.require_role(
                actor, Role.HOKIM, appeal.organization, _("Only the hokim or a deputy may extend the term once more.")
            )
        elif not (access.has_role(actor, Role.APPEALS_OFFICER, appeal.organization) or is_main_executor(actor, appeal)):
            raise Forbidden(_("Only the appeals officer or the main executor may extend the term for study."))
        require_open(appeal, OPEN)
        if appeal.kind != RequestKind.APPEAL:
            raise Refused(_("The term of a request for information is not extended."), AppealRefusal.STATE)
        reason = clean_text(reason, "reason", _("Give the reason for the extension."))
        if kind == ExtensionKind.HEAD and appeal.head_extended:
            raise Refused(_("The head has already extended this term once."), AppealRefusal.SECOND_EXTENSION)
        if kind == ExtensionKind.STUDY and appeal.extended:
            raise Refused(_("The term has already been extended for study."), AppealRefusal.SECOND_EXTENSION)
        cal = calendar()
        current = terms.local_day(appeal.due_at)
        limit = _extension_limit(appeal, kind, current, cal)
        if kind == ExtensionKind.STUDY and appeal.head_extended:
            limit = current  # the head's month already runs past what study may reach
        new_day = until or limit
        if new_day <= current:
            if until is not None and limit > current:
                raise ValidationError({"until": _("The new term must be after the present one.")})
            raise Refused(
                _("The term is already as long as the law allows for this extension (%(day)s).")
                % {"day": _date(limit)},
                AppealRefusal.EXTENSION_LIMIT,
            )
        if new_day > limit:
            raise Refused(
                _("The law allows this extension until %(day)s at most.") % {"day": _date(limit)},
                AppealRefusal.EXTENSION_LIMIT,
            )
        old_due = appeal.due_at
        appeal.due_at = terms.due_moment(new_day)
        if kind == ExtensionKind.STUDY:
            appeal.extended = True
        else:
            appeal.head_extended = True
        appeal.save(update_fields=["due_at", "extended", "head_extended"])
        # Assignments due by the appeal's term follow it; an earlier term (a resolution's, a co-executor's) stays.
        Assignment.objects.filter(appeal=appeal, done_at__isnull=True, due_at=old_due).update(due_at=appeal.due_at)
        notice = notice_to_author(appeal, "appeal_extended", {"due": day_text(new_day), "reason": reason})
        extension = Extension.objects.create(
            appeal=appeal,
            kind=kind,
            reason=reason,
            old_due_at=old_due,
            new_due_at=appeal.due_at,
            by=actor_user(actor),
            created_at=now,
            notice=notice,
        )
        data = {
            "extension": extension.pk,
            "kind": kind,
            "old_due": old_due.isoformat(),
            "new_due": appeal.due_at.isoformat(),
            "notified": notice is not None,
        }
        record_event(appeal, EventKind.EXTENDED, actor=actor, now=now, comment=reason, data=data)
        audit_record(actor=actor, action="appeal_extend", obj=appeal, data=data)
    return extension


def appeal_study_notice(*, actor, appeal: Appeal, reason: str, now: dt.datetime | None = None) -> Event:
    """A proposal needs more study: the author is told in writing, within 10 days of registration, once."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        if not (access.has_role(actor, Role.APPEALS_OFFICER, appeal.organization) or is_main_executor(actor, appeal)):
            raise Forbidden(_("Only the appeals officer or the main executor may tell the author."))
        require_open(appeal, OPEN)
        if appeal.type != AppealType.PROPOSAL or appeal.kind != RequestKind.APPEAL:
            raise Refused(_("A study notice is for proposals."), AppealRefusal.STATE)
        reason = clean_text(reason, "reason", _("Say what needs more study."))
        if Event.objects.filter(appeal=appeal, kind=EventKind.STUDY_NOTICE).exists():
            raise Refused(_("The author has already been told."), AppealRefusal.STATE)
        until = terms.study_notice_due(terms.local_day(appeal.registered_at), calendar())
        if terms.local_day(now) > until:
            raise Refused(
                _("The author is told within 10 days of registration, by %(day)s.") % {"day": _date(until)},
                AppealRefusal.STUDY_NOTICE_LATE,
            )
        notice = notice_to_author(appeal, "appeal_study_notice", {"due": day_text(appeal.due_at), "reason": reason})
        data = {"notice": notice.pk if notice else None, "notified": notice is not None}
        event = record_event(appeal, EventKind.STUDY_NOTICE, actor=actor, now=now, comment=reason, data=data)
        audit_record(actor=actor, action="appeal_study_notice", obj=appeal, data=data)
    return event


# --- the scheduler's jobs (jobs.py) ---------------------------------------------------------------


def remind_days() -> int:
    """How many working days before its term an executor is reminded (APPEALS_REMIND_DAYS, default 2)."""
    return max(0, int(getattr(settings, "APPEALS_REMIND_DAYS", 2)))


def appeals_remind_due(*, now: dt.datetime | None = None) -> int:
    """Remind the executors of open assignments due within APPEALS_REMIND_DAYS working days (and not yet
    past): once per assignment and term, so a term extended is reminded of again. Returns how many."""
    now = now or timezone.now()
    cal = calendar()
    today = terms.local_day(now)
    horizon = today
    for _step in range(remind_days()):
        horizon = cal.next_working_day(horizon)
    candidates = (
        Assignment.objects.filter(
            done_at__isnull=True,
            due_at__gte=now,
            due_at__lte=terms.due_moment(horizon),
            appeal__status__in=OPEN,
        )
        .select_related("appeal", "executor", "official")
        .order_by("due_at", "id")
    )
    reminded = 0
    for assignment in candidates:
        key = {"assignment": assignment.pk, "due": assignment.due_at.isoformat()}
        with transaction.atomic():
            appeal = locked(assignment.appeal)
            if not appeal.is_open:
                continue
            if Event.objects.filter(
                appeal=appeal, kind=EventKind.REMINDED, data__assignment=key["assignment"], data__due=key["due"]
            ).exists():
                continue
            people = (
                [assignment.official]
                if assignment.official_id
                else staff(assignment.executor_id, Role.APPEALS_EXECUTOR)
            )
            told = notify_staff(
                people,
                "appeal_due_soon",
                {"number": appeal.number, "due": day_text(assignment.due_at)},
                appeal,
            )
            record_event(appeal, EventKind.REMINDED, actor=SYSTEM, now=now, public=False, data={**key, "told": told})
            audit_record(actor=SYSTEM, action="appeal_remind", obj=appeal, data={**key, "told": len(told)})
            reminded += 1
    return reminded


def appeals_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the head of every open appeal past its term, once per appeal (an OVERDUE event). Returns how many."""
    now = now or timezone.now()
    escalated = Event.objects.filter(appeal=OuterRef("pk"), kind=EventKind.OVERDUE)
    candidates = (
        Appeal.objects.filter(status__in=OPEN, due_at__lt=now)
        .exclude(Exists(escalated))
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    count = 0
    for pk in list(candidates):
        with transaction.atomic():
            appeal = (
                Appeal.objects.select_for_update(of=("self",)).select_related("organization", "executor").get(pk=pk)
            )
            if not appeal.is_open or appeal.due_at >= now:
                continue
            if Event.objects.filter(appeal=appeal, kind=EventKind.OVERDUE).exists():
                continue
            told = notify_staff(
                staff(appeal.organization_id, Role.HOKIM),
                "appeal_overdue",
                {
                    "number": appeal.number,
                    "due": day_text(appeal.due_at),
                    "executor": appeal.executor if appeal.executor_id else "—",
                },
                appeal,
            )
            data = {"due": appeal.due_at.isoformat(), "told": told}
            record_event(appeal, EventKind.OVERDUE, actor=SYSTEM, now=now, public=False, data=data)
            audit_record(actor=SYSTEM, action="appeal_escalate", obj=appeal, data={"told": len(told)})
            count += 1
    return count
