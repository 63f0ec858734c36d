"""Subscriptions to an organization's publications (or every hokimiyat's), by kind: e-mail with double
opt-in and one-click unsubscribe, and Telegram chats of the citizens' bot; each immediate or a daily
digest. What was sent to whom is a SubscriptionDelivery pointing at the notify app's Message (its status).

A subscriber's data is only for the purpose: the address, the choice and the language; an unsubscribed
address is deleted with its deliveries, an unconfirmed one after SUBSCRIPTIONS_PENDING_DAYS. Imported at the
end of models.py, so these are models of the `publications` app."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.models import Organization

from .models_disclosures import validate_kinds


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", pgettext_lazy("subscription frequency", "At once")
    DAILY = "daily", pgettext_lazy("subscription frequency", "Daily digest")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("subscription status", "Waiting for confirmation")
    ACTIVE = "active", pgettext_lazy("subscription status", "Active")


class SubscriptionBase(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every hokimiyat."),
    )
    kinds = models.JSONField(
        _("kinds of publication"),
        default=list,
        blank=True,
        validators=[validate_kinds],
        help_text=_("Empty: every kind."),
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="uz")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Publications out before this are not sent (the subscription started, or its digest went, then).
    since = models.DateTimeField(_("sending from"), default=timezone.now)
    last_digest_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        abstract = True

    def wants(self, publication) -> bool:
        return (self.organization_id is None or self.organization_id == publication.organization_id) and (
            not self.kinds or publication.kind in self.kinds
        )


class EmailSubscription(SubscriptionBase):
    email = models.EmailField(_("e-mail"))
    status = models.CharField(
        _("status"), max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    confirm_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail subscription")
        verbose_name_plural = _("e-mail subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organization"],
                condition=Q(organization__isnull=False),
                name="email_subscription_unique",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(organization__isnull=True), name="email_subscription_all_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "frequency"], name="email_subscription_due")]

    def __str__(self) -> str:
        name, _at, domain = self.email.partition("@")
        return f"{name[:2]}…@{domain}"


class ChatSubscription(SubscriptionBase):
    chat_id = models.CharField(_("Telegram chat id"), max_length=24)

    class Meta:
        verbose_name = _("Telegram subscription")
        verbose_name_plural = _("Telegram subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat_id", "organization"],
                condition=Q(organization__isnull=False),
                name="chat_subscription_unique",
            ),
            models.UniqueConstraint(
                fields=["chat_id"], condition=Q(organization__isnull=True), name="chat_subscription_all_unique"
            ),
        ]
        indexes = [models.Index(fields=["frequency"], name="chat_subscription_due")]

    def __str__(self) -> str:
        return f"chat …{self.chat_id[-4:]}"


class SubscriptionDelivery(models.Model):
    """One publication sent to one subscription (alone or in a digest), with the message that carried it."""

    publication = models.ForeignKey(
        "publications.Publication", verbose_name=_("publication"), on_delete=models.CASCADE, related_name="+"
    )
    email_subscription = models.ForeignKey(
        EmailSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    chat_subscription = models.ForeignKey(
        ChatSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.ForeignKey(
        "notify.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.BooleanField(_("in a digest"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription delivery")
        verbose_name_plural = _("subscription deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "email_subscription"],
                condition=Q(email_subscription__isnull=False),
                name="delivery_email_unique",
            ),
            models.UniqueConstraint(
                fields=["publication", "chat_subscription"],
                condition=Q(chat_subscription__isnull=False),
                name="delivery_chat_unique",
            ),
            models.CheckConstraint(
                condition=Q(email_subscription__isnull=False, chat_subscription__isnull=True)
                | Q(email_subscription__isnull=True, chat_subscription__isnull=False),
                name="delivery_one_subscription",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} → {self.email_subscription_id or self.chat_subscription_id}"
