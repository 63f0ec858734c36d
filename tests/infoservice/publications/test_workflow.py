"""Review, scheduling, publishing and withdrawing; the scheduler's publish_due and the missed-schedule
alert; the publication_published signal after the commit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.publications import jobs, services, signals
from darcha.infoservice.publications.choices import PublicationStatus
from darcha.infoservice.publications.models import Publication
from darcha.infoservice.publications.selectors import desk_counts
from darcha.notify.models import Message

from .editing_helpers import DECISION, Office, at, draft, signed_pdf

pytestmark = pytest.mark.django_db
NOW = at(2026, 6, 1, 9)


@pytest.fixture
def office():
    return Office()


@pytest.fixture
def heard():
    got = []

    def listener(sender, publication, **kwargs):
        got.append(publication.pk)

    signals.publication_published.connect(listener)
    yield got
    signals.publication_published.disconnect(listener)


def test_review_then_approval_publishes_and_the_signal_is_sent_after_commit(
    office, heard, django_capture_on_commit_callbacks
):
    publication = draft(office, actor=office.writer)
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_submit_review(actor=office.writer, publication=publication)
    assert Message.objects.filter(template="publication_to_review", address="press@pub-city-hokimiyat.uz").exists()
    with pytest.raises(Forbidden):
        services.publication_approve(actor=office.writer, publication=publication)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publication_approve(actor=office.press, publication=publication, now=NOW)
        assert heard == []
    for callback in callbacks:
        callback()
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PUBLISHED
    assert publication.reviewed_by == office.press and publication.published_at == NOW
    assert heard == [publication.pk]


def test_sending_back_returns_the_draft_with_the_comment(office, django_capture_on_commit_callbacks):
    publication = draft(office, actor=office.writer)
    services.publication_submit_review(actor=office.writer, publication=publication)
    with pytest.raises(ValidationError):
        services.publication_send_back(actor=office.press, publication=publication, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_send_back(actor=office.press, publication=publication, comment="Sarlavhani qisqartiring")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DRAFT and publication.review_comment == "Sarlavhani qisqartiring"
    assert Message.objects.filter(template="publication_sent_back", address="hokim@pub-city-hokimiyat.uz").exists()


def test_a_decision_goes_out_only_with_its_number_date_subject_and_signed_pdf(office):
    publication = draft(office, kind="decision")
    with pytest.raises(Refused) as error:
        services.publication_publish(actor=office.press, publication=publication)
    message = str(error.value)
    assert "number" in message and "signed decision" in message
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.DRAFT
    ready = draft(
        office, kind="decision", data={**DECISION, "decision_date": dt.date(2026, 5, 30)}, signed_pdf=signed_pdf()
    )
    services.publication_publish(actor=office.press, publication=ready)
    assert Publication.objects.get(pk=ready.pk).status == PublicationStatus.PUBLISHED


def test_scheduling_needs_a_future_time(office):
    publication = draft(office)
    with pytest.raises(ValidationError) as error:
        services.publication_schedule(actor=office.press, publication=publication, at=NOW, now=NOW)
    assert "has passed" in error.value.message_dict["at"][0]
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.DRAFT


def test_the_scheduler_publishes_what_is_due_and_only_that(office, heard, django_capture_on_commit_callbacks):
    soon = draft(office)
    later = draft(office)
    services.publication_schedule(actor=office.press, publication=soon, at=NOW + dt.timedelta(minutes=30), now=NOW)
    services.publication_schedule(actor=office.press, publication=later, at=NOW + dt.timedelta(days=1), now=NOW)
    assert services.publish_due(NOW + dt.timedelta(minutes=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.publish(now=NOW + dt.timedelta(minutes=30, seconds=20)) == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.status == PublicationStatus.PUBLISHED and soon.published_at == NOW + dt.timedelta(
        minutes=30, seconds=20
    )
    assert later.status == PublicationStatus.SCHEDULED
    assert heard == [soon.pk]


def test_a_scheduled_item_that_did_not_go_out_is_told_once_and_shown_on_the_desk(
    office, settings, django_capture_on_commit_callbacks
):
    settings.PUBLICATIONS_MISSED_MINUTES = 5
    publication = draft(office)
    services.publication_schedule(actor=office.press, publication=publication, at=NOW + dt.timedelta(hours=1), now=NOW)
    due = NOW + dt.timedelta(hours=1)
    # The job did not run (or failed): four minutes late is not yet missed, six minutes is.
    assert services.missed_alert(due + dt.timedelta(minutes=4)) == 0
    assert desk_counts(office.organization, now=due + dt.timedelta(minutes=4)).missed == []
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.missed(now=due + dt.timedelta(minutes=6)) == 1
    alert = Message.objects.get(template="publication_missed")
    assert alert.address == "press@pub-city-hokimiyat.uz" and "Yangi maktab ochildi" in alert.body
    assert services.missed_alert(due + dt.timedelta(minutes=20)) == 0  # once
    assert [p.pk for p in desk_counts(office.organization, now=due + dt.timedelta(minutes=6)).missed] == [
        publication.pk
    ]
    # When the scheduler comes back, it goes out (late) and leaves the desk's list.
    assert services.publish_due(due + dt.timedelta(minutes=21)) == 1
    assert desk_counts(office.organization, now=due + dt.timedelta(minutes=22)).missed == []


def test_an_item_that_cannot_go_out_stays_scheduled_for_the_alert(office, django_capture_on_commit_callbacks):
    publication = draft(office)
    services.publication_schedule(
        actor=office.press, publication=publication, at=NOW + dt.timedelta(minutes=1), now=NOW
    )
    publication.texts.filter(language="uz").update(is_published=False)  # broken behind the editor's back
    assert services.publish_due(NOW + dt.timedelta(minutes=2)) == 0
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.missed_alert(NOW + dt.timedelta(minutes=10)) == 1
    assert "default language, is required" in Message.objects.get(template="publication_missed").body


def test_withdrawing_needs_a_reason_and_takes_it_off(office):
    publication = draft(office)
    services.publication_publish(actor=office.press, publication=publication)
    with pytest.raises(ValidationError):
        services.publication_withdraw(actor=office.press, publication=publication, reason="")
    services.publication_withdraw(actor=office.press, publication=publication, reason="Xato maʼlumot")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.WITHDRAWN
    with pytest.raises(Refused):
        services.publication_withdraw(actor=office.press, publication=publication, reason="yana")
    services.publication_publish(actor=office.press, publication=publication)  # published again
    assert Publication.objects.get(pk=publication.pk).status == PublicationStatus.PUBLISHED


def test_unscheduling_returns_a_draft(office):
    publication = draft(office)
    services.publication_schedule(actor=office.press, publication=publication, at=NOW + dt.timedelta(days=2), now=NOW)
    services.publication_unschedule(actor=office.press, publication=publication)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DRAFT
    assert services.publish_due(NOW + dt.timedelta(days=3)) == 0


def test_the_jobs_are_registered_every_minute():
    from darcha.core.scheduler import registered_jobs

    jobs_by_name = {job.name: job for job in registered_jobs()}
    assert jobs_by_name["publications.publish_due"].every_seconds == 60
    assert jobs_by_name["publications.missed"].every_seconds == 60
