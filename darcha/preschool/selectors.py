"""Preschool reads.

The registry part (first): the public list of kindergartens and each one's groups with their seats, the
children placed, free places, queues, fees and last admission cutoffs — for the public pages and the open
data API. Every figure is a subquery of one statement, so a page costs the same number of queries
whatever the number of kindergartens, groups or children (tests/preschool/query_counts.json).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, Length
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.choices import OrganizationKind, Role
from darcha.core.identifiers import mask_identifier, mask_name
from darcha.core.models import Organization
from darcha.core.translit import search_key

from . import ages, explain
from .choices import (
    SEAT_HOLDING,
    AgeGroup,
    BenefitStatus,
    CampaignKind,
    CampaignStatus,
    EventKind,
    KindergartenKind,
    PlacementStatus,
    Regime,
    TeachingLanguage,
)
from .models import (
    ACTIVE_STATUSES,
    ApplicationBenefit,
    Benefit,
    Campaign,
    Cutoff,
    EnrollmentApplication,
    Event,
    FeeRate,
    Kindergarten,
    Placement,
    Position,
    Preference,
    Program,
)

# --- registry: filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryFilters:
    """What a visitor narrows the registry by; empty values do not filter. Values are checked by whoever
    builds it (the page drops unknown ones, the API answers 400)."""

    district: Organization | None = None
    kind: str = ""
    language: str = ""
    regime: str = ""
    age_group: str = ""
    free_only: bool = False
    query: str = ""

    @property
    def narrows_programs(self) -> bool:
        return bool(self.language or self.regime or self.age_group or self.free_only)

    @property
    def any(self) -> bool:
        return bool(self.district or self.kind or self.query or self.narrows_programs)


_CODE = re.compile(r"[-\w]{1,64}")


def registry_filters(params, districts: QuerySet[Organization] | None = None) -> RegistryFilters:
    """Filters from a page's query string: an unknown value is ignored rather than refused (a stale
    bookmark still lists kindergartens)."""

    def choice(name: str, choices) -> str:
        value = params.get(name, "")
        return value if value in choices.values else ""

    code = params.get("district", "")
    district = None
    if code and _CODE.fullmatch(code):
        district = (districts if districts is not None else registry_districts()).filter(code=code).first()
    return RegistryFilters(
        district=district,
        kind=choice("kind", KindergartenKind),
        language=choice("language", TeachingLanguage),
        regime=choice("regime", Regime),
        age_group=choice("age", AgeGroup),
        free_only=params.get("free") == "1",
        query=params.get("q", "").strip()[:200],
    )


def registry_districts() -> QuerySet[Organization]:
    """Cities and districts that have a kindergarten in the registry, for the filter."""
    has_kindergarten = Kindergarten.objects.filter(organization__parent=OuterRef("pk"), organization__is_active=True)
    return Organization.objects.filter(
        Exists(has_kindergarten), kind__in=(OrganizationKind.CITY, OrganizationKind.DISTRICT), is_active=True
    ).order_by("path")


# --- registry: figures of a group ------------------------------------------------------------------------


def _count(rows: QuerySet) -> Coalesce:
    """COUNT(*) of `rows` (correlated to the outer program) as a scalar subquery."""
    counted = rows.order_by().values("program").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), Value(0))


def _held_seats() -> Coalesce:
    return _count(Placement.objects.filter(program=OuterRef("pk"), status__in=SEAT_HOLDING))


def _privileged(day: dt.date) -> Exists:
    """The application (of the outer row) holds a confirmed privilege in force on `day`."""
    return Exists(
        ApplicationBenefit.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(benefit__valid_to__isnull=True) | Q(benefit__valid_to__gte=day),
            application=OuterRef("application"),
            status=BenefitStatus.CONFIRMED,
            benefit__valid_from__lte=day,
        )
    )


def _waiting(programs) -> QuerySet[Preference]:
    """Choices of the programs by children who wait for them: active in the queue and holding no seat there
    or at a program they ranked higher (a child holding a lower choice keeps waiting for this one)."""
    seat_as_good = Placement.objects.filter(
        application=OuterRef("application"),
        status__in=SEAT_HOLDING,
        program__preferences__application=OuterRef("application"),
        program__preferences__rank__lte=OuterRef("rank"),
    )
    choices = Preference.objects.filter(application__status__in=ACTIVE_STATUSES)
    # A subquery's outer program (OuterRef) or a list of program ids.
    choices = (
        choices.filter(program=programs) if isinstance(programs, OuterRef) else choices.filter(program__in=programs)
    )
    return choices.filter(~Exists(seat_as_good))


def queue_lengths(program_ids, *, day: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """Program id → (children waiting for it, of them with a confirmed privilege in force on `day`): one
    grouped statement for any number of programs (absent: nobody waits)."""
    day = day or timezone.localdate()
    rows = (
        _waiting(program_ids)
        .order_by()
        .values("program")
        .annotate(waiting=Count("pk"), privileged=Count("pk", filter=Q(_privileged(day))))
    )
    return {row["program"]: (row["waiting"], row["privileged"]) for row in rows}


def programs_with_seats(programs: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """Programs with, per row, `held` (seats held by referrals: issued or taken up), `enrolled` (children
    attending) and `last_cutoff_id` (the cutoff of the latest finished campaign that admitted a child to
    it), in the one statement; `with_queues` adds the queues once they are read (the registry's pages)."""
    programs = Program.objects.all() if programs is None else programs
    last_cutoff = Cutoff.objects.filter(program=OuterRef("pk"), campaign__status=CampaignStatus.DONE, placed__gt=0)
    return programs.annotate(
        held=_held_seats(),
        enrolled=_count(Placement.objects.filter(program=OuterRef("pk"), status=PlacementStatus.ENROLLED)),
        last_cutoff_id=Subquery(last_cutoff.order_by("-campaign__finished_at", "-campaign_id").values("pk")[:1]),
    )


def programs_with_figures(programs: QuerySet[Program] | None = None, *, day: dt.date | None = None):
    """`programs_with_seats` and, in the same statement, `offered`, `free`, `queue` and `queue_privileged`
    (as `with_queues` sets them) — for a few programs; a page of many reads the queues grouped instead."""
    day = day or timezone.localdate()
    waiting = _waiting(OuterRef("pk"))
    return programs_with_seats(programs).annotate(
        offered=F("held") - F("enrolled"),
        free=Greatest(F("seats") - F("held"), Value(0)),
        queue=_count(waiting),
        queue_privileged=_count(waiting.filter(_privileged(day))),
    )


def with_queues(programs: list[Program], *, day: dt.date | None = None) -> list[Program]:
    """Onto programs read through `programs_with_seats`: `offered` (referrals issued, not yet taken up),
    `free` (seats not held, never below 0), `queue` (children waiting for it) and `queue_privileged` (of
    them with a confirmed privilege) — one more statement for all of them."""
    lengths = queue_lengths([program.pk for program in programs], day=day) if programs else {}
    for program in programs:
        program.offered = program.held - program.enrolled
        program.free = max(program.seats - program.held, 0)
        program.queue, program.queue_privileged = lengths.get(program.pk, (0, 0))
    return programs


def _program_conditions(filters: RegistryFilters) -> Q:
    condition = Q(is_active=True)
    if filters.language:
        condition &= Q(language=filters.language)
    if filters.regime:
        condition &= Q(regime=filters.regime)
    if filters.age_group:
        condition &= Q(age_group=filters.age_group)
    return condition


# --- registry: fees and cutoffs --------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyFee:
    """The parental fee of a group a month: for one child, and for each when several of a family attend
    (None: the table has no amount for it). A private kindergarten sets its own fee."""

    one: int | None = None
    each: int | None = None
    valid_from: dt.date | None = None
    own_price: bool = False

    @property
    def known(self) -> bool:
        return self.one is not None or self.each is not None


def fee_rates_on(day: dt.date | None = None) -> dict[tuple[str, str, bool], FeeRate]:
    """The fee table in force on `day`: the latest row up to that day for each location class × regime ×
    one/several children (the table is small: one query, chosen in Python)."""
    day = day or timezone.localdate()
    rates: dict[tuple[str, str, bool], FeeRate] = {}
    for rate in FeeRate.objects.filter(valid_from__lte=day).order_by("-valid_from"):
        rates.setdefault((rate.location_class, rate.regime, rate.several_children), rate)
    return rates


def monthly_fee(kindergarten: Kindergarten, program: Program, rates: dict) -> MonthlyFee:
    if kindergarten.kind == KindergartenKind.PRIVATE:
        return MonthlyFee(own_price=True)
    one = rates.get((kindergarten.location_class, program.regime, False))
    each = rates.get((kindergarten.location_class, program.regime, True))
    dates = [rate.valid_from for rate in (one, each) if rate is not None]
    return MonthlyFee(
        one=one.amount if one else None,
        each=each.amount if each else None,
        valid_from=max(dates) if dates else None,
    )


GENERAL_LIST_TIERS = (0, None)
GENERAL_TIER = 1000  # allocation.GENERAL_TIER: a key without a confirmed privilege


def cutoff_words(cutoff: Cutoff | None) -> str:
    """The priority of the last child admitted, in plain words: "Last admitted: general list, in the
    queue since 14 March 2023." (in the active language)."""
    if cutoff is None:
        return _("No child has been admitted to this group by an allocation yet.")
    if cutoff.tier in GENERAL_LIST_TIERS or cutoff.tier >= GENERAL_TIER:
        parts = [_("general list")]
    elif cutoff.tier == 1:
        parts = [_("privileged list")]
    else:
        parts = [_("privileged list, tier %(tier)s") % {"tier": cutoff.tier}]
    if cutoff.sibling:
        parts.append(_("a brother or sister attends this kindergarten"))
    if cutoff.staff:
        parts.append(_("a parent works at this kindergarten"))
    if cutoff.queue_date is not None:
        since = formats.date_format(timezone.localtime(cutoff.queue_date), "DATE_FORMAT")
        parts.append(_("in the queue since %(date)s") % {"date": since})
    # No closing full stop: a date format may end with one ("1 января 2025 г.").
    return _("Last admitted: %(details)s") % {"details": ", ".join(parts)}


def _attach(kindergartens: list[Kindergarten], programs_attr: str, day: dt.date) -> None:
    """Queues, fees and cutoffs onto the prefetched programs: three queries for any number of them."""
    programs = with_queues([program for garden in kindergartens for program in getattr(garden, programs_attr)], day=day)
    wanted = {program.last_cutoff_id for program in programs if program.last_cutoff_id}
    cutoffs = Cutoff.objects.select_related("campaign").in_bulk(wanted) if wanted else {}
    rates = fee_rates_on(day) if programs else {}
    for garden in kindergartens:
        for program in getattr(garden, programs_attr):
            program.fee = monthly_fee(garden, program, rates)
            program.cutoff = cutoffs.get(program.last_cutoff_id)
            program.cutoff_text = cutoff_words(program.cutoff)


# --- registry: lists and pages ---------------------------------------------------------------------------


def registry_kindergartens() -> QuerySet[Kindergarten]:
    """Kindergartens of the public registry, in district order and by number (2 before 12)."""
    return (
        Kindergarten.objects.filter(organization__is_active=True)
        .select_related("organization", "organization__parent")
        .order_by("organization__parent__path", Length("number"), "number", "organization__code")
    )


def registry_search(filters: RegistryFilters) -> QuerySet[Kindergarten]:
    """Kindergartens matching the filters: the place, the kind, words of the name, number, mahalla or
    address in any script (`baxt`, `бахт`), and having a group of the language, regime and age asked for
    — with a free place if asked."""
    gardens = registry_kindergartens()
    if filters.district is not None:
        gardens = gardens.filter(organization__path__startswith=filters.district.path)
    if filters.kind:
        gardens = gardens.filter(kind=filters.kind)
    for word in search_key(filters.query).split()[:8]:
        gardens = gardens.filter(search_text__contains=word)
    if filters.narrows_programs:
        groups = Program.objects.filter(_program_conditions(filters), kindergarten=OuterRef("pk"))
        if filters.free_only:
            groups = groups.annotate(held=_held_seats()).filter(seats__gt=F("held"))
        gardens = gardens.filter(Exists(groups))
    return gardens


def registry_page_programs(kindergartens, filters: RegistryFilters, *, day: dt.date | None = None) -> None:
    """The groups (matching the filters) of one page of kindergartens, with their figures, as
    `garden.registry_programs`: one query for the page, plus queues, fees and cutoffs."""
    day = day or timezone.localdate()
    kindergartens = list(kindergartens)
    matching = programs_with_seats(Program.objects.filter(_program_conditions(filters)))
    if filters.free_only:
        matching = matching.filter(seats__gt=F("held"))
    prefetch_related_objects(
        kindergartens, Prefetch("programs", queryset=matching.order_by(*PROGRAM_ORDER), to_attr="registry_programs")
    )
    _attach(kindergartens, "registry_programs", day)


PROGRAM_ORDER = ("age_group", "language", "regime", "id")


def registry_kindergarten(code: str, *, day: dt.date | None = None) -> Kindergarten:
    """One kindergarten of the registry by its organization's code, with its groups and their figures,
    fees and cutoffs as `registry_programs` (Kindergarten.DoesNotExist when there is none)."""
    day = day or timezone.localdate()
    programs = programs_with_seats(Program.objects.filter(is_active=True)).order_by(*PROGRAM_ORDER)
    garden = (
        registry_kindergartens()
        .prefetch_related(Prefetch("programs", queryset=programs, to_attr="registry_programs"))
        .get(organization__code=code)
    )
    _attach([garden], "registry_programs", day)
    return garden


@dataclass(frozen=True)
class RegistryTotals:
    kindergartens: int
    seats: int
    free: int


def registry_totals() -> RegistryTotals:
    """What the landing page sums up: kindergartens, seats and free places across the registry."""
    programs = Program.objects.filter(is_active=True, kindergarten__organization__is_active=True)
    free = Greatest(F("seats") - _held_seats(), Value(0))
    figures = programs.annotate(free_here=free).aggregate(seats=Sum("seats"), free=Sum("free_here"))
    return RegistryTotals(
        kindergartens=registry_kindergartens().count(),
        seats=figures["seats"] or 0,
        free=figures["free"] or 0,
    )


# --- desks: the kindergarten director's and the district preschool department's ----------------------------
# The desks read the same figures as the registry (`programs_with_figures`: held, enrolled, free, queue,
# privileged queue, by the same rule of who waits for a group), and cost a fixed number of queries however
# many kindergartens, groups and children there are (tests/preschool/query_counts.json, "desk.*").


def desk_kindergarten(code: str) -> Kindergarten | None:
    """A kindergarten by its organization's code, with the organization and its district (active or not:
    a closed or retired kindergarten still has referrals and children to see to)."""
    return (
        Kindergarten.objects.select_related("organization", "organization__parent")
        .filter(organization__code=code[:64])
        .first()
    )


def desk_district(code: str) -> Organization | None:
    """A city or district by its code: the department's desk is addressed by the place it serves."""
    return Organization.objects.filter(
        code=code[:64], kind__in=(OrganizationKind.CITY, OrganizationKind.DISTRICT)
    ).first()


def desk_programs(kindergarten: Kindergarten, *, day: dt.date | None = None) -> list[Program]:
    """The kindergarten's groups, those taking children first, with the registry's figures and `offered`
    (referrals not taken up yet): one query."""
    programs = list(
        programs_with_figures(Program.objects.filter(kindergarten=kindergarten), day=day).order_by(
            "-is_active", *PROGRAM_ORDER
        )
    )
    for program in programs:
        program.offered = program.held - program.enrolled
    return programs


def desk_program(kindergarten: Kindergarten, program_id) -> Program | None:
    """One group of this kindergarten, or None (another kindergarten's group is not found here)."""
    try:
        program_id = int(program_id)
    except (TypeError, ValueError):
        return None
    return (
        Program.objects.select_related("kindergarten__organization")
        .filter(pk=program_id, kindergarten=kindergarten)
        .first()
    )


@dataclass
class KindergartenFigures:
    """One kindergarten of a district as its department reads it: sums over the groups taking children;
    the queue counts each child once, however many of the kindergarten's groups it ranked."""

    kindergarten: Kindergarten
    programs: int = 0
    seats: int = 0
    held: int = 0
    queue: int = 0
    privileged: int = 0

    @property
    def free(self) -> int:
        return max(self.seats - self.held, 0)


def _district_waiting(district: Organization) -> QuerySet[Preference]:
    """`_waiting_for` over every group of the district's kindergartens at once."""
    seat_as_good = Placement.objects.filter(
        application=OuterRef("application"),
        status__in=SEAT_HOLDING,
        program__preferences__application=OuterRef("application"),
        program__preferences__rank__lte=OuterRef("rank"),
    )
    return Preference.objects.filter(
        program__kindergarten__organization__parent=district,
        program__is_active=True,
        application__status__in=ACTIVE_STATUSES,
    ).filter(~Exists(seat_as_good))


def district_kindergartens(district: Organization, *, day: dt.date | None = None) -> list[KindergartenFigures]:
    """Every kindergarten of the city or district with its groups, seats, held, free, queue and privileged
    queue: three queries (the kindergartens with their seats and held seats, then the queues)."""
    day = day or timezone.localdate()
    active = Program.objects.filter(kindergarten=OuterRef("pk"), is_active=True)
    seats = active.order_by().values("kindergarten").annotate(n=Sum("seats")).values("n")
    groups = active.order_by().values("kindergarten").annotate(n=Count("pk")).values("n")
    held = (
        Placement.objects.filter(program__kindergarten=OuterRef("pk"), program__is_active=True, status__in=SEAT_HOLDING)
        .order_by()
        .values("program__kindergarten")
        .annotate(n=Count("pk"))
        .values("n")
    )
    gardens = (
        Kindergarten.objects.filter(organization__parent=district)
        .select_related("organization")
        .annotate(
            seat_count=Coalesce(Subquery(seats[:1]), Value(0)),
            group_count=Coalesce(Subquery(groups[:1]), Value(0)),
            held_count=Coalesce(Subquery(held[:1]), Value(0)),
        )
        .order_by(Length("number"), "number", "organization__code")
    )
    rows = {
        garden.pk: KindergartenFigures(
            kindergarten=garden,
            programs=garden.group_count,
            seats=garden.seat_count,
            held=garden.held_count,
        )
        for garden in gardens
    }
    waiting = _district_waiting(district).annotate(privileged=_privileged(day))
    queues = (
        waiting.order_by()
        .values("program__kindergarten")
        .annotate(
            queue=Count("application", distinct=True),
            privileged_queue=Count("application", distinct=True, filter=Q(privileged=True)),
        )
    )
    for row in queues:
        figures = rows.get(row["program__kindergarten"])
        if figures is not None:
            figures.queue, figures.privileged = row["queue"], row["privileged_queue"]
    return list(rows.values())


def _desk_placements(kindergarten: Kindergarten, status: str) -> QuerySet[Placement]:
    return Placement.objects.filter(program__kindergarten=kindergarten, status=status).select_related(
        "program", "application", "application__child"
    )


def referrals_expected(kindergarten: Kindergarten) -> QuerySet[Placement]:
    """Referrals to the kindergarten not taken up yet, the nearest deadline first (paused ones, whose
    term is stopped, after the running ones)."""
    return _desk_placements(kindergarten, PlacementStatus.OFFERED).order_by(
        F("paused_at").asc(nulls_first=True), "expires_at", "pk"
    )


def children_attending(kindergarten: Kindergarten) -> QuerySet[Placement]:
    """The enrolled children, group by group, then by name."""
    return _desk_placements(kindergarten, PlacementStatus.ENROLLED).order_by(
        *(f"program__{field}" for field in PROGRAM_ORDER), "application__child__name", "pk"
    )


def desk_placement(kindergarten: Kindergarten, placement_id) -> Placement | None:
    """One referral to this kindergarten (in any state), or None: another kindergarten's is not found here."""
    try:
        placement_id = int(placement_id)
    except (TypeError, ValueError):
        return None
    return (
        Placement.objects.select_related("program", "program__kindergarten", "application", "application__child")
        .filter(pk=placement_id, program__kindergarten=kindergarten)
        .first()
    )


def district_campaigns(district: Organization, *, kind: str, limit: int | None = None) -> QuerySet[Campaign]:
    """The district's campaigns of one kind, the newest first."""
    campaigns = Campaign.objects.filter(district=district, kind=kind).order_by("-created_at", "-pk")
    return campaigns[:limit] if limit else campaigns


def district_campaign(district: Organization, campaign_id) -> Campaign | None:
    """One campaign of the district, or None (another district's is not found here)."""
    try:
        campaign_id = int(campaign_id)
    except (TypeError, ValueError):
        return None
    return Campaign.objects.select_related("district", "run_by").filter(pk=campaign_id, district=district).first()


def desk_panel_kindergarten(organization: Organization) -> dict | None:
    """What the director's desk panel shows: the kindergarten with its seats, held and free, referrals
    expected (of them paused) and children attending (three queries), or None without a kindergarten."""
    garden = Kindergarten.objects.select_related("organization").filter(organization=organization).first()
    if garden is None:
        return None
    seats = Program.objects.filter(kindergarten=garden, is_active=True).aggregate(n=Sum("seats"))["n"] or 0
    counts = Placement.objects.filter(program__kindergarten=garden).aggregate(
        offered=Count("pk", filter=Q(status=PlacementStatus.OFFERED)),
        paused=Count("pk", filter=Q(status=PlacementStatus.OFFERED, paused_at__isnull=False)),
        enrolled=Count("pk", filter=Q(status=PlacementStatus.ENROLLED)),
        held=Count("pk", filter=Q(status__in=SEAT_HOLDING, program__is_active=True)),
    )
    return {"garden": garden, "seats": seats, "free": max(seats - counts["held"], 0), **counts}


# --- front office: the operator's application and the privilege checks -----------------------------------


@dataclass(frozen=True)
class DistrictRules:
    """What the district's latest main campaign says about applications (the settings' defaults without one)."""

    max_choices: int
    district_only: bool


def district_rules(district: Organization) -> DistrictRules:
    campaign = (
        Campaign.objects.filter(district=district, kind=CampaignKind.MAIN)
        .order_by("-school_year", "-created_at", "-id")
        .only("max_choices", "district_only")
        .first()
    )
    if campaign is None:
        return DistrictRules(settings.PRESCHOOL_MAX_CHOICES, True)
    return DistrictRules(campaign.max_choices, campaign.district_only)


def benefits_in_force(day: dt.date) -> QuerySet[Benefit]:
    """The privileged categories a family may claim on `day`."""
    return Benefit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


def front_programs(district: Organization, *, region_wide: bool = False) -> list[tuple[Kindergarten, list[Program]]]:
    """The district's open kindergartens with the programs taking children, by kindergarten (two queries);
    `region_wide` (a campaign that is not district-only): those of every city and district of its region."""
    where = (
        Q(organization__parent__parent_id=district.parent_id)
        if region_wide and district.parent_id
        else Q(organization__parent=district)
    )
    gardens = list(
        Kindergarten.objects.filter(where, organization__is_active=True)
        .select_related("organization__parent")
        .prefetch_related(
            Prefetch(
                "programs",
                queryset=Program.objects.filter(is_active=True).order_by("age_group", "language", "regime"),
                to_attr="open_programs",
            )
        )
        .order_by("organization__parent__path", Length("number"), "number", "organization__name_uz", "id")
    )
    for garden in gardens:
        for program in garden.open_programs:
            program.kindergarten = garden  # ages.may_join reads the kind without a query
    return [(garden, garden.open_programs) for garden in gardens if garden.open_programs]


def _application_detail(queryset: QuerySet[EnrollmentApplication]) -> QuerySet[EnrollmentApplication]:
    preferences = Preference.objects.select_related("program__kindergarten__organization")
    benefits = ApplicationBenefit.objects.select_related("benefit").order_by("benefit__tier", "benefit__order")
    return queryset.select_related(
        "child", "applicant", "district", "center", "staff_at__organization"
    ).prefetch_related(Prefetch("preferences", queryset=preferences), Prefetch("benefits", queryset=benefits))


def front_application(center: Organization, number: str) -> EnrollmentApplication | None:
    """An application registered at this center, for its done page."""
    return _application_detail(EnrollmentApplication.objects.filter(center=center, number=number)).first()


def front_sibling(district: Organization, number: str) -> EnrollmentApplication | None:
    """An active application of the district, to place another child together with it."""
    return _application_detail(
        EnrollmentApplication.objects.filter(district=district, number=number, status__in=ACTIVE_STATUSES)
    ).first()


def may_check_benefits(user, district: Organization) -> bool:
    """The district's preschool officers, and the operators and managers of its centers, decide privileges."""
    if access.has_role(user, Role.PRESCHOOL_OFFICER, district):
        return True
    centers = Organization.objects.filter(parent=district, kind=OrganizationKind.CENTER)
    return any(access.has_role(user, access.CENTER_STAFF, center) for center in centers)


def benefit_claims_pending(district: Organization) -> QuerySet[ApplicationBenefit]:
    """Privileges claimed in the district's active applications and not decided yet, oldest first."""
    return (
        ApplicationBenefit.objects.filter(
            application__district=district,
            application__status__in=ACTIVE_STATUSES,
            status=BenefitStatus.CLAIMED,
        )
        .select_related("benefit", "application__child", "application__applicant", "application__center")
        .order_by("created_at", "id")
    )


def benefit_claim(district: Organization, claim_id: int) -> ApplicationBenefit | None:
    """A claimed privilege of the district (decided or not), with its application."""
    return (
        ApplicationBenefit.objects.filter(application__district=district, pk=claim_id)
        .select_related("benefit", "decided_by", "application__child", "application__applicant", "application__center")
        .first()
    )


# --- staff API: the district's applications, the referrals expected, seats --------------------------------


@dataclass(frozen=True)
class StaffSight:
    """What a user's preschool and front-office roles open in the staff API.

    Officers: their districts, in full. Center operators and managers: their centers' districts, identifiers
    in full only of applications registered at their center. Directors: applications choosing or referred to
    their kindergarten, in full only of a child holding a referral there."""

    everything: bool
    districts: frozenset[int]  # officers' districts
    centers: frozenset[int]  # the user's centers
    center_districts: frozenset[int]
    kindergartens: frozenset[int]  # organization ids of the kindergartens the user directs

    @property
    def empty(self) -> bool:
        return not (self.everything or self.districts or self.center_districts or self.kindergartens)


def staff_sight(user) -> StaffSight:
    granted = access.scope(user)
    if granted.everything:
        return StaffSight(True, frozenset(), frozenset(), frozenset(), frozenset())
    paths = granted.paths(Role.PRESCHOOL_OFFICER)
    districts = frozenset()
    if paths:
        under = Q()
        for path in paths:
            under |= Q(path=path)
        districts = frozenset(Organization.objects.filter(under).values_list("pk", flat=True))
    centers = frozenset(
        Organization.objects.filter(
            pk__in=granted.organizations(access.CENTER_STAFF), kind=OrganizationKind.CENTER
        ).values_list("pk", flat=True)
    )
    center_districts = frozenset(
        Organization.objects.filter(pk__in=centers, parent__isnull=False).values_list("parent_id", flat=True)
    )
    kindergartens = frozenset(
        Kindergarten.objects.filter(organization_id__in=granted.organizations(Role.KINDERGARTEN_DIRECTOR)).values_list(
            "organization_id", flat=True
        )
    )
    return StaffSight(False, districts, centers, center_districts, kindergartens)


def _holds_seat_at(kindergartens) -> Exists:
    return Exists(
        Placement.objects.filter(
            application=OuterRef("pk"),
            status__in=SEAT_HOLDING,
            program__kindergarten__organization_id__in=kindergartens,
        )
    )


def staff_applications(user, *, status: str = "", district: Organization | None = None, number: str = ""):
    """The applications the user's roles open, with `full_sight` (identifiers shown in full), newest in the
    queue last (queue order)."""
    sight = staff_sight(user)
    applications = EnrollmentApplication.objects.all()
    if sight.everything:
        full = Value(True)
    else:
        chooses = Exists(
            Preference.objects.filter(
                application=OuterRef("pk"), program__kindergarten__organization_id__in=sight.kindergartens
            )
        )
        seen = (
            Q(district_id__in=sight.districts)
            | Q(district_id__in=sight.center_districts)
            | chooses
            | _holds_seat_at(sight.kindergartens)
        )
        applications = applications.filter(seen)
        needs = Q(district_id__in=sight.districts) | Q(center_id__in=sight.centers)
        full = Case(
            When(needs | _holds_seat_at(sight.kindergartens), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    if status:
        applications = applications.filter(status=status)
    if district is not None:
        applications = applications.filter(district=district)
    if number:
        applications = applications.filter(number=number)
    return (
        _application_detail(applications)
        .annotate(full_sight=full)
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.filter(status__in=SEAT_HOLDING).select_related(
                    "program__kindergarten__organization"
                ),
                to_attr="seat",
            )
        )
        .order_by("queue_date", "id")
    )


def staff_application(user, number: str) -> EnrollmentApplication | None:
    """One application the user may see, with its positions and history."""
    return (
        staff_applications(user, number=number)
        .prefetch_related(
            Prefetch("positions", queryset=Position.objects.select_related("program").order_by("position")),
            Prefetch("events", queryset=Event.objects.order_by("created_at", "id")),
        )
        .first()
    )


def staff_kindergartens(user) -> QuerySet[Kindergarten]:
    """The kindergartens whose seats and referrals the user runs: directed, or of an officer's district."""
    sight = staff_sight(user)
    gardens = Kindergarten.objects.select_related("organization")
    if sight.everything:
        return gardens
    return gardens.filter(Q(organization_id__in=sight.kindergartens) | Q(organization__parent_id__in=sight.districts))


def staff_referrals(user, *, status: str = PlacementStatus.OFFERED, kindergarten: Kindergarten | None = None):
    """Referrals to the user's kindergartens (by default those expected: offered, not yet taken up), the
    soonest to lapse first."""
    placements = Placement.objects.filter(program__kindergarten__in=staff_kindergartens(user))
    if status:
        placements = placements.filter(status=status)
    if kindergarten is not None:
        placements = placements.filter(program__kindergarten=kindergarten)
    return placements.select_related(
        "application__child", "application__applicant", "program__kindergarten__organization"
    ).order_by("expires_at", "id")


def staff_programs(user, *, kindergarten: Kindergarten | None = None) -> QuerySet[Program]:
    """The programs of the user's kindergartens, with the seats held (`held`) by referrals offered or taken up."""
    programs = Program.objects.filter(kindergarten__in=staff_kindergartens(user))
    if kindergarten is not None:
        programs = programs.filter(kindergarten=kindergarten)
    held = Count("placements", filter=Q(placements__status__in=SEAT_HOLDING))
    return (
        programs.select_related("kindergarten__organization")
        .annotate(held=held)
        .order_by("kindergarten__organization__path", "kindergarten_id", "age_group", "language", "regime")
    )


# --- family: the family's page, the online application, the receipt ---------------------------------------


@dataclass(frozen=True)
class ChoiceRules:
    """What a district's applications may choose now: the school year being allocated for (its reference
    date counts ages), how many programs a family may rank, whether only the district's own."""

    school_year: int
    reference_date: dt.date
    max_choices: int
    district_only: bool


def family_choice_rules(district: Organization, now: dt.datetime | None = None) -> ChoiceRules:
    """The rules the services apply to the district's applications (the district's latest main campaign's,
    else the settings'), with the school year whose reference date is next."""
    from .services import _common  # the services' own reading of the campaign rules: the two cannot differ

    campaign = _common.district_campaign(district.pk)
    school_year = ages.school_year_for(now)
    return ChoiceRules(
        school_year=school_year,
        reference_date=ages.reference_date(school_year),
        max_choices=_common.max_choices(campaign),
        district_only=_common.district_only(campaign),
    )


def family_districts() -> list[Organization]:
    """The cities and districts a family may apply in: those with a kindergarten in the registry."""
    return list(registry_districts())


def family_benefits(day: dt.date | None = None) -> list[Benefit]:
    """The privileged categories in force on `day`, in their order."""
    day = day or timezone.localdate()
    return list(
        Benefit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day).order_by(
            "tier", "order", "code"
        )
    )


def family_district_programs(district: Organization) -> list[Program]:
    """The district's programs that take children, kindergarten by kindergarten."""
    programs = (
        Program.objects.filter(
            kindergarten__organization__parent=district, kindergarten__organization__is_active=True, is_active=True
        )
        .select_related("kindergarten__organization")
        .order_by("kindergarten__organization__path", "kindergarten__number", "age_group", "language", "regime")
    )
    return list(programs)


def family_programs(
    district: Organization, birth_date: dt.date, school_year: int, programs: list[Program] | None = None
) -> list[Program]:
    """Of the district's programs (or `programs`), those a child born on `birth_date` may choose: at each
    kindergarten, the youngest group it takes from the one of the child's age in the first school year
    (from `school_year`) the child may join one — the rule the services check a choice by."""
    from .services.intake import youngest_group_for  # the services' own rule, so the list and the check agree

    programs = family_district_programs(district) if programs is None else programs
    offered: dict[int, set[str]] = {}
    for program in programs:
        offered.setdefault(program.kindergarten_id, set()).add(program.age_group)
    entry: dict[int, str | None] = {}
    for program in programs:
        if program.kindergarten_id not in entry:
            found = youngest_group_for(
                program.kindergarten.kind, offered[program.kindergarten_id], birth_date, school_year
            )
            entry[program.kindergarten_id] = found[0] if found else None
    return [program for program in programs if entry[program.kindergarten_id] == program.age_group]


def family_application(number: str) -> EnrollmentApplication | None:
    """The application of a queue number with what the family's page, the edits and the receipt read."""
    return (
        EnrollmentApplication.objects.select_related("child", "applicant", "district", "center")
        .prefetch_related(
            Prefetch(
                "preferences",
                queryset=Preference.objects.select_related("program__kindergarten__organization").order_by("rank"),
            ),
            Prefetch("benefits", queryset=ApplicationBenefit.objects.select_related("benefit")),
        )
        .filter(number=number)
        .first()
    )


def staff_may_see(user, application: EnrollmentApplication) -> bool:
    """May a staff member open the application's receipt: the center's staff where it was registered, the
    district's preschool department."""
    if not getattr(user, "is_authenticated", False):
        return False
    if application.center_id and access.has_role(user, access.CENTER_STAFF, application.center):
        return True
    return access.has_role(user, Role.PRESCHOOL_OFFICER, application.district)


def _last_cutoffs(program_ids: list[int]) -> dict[int, Cutoff]:
    """The cutoff of each program's latest finished allocation (one query)."""
    cutoffs: dict[int, Cutoff] = {}
    rows = (
        Cutoff.objects.filter(program_id__in=program_ids, campaign__status=CampaignStatus.DONE)
        .select_related("campaign")
        .order_by("program_id", "-campaign__finished_at", "-campaign_id")
    )
    for cutoff in rows:
        cutoffs.setdefault(cutoff.program_id, cutoff)
    return cutoffs


def family_seats(application: EnrollmentApplication) -> tuple[Placement | None, Placement | None]:
    """(the referral offered now, the place the child attends): both for a child enrolled somewhere that
    was offered a group it ranked higher (a transfer), until it takes that up."""
    held = list(
        Placement.objects.filter(application=application, status__in=SEAT_HOLDING).select_related(
            "program__kindergarten__organization"
        )
    )
    offered = next((p for p in held if p.status == PlacementStatus.OFFERED), None)
    enrolled = next((p for p in held if p.status == PlacementStatus.ENROLLED), None)
    return offered, enrolled


def family_referral(application: EnrollmentApplication) -> Placement | None:
    """The seat the child holds that the family acts on: the referral offered, else the place it attends."""
    offered, enrolled = family_seats(application)
    return offered or enrolled


def _program_words(program: Program | None) -> str:
    if program is None:
        return _("a group no longer listed")
    parts = (program.kindergarten.name, program.get_age_group_display(), program.get_language_display())
    return " · ".join(str(part) for part in parts)


def _event_lines(event: Event, programs: dict[int, Program], benefits: dict[str, Benefit]) -> list[str]:
    """What an event of the history says beyond its title, in plain words (the reasons of a position)."""
    data = event.data or {}
    lines: list[str] = []
    if event.kind == EventKind.POSITION:
        # services.positions: {"changes": [{"program", "from", "to", "ahead_privileged", "reasons"}]}
        for change in data.get("changes") or []:
            head = _program_words(programs.get(change.get("program")))
            if isinstance(change.get("to"), int):
                words = explain.change_text(change.get("from"), change["to"], change.get("reasons") or [])
                lines.append(f"{head} — {words}")
        return lines
    if event.kind in (EventKind.REGISTERED, EventKind.PREFERENCES):
        chosen = data.get("choices") if event.kind == EventKind.REGISTERED else data.get("to")
        for rank, program_id in enumerate(chosen or [], start=1):
            lines.append(f"{rank}. {_program_words(programs.get(program_id))}")
        return lines
    if event.kind == EventKind.EDITED:
        names = {"phone": _("the phone for notices"), "language": _("the language of notices")}
        changed = [str(names.get(name, name)) for name in data.get("changed") or []]
        return [_("Changed: %(what)s.") % {"what": ", ".join(changed)}] if changed else []
    if event.kind == EventKind.AGE_GROUP:
        group = AgeGroup(data["group"]).label if data.get("group") in AgeGroup.values else data.get("group", "")
        day = _iso_date(data.get("day"))
        lines.append(
            explain.reason_text({"code": explain.OWN_MOVED_UP, "group": group, "day": day or data.get("day", "")})
        )
        for old, new in data.get("moved") or []:
            lines.append(f"{_program_words(programs.get(old))} → {_program_words(programs.get(new))}")
        for gone in data.get("dropped") or []:
            lines.append(
                _("No longer chosen (no such group there): %(group)s") % {"group": _program_words(programs.get(gone))}
            )
        return lines
    if event.kind == EventKind.BENEFIT:
        benefit = benefits.get(data.get("benefit"))
        status = data.get("status")
        label = BenefitStatus(status).label if status in BenefitStatus.values else ""
        if benefit is not None:
            lines.append(f"{benefit.name}: {label}" if label else str(benefit.name))
    elif data.get("program") in programs:
        lines.append(_program_words(programs[data["program"]]))
    if data.get("choice_removed"):
        lines.append(_("This group was taken off your choices."))
    due = _iso_date(data.get("expires_at"))
    if due and event.kind in (EventKind.OFFERED, EventKind.REMINDED, EventKind.RESUMED):
        lines.append(_("Take it up by %(date)s.") % {"date": due})
    for key in ("reason", "note"):
        if data.get(key) and data[key] != "declined":
            lines.append(str(data[key]))
    return lines


def _iso_date(value) -> str:
    """A date or moment stored as ISO text, in words ("" when it is none)."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return formats.date_format(day, "DATE_FORMAT")


def family_history(application: EnrollmentApplication) -> list[dict]:
    """Every change the family is shown, newest first, each with its reasons in plain words."""
    events = list(Event.objects.filter(application=application, public=True).order_by("-created_at", "-id"))
    program_ids: set[int] = set()
    for event in events:
        data = event.data or {}
        for change in data.get("changes") or [data]:
            if isinstance(change.get("program"), int):
                program_ids.add(change["program"])
        for key in ("choices", "to", "dropped"):
            program_ids.update(pk for pk in data.get(key) or [] if isinstance(pk, int))
        program_ids.update(pk for pair in data.get("moved") or [] for pk in pair if isinstance(pk, int))
    programs = Program.objects.select_related("kindergarten__organization").in_bulk(program_ids)
    codes = {(event.data or {}).get("benefit") for event in events if event.kind == EventKind.BENEFIT}
    benefits = {b.code: b for b in Benefit.objects.filter(code__in=[c for c in codes if c])}
    return [
        {
            "at": event.created_at,
            "kind": event.kind,
            "label": event.get_kind_display(),
            "lines": _event_lines(event, programs, benefits),
        }
        for event in events
    ]


def family_view(application: EnrollmentApplication) -> dict:
    """What the family's page shows: the child (identifiers masked), the status and queue date, the
    referral, the position in each program ranked above the current placement with its last cutoff, the
    privileges claimed and the history."""
    preferences = list(application.preferences.all())
    offered, enrolled = family_seats(application)
    referral = offered or enrolled
    held = {p.program_id: p for p in (offered, enrolled) if p is not None}
    positions = {p.program_id: p for p in Position.objects.filter(application=application)}
    cutoffs = _last_cutoffs([p.program_id for p in preferences])
    # Positions count for the groups ranked above the best seat held.
    placed_rank = min((p.rank for p in preferences if p.program_id in held), default=None)
    choices = []
    for preference in preferences:
        above = placed_rank is None or preference.rank < placed_rank
        cutoff = cutoffs.get(preference.program_id)
        choices.append(
            {
                "rank": preference.rank,
                "program": preference.program,
                "kindergarten": preference.program.kindergarten,
                "placed_here": preference.program_id in held,
                "seat": held.get(preference.program_id),
                "above": above,
                "position": positions.get(preference.program_id) if above else None,
                "cutoff": cutoff,
                "cutoff_text": cutoff_words(cutoff),
            }
        )
    child = application.child
    rules = family_choice_rules(application.district)
    return {
        "application": application,
        "number": application.number,
        "child_initials": mask_name(child.name),
        "birth_year": child.birth_date.year,
        "birth_certificate": mask_identifier(child.birth_certificate, 3),
        "age_group": ages.age_group_on(child.birth_date, rules.reference_date),
        "reference_date": rules.reference_date,
        "referral": referral,
        "offered": offered,
        "enrolled": enrolled,
        "choices": choices,
        "benefits": sorted(application.benefits.all(), key=lambda c: (c.benefit.tier, c.benefit.order, c.pk)),
        "history": family_history(application),
    }
