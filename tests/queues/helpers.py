"""Helpers of the queue tests: the pieces of the test center and the hall (the fixtures serving them are in
conftest.py), tickets, times. The test centers keep the demo's week (WEEK); the queue tests run with the
clock at 10:00 of a working weekday (`working_hours`, tests/conftest.py), so the centers are open."""

from __future__ import annotations

import datetime as dt

import holidays as holidays_lib
from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import OpeningHours
from darcha.queues.models import Counter
from tests import layers
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, TicketFactory, staff

# The test centers' week, as the demo's (and DESIGN §5): Monday–Friday 09:00–18:00, Saturday until 15:00.
WEEK = {**{weekday: (dt.time(9), dt.time(18)) for weekday in range(5)}, 5: (dt.time(9), dt.time(15))}


def a_working_morning(today: dt.date) -> dt.datetime:
    """10:00 (Tashkent) on the latest working weekday up to `today` (Monday–Friday, not an official day
    off): the moment the queue tests run at, whatever the wall clock says — CI runs at any hour, on
    Sundays and on Navruz too. The `working_hours` fixture (tests/conftest.py) sets the clock to it."""
    days_off = holidays_lib.country_holidays("UZ", years=[today.year - 1, today.year])
    day = today
    while day.weekday() >= 5 or day in days_off:
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def set_hours(center, week=None) -> None:
    """Give `center` these weekly hours (weekday → (opens, closes); default WEEK), replacing its own."""
    OpeningHours.objects.filter(center=center).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(center=center, weekday=weekday, opens=opens, closes=closes)
        for weekday, (opens, closes) in (WEEK if week is None else week).items()
    )


def at(time: dt.time, day: dt.date | None = None) -> dt.datetime:
    """`day` (default today, as the clock says) at `time`, in Tashkent."""
    return timezone.make_aware(dt.datetime.combine(day or timezone.localdate(), time))


def set_clock(monkeypatch, moment: dt.datetime, *, ticking: bool = False) -> None:
    """The clock of pages and services at `moment` (a test of other hours than `working_hours`'): stopped
    there, or `ticking` on from it."""
    if not ticking:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return
    real_now = dt.datetime.now
    started = real_now(dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment + (real_now(dt.UTC) - started))


def noon() -> dt.datetime:
    """Today at 12:00 in Tashkent: a fixed moment that is always "today" for the queue."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))


def issue(hall, service, *, at: dt.datetime | None = None, priority: str = "", **kwargs):
    """A ticket issued by the kiosk (the system actor) at the hall's center at `at` (default: a minute ago)."""
    return TicketFactory(center=hall.center, service=service, now=at, priority=priority, **kwargs)


# --- the pieces, built (the fixtures of conftest.py and the hall) ------------------------------------
def make_center():
    center = OrganizationFactory(
        code="test-center",
        kind=OrganizationKind.CENTER,
        name_uz="Sinov markazi",
        name_ru="Тестовый центр",
        name_en="Test center",
    )
    set_hours(center)
    return center


def make_other_center():
    center = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, name_uz="Boshqa markaz")
    set_hours(center)
    return center


def make_agency():
    return OrganizationFactory(code="test-agency", kind=OrganizationKind.AGENCY, name_uz="Sinov idorasi")


CATEGORIES = {"a": ("cat-a", "A", 1, "Kadastr"), "b": ("cat-b", "B", 2, "Pasport"), "c": ("cat-c", "C", 3, "Boshqa")}
SERVICES = {  # fixture name → code, category, name (in Uzbek only: the English pages the tests read show it)
    "service_a": ("svc-a", "a", "Kadastr pasporti"),
    "service_a2": ("svc-a2", "a", "Kadastr koʻchirmasi"),
    "service_b": ("svc-b", "b", "Pasport olish"),
    "service_c": ("svc-c", "c", "Soliq maʼlumotnomasi"),
    "service_c2": ("svc-c2", "c", "Hech kim xizmat qilmaydi"),
}
STAFF = {  # fixture name → username, where ("center", "agency", "other_center"), role, first name
    "operator": ("op1", "center", Role.OPERATOR, "Shahzoda"),
    "operator2": ("op2", "center", Role.OPERATOR, "Jasur"),
    "manager": ("mgr", "center", Role.CENTER_MANAGER, "Dilnoza"),
    "clerk": ("clerk1", "agency", Role.AGENCY_CLERK, ""),
    "stranger": ("op-other", "other_center", Role.OPERATOR, ""),
}


def make_category(letter: str):
    code, prefix, position, name_uz = CATEGORIES[letter]
    return CategoryFactory(code=code, ticket_prefix=prefix, position=position, name_uz=name_uz)


def make_service(name: str, category, agency):
    code, _, name_uz = SERVICES[name]
    return ServiceFactory(code=code, category=category, responsible_agency=agency, name_uz=name_uz)


def make_counter(center, number, *, categories=(), services=(), label=""):
    counter = Counter.objects.create(center=center, number=number, label=label)
    counter.categories.add(*categories)
    counter.services.add(*services)
    return counter


def make_staff(name: str, organization):
    username, _, role, first_name = STAFF[name]
    return staff(username, organization, role, first_name=first_name, last_name="Testova" if first_name else "")


def _build_hall() -> dict:
    places = {"center": make_center(), "other_center": make_other_center(), "agency": make_agency()}
    categories = {letter: make_category(letter) for letter in CATEGORIES}
    services = {name: make_service(name, categories[SERVICES[name][1]], places["agency"]) for name in SERVICES}
    center, other_center = places["center"], places["other_center"]
    pieces = {
        **places,
        "a1": services["service_a"],
        "a2": services["service_a2"],
        "b1": services["service_b"],
        "c1": services["service_c"],
        "c2": services["service_c2"],
        "counter1": make_counter(center, 1, categories=[categories["a"]]),
        "counter2": make_counter(center, 2, categories=[categories["b"]]),
        "counter3": make_counter(center, 3, services=[services["service_c"]], label="Soliq oynasi"),
        "foreign_counter": make_counter(other_center, 1, categories=[categories["a"]]),
        **{name: make_staff(name, places[STAFF[name][1]]) for name in STAFF},
    }
    return layers.refs(pieces)


# The whole hall is shared rows (tests/layers.py): built once per worker for the tests that ask for it.
HALL = layers.Layer(build=_build_hall)
