"""The one interpreter that runs every procedure version, and the clerks' work on tasks.

Submitting follows the version's transitions that start from nothing: each opens a Task at its
step's agency (several: parallel work). A clerk's action on a task follows the transitions leaving
the task's step on that action; a transition to a join step opens it only once no task of a step
leading into the join is still active; a transition to the end closes the application with its
outcome and produces the result. Deadlines are computed once, from the working-day calendar, and
stored; while the application waits for the citizen its clock (and the waiting task's) is stopped,
and every whole working day the pause covered moves the deadlines on by one.

Two actions are the interpreter's own: "request documents" keeps the work at the same step (the
task waits for the citizen whatever the transition's target), and "return" sends it back to a step
the application has already passed (every step after one that is done offers it).

Who may act: the roles the actor holds at the task's agency (`core.access.roles_at`: an agency head
may do what its clerks may, a superuser anything) that the transition allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from darcha.catalog.choices import Action, Effect, Outcome
from darcha.catalog.models import Step, StepField, Transition
from darcha.core import access, pdf
from darcha.core.audit import actor_user, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.links import absolute_url
from darcha.core.models import User
from darcha.core.uploads import CheckedFile, check_upload

from ..choices import ACTIVE_TASK_STATUSES, ApplicationStatus, CaseRefusal, DocumentPurpose, EventKind, TaskStatus
from ..models import Application, Result, Task
from ..output import clean_output, sections
from ..selectors import issues_result, output_tasks, step_output_fields, steps_done_before
from ._common import (
    citizen_path,
    clock_pause,
    new_verification_code,
    notify_applicant,
    notify_staff,
    record_event,
    store_document,
)

RETURN = "return"  # built in: every step after the first may send the work back to a step already done
COMMENT_REQUIRED = {Action.REJECT, Action.REQUEST_DOCUMENTS, Action.RETURN, RETURN}
AGENCY_STAFF_ONLY = _lazy("Only the agency's staff may act on its tasks.")


def roles_allowed(task: Task, transitions: Iterable[Transition]) -> set[str]:
    """The roles these transitions are for (a transition naming none: the role of the task's step)."""
    roles: set[str] = set()
    for t in transitions:
        roles |= set(t.roles or [task.step.role])
    return roles or {task.step.role}


def _open_task(application, step: Step, *, actor, now, calendar) -> Task:
    task = Task.objects.create(
        application=application,
        step=step,
        agency=step.agency,
        opened_at=now,
        due_at=calendar.deadline(now, step.term_days),
    )
    record_event(application, EventKind.TASK_OPENED, actor=actor, now=now, task=task, data={"step": step.code})
    return task


def open_first_tasks(application, *, actor, now, calendar) -> list[Task]:
    """Start the procedure: a task for each transition of the application's version that starts from
    nothing (inside the submitting service's transaction)."""
    starts = application.version.transitions.filter(from_step__isnull=True).select_related("to_step__agency")
    return [_open_task(application, t.to_step, actor=actor, now=now, calendar=calendar) for t in starts]


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
    # The step's output fields, when this action completes the step with its output (approve, forward).
    fields: tuple[StepField, ...] = ()


def _transitions_by_action(step: Step) -> dict[str, list[Transition]]:
    grouped: dict[str, list[Transition]] = {}
    for t in step.outgoing.all():
        grouped.setdefault(t.action, []).append(t)
    return grouped


def fills_output(action: str, transitions: Iterable[Transition]) -> bool:
    """Whether taking the action completes the step with its output: anything but a refusal, a request
    for documents or a return (their reason is the comment)."""
    return action not in COMMENT_REQUIRED and not any(t.outcome == Outcome.REFUSED for t in transitions)


def task_actions(*, user, task: Task) -> list[AvailableAction]:
    """The actions this user may take on this task now (empty if none)."""
    if task.status != TaskStatus.OPEN or not task.application.is_open:
        return []
    roles = access.roles_at(user, task.agency)
    if not roles:
        return []
    available = []
    fields: tuple[StepField, ...] | None = None
    for action, transitions in _transitions_by_action(task.step).items():
        if not roles & roles_allowed(task, transitions):
            continue
        ends = next((t.outcome for t in transitions if t.to_step_id is None), "")
        if fills_output(action, transitions) and fields is None:
            fields = tuple(step_output_fields(task.step))
        available.append(
            AvailableAction(
                action,
                str(Action(action).label),
                action in COMMENT_REQUIRED,
                ends=ends,
                fields=fields if fills_output(action, transitions) else (),
            )
        )
    if task.step.role in roles:
        targets = tuple(steps_done_before(task))
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
    fields: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Task:
    """Take an action on a task, as the procedure version allows it for the actor's role. `fields`: the
    step's output ({field code: value}), checked and stored when the action completes the step."""
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
        output = clean_output(allowed[action].fields, fields or {})
        task.output = output
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
            data={
                "application": application.number,
                "step": task.step.code,
                "comment": bool(comment),
                **({"output": output} if output else {}),
            },
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
    record_event(
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
        notify_applicant(application, "application_progress", {"status": _citizen_status(application)})


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
    record_event(
        application,
        EventKind.READY,
        actor=actor,
        now=now,
        task=task,
        data={"outcome": transition.outcome, "result": result.code},
    )
    template = "application_ready" if transition.outcome == Outcome.ISSUED else "application_refused"
    notify_applicant(application, template, {"center": application.center, "reason": comment})


def _issue_result(application, task, *, outcome, reason, actor, now) -> Result:
    """The result document with its verification page: a clerk's upload, else generated from the template."""
    existing = Result.objects.filter(application=application).select_related("document").first()
    uploaded = existing if existing is not None and not existing.generated and outcome == Outcome.ISSUED else None
    code = uploaded.code if uploaded else new_verification_code()
    with translation.override(application.language):
        output = sections(output_tasks(application.pk), application.language) if outcome == Outcome.ISSUED else []
    clerk = actor_user(actor)
    context = {
        "application": application,
        "service": application.service,
        "agency": task.agency,
        "outcome": outcome,
        "reason": reason,
        "code": code,
        "issued_at": now,
        "output": output,
        "issued_by": (clerk.get_full_name() or clerk.get_username()) if clerk else "",
        "qr": pdf.qr(citizen_path(application, "cases:verify", code)),
        "verify_url": absolute_url(citizen_path(application, "cases:verify", code)),
    }
    if uploaded is not None:
        try:
            with uploaded.document.file.open("rb") as stored:
                original = stored.read()
            content = pdf.append_pages(
                original, pdf.render_pdf("cases/pdf/verification.html", context, language=application.language)
            )
        except (OSError, pdf.Unreadable):
            # Checked at upload; a file damaged or lost since is refused here, not a crash.
            raise Refused(
                _("The attached result cannot be read. Attach the result PDF again, then approve."),
                CaseRefusal.RESULT_UNREADABLE,
            ) from None
    else:
        content = pdf.render_pdf("cases/pdf/result.html", context, language=application.language)
    name = f"{application.number}.pdf"
    checked = CheckedFile(ContentFile(content, name=name), "application/pdf", len(content), pdf.sha256(content), name)
    with translation.override(application.language):
        title = (
            str(application.service.result or application.service.name)
            if outcome == Outcome.ISSUED
            else _("Refusal letter")
        )
    document = store_document(
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
        clock_pause(task, now)
        clock_pause(application, now)
    task.save()
    application.status = ApplicationStatus.WAITING_CITIZEN
    application.save(update_fields=["status", "paused_at"])
    record_event(
        application,
        EventKind.DOCUMENTS_REQUESTED,
        actor=actor,
        now=now,
        task=task,
        action=Action.REQUEST_DOCUMENTS,
        comment=comment,
        data={"step": task.step.code, "clock_stopped": stops},
    )
    notify_applicant(application, "documents_requested", {"requested": comment, "center": application.center})


def _return(application, task, *, actor, target, comment, now, calendar, allowed) -> None:
    if target is None or target.pk not in {s.pk for s in allowed}:
        raise ValidationError({"target_step": _("Choose a step the application has already passed.")})
    _finish(task, actor=actor, action=RETURN, comment=comment, now=now)
    record_event(
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
        record_event(
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
            notify_staff([assignee], "task_assigned", {"number": application.number}, task)
    return task


def result_attach(*, actor, task: Task, upload, now: dt.datetime | None = None) -> Result:
    """A clerk uploads the result document (a PDF) before the final approval; it replaces an earlier one."""
    now = now or timezone.now()
    checked = check_upload(upload, allowed=("application/pdf",), result=True)
    with transaction.atomic():
        task, application = _lock(task)
        if not application.is_open or task.status != TaskStatus.OPEN:
            raise Refused(_("A result is attached while the task is open."), CaseRefusal.TASK_CLOSED)
        access.require_role(actor, Role.AGENCY_CLERK, task.agency, AGENCY_STAFF_ONLY)
        if not issues_result(task.step):
            raise Refused(_("The result is attached at the step that issues it."), CaseRefusal.NOT_FINAL_STEP)
        document = store_document(application, checked, purpose=DocumentPurpose.RESULT, actor=actor, now=now, task=task)
        previous = Result.objects.filter(application=application).select_related("document").first()
        if previous is not None:
            _discard_result(previous)
        result = Result.objects.create(
            application=application,
            code=new_verification_code(),
            outcome=Outcome.ISSUED,
            agency=task.agency,
            document=document,
            generated=False,
            issued_at=now,
            issued_by=actor_user(actor),
        )
        record_event(
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
