from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    NOT_SERVED = "not_served", _("Not served (closed at end of day)")


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD)


class Priority(models.TextChoices):
    """Who is called before the general queue (rank 1); booked visitors at their time rank above (2)."""

    NONE = "", _("General queue")
    DISABILITY = "disability", _("Person with a disability")
    ELDERLY = "elderly", _("Over 65")
    PREGNANT = "pregnant", _("Pregnant")
    VETERAN = "veteran", _("Veteran")


class OperatorState(models.TextChoices):
    SERVING = "serving", _("At the counter")
    BREAK = "break", _("On a break")
    BACK_OFFICE = "back_office", _("Back-office work")


class TicketAction(models.TextChoices):
    ISSUE = "issue", _("Issued")
    CALL = "call", _("Called")
    RECALL = "recall", _("Called again")
    START = "start", _("Service started")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resumed")
    TRANSFER = "transfer", _("Transferred")
    FINISH = "finish", _("Finished")
    NO_SHOW = "no_show", _("Did not come")
    CLOSE = "close", _("Closed at end of day")
