"""The preschool app's fixed vocabularies: kinds of kindergarten, age groups, regimes, states, refusals."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class KindergartenKind(models.TextChoices):
    # In context: the plain msgid "State" is a status elsewhere (Holat, Состояние).
    STATE = "state", pgettext_lazy("kindergarten kind", "State")
    PPP = "ppp", _("Public–private partnership")
    FAMILY = "family", _("Family")
    PRIVATE = "private", _("Private")


class LocationClass(models.TextChoices):
    """The five classes of place that the fee table (Cabinet resolution 246 of 29 April 2024) is set by."""

    TASHKENT = "tashkent", _("Tashkent city")
    REGIONAL_CENTRE = "regional_centre", _("Regional centre")
    CITY = "city", _("City")
    DISTRICT_CENTRE = "district_centre", _("District centre")
    OTHER = "other", _("Other place")


class Regime(models.TextChoices):
    """Hours a day a group stays."""

    SHORT = "4-5", _("4–5 hours")
    H9 = "9", _("9 hours")
    H10 = "10.5", _("10.5 hours")
    H12 = "12", _("12 hours")
    H24 = "24", _("24 hours")


class AgeGroup(models.TextChoices):
    """Age groups (law on preschool education, art. 34), by full years on the campaign's reference date."""

    EARLY = "1-3", _("1–3 years (early age)")
    G3 = "3-4", _("3–4 years")
    G4 = "4-5", _("4–5 years")
    G5 = "5-6", _("5–6 years")
    PREPARATORY = "6-7", _("6–7 years (preparatory)")


# Full years on the reference date that each group takes: [lowest, highest).
AGE_GROUP_YEARS: dict[str, tuple[int, int]] = {
    AgeGroup.EARLY: (1, 3),
    AgeGroup.G3: (3, 4),
    AgeGroup.G4: (4, 5),
    AgeGroup.G5: (5, 6),
    AgeGroup.PREPARATORY: (6, 7),
}
AGE_GROUP_ORDER = tuple(AGE_GROUP_YEARS)


class TeachingLanguage(models.TextChoices):
    UZ = "uz", _("Uzbek")
    RU = "ru", _("Russian")


class Relation(models.TextChoices):
    """Who applies for the child."""

    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other adult")


class Channel(models.TextChoices):
    FRONT_OFFICE = "front_office", _("At the center")
    ONLINE = "online", _("Online")
    BIRTH_REGISTRATION = "birth_registration", _("Birth registration")


class EnrollmentStatus(models.TextChoices):
    """Where a child stands: waiting (perhaps holding an offered referral), enrolled, or out of the queue."""

    WAITING = "waiting", _("In the queue")
    OFFERED = "offered", _("Referral issued")
    ENROLLED = "enrolled", _("Attends the kindergarten")
    LEFT = "left", _("Left the queue")


class BenefitStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed, evidence to check")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("No longer held")


class PlacementStatus(models.TextChoices):
    """A referral (yo'llanma): offered, taken up (the child enrolled), lapsed, declined or withdrawn;
    an enrolled child who leaves the kindergarten frees the seat (left)."""

    OFFERED = "offered", _("Offered")
    ENROLLED = "enrolled", _("Enrolled")
    LAPSED = "lapsed", _("Lapsed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LEFT = "left", _("Left the kindergarten")


# A seat is held by a referral in these states.
SEAT_HOLDING = (PlacementStatus.OFFERED, PlacementStatus.ENROLLED)


class CampaignKind(models.TextChoices):
    MAIN = "main", _("Main campaign")
    CONTINUOUS = "continuous", _("Continuous allocation")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EventKind(models.TextChoices):
    """The family's history of the application."""

    REGISTERED = "registered", _("Registered in the queue")
    EDITED = "edited", _("Details changed")
    PREFERENCES = "preferences", _("Choice of kindergartens changed")
    BENEFIT = "benefit", _("Privilege")
    POSITION = "position", _("Position changed")
    AGE_GROUP = "age_group", _("Moved to the next age group")
    OFFERED = "offered", _("Referral issued")
    REMINDED = "reminded", _("Reminder sent")
    PAUSED = "paused", _("Referral paused")
    RESUMED = "resumed", _("Referral resumed")
    LAPSED = "lapsed", _("Referral lapsed")
    DECLINED = "declined", _("Referral declined")
    ENROLLED = "enrolled", _("Enrolled")
    LEFT_KINDERGARTEN = "left_kindergarten", _("Left the kindergarten")
    LEFT_QUEUE = "left_queue", _("Left the queue")


class PreschoolRefusal(enum.StrEnum):
    """Stable codes of the preschool app's refusals (`core.errors.Refused`)."""

    AGE = "age"
    NOT_IN_DISTRICT = "not_in_district"
    TOO_MANY_CHOICES = "too_many_choices"
    DUPLICATE_CHILD = "duplicate_child"
    EVIDENCE_MISSING = "evidence_missing"
    APPLICATION_CLOSED = "application_closed"
    REFERRAL_NOT_OFFERED = "referral_not_offered"
    REFERRAL_CODE = "referral_code"
    REFERRAL_EXPIRED = "referral_expired"
    REFERRAL_USED = "referral_used"
    NO_SEAT = "no_seat"
    SEATS_BELOW_HELD = "seats_below_held"
    CAMPAIGN_STATE = "campaign_state"
    CAMPAIGN_RUNNING = "campaign_running"
    ALREADY_PAUSED = "already_paused"
    NOT_PAUSED = "not_paused"
    KINDERGARTEN_CLOSED = "kindergarten_closed"
    BENEFIT_DECIDED = "benefit_decided"
    TRACKING_LOCKED = "tracking_locked"
    TOO_MANY_LOOKUPS = "too_many_lookups"
