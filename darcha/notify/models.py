import re

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from darcha.core.identifiers import format_phone, mask_identifier, validate_phone

from .choices import Channel, CodeStatus, MessageStatus

TELEGRAM_CHAT = re.compile(r"^-?\d{1,20}$")


class Message(models.Model):
    """One notification to one address, from creation to the provider's delivery report.

    `channel` is what was asked for; `backend` is what carried it (e.g. `console` when no SMS
    provider is configured in development — then `fallback` is set). `body` keeps the text with
    its secrets (one-time, access and booking codes) masked, and so does `context`, the values the
    text is rendered from at each attempt; the secrets themselves are in `sealed`, encrypted
    (darcha.notify.sealing), until the message no longer needs them.

    Delivery claims the message with a lease (`claimed_until`) and a token (`claim`): an attempt
    whose worker died is taken over once the lease has run out, and only the attempt holding the
    token may record its outcome (darcha.notify.services.message_deliver).
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    backend = models.CharField(_("sent through"), max_length=16, blank=True, default="")
    fallback = models.BooleanField(
        _("provider not configured"),
        default=False,
        help_text=_("The channel's provider is not configured, so the message was only written to the log."),
    )
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="uz")
    template = models.CharField(_("template"), max_length=64)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(_("subject"), max_length=255, blank=True, default="")
    body = models.TextField(_("text"), blank=True, default="")
    sealed = models.TextField(_("sealed secrets"), blank=True, default="", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=128, blank=True, default="")
    provider_status = models.CharField(_("provider's status"), max_length=32, blank=True, default="")
    # What the message is about (a ticket, an appointment, an application), as the audit log refers to objects.
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sending_at = models.DateTimeField(_("last attempt started at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim = models.CharField(_("claim"), max_length=32, blank=True, default="", editable=False)
    interrupted = models.PositiveSmallIntegerField(
        _("interrupted attempts"),
        default=0,
        help_text=_("Attempts cut off by a worker that stopped; the message was taken over after its lease."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="notify_message_object_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notify_message_due_idx"),
            models.Index(fields=["backend", "provider_id"], name="notify_message_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.template} → {self.get_channel_display()} {self.masked_address}"

    @property
    def masked_address(self) -> str:
        if self.channel == Channel.EMAIL and "@" in self.address:
            name, domain = self.address.split("@", 1)
            return f"{name[:2]}…@{domain}"
        return mask_identifier(self.address, visible=4) if len(self.address) > 8 else self.address


class ChannelPreference(models.Model):
    """How a person (known by phone number) wants to be notified."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    channel = models.CharField(_("preferred channel"), max_length=16, choices=Channel.choices)
    telegram_chat = models.CharField(_("Telegram chat id"), max_length=24, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        ordering = ["phone"]

    def __str__(self) -> str:
        return f"{format_phone(self.phone)}: {self.get_channel_display()}"

    def clean(self) -> None:
        errors = {}
        try:
            self.phone = validate_phone(self.phone)
        except ValidationError as error:
            errors["phone"] = error
        self.telegram_chat = (self.telegram_chat or "").strip()
        if self.telegram_chat and not TELEGRAM_CHAT.match(self.telegram_chat):
            errors["telegram_chat"] = ValidationError(_("A Telegram chat id is a number."), code="telegram_chat")
        if self.email:
            try:
                validate_email(self.email)
            except ValidationError as error:
                errors["email"] = error
        if self.channel == Channel.TELEGRAM and not self.telegram_chat:
            errors.setdefault(
                "telegram_chat", ValidationError(_("Telegram needs the person's chat id."), code="telegram_chat")
            )
        if self.channel == Channel.EMAIL and not self.email:
            errors.setdefault("email", ValidationError(_("E-mail needs an address."), code="email"))
        if errors:
            raise ValidationError(errors)


class PhoneCode(models.Model):
    """A one-time code sent by SMS to confirm a phone number (online booking, online applications).

    Only a keyed hash of the code is stored. A code is valid for NOTIFY_OTP_TTL seconds and
    NOTIFY_OTP_MAX_ATTEMPTS wrong entries; a newer code for the same phone and purpose replaces it.
    """

    phone = models.CharField(_("phone"), max_length=16)
    purpose = models.CharField(_("purpose"), max_length=32)
    code_hash = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=CodeStatus.choices, default=CodeStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    message = models.ForeignKey(
        Message, verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("phone confirmation code")
        verbose_name_plural = _("phone confirmation codes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "created_at"], name="notify_code_phone_idx"),
            models.Index(fields=["phone", "purpose", "status"], name="notify_code_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{mask_identifier(self.phone)} · {self.purpose} · {self.get_status_display()}"
