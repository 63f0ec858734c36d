"""Reads of the cases app: who sees which applications and tasks, the inbox, tracking, verification.

Scoping rules: a center's operators and managers see the applications taken at or collected from
their center; an agency's clerks and head see the applications their agency has (or had) a task
in, and only their own agency's tasks; administrators see their subtree; leadership their
jurisdiction. Anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from darcha.core import access
from darcha.core.calendar import end_of_day
from darcha.core.choices import Role
from darcha.core.models import Organization, User

from .choices import ACTIVE_TASK_STATUSES, ApplicationStatus, DocumentPurpose, EventKind, TaskStatus
from .models import Application, Document, Event, Result, Task


def applications_visible(user: User) -> QuerySet[Application]:
    scope = access.scope(user)
    qs = Application.objects.all()
    if scope.everything:
        return qs
    if scope.empty:
        return qs.none()
    condition = Q(center_id__in=scope.organizations(access.CENTER_STAFF))
    agencies = scope.organizations(access.AGENCY_STAFF)
    if agencies:
        condition |= Exists(Task.objects.filter(application=OuterRef("pk"), agency_id__in=agencies))
    for path in scope.subtree_paths:
        condition |= Q(center__path__startswith=path)
    return qs.filter(condition)


def tasks_visible(user: User) -> QuerySet[Task]:
    scope = access.scope(user)
    qs = Task.objects.all()
    if scope.everything:
        return qs
    if scope.empty:
        return qs.none()
    condition = Q(agency_id__in=scope.organizations(access.AGENCY_STAFF)) | Q(
        application__center_id__in=scope.organizations(access.CENTER_STAFF)
    )
    for path in scope.subtree_paths:
        condition |= Q(agency__path__startswith=path) | Q(application__center__path__startswith=path)
    return qs.filter(condition)


def application_list(user: User, *, center: Organization | None = None, status: str = "", query: str = ""):
    qs = applications_visible(user).select_related("service", "applicant", "center")
    if center is not None:
        qs = qs.filter(center=center)
    if status:
        qs = qs.filter(status=status)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(number__iexact=query)
            | Q(applicant__name__icontains=query)
            | Q(applicant__pinfl=query)
            | Q(applicant__passport=query.upper())
            | Q(applicant__stir=query)
        )
    return qs.order_by("-submitted_at", "-id")


def application_detail(user: User, number: str) -> Application | None:
    """One application the user may see, with its tasks, documents and history in a fixed number of queries."""
    return (
        applications_visible(user)
        .select_related(
            "service",
            "service__responsible_agency",
            "version",
            "applicant",
            "center",
            "registered_by",
            "handed_over_by",
            "ticket",
            "discount",
        )
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=Task.objects.select_related("step", "agency", "assignee", "completed_by").order_by(
                    "opened_at", "id"
                ),
            ),
            Prefetch("documents", queryset=Document.objects.select_related("required", "added_by")),
            Prefetch("events", queryset=Event.objects.select_related("task__step", "task__agency", "actor")),
        )
        .filter(number=number)
        .first()
    )


def application_result(application: Application) -> Result | None:
    return Result.objects.filter(application=application).select_related("document", "agency").first()


def document_for(user: User, number: str, document_id: int) -> Document | None:
    """A document of an application the user may see; an agency's staff see results and the
    documents of the applications their agency works on."""
    application = applications_visible(user).filter(number=number).first()
    if application is None:
        return None
    return Document.objects.filter(application=application, pk=document_id).exclude(file="").first()


# --- The agency inbox -------------------------------------------------------------------------------

INBOX_FILTERS = ("open", "mine", "overdue", "due_today", "waiting", "done")


def _inbox_tabs(user: User, now: dt.datetime) -> dict[str, Q]:
    """Which tasks each inbox tab shows; the list and the counts read the same conditions."""
    end_of_today = end_of_day(timezone.localdate(now))
    return {
        "open": Q(status__in=ACTIVE_TASK_STATUSES),
        "mine": Q(status__in=ACTIVE_TASK_STATUSES, assignee=user),
        "overdue": Q(status=TaskStatus.OPEN, due_at__lt=now),
        "due_today": Q(status=TaskStatus.OPEN, due_at__gte=now, due_at__lte=end_of_today),
        "waiting": Q(status=TaskStatus.WAITING_CITIZEN),
        "done": Q(status__in=(TaskStatus.DONE, TaskStatus.CANCELLED)),
    }


def inbox(user: User, agency: Organization, *, show: str = "open", now: dt.datetime | None = None):
    """The agency's tasks for the inbox: a constant number of queries, however many tasks there are."""
    tabs = _inbox_tabs(user, now or timezone.now())
    qs = (
        Task.objects.filter(agency=agency)
        .filter(tabs.get(show, tabs["open"]))
        .select_related("application__service", "application__applicant", "application__center", "step", "assignee")
    )
    return qs.order_by("-completed_at", "-id") if show == "done" else qs.order_by("due_at", "id")


def inbox_counts(agency: Organization, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tasks each tab but "done" holds (one query)."""
    tabs = _inbox_tabs(user, now or timezone.now())
    return Task.objects.filter(agency=agency).aggregate(
        **{name: Count("id", filter=condition) for name, condition in tabs.items() if name != "done"}
    )


def task_for(user: User, task_id: int) -> Task | None:
    """A task of one of the user's agencies (or any visible one for managers and administrators)."""
    return (
        tasks_visible(user)
        .select_related(
            "application__service", "application__applicant", "application__center", "step", "agency", "assignee"
        )
        .filter(pk=task_id)
        .first()
    )


def organization_staff(organization_id: int, role: str) -> QuerySet[User]:
    """Active users holding `role` in the organization."""
    return (
        User.objects.filter(is_active=True, memberships__organization_id=organization_id, memberships__role=role)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def agency_clerks(agency: Organization) -> QuerySet[User]:
    return organization_staff(agency.pk, Role.AGENCY_CLERK)


def overdue_tasks(user: User, now: dt.datetime | None = None) -> QuerySet[Task]:
    """Overdue open tasks the user may see (managers: their center's; heads: their agency's)."""
    now = now or timezone.now()
    return (
        tasks_visible(user)
        .filter(status=TaskStatus.OPEN, due_at__lt=now)
        .select_related("application__service", "application__center", "step", "agency", "assignee")
        .prefetch_related("escalations")
        .order_by("due_at", "id")
    )


# --- Citizen tracking and verification ------------------------------------------------------------


# How a finished step reads on the citizen's timeline.
ACTION_DONE = {
    "approve": _("done"),
    "forward": _("passed on"),
    "reject": _("refused"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str
    label: str
    comment: str = ""


def track(number: str, code: str) -> Application | None:
    """The application for a number and access code; None for a wrong number or code alike."""
    number, code = str(number or "").strip(), str(code or "").strip()
    application = (
        Application.objects.select_related("service", "center").filter(number=number).first() if number else None
    )
    # Compare even when no application has that number, so timing does not tell which was wrong.
    expected = application.access_code if application is not None else "\0" * 6
    if not constant_time_compare(expected, code) or application is None:
        return None
    return application


def tracking_view(application: Application) -> dict:
    """What the citizen sees: status, current steps with their citizen labels, due date, what is needed."""
    tasks = list(application.tasks.select_related("step", "agency").order_by("opened_at", "id"))
    events = list(application.events.filter(public=True).select_related("task__step").order_by("created_at", "id"))
    current = [t for t in tasks if t.status in ACTIVE_TASK_STATUSES]
    needed = [t.requested for t in current if t.status == TaskStatus.WAITING_CITIZEN and t.requested]
    timeline = []
    for event in events:
        label = str(event.get_kind_display())
        if event.kind == EventKind.TASK_OPENED and event.task is not None:
            label = str(event.task.step.citizen_label)
        elif event.kind == EventKind.ACTION and event.task is not None:
            done = ACTION_DONE.get(event.action)
            label = f"{event.task.step.citizen_label}: {done}" if done else str(event.task.step.citizen_label)
        comment = event.comment if event.kind in (EventKind.DOCUMENTS_REQUESTED,) else ""
        if event.kind == EventKind.READY and application.outcome == "refused":
            comment = next((t.comment for t in reversed(tasks) if t.action == "reject"), "")
        timeline.append(TimelineEntry(event.created_at, event.kind, label, comment))
    return {
        "application": application,
        "status": application.get_status_display(),
        "current": current,
        "needed": needed,
        "due_at": application.due_at,
        "clock_stopped": application.paused_at is not None,
        "timeline": timeline,
        "result_ready": application.status == ApplicationStatus.READY,
    }


RATING_SALT = "darcha.cases.rating"


def rating_application(token: str) -> Application | None:
    """The application a rating link is for (`services.rating_token`), or None for a forged or expired link."""
    try:
        number = signing.TimestampSigner(salt=RATING_SALT).unsign(
            token, max_age=dt.timedelta(days=settings.CASES_RATING_DAYS)
        )
    except signing.BadSignature:
        return None
    return Application.objects.filter(number=number, status=ApplicationStatus.CLOSED).first()


def verify(code: str) -> Result | None:
    """A result issued under this code; None for an unknown code and for one not yet issued."""
    code = str(code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    return (
        Result.objects.select_related("application__service", "agency", "document")
        .filter(code=code, application__ready_at__isnull=False, document__purpose=DocumentPurpose.RESULT)
        .first()
    )
