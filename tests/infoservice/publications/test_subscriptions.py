"""E-mail subscriptions: double opt-in (nothing sent before the link is confirmed), the publication's letter
with List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), one-click unsubscribe deleting the address,
per organization and kind, the daily digest, the delivery statuses of the notify app."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from darcha.infoservice.publications.models_subscriptions import (
    EmailSubscription,
    SubscriptionDelivery,
    SubscriptionStatus,
)
from darcha.infoservice.publications.services import subscriptions as subs
from darcha.notify.choices import MessageStatus

from . import subscription_helpers as helpers
from .editing_helpers import Office, at
from .subscription_helpers import publish

pytestmark = pytest.mark.django_db
# The stand-ins' and the office's fixtures.
smtp, office, now_tasks = helpers.smtp, helpers.office, helpers.now_tasks
LINK = re.compile(r"https://darcha\.example\.uz/\S+")


def links(mail) -> list[str]:
    return LINK.findall(mail.message.get_content())


def confirm_link(smtp) -> str:
    [url] = [u for u in links(smtp.received[-1]) if "/subscribe/confirm/" in u]
    return url.removeprefix("https://darcha.example.uz")


def subscribe(client, office, capture, **data):
    form = {"email": "nodira@example.uz", "organization": office.organization.code, "frequency": "immediate", **data}
    with capture(execute=True):
        response = client.post(reverse("publications:subscribe"), form)
    return response


def test_double_opt_in_then_the_publication_arrives_with_one_click_unsubscribe(
    client, office, smtp, now_tasks, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    response = subscribe(client, office, capture)
    assert response.status_code == 303 and response["Location"] == reverse("publications:subscribe_sent")
    subscription = EmailSubscription.objects.get()
    assert subscription.status == SubscriptionStatus.PENDING
    [letter] = smtp.received
    assert letter.rcpt_tos == ["nodira@example.uz"]
    path = confirm_link(smtp)
    # Before confirmation nothing is sent.
    publish(office, capture)
    assert len(smtp.received) == 1
    # The link's page shows a button; only the POST confirms (a scanner opening the link confirms nothing).
    assert client.get(path).status_code == 200
    assert EmailSubscription.objects.get().status == SubscriptionStatus.PENDING
    response = client.post(path)
    assert response.status_code == 200
    assert EmailSubscription.objects.get().status == SubscriptionStatus.ACTIVE
    publication = publish(office, capture, kind="announcement")
    mail = smtp.received[-1]
    assert "Yangi maktab ochildi" in mail.message["Subject"]
    unsubscribe = mail.message["List-Unsubscribe"].strip(" <>")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in mail.message.get_content()
    delivery = SubscriptionDelivery.objects.get(publication=publication)
    assert delivery.message.status == MessageStatus.SENT and delivery.message.template == "publication_email"
    assert unsubscribe not in delivery.message.body  # the stored text keeps the link sealed
    # The mail client's one-click POST: no form token, no cookie.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(
        unsubscribe.removeprefix("https://darcha.example.uz"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not EmailSubscription.objects.exists() and not SubscriptionDelivery.objects.exists()
    # The same link again is harmless.
    assert csrf_client.post(unsubscribe.removeprefix("https://darcha.example.uz")).status_code == 200


def test_kinds_and_organization_filter_what_is_sent(office, smtp, now_tasks, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    other = Office("pub-other-hokimiyat")
    with capture(execute=True):
        subs.email_subscribe(
            actor=subs.SUBSCRIBER, email="a@example.uz", organization=office.organization, kinds=["decision"]
        )
        subs.email_subscribe(actor=subs.SUBSCRIBER, email="b@example.uz", organization=None)
    for subscription in EmailSubscription.objects.all():
        token = subs.confirm_token(subscription, kinds=subscription.kinds, frequency="immediate", language="uz")
        subs.email_confirm(actor=subs.SUBSCRIBER, token=token)
    smtp.received.clear()
    publish(office, capture)  # news: only b (every organization, every kind)
    publish(other, capture)  # the other hokimiyat: only b
    assert sorted(m.rcpt_tos[0] for m in smtp.received) == ["b@example.uz", "b@example.uz"]
    assert subs.publication_fanout(publication_id=SubscriptionDelivery.objects.first().publication_id) == 0  # once


def test_the_daily_digest_lists_what_was_published_since_the_last(
    office, smtp, now_tasks, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        subscription = subs.email_subscribe(
            actor=subs.SUBSCRIBER,
            email="d@example.uz",
            organization=office.organization,
            frequency="daily",
            now=at(2026, 6, 1, 8),
        )
    token = subs.confirm_token(subscription, kinds=[], frequency="daily", language="ru")
    subs.email_confirm(actor=subs.SUBSCRIBER, token=token, now=at(2026, 6, 1, 8))
    smtp.received.clear()
    first = publish(office, capture, now=at(2026, 6, 1, 10))
    second = publish(office, capture, now=at(2026, 6, 1, 12))
    assert smtp.received == []  # daily: nothing at once
    with capture(execute=True):
        assert subs.digests_send(at(2026, 6, 2, 8)) == 1
    [mail] = smtp.received
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["Content-Language"] == "ru"
    assert {d.publication_id for d in SubscriptionDelivery.objects.filter(digest=True)} == {first.pk, second.pk}
    with capture(execute=True):
        assert subs.digests_send(at(2026, 6, 3, 8)) == 0  # nothing new


def test_bad_input_and_bad_links_are_refused_and_change_nothing(
    client, office, smtp, now_tasks, django_capture_on_commit_callbacks
):
    response = subscribe(client, office, django_capture_on_commit_callbacks, email="not-an-address")
    assert response.status_code == 400 and not EmailSubscription.objects.exists()
    response = subscribe(client, office, django_capture_on_commit_callbacks, kinds=["gossip"])
    assert response.status_code == 400 and not EmailSubscription.objects.exists()
    assert client.post(reverse("publications:subscribe_confirm", args=["forged:token"])).status_code == 409
    assert client.post(reverse("publications:unsubscribe", args=["e1:forged"])).status_code == 409
    assert smtp.received == []


def test_a_second_request_within_minutes_sends_no_second_letter(
    office, smtp, now_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subs.email_subscribe(
            actor=subs.SUBSCRIBER, email="x@example.uz", organization=office.organization, now=at(2026, 6, 1, 9)
        )
        assert (
            subs.email_subscribe(
                actor=subs.SUBSCRIBER, email="x@example.uz", organization=office.organization, now=at(2026, 6, 1, 9, 5)
            )
            is None
        )
    assert len(smtp.received) == 1


def test_unconfirmed_addresses_are_deleted_after_the_confirmation_days(office, now_tasks):
    subs.email_subscribe(
        actor=subs.SUBSCRIBER, email="y@example.uz", organization=office.organization, now=at(2026, 6, 1, 9)
    )
    assert subs.subscriptions_purge(at(2026, 6, 5)) == 0
    assert subs.subscriptions_purge(at(2026, 6, 9)) == 1
    assert not EmailSubscription.objects.exists()


def test_staff_see_counts_never_addresses(client, office, now_tasks):
    subs.email_subscribe(actor=subs.SUBSCRIBER, email="secret-reader@example.uz", organization=office.organization)
    client.force_login(office.press)
    response = client.get(reverse("publications:staff_subscribers", args=[office.organization.code]))
    assert response.status_code == 200 and b"secret-reader" not in response.content
    client.force_login(office.outsider)
    assert client.get(reverse("publications:staff_subscribers", args=[office.organization.code])).status_code == 403
