"""REST API v1 of applications: intake by a center's systems, reading, back-office task actions,
and citizen tracking.

    POST /api/v1/applications/                 operators/managers of the center; Idempotency-Key
    GET  /api/v1/applications/                 what the caller may see (selectors.applications_visible)
    GET  /api/v1/applications/figures/         those counted: all, by status, overdue (no applicants)
    GET  /api/v1/applications/<number>/        one of those, with tasks and the public timeline
    GET  /api/v1/tasks/                        tasks of the caller's agencies
    GET  /api/v1/tasks/<id>/                   one of them, with the actions the caller may take
    POST /api/v1/tasks/<id>/actions/           take an action (services.task_act)
    POST /api/v1/tasks/<id>/claim/             take the task (services.task_claim)
    GET  /api/v1/track/<number>/?code=<code>   anonymous tracking; wrong lookups limited per number and client

Views are thin: every write is one call of darcha.cases.services, every scope comes from
darcha.cases.selectors. Refusals: invalid data 400 `{"code": "invalid", "errors": {...}}`; a state
conflict 409 `{"code": <a CaseRefusal>, "detail": ...}` and a forbidden action 403 `{"code":
"forbidden", ...}` (the services' `core.errors.Refused`, mapped by core.api.exception_handler);
something the caller may not see is 404, the same as something that does not exist.
"""

from __future__ import annotations

import json
import re

import django_filters
from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import DateTimeField
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from darcha.catalog.api import StrictQueryMixin
from darcha.catalog.models import Service
from darcha.core import access, idempotency, uploads
from darcha.core.api import ErrorSerializer
from darcha.core.choices import OrganizationKind
from darcha.core.links import absolute_url
from darcha.core.models import Organization
from darcha.core.throttle import client_address

from .choices import ApplicationStatus, Channel, TaskStatus
from .models import Application, Task
from .selectors import (
    application_created,
    application_detail,
    application_figures,
    applications_visible,
    procedure_step,
    tasks_visible,
    tracking_view,
    with_sight,
)
from .serializers import (
    APPLICATION_FORM_SCHEMA,
    ApplicationCreatedSerializer,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationFiguresSerializer,
    ApplicationListSerializer,
    TaskActionSerializer,
    TaskDetailSerializer,
    TaskSerializer,
    TrackSerializer,
)
from .services import (
    ApplicantRefused,
    Fee,
    Intake,
    TrackingRefused,
    application_register,
    task_act,
    task_actions,
    task_claim,
    track_lookup,
)

_SCAN_FIELD = re.compile(r"file_(\d{1,18})")

TASK_ID = OpenApiParameter(
    "id", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH, description="Task id"
)
ERROR = OpenApiResponse(ErrorSerializer, description='`{"code", "detail", "errors"}`')
IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 128 printable ASCII characters, unique per request (e.g. a UUID); keys are per user and kept "
        "24 hours. A retry with the same key and the same body gets the first 201 answer again (header "
        "`Idempotent-Replayed: true`) and creates nothing; the same key with a different body is 422 "
        "`idempotency_key_reused`. Only successful answers are remembered: after a 400/403/409 nothing was "
        "created and the key may be used again. A concurrent duplicate waits for the first request and then "
        "gets its answer."
    ),
)


class CasesApiMixin(StrictQueryMixin):
    """Strict query parameters (catalog's rule), and no NUL characters in the URL: PostgreSQL text
    cannot hold them, so they are refused here rather than failing in the database."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bad = sorted(name for name, values in request.query_params.lists() if any("\x00" in v for v in values))
        if bad:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")] for name in bad})
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound(_("Not found."))


def _own_agencies(user) -> set[int]:
    return access.scope(user).organizations(access.AGENCY_STAFF)


def receipt_url(request):
    """Absolute address of an application's receipt PDF at the front office (darcha.core.links)."""

    def build(application: Application) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("cases:receipt", args=[application.center.code, application.number])
        return absolute_url(path, request)

    return build


# --- Applications ---------------------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.all(), to_field_name="code", help_text="Service code"
    )
    center = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(kind=OrganizationKind.CENTER),
        to_field_name="code",
        help_text="Center code",
    )
    submitted_after = django_filters.DateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text="On or after this moment (a date: its midnight)"
    )
    submitted_before = django_filters.DateTimeFilter(
        field_name="submitted_at", lookup_expr="lt", help_text="Before this moment (a date: its midnight)"
    )


def _read_form(request) -> tuple[dict, dict[int, list], list]:
    """A multipart request into the JSON body's shape, the scans by checklist item id, the extra files."""
    form = request.data
    data: dict = {}
    errors: dict[str, list] = {}
    for name in ("service", "center", "phone", "language"):
        if name in form:
            data[name] = form.get(name)
    if form.get("ticket") not in (None, ""):
        data["ticket"] = form.get("ticket")
    for name in ("applicant", "fee"):
        raw = form.get(name)
        if raw in (None, ""):
            continue
        try:
            value = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            value = None
        if isinstance(value, dict):
            data[name] = value
        else:
            errors[name] = [_("Send this field as a JSON object.")]
    data["documents"] = [value for value in form.getlist("documents") if value != ""]
    scans: dict[int, list] = {}
    files: list = []
    for name in request.FILES:
        match = _SCAN_FIELD.fullmatch(name)
        if name == "files":
            files = request.FILES.getlist(name)
        elif match:
            scans[int(match[1])] = request.FILES.getlist(name)
        else:
            errors[name] = [_("Unknown file field: send scans as file_<checklist item id>, other files as files.")]
    try:
        uploads.check_batch([*files, *(f for group in scans.values() for f in group)])
    except DjangoValidationError as error:
        errors["files"] = error.messages
    if errors:
        raise exceptions.ValidationError(errors)
    return data, scans, files


def _remap_intake_errors(errors: dict) -> dict:
    """application_submit's error keys onto the request's fields."""
    mapped: dict = {}
    for key, messages in errors.items():
        if key == "applicant":
            mapped.setdefault("applicant", {})["kind"] = messages
        elif key == "discount":
            mapped.setdefault("fee", {})["discount"] = messages
        elif key == "fee":
            mapped.setdefault("fee", {})["non_field_errors"] = messages
        else:
            mapped[key] = messages
    return mapped


@extend_schema_view(
    list=extend_schema(
        summary="Applications the caller may see",
        description="Center staff see their center's applications, agency staff those their agency works on, "
        "leadership those of its city or district. Applicant identifiers and phones are masked unless the caller "
        "works at the application's center; leadership sees only initials, the masked identifier and no phone.",
        responses={200: ApplicationListSerializer(many=True), 400: ERROR, 403: ERROR},
    ),
    retrieve=extend_schema(
        summary="One application: tasks and the public timeline",
        responses={200: ApplicationDetailSerializer, 403: ERROR, 404: ERROR},
    ),
    create=extend_schema(
        summary="Register an application (center operators and managers)",
        description="The applicant is found or registered (by PINFL or passport, a legal entity by STIR), then the "
        "application is submitted through the API channel, all in one transaction: a refused request creates "
        "nothing. JSON, or multipart/form-data with scans. Errors of the applicant's data are under "
        "`errors.applicant`, of the fee under `errors.fee`.",
        request={"application/json": ApplicationCreateSerializer, "multipart/form-data": APPLICATION_FORM_SCHEMA},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ApplicationCreatedSerializer, 400: ERROR, 403: ERROR, 409: ERROR, 422: ERROR},
    ),
)
class ApplicationViewSet(CasesApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    filterset_class = ApplicationFilter
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"  # anything up to the slash: a malformed number is this API's JSON 404

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationCreateSerializer
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationListSerializer

    def get_queryset(self):
        user = self.request.user
        return (
            with_sight(applications_visible(user), user)
            .select_related("service", "center", "applicant")
            .order_by("-submitted_at", "-id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["receipt_url"] = receipt_url(self.request)
        return context

    @extend_schema(
        summary="The applications the caller may see, counted",
        description="All of them, by status, and those with a task past its term: the same scope as the list "
        "(leadership: its city or district), no applicant in it.",
        responses={200: ApplicationFiguresSerializer, 403: ERROR},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def figures(self, request):
        return Response(ApplicationFiguresSerializer(application_figures(request.user)).data)

    def retrieve(self, request, number=None):
        application = application_detail(request.user, number)
        if application is None:
            raise exceptions.NotFound(_("No such application, or it is not yours to see."))
        context = {**self.get_serializer_context(), "timeline": tracking_view(application)["timeline"]}
        return Response(ApplicationDetailSerializer(application, context=context).data)

    def create(self, request):
        try:
            request.data  # noqa: B018 — parsed here (files beyond DATA_UPLOAD_MAX_NUMBER_FILES refused), not mid-handler
        except TooManyFilesSent:
            raise exceptions.ValidationError({"files": [uploads.too_many_files_message()]}) from None
        return idempotency.idempotent(request, handler=lambda: self._create(request))

    def _create(self, request) -> Response:
        if hasattr(request.data, "getlist"):
            data, scans, files = _read_form(request)
        else:
            data, scans, files = request.data, {}, []
            if not isinstance(data, dict):
                raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        serializer = ApplicationCreateSerializer(data=data, context={"scans": scans, "files": files})
        serializer.is_valid(raise_exception=True)
        valid = serializer.validated_data
        user = request.user
        fee = valid["fee"]
        intake = Intake(
            service=valid["service"],
            applicant=None,
            center=valid["center"],
            presented=valid["documents"],
            uploads=[*valid["scans"], *valid["files"]],
            fee=Fee(
                payment_reference=fee["payment_reference"],
                waiver_reason=fee["waiver_reason"],
                discount=fee["discount"],
            ),
            phone=valid["phone"],
            language=valid["language"],
            channel=Channel.API,
            ticket=valid["ticket"],
        )
        person = {
            key: valid["applicant"][key]
            for key in ("kind", "name", "pinfl", "passport", "stir", "phone", "email", "language")
        }
        try:
            application = application_register(actor=user, person=person, intake=intake)
        except ApplicantRefused as error:
            raise exceptions.ValidationError({"applicant": error.applicant_errors}) from None
        except DjangoValidationError as error:
            raise exceptions.ValidationError(_remap_intake_errors(error.message_dict)) from None
        application = application_created(application.pk)
        body = ApplicationCreatedSerializer(application, context={"receipt_url": receipt_url(request)}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- Tasks -------------------------------------------------------------------------------------------------


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    overdue = django_filters.ChoiceFilter(
        method="by_overdue",
        choices=[("true", "true"), ("false", "false")],
        help_text="true: open tasks past their due time; false: all others",
    )
    agency = django_filters.CharFilter(method="by_agency", help_text="Agency code")

    def by_overdue(self, queryset, name, value):
        late = Q(status=TaskStatus.OPEN, due_at__lt=timezone.now())
        return queryset.filter(late) if value == "true" else queryset.exclude(late)

    def by_agency(self, queryset, name, value):
        if not Organization.objects.filter(code=value, kind=OrganizationKind.AGENCY).exists():
            raise exceptions.ValidationError({"agency": [_("No agency has this code.")]})
        return queryset.filter(agency__code=value)


@extend_schema_view(
    list=extend_schema(
        summary="Tasks of the caller's agencies",
        responses={200: TaskSerializer(many=True), 400: ERROR, 403: ERROR},
    ),
    retrieve=extend_schema(
        summary="One task, with the actions the caller may take now",
        parameters=[TASK_ID],
        responses={200: TaskDetailSerializer, 403: ERROR, 404: ERROR},
    ),
)
class TaskViewSet(CasesApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    filterset_class = TaskFilter
    lookup_value_regex = r"[^/]+"  # anything up to the slash: a malformed id is this API's JSON 404

    def get_serializer_class(self):
        if self.action == "act":
            return TaskActionSerializer
        return TaskSerializer if self.action == "list" else TaskDetailSerializer

    def get_queryset(self):
        user = self.request.user
        return (
            with_sight(tasks_visible(user).filter(agency_id__in=_own_agencies(user)), user, prefix="application__")
            .select_related(
                "application__service",
                "application__center",
                "application__applicant",
                "step",
                "agency",
                "assignee",
            )
            .order_by("due_at", "id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        return context

    def _task(self, pk) -> Task:
        task = self.get_queryset().filter(pk=int(pk)).first() if str(pk).isdigit() and len(pk) <= 18 else None
        if task is None:
            raise exceptions.NotFound(_("No such task, or it is not your agency's."))
        return task

    def _detail(self, pk) -> Response:
        task = self._task(pk)
        context = {**self.get_serializer_context(), "actions": task_actions(user=self.request.user, task=task)}
        return Response(TaskDetailSerializer(task, context=context).data)

    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(
        summary="Take an action on a task",
        description="`action` is one of the task's `actions`; `comment` is required where `needs_comment`; "
        "`target_step` (a step code from the action's `targets`) for `return`; `fields`, the step's output, "
        "for the actions that list `fields` (a required one missing: 400). Answers the task afterwards.",
        request=TaskActionSerializer,
        parameters=[TASK_ID],
        responses={200: TaskDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions")
    def act(self, request, pk=None):
        task = self._task(pk)
        serializer = TaskActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        valid = serializer.validated_data
        target = None
        if valid["target_step"]:
            target = procedure_step(task.step.version_id, valid["target_step"])
            if target is None:
                raise exceptions.ValidationError({"target_step": [_("This procedure has no step with this code.")]})
        task_act(
            actor=request.user,
            task=task,
            action=valid["action"],
            comment=valid["comment"],
            target_step=target,
            fields=valid["fields"],
        )
        return self._detail(pk)

    @extend_schema(
        summary="Take up a task (the caller becomes its assignee)",
        request=None,
        parameters=[TASK_ID],
        responses={200: TaskDetailSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        task = self._task(pk)
        task_claim(actor=request.user, task=task)
        return self._detail(pk)


# --- Citizen tracking -----------------------------------------------------------------------------------------


_MOMENT = DateTimeField()  # DRF's rendering of a moment: ISO 8601 in the current time zone


def track_answer(application, view: dict) -> dict:
    """What TrackSerializer makes of a tracking lookup, written out: the serializer walks its fields and a
    new instance copies them, a third of a lookup's time (tests/cases/test_tracking_answer.py: the same)."""
    due = view["due_at"]
    return {
        "number": application.number,
        "service": application.service.code,
        "service_name": str(application.service.name),
        "status": application.status,
        "status_label": str(view["status"]),
        "current_steps": [str(task.step.citizen_label) for task in view["current"]],
        "due_at": _MOMENT.to_representation(due) if due is not None else None,
        "clock_stopped": view["clock_stopped"],
        "needed": [str(item) for item in view["needed"]],
        "result_ready": view["result_ready"],
        "timeline": [
            {"at": _MOMENT.to_representation(e.at), "kind": e.kind, "label": str(e.label), "comment": str(e.comment)}
            for e in view["timeline"]
        ],
    }


class TrackViewSet(CasesApiMixin, viewsets.GenericViewSet):
    """Anonymous; a wrong number and a wrong code get the same 404. Only wrong lookups count, per number
    and per client (services.track_lookup, the page's and the bot's rule): a right number and code is
    never refused unless the number is locked. No DRF throttle: it would count the right lookups too."""

    permission_classes = [AllowAny]
    throttle_classes = []
    allowed_params = StrictQueryMixin.allowed_params | {"code"}
    queryset = Application.objects.none()
    serializer_class = TrackSerializer
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    @extend_schema(
        summary="Track an application by its number and access code (citizens)",
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.QUERY, required=True, description="Access code (receipt)")
        ],
        responses={
            200: TrackSerializer,
            400: ERROR,
            404: ERROR,
            429: OpenApiResponse(
                ErrorSerializer,
                description="`locked`: the number is locked after wrong access codes (the right code too); "
                "`throttled`: too many wrong lookups from this client. Retry-After says when to try again.",
            ),
        },
    )
    def retrieve(self, request, number=None):
        code = request.query_params.get("code", "").strip()
        if not code:
            raise exceptions.ValidationError({"code": [_("Enter the access code printed on the receipt.")]})
        try:
            application = track_lookup(number=number, code=code, client=f"addr:{client_address(request)}")
        except TrackingRefused as refusal:
            body = {"code": str(refusal.code), "detail": refusal.message}
            return Response(body, status=refusal.status, headers={"Retry-After": str(refusal.retry_after)})
        if application is None:
            raise exceptions.NotFound(_("No application has this number and access code."))
        return Response(track_answer(application, tracking_view(application)))
