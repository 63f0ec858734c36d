"""The press events' pages: the public event page (materials afterwards, never a draft), the journalist's
registration from their account, the press secretary's desk panel and events page with the months without
a press event, and the embargoed release's page (never cached, only for the journalists it was sent to)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from darcha.infoservice.media.events import services
from darcha.infoservice.media.events.choices import PressEventStatus, RegistrationStatus
from darcha.infoservice.media.models_events import PressEventInvitation, PressEventRegistration
from darcha.infoservice.publications import services as publishing
from darcha.notify.models import Message
from tests.factories import UserFactory, pdf_file
from tests.infoservice.helpers import at
from tests.infoservice.media.events_helpers import (
    TEXTS,
    embargoed_release,
    hokimiyat,
    journalist_now,
    past_event,
    press_secretary,
)

pytestmark = pytest.mark.django_db
EN = "/en/press"


@pytest.fixture
def office():
    return hokimiyat()


@pytest.fixture
def press(office):
    return press_secretary(office)


def upcoming(office, press, **extra):
    event = services.press_event_create(
        actor=press,
        organization=office,
        kind="briefing",
        texts=TEXTS,
        starts_at=timezone.now() + dt.timedelta(days=3),
        **extra,
    )
    services.press_event_announce(actor=press, event=event)
    event.refresh_from_db()
    return event


def _month_start(today: dt.date, back: int) -> dt.date:
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def _on(day: dt.date, hour: int = 11) -> dt.datetime:
    return at(day.year, day.month, min(day.day, 28), hour)


# --- public -------------------------------------------------------------------------------------------


def test_the_public_event_page_shows_the_materials_afterwards(client, office, press):
    held = past_event(office, press, starts_at=timezone.now() - dt.timedelta(days=2), title="Yoz mavsumi")
    services.material_add(actor=press, event=held, title="Taqdimot slaydlari", upload=pdf_file())
    services.material_add(actor=press, event=held, title="Video yozuv", url="https://example.org/video/7")
    response = client.get(f"{EN}/events/{held.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Yoz mavsumi" in html and "Taqdimot slaydlari" in html and 'href="https://example.org/video/7"' in html
    material = held.materials.get(title="Taqdimot slaydlari")
    assert f'href="{EN}/events/{held.pk}/files/{material.pk}/"' in html
    file = client.get(f"{EN}/events/{held.pk}/files/{material.pk}/")
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    listing = client.get(f"{EN}/events/?when=past").content.decode()
    assert "Yoz mavsumi" in listing


def test_an_upcoming_event_invites_to_register_and_a_draft_is_not_public(client, office, press):
    event = upcoming(office, press)
    html = client.get(f"{EN}/events/{event.pk}/").content.decode()
    assert "Obodonlashtirish ishlari" in html and f'href="{EN}/account/events/"' in html
    assert "The materials are published here after the event." in html
    ics = client.get(f"{EN}/events/{event.pk}/event.ics")
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.content.decode()
    draft = services.press_event_create(
        actor=press, organization=office, kind="briefing", texts=TEXTS, starts_at=timezone.now() + dt.timedelta(days=9)
    )
    assert client.get(f"{EN}/events/{draft.pk}/").status_code == 404
    assert client.get(f"{EN}/events/?hokimiyat=nowhere").status_code == 404


# --- the journalist -----------------------------------------------------------------------------------


def test_a_journalist_registers_from_the_account_and_a_second_try_is_refused(
    client, office, press, django_capture_on_commit_callbacks
):
    ali = journalist_now(office, "ali")
    with django_capture_on_commit_callbacks(execute=True):
        event = upcoming(office, press, seats=10)
    assert PressEventInvitation.objects.filter(event=event, journalist=ali).exists()
    invitation = Message.objects.get(template="press_event_invitation", address="ali@example.org")
    assert f"/press/events/{event.pk}/" in invitation.body

    assert client.get(f"{EN}/account/events/").status_code == 302  # to the login
    client.force_login(ali.user)
    page = client.get(f"{EN}/account/events/")
    assert page.status_code == 200 and "Obodonlashtirish ishlari" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{EN}/account/events/{event.pk}/register/", {"companions": "1", "note": "Operator bilan"}
        )
    assert response.status_code == 303
    registration = PressEventRegistration.objects.get(event=event, journalist=ali)
    assert registration.status == RegistrationStatus.REGISTERED and registration.companions == 1
    assert Message.objects.filter(template="press_event_registered", address="ali@example.org").exists()
    assert "You are registered." in client.get(f"{EN}/account/events/").content.decode()

    again = client.post(f"{EN}/account/events/{event.pk}/register/", {"companions": "0"})
    assert again.status_code == 409
    assert "You are registered for this press event already." in again.content.decode()
    bad = client.post(f"{EN}/account/events/{event.pk}/register/", {"companions": "40"})
    assert bad.status_code == 400
    assert client.post(f"{EN}/account/events/{event.pk}/unregister/").status_code == 303
    assert PressEventRegistration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED


def test_registration_is_refused_to_the_unaccredited_and_to_someone_not_a_journalist(client, office, press):
    event = upcoming(office, press)
    outsider = journalist_now(hokimiyat("other-hokimiyat"), "outsider")
    client.force_login(outsider.user)
    response = client.post(f"{EN}/account/events/{event.pk}/register/", {"companions": "0"})
    assert response.status_code == 409 and "is not valid on the day of the event" in response.content.decode()
    assert not PressEventRegistration.objects.exists()
    client.force_login(UserFactory(username="citizen"))
    assert client.get(f"{EN}/account/events/").status_code == 403


# --- the press secretary ------------------------------------------------------------------------------


def test_the_desk_panel_and_events_page_show_the_months_without_a_press_event(client, office, press):
    today = timezone.localdate()
    past_event(office, press, starts_at=_on(_month_start(today, 3) + dt.timedelta(days=14)), title="Uch oy oldin")
    past_event(office, press, starts_at=_on(_month_start(today, 1) + dt.timedelta(days=14)), title="Oʻtgan oy")
    client.force_login(press)
    desk = client.get("/en/desk/")
    html = desk.content.decode()
    assert desk.status_code == 200
    assert "Press conferences and briefings" in html
    assert html.count("pe-month--missed") == 1  # two months ago
    assert "1 month in the last year had none." in html
    assert "None held or announced yet this month." in html
    assert f'href="{EN}/desk/{office.code}/events/new/"' in html

    page = client.get(f"{EN}/desk/{office.code}/events/")
    assert page.status_code == 200 and "Uch oy oldin" in page.content.decode()
    assert page.content.decode().count("pe-month--missed") == 1

    event = upcoming(office, press)
    html = client.get("/en/desk/").content.decode()
    assert f'href="{EN}/desk/{office.code}/events/{event.pk}/"' in html  # the next events, with registrations


def test_the_desk_is_the_press_secretarys_of_that_hokimiyat(client, office, press):
    other = hokimiyat("other-hokimiyat")
    client.force_login(press_secretary(other, "press2"))
    assert client.get(f"{EN}/desk/{office.code}/events/").status_code == 403
    client.logout()
    assert client.get(f"{EN}/desk/{office.code}/events/").status_code == 302


def test_the_press_secretary_plans_announces_and_cancels_from_the_pages(
    client, office, press, django_capture_on_commit_callbacks
):
    journalist_now(office, "ali")
    client.force_login(press)
    starts = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {"kind": "press_conference", "starts_at": starts, "duration_minutes": "60", "title_uz": "", "place_uz": ""}
    bad = client.post(f"{EN}/desk/{office.code}/events/new/", data)
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    assert not office.press_events.exists()
    data.update(title_uz="Qish mavsumiga tayyorgarlik", place_uz="Hokimiyat, 1-zal")
    created = client.post(f"{EN}/desk/{office.code}/events/new/", data)
    assert created.status_code == 303
    event = office.press_events.get()
    assert event.status == PressEventStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        announced = client.post(f"{EN}/desk/{office.code}/events/{event.pk}/announce/")
    assert announced.status_code == 303
    assert Message.objects.filter(template="press_event_invitation", address="ali@example.org").exists()
    again = client.post(f"{EN}/desk/{office.code}/events/{event.pk}/announce/")
    assert again.status_code == 409
    assert client.post(f"{EN}/desk/{office.code}/events/{event.pk}/cancel/", {"reason": ""}).status_code == 400
    assert (
        client.post(f"{EN}/desk/{office.code}/events/{event.pk}/cancel/", {"reason": "Hokim safarda"}).status_code
        == 303
    )
    event.refresh_from_db()
    assert event.status == PressEventStatus.CANCELLED


# --- the embargoed release ----------------------------------------------------------------------------


def _sent_release(office, press, django_capture_on_commit_callbacks):
    release = embargoed_release(office, press)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publication_schedule(actor=press, publication=release, at=timezone.now() + dt.timedelta(days=1))
    release.refresh_from_db()
    return release


def test_the_embargoed_release_page_is_the_recipients_only_and_never_cached(
    client, office, press, django_capture_on_commit_callbacks
):
    ali = journalist_now(office, "ali")
    release = _sent_release(office, press, django_capture_on_commit_callbacks)
    address = f"{EN}/account/releases/{release.pk}/"

    anonymous = client.get(address)
    assert anonymous.status_code == 302 and "Toʻliq matn" not in anonymous.content.decode()
    client.force_login(UserFactory(username="citizen"))
    assert client.get(address).status_code == 403
    client.force_login(journalist_now(hokimiyat("other-hokimiyat"), "outsider").user)
    assert client.get(address).status_code == 404
    client.force_login(press)  # staff, not a journalist
    assert client.get(address).status_code == 403

    client.force_login(ali.user)
    page = client.get(address)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Toʻliq matn: 12-maktab ochiladi." in html and "EMBARGOED" in html
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Yangi maktab" in client.get(f"{EN}/account/releases/").content.decode()


def test_the_release_is_not_on_the_public_pages_before_the_embargo_lifts(
    client, office, press, django_capture_on_commit_callbacks
):
    release = _sent_release(office, press, django_capture_on_commit_callbacks)
    try:
        item = reverse("publications:item", args=[office.code, release.slug])
    except NoReverseMatch:
        pytest.skip("the publications' public pages are not mounted yet")
    assert client.get(item).status_code == 404
    publishing.publish_due(now=release.publish_at + dt.timedelta(seconds=1))
    assert client.get(item).status_code == 200


def test_the_press_secretary_sees_the_dispatch_and_may_send_to_those_accredited_since(
    client, office, press, django_capture_on_commit_callbacks
):
    journalist_now(office, "ali")
    release = _sent_release(office, press, django_capture_on_commit_callbacks)
    client.force_login(press)
    page = client.get(f"{EN}/desk/{office.code}/releases/")
    assert page.status_code == 200 and "Yangi maktab" in page.content.decode()
    journalist_now(office, "late")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{EN}/desk/{office.code}/releases/{release.pk}/send/")
    assert sent.status_code == 303
    assert release.embargo_dispatch.recipients.count() == 2
    assert Message.objects.filter(template="press_release_embargoed", address="late@example.org").exists()
