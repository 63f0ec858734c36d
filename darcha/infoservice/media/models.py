"""The media part's models.

    Outlet              a mass-media outlet in the registry: name, kind, registration certificate, contacts
    Journalist          a journalist's account (a user who signed up at /press/join/), their outlet and position
    Accreditation       an application for accreditation at a hokimiyat (Cabinet resolution 243) with its
                        documents, and what the accreditation commission decided: in force from/until, the
                        card's verification code; suspended, revoked or expired later
    AccreditationEvent  each step of an accreditation, with who took it and why
    PressRequest        a media request or a request for information a journalist filed: an appeal
                        (infoservice.Appeal) of kind MEDIA or INFORMATION, kept in their account

The press events and embargoed releases (`models_events`) are imported at the end.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AccreditationAction, AccreditationStatus, CorrespondentKind, OutletKind

UPLOAD_TO = "media/accreditation/%Y/%m/"


class Outlet(models.Model):
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=12, choices=OutletKind.choices, db_index=True)
    registration_number = models.CharField(_("registration certificate number"), max_length=64, blank=True, default="")
    registration_date = models.DateField(_("registration certificate date"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True, default="")
    address = models.CharField(_("address"), max_length=255, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("media outlet")
        verbose_name_plural = _("media outlets")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_foreign(self) -> bool:
        return self.kind == OutletKind.FOREIGN


class Journalist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journalist", verbose_name=_("account")
    )
    full_name = models.CharField(_("full name"), max_length=255, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journalists",
        verbose_name=_("media outlet"),
    )
    position = models.CharField(_("position"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        verbose_name = _("journalist")
        verbose_name_plural = _("journalists")
        ordering = ["full_name", "pk"]

    def __str__(self) -> str:
        return self.full_name or self.user.get_full_name() or self.user.get_username()

    @property
    def name(self) -> str:
        return str(self)


class Accreditation(models.Model):
    journalist = models.ForeignKey(
        Journalist, on_delete=models.CASCADE, related_name="accreditations", verbose_name=_("journalist")
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="accreditations", verbose_name=_("media outlet")
    )
    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="accreditations", verbose_name=_("hokimiyat")
    )
    status = models.CharField(
        _("state"),
        max_length=12,
        choices=AccreditationStatus.choices,
        default=AccreditationStatus.SUBMITTED,
        db_index=True,
    )
    position = models.CharField(_("position"), max_length=255, blank=True, default="")
    specialisation = models.CharField(_("specialisation"), max_length=255, blank=True, default="")
    area = models.CharField(_("area covered"), max_length=255, blank=True, default="")
    correspondent = models.CharField(
        _("correspondent"), max_length=12, choices=CorrespondentKind.choices, blank=True, default=""
    )
    equipment = models.CharField(_("equipment"), max_length=500, blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=16, blank=True, default="")
    contact_email = models.EmailField(_("contact e-mail"), blank=True, default="")
    temporary = models.BooleanField(_("temporary (foreign media)"), default=False)
    requested_from = models.DateField(_("from (requested)"), null=True, blank=True)
    requested_until = models.DateField(_("until (requested)"), null=True, blank=True)
    letter = models.FileField(_("letter on the outlet's letterhead"), upload_to=UPLOAD_TO, blank=True)
    passport = models.FileField(_("passport"), upload_to=UPLOAD_TO, blank=True)
    diploma = models.FileField(_("diploma"), upload_to=UPLOAD_TO, blank=True)
    photo = models.FileField(_("photo"), upload_to=UPLOAD_TO, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    card_code = models.CharField(_("card code"), max_length=16, unique=True, null=True, blank=True)
    renewal_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals", verbose_name=_("renews")
    )
    reminded_at = models.DateTimeField(_("renewal reminder sent"), null=True, blank=True)
    changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status", "valid_until"], name="accreditation_org_idx"),
            models.Index(fields=["outlet", "organization", "status"], name="accreditation_quota_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["journalist", "organization"],
                condition=models.Q(status="submitted"),
                name="accreditation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journalist} · {self.organization_id} · {self.status}"

    @property
    def audit_organization_id(self):
        return self.organization_id

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.status == AccreditationStatus.APPROVED
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def document(self, kind: str):
        return getattr(self, kind)


class AccreditationEvent(models.Model):
    accreditation = models.ForeignKey(Accreditation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=AccreditationAction.choices)
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True, default="")
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("accreditation step")
        verbose_name_plural = _("accreditation steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.accreditation_id} {self.action}"

    @property
    def audit_organization_id(self):
        return self.accreditation.organization_id


class PressRequest(models.Model):
    journalist = models.ForeignKey(
        Journalist, on_delete=models.PROTECT, related_name="press_requests", verbose_name=_("journalist")
    )
    appeal = models.OneToOneField(
        "infoservice.Appeal", on_delete=models.PROTECT, related_name="press_request", verbose_name=_("request")
    )
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("press request")
        verbose_name_plural = _("press requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.journalist_id} → {self.appeal_id}"

    @property
    def audit_organization_id(self):
        return self.appeal.organization_id


from .models_events import (  # noqa: E402,F401 - the press events are models of this app
    EmbargoDispatch,
    EmbargoRecipient,
    PressEvent,
    PressEventInvitation,
    PressEventMaterial,
    PressEventRegistration,
)
