"""The kinds and states of a publication."""

import enum

from django.db import models
from django.utils.translation import pgettext_lazy


class PublicationKind(models.TextChoices):
    NEWS = "news", pgettext_lazy("publication kind", "News")
    ANNOUNCEMENT = "announcement", pgettext_lazy("publication kind", "Announcement")
    DECISION = "decision", pgettext_lazy("publication kind", "Decision")
    PRESS_RELEASE = "press_release", pgettext_lazy("publication kind", "Press release")
    EVENT = "event", pgettext_lazy("publication kind", "Event")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("publication status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("publication status", "In review")
    SCHEDULED = "scheduled", pgettext_lazy("publication status", "Scheduled")
    PUBLISHED = "published", pgettext_lazy("publication status", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("publication status", "Withdrawn")


# States in which the editor may still change the text freely (a published item may be corrected too,
# every change is audited; a withdrawn one is only read).
EDITABLE_STATUSES = (
    PublicationStatus.DRAFT,
    PublicationStatus.IN_REVIEW,
    PublicationStatus.SCHEDULED,
    PublicationStatus.PUBLISHED,
)


class PublicationRefusal(enum.StrEnum):
    FORBIDDEN = "forbidden"
    STATE = "state"
    NOT_READY = "not_ready"
    DEFAULT_LANGUAGE = "default_language"
    PAST = "past"
