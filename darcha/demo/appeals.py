"""The appeals stage of the Namangan demo loader (appeals.toml): the hokimiyats' information service.

Reference data is entered as an administrator would (`record_save`): each hokimiyat's departments that
answer appeals (agency-kind organizations under its city, district or region), the partner receptions
that APPEALS_PARTNERS names (their clerks are demo users), the appeal topics (street problems are
Open311 services) with their usual executor, and the district populations appeals are counted against.

The year of appeals (darcha/demo/appeal_specs.py) is played through the information service's services
in the order things happened, with the clock moved to each moment: registered from every channel (the
web form, letters and the reception registered by the officer, the hotline, the Virtual Reception's and
the People's Reception's systems with their own numbers), assigned, extended, resolved by the head,
drafted, sent back, approved, forwarded, returned, concluded not considered, terminated, withdrawn,
rated and published. What would happen after the load has not happened yet, so the last weeks' appeals
are open at every step, a few of them overdue (escalated to the head at the load). Like the other stories
it is loaded with the demo users only, and only where no hokimiyat has appeals yet.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from darcha.core.audit import SYSTEM, audit_batch
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.services import membership_grant
from darcha.core.translit import latin_to_cyrillic
from darcha.infoservice import routing_model, services
from darcha.infoservice.choices import (
    AppealStatus,
    AppealType,
    Channel,
    ExtensionKind,
    NotConsideredGround,
    Outcome,
    Satisfaction,
    TerminationGround,
)
from darcha.infoservice.letters import letters_on_demand
from darcha.infoservice.models import Answer, Appeal, Population, Topic

from .appeal_specs import ON_MERITS, AppealSpec, make_appeals

HOKIMIYATS = ("namangan-city-hokimiyat", "yangikurgan-hokimiyat", "namangan-region-hokimiyat")
# Who acts for each hokimiyat (users.toml and appeals.toml's staff): its officer and its head.
OFFICERS = {
    "namangan-city-hokimiyat": "appeals",
    "yangikurgan-hokimiyat": "appeals.yk",
    "namangan-region-hokimiyat": "appeals.region",
}
HEADS = {
    "namangan-city-hokimiyat": "deputy",
    "yangikurgan-hokimiyat": "deputy.yk",
    "namangan-region-hokimiyat": "deputy.region",
}


def _texts(base: str, values) -> dict[str, str]:
    from .loader import _texts as texts  # the loader imports this module

    fields = texts(base, values)
    fields[f"{base}_uz_cyrl"] = latin_to_cyrillic(fields[f"{base}_uz"])
    return fields


# --- reference data ------------------------------------------------------------------------------


def department_specs(data: dict) -> list[dict]:
    """Every hokimiyat's department of every kind: code, parent, hokimiyat, kind, names; an existing
    organization's code where the demo already has the department (`existing`)."""
    made = []
    for place in data["places"]:
        for kind in data["department_kinds"]:
            existing = place.get("existing", {}).get(kind["key"])
            words, unit = place["words"], place["unit"]
            made.append(
                {
                    "code": existing or f"{place['prefix']}-{kind['key']}",
                    "existing": bool(existing),
                    "parent": place["place"],
                    "hokimiyat": place["hokimiyat"],
                    "kind": kind["key"],
                    "name": (
                        f"{words[0]} {kind['name'][0]} {unit[0]}",
                        f"{unit[1]} {kind['name'][1]} {words[1]}",
                        f"{words[2]} {kind['name'][2]} {unit[2]}",
                    ),
                    "short": kind["short"],
                }
            )
    return made


def load_reference(loader) -> None:
    """The departments, the partner receptions, the topics and the populations; the organizations join
    `loader.orgs` (the users stage grants roles there)."""
    data = loader.data["appeals"]
    departments = department_specs(data)
    codes = [d["code"] for d in departments] + [p["code"] for p in data["partners"]]
    codes += [t["executor"] for t in data["topics"]] + [t["forward"] for t in data["topics"] if t.get("forward")]
    codes += [p["district"] for p in data["populations"]]
    loader.orgs.update({o.code: o for o in Organization.objects.filter(code__in=set(codes))})
    with audit_batch():
        for spec in departments:
            if spec["code"] not in loader.orgs:
                loader.orgs[spec["code"]] = loader.save(
                    Organization(
                        code=spec["code"],
                        kind=OrganizationKind.AGENCY,
                        parent=loader.orgs[spec["parent"]],
                        **_texts("name", spec["name"]),
                        **_texts("short_name", spec["short"]),
                    )
                )
        for spec in data["partners"]:
            if spec["code"] not in loader.orgs:
                loader.orgs[spec["code"]] = loader.save(
                    Organization(
                        code=spec["code"],
                        kind=OrganizationKind.AGENCY,
                        parent=loader.orgs[spec["parent"]] if spec.get("parent") else None,
                        **_texts("name", spec["name"]),
                        **_texts("short_name", spec["short"]),
                        address=spec.get("address", ""),
                        website=spec.get("website", ""),
                    )
                )
        _topics(loader, data, departments)
        _populations(loader, data["populations"])


def executor_code(topic: dict, hokimiyat: str, departments: list[dict]) -> str:
    """The organization that usually answers the topic's appeals to the hokimiyat: its department of the
    topic's kind, or the agency the topic names."""
    for spec in departments:
        if spec["hokimiyat"] == hokimiyat and spec["kind"] == topic["executor"]:
            return spec["code"]
    return topic["executor"]


def _topics(loader, data: dict, departments: list[dict]) -> None:
    present = set(Topic.objects.filter(code__in=[t["code"] for t in data["topics"]]).values_list("code", flat=True))
    for order, spec in enumerate(data["topics"], start=1):
        if spec["code"] in present:
            continue
        description = spec.get("description")
        loader.save(
            Topic(
                code=spec["code"],
                **_texts("name", spec["name"]),
                **(_texts("description", description) if description else {}),
                takes_location=spec.get("takes_location", False),
                attributes=spec.get("attributes", []),
                keywords=spec.get("keywords", ""),
                default_executor=loader.orgs[executor_code(spec, HOKIMIYATS[0], departments)],
                order=order * 10,
            )
        )


def _populations(loader, rows: list[dict]) -> None:
    present = set(
        Population.objects.filter(district__code__in=[r["district"] for r in rows]).values_list(
            "district__code", "year"
        )
    )
    for row in rows:
        if (row["district"], row["year"]) not in present and row["district"] in loader.orgs:
            loader.save(
                Population(
                    district=loader.orgs[row["district"]],
                    year=row["year"],
                    residents=row["residents"],
                    source=row["source"],
                )
            )


# --- the year of appeals -------------------------------------------------------------------------


@dataclass
class StoryResult:
    registered: int = 0
    staff: int = 0
    escalated: int = 0
    routing: tuple | None = None  # the routing model: appeals learnt from, topic and executor accuracy, seconds
    outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds spent on each kind of event


def load_story(loader, *, now: dt.datetime, count: int | None = None) -> StoryResult | None:
    """Play the year of appeals up to `now` with `count` appeals (None: the quick count); None when the
    hokimiyats have appeals already, their staff are missing or no appeal is asked for."""
    data = loader.data["appeals"]
    count = data["quick_count"] if count is None else count
    if count <= 0:
        return None
    hokimiyats = {o.code: o for o in Organization.objects.filter(code__in=HOKIMIYATS)}
    if len(hokimiyats) < len(HOKIMIYATS) or Appeal.objects.filter(organization__in=hokimiyats.values()).exists():
        return None
    started = time.perf_counter()
    result = StoryResult()
    # Thousands of letters nobody may open: each is rendered when first downloaded or verified, not queued.
    with audit_batch(), letters_on_demand():
        people = _staff(loader, data, result)
        if people is None:
            return None
        _Story(loader, data, hokimiyats, people, now, result).play(count)
    result.seconds = time.perf_counter() - started
    return result


def _staff(loader, data: dict, result: StoryResult) -> dict[str, User] | None:
    """The story's actors: users.toml's appeals users, appeals.toml's officers and heads of the other
    hokimiyats, and an executor at every department answering a topic that has none (no password: an
    administrator gives one)."""
    departments = department_specs(data)
    executors = {executor_code(t, h, departments) for t in data["topics"] for h in HOKIMIYATS}
    own = {s["username"] for s in data["staff"]}
    logins = {*OFFICERS.values(), *HEADS.values(), *(p["clerk"] for p in data["partners"])} - own
    users = {u.username: u for u in User.objects.filter(username__in=logins | own)}
    if not logins <= users.keys():
        return None  # users.toml's appeals users were not loaded
    names = data["executor_names"]
    held = dict(
        Organization.objects.filter(
            code__in=executors, memberships__role=Role.APPEALS_EXECUTOR, memberships__user__is_active=True
        ).values_list("code", "memberships__user__username")
    )
    to_make = [spec for spec in data["staff"] if spec["username"] not in users] + [
        {
            "username": f"exec.{code}",
            "first_name": names["first"][n % len(names["first"])],
            "last_name": names["last"][(n * 7) % len(names["last"])],
            "language": "uz",
            "role": Role.APPEALS_EXECUTOR,
            "organization": code,
        }
        for n, code in enumerate(sorted(executors))
        if code not in held
    ]
    unusable = make_password(None)
    for spec in to_make:
        user = User(
            username=spec["username"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            language=spec["language"],
            email=f"{spec['username']}@darcha.example",
            password=unusable,
        )
        loader.save(user)
        membership_grant(actor=SYSTEM, user=user, organization=loader.orgs[spec["organization"]], role=spec["role"])
        users[user.username] = user
        held.setdefault(spec["organization"], user.username)
        result.staff += 1
    by_name = {u.username: u for u in User.objects.filter(username__in=set(held.values()))}
    users.update(by_name)
    return {**users, **{f"@{code}": by_name[username] for code, username in held.items()}}


class _Story:
    """The appeals' events in time order (a heap: handling one schedules the next, later)."""

    def __init__(self, loader, data, hokimiyats, people, now, result: StoryResult):
        self.data, self.hokimiyats, self.people, self.now, self.result = data, hokimiyats, people, now, result
        self.orgs = loader.orgs
        self.tz = timezone.get_current_timezone()
        self.calendar = WorkingCalendar.current()
        self.rng = random.Random(f"{data['seed']}/story")  # noqa: S311 — made-up data
        self.heap: list = []
        self.sequence = itertools.count()
        self.departments = department_specs(data)
        self.topics = {t["code"]: t for t in data["topics"]}
        self.topic_objects = {t.code: t for t in Topic.objects.filter(code__in=self.topics)}
        self.partners = {p["source"]: p for p in data["partners"]}
        self.external = itertools.count(1)
        self.appeals: dict[int, Appeal] = {}
        self.answers = data["answers"]

    # --- the clock ---
    def at(self, moment: dt.datetime, kind: str, spec: AppealSpec, *payload) -> None:
        if moment < self.now:  # what would happen after the load has not happened yet
            heapq.heappush(self.heap, (moment, next(self.sequence), kind, spec, payload))

    def working(self, after: dt.datetime, days: int, draw: float) -> dt.datetime:
        """A moment in office hours `days` working days after `after` (0: later that working day, or the
        next one's morning)."""
        day = timezone.localtime(after).date()
        day = self.calendar.add_working_days(day, days) if days else self.calendar.next_working_day(day, include=True)
        minute = 9 * 60 + int(draw * 8 * 60)
        moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self.tz)
        return moment if moment > after else after + dt.timedelta(minutes=20 + int(draw * 60))

    def play(self, count: int) -> None:
        today = timezone.localdate(self.now)
        params = {**self.data, "topics": list(self.topics.values())}
        for spec in make_appeals(params, today=today, tz=self.tz, count=count):
            self.at(spec.received_at, "register", spec)
        timings = self.result.timings
        while self.heap:
            moment, _seq, kind, spec, payload = heapq.heappop(self.heap)
            started = time.perf_counter()
            getattr(self, f"on_{kind}")(moment, spec, *payload)
            timings[kind] = timings.get(kind, 0.0) + time.perf_counter() - started
        self.result.escalated = services.appeals_escalate_overdue(now=self.now)
        started = time.perf_counter()
        self.train(params, today)
        timings["train"] = time.perf_counter() - started

    def train(self, params: dict, today: dt.date) -> None:
        """The routing model learns from the year's appeals: those played, or, when fewer were played than
        the year has (the tests' quick year), `quick_learn` of the year's appeals as generated — the same
        texts, topics and executors the services would have recorded (fitting the whole year's 3,000 takes
        about 25 s)."""
        samples = routing_model.training_samples()
        if len(samples) < params["count"]:
            samples = [
                routing_model.Sample(
                    spec.text,
                    self.hokimiyats[spec.hokimiyat].pk,
                    self.topic_objects[spec.topic].pk,
                    self.executor_of(spec).pk,
                )
                for spec in make_appeals(params, today=today, tz=self.tz, count=params["quick_learn"])
                if spec.outcome != "forwarded"
            ]
        model = routing_model.train(now=self.now, samples=samples)
        self.result.routing = (model.samples, model.topic_accuracy, model.executor_accuracy, model.seconds)

    # --- who acts ---
    def officer(self, spec: AppealSpec) -> User:
        return self.people[OFFICERS[spec.hokimiyat]]

    def head(self, spec: AppealSpec) -> User:
        return self.people[HEADS[spec.hokimiyat]]

    def executor_of(self, spec: AppealSpec) -> Organization:
        return self.orgs[executor_code(self.topics[spec.topic], spec.hokimiyat, self.departments)]

    def executor_user(self, organization: Organization) -> User:
        return self.people[f"@{organization.code}"]

    def words(self, spec: AppealSpec, key: str, **values) -> str:
        language = "ru" if spec.language == "ru" else "uz"
        text = self.answers[f"{key}_{language}"].format(**{**spec.slots, **values})
        return latin_to_cyrillic(text) if spec.language == "uz-cyrl" else text

    def topic_words(self, spec: AppealSpec, key: str) -> str:
        language = "ru" if spec.language == "ru" else "uz"
        return self.topics[spec.topic][f"{key}_{language}"].format(**spec.slots)

    # --- registration ---
    def on_register(self, moment: dt.datetime, spec: AppealSpec) -> None:
        channel = spec.channel
        extra = {}
        if channel == Channel.WEB:
            actor = services.AUTHOR
            extra["phone_confirmed"] = bool(spec.phone)
        elif channel in self.partners:
            partner = self.partners[channel]
            actor = self.people[partner["clerk"]]
            number = partner["number"].format(year=moment.year, n=100_000 + next(self.external) * 37)
            extra.update(external_source=partner["source"], external_number=number)
        else:
            actor = self.officer(spec)
        if spec.location is not None:
            lat, lon, where = spec.location
            extra.update(latitude=lat, longitude=lon, location_address=where)
        original = self.appeals.get(spec.repeat_of) if spec.repeat_of is not None else None
        appeal = services.appeal_register(
            actor=actor,
            organization=self.hokimiyats[spec.hokimiyat],
            text=spec.text,
            channel=channel,
            type=spec.type,
            author_name=spec.author_name,
            author_address=spec.author_address,
            author_phone=spec.phone,
            author_email=spec.email,
            language=spec.language,
            topic=self.topic_objects[spec.topic],
            signatories=spec.signatories,
            is_collective=len(spec.signatories) > 1,
            consent_publish=spec.consent,
            # A repeated complaint about the department's answer names it (terminated without new arguments, it
            # is not assigned; one answered anew goes to the same department, so names none).
            complained_body=original.executor
            if original is not None and spec.type == AppealType.COMPLAINT and spec.outcome == "repeated"
            else None,
            received_at=moment,
            now=moment,
            **extra,
        )
        self.appeals[spec.index] = appeal
        self.result.registered += 1
        d = spec.draws
        routed = self.working(appeal.registered_at, 1 if d[0] < 0.7 else 2, d[1])
        if spec.outcome == "forwarded":
            self.at(routed, "forward", spec)
        elif spec.outcome == "returned":
            self.at(routed, "return", spec)
        elif spec.outcome in ("not_considered", "repeated"):
            self.at(routed, "conclude", spec)
        elif spec.outcome == "withdrawn":
            self.at(routed, "assign", spec)
            self.at(routed + dt.timedelta(days=2 + int(d[2] * 6), hours=1), "withdraw", spec)
        else:
            self.at(routed, "assign", spec)

    def fresh(self, spec: AppealSpec) -> Appeal:
        appeal = Appeal.objects.select_related("organization", "executor").get(pk=self.appeals[spec.index].pk)
        self.appeals[spec.index] = appeal
        return appeal

    # --- routing ---
    def on_forward(self, moment: dt.datetime, spec: AppealSpec) -> None:
        topic = self.topics[spec.topic]
        target = self.orgs.get(topic.get("forward", ""))
        name = "" if target is not None else topic["forward_name"]
        to = target.name_ru if spec.language == "ru" and target is not None else (target.name_uz if target else name)
        services.appeal_forward(
            actor=self.officer(spec),
            appeal=self.fresh(spec),
            ground=self.words(spec, "forward", to=to),
            to_organization=target,
            to_name=name,
            now=moment,
        )
        self._closed(Outcome.FORWARDED)

    def on_return(self, moment: dt.datetime, spec: AppealSpec) -> None:
        services.appeal_return(
            actor=self.officer(spec), appeal=self.fresh(spec), reasons=self.words(spec, "returned"), now=moment
        )
        self._closed(Outcome.RETURNED)

    def on_conclude(self, moment: dt.datetime, spec: AppealSpec) -> None:
        if spec.outcome == "not_considered":
            outcome, ground, key = Outcome.NOT_CONSIDERED, NotConsideredGround.ANONYMOUS, "anonymous"
        else:
            outcome, ground, key = Outcome.TERMINATED, TerminationGround.REPEATED, "repeated"
        answer = services.answer_draft(
            actor=self.officer(spec),
            appeal=self.fresh(spec),
            outcome=outcome,
            ground=ground,
            text=self.words(spec, key),
            now=moment,
        )
        self.at(self.working(moment, 1, spec.draws[3]), "approve", spec, answer.pk)

    def on_assign(self, moment: dt.datetime, spec: AppealSpec) -> None:
        appeal = self.fresh(spec)
        if not appeal.is_open:
            return
        executor = self.executor_of(spec)
        co = []
        if spec.co_executor:
            others = [
                self.orgs[d["code"]]
                for d in self.departments
                if d["hokimiyat"] == spec.hokimiyat and d["code"] != executor.code and f"@{d['code']}" in self.people
            ]
            co = [others[int(spec.draws[4] * len(others))]] if others else []
        services.appeal_assign(actor=self.officer(spec), appeal=appeal, executor=executor, co_executors=co, now=moment)
        if spec.outcome not in ON_MERITS:
            return
        d = spec.draws
        if spec.resolution:
            self.at(moment + dt.timedelta(hours=2), "resolution", spec)
        if spec.extended:
            self.at(self.working(moment, 2 + int(d[5] * 3), d[6]), "extend", spec)
        else:
            self.schedule_draft(spec, moment)

    def on_resolution(self, moment: dt.datetime, spec: AppealSpec) -> None:
        appeal = self.fresh(spec)
        if appeal.status != AppealStatus.IN_WORK:
            return
        due = max(appeal.due_at - dt.timedelta(days=3), moment + dt.timedelta(days=1))
        services.appeal_resolution(
            actor=self.head(spec),
            appeal=appeal,
            text=self.words(spec, "resolution"),
            due_at=min(due, appeal.due_at),
            executors=[appeal.executor],
            now=moment,
        )

    def on_extend(self, moment: dt.datetime, spec: AppealSpec) -> None:
        appeal = self.fresh(spec)
        if appeal.status != AppealStatus.IN_WORK:
            return
        services.appeal_extend(
            actor=self.executor_user(appeal.executor),
            appeal=appeal,
            kind=ExtensionKind.STUDY,
            reason=self.words(spec, "study"),
            now=moment,
        )
        if spec.head_extended:
            due = timezone.localtime(self.fresh(spec).due_at)
            self.at(self.working(due - dt.timedelta(days=4), 0, spec.draws[7]), "head_extend", spec)
        else:
            self.schedule_draft(spec, moment)

    def on_head_extend(self, moment: dt.datetime, spec: AppealSpec) -> None:
        appeal = self.fresh(spec)
        if appeal.status != AppealStatus.IN_WORK:
            return
        services.appeal_extend(
            actor=self.head(spec),
            appeal=appeal,
            kind=ExtensionKind.HEAD,
            reason=self.words(spec, "head_study"),
            now=moment,
        )
        self.schedule_draft(spec, moment)

    def schedule_draft(self, spec: AppealSpec, after: dt.datetime) -> None:
        """The executor answers some days before the term, or, for a late one, some days after it."""
        appeal = self.appeals[spec.index]
        due = timezone.localtime(Appeal.objects.values_list("due_at", flat=True).get(pk=appeal.pk))
        d = spec.draws
        if spec.late:
            when = self.working(due, 1 + int(d[8] * 5), d[9])
        else:
            when = self.working(due - dt.timedelta(days=2 + int(d[8] * 9)), 0, d[9])
            when = max(when, self.working(after, 1, d[9]))
        self.at(when, "draft", spec)

    # --- answers ---
    def on_draft(self, moment: dt.datetime, spec: AppealSpec, again: bool = False) -> None:
        appeal = self.fresh(spec)
        if appeal.status != AppealStatus.IN_WORK:
            return
        key = {"satisfied": "fix", "explained": "explain", "refused": "refuse"}[spec.outcome]
        text = self.words(spec, spec.outcome, number=appeal.number, **{key: self.topic_words(spec, key)})
        answer = services.answer_draft(
            actor=self.executor_user(appeal.executor), appeal=appeal, outcome=spec.outcome, text=text, now=moment
        )
        self.at(
            self.working(moment, 1 if spec.draws[10] < 0.6 else 0, spec.draws[10]), "approve", spec, answer.pk, again
        )

    def on_approve(self, moment: dt.datetime, spec: AppealSpec, answer_id: int, again: bool = False) -> None:
        answer = Answer.objects.select_related("appeal").get(pk=answer_id)
        if spec.sent_back and not again:
            services.answer_send_back(
                actor=self.head(spec), answer=answer, comment=self.words(spec, "sent_back"), now=moment
            )
            self.at(self.working(moment, 1, spec.draws[11]), "draft", spec, True)
            return
        services.answer_approve(actor=self.head(spec), answer=answer, now=moment)
        outcome = {"not_considered": Outcome.NOT_CONSIDERED, "repeated": Outcome.TERMINATED}.get(
            spec.outcome, spec.outcome
        )
        self._closed(outcome)
        if spec.rating:
            self.at(moment + dt.timedelta(days=1 + int(spec.draws[11] * 4), hours=3), "rate", spec)
        if spec.published:
            self.at(self.working(moment, 3 + int(spec.draws[2] * 8), spec.draws[3]), "publish", spec, answer.text)

    def on_rate(self, moment: dt.datetime, spec: AppealSpec) -> None:
        not_satisfied = spec.rating == "not_satisfied"
        services.appeal_rate(
            actor=services.AUTHOR,
            appeal=self.fresh(spec),
            satisfaction=Satisfaction.NOT_SATISFIED if not_satisfied else Satisfaction.SATISFIED,
            note=self.words(spec, "not_satisfied") if not_satisfied else "",
            now=moment,
        )

    def on_publish(self, moment: dt.datetime, spec: AppealSpec, answer_text: str) -> None:
        topic = self.topic_objects[spec.topic]
        language = "ru" if spec.language == "ru" else "uz"
        name = spec.author_name
        redacted = answer_text.replace(name, "—") if name else answer_text  # the officer removes the name
        place = self.hokimiyats[spec.hokimiyat]
        text = self.words(
            spec,
            "published",
            place=place.name_ru if language == "ru" else place.name_uz,
            topic=topic.name_ru if language == "ru" else topic.name_uz,
            answer=redacted,
        )
        services.appeal_publish(actor=self.officer(spec), appeal=self.fresh(spec), published_text=text, now=moment)

    def on_withdraw(self, moment: dt.datetime, spec: AppealSpec) -> None:
        appeal = self.fresh(spec)
        if not appeal.is_open:
            return
        services.appeal_withdraw(actor=services.AUTHOR, appeal=appeal, now=moment)
        self._closed(Outcome.TERMINATED)

    def _closed(self, outcome: str) -> None:
        self.result.outcomes[outcome] = self.result.outcomes.get(outcome, 0) + 1
