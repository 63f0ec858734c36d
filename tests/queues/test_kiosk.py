"""The kiosk, operator-issued tickets, the printable ticket and the live position page."""

import datetime as dt
import re

import pytest
import segno
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import AuditEntry
from darcha.core.qr import qr_svg
from darcha.core.services import membership_grant
from darcha.queues.choices import Priority, TicketStatus
from darcha.queues.models import Ticket
from darcha.queues.services import (
    operator_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_start,
)
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

KIOSK = "/queue/test-center/kiosk/"
ISSUE = "/queue/test-center/kiosk/issue/"
EN_ISSUE = "/en/queue/test-center/kiosk/issue/"


@pytest.fixture
def kiosk_center(center, counter, counter_b, service_a, service_a2, service_b):
    """The test center: window 1 serves category A (two services), window 2 category B (one service)."""
    return center


def take(client, service, url=ISSUE, **data):
    return client.post(url, {"service": service.code, "priority": "", "phone": "", **data})


def issued(response) -> Ticket:
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Ticket.objects.get(public_code=code)


def ahead_on(client, ticket) -> int:
    html = client.get(f"/queue/ticket/{ticket.public_code}/").content.decode()
    return int(re.search(r"data-ahead>(\d+)<", html).group(1))


# --- the kiosk's screens -------------------------------------------------------------------
def test_start_shows_only_categories_served_at_this_center_in_four_languages(client, kiosk_center):
    CategoryFactory(code="cat-unserved", name_uz="Hech kim xizmat qilmaydigan")
    ServiceFactory(code="svc-unserved", category__code="cat-unserved")
    response = client.get(KIOSK)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kadastr" in html and "Pasport" in html and "Hech kim" not in html
    for code in ("uz", "uz-cyrl", "ru", "en"):
        assert f'data-lang="{code}"' in html
    assert 'href="/ru/queue/test-center/kiosk/"' in html
    assert "site-header" not in html  # the kiosk's own full-screen frame, not the site's
    assert 'lang="ru"' in client.get("/ru" + KIOSK).content.decode()


def test_inactive_services_and_closed_counters_do_not_show(client, kiosk_center, counter_b, service_a, service_a2):
    counter_b.is_active = False
    counter_b.save()
    service_a2.is_active = False
    service_a2.save()
    assert "Pasport" not in client.get(KIOSK).content.decode()
    services = client.get(KIOSK + "category/cat-a/").content.decode()
    assert service_a.name_uz in services and service_a2.name_uz not in services


def test_category_then_service_then_priority_and_phone(client, kiosk_center, service_a, service_a2):
    services = client.get(KIOSK + "category/cat-a/").content.decode()
    assert service_a.name_uz in services and service_a2.name_uz in services
    assert f"/queue/test-center/kiosk/service/{service_a.code}/" in services
    details = client.get(f"{KIOSK}service/{service_a.code}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in details and f'value="{service_a.code}"' in details
    assert details.count('type="radio" name="priority"') == len(Priority.choices) == 5
    assert 'name="phone"' in details and 'action="/queue/test-center/kiosk/issue/"' in details


def test_a_service_or_category_not_served_here_is_not_offered(client, kiosk_center):
    other = ServiceFactory(code="svc-elsewhere")
    assert client.get(f"{KIOSK}service/{other.code}/").status_code == 404
    assert client.get(f"{KIOSK}category/{other.category.code}/").status_code == 404
    assert client.get(f"{KIOSK}category/no-such-category/").status_code == 404


@pytest.mark.parametrize("url", [KIOSK, KIOSK + "category/cat-a/", KIOSK + "service/svc-a/"])
def test_unknown_center_is_404(client, kiosk_center, url):
    assert client.get(url.replace("test-center", "no-such-center")).status_code == 404


def test_an_agency_has_no_kiosk(client, kiosk_center, service_a):
    agency = OrganizationFactory(code="an-agency", kind=OrganizationKind.AGENCY)
    assert client.get(f"/queue/{agency.code}/kiosk/").status_code == 404
    assert take(client, service_a, url=f"/queue/{agency.code}/kiosk/issue/").status_code == 404
    assert not Ticket.objects.exists()


# --- issuing ---------------------------------------------------------------------------------
def test_kiosk_issues_consecutive_numbers_per_prefix(client, kiosk_center, service_a, service_a2, service_b):
    first = take(client, service_a)
    assert first.status_code == 302
    assert first["Location"].startswith("/queue/test-center/kiosk/ticket/")
    second = take(client, service_a2)  # same category, same prefix: the sequence goes on
    other = take(client, service_b)  # another category's prefix starts at 001
    assert [issued(r).display for r in (first, second, other)] == ["A-001", "A-002", "B-001"]
    page = client.get(second["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "A-002" in html and "data-autoprint" in html
    assert 'href="/queue/test-center/kiosk/"' in html  # "Done" goes back to the start, in Uzbek


def test_kiosk_ticket_is_issued_by_the_kiosk_in_the_kiosk_language(client, kiosk_center, service_a):
    ticket = issued(take(client, service_a, url="/ru" + ISSUE))
    assert ticket.language == "ru" and ticket.center.code == "test-center"
    entry = AuditEntry.objects.filter(action="ticket_issue").get()
    assert entry.actor_id is None and entry.actor_label == "kiosk:test-center"


def test_numbers_restart_the_next_day_and_history_is_kept(kiosk_center, service_a):
    monday = dt.datetime(2025, 3, 3, 9, 30, tzinfo=dt.UTC)
    tuesday = monday + dt.timedelta(days=1)
    issue = lambda now: ticket_issue(actor=SYSTEM, center=kiosk_center, service=service_a, now=now)  # noqa: E731
    assert [issue(monday).display, issue(monday).display, issue(tuesday).display] == ["A-001", "A-002", "A-001"]
    days = list(Ticket.objects.order_by("issued_at").values_list("day", "number"))
    assert days == [(dt.date(2025, 3, 3), 1), (dt.date(2025, 3, 3), 2), (dt.date(2025, 3, 4), 1)]


def test_priority_is_stored_and_ranks_first(client, kiosk_center, service_a):
    plain = issued(take(client, service_a))
    elderly = issued(take(client, service_a, priority=Priority.ELDERLY))
    assert (plain.priority, plain.rank) == ("", 0)
    assert (elderly.priority, elderly.rank) == ("elderly", 1)
    assert ahead_on(client, elderly) == 0 and ahead_on(client, plain) == 1


def test_phone_typed_on_the_keypad_is_stored_in_full(client, kiosk_center, service_a):
    ticket = issued(take(client, service_a, phone="90 123 45 67"))
    assert ticket.phone == "+998901234567"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"service": ""}, "Choose a service."),
        ({"service": "no-such-service"}, "This service is not in the catalog."),
        ({"service": "svc-a", "phone": "+7 912 345 67 89"}, "Enter an Uzbek phone number"),
        ({"service": "svc-a", "phone": "12345"}, "Enter an Uzbek phone number"),
        ({"service": "svc-a", "priority": "vip"}, "Unknown priority group."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_issues_nothing(client, kiosk_center, data, message):
    response = client.post(EN_ISSUE, {"service": "", "priority": "", "phone": "", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_inactive_service_is_refused(client, kiosk_center, service_a):
    service_a.is_active = False
    service_a.save()
    response = take(client, service_a, url=EN_ISSUE)
    assert response.status_code == 400 and "This service is not provided now." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_service_of_another_center_is_refused(client, kiosk_center):
    elsewhere = ServiceFactory(code="svc-elsewhere")
    response = take(client, elsewhere, url=EN_ISSUE)
    assert response.status_code == 400
    assert "No window of this center serves this service." in response.content.decode()
    assert not Ticket.objects.exists()


def test_issue_needs_post_and_a_known_center(client, kiosk_center, service_a):
    assert client.get(ISSUE).status_code == 405
    assert take(client, service_a, url="/queue/no-such-center/kiosk/issue/").status_code == 404
    assert not Ticket.objects.exists()


def test_issue_needs_the_csrf_token(kiosk_center, service_a):
    from django.test import Client

    response = take(Client(enforce_csrf_checks=True), service_a)
    assert response.status_code == 403 and not Ticket.objects.exists()


# --- the live page -----------------------------------------------------------------------------
def test_people_ahead_decrease_after_a_call_and_the_called_ticket_shows_its_window(
    client, kiosk_center, counter, operator, service_a
):
    first, second, third = (issued(take(client, service_a)) for _ in range(3))
    assert ahead_on(client, third) == 2
    operator_sign_in(actor=operator, counter=counter)
    assert ticket_call_next(actor=operator, counter=counter) == first
    assert ahead_on(client, third) == 1 and ahead_on(client, second) == 0
    html = client.get(f"/en/queue/ticket/{first.public_code}/").content.decode()
    assert "live-status--called" in html and "Go to" in html and "Window 1" in html


def test_live_page_polls_a_fragment_and_stops_when_served(client, kiosk_center, counter, operator, service_a):
    ticket = issued(take(client, service_a, phone="+998 90 123 45 67"))
    page = client.get(f"/queue/ticket/{ticket.public_code}/").content.decode()
    status_url = f"/queue/ticket/{ticket.public_code}/status/"
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 10s' in page
    assert 'data-live-stream="/queue/test-center/board/stream/"' in page
    assert "901234567" not in page and "90 123" not in page  # no personal data
    fragment = client.get(status_url)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "data-ahead>0<" in fragment.content.decode()
    operator_sign_in(actor=operator, counter=counter)
    ticket_call_next(actor=operator, counter=counter)
    ticket_start(actor=operator, ticket=ticket)
    ticket_finish(actor=operator, ticket=ticket)
    done = client.get(status_url).content.decode()
    assert 'data-status="done"' in done and "hx-get" not in done  # nothing more to follow
    assert "data-live-stream" not in client.get(f"/queue/ticket/{ticket.public_code}/").content.decode()
    # The next ticket's wait is estimated from that service time (call to finish).
    following = issued(take(client, service_a))
    page = client.get(f"/en/queue/ticket/{following.public_code}/")
    assert page.status_code == 200 and re.search(r"data-wait>~\d+ min<", page.content.decode())


def test_yesterdays_open_ticket_says_it_expired(client, kiosk_center, service_a):
    yesterday = timezone.now() - dt.timedelta(days=1)
    ticket = ticket_issue(actor=SYSTEM, center=kiosk_center, service=service_a, now=yesterday)
    html = client.get(f"/en/queue/ticket/{ticket.public_code}/").content.decode()
    assert "This ticket has expired" in html and "hx-get" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/queue/ticket/no-such-code/",
        "/queue/ticket/no-such-code/status/",
        "/queue/ticket/no-such-code/print/",
        "/queue/test-center/kiosk/ticket/no-such-code/",
    ],
)
def test_unknown_ticket_codes_are_404_ticket_not_found(client, kiosk_center, url):
    response = client.get("/en" + url)
    assert response.status_code == 404 and "Ticket not found" in response.content.decode()


def test_a_ticket_is_not_shown_on_another_centers_kiosk(client, kiosk_center, service_a):
    ticket = issued(take(client, service_a))
    OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER)
    assert client.get(f"/queue/other-center/kiosk/ticket/{ticket.public_code}/").status_code == 404


# --- the printable ticket ------------------------------------------------------------------------
def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules drawn by a segno SVG path ("M2 2.5h7m2 0h2…", one row per y)."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    dark, x, y = set(), 0.0, 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            length = int(numbers[0])
            dark |= {(int(x) + i, int(y)) for i in range(length)}
            x += length
    return dark


def qr_modules(data: str, border: int) -> set[tuple[int, int]]:
    matrix = segno.make(data, error="m", micro=False).matrix
    return {(col + border, row + border) for row, line in enumerate(matrix) for col, bit in enumerate(line) if bit}


def test_print_page_has_the_ticket_and_a_qr_code_of_the_live_page(client, kiosk_center, service_a):
    at = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 7)))
    ticket = ticket_issue(actor=SYSTEM, center=kiosk_center, service=service_a, now=at)
    html = client.get(f"/queue/ticket/{ticket.public_code}/print/").content.decode()
    live_url = f"http://testserver/queue/ticket/{ticket.public_code}/"
    assert "A-001" in html and "Sinov markazi" in html and service_a.name_uz in html
    assert at.strftime("%d.%m.%Y") + " 10:07" in html  # Tashkent time
    assert live_url in html
    svg = re.search(r'<svg[^>]*class="qr".*?</svg>', html, re.S).group(0)
    assert svg_modules(svg) == qr_modules(live_url, border=2)  # the code drawn encodes the live page's URL
    assert str(qr_svg(live_url)).split(">", 1)[1] == svg.split(">", 1)[1]
    assert "data-autoprint" not in html
    assert "data-autoprint" in client.get(f"/queue/ticket/{ticket.public_code}/print/?print=1").content.decode()


def test_ticket_issued_in_russian_prints_in_russian_with_a_russian_live_page(client, kiosk_center, service_a):
    ticket = issued(take(client, service_a, url="/ru" + ISSUE))
    html = client.get(f"/queue/ticket/{ticket.public_code}/print/").content.decode()
    assert 'lang="ru"' in html and f"http://testserver/ru/queue/ticket/{ticket.public_code}/" in html


def test_qr_svg_is_scalable_and_labelled():
    svg = str(qr_svg("https://example.uz/queue/ticket/x/", label='Live <"page">'))
    assert svg.startswith("<svg") and 'viewBox="0 0 ' in svg and "width=" not in svg.split(">")[0]
    assert 'aria-label="Live &lt;&quot;page&quot;&gt;"' in svg and 'role="img"' in svg


# --- tickets issued by an operator -------------------------------------------------------------
OPERATOR_ISSUE = "/queue/test-center/tickets/issue/"


def test_operator_issue_needs_sign_in(client, kiosk_center):
    response = client.get(OPERATOR_ISSUE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_operator_issues_a_ticket_and_gets_its_print_page(client, kiosk_center, operator, service_b):
    client.force_login(operator)
    form = client.get(OPERATOR_ISSUE)
    assert form.status_code == 200 and 'name="service"' in form.content.decode()
    assert "svc-b" in form.content.decode() and "svc-elsewhere" not in form.content.decode()
    response = client.post(OPERATOR_ISSUE, {"service": "svc-b", "priority": "veteran", "phone": "", "language": "ru"})
    assert response.status_code == 303
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/queue/ticket/{ticket.public_code}/print/?print=1"
    assert (ticket.display, ticket.priority, ticket.language) == ("B-001", "veteran", "ru")
    assert AuditEntry.objects.get(action="ticket_issue").actor_id == operator.pk
    page = client.get(response["Location"]).content.decode()
    assert "B-001" in page and "data-autoprint" in page and "/queue/test-center/tickets/issue/" in page


def test_operator_form_errors_are_400_and_issue_nothing(client, kiosk_center, operator):
    client.force_login(operator)
    response = client.post("/en" + OPERATOR_ISSUE, {"service": "", "priority": "", "phone": "+1 202 555 0100"})
    assert response.status_code == 400 and "Choose a service." in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "other_center_operator"])
def test_people_who_do_not_work_here_cannot_issue(client, kiosk_center, service_a, who):
    user = UserFactory(username=who)
    if who == "other_center_operator":
        elsewhere = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER)
        membership_grant(actor=SYSTEM, user=user, organization=elsewhere, role=Role.OPERATOR)
    client.force_login(user)
    assert client.get(OPERATOR_ISSUE).status_code == 403
    assert client.post(OPERATOR_ISSUE, {"service": "svc-a", "priority": "", "phone": ""}).status_code == 403
    assert not Ticket.objects.exists()


def test_the_service_layer_refuses_a_user_who_does_not_work_at_the_center(kiosk_center, service_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ticket_issue(actor=UserFactory(username="nobody"), center=kiosk_center, service=service_a)
    assert not Ticket.objects.filter(status=TicketStatus.WAITING).exists()


def test_start_links_to_the_booking_check_in_when_there_is_one(client, kiosk_center):
    from django.urls import NoReverseMatch, reverse

    try:
        check_in = reverse("queues:booking_check_in", args=["test-center"])
    except NoReverseMatch:
        pytest.skip("no appointments module")
    assert f'href="{check_in}"' in client.get(KIOSK).content.decode()
