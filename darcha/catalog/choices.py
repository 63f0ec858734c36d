from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuals")
    LEGAL_ENTITY = "legal_entity", _("Legal entities")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_DOCUMENTS = "request_documents", _("Request documents from the citizen")
    SUPPLEMENT = "supplement", _("Citizen supplied the documents")
    RETURN = "return", _("Return to an earlier step")
    FORWARD = "forward", _("Forward")


class Effect(models.TextChoices):
    REQUEST_PAYMENT = "request_payment", _("Request payment")
    ISSUE_DOCUMENT = "issue_document", _("Issue the result document")
    NOTIFY_CITIZEN = "notify_citizen", _("Notify the citizen")
    WAIT_CITIZEN = "wait_citizen", _("Wait for the citizen (clock stops)")


class Outcome(models.TextChoices):
    ISSUED = "issued", _("Result issued")
    REFUSED = "refused", _("Refused")


class FieldKind(models.TextChoices):
    """What a step's output field holds (what the clerk types, what the result prints)."""

    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice from a list")
