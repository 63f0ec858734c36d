"""The back office: an agency's inbox, a task with its application, the clerk's decisions, and the
list of overdue tasks for those who answer for the deadlines.

    office/<agency>/inbox/                      inbox          ?show=open|mine|overdue|due_today|waiting|done, ?page=
    office/<agency>/tasks/<id>/                 task_detail
    office/<agency>/tasks/<id>/act/             task_act       POST action, comment, target_step, confirm,
                                                               field_<code> (the step's output fields)
    office/<agency>/tasks/<id>/claim/           task_claim     POST (next: where to go back to)
    office/<agency>/tasks/<id>/assign/          task_assign    POST assignee (heads)
    office/<agency>/tasks/<id>/result/          result_upload  POST file (a PDF)
    office/overdue/                             overdue        ?sort=agency|due, ?page=

The agency pages are for the clerks and the head of that agency only (everyone else 403, anonymous
visitors the login page); a task of another agency is not found. Every decision is one call of
darcha.cases.services: done, it redirects back with a notice; refused, the task page comes back with
the reason and the status code keeps its meaning — 400 bad input, 409 not possible now, 403 not
for this user. Lists cost a fixed number of queries, however many tasks there are.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from darcha.catalog.choices import Action, FieldKind, Outcome
from darcha.core import access
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, attempt
from darcha.core.models import Organization

from .. import output, services
from ..choices import TaskStatus
from ..models import Task
from ..selectors import (
    INBOX_FILTERS,
    agency_clerk,
    agency_clerks,
    application_detail,
    application_result,
    inbox,
    inbox_counts,
    issues_result,
    overdue_summary,
    overdue_tasks,
    task_for,
)

PAGE_SIZE = 50
AGENCY_STAFF = access.AGENCY_STAFF
# Who answers for deadlines and so sees the overdue list.
OVERDUE_ROLES = {Role.CENTER_MANAGER, Role.AGENCY_HEAD, Role.LEADERSHIP, Role.ADMINISTRATOR}

# The inbox's tabs, in the order of selectors.INBOX_FILTERS.
TAB_LABELS = {
    "open": gettext_lazy("Open"),
    "mine": gettext_lazy("Mine"),
    "overdue": gettext_lazy("Overdue"),
    "due_today": gettext_lazy("Due today"),
    "waiting": gettext_lazy("Waiting for the applicant"),
    "done": gettext_lazy("Done"),
}

ACTION_LABELS = {**dict(Action.choices), services.RETURN: gettext_lazy("Returned to an earlier step")}
# What the clerk reads after a decision.
DONE_NOTICES = {
    Action.APPROVE: gettext_lazy("Approved. Application %(number)s has moved on."),
    Action.FORWARD: gettext_lazy("Forwarded. Application %(number)s has moved on."),
    Action.REJECT: gettext_lazy("Refused. The applicant will be told the reason."),
    Action.REQUEST_DOCUMENTS: gettext_lazy(
        "The applicant is asked for the documents; the term is stopped until they bring them."
    ),
    services.RETURN: gettext_lazy("Application %(number)s is returned to an earlier step."),
}
ENDED_NOTICES = {
    Outcome.ISSUED: gettext_lazy("Approved. The result of application %(number)s is issued and the applicant is told."),
    Outcome.REFUSED: gettext_lazy("Refused. The refusal letter of application %(number)s is issued."),
}


# --- access -------------------------------------------------------------------------------------
def agency_access(view):
    """Open the agency of the address to its clerks and head only; sets request.agency_roles."""

    @wraps(view)
    def wrapper(request, agency: str, task_id: int | None = None, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            # After signing in, come back to the page the form was on, not to a POST-only address.
            back = (
                reverse("cases:task_detail", args=[agency, task_id])
                if task_id is not None
                else reverse("cases:inbox", args=[agency])
            )
            return redirect_to_login(back)
        agency_obj = get_object_or_404(Organization, code=agency, kind=OrganizationKind.AGENCY)
        message = _("Only the clerks and the head of this agency work with its tasks.")
        access.require_role(request.user, AGENCY_STAFF, agency_obj, message)
        request.agency_roles = access.roles_at(request.user, agency_obj) & AGENCY_STAFF
        if task_id is None:
            return view(request, agency_obj, **kwargs)
        return view(request, agency_obj, _task(request, agency_obj, task_id), **kwargs)

    return wrapper


def _task(request, agency: Organization, task_id: int) -> Task:
    task = task_for(request.user, task_id)
    if task is None or task.agency_id != agency.pk:
        raise Http404(_("No such task at this agency."))
    return task


# --- deadlines as a clerk reads them --------------------------------------------------------------
def mark_due(task: Task, now: dt.datetime, calendar: WorkingCalendar) -> Task:
    """Set task.due_class (overdue, today, paused or "") and task.due_note for the lists."""
    task.due_class, task.due_note = "", ""
    if task.status == TaskStatus.WAITING_CITIZEN:
        task.due_class = "paused"
        task.due_note = _("Clock stopped: waiting for the applicant")
    elif task.status != TaskStatus.OPEN:
        return task
    elif task.due_at < now:
        days = calendar.working_days_between(task.due_at, now)
        task.due_class = "overdue"
        task.due_note = (
            ngettext("Overdue by %(days)d working day", "Overdue by %(days)d working days", days) % {"days": days}
            if days
            else _("Overdue")
        )
    elif timezone.localtime(task.due_at).date() == timezone.localtime(now).date():
        task.due_class = "today"
        task.due_note = _("Due today")
    else:
        days = calendar.working_days_between(now, task.due_at)
        task.due_note = ngettext("%(days)d working day left", "%(days)d working days left", days) % {"days": days}
    return task


# --- the inbox ----------------------------------------------------------------------------------
@never_cache
@require_GET
@agency_access
def inbox_view(request, agency: Organization):
    show = request.GET.get("show", "open")
    if show not in INBOX_FILTERS:
        show = "open"
    now = timezone.now()
    counts = inbox_counts(agency, request.user, now=now)
    page = Paginator(inbox(request.user, agency, show=show, now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = WorkingCalendar.current()
    for task in page.object_list:
        mark_due(task, now, calendar)
    return render(
        request,
        "cases/office/inbox.html",
        {
            "agency": agency,
            "show": show,
            "tabs": [(key, TAB_LABELS.get(key, key), counts.get(key)) for key in INBOX_FILTERS],
            "tab_label": TAB_LABELS.get(show, show),
            "page": page,
            "now": now,
            "is_head": Role.AGENCY_HEAD in request.agency_roles,
        },
    )


# --- one task -----------------------------------------------------------------------------------
def _task_context(request, agency: Organization, task: Task, **extra) -> dict:
    application = application_detail(request.user, task.application.number)
    if application is None:  # the task is the agency's, so the application is visible; kept for safety
        raise Http404(_("No such task at this agency."))
    task.application = application
    now = timezone.now()
    mark_due(task, now, WorkingCalendar.current())
    is_head = Role.AGENCY_HEAD in request.agency_roles
    actions = services.task_actions(user=request.user, task=task)
    can_upload = task.status == TaskStatus.OPEN and application.is_open and issues_result(task.step)
    context = {
        "agency": agency,
        "task": task,
        "application": application,
        "documents": list(application.documents.all()),
        "action_label": ACTION_LABELS.get(task.action, task.action),
        "actions": actions,
        "is_head": is_head,
        "can_claim": task.is_active and not task.assignee_id,
        "clerks": list(agency_clerks(agency)) if is_head and task.is_active else [],
        "can_upload": can_upload,
        "result": application_result(application) if (can_upload or not application.is_open) else None,
        # What this task's completion filled in, as the result prints it.
        "output": output.sections([task], get_language()) if task.status == TaskStatus.DONE else [],
        "upload_limit": settings.CASES_UPLOAD_MAX_BYTES,
        "now": now,
        "error": None,
        "form": {},
        "form_errors": {},
    }
    context.update(extra)
    context["output_inputs"] = _output_inputs(actions, context["form"], context["form_errors"])
    return context


INPUT_TYPES = {FieldKind.DATE: "date"}


def _output_inputs(actions, form: dict, errors: dict) -> list[dict]:
    """The inputs of the step's output fields for the forms of the actions that complete the step, with
    what was typed (and the messages) when a decision came back refused."""
    fields = next((a.fields for a in actions if a.fields), ())
    typed = form.get("fields") or {}
    language = get_language()
    return [
        {
            "field": field,
            "name": output.form_name(field),
            "type": INPUT_TYPES.get(field.kind, "text"),
            "long": field.kind == FieldKind.TEXT,
            "value": typed.get(output.form_name(field), ""),
            "errors": errors.get(output.form_name(field), []),
            "choices": output.choices(field, language) if field.kind == FieldKind.CHOICE else [],
        }
        for field in fields
    ]


@never_cache
@require_GET
@agency_access
def task_detail(request, agency: Organization, task: Task):
    return render(request, "cases/office/task.html", _task_context(request, agency, task))


def _decide(request, agency: Organization, task: Task, run, notice, *, form: dict | None = None, back: str = ""):
    """Run one service call: a redirect with the notice, or the task page again with the refusal."""
    done = attempt(run)
    if done.ok:
        messages.success(request, notice(done.value) if callable(notice) else str(notice))
        response = HttpResponseRedirect(back or reverse("cases:task_detail", args=[agency.code, task.pk]))
        response.status_code = 303  # see the page again, by GET
        return response
    fresh = task_for(request.user, task.pk) or task
    context = _task_context(request, agency, fresh, error=done.message, form=form or {}, form_errors=done.field_errors)
    return render(request, "cases/office/task.html", context, status=done.status)


def _target(value: str, available: services.AvailableAction | None):
    """The step chosen to return to, among those offered; None lets the service say what is wrong."""
    if available is None:
        return None
    return next((step for step in available.targets if str(step.pk) == str(value or "").strip()), None)


@require_POST
@agency_access
def task_act(request, agency: Organization, task: Task):
    action = request.POST.get("action", "").strip()
    comment = request.POST.get("comment", "")
    form = {
        "action": action,
        "comment": comment,
        "target_step": request.POST.get("target_step", ""),
        "confirm": bool(request.POST.get("confirm")),
        # The step's output fields as typed, kept for the page when the decision is refused.
        "fields": {key: value for key, value in request.POST.items() if key.startswith(output.FORM_PREFIX)},
    }

    def run():
        available = {a.action: a for a in services.task_actions(user=request.user, task=task)}
        chosen = available.get(action)
        if chosen is not None and chosen.ends and not form["confirm"]:
            errors = {"confirm": [_("Tick the box to confirm: this decision ends the procedure.")]}
            if chosen.needs_comment and not comment.strip():
                errors["comment"] = [_("Write the reason.")]
            raise ValidationError(errors)
        return services.task_act(
            actor=request.user,
            task=task,
            action=action,
            comment=comment,
            target_step=_target(form["target_step"], chosen),
            fields=output.submitted(chosen.fields, request.POST) if chosen is not None else {},
        )

    def notice(done: Task) -> str:
        number = task.application.number
        outcome = done.application.outcome if not done.application.is_open else ""
        template = ENDED_NOTICES.get(outcome) or DONE_NOTICES.get(action, gettext_lazy("Done."))
        return str(template) % {"number": number}

    return _decide(request, agency, task, run, notice, form=form)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_POST
@agency_access
def task_claim(request, agency: Organization, task: Task):
    return _decide(
        request,
        agency,
        task,
        lambda: services.task_claim(actor=request.user, task=task),
        _("You have taken application %(number)s.") % {"number": task.application.number},
        back=_back(request, ""),
    )


@require_POST
@agency_access
def task_assign(request, agency: Organization, task: Task):
    value = request.POST.get("assignee", "").strip()

    def run():
        assignee = None
        if value:
            assignee = agency_clerk(agency, value)
            if assignee is None:
                raise ValidationError({"assignee": [_("Choose a clerk of this agency from the list.")]})
        return services.task_assign(actor=request.user, task=task, assignee=assignee)

    def notice(done: Task) -> str:
        if done.assignee is None:
            return _("Nobody is assigned to application %(number)s now.") % {"number": task.application.number}
        return _("Application %(number)s is assigned to %(clerk)s.") % {
            "number": task.application.number,
            "clerk": done.assignee.get_full_name() or done.assignee.get_username(),
        }

    return _decide(request, agency, task, run, notice, form={"assignee": value})


@require_POST
@agency_access
def result_upload(request, agency: Organization, task: Task):
    def run():
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Choose the result PDF to upload.")]})
        return services.result_attach(actor=request.user, task=task, upload=upload)

    return _decide(
        request,
        agency,
        task,
        run,
        _("The result is attached. Approving the task issues it with its verification code."),
        form={"upload": True},
    )


# --- overdue tasks ------------------------------------------------------------------------------
@never_cache
@require_GET
def overdue(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.holds_any(request.user, OVERDUE_ROLES):
        raise Forbidden(_("The overdue list is for center managers, agency heads and leadership."))
    sort = request.GET.get("sort", "agency")
    if sort not in ("agency", "due"):
        sort = "agency"
    now = timezone.now()
    tasks = overdue_tasks(request.user, now=now)
    summary = overdue_summary(tasks)
    if sort == "agency":
        tasks = tasks.order_by("agency__code", "due_at", "id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = WorkingCalendar.current()
    scope = access.scope(request.user)
    my_agencies, my_centers = scope.organizations(AGENCY_STAFF), scope.organizations(access.CENTER_STAFF)
    for task in page.object_list:
        mark_due(task, now, calendar)
        task.at_my_agency = task.agency_id in my_agencies
        task.at_my_center = task.application.center_id in my_centers
    return render(
        request,
        "cases/office/overdue.html",
        {
            "page": page,
            "sort": sort,
            "summary": summary,
            "total": sum(count for _agency, count in summary),
            "now": now,
        },
    )


urlpatterns = [
    path("office/<slug:agency>/inbox/", inbox_view, name="inbox"),
    path("office/<slug:agency>/tasks/<int:task_id>/", task_detail, name="task_detail"),
    path("office/<slug:agency>/tasks/<int:task_id>/act/", task_act, name="task_act"),
    path("office/<slug:agency>/tasks/<int:task_id>/claim/", task_claim, name="task_claim"),
    path("office/<slug:agency>/tasks/<int:task_id>/assign/", task_assign, name="task_assign"),
    path("office/<slug:agency>/tasks/<int:task_id>/result/", result_upload, name="result_upload"),
    path("office/overdue/", overdue, name="overdue"),
]
