"""The kiosk's limits on tickets (queues.kiosks): per client address, per registered kiosk terminal and
per phone number. Over a limit the kiosk answers 429 with "ask the staff" and issues nothing.
(Before the limits, 60 posts from one client took 60 tickets.)"""

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import translation

from darcha.core import throttle
from darcha.core.models import AuditEntry
from darcha.queues import kiosks
from darcha.queues.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client):
    # The assertions read the English texts: the pages at /en/ (reverse under English), the API by Accept-Language.
    translation.activate("en")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


CENTER = "test-center"
ISSUE = f"/queue/{CENTER}/kiosk/issue/"
DEVICE = f"/queue/{CENTER}/kiosk/device/"
SMALL = {"KIOSK_TICKETS_PER_CLIENT": 3, "KIOSK_TICKETS_PER_DEVICE": 5, "KIOSK_TICKETS_PER_PHONE": 2}


@pytest.fixture
def kiosk(center, counter, service_a, other_center, foreign_counter):
    return center


def take(client, service, url=ISSUE, phone="", **extra):
    return client.post(url, {"service": service.code, "priority": "", "phone": phone}, **extra)


def register(client, manager, name="Entrance, left"):
    client.force_login(manager)
    return client.post(DEVICE, {"name": name})


def test_sixty_posts_from_one_client_take_at_most_the_limit(client, kiosk, service_a):
    answers = [take(client, service_a).status_code for _ in range(60)]
    assert answers.count(302) == 30 and answers[30:] == [429] * 30
    assert Ticket.objects.filter(center=kiosk).count() == 30


@override_settings(**SMALL)
def test_over_the_limit_the_kiosk_asks_for_the_staff_in_the_citizens_language(client, kiosk, service_a):
    for _ in range(3):
        assert take(client, service_a).status_code == 302
    refused = take(client, service_a, url="/ru" + ISSUE)
    html = refused.content.decode()
    assert refused.status_code == 429
    with translation.override("ru"):
        assert str(kiosks.TOO_MANY_FROM_KIOSK) in html
    assert 'lang="ru"' in html and 'class="kiosk-error"' in html
    assert Ticket.objects.filter(center=kiosk).count() == 3


@override_settings(**SMALL)
def test_another_address_has_its_own_count(client, kiosk, service_a):
    for _ in range(3):
        take(client, service_a)
    assert take(client, service_a).status_code == 429
    assert take(client, service_a, REMOTE_ADDR="10.1.2.3").status_code == 302
    # A forged X-Forwarded-For is not another client (no trusted proxies).
    assert take(client, service_a, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


@override_settings(**SMALL)
def test_refused_and_invalid_posts_do_not_count(client, kiosk, service_a):
    for _ in range(5):
        assert client.post(ISSUE, {"service": "no-such-service"}).status_code == 400
    for _ in range(3):
        assert take(client, service_a).status_code == 302


@override_settings(**SMALL)
def test_one_phone_number_takes_a_few_tickets_at_any_kiosk(client, kiosk, service_a):
    assert take(client, service_a, phone="90 123 45 67").status_code == 302
    assert take(client, service_a, phone="+998901234567", REMOTE_ADDR="10.1.2.3").status_code == 302
    refused = take(client, service_a, phone="901234567", REMOTE_ADDR="10.4.5.6")
    assert refused.status_code == 429
    assert refused.context["form"].errors["phone"] == [str(kiosks.TOO_MANY_FOR_PHONE)]
    # Without the phone (or with another one) the citizen still gets a ticket.
    assert take(client, service_a, phone="", REMOTE_ADDR="10.4.5.6").status_code == 302
    assert take(client, service_a, phone="90 765 43 21", REMOTE_ADDR="10.4.5.6").status_code == 302
    assert Ticket.objects.filter(phone="+998901234567").count() == 2


def test_the_phone_counter_keeps_no_number(client, kiosk, service_a):
    take(client, service_a, phone="90 123 45 67")
    key = kiosks.phone_limit().cache_key(kiosks._phone_key("+998901234567"))
    assert throttle.attempts(key) == 1 and "901234567" not in key


@override_settings(**SMALL)
def test_a_registered_kiosk_terminal_has_its_own_higher_limit(client, kiosk, service_a, manager):
    registered = register(client, manager)
    assert registered.status_code == 303 and registered["Location"] == f"/queue/{CENTER}/kiosk/"
    cookie = registered.cookies[kiosks.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "_auth_user_id" not in client.session  # the manager is signed out on the kiosk
    answers = [take(client, service_a).status_code for _ in range(7)]
    assert answers == [302] * 5 + [429] * 2
    # Every other browser behind the same address still has the address's own limit.
    phone = client.__class__()
    assert [take(phone, service_a).status_code for _ in range(4)] == [302] * 3 + [429]
    assert Ticket.objects.filter(center=kiosk).count() == 8
    entry = AuditEntry.objects.get(action="kiosk_register")
    assert entry.actor == manager and entry.data["name"] == "Entrance, left"
    device = entry.data["device"]
    assert AuditEntry.objects.filter(action="ticket_issue", actor_label=f"kiosk:{CENTER}:{device}").count() == 5


@override_settings(**SMALL)
def test_a_kiosk_cookie_holds_at_its_own_center_only_and_cannot_be_forged(
    client, kiosk, service_a, manager, other_center
):
    register(client, manager)
    assert kiosks.COOKIE in client.cookies
    # At another center the terminal is any browser.
    other = f"/queue/{other_center.code}/kiosk/issue/"
    assert [take(client, service_a, url=other).status_code for _ in range(4)] == [302] * 3 + [429]
    # A cookie not signed by the server counts for nothing: its browser is any browser.
    forged = client.__class__(REMOTE_ADDR="10.7.7.7")
    forged.cookies[kiosks.COOKIE] = signing.dumps({"c": CENTER, "d": "mine", "n": "x", "t": 0}, salt="guess")
    assert [take(forged, service_a).status_code for _ in range(4)] == [302] * 3 + [429]


def test_only_a_manager_of_the_center_registers_a_kiosk(client, kiosk, operator, stranger, manager):
    assert client.get(DEVICE).status_code == 302  # to the login page
    client.force_login(operator)
    assert client.get(DEVICE).status_code == 403
    assert client.post(DEVICE, {"name": "x"}).status_code == 403
    client.force_login(stranger)
    assert client.get(DEVICE).status_code == 403
    client.force_login(manager)
    page = client.get("/en" + DEVICE)
    assert page.status_code == 200 and b"Register this browser as a kiosk" in page.content
    assert client.post(DEVICE, {"name": "  "}).status_code == 400
    assert kiosks.COOKIE not in client.cookies and not AuditEntry.objects.filter(action="kiosk_register").exists()


def test_a_manager_forgets_a_kiosk(client, kiosk, manager):
    register(client, manager, name="Hall")
    client.force_login(manager)
    page = client.get("/en" + DEVICE)
    assert "Hall" in page.content.decode() and b"Forget this kiosk" in page.content
    forgotten = client.post(DEVICE, {"forget": "1"})
    assert forgotten.status_code == 303 and forgotten.cookies[kiosks.COOKIE].value == ""
    assert AuditEntry.objects.filter(action="kiosk_forget").count() == 1


def test_the_desk_links_managers_to_the_kiosk_registration(client, kiosk, manager, operator):
    client.force_login(manager)
    assert DEVICE.encode() in client.get("/desk/").content
    client.force_login(operator)
    assert DEVICE.encode() not in client.get("/desk/").content
