"""Press events and embargoed press releases through their services: announce → invitations by e-mail
(and Telegram where the phone is linked), registration with seats and accreditation checks, materials
after the event, cancellation, the scheduler marking events held, and embargoed releases sent at once,
moved, withdrawn and lifted.

Journalists and accreditations are built directly on the media models (an approved accreditation in its
dates is what counts; refused, suspended or expired ones do not); embargoed releases both as rows and
through the publications' own services (publication_schedule sends `publication_scheduled`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.media import models as media_models
from darcha.infoservice.media.choices import AccreditationStatus
from darcha.infoservice.media.events import embargo, selectors, services
from darcha.infoservice.media.events.choices import (
    DispatchStatus,
    EventsRefusal,
    PressEventStatus,
)
from darcha.infoservice.publications import services as publishing
from darcha.infoservice.publications.choices import PublicationKind, PublicationStatus
from darcha.infoservice.publications.models import Publication, PublicationText
from darcha.notify.models import Message
from tests.factories import OrganizationFactory, UserFactory, pdf_file, staff
from tests.infoservice.helpers import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 5, 4, 10)
TEXTS = {"title": {"uz": "Obodonlashtirish ishlari", "ru": "Благоустройство"}, "place": {"uz": "Hokimiyat, 2-zal"}}


@pytest.fixture
def office():
    region = OrganizationFactory(code="nam-region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="nam-city", kind=OrganizationKind.CITY, parent=region)
    return OrganizationFactory(code="nam-city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)


@pytest.fixture
def press(office):
    return staff("press", office, Role.PRESS_SECRETARY, email="press@example.org")


def journalist(
    office,
    name: str,
    *,
    valid_from=dt.date(2026, 1, 1),
    valid_until=dt.date(2026, 12, 31),
    status=AccreditationStatus.APPROVED,
):
    outlet = media_models.Outlet.objects.create(name=f"{name} gazetasi", kind="newspaper")
    user = UserFactory(username=name, email=f"{name}@example.org")
    person = media_models.Journalist.objects.create(
        user=user, phone="", email=f"{name}@example.org", outlet=outlet, position="muxbir"
    )
    media_models.Accreditation.objects.create(
        journalist=person,
        outlet=outlet,
        organization=office,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return person


def draft(press, office, **extra):
    return services.press_event_create(
        actor=press,
        organization=office,
        kind="press_conference",
        texts=TEXTS,
        starts_at=extra.pop("starts_at", at(2026, 5, 20, 11)),
        now=NOW,
        **extra,
    )


def test_announcing_invites_the_accredited_journalists_by_email(office, press, django_capture_on_commit_callbacks):
    ali = journalist(office, "ali")
    journalist(office, "expired", valid_until=dt.date(2026, 5, 10))  # not valid on the event's day
    journalist(office, "refused", status=AccreditationStatus.REFUSED)
    journalist(office, "suspended", status=AccreditationStatus.SUSPENDED)
    event = draft(press, office)
    assert event.status == PressEventStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.press_event_announce(actor=press, event=event, now=NOW)
    assert invited == 1
    message = Message.objects.get(template="press_event_invitation")
    assert message.address == "ali@example.org" and "Obodonlashtirish ishlari" in message.body
    assert list(event.invitations.values_list("journalist_id", flat=True)) == [ali.pk]
    with pytest.raises(Refused) as refused:
        services.press_event_announce(actor=press, event=event, now=NOW)
    assert refused.value.code == EventsRefusal.STATE


def test_only_the_press_secretary_of_the_hokimiyat_and_only_in_the_future(office, press):
    other = staff("other", OrganizationFactory(code="x", kind=OrganizationKind.HOKIMIYAT), Role.PRESS_SECRETARY)
    with pytest.raises(Forbidden):
        draft(other, office)
    with pytest.raises(ValidationError) as error:
        draft(press, office, starts_at=at(2026, 5, 1))
    assert "starts_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.press_event_create(
            actor=press, organization=office, kind="party", texts={"title": {"ru": "Только"}}, starts_at=at(2026, 6, 1)
        )
    assert {"kind", "title_uz", "place_uz"} <= set(error.value.message_dict)


def test_registration_checks_accreditation_and_seats(office, press, django_capture_on_commit_callbacks):
    ali, vali = journalist(office, "ali"), journalist(office, "vali")
    event = draft(press, office, seats=2)
    services.press_event_announce(actor=press, event=event, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.press_event_register(actor=ali.user, event=event, companions=1, now=NOW)
    assert Message.objects.filter(template="press_event_registered", address="ali@example.org").exists()
    assert selectors.seats_taken(event) == 2
    with pytest.raises(Refused) as refused:
        services.press_event_register(actor=vali.user, event=event, now=NOW)
    assert refused.value.code == EventsRefusal.FULL
    with pytest.raises(Refused) as refused:
        services.press_event_register(actor=ali.user, event=event, now=NOW)
    assert refused.value.code == EventsRefusal.ALREADY_REGISTERED
    services.press_event_unregister(actor=ali.user, event=event, now=NOW)
    services.press_event_register(actor=vali.user, event=event, now=NOW)
    outsider = journalist(OrganizationFactory(code="y", kind=OrganizationKind.HOKIMIYAT), "outsider")
    with pytest.raises(Refused) as refused:
        services.press_event_register(actor=outsider.user, event=event, now=NOW)
    assert refused.value.code == EventsRefusal.NOT_ACCREDITED
    with pytest.raises(Forbidden):
        services.press_event_register(actor=press, event=event, now=NOW)
    with pytest.raises(Refused) as refused:
        services.press_event_register(actor=ali.user, event=event, now=at(2026, 5, 20, 11, 5))
    assert refused.value.code == EventsRefusal.REGISTRATION_CLOSED


def test_moving_or_cancelling_tells_the_journalists(office, press, django_capture_on_commit_callbacks):
    journalist(office, "ali")
    event = draft(press, office)
    services.press_event_announce(actor=press, event=event, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.press_event_update(
            actor=press, event=event, kind="briefing", texts=TEXTS, starts_at=at(2026, 5, 21, 15), now=NOW
        )
    assert Message.objects.filter(template="press_event_changed").count() == 1
    with pytest.raises(ValidationError):
        services.press_event_cancel(actor=press, event=event, reason=" ", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.press_event_cancel(actor=press, event=event, reason="Hokim safarda", now=NOW)
    assert "Hokim safarda" in Message.objects.get(template="press_event_cancelled").body
    event.refresh_from_db()
    assert event.status == PressEventStatus.CANCELLED


def test_held_by_the_scheduler_then_materials(office, press, django_capture_on_commit_callbacks):
    ali = journalist(office, "ali")
    event = draft(press, office)
    services.press_event_announce(actor=press, event=event, now=NOW)
    services.press_event_register(actor=ali.user, event=event, now=NOW)
    with pytest.raises(Refused) as refused:
        services.material_add(actor=press, event=event, title="Taqdimot", upload=pdf_file(), now=NOW)
    assert refused.value.code == EventsRefusal.NOT_STARTED
    after = at(2026, 5, 20, 13)
    assert services.press_events_mark_held(actor=SYSTEM, now=after) == 1
    event.refresh_from_db()
    assert event.status == PressEventStatus.HELD
    services.material_add(actor=press, event=event, title="Taqdimot", upload=pdf_file(), now=after)
    services.material_add(actor=press, event=event, title="Video", url="https://example.org/v/1", now=after)
    with pytest.raises(ValidationError):
        services.material_add(
            actor=press,
            event=event,
            title="Bad",
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            now=after,
        )
    assert event.materials.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.materials_notify(actor=press, event=event, now=after) == 1
    assert Message.objects.filter(template="press_event_materials", address="ali@example.org").exists()


def _release(office, press, *, publish_at, slug="embargo-1"):
    publication = Publication.objects.create(
        organization=office,
        kind=PublicationKind.PRESS_RELEASE,
        status=PublicationStatus.SCHEDULED,
        slug=slug,
        author=press,
        publish_at=publish_at,
        embargo=True,
    )
    PublicationText.objects.create(
        publication=publication,
        language="uz",
        title="Yangi maktab",
        lead="Ochilish marosimi",
        body="<p>Matn</p>",
        is_published=True,
    )
    return publication


def test_an_embargoed_release_is_sent_at_once_and_followed(office, press, django_capture_on_commit_callbacks):
    journalist(office, "ali")
    publication = _release(office, press, publish_at=at(2026, 5, 6, 9))
    with django_capture_on_commit_callbacks(execute=True):
        done = embargo.embargo_sync(now=NOW)
    assert done["sent"] == 1
    message = Message.objects.get(template="press_release_embargoed")
    assert "Yangi maktab" in message.body and "Ochilish marosimi" in message.body
    assert embargo.embargo_sync(now=NOW)["sent"] == 0  # once
    late = journalist(office, "late")
    assert embargo.embargo_release_send(actor=press, publication=publication, now=NOW) == 1
    assert publication.embargo_dispatch.recipients.filter(journalist=late).exists()

    Publication.objects.filter(pk=publication.pk).update(publish_at=at(2026, 5, 7, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert embargo.embargo_sync(now=NOW)["moved"] == 1
    assert Message.objects.filter(template="press_release_embargo_moved").count() == 2

    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.PUBLISHED)
    assert embargo.embargo_sync(now=at(2026, 5, 7, 9, 1))["lifted"] == 1
    publication.embargo_dispatch.refresh_from_db()
    assert publication.embargo_dispatch.status == DispatchStatus.LIFTED


def test_a_withdrawn_release_is_called_back_and_a_news_item_is_not_sent(office, press):
    journalist(office, "ali")
    publication = _release(office, press, publish_at=at(2026, 5, 6, 9))
    embargo.embargo_release_send(actor=press, publication=publication, now=NOW)
    Publication.objects.filter(pk=publication.pk).update(status=PublicationStatus.WITHDRAWN)
    assert embargo.embargo_sync(now=NOW)["withdrawn"] == 1
    news = _release(office, press, publish_at=at(2026, 5, 6, 9), slug="news-1")
    Publication.objects.filter(pk=news.pk).update(kind=PublicationKind.NEWS)
    news.refresh_from_db()
    with pytest.raises(Refused) as refused:
        embargo.embargo_release_send(actor=press, publication=news, now=NOW)
    assert refused.value.code == EventsRefusal.NOT_EMBARGOED


def test_scheduling_an_embargoed_release_sends_it_then_and_a_call_back_and_rescheduling_resend(
    office, press, django_capture_on_commit_callbacks
):
    """The press secretary schedules it in the publications' editor (publication_schedule): its
    `publication_scheduled` signal sends it to the accredited journalists after the commit, in their name."""
    today = timezone.localdate()
    ali = journalist(
        office, "ali", valid_from=today - dt.timedelta(days=30), valid_until=today + dt.timedelta(days=300)
    )
    release = publishing.publication_create(
        actor=press,
        organization=office,
        data={"kind": PublicationKind.PRESS_RELEASE, "embargo": True},
        texts={"uz": {"title": "Yangi maktab", "lead": "Ochilish marosimi", "body": "<p>Matn</p>"}},
    )
    lift = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publication_schedule(actor=press, publication=release, at=lift)
    dispatch = release.embargo_dispatch
    assert dispatch.status == DispatchStatus.UNDER_EMBARGO and dispatch.embargo_until == lift
    assert dispatch.sent_by_label == "press"
    assert list(dispatch.recipients.values_list("journalist_id", flat=True)) == [ali.pk]
    message = Message.objects.get(template="press_release_embargoed")
    assert message.address == "ali@example.org" and "Yangi maktab" in message.body

    later = lift + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publication_schedule(actor=press, publication=release, at=later)
    dispatch.refresh_from_db()
    assert dispatch.embargo_until == later
    assert Message.objects.filter(template="press_release_embargo_moved").count() == 1

    publishing.publication_unschedule(actor=press, publication=release)
    with django_capture_on_commit_callbacks(execute=True):
        assert embargo.embargo_sync()["withdrawn"] == 1
    assert Message.objects.filter(template="press_release_embargo_withdrawn").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publication_schedule(actor=press, publication=release, at=later)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.UNDER_EMBARGO and dispatch.withdrawn_at is None
    assert Message.objects.filter(template="press_release_embargoed").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_due(now=later + dt.timedelta(seconds=30))
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.LIFTED


def test_a_news_item_scheduled_is_not_sent_to_journalists(office, press, django_capture_on_commit_callbacks):
    journalist(office, "ali", valid_from=timezone.localdate(), valid_until=None)
    news = publishing.publication_create(
        actor=press,
        organization=office,
        data={"kind": PublicationKind.NEWS},
        texts={"uz": {"title": "Yangilik", "body": "<p>Matn</p>"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publication_schedule(actor=press, publication=news, at=timezone.now() + dt.timedelta(days=1))
    assert not Message.objects.filter(template__startswith="press_release").exists()
