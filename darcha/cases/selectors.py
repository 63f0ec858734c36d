"""Reads of the cases app: who sees which applications and tasks, intake's choices, the inbox, the
overdue list, tracking, verification, ratings.

Scoping rules: a center's operators and managers see the applications taken at or collected from
their center; an agency's clerks and head see the applications their agency has (or had) a task
in, and only their own agency's tasks; administrators see their subtree; leadership their
jurisdiction. Anyone else sees nothing.

What each sees of the applicant is one rule too (`with_sight`, `applicant_shown`), for pages and the
API alike: the staff of the application's center everything on file; those who work on it (agency
staff with a task in it), administrators and superusers the name, with identifiers and phone masked;
leadership only initials and the masked identifier, no phone and no documents — figures
(`application_figures`), not people.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from darcha.catalog.choices import Outcome, VersionStatus
from darcha.catalog.models import RequiredDocument, Service, Step, StepField
from darcha.catalog.selectors import NO_BRV, fee_today
from darcha.core import access
from darcha.core.calendar import end_of_day
from darcha.core.choices import OrganizationKind, PersonKind, Role
from darcha.core.i18n import CONTENT_LANGUAGES, Translated
from darcha.core.identifiers import mask_identifier, mask_name
from darcha.core.lookups import LookupLimits
from darcha.core.models import Organization, Person, User
from darcha.core.money import NoBaseAmount, brv_on
from darcha.queues.models import Ticket

from .choices import ACTIVE_TASK_STATUSES, ApplicationStatus, DocumentPurpose, EventKind, TaskStatus
from .models import Application, Document, Event, PendingUpload, Rating, Result, Task


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


# --- What is shown of the applicant ------------------------------------------------------------------

SIGHT_FULL = "full"  # the staff of the application's center: name, identifier and phone as on file
SIGHT_NAMED = "named"  # agency staff working on it, administrators, superusers: the name; identifiers masked
SIGHT_MASKED = "masked"  # leadership (and anyone not named above): initials, masked identifier, no phone


def _sight(user: User, prefix: str = ""):
    """How much of the applicant the user sees, per application (an expression; `prefix` reaches the
    application from another model, e.g. "application__" from a task)."""
    scope = access.scope(user)
    if scope.everything:
        return Value(SIGHT_NAMED)
    whens = []
    centers = scope.organizations(access.CENTER_STAFF)
    if centers:
        whens.append(When(Q(**{f"{prefix}center_id__in": centers}), then=Value(SIGHT_FULL)))
    # Named: the application has a task at one of the user's agencies, or is in an administrator's subtree.
    named = [Q(**{f"{prefix}center__path__startswith": path}) for path in scope.paths(Role.ADMINISTRATOR)]
    agencies = scope.organizations(access.AGENCY_STAFF)
    if agencies:
        named.append(Q(Exists(Task.objects.filter(application=OuterRef(f"{prefix}pk"), agency_id__in=agencies))))
    if named:
        whens.append(When(reduce(operator.or_, named), then=Value(SIGHT_NAMED)))
    if not whens:
        return Value(SIGHT_MASKED)
    return Case(*whens, default=Value(SIGHT_MASKED), output_field=CharField())


def with_sight(qs: QuerySet, user: User, prefix: str = "") -> QuerySet:
    """The queryset with `applicant_sight` on each row (applications; tasks with prefix "application__")."""
    return qs.annotate(applicant_sight=_sight(user, prefix))


@dataclass(frozen=True)
class ApplicantShown:
    """The applicant as a page or the API shows them to this user (`applicant_shown`)."""

    kind: str
    name: str
    identifier: str
    phone: str
    sight: str


def applicant_shown(person: Person, sight: str | None) -> ApplicantShown:
    """The applicant as seen at `sight` (an application's `applicant_sight`; unknown: masked)."""
    if sight == SIGHT_FULL:
        return ApplicantShown(person.kind, person.name, person.identifier, person.phone, sight)
    if sight == SIGHT_NAMED:
        return ApplicantShown(
            person.kind, person.name, person.masked_identifier, mask_identifier(person.phone, 4), sight
        )
    # A legal entity's name is public (the register of legal entities); a citizen's is not.
    name = person.name if person.kind == PersonKind.LEGAL_ENTITY else mask_name(person.name)
    return ApplicantShown(person.kind, name, person.masked_identifier, "", SIGHT_MASKED)


def application_figures(user: User, *, within: Organization | None = None, now: dt.datetime | None = None) -> dict:
    """The applications the user may see (taken at a center `within` an organization's subtree, if given),
    counted in one query whatever their number: all, by status, and those with a task past its term."""
    late = Task.objects.filter(application=OuterRef("pk"), status=TaskStatus.OPEN, due_at__lt=now or timezone.now())
    visible = applications_visible(user)
    if within is not None:
        visible = visible.filter(center__path__startswith=within.path)
    counts = visible.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(Exists(late))),
        **{status: Count("id", filter=Q(status=status)) for status in ApplicationStatus.values},
    )
    return {
        "total": counts["total"],
        "overdue": counts["overdue"],
        "by_status": {status: counts[status] for status in ApplicationStatus.values},
    }


def application_list(user: User, *, center: Organization | None = None, status: str = "", query: str = ""):
    qs = with_sight(applications_visible(user), user).select_related("service", "applicant", "center")
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
    """One application the user may see, with its tasks, documents and history in a fixed number of queries,
    and how much of its applicant the user sees (`applicant_sight`)."""
    return (
        with_sight(applications_visible(user), user)
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


def application_created(pk: int) -> Application:
    """An application just registered, with what the API's answer shows (its tasks in order)."""
    tasks = Task.objects.select_related("step", "agency").order_by("opened_at", "id")
    return Application.objects.select_related("service", "center").prefetch_related(Prefetch("tasks", tasks)).get(pk=pk)


def application_result(application: Application) -> Result | None:
    return Result.objects.filter(application=application).select_related("document", "agency").first()


def application_rating(application: Application) -> Rating | None:
    return Rating.objects.filter(application=application).first()


def applicant_reachable(application: Application) -> bool:
    """Whether notices reach the applicant: a phone on the application, or a Telegram chat following it."""
    return bool(application.phone) or application.telegram_subscriptions.exists()


def center_counts(center: Organization) -> dict[str, int]:
    """The center's applications waiting at the front office: results to hand over, applicants to come back."""
    return Application.objects.filter(center=center).aggregate(
        ready=Count("id", filter=Q(status=ApplicationStatus.READY)),
        waiting=Count("id", filter=Q(status=ApplicationStatus.WAITING_CITIZEN)),
    )


# --- Intake ------------------------------------------------------------------------------------------


def intake_services() -> QuerySet[Service]:
    """Services an application can be taken for now: active, with a published procedure."""
    return (
        Service.objects.filter(is_active=True, versions__status=VersionStatus.PUBLISHED)
        .select_related("category", "responsible_agency")
        .distinct()
        .order_by("category__position", "category__code", "code")
    )


def intake_service(code: str) -> Service | None:
    return intake_services().filter(code=code).first() if code else None


def online_service(code: str) -> Service | None:
    """An active service citizens may apply for online, with a published procedure."""
    service = Service.objects.select_related("category").filter(code=code, online=True, is_active=True).first()
    if service is None or service.published_version is None:
        return None
    return service


def intake_centers() -> list[Organization]:
    """The active public service centers, by name (where an online applicant collects the result)."""
    centers = Organization.objects.filter(kind=OrganizationKind.CENTER, is_active=True)
    return sorted(centers, key=lambda c: str(c.name).casefold())


def service_checklist(service: Service) -> tuple[list[RequiredDocument], list[RequiredDocument]]:
    """The service's documents in order: those the applicant brings, those the center obtains itself."""
    documents = list(service.documents.order_by("position", "id"))
    return [d for d in documents if not d.obtained_by_center], [d for d in documents if d.obtained_by_center]


def intake_fees(service: Service, day: dt.date | None = None) -> tuple[list[dict], str]:
    """Today's fee without and with each discount of the service (the BRV read once); or, when it cannot
    be computed, no options and the reason."""
    day = day or timezone.localdate()
    try:
        brv = brv_on(day)
    except NoBaseAmount:
        brv = None
    discounts = [None, *service.discounts.order_by("code")]
    options = [{"discount": d, "amount": fee_today(service, d, day=day, brv=brv)} for d in discounts]
    if any(option["amount"] is None for option in options):
        return [], str(NO_BRV)
    return options, ""


def pending_uploads(draft) -> list[PendingUpload]:
    """The files a form's draft keeps (services.drafts.Draft): only its holder's, whatever the token."""
    return list(PendingUpload.objects.filter(draft=draft.token, holder=draft.holder).select_related("required"))


def serving_ticket(user: User, center: Organization, value) -> Ticket | None:
    """The queue ticket this operator serves (or served today) at this center, by its id."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return (
        Ticket.objects.select_related("service")
        .filter(pk=pk, center=center, operator=user, day=timezone.localdate())
        .first()
    )


def document_for(user: User, number: str, document_id: int) -> Document | None:
    """A document of an application the user may see; an agency's staff see results and the
    documents of the applications their agency works on. Those who see the applicant masked
    (leadership) open no documents: scans and results carry what the masking hides."""
    application = with_sight(applications_visible(user), user).filter(number=number).first()
    if application is None or application.applicant_sight == SIGHT_MASKED:
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


def agency_clerk(agency: Organization, value) -> User | None:
    """One of the agency's clerks, by the id a form sent (None for anything else)."""
    value = str(value or "").strip()
    return agency_clerks(agency).filter(pk=int(value)).first() if value.isdigit() and len(value) <= 18 else None


def issues_result(step: Step) -> bool:
    """Whether the step can end the procedure with the result issued (where a clerk attaches the result)."""
    return any(t.to_step_id is None and t.outcome == Outcome.ISSUED for t in step.outgoing.all())


def step_output_fields(step: Step) -> list[StepField]:
    """The fields the agency fills in when it completes the step, in order."""
    return list(step.output_fields.all())


def output_tasks(application_id: int) -> list[Task]:
    """The completed tasks of an application whose step declares output fields, the latest of each step
    (a step done again after a return), by stage: what its result document and verification page show."""
    done = (
        Task.objects.filter(application_id=application_id, status=TaskStatus.DONE, step__output_fields__isnull=False)
        .distinct()
        .select_related("step", "agency", "completed_by")
        .prefetch_related("step__output_fields")
        .order_by("step__stage", "step_id", "completed_at", "id")
    )
    latest = {task.step_id: task for task in done}
    return sorted(latest.values(), key=lambda task: (task.step.stage, task.step_id))


def steps_done_before(task: Task) -> list[Step]:
    """The steps of the task's application done at earlier stages, in order (where "return" may send it)."""
    done = (
        Task.objects.filter(application_id=task.application_id, status=TaskStatus.DONE, step__stage__lt=task.step.stage)
        .select_related("step")
        .order_by("step__stage", "id")
    )
    return list({t.step_id: t.step for t in done}.values())


def procedure_step(version_id: int, code: str) -> Step | None:
    return Step.objects.filter(version_id=version_id, code=code).first()


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


def overdue_summary(tasks: QuerySet[Task]) -> list[tuple[Organization, int]]:
    """How many of these tasks (`overdue_tasks`) each agency holds, most first (two queries)."""
    by_agency = list(
        tasks.prefetch_related(None)
        .order_by()
        .values("agency_id")
        .annotate(count=Count("id"))
        .order_by("-count", "agency_id")
    )
    agencies = Organization.objects.in_bulk([row["agency_id"] for row in by_agency])
    return [(agencies[row["agency_id"]], row["count"]) for row in by_agency if row["agency_id"] in agencies]


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


# Tracking numbers as they are given (services.intake._next_number): only such a string can be a number,
# so only such a string has wrong codes counted against it.
NUMBER_FORMAT = re.compile(r"\d{2}-\d{7,9}")
UNLOCK_SALT = "darcha.cases.tracking-unlock"


# The limits on wrong tracking lookups, per application number and per client: `core.lookups`, the rule
# every app's tracking follows (CASES_TRACK_* settings, read when asked).
TrackingLimits = LookupLimits


def tracking_limits() -> TrackingLimits:
    return LookupLimits.from_settings("cases-track")


def tracking_number_key(number: str) -> str | None:
    """The key wrong codes are counted under for this typed number; None if it cannot be a number."""
    number = str(number or "").strip()
    return number if NUMBER_FORMAT.fullmatch(number) else None


def tracking_locked_until(number: str) -> dt.datetime | None:
    """When the lock on this number's tracking lifts by itself; None if it is not locked."""
    key = tracking_number_key(number)
    numbers = tracking_limits().numbers
    if key is None or not numbers.reached(key):
        return None
    return numbers.until(key)


def tracking_unlock_target(token: str) -> tuple[Application, int] | None:
    """The application and the lock (its start, epoch seconds) an unlock link was sent for; None for a
    forged or expired link. Whether that lock still holds is the service's to check."""
    try:
        value = signing.TimestampSigner(salt=UNLOCK_SALT).unsign(
            token, max_age=dt.timedelta(seconds=tracking_limits().numbers.window)
        )
        number, since = value.rsplit(":", 1)
        since = int(since)
    except (signing.BadSignature, ValueError):
        return None
    application = Application.objects.select_related("service", "center").filter(number=number).first()
    return (application, since) if application is not None else None


class _JSONRows(Aggregate):
    """The rows of a correlated subquery as one JSON array: json_group_array on SQLite, jsonb_agg on
    PostgreSQL (jsonb, which Django reads as text and decodes, as it does a JSONField)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _json_rows(queryset: QuerySet, **fields) -> Subquery:
    rows = queryset.order_by().values("application_id").annotate(rows=_JSONRows(JSONObject(**fields))).values("rows")
    return Subquery(rows, output_field=JSONField())


def _per_language(prefix: str, path: str) -> dict[str, str]:
    return {f"{prefix}_{suffix}": f"{path}_{suffix}" for suffix in CONTENT_LANGUAGES}


def _tracked() -> QuerySet[Application]:
    """Applications with what their tracking page shows, in one statement: the service and center joined,
    the tasks (with their steps' citizen labels and agencies' names) and the public events (with their
    steps' labels) as JSON arrays of correlated subqueries — read back by `tracking_view`."""
    tasks = _json_rows(
        Task.objects.filter(application=OuterRef("pk")),
        id="id",
        status="status",
        requested="requested",
        action="action",
        comment="comment",
        opened_at="opened_at",
        step_id="step_id",
        agency_id="agency_id",
        **_per_language("label", "step__citizen_label"),
        **_per_language("agency", "agency__name"),
    )
    events = _json_rows(
        Event.objects.filter(application=OuterRef("pk"), public=True),
        id="id",
        kind="kind",
        action="action",
        comment="comment",
        created_at="created_at",
        task_id="task_id",
        **_per_language("label", "task__step__citizen_label"),
    )
    # The service's long texts (descriptions, keywords, search key) are not shown: not read.
    long_texts = [f"service__{name}_{suffix}" for name in ("description", "result") for suffix in CONTENT_LANGUAGES]
    return (
        Application.objects.select_related("service", "center")
        .defer(*long_texts, "service__keywords", "service__search_text", "service__legal_basis")
        .annotate(tracked_tasks=tasks, tracked_events=events)
    )


_NUMBER = "\0tracking-number\0"  # where the typed number goes in the compiled statement


@dataclass(frozen=True)
class _Statement:
    """`_tracked()` for one number, compiled once per process: the SQL and its parameters, and where in a
    row each model's fields and each annotation are (what the ORM would work out again for every lookup)."""

    sql: str
    params: tuple
    converters: dict
    models: tuple  # (model, the field that reaches it from the application or None, [(position, attname)])
    annotations: tuple  # (name, position)

    def row(self, number: str):
        params = [number if param == _NUMBER else param for param in self.params]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()


@functools.cache
def _statement(vendor: str) -> _Statement:
    compiler = _tracked().filter(number=_NUMBER).order_by().query.get_compiler(connection=connection)
    sql, params = compiler.as_sql(with_limits=False)
    select, info = compiler.select, compiler.klass_info

    def fields(klass_info) -> list[tuple[int, str]]:
        return [(i, select[i][0].target.attname) for i in klass_info["select_fields"]]

    models = [(info["model"], None, fields(info))]
    models += [(related["model"], related["field"], fields(related)) for related in info["related_klass_infos"]]
    converters = compiler.get_converters([column[0] for column in select])
    return _Statement(sql, tuple(params), converters, tuple(models), tuple(compiler.annotation_col_map.items()))


def _tracked_application(number: str) -> Application | None:
    """`_tracked().filter(number=number).first()`, without building and compiling the query again."""
    statement = _statement(connection.vendor)
    row = statement.row(number)
    if row is None:
        return None
    row = list(row)
    for position, (functions, expression) in statement.converters.items():
        for function in functions:
            row[position] = function(row[position], expression, connection)
    (model, _, columns), *related = statement.models
    application = model.from_db(connection.alias, [name for _, name in columns], [row[i] for i, _ in columns])
    for model, field, columns in related:
        value = model.from_db(connection.alias, [name for _, name in columns], [row[i] for i, _ in columns])
        field.set_cached_value(application, value)
    for name, position in statement.annotations:
        setattr(application, name, row[position])
    return application


def track(number: str, code: str) -> Application | None:
    """The application for a number and access code, with what its tracking page shows (one statement);
    None for a wrong number or code alike."""
    number, code = str(number or "").strip(), str(code or "").strip()
    application = _tracked_application(number) if number else None
    # Compare even when no application has that number, so timing does not tell which was wrong.
    expected = application.access_code if application is not None else "\0" * 6
    if not constant_time_compare(expected, code) or application is None:
        return None
    return application


@dataclass(frozen=True)
class _PublicEvent:
    at: dt.datetime
    id: int
    kind: str
    action: str
    comment: str
    step: Step | _StepLabel | None


def _moment(value) -> dt.datetime:
    """A datetime of a JSON row: PostgreSQL writes it with its offset, SQLite as stored (UTC, no offset)."""
    if isinstance(value, dt.datetime):
        return value
    moment = parse_datetime(str(value).replace(" ", "T", 1))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


class _StepLabel:
    """A step as the tracking page shows it: its citizen label, in the current language."""

    citizen_label = Translated("citizen_label")

    def __init__(self, row: dict, prefix: str):
        for suffix in CONTENT_LANGUAGES:
            setattr(self, f"citizen_label_{suffix}", row.get(f"{prefix}_{suffix}") or "")


class _AgencyName:
    name = Translated("name")

    def __init__(self, row: dict):
        for suffix in CONTENT_LANGUAGES:
            setattr(self, f"name_{suffix}", row.get(f"agency_{suffix}") or "")


@dataclass(frozen=True)
class _TrackedTask:
    """A task as the tracking page, the API and the bot show it (`task.step.citizen_label`, `task.agency.name`)."""

    id: int
    status: str
    requested: str
    action: str
    comment: str
    opened_at: dt.datetime
    step: _StepLabel
    agency: _AgencyName


def _tasks_of(rows: list[dict] | None) -> list[_TrackedTask]:
    tasks = [
        _TrackedTask(
            row["id"],
            row["status"],
            row["requested"] or "",
            row["action"] or "",
            row["comment"] or "",
            _moment(row["opened_at"]),
            _StepLabel(row, "label"),
            _AgencyName(row),
        )
        for row in rows or []
    ]
    return sorted(tasks, key=lambda t: (t.opened_at, t.id))


def _events_of(rows: list[dict] | None) -> list[_PublicEvent]:
    events = [
        _PublicEvent(
            _moment(row["created_at"]),
            row["id"],
            row["kind"],
            row["action"] or "",
            row["comment"] or "",
            _StepLabel(row, "label") if row["task_id"] else None,
        )
        for row in rows or []
    ]
    return sorted(events, key=lambda e: (e.at, e.id))


def tracking_view(application: Application) -> dict:
    """What the citizen sees: status, current steps with their citizen labels, due date, what is needed.
    An application from `track` brought its tasks and events along; any other is read here (two queries)."""
    if hasattr(application, "tracked_tasks"):
        tasks = _tasks_of(application.tracked_tasks)
        events = _events_of(application.tracked_events)
    else:
        tasks = list(application.tasks.select_related("step", "agency").order_by("opened_at", "id"))
        public = application.events.filter(public=True).select_related("task__step").order_by("created_at", "id")
        events = [
            _PublicEvent(e.created_at, e.pk, e.kind, e.action, e.comment, e.task.step if e.task else None)
            for e in public
        ]
    current = [t for t in tasks if t.status in ACTIVE_TASK_STATUSES]
    needed = [t.requested for t in current if t.status == TaskStatus.WAITING_CITIZEN and t.requested]
    timeline = []
    for event in events:
        label = str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
        if event.kind == EventKind.TASK_OPENED and event.step is not None:
            label = str(event.step.citizen_label)
        elif event.kind == EventKind.ACTION and event.step is not None:
            done = ACTION_DONE.get(event.action)
            label = f"{event.step.citizen_label}: {done}" if done else str(event.step.citizen_label)
        comment = event.comment if event.kind in (EventKind.DOCUMENTS_REQUESTED,) else ""
        if event.kind == EventKind.READY and application.outcome == "refused":
            comment = next((t.comment for t in reversed(tasks) if t.action == "reject"), "")
        timeline.append(TimelineEntry(event.at, event.kind, label, comment))
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
