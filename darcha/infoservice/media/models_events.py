"""Press events (press conferences and briefings) and embargoed press releases sent to accredited
journalists. Imported at the end of `media.models`, so these are models of the media app.

    PressEvent              a hokimiyat's press conference or briefing: what, when, where; announced
                            (public, invitations sent), held (its start passed), or cancelled
    PressEventMaterial      what is published after it: a file (PDF, JPEG, PNG) or a link (a recording)
    PressEventInvitation    an accredited journalist invited, by which channels
    PressEventRegistration  a journalist who registered to come (from their account)
    EmbargoDispatch         an embargoed press release (a publications.Publication) sent to the
                            accredited journalists ahead of its publication, and what became of it
    EmbargoRecipient        one journalist it was sent to, with the embargo time they were last told
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from darcha.core.i18n import Translated, translated_fields

from .events.choices import DispatchStatus, PressEventKind, PressEventStatus, RegistrationStatus


class PressEvent(models.Model):
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="press_events", verbose_name=_("hokimiyat")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PressEventKind.choices)
    status = models.CharField(
        _("state"), max_length=12, choices=PressEventStatus.choices, default=PressEventStatus.DRAFT, db_index=True
    )
    locals().update(translated_fields("title", max_length=255))
    locals().update(translated_fields("place", max_length=255))
    locals().update(translated_fields("description", models.TextField, required=()))
    locals().update(translated_fields("speakers", max_length=500, required=()))
    title = Translated("title")
    place = Translated("place")
    description = Translated("description")
    speakers = Translated("speakers")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=60)
    seats = models.PositiveSmallIntegerField(
        _("seats for journalists"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    publications = models.ManyToManyField(
        "publications.Publication", blank=True, related_name="press_events", verbose_name=_("publications")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    held_at = models.DateTimeField(_("marked held"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason of the cancellation"), max_length=500, blank=True, default="")
    materials_published_at = models.DateTimeField(_("materials published"), null=True, blank=True)

    class Meta:
        verbose_name = _("press event")
        verbose_name_plural = _("press events")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status", "starts_at"], name="press_event_org_idx")]

    def __str__(self) -> str:
        return f"{self.title_uz} ({self.starts_at:%Y-%m-%d})" if self.starts_at else self.title_uz

    def get_absolute_url(self) -> str:
        return reverse("media:event", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_public(self) -> bool:
        return self.status != PressEventStatus.DRAFT


class PressEventMaterial(models.Model):
    event = models.ForeignKey(PressEvent, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="media/events/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=40, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    url = models.URLField(_("link"), max_length=500, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        verbose_name = _("press event material")
        verbose_name_plural = _("press event materials")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(file="") & models.Q(url="")) | (models.Q(file="") & ~models.Q(url="")),
                name="press_material_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_organization_id(self):
        return self.event.organization_id

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class PressEventInvitation(models.Model):
    event = models.ForeignKey(PressEvent, on_delete=models.CASCADE, related_name="invitations")
    journalist = models.ForeignKey("media.Journalist", on_delete=models.CASCADE, related_name="press_invitations")
    channels = models.CharField(_("sent by"), max_length=60, blank=True, default="")  # "email,telegram"
    invited_at = models.DateTimeField(_("invited"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["event", "journalist"], name="press_invitation_once")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.journalist_id}"

    @property
    def audit_organization_id(self):
        return self.event.organization_id


class PressEventRegistration(models.Model):
    event = models.ForeignKey(PressEvent, on_delete=models.CASCADE, related_name="registrations")
    journalist = models.ForeignKey("media.Journalist", on_delete=models.CASCADE, related_name="press_registrations")
    status = models.CharField(
        _("state"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    companions = models.PositiveSmallIntegerField(_("camera operators and photographers with you"), default=0)
    note = models.CharField(_("note to the press service"), max_length=300, blank=True, default="")
    registered_at = models.DateTimeField(_("registered"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("press event registration")
        verbose_name_plural = _("press event registrations")
        constraints = [models.UniqueConstraint(fields=["event", "journalist"], name="press_registration_once")]

    def __str__(self) -> str:
        return f"{self.event_id} ← {self.journalist_id}"

    @property
    def audit_organization_id(self):
        return self.event.organization_id

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.REGISTERED


class EmbargoDispatch(models.Model):
    publication = models.OneToOneField(
        "publications.Publication", on_delete=models.CASCADE, related_name="embargo_dispatch"
    )
    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("state"), max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.UNDER_EMBARGO
    )
    embargo_until = models.DateTimeField(_("embargo until"))
    sent_at = models.DateTimeField(_("sent"))
    sent_by_label = models.CharField(max_length=150, blank=True, default="")
    recipients_count = models.PositiveIntegerField(_("journalists"), default=0)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("embargoed press release")
        verbose_name_plural = _("embargoed press releases")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["status", "embargo_until"], name="embargo_status_idx")]

    def __str__(self) -> str:
        return f"{self.publication_id} ({self.get_status_display()})"


class EmbargoRecipient(models.Model):
    dispatch = models.ForeignKey(EmbargoDispatch, on_delete=models.CASCADE, related_name="recipients")
    journalist = models.ForeignKey("media.Journalist", on_delete=models.CASCADE, related_name="embargoed_releases")
    channels = models.CharField(max_length=60, blank=True, default="")
    sent_at = models.DateTimeField()
    told_until = models.DateTimeField()  # the embargo time in the last notice this journalist got

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["dispatch", "journalist"], name="embargo_recipient_once")]

    def __str__(self) -> str:
        return f"{self.dispatch_id} → {self.journalist_id}"

    @property
    def audit_organization_id(self):
        return self.dispatch.organization_id
