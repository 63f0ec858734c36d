"""The preschool stage of the Namangan demo loader (preschool.toml, kindergartens.toml).

Reference data is entered as an administrator would (`record_save`): the district preschool departments,
the kindergartens (organizations of kind kindergarten under their city or district) with their programs,
the fee table, the privileged categories, and the center's "Baxtli bola" desk (a queue category with
its services; its window is in center.toml).

The queue is played through the preschool services in the order things happened, with the clock moved
to each moment: about 5,000 children (darcha/demo/children.py) joining — most at their birth
registration — privileges claimed and checked, choices moving up an age group on each reference date,
the main campaign of the current school year run by the district's officer, its referrals taken up
(the director enters the code of the family's SMS), declined or lapsed with their seats offered on by
continuous allocation, and, a few days before the load, a few children leaving so that a few referrals
are open now. Like the applications of the cases demo it is loaded with the demo users only, and only
where neither place has a queue yet. The years before those last days are history: their notices are
muted (`notify.notices_muted`: neither stored nor sent), and continuous allocation's runs leave the
families' positions to one refresh at the end.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone

from darcha.catalog.models import Category, Service
from darcha.core.audit import SYSTEM, audit_batch
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.models import Organization, Person, User
from darcha.core.money import FeeKind
from darcha.core.services import person_register
from darcha.notify import services as notify
from darcha.notify.models import Message
from darcha.notify.sealing import unseal
from darcha.preschool import services
from darcha.preschool.ages import may_join_when_old_enough, old_enough, reference_date, school_year_for
from darcha.preschool.choices import BenefitStatus, Channel, EnrollmentStatus, PlacementStatus
from darcha.preschool.models import (
    ApplicationBenefit,
    Benefit,
    EnrollmentApplication,
    FeeRate,
    Kindergarten,
    LotterySeed,
    Placement,
    Preference,
    Program,
)

from .children import ChildSpec, Place, distance, make_children

PLACES = ("namangan-city", "yangikurgan-district")
# Who acts in the story (users.toml): the center's operators, the director of one city kindergarten and
# each place's preschool officer.
OPERATORS = ("operator1", "operator2")
DIRECTOR = "director"
OFFICERS = {"namangan-city": "officer", "yangikurgan-district": "officer.yk"}
REJECTED_NOTE = {"uz": "Maʼlumotnomaning muddati oʻtgan.", "ru": "Срок действия справки истёк."}
LEFT_REASON = {"uz": "Oila boshqa shaharga koʻchib ketdi.", "ru": "Семья переехала в другой город."}


def _texts(base: str, values) -> dict[str, str]:
    from .loader import _texts as texts  # the loader imports this module

    return texts(base, values)


# --- reference data ------------------------------------------------------------------------------


def load_reference(loader) -> None:
    """The preschool departments, the kindergartens with their programs, the fees and the categories;
    the organizations join `loader.orgs` (the users stage grants roles there)."""
    data, gardens = loader.data["preschool"], loader.data["kindergartens"]
    codes = [spec["code"] for spec in data["departments"]] + [spec["code"] for spec in gardens]
    present = {org.code: org for org in Organization.objects.filter(code__in=codes)}
    loader.orgs.update(present)
    with audit_batch():
        for spec in data["departments"]:
            if spec["code"] not in present:
                loader.orgs[spec["code"]] = loader.save(
                    _organization(spec, OrganizationKind.PRESCHOOL_DEPARTMENT, loader.orgs[spec["place"]])
                )
        for spec in gardens:
            if spec["code"] not in present:
                loader.orgs[spec["code"]] = _kindergarten(loader, spec)
        _fees(loader, data["fees"])
        _benefits(loader, data["benefits"])


def _organization(spec: dict, kind: str, parent: Organization) -> Organization:
    return Organization(
        code=spec["code"],
        kind=kind,
        parent=parent,
        **_texts("name", spec["name"]),
        **_texts("short_name", spec["short"]),
        address=spec.get("address", ""),
        phone=spec.get("phone", ""),
    )


def _kindergarten(loader, spec: dict) -> Organization:
    organization = loader.save(_organization(spec, OrganizationKind.KINDERGARTEN, loader.orgs[spec["place"]]))
    garden = loader.save(
        Kindergarten(
            organization=organization,
            number=spec.get("number", ""),
            kind=spec["kind"],
            location_class=spec["location_class"],
            mahalla=spec["mahalla"],
            latitude=Decimal(spec["latitude"]),
            longitude=Decimal(spec["longitude"]),
            director_name=spec["director"],
        )
    )
    for program in spec["programs"]:
        loader.save(
            Program(
                kindergarten=garden,
                age_group=program["age"],
                language=program["language"],
                regime=program["regime"],
                seats=program["seats"],
            )
        )
    return organization


def _fees(loader, fees: dict) -> None:
    valid_from = fees["valid_from"]
    present = set(
        FeeRate.objects.filter(valid_from=valid_from).values_list("location_class", "regime", "several_children")
    )
    for location_class, regime, one, several in fees["rows"]:
        for several_children, amount in ((False, one), (True, several)):
            if (location_class, regime, several_children) not in present:
                loader.save(
                    FeeRate(
                        valid_from=valid_from,
                        location_class=location_class,
                        regime=regime,
                        several_children=several_children,
                        amount=amount,
                        decree=fees["decree"],
                    )
                )


def _benefits(loader, benefits: list[dict]) -> None:
    present = set(Benefit.objects.filter(code__in=[b["code"] for b in benefits]).values_list("code", flat=True))
    for order, spec in enumerate(benefits, start=1):
        if spec["code"] not in present:
            loader.save(
                Benefit(
                    code=spec["code"],
                    **_texts("name", spec["name"]),
                    **_texts("evidence", spec["evidence"]),
                    tier=spec.get("tier", 1),
                    center_obtains=spec.get("center_obtains", False),
                    valid_from=spec["valid_from"],
                    order=order * 10,
                )
            )


def load_desk(loader) -> None:
    """The "Baxtli bola" desk's queue category and its services (before the counters: its window serves
    the category)."""
    spec = loader.data["preschool"]["desk"]
    category = Category.objects.filter(code=spec["category"]).first()
    if category is None:
        category = loader.save(
            Category(
                code=spec["category"],
                icon=spec.get("icon", ""),
                position=(len(loader.data["categories"]) + 1) * 10,  # after the catalog's own
                ticket_prefix=spec["ticket_prefix"],
                **_texts("name", spec["name"]),
            )
        )
    loader.categories_by_code[category.code] = category
    present = set(Service.objects.filter(code__in=[s["code"] for s in spec["services"]]).values_list("code", flat=True))
    for service in spec["services"]:
        if service["code"] not in present:
            loader.save(
                Service(
                    code=service["code"],
                    category=category,
                    responsible_agency=loader.orgs[spec["agency"]],
                    **_texts("name", service["name"]),
                    **_texts("description", service["description"]),
                    **_texts("result", service["result"]),
                    keywords=service.get("keywords", ""),
                    fee_kind=FeeKind.FREE,
                    fee_value=Decimal(0),
                    term_days=1,  # served at the desk the same day
                )
            )


# --- the queue -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Program:
    id: int
    kindergarten: int
    kind: str
    age_group: str
    language: str
    regime: str


@dataclass
class QueueResult:
    registered: int = 0
    skipped: int = 0  # children no program of their place took (none of their age near enough)
    campaigns: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds spent on each kind of event


def current_school_year(today: dt.date, run_on: str) -> int:
    """The school year of the last main campaign: the last year whose campaign day has passed by a
    month and a half (its referrals all taken up or lapsed by now)."""
    month, day = (int(part) for part in run_on.split("-"))
    year = today.year
    while dt.date(year, month, day) + dt.timedelta(days=45) > today:
        year -= 1
    return year


def load_queue(loader, *, now: dt.datetime, count: int | None = None) -> QueueResult | None:
    """Play the queue's story up to `now` with `count` children (None: the quick count); None when it is
    there already, its actors are missing or no child is asked for."""
    result = QueueResult()
    started = time.perf_counter()
    count = loader.data["preschool"]["queue"]["quick_children"] if count is None else count
    if count <= 0:
        return None
    places = {org.code: org for org in Organization.objects.filter(code__in=PLACES)}
    if len(places) < len(PLACES) or EnrollmentApplication.objects.filter(district__in=places.values()).exists():
        return None
    usernames = {*OPERATORS, DIRECTOR, *OFFICERS.values()}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) < len(usernames):
        return None
    with audit_batch():
        # The demo's lottery seeds are its data, so a reload draws the same numbers and places the same children.
        seed = loader.data["preschool"]["queue"]["seed"]
        for code, place in places.items():
            LotterySeed.objects.get_or_create(district=place, defaults={"seed": f"{seed}/{code}", "created_at": now})
        _Story(loader, places, users, now, result).play(count)
    result.seconds = time.perf_counter() - started
    return result


class _Story:
    """The queue's events in time order (a heap: handling one may schedule others, later)."""

    def __init__(self, loader, places: dict[str, Organization], users: dict[str, User], now, result: QueueResult):
        self.data = loader.data["preschool"]
        self.places, self.users, self.now, self.result = places, users, now, result
        self.tz = timezone.get_current_timezone()
        self.center = loader.orgs[loader.data["center"]]
        self.rng = random.Random(f"{self.data['queue']['seed']}/story")  # noqa: S311 — made-up data
        self.calendar = WorkingCalendar.current()
        self.heap: list = []
        self.muted: notify.MutedNotices | None = None
        self.joinable: dict[tuple, bool] = {}  # (age group, kind, birth date, school year) -> may join
        self.offer_days: set[tuple[int, dt.date]] = set()  # (district, day) with an evening run planned
        self.sequence = itertools.count()
        self.applications: dict[int, EnrollmentApplication] = {}  # child index → its application
        self.choices: dict[int, list[Program]] = {}
        self.people: dict[int, Person] = {}
        self.benefits = {b.code: b for b in Benefit.objects.all()}
        self.seen_placement = Placement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        gardens = list(
            Kindergarten.objects.filter(organization__parent__in=places.values()).select_related("organization")
        )
        self.gardens = {g.pk: g for g in gardens}
        self.point = {g.pk: (float(g.latitude), float(g.longitude)) for g in gardens}
        self.place_of = {g.pk: g.organization.parent.code for g in gardens}
        self.director_at = users[DIRECTOR].memberships.get().organization_id
        self.programs: dict[str, list[_Program]] = defaultdict(list)
        self.program_objects = {
            p.pk: p
            for p in Program.objects.filter(kindergarten__in=gardens).select_related("kindergarten__organization")
        }
        for p in self.program_objects.values():
            self.programs[self.place_of[p.kindergarten_id]].append(
                _Program(p.pk, p.kindergarten_id, p.kindergarten.kind, p.age_group, p.language, p.regime)
            )

    def gardens_of(self, code: str) -> list[Kindergarten]:
        return [g for g in self.gardens.values() if self.place_of[g.pk] == code]

    def at(self, moment: dt.datetime, kind: str, *payload) -> None:
        if moment < self.now:  # what would happen after the load has not happened yet
            heapq.heappush(self.heap, (moment, next(self.sequence), kind, payload))

    def play(self, count: int) -> None:
        params = {**self.data["queue"], "benefits": self.data["benefits"]}
        places = [
            Place(code, [(g.organization.code, *self.point[g.pk]) for g in self.gardens_of(code)]) for code in PLACES
        ]
        today = timezone.localdate(self.now)
        _families, children = make_children(params, places, today=today, tz=self.tz, count=count)
        for child in children:
            self.at(child.registered_at, "register", child)
        first = min(child.registered_at for child in children).year
        year = current_school_year(today, self.data["campaign"]["run_on"])
        for school_year in range(first, today.year + 1):
            day = reference_date(school_year)
            moment = dt.datetime.combine(day, dt.time(0, 5), tzinfo=self.tz)
            for code in PLACES:
                self.at(moment, "advance", code, day)
        month, day = (int(part) for part in self.data["campaign"]["run_on"].split("-"))
        run = dt.datetime.combine(dt.date(year, month, day), dt.time(10), tzinfo=self.tz)
        for code in PLACES:
            self.at(run, "campaign", code, year)
        left_on = today - dt.timedelta(days=self.data["referrals"]["left_days_ago"])
        while not self.calendar.is_working_day(left_on):
            left_on -= dt.timedelta(days=1)
        self.at(dt.datetime.combine(left_on, dt.time(11), tzinfo=self.tz), "leave")
        # The years before the last days are history: their notices (about 19,000 at the full queue) are
        # not sent today, nor stored (the referral codes the families show are read from the mute). From
        # the children leaving a few days ago on, notices are sent as they would be: the open referrals'.
        with notify.notices_muted() as self.muted:
            while self.heap and self.heap[0][2] != "leave":
                self.step()
        while self.heap:
            self.step()
        # The family pages' positions as of the load, with their history; the summary notice of years of
        # changes (one per family) is not sent.
        with notify.notices_muted():
            for place in self.places.values():
                services.positions_refresh(district=place, now=self.now)

    def step(self) -> None:
        moment, _seq, kind, payload = heapq.heappop(self.heap)
        started = time.perf_counter()
        getattr(self, f"on_{kind}")(moment, *payload)
        timings = self.result.timings
        timings[kind] = timings.get(kind, 0.0) + time.perf_counter() - started

    # --- joining the queue ---
    def person(self, child: ChildSpec, actor) -> Person:
        family = child.family
        if family.index not in self.people:
            self.people[family.index] = person_register(
                actor=actor,
                kind=PersonKind.INDIVIDUAL,
                name=family.applicant_name,
                pinfl=family.applicant_pinfl,
                phone=family.phone,
                language=family.language,
            )
        return self.people[family.index]

    def pick_choices(self, child: ChildSpec, moment: dt.datetime) -> list[Program]:
        from_year = school_year_for(moment)
        eligible = [p for p in self.programs[child.family.place] if self.may_join(p, child.birth_date, from_year)]
        by_garden: dict[int, list[_Program]] = defaultdict(list)
        for p in eligible:
            by_garden[p.kindergarten].append(p)
        near = sorted(by_garden, key=lambda g: distance(child.family.home, self.point[g]))
        pool = self.data["queue"]["nearest_pool"]
        draws = iter(child.draws)
        chosen: list[int] = []
        for nearest in child.nearest[: len(near)]:
            left = [g for g in near if g not in chosen]
            options = left[:pool] if nearest else left
            chosen.append(options[int(next(draws) * len(options))])
        programs = []
        for garden in chosen:
            offered = by_garden[garden]
            own = [p for p in offered if p.language == child.teaching] or offered
            programs.append(self.program_objects[own[int(next(draws) * len(own))].id])
        return programs

    def may_join(self, program: _Program, birth_date: dt.date, from_year: int) -> bool:
        """`may_join_when_old_enough`, asked once per group, kind, birth date and year (a few hundred
        programs for each of 5,000 children)."""
        key = (program.age_group, program.kind, birth_date, from_year)
        answer = self.joinable.get(key)
        if answer is None:
            answer = self.joinable[key] = may_join_when_old_enough(key[:2], birth_date, from_year)
        return answer

    def on_register(self, moment: dt.datetime, child: ChildSpec) -> None:
        if child.twin_of is not None:
            partner = self.applications.get(child.twin_of)
            if partner is None:
                self.result.skipped += 1
                return
            choices = self.choices[child.twin_of]
        else:
            partner, choices = None, self.pick_choices(child, moment)
        if not choices:
            self.result.skipped += 1
            return
        channel = child.channel
        if channel == Channel.BIRTH_REGISTRATION:
            actor, center = SYSTEM, None
        elif channel == Channel.ONLINE:
            actor, center = services.FAMILY, None
        else:
            actor, center = self.users[OPERATORS[child.index % len(OPERATORS)]], self.center
        claims = []
        if child.benefit and child.claim_at is None:
            claims.append(self.claim(child))
        staff_at = choices[0].kindergarten if child.staff else None
        application = services.application_register(
            actor=actor,
            child_name=child.name,
            birth_date=child.birth_date,
            birth_certificate=child.birth_certificate,
            child_pinfl=child.pinfl,
            applicant=self.person(child, actor if actor is not services.FAMILY else SYSTEM),
            relation=child.relation,
            district=self.places[child.family.place],
            choices=choices,
            phone=child.family.phone,
            language=child.family.language,
            benefits=claims,
            staff_at=staff_at,
            together_with=partner,
            channel=channel,
            center=center,
            birth_record=child.birth_record,
            now=moment,
        )
        self.applications[child.index] = application
        self.choices[child.index] = choices
        self.result.registered += 1
        if child.benefit:
            if child.claim_at is not None:
                self.at(child.claim_at, "claim", child)
            elif child.decided_at is not None:
                self.at(child.decided_at, "decide", child)

    def claim(self, child: ChildSpec):
        benefit = self.benefits[child.benefit]
        if benefit.center_obtains:
            return services.BenefitClaim(benefit=benefit, obtained_by_center=True)
        when = (child.claim_at or child.registered_at).date() - dt.timedelta(days=7 + child.index % 60)
        issued = formats.date_format(when, "SHORT_DATE_FORMAT")
        return services.BenefitClaim(benefit=benefit, evidence_reference=f"№ {1000 + child.index}, {issued}")

    def operator(self, child: ChildSpec) -> User:
        return self.users[OPERATORS[child.index % len(OPERATORS)]]

    def on_claim(self, moment: dt.datetime, child: ChildSpec) -> None:
        application = EnrollmentApplication.objects.get(pk=self.applications[child.index].pk)
        if not application.is_active:
            return
        services.benefit_claim(actor=self.operator(child), application=application, claim=self.claim(child), now=moment)
        if child.decided_at is not None:
            self.at(max(child.decided_at, moment + dt.timedelta(minutes=30)), "decide", child)

    def on_decide(self, moment: dt.datetime, child: ChildSpec) -> None:
        claim = (
            ApplicationBenefit.objects.select_related("application__district")
            .filter(application_id=self.applications[child.index].pk, status=BenefitStatus.CLAIMED)
            .first()
        )
        if claim is None or not claim.application.is_active:
            return
        confirm = child.decision == "confirmed"
        note = "" if confirm else REJECTED_NOTE[child.family.language]
        services.benefit_decide(actor=self.operator(child), claim=claim, confirm=confirm, note=note, now=moment)

    def on_advance(self, moment: dt.datetime, code: str, day: dt.date) -> None:
        services.age_groups_advance(district=self.places[code], day=day, now=moment)

    # --- the campaign and its referrals ---
    def on_campaign(self, moment: dt.datetime, code: str, year: int) -> None:
        officer = self.users[OFFICERS[code]]
        district = self.places[code]
        # The campaign counts each child's choices in the group of its age on its reference date; the
        # stored choices move up on that day (`age_groups_advance`, played on each 1 September).
        campaign = services.campaign_create(
            actor=officer,
            district=district,
            school_year=year,
            max_choices=self.data["campaign"]["max_choices"],
            now=moment - dt.timedelta(days=14),
        )
        services.campaign_run(actor=officer, campaign=campaign, now=moment)
        self.result.campaigns += 1
        self.follow_offers(moment)

    def follow_offers(self, moment: dt.datetime) -> None:
        """What the families do with referrals issued since the last look: take them up, say no, or let
        them lapse (the lapse job runs the next morning after the term)."""
        fates = self.data["referrals"]
        offers = list(
            Placement.objects.filter(pk__gt=self.seen_placement, status=PlacementStatus.OFFERED)
            .select_related("application")
            .order_by("pk")
        )
        if not offers:
            return
        self.seen_placement = max(p.pk for p in offers)
        lapse_checks = set()
        for placement in offers:
            draw = self.rng.random()
            offered = timezone.localtime(placement.offered_at)
            if draw < float(fates["declined"]):
                self.at(offered + dt.timedelta(days=self.rng.randint(1, 5), hours=1), "decline", placement.pk)
            elif draw < float(fates["declined"]) + float(fates["lapsed"]) or not placement.application.phone:
                # No phone, no code: the family does not come (the referral lapses).
                lapse_checks.add(timezone.localtime(placement.expires_at).date())
            else:
                day = self.calendar.add_working_days(offered.date(), self.rng.randint(1, fates["enrol_within"]))
                hour = dt.time(self.rng.randint(9, 16), self.rng.randint(0, 59))
                when = dt.datetime.combine(day, hour, tzinfo=self.tz)
                latest = timezone.localtime(placement.expires_at) - dt.timedelta(hours=1)
                self.at(min(when, latest), "enrol", placement.pk)
        for day in sorted(lapse_checks):
            self.at(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6), tzinfo=self.tz), "lapse")

    def sms_code(self, placement: Placement) -> str | None:
        """The code of the family's referral SMS, which it shows at the kindergarten: a message sent since
        the mute ended is the newer, else the one held back."""
        message = (
            Message.objects.filter(
                template="preschool_referral",
                object_type=EnrollmentApplication._meta.label_lower,
                object_id=str(placement.application_id),
            )
            .order_by("-pk")
            .first()
        )
        if message is not None:
            return unseal(message.sealed).get("code")
        held = self.muted.last("preschool_referral", placement.application) if self.muted is not None else None
        return held.context.get("code") if held is not None else None

    def on_enrol(self, moment: dt.datetime, placement_id: int) -> None:
        placement = Placement.objects.select_related("program__kindergarten", "application").get(pk=placement_id)
        if placement.status != PlacementStatus.OFFERED:
            return  # withdrawn for a higher choice meanwhile
        code = self.sms_code(placement)
        if code is None:
            return
        garden = placement.program.kindergarten
        actor = self.users[DIRECTOR] if garden.organization_id == self.director_at else self.officer_of(garden)
        services.placement_enrol(actor=actor, placement=placement, code=code, now=moment)

    def wanted_programs(self, moment: dt.datetime) -> set[int]:
        """Programs a child waiting in either place has chosen and is old enough for this school year."""
        day = reference_date(school_year_for(moment))
        rows = Preference.objects.filter(
            application__district__in=self.places.values(), application__status=EnrollmentStatus.WAITING
        ).values_list("program_id", "application__child__birth_date")
        wanted = set()
        for program_id, birth_date in rows:
            program = self.program_objects.get(program_id)
            if program is not None and old_enough((program.age_group, program.kindergarten.kind), birth_date, day):
                wanted.add(program_id)
        return wanted

    def officer_of(self, garden: Kindergarten) -> User:
        return self.users[OFFICERS[self.place_of[garden.pk]]]

    def on_decline(self, moment: dt.datetime, placement_id: int) -> None:
        placement = Placement.objects.select_related("program__kindergarten", "application").get(pk=placement_id)
        if placement.status != PlacementStatus.OFFERED:
            return
        services.placement_decline(actor=services.FAMILY, placement=placement, now=moment)
        self.offer_freed(moment, placement.application.district)

    def on_lapse(self, moment: dt.datetime) -> None:
        if services.placements_lapse_due(now=moment):
            for place in self.places.values():
                self.offer_freed(moment, place)

    def offer_freed(self, moment: dt.datetime, district: Organization) -> None:
        """A freed seat is offered the same day: continuous allocation runs once in the evening for the
        seats the district freed that day (the services queue a run on each change; one does it all)."""
        day = moment.date()
        if (district.pk, day) in self.offer_days:
            return
        self.offer_days.add((district.pk, day))
        evening = dt.datetime.combine(day, dt.time(17, 30), tzinfo=self.tz)
        self.at(max(evening, moment + dt.timedelta(minutes=10)), "offer", district)

    def on_offer(self, moment: dt.datetime, district: Organization) -> None:
        # The positions are refreshed once at the end of the story (and by each main campaign).
        services.allocation_continuous(district=district, now=moment, refresh_positions=False)
        self.follow_offers(moment)

    def on_leave(self, moment: dt.datetime) -> None:
        """A few enrolled children move away; their seats go to the next children, whose referrals are
        open at the load."""
        enrolled = list(
            Placement.objects.filter(status=PlacementStatus.ENROLLED, application__district__in=self.places.values())
            .select_related("program__kindergarten", "application")
            .order_by("pk")
        )
        # Seats someone old enough is waiting for, so that each is offered on.
        wanted = self.wanted_programs(moment)
        enrolled = [p for p in enrolled if p.program_id in wanted] or enrolled
        leaving = self.rng.sample(enrolled, min(self.data["referrals"]["left"], len(enrolled)))
        for placement in leaving:
            garden = placement.program.kindergarten
            actor = self.users[DIRECTOR] if garden.organization_id == self.director_at else self.officer_of(garden)
            services.placement_leave(
                actor=actor, placement=placement, reason=LEFT_REASON[placement.application.language], now=moment
            )
        for place in self.places.values():
            services.allocation_continuous(district=place, now=moment + dt.timedelta(hours=1), refresh_positions=False)
        self.seen_placement = Placement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
