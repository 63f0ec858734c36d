"""Load the Namangan demo (darcha/demo/data/namangan/*.toml) through the service functions, idempotently.

Every object is looked up by its natural key (`code`, username, center + window number); what is
missing is created, what exists is left as it is — an administrator's later edits are never
overwritten, and a second run writes nothing, not even an audit entry. A service is created
together with its documents and its published procedure, so an existing service is skipped whole.
Holidays are seeded only for years that have no official calendar yet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from darcha.catalog.choices import Action, Effect, FieldKind, Outcome, VersionStatus
from darcha.catalog.models import (
    Category,
    Discount,
    ProcedureVersion,
    RequiredDocument,
    Service,
    Step,
    StepField,
    Transition,
)
from darcha.catalog.services import procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.choices import HolidaySource, OrganizationKind, Role
from darcha.core.models import Holiday, OpeningHours, Organization, User
from darcha.core.money import FeeKind
from darcha.core.services import brv_seed, holidays_seed, membership_grant, record_save
from darcha.queues.models import Counter as ServiceCounter

from . import appeals, media_events, preschool, publications
from . import media as media_demo
from . import surveys as surveys_demo
from .reader import LANGUAGES, load_region

REGION = "namangan"


@dataclass
class LoadResult:
    created: Counter = field(default_factory=Counter)
    holiday_years: list[int] = field(default_factory=list)
    users_loaded: bool = True
    preschool_seconds: float | None = None  # how long the kindergarten queue's story took to play
    appeals_seconds: float | None = None  # how long the year of appeals took to play

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or self.holiday_years)


def _texts(base: str, values: tuple[str, ...] | None) -> dict[str, str]:
    """("uz", "ru", "en") → {"name_uz": …, "name_ru": …, "name_en": …}."""
    return {f"{base}_{lang}": text for lang, text in zip(LANGUAGES, values or ("", "", ""), strict=True)}


def load_demo(
    *,
    with_users: bool = True,
    today: dt.date | None = None,
    preschool_children: int | None = None,
    appeals_count: int | None = None,
) -> LoadResult:
    """Create whatever part of the Namangan demo is missing, in one transaction. `preschool_children`:
    how many children the kindergarten queue is made of (default: preschool.toml's quick count, which
    loads in seconds; `darcha load_demo` asks for the full queue). `appeals_count`: how many appeals
    the hokimiyats' year is made of (default: appeals.toml's quick count; the command asks for the year's)."""
    result = LoadResult(users_loaded=with_users)
    data = load_region(REGION)
    with transaction.atomic():
        loader = _Loader(result, data)
        brv_seed(actor=SYSTEM)  # the demo's fees are multiples of it
        loader.organizations()
        loader.preschool_reference()
        loader.appeals_reference()
        loader.opening_hours()
        loader.categories()
        loader.preschool_desk()
        loader.discounts()
        loader.services()
        loader.counters()
        if with_users:
            loader.users()
        loader.holidays(today or timezone.localdate())
        if with_users:
            loader.applications(timezone.now())
            loader.preschool_queue(timezone.now(), preschool_children)
            loader.appeals_story(timezone.now(), appeals_count)
            publications.load_demo(loader, timezone.now())
            surveys_demo.load(loader, now=timezone.now())
            media_demo.load(loader, now=timezone.now())
            media_events.load(loader, now=timezone.now())
    _analyze()
    return result


def _analyze() -> None:
    """Fresh statistics for the planner after the load (PostgreSQL; its autovacuum may be off, as on the
    development machines): without them it plans the first queries over empty-table estimates."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class _Loader:
    def __init__(self, result: LoadResult, data: dict):
        self.result = result
        self.data = data
        self.orgs: dict[str, Organization] = {}
        self.categories_by_code: dict[str, Category] = {}
        self.discounts_by_code: dict[str, Discount] = {}

    def save(self, instance):
        record_save(actor=SYSTEM, instance=instance)
        with translation.override("en"):  # stable report keys, whatever the active language
            self.result.created[str(instance._meta.verbose_name_plural)] += 1
        return instance

    # --- organizations ---------------------------------------------------------------------
    def organizations(self) -> None:
        codes = [spec["code"] for spec in self.data["organizations"]]
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        for spec in self.data["organizations"]:
            if spec["code"] in self.orgs:
                continue
            short = spec.get("short")
            org = Organization(
                code=spec["code"],
                kind=spec["kind"],
                parent=self.orgs[spec["parent"]] if spec.get("parent") else None,
                **(_texts("short_name", short) if short else {"short_name_uz": spec.get("short_name", "")}),
                address=spec.get("address", ""),
                phone=spec.get("phone", ""),
                email=spec.get("email", ""),
                website=spec.get("website", ""),
                **_texts("name", spec["name"]),
            )
            self.orgs[org.code] = self.save(org)

    def opening_hours(self) -> None:
        center = self.orgs[self.data["center"]]
        present = set(OpeningHours.objects.filter(center=center).values_list("weekday", flat=True))
        for weekday, opens, closes in self.data["opening_hours"]:
            if weekday not in present:
                self.save(OpeningHours(center=center, weekday=weekday, opens=opens, closes=closes))

    # --- catalog ---------------------------------------------------------------------------
    def categories(self) -> None:
        codes = [spec["code"] for spec in self.data["categories"]]
        self.categories_by_code = {c.code: c for c in Category.objects.filter(code__in=codes)}
        for position, spec in enumerate(self.data["categories"], start=1):
            if spec["code"] not in self.categories_by_code:
                category = Category(
                    code=spec["code"],
                    icon=spec.get("icon", ""),
                    position=position * 10,
                    ticket_prefix=chr(ord("A") + position - 1),  # A, B, C… in catalog order
                    **_texts("name", spec["name"]),
                )
                self.categories_by_code[category.code] = self.save(category)

    def discounts(self) -> None:
        codes = [spec["code"] for spec in self.data["discounts"]]
        self.discounts_by_code = {d.code: d for d in Discount.objects.filter(code__in=codes)}
        for spec in self.data["discounts"]:
            if spec["code"] not in self.discounts_by_code:
                discount = Discount(code=spec["code"], percent=Decimal(spec["percent"]), **_texts("name", spec["name"]))
                self.discounts_by_code[discount.code] = self.save(discount)

    def services(self) -> None:
        codes = [spec["code"] for spec in self.data["services"]]
        existing = set(Service.objects.filter(code__in=codes).values_list("code", flat=True))
        for spec in self.data["services"]:
            if spec["code"] not in existing:
                self.service(spec)

    def service(self, spec: dict) -> Service:
        fee_kind, fee_value = spec["fee"]
        service = self.save(
            Service(
                code=spec["code"],
                category=self.categories_by_code[spec["category"]],
                responsible_agency=self.orgs[spec["agency"]],
                **_texts("name", spec["name"]),
                **_texts("description", spec.get("description")),
                **_texts("result", spec.get("result")),
                keywords=spec.get("keywords", ""),
                for_individuals=spec.get("individuals", True),
                for_legal_entities=spec.get("legal", False),
                fee_kind=FeeKind(fee_kind),
                fee_value=Decimal(str(fee_value)),
                term_days=spec["term"],
                online=spec.get("online", False),
                legal_basis=spec.get("legal_basis", ""),
            )
        )
        if spec.get("discounts"):
            service.discounts.set([self.discounts_by_code[code] for code in spec["discounts"]])
        documents = [self.document(service, position, item) for position, item in enumerate(spec["documents"], start=1)]
        self.procedure(service, spec, documents)
        return service

    def document(self, service: Service, position: int, item) -> RequiredDocument:
        if isinstance(item, str):
            item = self.data["documents"][item]
        elif isinstance(item, tuple):
            key, overrides = item
            item = {**self.data["documents"][key], **overrides}
        return self.save(
            RequiredDocument(
                service=service,
                position=position,
                **_texts("name", item["name"]),
                **_texts("note", item.get("note")),
                obtained_by_center=item.get("by_center", False),
                original_required=item.get("original", False),
                copies=item.get("copies", 0),
                mandatory=item.get("mandatory", True),
            )
        )

    # --- procedures ------------------------------------------------------------------------
    def procedure(self, service: Service, spec: dict, documents: list[RequiredDocument]) -> ProcedureVersion:
        stages = [item if isinstance(item, list) else [item] for item in spec["steps"]]
        if len(stages[0]) != 1:
            raise ValueError(f"{service.code}: the first stage must be one step (the fork comes after it)")
        path_days = sum(max(self._step_spec(s)["days"] for s in stage) for stage in stages)
        if path_days > service.term_days:
            raise ValueError(f"{service.code}: the steps take {path_days} days, the term is {service.term_days}")

        version = self.save(
            ProcedureVersion(service=service, number=1, notes="Namangan demo: the first published version.")
        )
        step_stages: list[list[Step]] = []
        codes: set[str] = set()
        for number, stage in enumerate(stages, start=1):
            after_parallel = number > 1 and len(stages[number - 2]) > 1
            if after_parallel and len(stage) != 1:
                raise ValueError(f"{service.code}: parallel steps must be joined by a single step")
            step_stages.append(
                [self.step(version, number, self._step_spec(item), codes, join=after_parallel) for item in stage]
            )
        step_stages[0][0].documents.set(documents)
        if not spec.get("result_fields"):
            raise ValueError(f"{service.code}: the result is generated, so the last step declares its result_fields")
        for step in step_stages[-1]:
            for position, key in enumerate(spec["result_fields"], start=1):
                self.output_field(step, position, key)

        paid = service.fee_kind != FeeKind.FREE
        self.transition(
            version,
            None,
            Action.SUBMIT,
            step_stages[0][0],
            roles=[Role.OPERATOR],
            effects=[Effect.REQUEST_PAYMENT] if paid else [],
        )
        for index, stage in enumerate(step_stages):
            following = step_stages[index + 1] if index + 1 < len(step_stages) else None
            for step in stage:
                roles = [step.role]
                if following is None:
                    self.transition(
                        version,
                        step,
                        Action.APPROVE,
                        None,
                        outcome=Outcome.ISSUED,
                        roles=roles,
                        effects=[Effect.ISSUE_DOCUMENT, Effect.NOTIFY_CITIZEN],
                    )
                else:
                    for target in following:  # several targets: a fork into parallel steps
                        self.transition(version, step, Action.APPROVE, target, roles=roles)
                self.transition(
                    version,
                    step,
                    Action.REQUEST_DOCUMENTS,
                    step,
                    roles=roles,
                    effects=[Effect.WAIT_CITIZEN, Effect.NOTIFY_CITIZEN],
                )
                self.transition(
                    version,
                    step,
                    Action.REJECT,
                    None,
                    outcome=Outcome.REFUSED,
                    roles=roles,
                    effects=[Effect.NOTIFY_CITIZEN],
                )
        procedure_publish(actor=SYSTEM, version=version)
        self.result.created["published procedures"] += 1
        return version

    @staticmethod
    def _step_spec(item) -> dict:
        if isinstance(item, dict):
            return item
        kind, agency, days = item
        return {"kind": kind, "agency": agency, "days": days}

    def step(self, version: ProcedureVersion, stage: int, spec: dict, codes: set[str], *, join: bool) -> Step:
        kind = self.data["step_kinds"][spec["kind"]]
        agency_spec = next(o for o in self.data["organizations"] if o["code"] == spec["agency"])
        agency = self.orgs[spec["agency"]]
        base = f"{spec['kind']}-{agency.code.removeprefix('namangan-')}"
        code, n = base, 1
        while code in codes:
            n += 1
            code = f"{base}-{n}"
        codes.add(code)
        labels = tuple(
            pattern.format(loc=loc, short=short)
            for pattern, loc, short in zip(kind["label"], agency_spec["loc"], agency_spec["short"], strict=True)
        )
        return self.save(
            Step(
                version=version,
                code=code,
                stage=stage,
                agency=agency,
                role=spec.get("role") or kind.get("role", Role.AGENCY_CLERK),
                term_days=spec["days"],
                clock_stops_for_citizen=spec.get("clock_stops", True),
                join=join,
                **_texts("name", spec.get("name") or kind["name"]),
                **_texts("citizen_label", labels),
            )
        )

    def output_field(self, step: Step, position: int, key: str) -> StepField:
        spec = self.data["output_fields"][key]
        options = spec.get("options") or ([], [], [])
        return self.save(
            StepField(
                step=step,
                code=key,
                position=position,
                kind=spec.get("kind", FieldKind.TEXT),
                required=spec.get("required", True),
                **_texts("label", spec["label"]),
                **_texts("options", tuple("\n".join(lines) for lines in options)),
            )
        )

    def transition(self, version, from_step, action, to_step, *, outcome="", roles=(), effects=()) -> Transition:
        return self.save(
            Transition(
                version=version,
                from_step=from_step,
                action=action,
                to_step=to_step,
                outcome=outcome,
                roles=[str(r) for r in roles],
                effects=[str(e) for e in effects],
            )
        )

    # --- counters, users, calendar ---------------------------------------------------------
    def counters(self) -> None:
        center = self.orgs[self.data["center"]]
        present = set(ServiceCounter.objects.filter(center=center).values_list("number", flat=True))
        missing = [spec for spec in self.data["counters"] if spec[0] not in present]
        if not missing:
            return
        services = {s.code: s for s in Service.objects.filter(code__in={c for spec in missing for c in spec[2]})}
        for number, category_codes, service_codes in missing:
            counter = self.save(ServiceCounter(center=center, number=number))
            counter.categories.set([self.categories_by_code[code] for code in category_codes])
            counter.services.set([services[code] for code in service_codes])

    def users(self) -> None:
        present = set(
            User.objects.filter(username__in=[u["username"] for u in self.data["users"]]).values_list(
                "username", flat=True
            )
        )
        for spec in self.data["users"]:
            if spec["username"] in present:
                continue
            superuser = spec.get("superuser", False)
            user = User(
                username=spec["username"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                language=spec["language"],
                email=f"{spec['username']}@darcha.example",
                is_staff=superuser,
                is_superuser=superuser,
            )
            user.set_password(self.data["password"])
            self.save(user)
            membership_grant(actor=SYSTEM, user=user, organization=self.orgs[spec["organization"]], role=spec["role"])
            self.result.created["role memberships"] += 1

    def applications(self, now: dt.datetime) -> None:
        made = _load_applications(self.data, self.orgs, now)
        if made:
            self.result.created["applications"] += made

    # --- kindergartens (darcha/demo/preschool.py) -----------------------------------------------
    def preschool_reference(self) -> None:
        preschool.load_reference(self)

    def preschool_desk(self) -> None:
        preschool.load_desk(self)

    def preschool_queue(self, now: dt.datetime, children: int | None) -> None:
        queue = preschool.load_queue(self, now=now, count=children)
        if queue is not None:
            self.result.created["kindergarten applications"] += queue.registered
            self.result.created["allocation campaigns"] += queue.campaigns
            self.result.preschool_seconds = queue.seconds

    # --- the hokimiyats' appeals (darcha/demo/appeals.py) ------------------------------------------------
    def appeals_reference(self) -> None:
        appeals.load_reference(self)

    def appeals_story(self, now: dt.datetime, count: int | None) -> None:
        story = appeals.load_story(self, now=now, count=count)
        if story is not None:
            self.result.created["appeals"] += story.registered
            self.result.appeals_seconds = story.seconds

    def holidays(self, today: dt.date) -> None:
        years = list(range(today.year - 1, today.year + 3))
        seeded = {
            d.year
            for d in Holiday.objects.filter(
                source=HolidaySource.OFFICIAL,
                date__gte=dt.date(years[0], 1, 1),
                date__lte=dt.date(years[-1], 12, 31),
            ).dates("date", "year")
        }
        missing = [year for year in years if year not in seeded]
        if missing:
            holidays_seed(actor=SYSTEM, years=missing)
            self.result.holiday_years = missing


# --- demo applications (applications.toml) ----------------------------------------------------
def _demo_pinfl(n: int) -> str:
    from darcha.core.identifiers import pinfl_check_digit

    first13 = f"3{n + 10:02d}0690{n:06d}"[:13]
    return first13 + str(pinfl_check_digit(first13))


def _load_applications(data: dict, orgs: dict[str, Organization], now: dt.datetime) -> int:
    """A few applications in every state, through the service functions, so the screens have work on them."""
    from darcha.cases import services as cases
    from darcha.cases.models import Application, Task
    from darcha.core.choices import PersonKind
    from darcha.core.services import person_register

    center = orgs[data["center"]]
    if Application.objects.filter(center=center).exists():
        return 0
    specs = data["applications"]
    usernames = {spec["by"] for spec in specs} | {act["by"] for spec in specs for act in spec.get("acts", [])}
    usernames |= {spec["handed_over"]["by"] for spec in specs if "handed_over" in spec}
    usernames |= {applicant["by"] for applicant in data["applicants"]}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) < len(usernames):
        return 0
    people = [
        person_register(
            actor=users[applicant["by"]],
            kind=PersonKind.INDIVIDUAL,
            name=applicant["name"],
            pinfl=_demo_pinfl(i),
            phone=applicant["phone"],
            language=applicant["language"],
        )
        for i, applicant in enumerate(data["applicants"], start=1)
    ]
    services = Service.objects.in_bulk({spec["service"] for spec in specs}, field_name="code")
    day = dt.timedelta(days=1)
    for spec in specs:
        service, person = services[spec["service"]], people[spec["applicant"] - 1]
        presented = [d for d in service.documents.all() if not d.obtained_by_center]
        fee = (
            cases.Fee(payment_reference="DEMO-" + person.pinfl[-4:])
            if service.fee_kind != FeeKind.FREE
            else cases.Fee()
        )
        application = cases.application_submit(
            actor=users[spec["by"]],
            intake=cases.Intake(service=service, applicant=person, center=center, presented=presented, fee=fee),
            now=now - spec["days_ago"] * day,
        )
        for act in spec.get("acts", []):
            cases.task_act(
                actor=users[act["by"]],
                task=Task.objects.get(application=application, status="open"),
                action=act["action"],
                comment=act.get("comment", ""),
                fields=act.get("fields", {}),
                now=now - act["days_ago"] * day,
            )
        if handed_over := spec.get("handed_over"):
            cases.application_handover(
                actor=users[handed_over["by"]],
                application=application,
                identifier=person.pinfl,
                now=now - handed_over["days_ago"] * day,
            )
        if rating := spec.get("rating"):
            cases.rating_submit(
                application=application,
                score=rating["score"],
                comment=rating.get("comment", ""),
                now=now - rating["days_ago"] * day,
            )
    return len(specs)


# --- the report the command prints -------------------------------------------------------------
def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, organization, password) of the demo users that exist."""
    data = load_region(REGION)
    specs = data["users"]
    users = {u.username: u for u in User.objects.filter(username__in=[s["username"] for s in specs])}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[s["organization"] for s in specs])}
    return [
        (spec["username"], str(Role(spec["role"]).label), orgs[spec["organization"]].name_uz, data["password"])
        for spec in specs
        if spec["username"] in users and spec["organization"] in orgs
    ]


def login_table(logins: list[tuple[str, str, str, str]]) -> list[str]:
    """The demo users as a table: username, role, organization, password."""
    rows = [("username", "role", "organization", "password"), *logins]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def demo_login_lines() -> list[str]:
    """The section of `darcha serve`'s banner (core.serve_banner): the demo users that exist, if any."""
    logins = demo_logins()
    if not logins:
        return []
    return ["Demo users: log in at /login/ (the staff pages start at /desk/)", "", *login_table(logins)]


def demo_counts() -> dict[str, int]:
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    return {
        "organizations": Organization.objects.count(),
        "agencies": Organization.objects.filter(kind=OrganizationKind.AGENCY).count(),
        "services": Service.objects.count(),
        "published procedures": published.count(),
        "parallel procedures": published.annotate(joins=Count("steps", filter=Q(steps__join=True)))
        .filter(joins__gt=0)
        .count(),
        "counters": ServiceCounter.objects.count(),
    }


def report_lines(result: LoadResult) -> list[str]:
    lines = []
    if result.changed:
        made = ", ".join(f"{n} {name}" for name, n in result.created.items())
        lines.append(f"Namangan demo loaded: created {made or 'nothing'}.")
        if result.holiday_years:
            lines.append("Holidays seeded for " + ", ".join(map(str, result.holiday_years)) + ".")
    else:
        lines.append("Namangan demo already loaded; nothing changed.")
    if result.users_loaded:
        lines.append("")
        lines.extend(login_table(demo_logins()))
    lines.append("")
    lines.append(", ".join(f"{name}: {n}" for name, n in demo_counts().items()))
    return lines
