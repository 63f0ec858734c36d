import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    FRONT_OFFICE = "front_office", _("At the center")
    ONLINE = "online", _("Online")
    API = "api", _("Through the API")


class ApplicationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the applicant")
    READY = "ready", _("Result ready to collect")
    CLOSED = "closed", _("Closed: result handed over")


OPEN_STATUSES = (ApplicationStatus.IN_PROGRESS, ApplicationStatus.WAITING_CITIZEN)


class FeeStatus(models.TextChoices):
    NONE = "none", _("No fee")
    DUE = "due", _("To be paid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the applicant")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.WAITING_CITIZEN)


class DocumentPurpose(models.TextChoices):
    INTAKE = "intake", _("Submitted with the application")
    SUPPLEMENT = "supplement", _("Supplied on request")
    RESULT = "result", _("Result")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Application registered")
    TASK_OPENED = "task_opened", _("Passed to an agency")
    CLAIMED = "claimed", _("Taken up by a clerk")
    ASSIGNED = "assigned", _("Assigned to a clerk")
    ACTION = "action", _("Decision at a step")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested from the applicant")
    SUPPLEMENTED = "supplemented", _("Applicant supplied the documents")
    RETURNED = "returned", _("Returned to an earlier step")
    RESULT_ATTACHED = "result_attached", _("Result attached")
    READY = "ready", _("Result ready")
    PAYMENT = "payment", _("Fee recorded")
    HANDED_OVER = "handed_over", _("Result handed over")
    RATED = "rated", _("Service rated")
    ESCALATED = "escalated", _("Deadline escalation")


class EscalationLevel(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon: clerk reminded")
    OVERDUE = "overdue", _("Overdue: clerk notified")
    HEAD = "head", _("Overdue: agency head notified")
    MANAGER = "manager", _("Overdue: center manager notified")


class CaseRefusal(enum.StrEnum):
    """Why the cases services refuse an action in the application's present state (the API's `code`)."""

    APPLICATION_CLOSED = "application_closed"
    WAITING_CITIZEN = "waiting_citizen"
    TASK_CLOSED = "task_closed"
    ACTION_NOT_ALLOWED = "action_not_allowed"
    NOT_FINAL_STEP = "not_final_step"
    TAKEN = "taken"
    NOT_WAITING = "not_waiting"
    NO_FEE_DUE = "no_fee_due"
    NOT_READY = "not_ready"
    FEE_DUE = "fee_due"
    NOT_CLOSED = "not_closed"
    ALREADY_RATED = "already_rated"
    # Tracking (429): too many wrong lookups from one client; an application number locked after wrong codes.
    TOO_MANY_LOOKUPS = "throttled"
    TRACKING_LOCKED = "locked"
    NOT_LOCKED = "not_locked"
    RESULT_UNREADABLE = "result_unreadable"
