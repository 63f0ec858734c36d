"""Allocation campaigns: the main campaign of a school year and continuous allocation after it.

Both run the same allocation over a whole city or district (`allocation.allocate`, deferred
acceptance over programs) and differ only in what starts them: an officer's button once a year, or a
seat freeing (a referral lapsed or declined, a child left, seats raised) — continuous allocation is
queued on the commit of that change (`tasks.allocation_continuous_enqueue`) and run again by a job as a
safety net, so a freed seat is offered the same day and offers cascade.

What a run reads (values only, no model objects per child): every active application of the district,
its choices (the first `max_choices`, and only the district's programs when `district_only`), its best
tier among confirmed privileges still held, sibling priority (kindergartens where another child of the
same applicant attends or holds a referral), staff priority, the `together` groups (one unit needing as
many seats), and the seats held:
- an **offered** referral is the child's floor: it is kept unless a higher choice takes the child, and
  then it is withdrawn in the same run, so its seat goes to the next child at once (offers cascade);
- an **enrolled** child's seat stays its own until it takes a transfer up: the seat counts as taken
  (the program's capacity is lowered by it) and the child competes for its choices ranked above it
  only; a transfer referral is offered beside the enrolment, and enrolling with it ends the old place
  (referrals.placement_enrol), which frees that seat for the next child.

What a run writes, in bulk: the referrals (Placement OFFERED, each with a 6-digit code whose keyed hash
is stored and which is sent by SMS), the offers withdrawn, the applications' status, the families'
events, the cutoff of each program that admitted someone, the report (placed, waiting, by category and
by age group), the queued notices, and one audit entry with the counts and the seed. An entry per
referral was measured (bench/bench_preschool_campaign.py: 1.4 s more on a 30 s run placing 90,000
children, 4.8 s on a loaded machine) and left out: it would say nothing the referral's event and the
run's entry (from whose seed and counts the allocation can be re-run and checked) do not.

The district's programs are locked (FOR UPDATE) for the run, so two runs, and a run and a change of
seats, go one after the other. Once it has committed, the families' positions are refreshed
(`positions_refresh`) in a transaction of their own, so the programs are not kept locked meanwhile.

The main campaign's progress (0–100) is stored on it as it goes; on PostgreSQL through a second
connection, since the run's own transaction is invisible to the page until it commits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from darcha.core.access import require_role
from darcha.core.audit import SYSTEM, actor_user, audit_batch, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import Refused
from darcha.core.identifiers import validate_phone
from darcha.core.pagecache import content_changed
from darcha.core.scheduler import task_lease_seconds

from .. import allocation
from ..ages import reference_date as school_reference_date
from ..ages import school_year_for
from ..choices import (
    AgeGroup,
    BenefitStatus,
    CampaignKind,
    CampaignStatus,
    EnrollmentStatus,
    EventKind,
    PlacementStatus,
    PreschoolRefusal,
)
from ..models import (
    ACTIVE_STATUSES,
    ApplicationBenefit,
    Campaign,
    Cutoff,
    EnrollmentApplication,
    Event,
    Kindergarten,
    Placement,
    Preference,
    Program,
)
from ._common import ChoicesOnDay, lottery_seed

log = logging.getLogger("darcha.preschool")

OFFICERS_ONLY = _lazy("Only the district's preschool department may run its allocation campaigns.")
MAX_CHOICES_LIMIT = 5
CHUNK = 5000
REFERRAL_TEMPLATE = "preschool_referral"
WITHDRAWN_TEMPLATE = "preschool_referral_withdrawn"
WHY_MOVED_UP = "moved up to a higher choice"


# --- codes ---------------------------------------------------------------------------------------


def new_referral_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def referral_code_hash(application_id: int, program_id: int, offered_at: dt.datetime, code: str) -> str:
    """A keyed hash of the code, bound to its referral (the code itself is only in the SMS)."""
    message = f"{application_id}|{program_id}|{offered_at.astimezone(dt.UTC).isoformat()}|{code}"
    return salted_hmac("darcha.preschool.referral", message, algorithm="sha256").hexdigest()


def referral_code_matches(placement: Placement, code: str) -> bool:
    code = str(code or "").strip()
    if not (len(code) == 6 and code.isdigit()) or not placement.code_hash:
        return False
    expected = referral_code_hash(placement.application_id, placement.program_id, placement.offered_at, code)
    return constant_time_compare(expected, placement.code_hash)


# --- what a run reads ----------------------------------------------------------------------------


@dataclass
class Hold:
    placement: int
    application: int
    program: int
    status: str


@dataclass
class AllocationInputs:
    """A district's allocation as plain values, and what is needed to write its outcome."""

    applicants: list[allocation.Applicant]
    programs: list[allocation.Program]
    # application id -> its seat-holding referrals
    holds: dict[int, list[Hold]]
    # unit id -> the application ids it stands for
    members: dict[int, tuple[int, ...]]
    program_kindergarten: dict[int, int]
    program_age_group: dict[int, str]
    # application id -> codes of its confirmed privileges; its first choice
    categories: dict[int, tuple[str, ...]]
    first_choice: dict[int, int]
    applications: int = 0
    free_seats: int = 0
    phones: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> (number, phone, language)
    # Applications not in this run: too young (or old) for each of their groups on its reference date.
    not_old_enough: set[int] = field(default_factory=set)
    # Choices whose kindergarten has no group of the child's age then, and the children who had such.
    skipped_choices: int = 0
    skipped_children: int = 0

    def floor_hold(self, application_id: int) -> Hold | None:
        return next((h for h in self.holds.get(application_id, ()) if h.status == PlacementStatus.OFFERED), None)

    def enrolled_hold(self, application_id: int) -> Hold | None:
        return next((h for h in self.holds.get(application_id, ()) if h.status == PlacementStatus.ENROLLED), None)


def _district_program_ids(district_id: int) -> list[int]:
    return list(Program.objects.filter(kindergarten__organization__parent_id=district_id).values_list("id", flat=True))


def _lock_programs(district_id: int) -> list[int]:
    """Lock every program the district's run may touch (its own, and those its children chose or hold
    elsewhere), in id order, so runs and seat changes of one program go one after the other."""
    ids = set(_district_program_ids(district_id))
    active = Q(application__district_id=district_id, application__status__in=ACTIVE_STATUSES)
    ids |= set(Preference.objects.filter(active).values_list("program_id", flat=True).distinct())
    ids |= set(
        Placement.objects.filter(active, status__in=(PlacementStatus.OFFERED, PlacementStatus.ENROLLED))
        .values_list("program_id", flat=True)
        .distinct()
    )
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        list(
            Program.objects.select_for_update()
            .filter(id__in=ordered[start : start + CHUNK])
            .order_by("id")
            .values_list("id", flat=True)
        )
    return ordered


def _chunks(ids: list[int], size: int = CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def allocation_inputs(
    *,
    district_id: int,
    max_choices: int,
    district_only: bool,
    now: dt.datetime,
    day: dt.date | None = None,
    program_ids: list[int] | None = None,
) -> AllocationInputs:
    """Read a district's allocation: applicants (units), programs with their capacity, seats held.

    A choice counts once the child is old enough for its group on `day` (the campaign's reference date;
    by default the coming one), as the positions count it (`services.positions`)."""
    today = timezone.localdate(now)
    day = day or school_reference_date(school_year_for(now))
    if program_ids is None:
        program_ids = _lock_programs(district_id)
    own_programs = set(_district_program_ids(district_id))
    program_rows = []
    for chunk in _chunks(program_ids):
        program_rows += Program.objects.filter(id__in=chunk).values_list(
            "id",
            "kindergarten_id",
            "seats",
            "is_active",
            "kindergarten__closed_since",
            "age_group",
            "kindergarten__kind",
            "language",
            "regime",
        )
    program_kindergarten = {pid: kg for pid, kg, *_rest in program_rows}
    program_age_group = {row[0]: row[5] for row in program_rows}
    on_day = ChoicesOnDay([(row[0], row[1], row[5], row[7], row[8], row[6]) for row in program_rows], day)

    applications = list(
        EnrollmentApplication.objects.filter(district_id=district_id, status__in=ACTIVE_STATUSES).values_list(
            "id",
            "applicant_id",
            "queue_date",
            "lottery",
            "together",
            "staff_at_id",
            "number",
            "phone",
            "language",
            "child__birth_date",
        )
    )
    ids = {row[0] for row in applications}
    birth_dates = {row[0]: row[9] for row in applications}

    ranked: dict[int, list[int]] = defaultdict(list)
    for application_id, program_id in (
        Preference.objects.filter(application__district_id=district_id, application__status__in=ACTIVE_STATUSES)
        .order_by("application_id", "rank")
        .values_list("application_id", "program_id")
    ):
        if not (district_only and program_id not in own_programs):
            ranked[application_id].append(program_id)
    # Each choice in the group of the child's age on the reference date (ChoicesOnDay); a child old enough
    # for none of its groups then is not in this run.
    choices: dict[int, list[int]] = {}
    skipped_choices, skipped_children, too_young = 0, 0, set()
    for application_id, ranked_programs in ranked.items():
        on, skipped, old_enough = on_day.choices(ranked_programs, birth_dates[application_id])
        if on:
            choices[application_id] = on
        if skipped:
            skipped_choices += skipped
            skipped_children += 1
        if not old_enough:
            too_young.add(application_id)

    tiers: dict[int, int] = {}
    categories: dict[int, list[str]] = defaultdict(list)
    for application_id, tier, code in (
        ApplicationBenefit.objects.filter(
            application__district_id=district_id,
            application__status__in=ACTIVE_STATUSES,
            status=BenefitStatus.CONFIRMED,
            benefit__valid_from__lte=today,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(benefit__valid_to__isnull=True) | Q(benefit__valid_to__gte=today))
        .values_list("application_id", "benefit__tier", "benefit__code")
    ):
        tiers[application_id] = min(tier, tiers.get(application_id, allocation.GENERAL_TIER))
        categories[application_id].append(code)

    holds: dict[int, list[Hold]] = defaultdict(list)
    held_at: Counter[int] = Counter()  # every seat held at each program, whoever holds it
    for chunk in _chunks(program_ids):
        for placement_id, application_id, program_id, status in Placement.objects.filter(
            program_id__in=chunk, status__in=(PlacementStatus.OFFERED, PlacementStatus.ENROLLED)
        ).values_list("id", "application_id", "program_id", "status"):
            held_at[program_id] += 1
            if application_id in ids:
                holds[application_id].append(Hold(placement_id, application_id, program_id, status))

    # Sibling priority: kindergartens where another child of the same applicant attends or holds a referral.
    person_of = {row[0]: row[1] for row in applications}
    kindergartens_of_person: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for application_id, application_holds in holds.items():
        for hold in application_holds:
            kindergartens_of_person[person_of[application_id]].add((application_id, program_kindergarten[hold.program]))

    groups: dict[str, list[int]] = defaultdict(list)
    for row in applications:
        if row[4]:
            groups[row[4]].append(row[0])

    # The offer each child holds (its floor) and the place it is enrolled at, once.
    offered_at_program: dict[int, int] = {}
    enrolled_at_program: dict[int, int] = {}
    for application_id, application_holds in holds.items():
        for hold in application_holds:
            target = offered_at_program if hold.status == PlacementStatus.OFFERED else enrolled_at_program
            target[application_id] = hold.program
    floor_of = offered_at_program.get

    def seat_of(application_id: int) -> int | None:
        floor = offered_at_program.get(application_id)
        return floor if floor is not None else enrolled_at_program.get(application_id)

    def choices_above(application_id: int, seat: int | None) -> tuple[int, ...]:
        """The choices ranked above the seat held (all of them when the seat is not among them)."""
        ranked = choices.get(application_id, ())
        if seat is not None and seat in ranked:
            ranked = ranked[: ranked.index(seat)]
        return tuple(ranked[:max_choices])

    by_id = {row[0]: row for row in applications}
    # A group becomes one unit when its members stand alike (all hold an offer at one program, or none);
    # otherwise (one already enrolled, say) each stands alone.
    unit_of: dict[int, tuple[int, ...]] = {}
    for members in groups.values():
        members.sort()
        if len(members) > 1 and len({floor_of(m) for m in members}) == 1 and len({seat_of(m) for m in members}) == 1:
            for member in members:
                unit_of[member] = tuple(members)

    applicants: list[allocation.Applicant] = []
    members_of: dict[int, tuple[int, ...]] = {}
    floors_at: Counter[int] = Counter()
    no_kindergartens: frozenset[int] = frozenset()
    general = allocation.GENERAL_TIER
    for row in applications:
        application_id = row[0]
        unit = unit_of.get(application_id)
        if unit is not None and unit[0] != application_id:
            continue  # placed with the unit's first member
        floor = floor_of(application_id)
        wanted = choices_above(application_id, seat_of(application_id))
        members_of[application_id] = unit or (application_id,)
        if not wanted and floor is None:
            continue  # nothing to allocate: it keeps what it has, or waits with no choice
        siblings = kindergartens_of_person.get(row[1])
        if unit is None:  # one child (most): no unit to fold
            sibling_at = (
                frozenset(kg for other, kg in siblings if other != application_id) if siblings else no_kindergartens
            )
            applicant = allocation.Applicant(
                id=application_id,
                choices=wanted,
                tier=tiers.get(application_id, general),
                queue_date=int(row[2].timestamp()),
                lottery=row[3],
                sibling_at=sibling_at,
                staff_at=frozenset((row[5],)) if row[5] is not None else no_kindergartens,
                floor=floor,
            )
        else:
            sibling_at = frozenset(kg for other, kg in siblings if other not in unit) if siblings else no_kindergartens
            applicant = allocation.Applicant(
                id=application_id,
                choices=wanted,
                tier=min(tiers.get(m, general) for m in unit),
                queue_date=int(min(by_id[m][2] for m in unit).timestamp()),
                lottery=min(by_id[m][3] for m in unit),
                size=len(unit),
                sibling_at=sibling_at,
                staff_at=frozenset(by_id[m][5] for m in unit if by_id[m][5] is not None),
                floor=floor,
                members=unit,
            )
        applicants.append(applicant)
        if floor is not None:
            floors_at[floor] += applicant.size

    programs: list[allocation.Program] = []
    free = 0
    for program_id, kindergarten_id, seats, is_active, closed_since, *_terms in program_rows:
        # Seats held but not standing as a floor in this run (enrolled children, children of other
        # districts) are taken; a closed kindergarten or a program that takes no one keeps its floors only.
        taken_elsewhere = held_at[program_id] - floors_at[program_id]
        offered = seats if is_active and closed_since is None else 0
        capacity = max(floors_at[program_id], offered - taken_elsewhere)
        free += max(0, offered - held_at[program_id])
        programs.append(allocation.Program(id=program_id, kindergarten=kindergarten_id, capacity=capacity))

    return AllocationInputs(
        applicants=applicants,
        programs=programs,
        holds=dict(holds),
        members=members_of,
        program_kindergarten=program_kindergarten,
        program_age_group=program_age_group,
        categories={key: tuple(value) for key, value in categories.items()},
        first_choice={key: value[0] for key, value in choices.items() if value},
        applications=len(applications),
        free_seats=free,
        phones={row[0]: (row[6], row[7], row[8]) for row in applications},
        not_old_enough={pk for pk in too_young if not holds.get(pk)},
        skipped_choices=skipped_choices,
        skipped_children=skipped_children,
    )


# --- notices in bulk ----------------------------------------------------------------------------

E164_UZ = re.compile(r"^\+998\d{9}$")


@dataclass(frozen=True)
class Notice:
    application_id: int
    phone: str
    language: str
    template: str
    context: dict  # plain values (text, numbers), already in the notice's language


def _renderer(template, language: str) -> Callable[[dict], tuple[str, str]]:
    """The template's masked (subject, body) in one language, its texts translated once: what
    MessageTemplate.render(masked=True) gives, without switching the language for each of 100,000
    notices (a fifth of a campaign's notices' time). A body written by a function renders as usual."""
    from darcha.notify.templates import MASK

    if callable(template.body):
        return lambda values: template.render(values, language, masked=True)
    with translation.override(language):
        subject, body = str(template.subject), str(template.body)

    def render(context: dict) -> tuple[str, str]:
        values = {**template.defaults, **context}
        values.update({key: MASK for key in template.secret if key in values})
        return (subject % values).strip(), (body % values).strip()

    return render


def notices_queue(notices: list[Notice], *, actor, organization) -> int:
    """Queue many families' notices in a few statements (a campaign's referrals), as notify.message_send
    would one by one: by SMS, the secrets (codes) sealed, delivered by notify's task after the commit.
    A phone whose owner chose a channel goes through notify.message_send_preferred itself. One audit
    entry for them all; returns how many were queued."""
    from darcha.notify import channels, sealing
    from darcha.notify import services as notify
    from darcha.notify.choices import Channel, MessageStatus
    from darcha.notify.models import ChannelPreference, Message
    from darcha.notify.templates import get_template

    muted = notify.muted_notices()
    if muted is not None:  # replaying history (`notify.notices_muted`): nothing written, nothing sent
        held = 0
        for notice in notices:
            if notice.phone:
                notify.message_send_preferred(
                    actor=SYSTEM,
                    phone=notice.phone,
                    template=notice.template,
                    context=notice.context,
                    language=notice.language,
                    related=EnrollmentApplication(pk=notice.application_id),
                )
                held += 1
        return held
    phones = {}
    for notice in notices:
        if notice.phone not in phones:
            try:
                phones[notice.phone] = notice.phone if E164_UZ.match(notice.phone) else validate_phone(notice.phone)
            except ValidationError:
                phones[notice.phone] = ""
    preferred: set[str] = set()
    valid = sorted({phone for phone in phones.values() if phone})
    for chunk in _chunks(valid):
        preferred |= set(ChannelPreference.objects.filter(phone__in=chunk).values_list("phone", flat=True))
    sms_off = channels.is_off(Channel.SMS)
    label = EnrollmentApplication._meta.label_lower
    created_at = timezone.now()
    renderers: dict[tuple[str, str], Callable[[dict], tuple[str, str]]] = {}
    rows, one_by_one = [], 0
    for notice in notices:
        phone = phones[notice.phone]
        if not phone:
            continue
        if phone in preferred:
            related = EnrollmentApplication(pk=notice.application_id)
            if notify.message_send_preferred(
                actor=SYSTEM,
                phone=phone,
                template=notice.template,
                context=notice.context,
                language=notice.language,
                related=related,
            ):
                one_by_one += 1
            continue
        if sms_off:
            continue
        template = get_template(notice.template)
        render = renderers.get((notice.template, notice.language))
        if render is None:
            render = renderers[(notice.template, notice.language)] = _renderer(template, notice.language)
        subject, body = render(notice.context)
        stored, secret_values = template.split(notice.context)
        rows.append(
            (
                Channel.SMS,
                phone,
                notice.language,
                notice.template,
                stored,
                sealing.seal(secret_values) if secret_values else "",
                subject[:255],
                body,
                MessageStatus.QUEUED,
                label,
                str(notice.application_id),
                created_at,
            )
        )
    columns = [
        "channel",
        "address",
        "language",
        "template",
        "context",
        "sealed",
        "subject",
        "body",
        "status",
        "object_type",
        "object_id",
        "created_at",
    ]
    ids = insert_rows(Message, columns, rows)
    if ids is None:  # COPY returns no ids: the rows are those of this moment
        ids = list(
            Message.objects.filter(created_at=created_at, object_type=label, template__startswith="preschool_")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    if rows or one_by_one:
        audit_record(
            actor=actor,
            action="preschool_notices_queue",
            organization=organization,
            data={
                "templates": dict(Counter(notice.template for notice in notices)),
                "queued": len(rows) + one_by_one,
            },
        )
    if ids:
        from ..tasks import notices_deliver_enqueue

        transaction.on_commit(lambda: notices_deliver_enqueue(ids))
    return len(rows) + one_by_one


# --- what a run writes ---------------------------------------------------------------------------


def insert_rows(model, columns: list[str], rows: list[tuple]) -> list[int] | None:
    """Insert many rows of plain values (`columns` are attribute names; the other fields take their
    defaults): COPY on PostgreSQL, where bulk_create costs ten times as much at 100,000 rows (returns
    None: COPY gives no ids), bulk_create elsewhere (returns the new ids)."""
    if not rows:
        return []
    meta = model._meta
    given = set(columns)
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in given]
    defaults = tuple(f.get_default() for f in rest)
    if connection.vendor != "postgresql":
        names = [*columns, *(f.attname for f in rest)]
        objects = [model(**dict(zip(names, (*row, *defaults), strict=True))) for row in rows]
        return [obj.pk for obj in model.objects.bulk_create(objects, batch_size=2000)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(meta.get_field(name).column) for name in columns) + "".join(
        f", {quote(f.column)}" for f in rest
    )
    json_values = (dict, list)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(value, cls=DjangoJSONEncoder) if isinstance(value, json_values) else value
                    for value in (*row, *defaults)
                ]
            )
    return None


class _Clock:
    """Seconds since the last mark, by name (into `timings`, when given)."""

    def __init__(self, timings: dict | None):
        import time

        self.timings, self.perf = timings, time.perf_counter
        self.last = self.perf()

    def __call__(self, name: str) -> None:
        now = self.perf()
        if self.timings is not None:
            self.timings[name] = round(now - self.last, 3)
        self.last = now


@dataclass
class Outcome:
    offers: list[tuple[int, int]] = field(default_factory=list)  # (application, program)
    withdrawn: list[Hold] = field(default_factory=list)  # offers replaced by a higher choice's
    moved_up: set[int] = field(default_factory=set)  # applications moved to a higher choice
    kept: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.offers)


def outcome_of(inputs: AllocationInputs, assigned: dict[int, int]) -> Outcome:
    """What the allocation changes: new referrals, and the offers that a higher choice replaces."""
    outcome = Outcome()
    for applicant in inputs.applicants:
        program_id = assigned.get(applicant.id)
        if program_id is None or program_id == applicant.floor:
            if program_id is not None:
                outcome.kept += applicant.size
            continue
        for member in inputs.members[applicant.id]:
            floor = inputs.floor_hold(member)
            if floor is not None:
                outcome.withdrawn.append(floor)
                outcome.moved_up.add(member)
            elif inputs.enrolled_hold(member) is not None:
                outcome.moved_up.add(member)
            outcome.offers.append((member, program_id))
    return outcome


def _cutoff_values(key: tuple) -> dict:
    tier, not_sibling, not_staff, queue_date, *_rest = key
    return {
        "tier": 0 if tier >= allocation.GENERAL_TIER else tier,
        "sibling": not not_sibling,
        "staff": not not_staff,
        "queue_date": dt.datetime.fromtimestamp(queue_date, tz=dt.UTC),
    }


def _report(inputs: AllocationInputs, outcome: Outcome, seed: str) -> dict:
    offered = {application for application, _program in outcome.offers}
    offered_program = dict(outcome.offers)
    holding = {a for a, holds in inputs.holds.items() if holds} | offered
    by_category: dict[str, Counter] = defaultdict(Counter)
    by_age_group: dict[str, Counter] = defaultdict(Counter)
    waiting = 0
    for application_id in inputs.phones:
        if application_id in inputs.not_old_enough:
            continue  # not in this run (not waiting for it either)
        if application_id in offered:
            state = "placed"
            program = offered_program[application_id]
        elif application_id in holding:
            continue  # keeps the seat it held
        else:
            state = "waiting"
            waiting += 1
            program = inputs.first_choice.get(application_id)
        for code in inputs.categories.get(application_id, ()) or ("general",):
            by_category[code][state] += 1
        group = inputs.program_age_group.get(program) if program is not None else None
        by_age_group[group or "none"][state] += 1
    return {
        "applications": inputs.applications - len(inputs.not_old_enough),
        "not_old_enough": len(inputs.not_old_enough),
        "choices_skipped": inputs.skipped_choices,
        "children_with_choices_skipped": inputs.skipped_children,
        "placed": len(offered),
        "moved_up": len(outcome.moved_up),
        "kept": outcome.kept,
        "waiting": waiting,
        "seed": seed,
        "by_category": {code: dict(counts) for code, counts in sorted(by_category.items())},
        "by_age_group": {group: dict(counts) for group, counts in sorted(by_age_group.items())},
    }


def _names(kindergarten_ids: Iterable[int], languages: Iterable[str]) -> dict[tuple[int, str], str]:
    """Kindergartens' names in each language the notices are written in."""
    gardens = list(Kindergarten.objects.filter(id__in=set(kindergarten_ids)).select_related("organization"))
    names = {}
    for language in set(languages):
        with translation.override(language):
            for garden in gardens:
                names[(garden.pk, language)] = str(garden.organization.name)
    return names


def _group_labels(languages: Iterable[str]) -> dict[tuple[str, str], str]:
    labels = {}
    for language in set(languages):
        with translation.override(language):
            for group in AgeGroup:
                labels[(group.value, language)] = str(group.label)
    return labels


def _date_text(moment: dt.datetime, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")


def write_outcome(
    *,
    campaign: Campaign,
    inputs: AllocationInputs,
    result: allocation.Allocation,
    outcome: Outcome,
    actor,
    now: dt.datetime,
    progress: Callable[[int], None] = lambda percent: None,
    cutoffs_for: set[int] | None = None,
    timings: dict | None = None,
) -> dict:
    """Write a run's outcome in bulk; returns the report. Runs inside the run's transaction. `timings`
    gets the seconds each part took (the benchmark's figures)."""
    clock = _Clock(timings)
    calendar = WorkingCalendar.current()
    expires_at = calendar.deadline(now, settings.PRESCHOOL_REFERRAL_DAYS)
    user = actor_user(actor)
    actor_label = user.get_username() if user else getattr(actor, "label", "system")

    # Offers replaced by a higher choice's: withdrawn first (one offer per child at a time).
    withdrawn_ids = [hold.placement for hold in outcome.withdrawn]
    for chunk in _chunks(withdrawn_ids):
        Placement.objects.filter(id__in=chunk, status=PlacementStatus.OFFERED).update(
            status=PlacementStatus.WITHDRAWN, ended_at=now, end_reason=WHY_MOVED_UP
        )
    progress(70)

    codes: dict[int, str] = {}
    placements = []
    for application_id, program_id in outcome.offers:
        code = new_referral_code()
        codes[application_id] = code
        code_hash = referral_code_hash(application_id, program_id, now, code)
        placements.append(
            (application_id, program_id, campaign.pk, PlacementStatus.OFFERED, code_hash, now, expires_at)
        )
    columns = ["application_id", "program_id", "campaign_id", "status", "code_hash", "offered_at", "expires_at"]
    insert_rows(Placement, columns, placements)
    # Children offered a seat (an enrolled child offered a transfer stays enrolled), in one statement.
    EnrollmentApplication.objects.filter(
        status=EnrollmentStatus.WAITING,
        placements__campaign=campaign,
        placements__status=PlacementStatus.OFFERED,
    ).update(status=EnrollmentStatus.OFFERED, updated_at=now)
    clock("write_referrals")
    progress(80)

    withdrawn_by_application = {hold.application: hold for hold in outcome.withdrawn}
    events = []
    for application_id, program_id in outcome.offers:
        data = {
            "program": program_id,
            "kindergarten": inputs.program_kindergarten[program_id],
            "expires_at": expires_at.isoformat(),
            "campaign": campaign.pk,
        }
        replaced = withdrawn_by_application.get(application_id)
        if replaced is not None:
            data["replaces"] = replaced.program
        elif application_id in outcome.moved_up:
            data["transfer_from"] = inputs.enrolled_hold(application_id).program
        events.append((application_id, EventKind.OFFERED, user.pk if user else None, actor_label, data, now))
    insert_rows(Event, ["application_id", "kind", "actor_id", "actor_label", "data", "created_at"], events)
    clock("write_events")

    cutoffs = []
    placed_at = Counter(program for _application, program in outcome.offers)
    for applicant in inputs.applicants:
        program = result.assigned.get(applicant.id)
        if program is not None and program == applicant.floor:
            placed_at[program] += applicant.size
    for program_id, key in result.cutoffs.items():
        if cutoffs_for is not None and program_id not in cutoffs_for:
            continue
        cutoffs.append(
            Cutoff(campaign=campaign, program_id=program_id, placed=placed_at[program_id], **_cutoff_values(key))
        )
    Cutoff.objects.bulk_create(cutoffs, batch_size=2000)
    clock("write_cutoffs")

    # The families' notices: the referral with its code; a replaced offer is named in its notice.
    languages = {inputs.phones[a][2] for a, _p in outcome.offers}
    names = _names((inputs.program_kindergarten[p] for _a, p in outcome.offers), languages)
    labels = _group_labels(languages)
    expires = {language: _date_text(expires_at, language) for language in languages}
    notices = []
    for application_id, program_id in outcome.offers:
        number, phone, language = inputs.phones[application_id]
        if not phone:
            continue
        context = {
            "number": number,
            "kindergarten": names[(inputs.program_kindergarten[program_id], language)],
            "group": labels.get((inputs.program_age_group[program_id], language), ""),
            "expires": expires[language],
            "code": codes[application_id],
        }
        notices.append(Notice(application_id, phone, language, REFERRAL_TEMPLATE, context))
    queued = notices_queue(notices, actor=actor, organization=campaign.district_id)
    # And to the Telegram chats following these applications (subscriptions: few, one query per chunk).
    from .subscriptions import chats_notify

    chats_notify((notice.application_id, notice.template, notice.context) for notice in notices)
    clock("write_notices")
    progress(90)

    report = _report(inputs, outcome, campaign.seed)
    report["notices"] = queued
    content_changed(kind="preschool")  # the registry's seats, placed children and cutoffs
    audit_record(
        actor=actor,
        action="preschool_campaign_run",
        obj=campaign,
        organization=campaign.district_id,
        data={
            "kind": campaign.kind,
            "seed": campaign.seed,
            "applications": report["applications"],
            "placed": report["placed"],
            "moved_up": report["moved_up"],
            "withdrawn": len(withdrawn_ids),
            "waiting": report["waiting"],
            "notices": queued,
        },
    )
    return report


def _positions_after(campaign_id: int, district_id: int, now: dt.datetime, actor) -> None:
    """The families' positions after a run, in a transaction of their own once the run has committed: the
    district's programs are not kept locked meanwhile, and a failure leaves the run done (the next run or
    change refreshes them). Their count goes into the run's report."""
    from darcha.core.models import Organization

    from .positions import positions_refresh

    try:
        changed = positions_refresh(district=Organization.objects.get(pk=district_id), now=now, actor=actor)
    except Exception:
        if connection.in_atomic_block:
            raise  # inside the caller's transaction (a test's): nothing to keep apart
        log.exception("positions of district %s after campaign %s failed", district_id, campaign_id)
        return
    campaign = Campaign.objects.get(pk=campaign_id)
    campaign.report = {**campaign.report, "positions_changed": changed}
    campaign.save(update_fields=["report"])


# --- campaigns -----------------------------------------------------------------------------------


def _require_officer(actor, district) -> None:
    require_role(actor, Role.PRESCHOOL_OFFICER, district, OFFICERS_ONLY)


def campaign_create(
    *,
    actor,
    district,
    school_year: int,
    reference_date: dt.date | None = None,
    max_choices: int | None = None,
    district_only: bool = True,
    kind: str = CampaignKind.MAIN,
    now: dt.datetime | None = None,
) -> Campaign:
    """A campaign in preparation; it publishes the district's lottery seed, from which every child's
    number was drawn over its queue number."""
    now = now or timezone.now()
    _require_officer(actor, district)
    max_choices = settings.PRESCHOOL_MAX_CHOICES if max_choices is None else max_choices
    errors = {}
    if not 1 <= int(max_choices) <= MAX_CHOICES_LIMIT:
        errors["max_choices"] = _("A family may rank from 1 to %(most)d kindergartens.") % {"most": MAX_CHOICES_LIMIT}
    if not 2000 <= int(school_year) <= 2100:
        errors["school_year"] = _("Give the year the school year starts in, e.g. %(year)d.") % {
            "year": timezone.localdate(now).year
        }
    if kind not in CampaignKind.values:
        errors["kind"] = _("Unknown kind of campaign.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            district=district,
            kind=kind,
            school_year=school_year,
            reference_date=reference_date or school_reference_date(int(school_year)),
            max_choices=max_choices,
            district_only=district_only,
            seed=lottery_seed(district.pk, now),
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="preschool_campaign_create",
            obj=campaign,
            organization=district,
            data={"school_year": school_year, "max_choices": max_choices, "district_only": district_only},
        )
    return campaign


def _is_stale(campaign: Campaign, now: dt.datetime) -> bool:
    """A run marked running for longer than a task may run died with its worker (its writes rolled back)."""
    started = campaign.started_at or campaign.created_at
    return started < now - dt.timedelta(seconds=task_lease_seconds())


def _begin(*, actor, campaign: Campaign, now: dt.datetime) -> Campaign:
    """Lock, check and mark the campaign running (its own transaction: the page sees it at once)."""
    _require_officer(actor, campaign.district)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("district").get(pk=campaign.pk)
        runnable = campaign.status in (CampaignStatus.DRAFT, CampaignStatus.FAILED) or (
            campaign.status == CampaignStatus.RUNNING and _is_stale(campaign, now)
        )
        if not runnable:
            raise Refused(_("Only a campaign in preparation can be run."), PreschoolRefusal.CAMPAIGN_STATE)
        running = Campaign.objects.filter(district_id=campaign.district_id, status=CampaignStatus.RUNNING).exclude(
            pk=campaign.pk
        )
        if any(not _is_stale(other, now) for other in running):
            raise Refused(
                _("Another campaign of this district is running; wait until it is done."),
                PreschoolRefusal.CAMPAIGN_RUNNING,
            )
        campaign.status, campaign.progress, campaign.started_at = CampaignStatus.RUNNING, 0, now
        campaign.finished_at, campaign.run_by, campaign.report = None, actor_user(actor), {}
        campaign.save(update_fields=["status", "progress", "started_at", "finished_at", "run_by", "report"])
        audit_record(actor=actor, action="preschool_campaign_start", obj=campaign, organization=campaign.district_id)
    return campaign


class _Progress:
    """Stores a running campaign's progress where the page can read it while the run's transaction is open:
    through a second connection on PostgreSQL; elsewhere (SQLite serialises writers) in the run's own."""

    def __init__(self, campaign_id: int, callback: Callable[[int], None] | None, side_connection: bool):
        self.campaign_id, self.callback = campaign_id, callback
        self.side = connections.create_connection(DEFAULT_DB_ALIAS) if side_connection else None
        self.last = -1

    def __call__(self, percent: int) -> None:
        percent = max(0, min(100, int(percent)))
        if percent == self.last:
            return
        self.last = percent
        if self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Campaign._meta.db_table} SET progress = %s WHERE id = %s",  # noqa: S608 — our table name
                    [percent, self.campaign_id],
                )
        else:
            Campaign.objects.filter(pk=self.campaign_id).update(progress=percent)
        if self.callback is not None:
            self.callback(percent)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _execute(*, actor, campaign: Campaign, now: dt.datetime, progress=None, timings: dict | None = None) -> Campaign:
    """Run a campaign marked running: read, allocate, write, in one transaction."""
    import time

    side = connection.vendor == "postgresql" and not connection.in_atomic_block
    outermost = not connection.in_atomic_block
    step = _Progress(campaign.pk, progress, side)
    timings = {} if timings is None else timings
    wall = time.monotonic()

    def finished() -> dt.datetime:  # `now` moved on by the run's own length (a past `now` stays consistent)
        return now + dt.timedelta(seconds=time.monotonic() - wall)

    try:
        with transaction.atomic(), audit_batch():
            started = time.perf_counter()
            program_ids = _lock_programs(campaign.district_id)
            current = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
            if current != CampaignStatus.RUNNING:
                return Campaign.objects.get(pk=campaign.pk)  # another run of the task finished it
            step(10)
            inputs = allocation_inputs(
                district_id=campaign.district_id,
                max_choices=campaign.max_choices,
                district_only=campaign.district_only,
                now=now,
                day=campaign.reference_date,
                program_ids=program_ids,
            )
            timings["read"] = time.perf_counter() - started
            step(40)
            started = time.perf_counter()
            result = allocation.allocate(inputs.applicants, inputs.programs)
            outcome = outcome_of(inputs, result.assigned)
            timings["allocate"] = time.perf_counter() - started
            step(60)
            started = time.perf_counter()
            report = write_outcome(
                campaign=campaign,
                inputs=inputs,
                result=result,
                outcome=outcome,
                actor=actor,
                now=now,
                progress=step,
                timings=timings,
            )
            timings["write"] = time.perf_counter() - started
            started = time.perf_counter()
            step(100)
            step.close()
            Campaign.objects.filter(pk=campaign.pk).update(
                status=CampaignStatus.DONE, progress=100, finished_at=finished(), report=report
            )
        timings["commit"] = time.perf_counter() - started  # the audit entries appended, the constraints checked
    except Exception as error:
        step.close()
        if outermost:
            log.exception("campaign %s failed", campaign.pk)
            with transaction.atomic():
                Campaign.objects.filter(pk=campaign.pk).update(
                    status=CampaignStatus.FAILED, finished_at=finished(), report={"error": type(error).__name__}
                )
                audit_record(
                    actor=actor,
                    action="preschool_campaign_failed",
                    obj=campaign,
                    organization=campaign.district_id,
                    data={"error": type(error).__name__},
                )
        raise
    from ..tasks import allocation_continuous_enqueue

    # Seats the run left free (a child moved up, an offer refused meanwhile) go on being offered.
    transaction.on_commit(lambda: allocation_continuous_enqueue(campaign.district_id))
    started = time.perf_counter()
    _positions_after(campaign.pk, campaign.district_id, now, actor)
    timings["positions"] = time.perf_counter() - started
    return Campaign.objects.get(pk=campaign.pk)


def campaign_run(
    *, actor, campaign: Campaign, now: dt.datetime | None = None, progress: Callable[[int], None] | None = None
) -> Campaign:
    """Run the campaign now (a page's worker or a task; `campaign_start` queues it)."""
    now = now or timezone.now()
    campaign = _begin(actor=actor, campaign=campaign, now=now)
    return _execute(actor=actor, campaign=campaign, now=now, progress=progress)


def campaign_start(*, actor, campaign: Campaign) -> Campaign:
    """Mark the campaign running and queue the run as a background task (the department page's button)."""
    from ..tasks import campaign_run_enqueue

    campaign = _begin(actor=actor, campaign=campaign, now=timezone.now())
    user = actor_user(actor)
    campaign_id, user_id = campaign.pk, user.pk if user else None
    transaction.on_commit(lambda: campaign_run_enqueue(campaign_id, user_id))
    return campaign


def campaign_execute_queued(*, campaign_id: int, user_id: int | None) -> Campaign | None:
    """The background task's part: run a campaign `campaign_start` marked running."""
    from darcha.core.models import User

    campaign = Campaign.objects.filter(pk=campaign_id).select_related("district").first()
    if campaign is None or campaign.status != CampaignStatus.RUNNING:
        return campaign
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    return _execute(actor=actor or SYSTEM, campaign=campaign, now=timezone.now())


# --- continuous allocation -----------------------------------------------------------------------


def allocation_continuous(
    *, district, now: dt.datetime | None = None, actor=SYSTEM, refresh_positions: bool = True
) -> Campaign | None:
    """Offer the seats free in the district now, placed children's offers as floors, so offers cascade.

    Runs after the district's main campaign is done, with its settings; returns the run (a campaign of
    kind continuous), or None when nothing changed (no free seat anyone wants) or a campaign is running.
    `refresh_positions=False` leaves the families' positions to the caller's next `positions_refresh`
    (a replay of many runs, refreshing once at its end)."""
    now = now or timezone.now()
    district_id = getattr(district, "pk", district)
    main = (
        Campaign.objects.filter(district_id=district_id, kind=CampaignKind.MAIN, status=CampaignStatus.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    if main is None:
        return None
    running = Campaign.objects.filter(district_id=district_id, status=CampaignStatus.RUNNING)
    if any(not _is_stale(other, now) for other in running):
        return None  # the running campaign offers every free seat, and queues this again when done
    with transaction.atomic(), audit_batch():
        inputs = allocation_inputs(
            district_id=district_id,
            max_choices=main.max_choices,
            district_only=main.district_only,
            now=now,
            day=main.reference_date,
        )
        if not inputs.free_seats:
            return None
        result = allocation.allocate(inputs.applicants, inputs.programs)
        outcome = outcome_of(inputs, result.assigned)
        if not outcome.changed:
            return None
        campaign = Campaign.objects.create(
            district_id=district_id,
            kind=CampaignKind.CONTINUOUS,
            school_year=main.school_year,
            reference_date=main.reference_date,
            max_choices=main.max_choices,
            district_only=main.district_only,
            seed=main.seed,
            status=CampaignStatus.RUNNING,
            created_at=now,
            started_at=now,
        )
        report = write_outcome(
            campaign=campaign,
            inputs=inputs,
            result=result,
            outcome=outcome,
            actor=actor,
            now=now,
            cutoffs_for={program for _application, program in outcome.offers},
        )
        campaign.status, campaign.progress, campaign.finished_at, campaign.report = (
            CampaignStatus.DONE,
            100,
            now,
            report,
        )
        campaign.save(update_fields=["status", "progress", "finished_at", "report"])
    if refresh_positions:
        _positions_after(campaign.pk, district_id, now, actor)
        campaign.refresh_from_db(fields=["report"])
    return campaign
