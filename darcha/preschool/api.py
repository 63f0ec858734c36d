"""REST API v1 of the preschool app. The public part first: the kindergarten registry as open data
(`/api/v1/preschool/kindergartens/`), read-only and anonymous, paginated and filtered as the catalog's
API, held by the page cache (content "preschool"). Then the staff endpoints: the district's applications,
the referrals a kindergarten expects, enrolment by the family's code, seats per group."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from darcha.catalog.api import StrictQueryMixin
from darcha.core.api import ErrorSerializer
from darcha.core.errors import Forbidden
from darcha.core.identifiers import mask_identifier
from darcha.core.pagecache import PublicPage

from . import services as preschool_services
from .choices import (
    AgeGroup,
    BenefitStatus,
    Channel,
    EnrollmentStatus,
    EventKind,
    KindergartenKind,
    PlacementStatus,
    Regime,
    Relation,
    TeachingLanguage,
)
from .models import Kindergarten
from .selectors import (
    RegistryFilters,
    registry_districts,
    registry_kindergarten,
    registry_kindergartens,
    registry_page_programs,
    registry_search,
    staff_application,
    staff_applications,
    staff_programs,
    staff_referrals,
    staff_sight,
)
from .serializers import RegistryKindergartenSerializer

# --- public registry ---------------------------------------------------------------------------------------


def _checked_only(queryset, name, value):
    # The filters are applied together by KindergartenFilter.filter_queryset (the registry's one search).
    return queryset


class KindergartenFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(method=_checked_only, help_text="City or district code")
    kind = django_filters.ChoiceFilter(choices=KindergartenKind.choices, method=_checked_only)
    age_group = django_filters.ChoiceFilter(choices=AgeGroup.choices, method=_checked_only)
    language = django_filters.ChoiceFilter(
        choices=TeachingLanguage.choices, method=_checked_only, help_text="Language of the group"
    )
    regime = django_filters.ChoiceFilter(choices=Regime.choices, method=_checked_only, help_text="Hours a day")
    free = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method=_checked_only,
        help_text="true: only kindergartens with a free place in a group matching the other filters",
    )
    q = django_filters.CharFilter(
        method=_checked_only, max_length=200, help_text="Words of the name, number, mahalla or address, any script"
    )

    def registry_filters(self) -> RegistryFilters:
        data = self.form.cleaned_data
        district = None
        if data.get("district"):
            district = registry_districts().filter(code=data["district"]).first()
            if district is None:
                raise exceptions.ValidationError(
                    {"district": [_("No city or district of the registry has this code.")]}
                )
        return RegistryFilters(
            district=district,
            kind=data.get("kind") or "",
            language=data.get("language") or "",
            regime=data.get("regime") or "",
            age_group=data.get("age_group") or "",
            free_only=data.get("free") == "true",
            query=(data.get("q") or "").strip(),
        )

    def filter_queryset(self, queryset):
        self.chosen = self.registry_filters()
        return registry_search(self.chosen)


@extend_schema_view(
    list=extend_schema(
        summary="Kindergartens with their groups and free places (open data)",
        description="Each kindergarten with the groups matching the filters: seats, children attending, "
        "referrals open, free places, the queue and its privileged part, the monthly fee and the last "
        "admission cutoff.",
    ),
    retrieve=extend_schema(summary="One kindergarten: every group with its figures, fee and last cutoff"),
)
class KindergartenViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = RegistryKindergartenSerializer
    filterset_class = KindergartenFilter
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    # Anonymous answers held per process until the registry changes, with an ETag (core.pagecache).
    page_cache = PublicPage("preschool")

    def get_queryset(self):
        return registry_kindergartens()

    def list(self, request, *args, **kwargs):
        filterset = KindergartenFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        registry_page_programs(page, filterset.chosen)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        try:
            return registry_kindergarten(self.kwargs["code"])
        except Kindergarten.DoesNotExist:
            raise exceptions.NotFound(_("No kindergarten has this code.")) from None


# --- staff endpoints ---------------------------------------------------------------------------------------
#
#   GET  /api/v1/preschool/staff/applications/               the district's applications (?status, district, number)
#   GET  /api/v1/preschool/staff/applications/<number>/      one, with its positions and history
#   GET  /api/v1/preschool/staff/referrals/                  referrals to the caller's kindergartens (?kindergarten,
#                                                            status: offered by default, `all` for every state)
#   POST /api/v1/preschool/staff/referrals/<id>/enrol/       {"code"}: the child enrolled (services.placement_enrol)
#   GET  /api/v1/preschool/staff/programs/                   the caller's kindergartens' groups with seats held, free
#   POST /api/v1/preschool/staff/programs/<id>/seats/        {"seats"} (services.program_seats_set)
#
# Token or session. Who sees what is selectors.staff_sight: the district's preschool officers, the operators and
# managers of its centers, and kindergarten directors (applications choosing or referred to their kindergarten);
# identifiers and phones are masked unless the role needs them (`identifiers_masked`). Anyone else is 403; what
# the caller may not see is 404, as what does not exist. Refusals of the services keep their code (core.api).

STAFF_ERROR = OpenApiResponse(ErrorSerializer, description='`{"code", "detail", "errors"}`')
STAFF_REFUSALS = {400: STAFF_ERROR, 401: STAFF_ERROR, 403: STAFF_ERROR, 404: STAFF_ERROR, 409: STAFF_ERROR}
STAFF_ONLY_API = _("Only the district's preschool staff, its centers' operators and kindergarten directors use this.")


class StaffChildSerializer(serializers.Serializer):
    name = serializers.CharField()
    birth_date = serializers.DateField()
    birth_certificate = serializers.CharField(help_text="Masked unless `identifiers_masked` is false")
    pinfl = serializers.CharField(allow_null=True, help_text="Masked unless `identifiers_masked` is false")


class StaffApplicantSerializer(serializers.Serializer):
    name = serializers.CharField()
    identifier = serializers.CharField(help_text="PINFL or passport; masked unless `identifiers_masked` is false")
    relation = serializers.ChoiceField(choices=Relation.choices)


class StaffChoiceSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    program = serializers.IntegerField(source="program_id")
    kindergarten = serializers.CharField(source="program.kindergarten.organization.code")
    age_group = serializers.ChoiceField(source="program.age_group", choices=AgeGroup.choices)
    language = serializers.ChoiceField(source="program.language", choices=TeachingLanguage.choices)
    regime = serializers.ChoiceField(source="program.regime", choices=Regime.choices)


class StaffBenefitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField(source="benefit.code")
    name = serializers.CharField(source="benefit.name")
    tier = serializers.IntegerField(source="benefit.tier")
    status = serializers.ChoiceField(choices=BenefitStatus.choices)
    obtained_by_center = serializers.BooleanField()
    has_scan = serializers.SerializerMethodField()

    def get_has_scan(self, claim) -> bool:
        return bool(claim.evidence_file)


class StaffSeatSerializer(serializers.Serializer):
    """The referral that holds the child's seat now (offered or taken up)."""

    id = serializers.IntegerField()
    kindergarten = serializers.CharField(source="program.kindergarten.organization.code")
    program = serializers.IntegerField(source="program_id")
    status = serializers.ChoiceField(choices=PlacementStatus.choices)
    expires_at = serializers.DateTimeField()


class StaffApplicationSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    queue_date = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    district = serializers.CharField(source="district.code")
    center = serializers.CharField(source="center.code", allow_null=True, default=None)
    identifiers_masked = serializers.SerializerMethodField()
    child = serializers.SerializerMethodField()
    applicant = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    language = serializers.CharField()
    together = serializers.CharField(help_text="Applications sharing this value are placed together (twins)")
    staff_at = serializers.CharField(source="staff_at.organization.code", allow_null=True, default=None)
    choices = StaffChoiceSerializer(source="preferences", many=True)
    benefits = StaffBenefitSerializer(many=True)
    seat = serializers.SerializerMethodField()

    @staticmethod
    def _shown(application, value):
        value = value or ""
        return value if application.full_sight else mask_identifier(value)

    def get_identifiers_masked(self, application) -> bool:
        return not application.full_sight

    @extend_schema_field(StaffChildSerializer)
    def get_child(self, application) -> dict:
        child = application.child
        return {
            "name": child.name,
            "birth_date": child.birth_date,
            "birth_certificate": self._shown(application, child.birth_certificate),
            "pinfl": self._shown(application, child.pinfl) if child.pinfl else None,
        }

    @extend_schema_field(StaffApplicantSerializer)
    def get_applicant(self, application) -> dict:
        person = application.applicant
        return {
            "name": person.name,
            "identifier": self._shown(application, person.pinfl or person.passport),
            "relation": application.relation,
        }

    def get_phone(self, application) -> str:
        return self._shown(application, application.phone)

    @extend_schema_field(StaffSeatSerializer(allow_null=True))
    def get_seat(self, application) -> dict | None:
        seat = application.seat[0] if application.seat else None
        return StaffSeatSerializer(seat).data if seat else None


class StaffPositionSerializer(serializers.Serializer):
    program = serializers.IntegerField(source="program_id")
    position = serializers.IntegerField(help_text="1 = next to be offered a place")
    ahead_privileged = serializers.IntegerField()
    computed_at = serializers.DateTimeField()


class StaffEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    created_at = serializers.DateTimeField()
    public = serializers.BooleanField(help_text="Shown on the family's page")


class StaffApplicationDetailSerializer(StaffApplicationSerializer):
    positions = StaffPositionSerializer(many=True)
    history = StaffEventSerializer(source="events", many=True)


class StaffReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(source="application.number")
    child = serializers.CharField(source="application.child.name")
    birth_date = serializers.DateField(source="application.child.birth_date")
    birth_certificate = serializers.CharField(
        source="application.child.birth_certificate", help_text="In full: checked when the child is enrolled"
    )
    kindergarten = serializers.CharField(source="program.kindergarten.organization.code")
    program = serializers.IntegerField(source="program_id")
    age_group = serializers.ChoiceField(source="program.age_group", choices=AgeGroup.choices)
    status = serializers.ChoiceField(choices=PlacementStatus.choices)
    offered_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="To be taken up by (the term stops while paused)")
    paused_at = serializers.DateTimeField(allow_null=True)
    pause_reason = serializers.CharField()
    enrolled_at = serializers.DateTimeField(allow_null=True)


class StaffProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kindergarten = serializers.CharField(source="kindergarten.organization.code")
    kindergarten_name = serializers.CharField(source="kindergarten.name")
    age_group = serializers.ChoiceField(choices=AgeGroup.choices)
    language = serializers.ChoiceField(choices=TeachingLanguage.choices)
    regime = serializers.ChoiceField(choices=Regime.choices)
    is_active = serializers.BooleanField()
    seats = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Seats held by referrals offered or taken up")
    free = serializers.SerializerMethodField()

    def get_free(self, program) -> int:
        return max(program.seats - program.held, 0)


class EnrolSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The code the family received with the referral by SMS")


class SeatsSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=0, help_text="Seats this school year; never below those held")


def _staff_only(request) -> None:
    if staff_sight(request.user).empty:
        raise Forbidden(STAFF_ONLY_API)


class StaffApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices)
    district = django_filters.CharFilter(field_name="district__code", help_text="City or district code")
    number = django_filters.CharFilter(field_name="number", max_length=16, help_text="Queue number, e.g. M26-0000123")


@extend_schema_view(
    list=extend_schema(
        summary="The district's kindergarten applications, for staff",
        description="Preschool officers see their district's, center operators and managers their centers' "
        "districts', kindergarten directors those choosing or referred to their kindergarten, in queue order. "
        "Identifiers and phones are masked (`identifiers_masked`) unless the role needs them: officers; "
        "operators for applications registered at their center; directors for children referred there.",
        responses={200: StaffApplicationSerializer(many=True), 400: STAFF_ERROR, 401: STAFF_ERROR, 403: STAFF_ERROR},
    ),
    retrieve=extend_schema(
        summary="One kindergarten application, with positions and history",
        responses={200: StaffApplicationDetailSerializer, 401: STAFF_ERROR, 403: STAFF_ERROR, 404: STAFF_ERROR},
    ),
)
class StaffApplicationViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    filterset_class = StaffApplicationFilter
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    def get_serializer_class(self):
        return StaffApplicationDetailSerializer if self.action == "retrieve" else StaffApplicationSerializer

    def get_queryset(self):
        return staff_applications(self.request.user)

    def list(self, request, *args, **kwargs):
        _staff_only(request)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, number=None):
        _staff_only(request)
        number = str(number)
        # PostgreSQL text cannot hold a NUL: such a number names nothing (404), not a database error.
        application = None if "\x00" in number else staff_application(request.user, number[:16])
        if application is None:
            raise exceptions.NotFound(_("No such application, or it is not yours to see."))
        return Response(StaffApplicationDetailSerializer(application).data)


def _referral_status(queryset, name, value):
    return queryset if value == "all" else queryset.filter(status=value)


class StaffReferralFilter(django_filters.FilterSet):
    kindergarten = django_filters.CharFilter(
        field_name="program__kindergarten__organization__code", help_text="Kindergarten code"
    )
    status = django_filters.ChoiceFilter(
        choices=[*PlacementStatus.choices, ("all", "all")],
        method=_referral_status,
        help_text="offered (expected: the default), enrolled, lapsed, declined, withdrawn, left, or all",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Referrals to the caller's kindergartens (by default those expected)",
        description="Kindergarten directors see their kindergarten's, the district's preschool officers every "
        "kindergarten's of the district; the soonest to lapse first.",
        responses={200: StaffReferralSerializer(many=True), 400: STAFF_ERROR, 401: STAFF_ERROR, 403: STAFF_ERROR},
    ),
    retrieve=extend_schema(
        summary="One referral",
        responses={200: StaffReferralSerializer, 401: STAFF_ERROR, 403: STAFF_ERROR, 404: STAFF_ERROR},
    ),
)
class StaffReferralViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = StaffReferralSerializer
    filterset_class = StaffReferralFilter
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        referrals = staff_referrals(self.request.user, status="")
        if self.action == "list" and "status" not in self.request.query_params:
            referrals = referrals.filter(status=PlacementStatus.OFFERED)
        return referrals

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _staff_only(request)

    @extend_schema(
        summary="Enrol the child who came with the referral, on the family's code",
        request=EnrolSerializer,
        responses={
            200: StaffReferralSerializer,
            400: STAFF_ERROR,
            403: STAFF_ERROR,
            404: STAFF_ERROR,
            409: STAFF_ERROR,
        },
        description="409 codes: `referral_code` (wrong code), `referral_used`, `referral_expired`, "
        "`referral_not_offered`, `kindergarten_closed`.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def enrol(self, request, pk=None):
        placement = self.get_object()
        body = EnrolSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        preschool_services.placement_enrol(actor=request.user, placement=placement, code=body.validated_data["code"])
        return Response(StaffReferralSerializer(staff_referrals(request.user, status="").get(pk=placement.pk)).data)


class StaffProgramFilter(django_filters.FilterSet):
    kindergarten = django_filters.CharFilter(
        field_name="kindergarten__organization__code", help_text="Kindergarten code"
    )


@extend_schema_view(
    list=extend_schema(
        summary="Groups of the caller's kindergartens with their seats, held and free",
        responses={200: StaffProgramSerializer(many=True), 400: STAFF_ERROR, 401: STAFF_ERROR, 403: STAFF_ERROR},
    ),
    retrieve=extend_schema(
        summary="One group with its seats",
        responses={200: StaffProgramSerializer, 401: STAFF_ERROR, 403: STAFF_ERROR, 404: STAFF_ERROR},
    ),
)
class StaffProgramViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = StaffProgramSerializer
    filterset_class = StaffProgramFilter
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return staff_programs(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _staff_only(request)

    @extend_schema(
        summary="Set a group's seats this school year",
        request=SeatsSerializer,
        responses={200: StaffProgramSerializer, **STAFF_REFUSALS},
        description="409 `seats_below_held`: fewer seats than referrals and enrolled children hold. Seats added "
        "are offered to the waiting children the same day.",
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def seats(self, request, pk=None):
        program = self.get_object()
        body = SeatsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        preschool_services.program_seats_set(actor=request.user, program=program, seats=body.validated_data["seats"])
        return Response(StaffProgramSerializer(staff_programs(request.user).get(pk=program.pk)).data)
