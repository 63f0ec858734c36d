"""Survey choices: kinds of question, how a respondent is counted once, the lifecycle, refusal codes."""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale from 1 to 5")
    TEXT = "text", _("Free text")
    MATRIX = "matrix", _("Matrix (rows × one choice each)")


# Kinds answered by picking options (and so usable as the condition of a later question).
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
OPTION_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.MATRIX})
SCALE_MIN, SCALE_MAX = 1, 5


class Identity(models.TextChoices):
    """How one respondent answers only once."""

    PHONE = "phone", _("Confirmed phone (SMS code); the phone is kept with the answers")
    ANONYMOUS = "anonymous", _("Anonymous: phone confirmed by SMS, only a keyed hash of it is kept")
    ACCOUNT = "account", _("Signed-in account")


class SurveyState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("survey", "Scheduled")
    OPEN = "open", pgettext_lazy("survey", "Open")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


# The states a public survey is in (a draft is never public).
PUBLIC_STATES = [(value, label) for value, label in SurveyState.choices if value != SurveyState.DRAFT]


class SurveyRefusal(enum.StrEnum):
    FORBIDDEN = "survey_forbidden"
    LOCKED = "survey_locked"  # the questions cannot change once answers exist
    NOT_DRAFT = "survey_not_draft"
    NO_QUESTIONS = "survey_no_questions"
    NOT_OPEN = "survey_not_open"
    CLOSED = "survey_closed"
    NOT_STARTED = "survey_not_started"
    ALREADY_ANSWERED = "survey_already_answered"
    IDENTITY = "survey_identity"  # the respondent is not identified as the survey asks
    NOT_CLOSABLE = "survey_not_closable"
