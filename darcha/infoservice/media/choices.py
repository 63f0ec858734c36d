"""The media part's choices: outlet kinds, accreditation states and the refusal codes of its services."""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutletKind(models.TextChoices):
    NEWSPAPER = "newspaper", _("Newspaper or magazine")
    TV = "tv", _("TV channel")
    RADIO = "radio", _("Radio station")
    ONLINE = "online", _("Online outlet")
    AGENCY = "agency", _("News agency")
    FOREIGN = "foreign", _("Foreign outlet")


class CorrespondentKind(models.TextChoices):
    STAFF = "staff", _("Staff correspondent")
    FREELANCE = "freelance", _("Freelance correspondent")


class AccreditationStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("accreditation", "Submitted")
    APPROVED = "approved", pgettext_lazy("accreditation", "Accredited")
    REFUSED = "refused", pgettext_lazy("accreditation", "Refused")
    SUSPENDED = "suspended", pgettext_lazy("accreditation", "Suspended")
    REVOKED = "revoked", pgettext_lazy("accreditation", "Revoked")
    EXPIRED = "expired", pgettext_lazy("accreditation", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("accreditation", "Withdrawn by the journalist")


# A journalist has at most one application under consideration per hokimiyat; these are "in force".
OPEN_STATUSES = (AccreditationStatus.SUBMITTED,)
HELD_STATUSES = (AccreditationStatus.APPROVED, AccreditationStatus.SUSPENDED)


class AccreditationAction(models.TextChoices):
    SUBMIT = "submit", _("Application submitted")
    APPROVE = "approve", _("Accredited")
    REFUSE = "refuse", _("Refused")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Suspension lifted")
    REVOKE = "revoke", _("Revoked")
    EXPIRE = "expire", _("Expired")
    WITHDRAW = "withdraw", _("Withdrawn by the journalist")
    REMIND = "remind", _("Renewal reminder sent")


class DocumentKind(models.TextChoices):
    """The documents of Cabinet resolution 243 that come with an application."""

    LETTER = "letter", _("Letter on the outlet's letterhead")
    PASSPORT = "passport", _("Passport")
    DIPLOMA = "diploma", _("Diploma")
    PHOTO = "photo", _("Photo")


class MediaRefusal(enum.StrEnum):
    """Stable codes of the accreditation services' refusals (`core.errors.Refused`)."""

    STATE = "media_state"
    QUOTA = "media_quota"
    DUPLICATE = "media_duplicate"
    OUTLET = "media_outlet"
    DATES = "media_dates"
    ALREADY_JOURNALIST = "media_already_journalist"
    NOT_ACCREDITED = "media_not_accredited"
