"""Every write of the notify app: messages and their delivery, channel preferences, phone codes.

Each function takes keyword arguments, runs atomically and writes an audit entry. Messages are
delivered by the `deliver_message` task, enqueued after the creating transaction commits; an
attempt claims its message with a lease, the provider is called outside any transaction, and the
attempt's outcome is recorded in its own (see message_deliver: each message once, also when a
worker dies). Secrets in messages (codes) are sealed, never stored or logged in clear (sealing.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from darcha.core.audit import SYSTEM, audit_organization_id, audit_record
from darcha.core.identifiers import validate_phone

from . import channels, sealing
from .channels import DeliveryError, Outgoing, Sent
from .choices import FINAL_STATUSES, Channel, CodeStatus, MessageStatus
from .models import TELEGRAM_CHAT, ChannelPreference, Message, PhoneCode
from .selectors import channel_preference
from .templates import MASK, get_template

logger = logging.getLogger("darcha.notify")

_PURPOSE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")


# --- Validation helpers --------------------------------------------------------------------------


def _clean_channel(channel: str) -> str:
    if channel not in Channel.values:
        raise ValidationError(_("Unknown notification channel “%(channel)s”.") % {"channel": channel}, code="channel")
    return channel


def _clean_address(channel: str, address: str) -> str:
    address = str(address or "").strip()
    if channel == Channel.SMS:
        return validate_phone(address)
    if channel == Channel.EMAIL:
        validate_email(address)
        return address
    if channel == Channel.TELEGRAM:
        if not TELEGRAM_CHAT.match(address):
            raise ValidationError(_("A Telegram chat id is a number."), code="telegram_chat")
        return address
    if not address or len(address) > 254:
        raise ValidationError(_("Give the address to write the message to."), code="address")
    return address


def _clean_language(language: str) -> str:
    code = str(language or settings.LANGUAGE_CODE).strip().lower().replace("_", "-")
    if code not in {lang for lang, _name in settings.LANGUAGES}:
        raise ValidationError(_("Unknown language “%(language)s”.") % {"language": language}, code="language")
    return code


def _plain(value, language: str):
    """A context value as stored with the message: JSON-friendly, dates in Tashkent time and in the
    message's language's own format (darcha/core/formats)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    with translation.override(language):
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return formats.date_format(value, "SHORT_DATETIME_FORMAT")
        if isinstance(value, dt.date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(value, dt.time):
            return formats.time_format(value, "TIME_FORMAT")
        # Model instances and lazy texts: their name in the message's language.
        return str(value)


def _clean_context(context: Mapping | None, language: str) -> dict:
    if context is not None and not isinstance(context, Mapping):
        raise ValidationError(_("The message context must be a mapping of names to values."), code="context")
    return {str(key): _plain(value, language) for key, value in (context or {}).items()}


def _related(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


# --- Muted notices (replaying history) ------------------------------------------------------------


@dataclass(frozen=True)
class MutedNotice:
    """A notice that would have been sent, kept in memory only (its secrets in clear: never stored)."""

    template: str
    address: str
    language: str
    context: dict
    object_type: str
    object_id: str


@dataclass
class MutedNotices:
    """What `notices_muted` held back, in order."""

    notices: list[MutedNotice] = field(default_factory=list)

    def last(self, template: str, related: models.Model) -> MutedNotice | None:
        """The latest notice of this template about this object."""
        object_type, object_id = _related(related)
        for notice in reversed(self.notices):
            if (notice.template, notice.object_type, notice.object_id) == (template, object_type, object_id):
                return notice
        return None


_muted: ContextVar[MutedNotices | None] = ContextVar("darcha_notices_muted", default=None)


@contextmanager
def notices_muted() -> Iterator[MutedNotices]:
    """Replaying past events (the demo loader's story): every message_send / message_send_preferred
    inside records nothing, audits nothing and sends nothing — a notice about something that happened
    months ago must not reach a phone today. What would have gone out is kept in the yielded
    `MutedNotices` (in memory) for the replay to read (a referral's code). Never for live requests."""
    token = _muted.set(MutedNotices())
    try:
        yield _muted.get()
    finally:
        _muted.reset(token)


def muted_notices() -> MutedNotices | None:
    """The recorder of `notices_muted` when notices are muted here, else None (for bulk writers of
    messages, which must hold back theirs too)."""
    return _muted.get()


def _hold_back(muted: MutedNotices, *, address, template, context, language, related) -> None:
    object_type, object_id = _related(related)
    notice = MutedNotice(template, str(address or ""), language, dict(context or {}), object_type, object_id)
    muted.notices.append(notice)


# --- Messages -------------------------------------------------------------------------------------


def message_key(message_id: int) -> str:
    """The message's idempotency key: the same at every attempt, unique to this installation (two
    installations sharing one provider account never take each other's messages for their own)."""
    tag = salted_hmac("darcha.notify.message-key", str(message_id), algorithm="sha256").hexdigest()[:12]
    return f"darcha-{message_id}-{tag}"


def lease_seconds() -> int:
    """How long a delivery attempt holds its message (NOTIFY_LEASE_SECONDS, default 120 s). It must be
    longer than the slowest attempt (a provider's login, send and retry at NOTIFY_TIMEOUT each), or a
    slow attempt could be taken over while it is still sending."""
    return int(getattr(settings, "NOTIFY_LEASE_SECONDS", 120))


def message_send(
    *,
    actor,
    channel: str,
    address: str,
    template: str,
    context: dict,
    language: str = "uz",
    related: models.Model | None = None,
) -> Message | None:
    """Queue one message; it is delivered by a background task once the caller's transaction commits.

    The template's secrets (codes) are kept out of the stored body and context, sealed until the
    message is delivered (darcha.notify.sealing). Inside `notices_muted` nothing is queued: None."""
    muted = _muted.get()
    if muted is not None:
        _hold_back(muted, address=address, template=template, context=context, language=language, related=related)
        return None
    channel = _clean_channel(channel)
    address = _clean_address(channel, address)
    language = _clean_language(language)
    message_template = get_template(template)
    values = _clean_context(context, language)
    subject, body = message_template.render(values, language, masked=True)  # also checks the context fits
    stored, secret_values = message_template.split(values)
    object_type, object_id = _related(related)
    with transaction.atomic():
        message = Message.objects.create(
            channel=channel,
            address=address,
            language=language,
            template=template,
            context=stored,
            sealed=sealing.seal(secret_values),
            subject=subject[:255],
            body=body,
            object_type=object_type,
            object_id=object_id,
        )
        audit_record(
            actor=actor,
            action="message_send",
            obj=message,
            data={"channel": channel, "template": template, "language": language, "related": object_type},
            organization=audit_organization_id(related),
        )
        transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def message_send_preferred(
    *,
    actor,
    phone: str = "",
    email: str = "",
    telegram_chat: str = "",
    template: str,
    context: dict,
    language: str = "uz",
    related: models.Model | None = None,
) -> Message | None:
    """Send through the channel the person prefers, among the addresses known; None if there are none.

    The person's ChannelPreference (by phone) comes first, then Telegram, SMS, e-mail. A channel
    whose provider is live wins over one that would only reach the log; a channel switched off
    (`off`) is not used. An invalid phone number is a ValidationError, as in message_send. Inside
    `notices_muted` nothing is sent (None).
    """
    muted = _muted.get()
    if muted is not None:
        address = phone or telegram_chat or email
        _hold_back(muted, address=address, template=template, context=context, language=language, related=related)
        return None
    phone = validate_phone(phone) if phone else ""
    preference = channel_preference(phone)
    if preference is not None:
        telegram_chat = telegram_chat or preference.telegram_chat
        email = email or preference.email
    addresses = {Channel.TELEGRAM: telegram_chat, Channel.SMS: phone, Channel.EMAIL: email, Channel.CONSOLE: ""}
    order = [Channel.TELEGRAM, Channel.SMS, Channel.EMAIL]
    if preference is not None:
        if preference.channel == Channel.CONSOLE:
            # The person asked not to be sent anything: the message is only logged.
            addresses[Channel.CONSOLE] = phone
            order = [Channel.CONSOLE]
        else:
            order = [preference.channel, *(c for c in order if c != preference.channel)]
    available = [channel for channel in order if addresses[channel] and not channels.is_off(channel)]
    if not available:
        return None
    live = [channel for channel in available if channels.is_live(channel)]
    channel = (live or available)[0]
    return message_send(
        actor=actor,
        channel=channel,
        address=addresses[channel],
        template=template,
        context=context,
        language=language,
        related=related,
    )


def _enqueue_delivery(message_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_message

    _enqueue(deliver_message, message_id, run_after=run_after)


def _enqueue(task, message_id: int, run_after: dt.datetime | None = None) -> bool:
    """Enqueue a task for one message. Backends that cannot defer (the immediate backend) are not
    given delayed work: the message waits with its next_attempt_at for `messages_requeue_due`."""
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return False
            task = task.using(run_after=run_after)
        task.enqueue(message_id)
    except Exception:
        # The message is saved; the periodic requeue picks it up. Never fail the caller's request.
        logger.exception("could not enqueue %s for message #%s", task.name, message_id)
        return False
    return True


def _scrub(message: Message) -> None:
    """Wipe the secrets once the message no longer needs them: when it is sent; when it failed, if
    they were one-time (a failed access-code notice keeps its seal, so it can be sent again)."""
    try:
        template = get_template(message.template)
    except ValidationError:
        message.sealed = ""
        return
    if message.status in (MessageStatus.SENT, MessageStatus.DELIVERED) or template.one_time:
        message.sealed = ""
    # Messages stored before secrets were sealed kept them in the context.
    if any(message.context.get(key) not in (None, MASK) for key in template.secret):
        message.context = template.split(message.context)[0]


def _claimable(now: dt.datetime) -> Q:
    """Waiting to be sent, or held by an attempt whose lease ran out (its worker stopped)."""
    stale = now - dt.timedelta(seconds=lease_seconds())
    expired = Q(claimed_until__lt=now) | Q(claimed_until__isnull=True, sending_at__lt=stale)
    return Q(status=MessageStatus.QUEUED) | (Q(status=MessageStatus.SENDING) & expired)


def _claim(message_id: int, now: dt.datetime) -> tuple[Message, str, dt.datetime | None] | None:
    """Claim one message for one attempt: (the message, the attempt's token, when the attempt it
    takes over had started — None if none was cut off), or None if it is not ours to send.

    One transaction: the row is read and locked (FOR UPDATE SKIP LOCKED on PostgreSQL: a row another
    worker is claiming is skipped, not waited for; SQLite's IMMEDIATE transactions serialise the
    claim), then taken with an UPDATE whose WHERE repeats the condition. The lease and the token are
    committed before the provider is called."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        rows = Message.objects.filter(_claimable(now), pk=message_id)
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        current = rows.values("status", "sending_at").first()
        if current is None:
            return None
        cut_off = current["status"] == MessageStatus.SENDING
        taken = Message.objects.filter(_claimable(now), pk=message_id).update(
            status=MessageStatus.SENDING,
            attempts=F("attempts") + 1,
            interrupted=F("interrupted") + int(cut_off),
            sending_at=now,
            claimed_until=now + dt.timedelta(seconds=lease_seconds()),
            claim=token,
            next_attempt_at=None,
        )
        if not taken:
            return None
    since = (current["sending_at"] or now) if cut_off else None
    return Message.objects.get(pk=message_id), token, since


def _outgoing(message: Message) -> Outgoing:
    """What the provider gets: the text rendered with the secrets unsealed. Raises DeliveryError
    (permanent) when a secret is no longer there to send."""
    template = get_template(message.template)
    try:
        values = {**message.context, **sealing.unseal(message.sealed)}
    except sealing.Unsealable:
        raise DeliveryError("the sealed code cannot be opened (SECRET_KEY changed?)", transient=False) from None
    if any(values.get(key) == MASK for key in template.secret):
        raise DeliveryError("the message's code is no longer kept", transient=False)
    subject, body = template.render(values, message.language)
    return Outgoing(
        message.pk,
        message.address,
        subject,
        body,
        message.language,
        key=message_key(message.pk),
        masked_subject=message.subject,
        masked_body=message.body,
        headers=template.render_headers(values),
    )


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> Message | None:
    """One delivery attempt (the `deliver_message` task). Returns the message, or None when it was
    not waiting to be sent (already sent, being sent by a live attempt, or gone).

    Each message is sent once, also when a worker dies mid-attempt (SIGKILL, power loss):
    1. The attempt claims the message with a lease (`_claim`) and commits before calling the provider.
    2. The provider gets the message's idempotency key (`message_key`: Eskiz's user_sms_id, the
       e-mail's Message-ID, the spool file's name).
    3. The outcome is recorded at once, by the attempt holding the claim's token only.
    An attempt cut off before 3 leaves the message claimed; once the lease has run out the next
    attempt (a task run again by `darcha.core.scheduler.tasks_reclaim`, or enqueued by
    `messages_requeue_due`) takes it over and first asks the provider whether the cut-off attempt
    arrived (`find_sent`: Eskiz's history, the spool file); if it did, that is recorded and nothing is
    sent. A provider that cannot be asked (SMTP, Telegram) gets the message again — with the same
    Message-ID for e-mail — and the message counts the interruption (`interrupted`).
    """
    now = now or timezone.now()
    claimed = _claim(message_id, now)
    if claimed is None:
        return None
    message, token, cut_off_at = claimed
    channel, fell_back = channels.backend_for(message.channel)
    check = None  # how an interrupted attempt was settled: "found", "absent", "unknown"
    try:
        outgoing = _outgoing(message)
        outcome: Sent | DeliveryError | None = None
        if cut_off_at is not None:
            try:
                outcome = channel.find_sent(outgoing, since=cut_off_at)
                check = "found" if outcome is not None else "absent"
            except channels.CannotCheck:
                check = "unknown"
        if outcome is None:
            outcome = channel.send(outgoing)
    except DeliveryError as error:
        outcome = error
    except ValidationError as error:
        outcome = DeliveryError("; ".join(error.messages), transient=False)
    except Exception as error:
        logger.exception("message #%s: %s failed unexpectedly", message.pk, channel.name)
        outcome = DeliveryError(f"{error.__class__.__name__}: {error}"[:500], transient=True)
    return _attempt_record(
        message_id=message.pk,
        token=token,
        backend=channel.name,
        fell_back=fell_back,
        outcome=outcome,
        now=now,
        check=check,
    )


def _attempt_record(
    *, message_id: int, token: str, backend: str, fell_back: bool, outcome, now: dt.datetime, check: str | None
) -> Message | None:
    delays = settings.NOTIFY_RETRY_DELAYS
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().filter(pk=message_id, claim=token, status=MessageStatus.SENDING).first()
        )
        if message is None:
            # This attempt outlived its lease and another took the message over: that one records.
            logger.warning("message #%s: attempt outlived its lease; its outcome is not recorded", message_id)
            return Message.objects.filter(pk=message_id).first()
        message.backend, message.fallback = backend, fell_back
        message.claim, message.claimed_until = "", None
        data = {"attempt": message.attempts, "backend": backend}
        if check is not None:
            data["interrupted"] = check
        if isinstance(outcome, Sent):
            message.status = MessageStatus.DELIVERED if outcome.delivered else MessageStatus.SENT
            message.sent_at = now
            message.delivered_at = now if outcome.delivered else None
            message.provider_id, message.provider_status = outcome.provider_id[:128], outcome.provider_status[:32]
            message.last_error = ""
        elif outcome.transient and message.attempts <= len(delays):
            message.status = MessageStatus.QUEUED
            message.next_attempt_at = now + dt.timedelta(seconds=delays[message.attempts - 1])
            message.last_error = outcome.reason[:2000]
            data["retry_at"] = message.next_attempt_at
        else:
            message.status = MessageStatus.FAILED
            message.failed_at = now
            message.last_error = outcome.reason[:2000]
        data["status"] = message.status
        if message.last_error:
            data["error"] = message.last_error[:200]
        if message.status in FINAL_STATUSES:
            _scrub(message)
        message.save()
        audit_record(actor=SYSTEM, action="message_attempt", obj=message, data=data)
        if message.status == MessageStatus.QUEUED:
            retry_at = message.next_attempt_at
            transaction.on_commit(lambda: _enqueue_delivery(message_id, run_after=retry_at))
        elif message.status == MessageStatus.SENT and backend == channels.EskizSmsChannel.name:
            delay = settings.NOTIFY_ESKIZ_STATUS_CHECK_DELAY
            if delay > 0:
                transaction.on_commit(lambda: _enqueue_status_check(message_id, now + dt.timedelta(seconds=delay)))
    return message


def _enqueue_status_check(message_id: int, run_after: dt.datetime) -> None:
    from .tasks import check_message_status

    _enqueue(check_message_status, message_id, run_after=run_after)


def message_provider_status(
    *, actor, backend: str, provider_id: str, status: str, now: dt.datetime | None = None
) -> Message | None:
    """Apply a provider's delivery report (callback or status check) to the message it names."""
    now = now or timezone.now()
    status = str(status or "").strip().upper()[:32]
    if not provider_id or not status:
        return None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(backend=backend, provider_id=provider_id).first()
        if message is None or message.status not in (MessageStatus.SENT, MessageStatus.DELIVERED):
            return message
        if message.provider_status == status:
            return message
        before = message.status
        message.provider_status = status
        if status in channels.eskiz.DELIVERED:
            message.status = MessageStatus.DELIVERED
            message.delivered_at = message.delivered_at or now
        elif status in channels.eskiz.UNDELIVERABLE and message.status != MessageStatus.DELIVERED:
            message.status = MessageStatus.FAILED
            message.failed_at = now
            message.last_error = _("The provider reports the message undelivered: %(status)s") % {"status": status}
        message.save()
        audit_record(
            actor=actor,
            action="message_provider_status",
            obj=message,
            data={"provider_status": status, "status": [before, message.status]},
        )
    return message


def message_check_status(*, message_id: int) -> Message | None:
    """Ask the provider how a sent message fared (the `check_message_status` task)."""
    message = Message.objects.filter(pk=message_id, status=MessageStatus.SENT).exclude(provider_id="").first()
    if message is None or message.backend != channels.EskizSmsChannel.name:
        return message
    try:
        status = channels.EskizSmsChannel().delivery_status(message.provider_id)
    except DeliveryError as error:
        logger.warning("message #%s: status check failed: %s", message_id, error.reason)
        return message
    return message_provider_status(
        actor=SYSTEM, backend=message.backend, provider_id=message.provider_id, status=status
    )


def message_retry(*, actor, message: Message) -> Message:
    """Send a failed message again (an administrator's action). A one-time code is not sent again
    (the person asks for a new one); another secret (an access code) is, from its seal."""
    if message.status != MessageStatus.FAILED:
        raise ValidationError(_("Only a failed message can be sent again."), code="message_state")
    template = get_template(message.template)
    if template.one_time:
        raise ValidationError(
            _("This message held a one-time code and cannot be sent again; a new code must be requested."),
            code="message_secret",
        )
    if template.secret and not message.sealed and any(message.context.get(key) == MASK for key in template.secret):
        raise ValidationError(
            _("The code this message held is no longer kept, so it cannot be sent again."), code="message_secret"
        )
    with transaction.atomic():
        message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, None
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(actor=actor, action="message_retry", obj=message)
        transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def messages_requeue_due(*, actor=SYSTEM, now: dt.datetime | None = None) -> int:
    """The safety net, run periodically: enqueue messages whose retry is due, whose task was lost, or
    whose attempt's lease ran out (its worker stopped: the next attempt takes it over, see
    message_deliver). Returns how many were enqueued. Nothing changes state here, so `actor` is unused."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=lease_seconds())
    due = Message.objects.filter(
        Q(status=MessageStatus.QUEUED)
        & (Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - dt.timedelta(seconds=60)))
        | Q(status=MessageStatus.SENDING)
        & (Q(claimed_until__lt=now) | Q(claimed_until__isnull=True, sending_at__lt=stale))
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:1000])
    for message_id in ids:
        _enqueue_delivery(message_id)
    return len(ids)


def messages_requeue_due_job(now: dt.datetime) -> int:
    """`messages_requeue_due` as a scheduler job (darcha.core.scheduler: a callable taking `now`)."""
    return messages_requeue_due(actor=SYSTEM, now=now)


# --- Channel preferences -------------------------------------------------------------------------


def channel_preference_set(
    *, actor, phone: str, channel: str, telegram_chat: str = "", email: str = ""
) -> ChannelPreference:
    channel = _clean_channel(channel)
    phone = validate_phone(phone)
    preference = ChannelPreference.objects.filter(phone=phone).first() or ChannelPreference(phone=phone)
    creating = preference.pk is None
    preference.channel = channel
    preference.telegram_chat = telegram_chat or preference.telegram_chat
    preference.email = email or preference.email
    preference.full_clean()
    with transaction.atomic():
        preference.save()
        audit_record(
            actor=actor,
            action="channel_preference_set",
            obj=preference,
            data={"channel": channel, "created": creating},
        )
    return preference


# --- Phone confirmation codes -------------------------------------------------------------------


def _clean_purpose(purpose: str) -> str:
    purpose = str(purpose or "").strip().lower()
    if not _PURPOSE.match(purpose):
        raise ValidationError(_("Unknown confirmation purpose."), code="otp_purpose")
    return purpose


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return salted_hmac("darcha.notify.otp", f"{phone}|{purpose}|{code}", algorithm="sha256").hexdigest()


def _lock_phone(phone: str) -> None:
    """Serialise code requests for one phone, so concurrent requests count each other."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"notify.otp:{phone}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    # SQLite runs every transaction IMMEDIATE (settings), which already serialises writers.


def otp_send(*, actor, phone: str, purpose: str, language: str = "uz", now: dt.datetime | None = None) -> None:
    """Send a new one-time code by SMS to confirm `phone` for `purpose` ("booking", "application")."""
    phone = validate_phone(phone)
    purpose = _clean_purpose(purpose)
    language = _clean_language(language)
    now = now or timezone.now()
    window = dt.timedelta(seconds=settings.NOTIFY_OTP_SEND_WINDOW)
    with transaction.atomic():
        _lock_phone(phone)
        recent = list(
            PhoneCode.objects.filter(phone=phone, created_at__gt=now - window)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(recent) >= settings.NOTIFY_OTP_MAX_SENDS:
            wait = recent[len(recent) - settings.NOTIFY_OTP_MAX_SENDS] + window - now
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise ValidationError(
                ngettext(
                    "Too many codes were sent to this number. Try again in %(minutes)d minute.",
                    "Too many codes were sent to this number. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="otp_rate",
            )
        PhoneCode.objects.filter(phone=phone, purpose=purpose, status=CodeStatus.PENDING).update(
            status=CodeStatus.SUPERSEDED
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        phone_code = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone, purpose, code),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.NOTIFY_OTP_TTL),
        )
        audit_record(actor=actor, action="otp_send", obj=phone_code, data={"purpose": purpose})
        phone_code.message = message_send(
            actor=actor,
            channel=Channel.SMS,
            address=phone,
            template="otp",
            context={"code": code, "minutes": max(1, settings.NOTIFY_OTP_TTL // 60)},
            language=language,
            related=phone_code,
        )
        phone_code.save(update_fields=["message"])


def otp_verify(*, actor, phone: str, purpose: str, code: str, now: dt.datetime | None = None) -> bool:
    """True, and the code is used up, when `code` is the latest one sent to `phone` for `purpose`.

    Otherwise a ValidationError says why, with a stable code: `otp_missing` (none waiting, or used),
    `otp_expired`, `otp_attempts` (too many wrong entries) or `otp_wrong`. A wrong entry is counted
    in its own transaction before the error is raised — so call this before, not inside, the
    caller's transaction.atomic(): an outer rollback would forget the count.
    """
    phone = validate_phone(phone)
    purpose = _clean_purpose(purpose)
    now = now or timezone.now()
    code = re.sub(r"\s", "", str(code or ""))
    limit = settings.NOTIFY_OTP_MAX_ATTEMPTS
    error = None
    with transaction.atomic():
        pending = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, status=CodeStatus.PENDING)
            .order_by("-created_at", "-id")
            .first()
        )
        if pending is None:
            error = ValidationError(_("No code is waiting for this number. Request a new code."), code="otp_missing")
        elif pending.expires_at <= now:
            error = ValidationError(_("The code has expired. Request a new code."), code="otp_expired")
        elif pending.attempts >= limit:
            error = ValidationError(_("Too many wrong attempts. Request a new code."), code="otp_attempts")
        elif not constant_time_compare(_code_hash(phone, purpose, code), pending.code_hash):
            pending.attempts += 1
            pending.save(update_fields=["attempts"])
            audit_record(actor=actor, action="otp_wrong", obj=pending, data={"attempts": pending.attempts})
            left = limit - pending.attempts
            if left > 0:
                message = ngettext(
                    "The code is wrong. %(left)d attempt left.", "The code is wrong. %(left)d attempts left.", left
                ) % {"left": left}
                error = ValidationError(message, code="otp_wrong")
            else:
                error = ValidationError(_("Too many wrong attempts. Request a new code."), code="otp_attempts")
        else:
            pending.status, pending.confirmed_at = CodeStatus.CONFIRMED, now
            pending.save(update_fields=["status", "confirmed_at"])
            audit_record(actor=actor, action="otp_confirm", obj=pending, data={"purpose": purpose})
    # Raised after the commit, so the counted attempt stays counted.
    if error is not None:
        raise error
    return True
