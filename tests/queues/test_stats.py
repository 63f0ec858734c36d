"""Queue statistics and the manager's board: exact figures from tickets with known times, a constant
number of queries (tests/querycounts.py), who may look, and bad periods."""

import csv
import datetime as dt
import io
import re
import secrets
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import membership_grant
from darcha.queues.choices import OperatorState, TicketStatus
from darcha.queues.models import Counter, QueueSettings, Ticket
from darcha.queues.services import (
    operator_set_state,
    operator_sign_in,
    operator_sign_out,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    tickets_close_day,
)
from darcha.queues.stats import Figures, live_board, percentile, queue_stats
from darcha.queues.views.manager import hour_chart
from tests.factories import OrganizationFactory, ServiceFactory, UserFactory
from tests.queues.helpers import set_hours

pytestmark = pytest.mark.django_db

TASHKENT = ZoneInfo("Asia/Tashkent")
DAY = dt.date(2025, 3, 3)  # a Monday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TASHKENT)


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


@pytest.fixture
def place():
    """Region → city → center, with the city's hokimiyat beside the center; two services, two
    windows (1 serves A, 2 serves B) and an operator at each."""
    region = OrganizationFactory(code="region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, parent=region)
    hokimiyat = OrganizationFactory(code="city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    center = OrganizationFactory(code="center", kind=OrganizationKind.CENTER, parent=city)
    other_center = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, parent=city)
    service_a = ServiceFactory(code="a-passport", name_uz="Pasport", name_ru="Паспорт")
    service_b = ServiceFactory(code="b-cadastre", name_uz="Kadastr", name_ru="Кадастр")
    set_hours(center)
    set_hours(other_center)
    window_1 = Counter.objects.create(center=center, number=1)
    window_1.services.add(service_a)
    window_2 = Counter.objects.create(center=center, number=2)
    window_2.services.add(service_b)
    op1 = UserFactory(username="op1", first_name="Aziza", last_name="Karimova")
    op2 = UserFactory(username="op2", first_name="Bobur", last_name="Aliyev")
    for operator in (op1, op2):
        membership_grant(actor=SYSTEM, user=operator, organization=center, role=Role.OPERATOR)
    return type(
        "Place",
        (),
        {
            "region": region,
            "city": city,
            "hokimiyat": hokimiyat,
            "center": center,
            "other_center": other_center,
            "a": service_a,
            "b": service_b,
            "w1": window_1,
            "w2": window_2,
            "op1": op1,
            "op2": op2,
        },
    )


@pytest.fixture
def day_of_work(place):
    """One day at the center, every step at a chosen minute (Tashkent time):

    t1 A issued 09:00, called 09:05 at window 1, finished 09:15   wait 5,  service 10
    t6 A booked for 10:00, issued 09:00, called 10:05, fin. 10:15 wait 5 (from 10:00), service 10
    t2 A issued 09:10, called 09:30, finished 09:50               wait 20, service 20
    t3 B issued 09:20, called 09:25 at window 2, no-show 09:30    wait 5
    t4 B issued 10:10, called 10:22, finished 10:40               wait 12, service 18
    t5 A issued 10:30, never called, closed unserved at 18:00
    Operator 1: at the counter 08:55–11:00, break 11:00–11:30, back office 11:30–12:00,
    at the counter 12:00–13:00, signed out. Operator 2: at the counter since 08:00, still signed in.
    """
    p = place
    operator_sign_in(actor=p.op2, counter=p.w2, now=at(8, 0))
    operator_sign_in(actor=p.op1, counter=p.w1, now=at(8, 55))
    t1 = ticket_issue(actor=SYSTEM, center=p.center, service=p.a, now=at(9, 0))
    t6 = ticket_issue(actor=SYSTEM, center=p.center, service=p.a, queued_at=at(10, 0), rank=2, now=at(9, 0))
    assert ticket_call_next(actor=p.op1, counter=p.w1, now=at(9, 5)) == t1
    ticket_start(actor=p.op1, ticket=t1, now=at(9, 6))
    t2 = ticket_issue(actor=SYSTEM, center=p.center, service=p.a, now=at(9, 10))
    ticket_finish(actor=p.op1, ticket=t1, now=at(9, 15))
    t3 = ticket_issue(actor=SYSTEM, center=p.center, service=p.b, now=at(9, 20))
    assert ticket_call_next(actor=p.op2, counter=p.w2, now=at(9, 25)) == t3
    ticket_recall(actor=p.op2, ticket=t3, now=at(9, 26))
    ticket_recall(actor=p.op2, ticket=t3, now=at(9, 28))
    ticket_no_show(actor=p.op2, ticket=t3, now=at(9, 30))
    assert ticket_call_next(actor=p.op1, counter=p.w1, now=at(9, 30)) == t2
    ticket_start(actor=p.op1, ticket=t2, now=at(9, 31))
    ticket_finish(actor=p.op1, ticket=t2, now=at(9, 50))
    assert ticket_call_next(actor=p.op1, counter=p.w1, now=at(10, 5)) == t6
    ticket_start(actor=p.op1, ticket=t6, now=at(10, 5))
    t4 = ticket_issue(actor=SYSTEM, center=p.center, service=p.b, now=at(10, 10))
    ticket_finish(actor=p.op1, ticket=t6, now=at(10, 15))
    assert ticket_call_next(actor=p.op2, counter=p.w2, now=at(10, 22)) == t4
    ticket_start(actor=p.op2, ticket=t4, now=at(10, 23))
    t5 = ticket_issue(actor=SYSTEM, center=p.center, service=p.a, now=at(10, 30))
    ticket_finish(actor=p.op2, ticket=t4, now=at(10, 40))
    session = operator_set_state(actor=p.op1, session=p.op1.counter_sessions.get(), state="break", now=at(11, 0))
    operator_set_state(actor=p.op1, session=session, state=OperatorState.BACK_OFFICE, now=at(11, 30))
    operator_set_state(actor=p.op1, session=session, state=OperatorState.SERVING, now=at(12, 0))
    operator_sign_out(actor=p.op1, session=session, now=at(13, 0))
    assert tickets_close_day(center=p.center, day=DAY, now=at(18, 0)) == 1
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6}


def by_label(rows):
    return {row.label: row for row in rows}


# --- Figures ------------------------------------------------------------------------------------
def test_percentile_interpolates_like_percentile_cont():
    assert percentile([]) is None
    assert percentile([minutes(7)]) == minutes(7)
    assert percentile([minutes(m) for m in (20, 5, 12, 5, 5)]) == minutes(16.8)  # 12 + 0.6 × 8


def test_totals_of_a_day(place, day_of_work):
    stats = queue_stats(place.center, DAY, DAY, now=at(19, 0))
    total = stats.total
    assert (total.issued, total.called, total.served) == (6, 5, 4)
    assert (total.no_shows, total.not_served, total.open) == (1, 1, 0)
    assert total.mean_wait == minutes(9.4)  # (5 + 20 + 5 + 12 + 5) / 5; the booked ticket waits from 10:00
    assert total.p90_wait == minutes(16.8)
    assert total.mean_service == minutes(14.5)  # (10 + 20 + 10 + 18) / 4, call → finish, served only
    # Called within 15 min: t1, t3, t4, t6; outcome known for the 5 called and t5 (never called, closed)
    assert (total.within_target, total.decided) == (4, 6)
    assert total.share_percent == 66.7
    assert stats.target_minutes == 15


def test_per_counter_operator_service(place, day_of_work):
    with translation.override("en"):
        stats = queue_stats(place.center, DAY, DAY, now=at(19, 0))

    counters = by_label(stats.by_counter)
    assert list(counters) == ["Window 1", "Window 2", "Not called"]
    w1, w2, none = counters["Window 1"], counters["Window 2"], counters["Not called"]
    assert (w1.issued, w1.served, w1.no_shows, w1.mean_wait, w1.p90_wait) == (3, 3, 0, minutes(10), minutes(17))
    assert w1.mean_service == minutes(40 / 3) and w1.share_percent == 66.7
    assert (w2.issued, w2.served, w2.no_shows, w2.mean_wait, w2.p90_wait) == (2, 1, 1, minutes(8.5), minutes(11.3))
    assert w2.mean_service == minutes(18) and w2.share_percent == 100
    assert (none.issued, none.not_served, none.mean_wait, none.p90_wait, none.share_percent) == (1, 1, None, None, 0)

    operators = by_label(stats.by_operator)
    assert list(operators) == ["Aziza Karimova", "Bobur Aliyev", "Not called"]
    aziza = operators["Aziza Karimova"]
    assert (aziza.issued, aziza.served, aziza.mean_wait) == (3, 3, minutes(10))
    assert aziza.states == {
        OperatorState.SERVING: dt.timedelta(hours=3, minutes=5),  # 08:55–11:00 and 12:00–13:00
        OperatorState.BREAK: minutes(30),
        OperatorState.BACK_OFFICE: minutes(30),
    }
    assert aziza.state_clocks == ["3:05:00", "30:00", "30:00"]
    assert operators["Bobur Aliyev"].states == {OperatorState.SERVING: dt.timedelta(hours=11)}  # 08:00 → now

    services = {row.code: row for row in stats.by_service}
    a, b = services["a-passport"], services["b-cadastre"]
    assert a.label == "Pasport"
    assert (a.issued, a.called, a.served, a.not_served, a.mean_wait, a.share_percent) == (4, 3, 3, 1, minutes(10), 50)
    assert (b.issued, b.served, b.no_shows, b.mean_wait, b.share_percent) == (2, 1, 1, minutes(8.5), 100)


def test_hours_are_tashkent_hours_of_issue(place, day_of_work):
    stats = queue_stats(place.center, DAY, DAY, now=at(19, 0))
    hours = {row.key: row for row in stats.by_hour}
    assert list(hours) == [9, 10]  # 04:00 and 05:00 UTC
    nine, ten = hours[9], hours[10]
    assert (nine.label, nine.issued, nine.called, nine.served, nine.no_shows) == ("09:00", 4, 4, 3, 1)
    assert nine.mean_wait == minutes(8.75) and (nine.within_target, nine.decided) == (3, 4)
    assert (ten.issued, ten.called, ten.not_served, ten.mean_wait) == (2, 1, 1, minutes(12))
    assert ten.share_percent == 50

    chart = hour_chart(stats.by_hour, 15)
    assert [bar["hour"] for bar in chart["bars"]] == ["09", "10", "11", "12", "13", "14", "15", "16"]
    assert chart["bars"][0]["tickets"] == 4 and chart["bars"][1]["wait"] == 12.0
    assert all("," not in bar["tickets_y"] for bar in chart["bars"])
    assert [tick["tickets"] for tick in chart["ticks"]] == ["0", "1", "2", "3", "4"]
    assert [tick["wait"] for tick in chart["ticks"]] == ["0", "5", "10", "15", "20"]  # the 15-min target fits
    late = hour_chart([Figures(key=22, issued=3), Figures(key=23, issued=1)], 15)
    assert [bar["hour"] for bar in late["bars"]] == ["16", "17", "18", "19", "20", "21", "22", "23"]


def test_a_ticket_at_half_past_midnight_is_hour_zero_of_that_day(place):
    set_hours(place.center, {DAY.weekday(): (dt.time(0), dt.time(6))})  # a night shift: open 00:00–06:00
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a, now=at(0, 30))
    stats = queue_stats(place.center, DAY, DAY, now=at(1, 0))
    assert [(row.key, row.issued) for row in stats.by_hour] == [(0, 1)]
    assert queue_stats(place.center, DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1)).total.issued == 0


def test_other_days_and_centers_are_left_out(place, day_of_work):
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a, now=at(9, 0, DAY + dt.timedelta(days=1)))
    other = Counter.objects.create(center=place.other_center, number=1)
    other.services.add(place.a)
    ticket_issue(actor=SYSTEM, center=place.other_center, service=place.a, now=at(9, 0))
    assert queue_stats(place.center, DAY, DAY, now=at(19, 0)).total.issued == 6
    assert queue_stats(place.center, DAY, DAY + dt.timedelta(days=1), now=at(19, 0)).total.issued == 7


def test_state_time_is_clipped_to_the_period_and_to_now(place, day_of_work):
    next_day = DAY + dt.timedelta(days=1)
    stats = queue_stats(place.center, next_day, next_day, now=at(12, 0, next_day))
    operators = by_label(stats.by_operator)
    # Operator 2 never signed out: counted from the period's first midnight until now.
    assert operators["Bobur Aliyev"].states == {OperatorState.SERVING: dt.timedelta(hours=12)}
    assert operators["Bobur Aliyev"].issued == 0
    assert "Aziza Karimova" not in operators


def test_the_target_comes_from_the_center_settings(place, day_of_work):
    QueueSettings.objects.create(center=place.center, target_wait_minutes=5)
    total = queue_stats(place.center, DAY, DAY, now=at(19, 0)).total
    assert (total.within_target, total.decided, total.share_percent) == (3, 6, 50)


def test_waiting_tickets_count_against_the_target_only_once_over_it(place):
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a, now=at(9, 0))
    assert queue_stats(place.center, DAY, DAY, now=at(9, 10)).total.decided == 0
    total = queue_stats(place.center, DAY, DAY, now=at(9, 20)).total
    assert (total.open, total.decided, total.within_target, total.share_percent) == (1, 1, 0, 0)


# --- The live board -----------------------------------------------------------------------------
def test_live_board(place):
    p = place
    operator_sign_in(actor=p.op1, counter=p.w1, now=at(8, 55))
    session2 = operator_sign_in(actor=p.op2, counter=p.w2, now=at(9, 0))
    t1 = ticket_issue(actor=SYSTEM, center=p.center, service=p.a, now=at(9, 0))
    ticket_issue(actor=SYSTEM, center=p.center, service=p.a, now=at(9, 2))
    ticket_issue(actor=SYSTEM, center=p.center, service=p.a, queued_at=at(11, 0), rank=2, now=at(9, 3))
    ticket_issue(actor=SYSTEM, center=p.center, service=p.b, now=at(9, 10))
    ticket_call_next(actor=p.op1, counter=p.w1, now=at(9, 5))
    ticket_start(actor=p.op1, ticket=t1, now=at(9, 6))
    operator_set_state(actor=p.op2, session=session2, state=OperatorState.BREAK, now=at(9, 8))

    board = live_board(p.center, now=at(9, 20))
    w1, w2 = board.counters
    assert (w1.operator_name, w1.session.state, w1.in_state_clock) == ("Aziza Karimova", "serving", "25:00")
    assert (w1.current.display, w1.current.status, w1.current_clock) == (t1.display, TicketStatus.SERVING, "14:00")
    assert (w2.operator_name, w2.session.state, w2.in_state_clock) == ("Bobur Aliyev", "break", "12:00")
    assert w2.current is None
    a, b = board.services
    assert (a.code, a.waiting, a.booked_later, a.longest, a.over_target) == ("a-passport", 1, 1, minutes(18), True)
    assert (b.code, b.waiting, b.booked_later, b.longest, b.over_target) == ("b-cadastre", 1, 0, minutes(10), False)
    assert board.longest is a and board.longest_over_target
    assert (board.waiting, board.serving, board.at_counter) == (2, 1, 1)
    # Today: 4 issued, 1 called (wait 5 min); the 09:02 ticket is over 15 min, the 09:10 one not yet.
    assert (board.today.issued, board.today.called, board.today.mean_wait) == (4, 1, minutes(5))
    assert (board.today.within_target, board.today.decided) == (1, 2)


# --- Pages, access and bad input ----------------------------------------------------------------
def manager_of(center, username="manager"):
    user = UserFactory(username=username)
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.CENTER_MANAGER)
    return user


def urls(center):
    return [
        reverse("queues:manager_board", kwargs={"center": center.code}),
        reverse("queues:stats", kwargs={"center": center.code}),
        reverse("queues:stats_csv", kwargs={"center": center.code}),
    ]


def test_url_names_and_paths(place):
    assert urls(place.center) == ["/queue/center/manager/", "/queue/center/stats/", "/queue/center/stats.csv"]


def test_anonymous_users_are_sent_to_log_in(client, place):
    for url in urls(place.center):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    # The board's htmx poll, once the session has ended, sends the whole page to log in.
    poll = client.get(urls(place.center)[0], headers={"HX-Request": "true"})
    assert poll.status_code == 401 and poll["HX-Redirect"] == "/login/?next=/queue/center/manager/"


@pytest.mark.parametrize(
    ("role", "where", "allowed"),
    [
        (Role.CENTER_MANAGER, "center", True),
        (Role.CENTER_MANAGER, "other_center", False),
        (Role.OPERATOR, "center", False),
        (Role.LEADERSHIP, "city", True),
        (Role.LEADERSHIP, "region", True),
        (Role.LEADERSHIP, "hokimiyat", True),  # the city hokimiyat governs the city, centers included
        (Role.ADMINISTRATOR, "region", True),
        (Role.ADMINISTRATOR, "other_center", False),
    ],
)
def test_who_may_look(client, place, role, where, allowed):
    user = UserFactory(username="someone")
    membership_grant(actor=SYSTEM, user=user, organization=getattr(place, where), role=role)
    client.force_login(user)
    for url in urls(place.center):
        assert client.get(url).status_code == (200 if allowed else 403), url


def test_superusers_may_look_and_unknown_centers_are_404(client, place):
    client.force_login(UserFactory(username="root", is_superuser=True))
    assert all(client.get(url).status_code == 200 for url in urls(place.center))
    assert client.get("/queue/no-such-center/stats/").status_code == 404
    assert client.get(f"/queue/{place.city.code}/manager/").status_code == 404  # not a center


def test_stats_page_shows_the_figures(client, place, day_of_work):
    client.force_login(manager_of(place.center))
    response = client.get(f"/en/queue/center/stats/?date_from={DAY}&date_to={DAY}")
    assert response.status_code == 200
    page = response.content.decode()
    stats = response.context["stats"]
    assert (stats.total.issued, stats.total.mean_wait) == (6, minutes(9.4))
    for text in ("Window 1", "Aziza Karimova", "Pasport", "09:00", "<svg", "67%", "9.4", "16.8", "14.5"):
        assert text in page, text

    russian = client.get(f"/ru/queue/center/stats/?date_from={DAY}&date_to={DAY}").content.decode()
    assert "Паспорт" in russian and "9,4" in russian  # figures in the page's language
    chart = russian[russian.index("<svg") : russian.index("</svg>")]
    assert not re.search(r'="[\d.]*,', chart)  # but never a decimal comma inside the drawing


def test_stats_default_to_today(client, place):
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a)
    client.force_login(manager_of(place.center))
    response = client.get("/queue/center/stats/")
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.date_from == stats.date_to == timezone.localdate()
    assert stats.total.issued == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2025-03-04&date_to=2025-03-03", "The start of the period must not be after its end."),
        ("date_from=2024-01-01&date_to=2025-01-01", "The period may span at most 366 days."),
        ("date_from=2025-13-01&date_to=2025-03-03", "Enter a valid date."),
        ("date_from=yesterday", "Enter a valid date."),
    ],
)
def test_bad_periods_are_a_translated_400(client, place, query, message):
    client.force_login(manager_of(place.center))
    page = client.get(f"/en/queue/center/stats/?{query}")
    assert page.status_code == 400 and message in page.content.decode()
    export = client.get(f"/en/queue/center/stats.csv?{query}")
    assert export.status_code == 400 and message in export.content.decode()
    if "valid date" in message:  # Django's own message is translated already
        assert "Введите правильную дату" in client.get(f"/ru/queue/center/stats/?{query}").content.decode()


def test_a_leap_year_is_not_too_long(client, place):
    client.force_login(manager_of(place.center))
    assert client.get("/queue/center/stats/?date_from=2024-01-01&date_to=2024-12-31").status_code == 200


def test_csv_of_services(client, place, day_of_work):
    place.b.name_uz = "=HYPERLINK(1)"
    place.b.save()
    client.force_login(manager_of(place.center))
    response = client.get(f"/en/queue/center/stats.csv?date_from={DAY}&date_to={DAY}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="queue-center-20250303-20250303.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Service code", "Service", "Issued"] and rows[0][-1] == "Called within 15 min, %"
    assert rows[1] == ["a-passport", "Pasport", "4", "3", "3", "0", "1", "10.0", "17.0", "13.3", "50.0"]
    assert rows[2][1] == "'=HYPERLINK(1)"  # never run as a formula
    assert rows[3] == ["", "Total", "6", "5", "4", "1", "1", "9.4", "16.8", "14.5", "66.7"]


def test_board_page_and_its_fragment(client, place):
    if timezone.localtime().time() < dt.time(0, 25):
        pytest.skip("tickets issued 20 minutes ago would belong to yesterday's queue")
    operator_sign_in(actor=place.op1, counter=place.w1)
    now = timezone.now()
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a, now=now - dt.timedelta(minutes=20))
    ticket_issue(actor=SYSTEM, center=place.center, service=place.a, now=now - dt.timedelta(minutes=1))
    called = ticket_call_next(actor=place.op1, counter=place.w1)
    ticket_issue(actor=SYSTEM, center=place.center, service=place.b, now=now - dt.timedelta(minutes=3))
    client.force_login(manager_of(place.center))

    page = client.get("/en/queue/center/manager/")
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    html = page.content.decode()
    assert 'hx-trigger="every 5s, queue-event"' in html
    assert 'data-stream="/en/queue/center/board/stream/"' in html
    assert called.display in html and "Aziza Karimova" in html
    # The 20-minute ticket was called: the longest wait now is 3 minutes, not an alert.
    assert '<li class="stat" id="longest-wait">' in html

    fragment = client.get("/en/queue/center/manager/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert "<html" not in fragment.content.decode() and "Who serves whom" in fragment.content.decode()

    ticket_issue(actor=SYSTEM, center=place.center, service=place.b, now=now - dt.timedelta(minutes=16))
    fragment = client.get("/en/queue/center/manager/", headers={"HX-Request": "true"}).content.decode()
    assert '<li class="stat stat--alert" id="longest-wait">' in fragment
    assert "wait--over" in fragment and "over 15 min" in fragment


# --- Query counts -------------------------------------------------------------------------------
def bulk_tickets(place, count: int) -> None:
    """Tickets over four hours, both services, both windows, every outcome."""
    statuses = [TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.NOT_SERVED, TicketStatus.WAITING]
    tickets = []
    for n in range(count):
        issued = at(9 + n % 4, n % 60)
        called = issued + minutes(n % 30) if n % 4 != 2 else None
        window, operator, service = (place.w1, place.op1, place.a) if n % 2 else (place.w2, place.op2, place.b)
        tickets.append(
            Ticket(
                center=place.center,
                day=DAY,
                prefix="A",
                number=n + 1,
                service=service,
                status=statuses[n % 4],
                issued_at=issued,
                queued_at=issued,
                called_at=called,
                started_at=called,
                finished_at=called + minutes(7) if called else None,
                counter=window if called else None,
                operator=operator if called else None,
                public_code=secrets.token_urlsafe(9),
            )
        )
    Ticket.objects.bulk_create(tickets)


@pytest.mark.parametrize("tickets", [10, 30])  # N, then 3N (a fresh day of work each time)
def test_the_figures_and_their_pages_cost_the_same_with_3n_tickets(client, place, query_counts, subtests, tickets):
    operator_sign_in(actor=place.op1, counter=place.w1, now=at(8, 0))
    bulk_tickets(place, tickets)
    client.force_login(manager_of(place.center))
    period = f"date_from={DAY}&date_to={DAY}"
    for name, work in {
        "stats.figures": lambda: queue_stats(place.center, DAY, DAY, now=at(19, 0)),
        "stats.live_board": lambda: live_board(place.center, now=at(12, 0)),
        "stats.page": lambda: client.get(f"/queue/center/stats/?{period}"),
        "stats.csv": lambda: client.get(f"/queue/center/stats.csv?{period}"),
        "manager_board": lambda: client.get("/queue/center/manager/"),
    }.items():
        with subtests.test(name):
            query_counts.check(name, work)
    assert queue_stats(place.center, DAY, DAY, now=at(19, 0)).total.issued == tickets
