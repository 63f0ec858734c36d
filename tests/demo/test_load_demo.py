"""The Namangan demo: the session's load (tests/conftest.py `demo`, its LoadResult) checked, then loaded again."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from pypdf import PdfReader

from darcha.catalog.choices import Action, VersionStatus
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
from darcha.catalog.selectors import fee_today, service_search
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import AuditEntry, Holiday, Membership, OpeningHours, Organization, User
from darcha.demo.appeals import department_specs
from darcha.demo.loader import load_demo
from darcha.demo.reader import load_region
from darcha.queues.models import Counter

pytestmark = pytest.mark.django_db

DATA = load_region("namangan")
REGION, CITY, DISTRICT = "namangan-region", "namangan-city", "yangikurgan-district"
CENTER, ARCHITECTURE, DISABILITY = DATA["center"], "namangan-architecture", "disability-1-2"
DESK = DATA["preschool"]["desk"]["category"]

TODAY = timezone.localdate()  # the command uses today too: the same holiday years
MODELS = [
    Organization,
    OpeningHours,
    Category,
    Discount,
    Service,
    RequiredDocument,
    ProcedureVersion,
    Step,
    StepField,
    Transition,
    Counter,
    User,
    Membership,
    Holiday,
    AuditEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_first_load_reports_what_it_created(demo):
    assert demo.changed
    assert demo.created["services"] == len(DATA["services"]) + len(DATA["preschool"]["desk"]["services"])
    assert demo.created["published procedures"] == len(DATA["services"])
    assert demo.holiday_years == [TODAY.year - 1, TODAY.year, TODAY.year + 1, TODAY.year + 2]


def test_organization_tree(demo):
    region = Organization.objects.get(code=REGION, kind=OrganizationKind.REGION)
    city = Organization.objects.get(code=CITY, parent=region, kind=OrganizationKind.CITY)
    Organization.objects.get(code=DISTRICT, parent=region, kind=OrganizationKind.DISTRICT)
    hokimiyats = set(
        Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT).values_list("parent__code", flat=True)
    )
    assert hokimiyats == {REGION, CITY, DISTRICT}
    center = Organization.objects.get(code=CENTER, kind=OrganizationKind.CENTER)
    assert center.parent == city
    preschool = [*DATA["preschool"]["departments"], *DATA["kindergartens"]]  # test_preschool_demo.py
    codes = {o["code"] for o in DATA["organizations"]} | {o["code"] for o in preschool}
    # The hokimiyats' departments and the region's People's Reception (test_appeals_demo.py).
    codes |= {d["code"] for d in department_specs(DATA["appeals"])}
    codes |= {p["code"] for p in DATA["appeals"]["partners"] if p.get("parent")}
    assert set(region.descendants().values_list("code", flat=True)) == codes
    assert Organization.objects.filter(kind=OrganizationKind.AGENCY).count() >= 15


def test_center_hours_and_counters(demo):
    center = Organization.objects.get(code=CENTER)
    hours = {h.weekday: (h.opens, h.closes) for h in center.opening_hours.all()}
    assert hours[0] == (dt.time(9), dt.time(18))
    assert hours[5] == (dt.time(9), dt.time(15))
    assert 6 not in hours
    counters = list(center.counters.prefetch_related("categories", "services"))
    assert [c.number for c in counters] == list(range(1, 10))
    served: set[str] = set()
    for counter in counters:
        assert counter.categories.exists() or counter.services.exists()
        served |= {s.code for s in counter.services.all()}
        served |= set(Service.objects.filter(category__in=counter.categories.all()).values_list("code", flat=True))
    assert served == set(Service.objects.values_list("code", flat=True)), "every service has a window"


def test_every_service_is_complete(demo):
    # The "Baxtli bola" desk's services are served at the desk, with no application (test_preschool_demo.py).
    services = Service.objects.exclude(category__code=DESK)
    services = services.prefetch_related("documents", "versions__steps", "discounts")
    assert len(services) >= 40
    for service in services:
        for field in ("name_uz", "name_ru", "name_en", "description_uz", "description_ru", "result_uz", "result_ru"):
            assert getattr(service, field), (service.code, field)
        assert service.name_uz_cyrl == ""
        assert service.documents.exists(), service.code
        assert all(d.name_uz and d.name_ru and d.name_en for d in service.documents.all()), service.code
        versions = list(service.versions.all())
        assert [(v.number, v.status) for v in versions] == [(1, VersionStatus.PUBLISHED)], service.code
        stages: dict[int, list[Step]] = {}
        for step in versions[0].steps.all():
            assert step.agency.kind == OrganizationKind.AGENCY
            assert step.citizen_label_uz and step.citizen_label_ru and step.citizen_label_en
            stages.setdefault(step.stage, []).append(step)
        path_days = sum(max(s.term_days for s in stage) for stage in stages.values())
        assert path_days <= service.term_days, service.code


def test_every_result_is_made_of_its_last_step_s_fields(demo):
    """Every demo result is generated: the step that issues it declares what the agency fills in."""
    issuing = Step.objects.filter(outgoing__to_step__isnull=True, outgoing__outcome="issued").distinct()
    assert issuing.count() >= Service.objects.exclude(category__code=DESK).count()
    for step in issuing.prefetch_related("output_fields"):
        fields = list(step.output_fields.all())
        assert fields, step.version.service.code
        for field in fields:
            assert field.label_uz and field.label_ru and field.label_en, (step.code, field.code)
            field.full_clean()  # a choice field's options alike in every language


def test_the_done_applications_carry_their_step_s_output(demo):
    from darcha.cases.models import Application, Task

    done = Application.objects.filter(center__code=CENTER, ready_at__isnull=False)
    assert done.count() >= 2
    for application in done:
        last = Task.objects.filter(application=application, status="done").latest("completed_at")
        assert last.output.keys() == {"cadastre-number", "area", "property-use"}, application.number
        with application.result.document.file.open("rb") as stored:
            text = " ".join(page.extract_text() for page in PdfReader(stored).pages)
        with translation.override(application.language):
            for field in last.step.output_fields.all():
                assert str(field.label) in text, (application.number, field.code)
        assert last.output["cadastre-number"] in text


def test_documents_fees_and_discounts(demo):
    assert RequiredDocument.objects.filter(obtained_by_center=True).count() >= 20
    assert RequiredDocument.objects.filter(original_required=True).exists()
    assert RequiredDocument.objects.filter(copies__gt=0).exists()
    assert set(Service.objects.values_list("fee_kind", flat=True)) == {"free", "fixed", "brv_multiple", "brv_percent"}
    assert Service.objects.filter(online=True).count() >= 10
    assert Service.objects.filter(for_legal_entities=True).exists()
    disability = Discount.objects.get(code=DISABILITY)
    assert disability.percent == 50
    assert disability.services.count() >= 5
    passport = Service.objects.get(code="cadastre-passport")  # 0.5 × BRV of 412 000 so'm
    assert fee_today(passport, day=dt.date(2025, 9, 1)) == 206_000
    assert fee_today(passport, disability, day=dt.date(2025, 9, 1)) == 103_000


def test_parallel_procedures(demo):
    parallel = 0
    for version in ProcedureVersion.objects.prefetch_related("steps", "transitions"):
        steps = list(version.steps.all())
        by_stage: dict[int, list[Step]] = {}
        for step in steps:
            by_stage.setdefault(step.stage, []).append(step)
        wide = [stage for stage in by_stage.values() if len(stage) >= 2]
        if not wide:
            assert not any(s.join for s in steps)
            continue
        parallel += 1
        branch = {s.pk for s in wide[0]}
        transitions = list(version.transitions.all())
        forks = {t.from_step_id for t in transitions if t.action == Action.APPROVE and t.to_step_id in branch}
        assert len(forks) == 1, "one fork feeds the parallel steps"
        (join,) = [s for s in steps if s.join]
        assert {t.from_step_id for t in transitions if t.to_step_id == join.pk and t.action == Action.APPROVE} == branch
        for step in steps:
            actions = {t.action for t in transitions if t.from_step_id == step.pk}
            assert {Action.APPROVE, Action.REJECT, Action.REQUEST_DOCUMENTS} <= actions
    assert parallel >= 5


def test_a_user_for_every_role(demo):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.memberships.get().organization.code == REGION
    for spec in DATA["users"]:
        user = User.objects.get(username=spec["username"])
        assert user.check_password(DATA["password"])
        assert user.first_name and user.last_name and user.language in {"uz", "ru"}
    assert User.objects.get(username="clerk.arch").memberships.get().organization.code == ARCHITECTURE


@pytest.mark.parametrize("query", ["kadastr", "кадастр", "cadastre", "koʻchmas mulk", "кўчмас"])
def test_cadastre_passport_found_in_any_script(demo, query):
    assert Service.objects.get(code="cadastre-passport") in service_search(query)


def test_uzbek_text_uses_the_okina(demo):
    bad = re.compile(r"[oOgG]['‘’`]")
    texts = [
        *Service.objects.values_list("name_uz", "description_uz", "result_uz"),
        *RequiredDocument.objects.values_list("name_uz"),
        *Organization.objects.values_list("name_uz"),
        *Step.objects.values_list("name_uz", "citizen_label_uz"),
    ]
    assert not [t for row in texts for t in row if bad.search(t)]
    assert Service.objects.filter(name_uz__contains="Koʻchmas mulk").exists()


def test_holidays_seeded(demo):
    for year in range(TODAY.year - 1, TODAY.year + 3):
        assert Holiday.objects.filter(date__year=year).exists()


def test_second_load_changes_nothing(demo, query_counts):
    before = counts()
    again = query_counts.check("second_load", lambda: load_demo(today=TODAY), warm_up=False)
    assert not again.changed
    assert counts() == before, "no new rows, not even audit entries"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_the_load_leaves_the_planner_fresh_statistics(demo):
    """After the load PostgreSQL knows how many rows the tables hold (ANALYZE; autovacuum may be off):
    the migrations' empty tables said 0."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 0 WHERE relname IN ('catalog_service', 'queues_counter')")
    load_demo(today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN ('catalog_service', 'queues_counter')")
        estimates = dict(cursor.fetchall())
    assert estimates == {"catalog_service": Service.objects.count(), "queues_counter": Counter.objects.count()}


def test_command_is_idempotent_and_prints_logins(demo):
    before = counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "already loaded" in text
    for spec in DATA["users"]:
        assert spec["username"] in text
    assert DATA["password"] in text
    assert f"services: {Service.objects.count()}," in text
    assert counts() == before


def test_production_refuses_demo_users_unless_allowed(demo, settings):
    settings.PRODUCTION = True
    # The hokim's viewer account: the demo gives it nothing else to own (the press secretary authors news).
    User.objects.filter(username="hokim").delete()
    err = StringIO()
    call_command("load_demo", stdout=StringIO(), stderr=err)
    assert "--allow-production" in err.getvalue()
    assert not User.objects.filter(username="hokim").exists()
    call_command("load_demo", "--allow-production", stdout=StringIO())
    hokim = User.objects.get(username="hokim")
    assert hokim.memberships.get().role == Role.LEADERSHIP


def test_the_demo_loads_where_the_brv_rows_are_gone():
    # A transactional test empties every table, the rows migrations entered included; the demo's fees need the
    # BRV, so loading it afterwards failed with "no BRV for this day" (seen as a flaky backup round trip).
    from darcha.core.models import BaseCalculationAmount

    BaseCalculationAmount.objects.all().delete()
    load_demo()
    assert BaseCalculationAmount.objects.filter(valid_from=dt.date(2025, 8, 1), amount=412_000).exists()
    assert AuditEntry.objects.filter(action="brv_seed").count() == 2
