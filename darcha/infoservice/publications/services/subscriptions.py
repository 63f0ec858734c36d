"""Subscriptions to publications: e-mail with double opt-in and one-click unsubscribe, Telegram chats of the
citizens' bot, and the delivery of what is published — at once (publication_fanout, a task queued when
`publication_published` is heard) or in the daily digest (digests_send, a scheduler job) — through the
notify app, whose Message records each delivery's status.

Tokens are signed, not stored: the confirmation link carries the subscription and the choice it confirms
(django.core.signing, valid SUBSCRIPTIONS_CONFIRM_DAYS), so an address already subscribed keeps its
subscription until the new choice is confirmed; the unsubscribe link carries the subscription alone. An
unsubscribed address is deleted with its deliveries (a subscriber's data is only for the purpose), and so
is an address never confirmed, after SUBSCRIPTIONS_CONFIRM_DAYS (subscriptions_purge, with the digest)."""

from __future__ import annotations

import datetime as dt
import enum
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from darcha.core.audit import SystemActor, audit_record
from darcha.core.errors import Refused
from darcha.core.i18n import LANGUAGE_CODES
from darcha.core.links import absolute_url
from darcha.core.models import Organization
from darcha.notify import services as notify
from darcha.notify.choices import Channel
from darcha.notify.models import TELEGRAM_CHAT

from ..choices import PublicationKind, PublicationStatus
from ..models import Publication
from ..models_subscriptions import (
    ChatSubscription,
    EmailSubscription,
    Frequency,
    SubscriptionDelivery,
    SubscriptionStatus,
)
from ..selectors import publication_text, with_texts

log = logging.getLogger("darcha.publications.subscriptions")

SUBSCRIBER = SystemActor("subscriber")  # a person subscribing or unsubscribing by the public pages
DELIVERY = SystemActor("subscriptions")  # the fan-out and the digest
CONFIRM_SALT = "darcha.publications.subscription-confirm"
UNSUBSCRIBE_SALT = "darcha.publications.subscription-unsubscribe"
DIGEST_MAX = 50  # publications listed in one digest (the rest wait for the next one)


class SubscriptionRefusal(enum.StrEnum):
    LINK = "subscription_link"
    GONE = "subscription_gone"
    INPUT = "subscription_input"


def confirm_days() -> int:
    return int(getattr(settings, "SUBSCRIPTIONS_CONFIRM_DAYS", 7))


def resend_minutes() -> int:
    return int(getattr(settings, "SUBSCRIPTIONS_RESEND_MINUTES", 10))


# --- what the subscriber chose, as words --------------------------------------------------------------
def publishing_organizations():
    """The organizations one may subscribe to: the active hokimiyats and centers."""
    return Organization.objects.filter(is_active=True, kind__in=("hokimiyat", "center")).order_by("path", "code")


def clean_kinds(kinds) -> list[str]:
    chosen = [str(kind) for kind in (kinds or [])]
    unknown = [kind for kind in chosen if kind not in PublicationKind.values]
    if unknown:
        raise ValidationError({"kinds": _("Unknown kind of publication: %(kind)s.") % {"kind": unknown[0]}})
    # Every kind chosen is the same as none (everything): stored as [].
    ordered = [kind for kind in PublicationKind.values if kind in chosen]
    return [] if len(ordered) == len(PublicationKind.values) else ordered


def clean_frequency(frequency: str) -> str:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how often to receive the publications.")})
    return frequency


def clean_language(language: str | None) -> str:
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def what_text(organization: Organization | None) -> str:
    """ "the publications of X" in the current language."""
    if organization is None:
        return _("the publications of every hokimiyat and center")
    return _("the publications of %(organization)s") % {"organization": organization.name}


def kinds_text(kinds) -> str:
    if not kinds:
        return _("every kind")
    return ", ".join(str(PublicationKind(kind).label) for kind in kinds)


def frequency_text(frequency: str) -> str:
    return _("once a day, in a digest") if frequency == Frequency.DAILY else _("as soon as each is published")


# --- links -----------------------------------------------------------------------------------------------
def confirm_token(subscription: EmailSubscription, *, kinds, frequency, language) -> str:
    return signing.dumps({"s": subscription.pk, "k": kinds, "f": frequency, "l": language}, salt=CONFIRM_SALT)


def unsubscribe_token(subscription: EmailSubscription) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"e{subscription.pk}")


def _link(name: str, token: str, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse(name, args=[token]))


def unsubscribe_url(subscription: EmailSubscription) -> str:
    return _link("publications:unsubscribe", unsubscribe_token(subscription), subscription.language)


def publication_url(publication: Publication, language: str) -> str:
    """The publication's public page in `language` (the public pages' item view), absolute."""
    with translation.override(language):
        for name in ("publications:detail", "publications:item", "publications:publication"):
            try:
                return absolute_url(reverse(name, args=[publication.organization.code, publication.slug]))
            except NoReverseMatch:
                continue
        return absolute_url(f"/{language}/news/{publication.organization.code}/{publication.slug}/")


# --- e-mail: subscribe, confirm, unsubscribe ------------------------------------------------------------
def email_subscribe(
    *,
    actor,
    email: str,
    organization: Organization | None,
    kinds=(),
    frequency: str = Frequency.IMMEDIATE,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> EmailSubscription | None:
    """Ask for a subscription: a confirmation link is e-mailed; nothing is sent before it is opened.

    The answer is the same whether the address was new, pending or subscribed (nobody learns who
    subscribes); a second request for one address within SUBSCRIPTIONS_RESEND_MINUTES sends no second
    letter. Returns the subscription (None when the letter was held back)."""
    now = now or timezone.now()
    email = str(email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    local, _at, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}"
    kinds = clean_kinds(kinds)
    frequency = clean_frequency(frequency)
    language = clean_language(language)
    if organization is not None and not publishing_organizations().filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("Choose a hokimiyat or a center.")})
    with transaction.atomic():
        rows = EmailSubscription.objects.select_for_update().filter(email__iexact=email)
        rows = rows.filter(organization=organization) if organization else rows.filter(organization__isnull=True)
        subscription = rows.first()
        if subscription is None:
            subscription = EmailSubscription.objects.create(
                email=email,
                organization=organization,
                kinds=kinds,
                frequency=frequency,
                language=language,
                created_at=now,
                since=now,
            )
        elif subscription.confirm_sent_at and subscription.confirm_sent_at > now - dt.timedelta(
            minutes=resend_minutes()
        ):
            return None
        subscription.confirm_sent_at = now
        subscription.save(update_fields=["confirm_sent_at"])
        audit_record(
            actor=actor,
            action="subscription_request",
            obj=subscription,
            data={"organization": organization.code if organization else "", "kinds": kinds, "frequency": frequency},
            organization=organization,
        )
        token = confirm_token(subscription, kinds=kinds, frequency=frequency, language=language)
        with translation.override(language):
            context = {
                "what": what_text(organization),
                "kinds": kinds_text(kinds),
                "frequency": frequency_text(frequency),
                "days": confirm_days(),
                "confirm_url": _link("publications:subscribe_confirm", token, language),
            }
        notify.message_send(
            actor=actor,
            channel=Channel.EMAIL,
            address=email,
            template="subscription_confirm",
            context=context,
            language=language,
            related=subscription,
        )
    return subscription


def read_confirm_token(token: str) -> dict:
    try:
        data = signing.loads(str(token or ""), salt=CONFIRM_SALT, max_age=confirm_days() * 24 * 3600)
    except signing.SignatureExpired:
        raise Refused(
            _("The confirmation link has expired. Subscribe again to get a new one."), SubscriptionRefusal.LINK
        ) from None
    except signing.BadSignature:
        raise Refused(_("The confirmation link is not valid."), SubscriptionRefusal.LINK) from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise Refused(_("The confirmation link is not valid."), SubscriptionRefusal.LINK)
    return data


def confirm_preview(token: str) -> tuple[EmailSubscription, dict]:
    """(the subscription, the choice) a confirmation link would confirm — for its page; Refused if invalid."""
    data = read_confirm_token(token)
    subscription = EmailSubscription.objects.select_related("organization").filter(pk=data["s"]).first()
    if subscription is None:
        raise Refused(_("This subscription no longer exists. Subscribe again."), SubscriptionRefusal.GONE)
    return subscription, data


def email_confirm(*, actor, token: str, now: dt.datetime | None = None) -> EmailSubscription:
    """Open the confirmation link: the subscription is active with the choice it carries."""
    now = now or timezone.now()
    data = read_confirm_token(token)
    with transaction.atomic():
        subscription = (
            EmailSubscription.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=data["s"])
            .first()
        )
        if subscription is None:
            raise Refused(_("This subscription no longer exists. Subscribe again."), SubscriptionRefusal.GONE)
        try:
            kinds, frequency = clean_kinds(data.get("k")), clean_frequency(data.get("f"))
        except ValidationError:
            raise Refused(_("The confirmation link is not valid."), SubscriptionRefusal.LINK) from None
        was = subscription.status
        subscription.kinds, subscription.frequency = kinds, frequency
        subscription.language = clean_language(data.get("l"))
        if was != SubscriptionStatus.ACTIVE:
            subscription.status = SubscriptionStatus.ACTIVE
            subscription.since = now  # what was published before is not sent
        subscription.confirmed_at = now
        subscription.save()
        audit_record(
            actor=actor,
            action="subscription_confirm",
            obj=subscription,
            data={"from": was, "kinds": kinds, "frequency": frequency},
            organization=subscription.organization,
        )
    return subscription


def read_unsubscribe_token(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(str(token or ""))
    except signing.BadSignature:
        raise Refused(_("The unsubscribe link is not valid."), SubscriptionRefusal.LINK) from None
    if not value.startswith("e") or not value[1:].isdigit():
        raise Refused(_("The unsubscribe link is not valid."), SubscriptionRefusal.LINK)
    return int(value[1:])


def email_unsubscribe(*, actor, token: str) -> bool:
    """End the subscription the link names and delete the address (RFC 8058 one-click: a POST does it).
    True if one was ended; False if it had ended already (the same link works twice, harmlessly)."""
    pk = read_unsubscribe_token(token)
    with transaction.atomic():
        subscription = EmailSubscription.objects.select_for_update().filter(pk=pk).first()
        if subscription is None:
            return False
        audit_record(
            actor=actor,
            action="subscription_end",
            obj=subscription,
            data={"channel": "email", "deliveries": subscription.deliveries.count()},
            organization=subscription.organization_id,
        )
        subscription.delete()
    return True


def subscriptions_purge(now: dt.datetime | None = None) -> int:
    """Delete the addresses never confirmed within SUBSCRIPTIONS_CONFIRM_DAYS. Returns how many."""
    now = now or timezone.now()
    stale = EmailSubscription.objects.filter(
        status=SubscriptionStatus.PENDING, created_at__lt=now - dt.timedelta(days=confirm_days())
    )
    ids = list(stale.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    with transaction.atomic():
        deleted = EmailSubscription.objects.filter(pk__in=ids, status=SubscriptionStatus.PENDING).delete()[0]
        audit_record(actor=DELIVERY, action="subscriptions_purge", data={"unconfirmed": len(ids)})
    return deleted


# --- Telegram ---------------------------------------------------------------------------------------------
def chat_subscribe(
    *,
    actor,
    chat_id: str,
    organization: Organization | None,
    kinds=(),
    frequency: str = Frequency.IMMEDIATE,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> ChatSubscription:
    """A chat follows an organization's publications (of these kinds): the chat itself asked, so no
    confirmation is needed. Subscribing again changes the choice."""
    now = now or timezone.now()
    chat_id = str(chat_id).strip()
    if not TELEGRAM_CHAT.match(chat_id):
        raise ValidationError(_("A Telegram chat id is a number."))
    kinds, frequency, language = clean_kinds(kinds), clean_frequency(frequency), clean_language(language)
    with transaction.atomic():
        rows = ChatSubscription.objects.select_for_update().filter(chat_id=chat_id)
        rows = rows.filter(organization=organization) if organization else rows.filter(organization__isnull=True)
        subscription = rows.first()
        created = subscription is None
        if created:
            subscription = ChatSubscription(chat_id=chat_id, organization=organization, created_at=now, since=now)
        subscription.kinds, subscription.frequency, subscription.language = kinds, frequency, language
        subscription.save()
        audit_record(
            actor=actor,
            action="subscription_chat",
            obj=subscription,
            data={"created": created, "kinds": kinds, "frequency": frequency},
            organization=organization,
        )
    return subscription


def chat_unsubscribe(*, actor, chat_id: str, organization: Organization | None = None) -> int:
    """End the chat's subscription to `organization`, or every one of the chat's (None). Returns how many."""
    with transaction.atomic():
        rows = ChatSubscription.objects.select_for_update().filter(chat_id=str(chat_id))
        if organization is not None:
            rows = rows.filter(organization=organization)
        ended = list(rows)
        for subscription in ended:
            audit_record(
                actor=actor,
                action="subscription_end",
                obj=subscription,
                data={"channel": "telegram"},
                organization=subscription.organization_id,
            )
            subscription.delete()
    return len(ended)


# --- delivery ---------------------------------------------------------------------------------------------
def _item(publication: Publication, language: str) -> dict:
    text, _fallback = publication_text(publication, language)
    return {
        "organization": publication.organization.name,
        "kind": str(PublicationKind(publication.kind).label),
        "title": text.title if text else publication.slug,
        "lead": (text.lead if text else "").strip(),
        "date": formats.date_format(timezone.localtime(publication.published_at), "DATE_FORMAT"),
        "url": publication_url(publication, language),
    }


def _send(subscription, publications: list[Publication], *, digest: bool, now: dt.datetime) -> bool:
    """One message to one subscription about these publications, and a delivery row for each (in one
    transaction: a publication is never recorded delivered without its message, nor sent twice)."""
    email = isinstance(subscription, EmailSubscription)
    language = subscription.language
    with translation.override(language):
        items = [_item(publication, language) for publication in publications]
        what = what_text(subscription.organization)
        if digest:
            lines = []
            for item in items:
                line = f"• {item['title']}"
                if subscription.organization_id is None:
                    line += f" ({item['organization']})"
                lines.append(f"{line}\n  {item['kind']} · {item['date']}\n  {item['url']}")
            context = {
                "what": what,
                "date": formats.date_format(timezone.localdate(now), "DATE_FORMAT"),
                "count": len(items),
                "items": "\n\n".join(lines),
            }
            template = "publication_digest_email" if email else "publication_digest_chat"
        else:
            context = {**items[0], "what": what}
            template = "publication_email" if email else "publication_chat"
        if email:
            context["unsubscribe_url"] = unsubscribe_url(subscription)
    try:
        with transaction.atomic():
            field = "email_subscription" if email else "chat_subscription"
            deliveries = [
                SubscriptionDelivery.objects.create(
                    publication=publication, digest=digest, created_at=now, **{field: subscription}
                )
                for publication in publications
            ]
            message = notify.message_send(
                actor=DELIVERY,
                channel=Channel.EMAIL if email else Channel.TELEGRAM,
                address=subscription.email if email else subscription.chat_id,
                template=template,
                context=context,
                language=language,
                related=publications[0] if len(publications) == 1 else subscription,
            )
            SubscriptionDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(message=message)
            if digest:
                type(subscription).objects.filter(pk=subscription.pk).update(since=now, last_digest_at=now)
    except IntegrityError:
        # Another worker delivered it meanwhile (the unique delivery rows): nothing more to do.
        return False
    return True


def _matching(model, publication: Publication, **filters):
    rows = model.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=publication.organization_id),
        frequency=Frequency.IMMEDIATE,
        since__lte=publication.published_at,
        **filters,
    ).exclude(deliveries__publication=publication)
    return (
        subscription for subscription in rows.order_by("pk").iterator(chunk_size=500) if subscription.wants(publication)
    )


def publication_fanout(*, publication_id: int, now: dt.datetime | None = None) -> int:
    """Send a published publication to every immediate subscription wanting it (each e-mail and chat once,
    also when run again). Returns how many messages were queued."""
    now = now or timezone.now()
    publication = with_texts(Publication.objects.filter(pk=publication_id, status=PublicationStatus.PUBLISHED)).first()
    if publication is None or publication.published_at is None:
        return 0
    sent = 0
    for subscription in _matching(EmailSubscription, publication, status=SubscriptionStatus.ACTIVE):
        sent += _send(subscription, [publication], digest=False, now=now)
    for subscription in _matching(ChatSubscription, publication):
        sent += _send(subscription, [publication], digest=False, now=now)
    return sent


def _digest_publications(subscription, now: dt.datetime) -> list[Publication]:
    queryset = Publication.objects.filter(
        status=PublicationStatus.PUBLISHED, published_at__gt=subscription.since, published_at__lte=now
    )
    if subscription.organization_id:
        queryset = queryset.filter(organization_id=subscription.organization_id)
    if subscription.kinds:
        queryset = queryset.filter(kind__in=subscription.kinds)
    field = "email_subscription" if isinstance(subscription, EmailSubscription) else "chat_subscription"
    delivered = SubscriptionDelivery.objects.filter(**{field: subscription}).values("publication_id")
    queryset = queryset.exclude(pk__in=delivered)
    return list(with_texts(queryset).order_by("published_at", "pk")[:DIGEST_MAX])


def digests_send(now: dt.datetime | None = None) -> int:
    """The daily digest: each daily subscription gets one message listing what was published since its
    last one (nothing when nothing was). Returns how many digests were queued."""
    now = now or timezone.now()
    sent = 0
    emails = EmailSubscription.objects.filter(status=SubscriptionStatus.ACTIVE, frequency=Frequency.DAILY)
    chats = ChatSubscription.objects.filter(frequency=Frequency.DAILY)
    for rows in (emails, chats):
        for subscription in rows.select_related("organization").order_by("pk").iterator(chunk_size=500):
            publications = _digest_publications(subscription, now)
            if publications:
                sent += _send(subscription, publications, digest=True, now=now)
    return sent
