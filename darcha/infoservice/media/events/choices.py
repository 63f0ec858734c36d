"""Vocabularies of press events and embargoed press releases, and their refusal codes."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PressEventKind(models.TextChoices):
    PRESS_CONFERENCE = "press_conference", _("Press conference")
    BRIEFING = "briefing", _("Briefing")


class PressEventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("press event", "Draft")
    ANNOUNCED = "announced", pgettext_lazy("press event", "Announced")
    HELD = "held", pgettext_lazy("press event", "Held")
    CANCELLED = "cancelled", pgettext_lazy("press event", "Cancelled")


# Shown to the public (a draft never is).
PUBLIC_STATUSES = (PressEventStatus.ANNOUNCED, PressEventStatus.HELD, PressEventStatus.CANCELLED)


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("press event registration", "Registered")
    CANCELLED = "cancelled", pgettext_lazy("press event registration", "Cancelled")


class DispatchStatus(models.TextChoices):
    """An embargoed press release as sent to the accredited journalists."""

    UNDER_EMBARGO = "under_embargo", _("Under embargo")
    LIFTED = "lifted", _("Embargo lifted: published")
    WITHDRAWN = "withdrawn", _("Withdrawn before the embargo lifted")


class EventsRefusal(enum.StrEnum):
    """Stable codes of the press events' and embargoed releases' refusals (`core.errors.Refused`)."""

    STATE = "press_event_state"
    NOT_HOKIMIYAT = "press_event_not_hokimiyat"
    IN_PAST = "press_event_in_past"
    NOT_STARTED = "press_event_not_started"
    NOT_ACCREDITED = "press_event_not_accredited"
    ALREADY_REGISTERED = "press_event_already_registered"
    NOT_REGISTERED = "press_event_not_registered"
    FULL = "press_event_full"
    REGISTRATION_CLOSED = "press_event_registration_closed"
    WRONG_PUBLICATION = "press_event_wrong_publication"
    NOT_EMBARGOED = "press_release_not_embargoed"
    EMBARGO_PASSED = "press_release_embargo_passed"
    NO_DEFAULT_TEXT = "press_release_no_default_text"
