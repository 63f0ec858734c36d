"""Deadline escalation (`darcha scheduler`, `cases.jobs`): reminders before a task is due, then the
clerk, the agency head and the center's manager as it stays overdue.

A notice is written in its recipient's language (the user's preference): the step's and the agency's
names in that language, the due day in that language's own date format — never a step code or an ISO
date. Each recipient hears of a task only at the level that applies: a task already overdue is
reported overdue, not "due soon" as well."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import lazy

from darcha.core.audit import SYSTEM, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role

from ..choices import EscalationLevel, EventKind, TaskStatus
from ..models import Escalation, Task
from ._common import notify_staff, record_event, staff_of


def tasks_escalate(*, actor=SYSTEM, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn about open tasks due within a day, and escalate overdue ones step by step.

    due within 24 hours (and not yet past) → the assignee (or the agency's clerks); overdue → the
    same; overdue by a whole working day → the agency head; by two → the center's manager. Each level
    is recorded once per task (a unique row), so a job run twice tells nobody twice; a task first seen
    already overdue skips the "due soon" reminder, which no longer applies.
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
        levels = escalation_levels(overdue=task.due_at < now, overdue_days=overdue_days)
        for level in levels:
            if level in done:
                continue
            if _escalate(task, level, actor=actor, now=now):
                counts[level] += 1
    return counts


def escalation_levels(*, overdue: bool, overdue_days: int) -> list[str]:
    """The levels that apply to an open task within a day of its term or past it: "due soon" while it is
    not yet past; then overdue (the clerk), a whole working day late (the head), two (the manager)."""
    if not overdue:
        return [EscalationLevel.DUE_SOON]
    levels = [EscalationLevel.OVERDUE]
    if overdue_days >= 1:
        levels.append(EscalationLevel.HEAD)
    if overdue_days >= 2:
        levels.append(EscalationLevel.MANAGER)
    return levels


# A value of a notice written when the message is: notify renders each message's context in the
# message's language (translation.override), so every recipient reads it in their own.
_in_message_language = lazy(lambda text: text(), str)


def notice_context(task: Task) -> dict:
    """What a deadline notice says of the task, each in the recipient's language: the application's
    number, the step's name, the agency's name, and the due day in the language's date format."""
    step, agency = task.step, task.agency
    due = timezone.localtime(task.due_at).date()
    return {
        "number": task.application.number,
        "step": _in_message_language(lambda: str(step.name)),
        "agency": _in_message_language(lambda: str(agency.name)),
        "due": _in_message_language(lambda: formats.date_format(due, "DATE_FORMAT")),
    }


def _escalate(task: Task, level: str, *, actor, now) -> bool:
    if level in (EscalationLevel.DUE_SOON, EscalationLevel.OVERDUE):
        people = [task.assignee] if task.assignee_id else staff_of(task.agency_id, Role.AGENCY_CLERK)
    elif level == EscalationLevel.HEAD:
        people = staff_of(task.agency_id, Role.AGENCY_HEAD)
    else:
        people = staff_of(task.application.center_id, Role.CENTER_MANAGER)
    template = "task_due_soon" if level == EscalationLevel.DUE_SOON else "task_overdue"
    context = notice_context(task)
    with transaction.atomic():
        _row, created = Escalation.objects.get_or_create(
            task=task, level=level, defaults={"created_at": now, "notified": [u.get_username() for u in people]}
        )
        if not created:
            return False
        record_event(
            task.application, EventKind.ESCALATED, actor=actor, now=now, task=task, public=False, data={"level": level}
        )
        audit_record(actor=actor, action="task_escalate", obj=task, data={"level": level, "notified": len(people)})
        notify_staff(people, template, context, task)
    return True
