import enum

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


# A booked visitor checked in on time is called first at the booked time (Ticket.rank; 1 priority
# groups, 0 the general queue); their ticket's queued_at is the appointment's time.
BOOKED_RANK = 2

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


class QueueEvent(enum.StrEnum):
    """The types of the live events of a center (`events.publish`), as the display board, the
    console and the ticket's live page read them from the stream (`static/queues/*.js` name them)."""

    SNAPSHOT = "snapshot"  # the whole state, sent by the stream itself (first, and after changes)
    ISSUED = "issued"
    CALLED = "called"  # also on recall and resume
    STARTED = "started"
    HELD = "held"
    FINISHED = "finished"  # served, or did not come
    TRANSFERRED = "transferred"
    CLOSED = "closed"  # the end of the day
    OPERATORS = "operators"  # who is signed in where, and in which state
    RESYNC = "resync"  # sent by the bus when events may have been lost


class QueueRefusal(enum.StrEnum):
    """Codes of the queue's refusals (`core.errors.Refused`): an action the state does not allow."""

    # tickets and operator sessions
    NOT_SIGNED_IN = "not_signed_in"
    NOT_SERVING = "not_serving"
    BUSY = "busy"
    WRONG_STATUS = "wrong_status"
    OTHER_COUNTER = "other_counter"
    NOT_HERE = "not_here"
    RECALL_FIRST = "recall_first"
    COUNTER_CLOSED = "counter_closed"
    COUNTER_TAKEN = "counter_taken"
    CENTER_CLOSED = "center_closed"  # outside opening hours: no ticket issued, nobody new called
    # appointments
    SLOT_FULL = "slot_full"
    LIMIT = "limit"
    NOT_FOUND = "not_found"
    NOT_CANCELLABLE = "not_cancellable"
    PAST = "past"
    OTHER_CENTER = "other_center"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NOT_TODAY = "not_today"
