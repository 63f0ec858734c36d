"""The Namangan demo's information service (issue 13, part 9): the hokimiyats' departments, the appeal
topics with their usual executors, the populations, the partner receptions and their clerks, the demo
users at their desks, and the year of appeals played through the services (the tests' demo layer plays
the quick count; the full year's appeals are checked as generated)."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from darcha.core import access
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.demo.appeal_specs import make_appeals
from darcha.demo.appeals import HOKIMIYATS, department_specs, executor_code
from darcha.demo.loader import demo_login_lines
from darcha.demo.reader import load_region
from darcha.infoservice.choices import AppealStatus, Channel, EventKind, Outcome, Satisfaction
from darcha.infoservice.models import Answer, Appeal, Event, Extension, Forward, Population, RoutingModel, Topic
from darcha.infoservice.services import appeals_partners

pytestmark = pytest.mark.django_db

DATA = load_region("namangan")
APPEALS = DATA["appeals"]
TZ = ZoneInfo("Asia/Tashkent")


def full_year(today: dt.date = dt.date(2026, 12, 2)):
    return make_appeals(APPEALS, today=today, tz=TZ)


# --- reference data ------------------------------------------------------------------------------


def test_each_hokimiyat_has_its_departments(demo):
    kinds = {kind["key"] for kind in APPEALS["department_kinds"]}
    assert {"housing", "roads", "land", "social", "education", "health", "architecture"} <= kinds
    for spec in department_specs(APPEALS):
        department = Organization.objects.get(code=spec["code"])
        assert department.kind == OrganizationKind.AGENCY
        assert department.parent.code == spec["parent"]
        assert department.name_uz and department.name_ru and department.name_en
    city = Organization.objects.get(code="namangan-city-roads")
    assert city.name_uz == "Namangan shahar yoʻl xoʻjaligi boʻlimi"
    assert city.name_ru == "Отдел дорожного хозяйства города Наманган"
    assert city.name_uz_cyrl.startswith("Наманган шаҳар йўл")
    region = Organization.objects.get(code="namangan-region-health")
    assert region.name_en == "Namangan Region Health Administration"


def test_topics_with_locations_attributes_and_usual_executors(demo):
    topics = list(Topic.objects.select_related("default_executor"))
    assert len(topics) == len(APPEALS["topics"]) >= 15
    for topic in topics:
        assert topic.name_uz and topic.name_uz_cyrl and topic.name_ru and topic.name_en
        assert topic.default_executor is not None
    located = [t for t in topics if t.takes_location]
    assert len(located) >= 5, "street problems are Open311 services"
    assert any(t.attributes for t in located)
    roads = next(t for t in topics if t.code == "road-potholes")
    assert roads.default_executor.code == "namangan-city-roads"
    assert {a["code"] for a in roads.attributes} == {"size"}


def test_populations_with_their_source(demo):
    rows = {p.district.code: p for p in Population.objects.select_related("district")}
    assert set(rows) == {"namangan-region", "namangan-city", "yangikurgan-district"}
    assert rows["namangan-region"].residents > rows["namangan-city"].residents > rows["yangikurgan-district"].residents
    assert all("approximate" in p.source and "stat.uz" in p.source for p in rows.values())


def test_partner_receptions_of_the_settings_with_their_clerks(demo):
    partners = appeals_partners()
    assert partners
    for code in partners:
        reception = Organization.objects.get(code=code)
        clerks = User.objects.filter(memberships__organization=reception, memberships__role=Role.AGENCY_CLERK)
        assert clerks.exists(), code


# --- the demo users ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "role", "organization", "page"),
    [
        ("appeals", Role.APPEALS_OFFICER, "namangan-city-hokimiyat", "infoservice:staff_inbox"),
        ("deputy", Role.HOKIM, "namangan-city-hokimiyat", "infoservice:staff_head"),
        ("executor.housing", Role.APPEALS_EXECUTOR, "namangan-city-housing", "infoservice:staff_work"),
        ("executor.roads", Role.APPEALS_EXECUTOR, "namangan-city-roads", "infoservice:staff_work"),
    ],
)
def test_demo_users_hold_their_roles_and_reach_their_desk(demo, client, username, role, organization, page):
    user = User.objects.get(username=username)
    assert access.has_role(user, role, Organization.objects.get(code=organization))
    assert client.login(username=username, password=DATA["password"])
    assert client.get(reverse("core:desk")).status_code == 200
    response = client.get(reverse(page, args=[organization]))
    assert response.status_code == 200
    if page == "infoservice:staff_work":
        assert Appeal.objects.filter(executor__code=organization).exists(), "the executor has appeals"


def test_the_banner_prints_the_appeals_logins(demo):
    banner = "\n".join(demo_login_lines())
    for username in ("appeals", "deputy", "executor.housing", "executor.roads", "clerk.vr", "clerk.pr"):
        assert username in banner


# --- the appeals played through the services -----------------------------------------------------------


def test_quick_year_has_every_outcome_and_channel(demo):
    appeals = Appeal.objects.all()
    assert appeals.count() >= APPEALS["quick_count"] * 0.9
    assert set(appeals.values_list("organization__code", flat=True)) == set(HOKIMIYATS)
    outcomes = set(appeals.filter(status=AppealStatus.CLOSED).values_list("outcome", flat=True))
    assert outcomes == set(Outcome.values)
    channels = set(appeals.values_list("channel", flat=True))
    assert {Channel.WEB, Channel.LETTER, Channel.RECEPTION, Channel.HOTLINE, Channel.VIRTUAL_RECEPTION} <= channels
    assert set(appeals.values_list("language", flat=True)) >= {"uz", "ru", "uz-cyrl"}
    assert appeals.exclude(status=AppealStatus.CLOSED).exists(), "the last weeks' appeals are in work"


def test_the_turns_of_the_work(demo):
    assert Extension.objects.exists()
    assert Forward.objects.filter(ground__gt="").count() == Appeal.objects.filter(outcome=Outcome.FORWARDED).count()
    assert Appeal.objects.filter(is_collective=True, signatories__isnull=False).exists()
    assert Appeal.objects.filter(similar_to__isnull=False).exists(), "repeated appeals are found"
    assert Appeal.objects.filter(satisfaction=Satisfaction.NOT_SATISFIED, flagged_to_head=True).exists()
    assert Appeal.objects.filter(published_at__isnull=False, consent_publish=True).exists()
    assert not Appeal.objects.filter(published_at__isnull=False, consent_publish=False).exists()
    partner = Appeal.objects.filter(channel=Channel.VIRTUAL_RECEPTION).first()
    assert partner is not None and partner.external_number.startswith("VR-")
    approved = Answer.objects.filter(approved_at__isnull=False)
    assert approved.exists() and not approved.filter(code__isnull=True).exists()
    assert Event.objects.filter(kind=EventKind.SENT_BACK).exists() or Event.objects.filter(kind=EventKind.RESOLUTION)


def test_dates_spread_over_the_year_and_closed_in_time_order(demo):
    received = list(Appeal.objects.order_by("received_at").values_list("received_at", flat=True))
    assert (received[-1] - received[0]).days > 200
    for appeal in Appeal.objects.filter(status=AppealStatus.CLOSED):
        assert appeal.closed_at >= appeal.registered_at


# --- the full year, as generated -------------------------------------------------------------------------


def test_the_full_year_as_generated():
    specs = full_year()
    assert len(specs) == APPEALS["count"] == 3000
    outcomes = Counter(s.outcome for s in specs)
    assert set(outcomes) == {*Outcome.values} - {"terminated"} | {"withdrawn", "repeated"} - {"terminated"}
    assert outcomes["satisfied"] > outcomes["refused"] > 0
    languages = Counter(s.language for s in specs)
    assert languages["uz"] > languages["ru"] > languages["uz-cyrl"] > 100
    assert Counter(s.channel for s in specs)[Channel.VIRTUAL_RECEPTION] > 300
    assert sum(1 for s in specs if s.repeat_of is not None) > 50
    assert sum(1 for s in specs if len(s.signatories) > 1) > 50
    repeats = sum(1 for s in specs if s.repeat_of is not None)
    assert len({s.text for s in specs}) > 0.85 * (len(specs) - repeats), "texts vary"
    assert specs == full_year(), "deterministic"


def test_the_routing_model_is_trained(demo):
    model = RoutingModel.objects.get(is_current=True)
    assert model.samples >= APPEALS["quick_learn"] * 0.9, "learnt from the year's appeals"
    assert 0.5 < model.topic_accuracy <= 1 and 0.5 < model.executor_accuracy <= 1


def test_every_topic_has_an_executor_in_every_hokimiyat(demo):
    departments = department_specs(APPEALS)
    for topic in APPEALS["topics"]:
        for hokimiyat in HOKIMIYATS:
            assert Organization.objects.filter(code=executor_code(topic, hokimiyat, departments)).exists()
