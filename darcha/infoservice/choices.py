"""The information service's vocabularies: appeals under Law ZRU-445 (forms, types, channels, states,
outcomes), information requests under Law ZRU-369, and the app's refusal codes."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    """An appeal (ZRU-445), or a request for information (ZRU-369): the same workflow, their own terms."""

    APPEAL = "appeal", _("Appeal")
    INFORMATION = "information", _("Request for information")
    MEDIA = "media", _("Media request")


class AppealType(models.TextChoices):
    APPLICATION = "application", _("Application")
    PROPOSAL = "proposal", _("Proposal")
    COMPLAINT = "complaint", _("Complaint")


class AppealForm(models.TextChoices):
    ORAL = "oral", _("Oral")
    WRITTEN = "written", _("Written")
    ELECTRONIC = "electronic", _("Electronic")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    LETTER = "letter", _("Letter or written appeal at the reception")
    RECEPTION = "reception", _("Hokim's reception day")
    HOTLINE = "hotline", _("Hotline")
    VIRTUAL_RECEPTION = "virtual_reception", _("Presidential Virtual Reception")
    PEOPLES_RECEPTION = "peoples_reception", _("People's Reception")
    OPEN311 = "open311", _("Open311 client")
    IMPORT = "import", _("File import")
    TELEGRAM = "telegram", _("Telegram")


# The form each channel's appeals take.
CHANNEL_FORM = {
    Channel.WEB: AppealForm.ELECTRONIC,
    Channel.LETTER: AppealForm.WRITTEN,
    Channel.RECEPTION: AppealForm.ORAL,
    Channel.HOTLINE: AppealForm.ORAL,
    Channel.VIRTUAL_RECEPTION: AppealForm.ELECTRONIC,
    Channel.PEOPLES_RECEPTION: AppealForm.WRITTEN,
    Channel.OPEN311: AppealForm.ELECTRONIC,
    Channel.IMPORT: AppealForm.ELECTRONIC,
    Channel.TELEGRAM: AppealForm.ELECTRONIC,
}


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered, to be routed")
    IN_WORK = "in_work", _("Being considered")
    ON_APPROVAL = "on_approval", _("Answer awaiting approval")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    # "Satisfied" is what the hokimiyat did with the appeal (uz "qanoatlantirildi", ru "удовлетворено"), not
    # what the author felt about the answer (Satisfaction): a context each, so each is translated as meant.
    SATISFIED = "satisfied", pgettext_lazy("appeal outcome", "Satisfied")
    EXPLAINED = "explained", _("Explained")
    REFUSED = "refused", _("Refused")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    RETURNED = "returned", _("Returned to the author")
    NOT_CONSIDERED = "not_considered", _("Not considered")
    TERMINATED = "terminated", _("Consideration terminated")


# Outcomes reached by an answer letter the head approves (the rest close the appeal otherwise).
ANSWER_OUTCOMES = (Outcome.SATISFIED, Outcome.EXPLAINED, Outcome.REFUSED)


class NotConsideredGround(models.TextChoices):
    """Why an appeal is not considered (a conclusion approved by the head is drawn up)."""

    ANONYMOUS = "anonymous", _("No name or residence given")
    FALSE_DATA = "false_data", _("False data about the author")
    UNSIGNED = "unsigned", _("A written appeal without a signature")
    NO_AUTHORITY = "no_authority", _("Filed through a representative without authority")


class TerminationGround(models.TextChoices):
    REPEATED = "repeated", _("A repeated appeal without new arguments")
    WITHDRAWN = "withdrawn", _("Withdrawn by the author")
    DEATH = "death", _("The author's death")


class ExtensionKind(models.TextChoices):
    """How a term is lengthened: to a month for extra study (with the reason), or once by the head."""

    STUDY = "study", _("Extra study, an inspection or documents needed")
    HEAD = "head", _("Extended by the head, exceptionally")


class Satisfaction(models.TextChoices):
    """The author's rating of the answer (their feeling, "qoniqdi"), not the appeal's outcome (Outcome)."""

    SATISFIED = "satisfied", pgettext_lazy("answer rating", "Satisfied with the answer")
    NOT_SATISFIED = "not_satisfied", pgettext_lazy("answer rating", "Not satisfied with the answer")


# The rating form's answers to "Does the answer satisfy you?" (the author speaks: uz "Qoniqdim").
SATISFACTION_ANSWERS = (
    (Satisfaction.SATISFIED.value, pgettext_lazy("answer rating", "Satisfied")),
    (Satisfaction.NOT_SATISFIED.value, pgettext_lazy("answer rating", "Not satisfied")),
)


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("Main executor")
    CO = "co", _("Co-executor")


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned to an executor")
    RESOLUTION = "resolution", _("Resolution")
    EXTENDED = "extended", _("Term extended")
    STUDY_NOTICE = "study_notice", _("The author told more study is needed")
    FORWARDED = "forwarded", _("Forwarded")
    RETURNED = "returned", _("Returned to the author")
    DRAFTED = "drafted", _("Answer drafted")
    SENT_BACK = "sent_back", _("Draft sent back to the executor")
    APPROVED = "approved", _("Answer approved and sent")
    CORRECTED = "corrected", _("Answer corrected")
    NOT_CONSIDERED = "not_considered", _("Conclusion: not considered")
    TERMINATED = "terminated", _("Consideration terminated")
    REMINDED = "reminded", _("Executor reminded")
    OVERDUE = "overdue", _("Overdue: escalated to the head")
    RATED = "rated", _("The author rated the answer")
    CLARIFICATION = "clarification", _("The author asked for a clarification")
    COMPLAINT = "complaint", _("The author complained to a higher body")
    PUBLISHED = "published", _("Published in the archive")


class AppealRefusal(enum.StrEnum):
    """Stable codes of the information service's refusals (`core.errors.Refused`)."""

    STATE = "appeal_state"
    FORWARD_TO_COMPLAINED_BODY = "forward_to_complained_body"
    FORWARD_LATE = "forward_late"
    EXTENSION_LIMIT = "extension_limit"
    SECOND_EXTENSION = "second_extension"
    CORRECTION_LATE = "correction_late"
    CLARIFICATION_LATE = "clarification_late"
    COMPLAINT_LATE = "complaint_late"
    ALREADY_RATED = "already_rated"
    NOT_EXECUTOR = "not_executor"
    NO_CONSENT = "no_consent"
    STUDY_NOTICE_LATE = "study_notice_late"
    NOT_APPROVER = "not_approver"
    DUPLICATE_EXTERNAL = "duplicate_external"
    TRACKING_LOCKED = "tracking_locked"
    TOO_MANY_LOOKUPS = "too_many_lookups"
    ROUTING_TOO_FEW = "routing_too_few"
