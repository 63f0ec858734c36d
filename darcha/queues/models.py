from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization

from .choices import OperatorState, Priority, TicketAction, TicketStatus

CENTERS = {"kind": OrganizationKind.CENTER}


class Counter(models.Model):
    """A service window of a center; it serves the services and categories chosen for it."""

    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="counters",
        limit_choices_to=CENTERS,
    )
    number = models.PositiveSmallIntegerField(_("window number"), validators=[MinValueValidator(1)])
    label = models.CharField(
        _("label"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("Shown on the board instead of the number, if given."),
    )
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), blank=True, related_name="counters"
    )
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="counters"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["center", "number"]
        constraints = [models.UniqueConstraint(fields=["center", "number"], name="counter_number_unique")]

    def __str__(self) -> str:
        return self.label or _("Window %(number)s") % {"number": self.number}


class QueueSettings(models.Model):
    """A center's queue rules; a center without a row uses the defaults."""

    center = models.OneToOneField(
        Organization,
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="queue_settings",
        limit_choices_to=CENTERS,
    )
    recalls_before_no_show = models.PositiveSmallIntegerField(
        _("recalls before a no-show"), default=2, validators=[MaxValueValidator(10)]
    )
    notify_at_position = models.PositiveSmallIntegerField(
        _("notify the citizen when this many people are ahead"), default=3
    )
    target_wait_minutes = models.PositiveSmallIntegerField(_("target wait, minutes"), default=15)
    bookings_per_day = models.PositiveSmallIntegerField(
        _("appointments per person a day"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many visits one phone number may book at this center for one day."),
    )
    late_grace_minutes = models.PositiveSmallIntegerField(
        _("late arrival grace, minutes"),
        default=10,
        validators=[MaxValueValidator(120)],
        help_text=_("A booked visitor checking in later than this joins the general queue."),
    )
    close_grace_minutes = models.PositiveSmallIntegerField(
        _("serving after closing, minutes"),
        default=30,
        validators=[MaxValueValidator(240)],
        help_text=_(
            "After closing time the counters still call those who took a ticket while the center was open; "
            "this long after closing the day is closed and tickets still open become “not served”."
        ),
    )
    board_sound = models.BooleanField(
        _("board plays sound from the start"),
        default=False,
        help_text=_(
            "For a display board without anyone to tap it: calls are announced at once if the browser allows "
            "sound without a tap (kiosk mode, autoplay allowed). The board can also be opened with ?sound=1."
        ),
    )

    class Meta:
        verbose_name = _("queue settings")
        verbose_name_plural = _("queue settings")

    def __str__(self) -> str:
        return str(self.center)


class TicketSequence(models.Model):
    """The last number issued per center, day and prefix: row-locked, so numbers never repeat."""

    center = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=2)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "day", "prefix"], name="ticket_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.prefix}: {self.last_number}"


class Ticket(models.Model):
    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="tickets",
        limit_choices_to=CENTERS,
    )
    day = models.DateField(_("day"))
    prefix = models.CharField(_("prefix"), max_length=2)
    number = models.PositiveIntegerField(_("number"))
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True, default="")
    # Order of calling: rank first (2 booked at their time, 1 priority groups, 0 general), then queued_at.
    rank = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    issued_at = models.DateTimeField(_("issued at"))
    queued_at = models.DateTimeField(
        _("in the queue since"), help_text=_("The issue time, kept on transfer; a booking's time for booked visitors.")
    )
    called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter, verbose_name=_("counter"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_counter = models.ForeignKey(
        Counter,
        verbose_name=_("transferred to counter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    phone = models.CharField(_("phone for notifications"), max_length=16, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="uz")
    # The live page's address: unguessable, so a ticket number cannot be used to look at others.
    public_code = models.CharField(max_length=16, unique=True)
    position_notified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["center", "day", "prefix", "number"], name="ticket_number_unique")
        ]
        indexes = [
            # A center's day by status, each status in calling order (rank descending, then time in the
            # queue, then id), with what the queue's filters read: selectors.ticket_position counts the
            # tickets ahead of one as the waiting entries before it (a range of this index, read from it
            # alone: no join, no table row), services.ticket_call_next takes the first waiting entry its
            # counter serves, selectors.counter_console counts a counter's waiting tickets, board_snapshot
            # and centers_today read the called and waiting ones. Status is a column, not a partial
            # index's condition: a prepared statement's generic plan (server-side binding) has the status
            # as a parameter and could not prove a partial index's condition.
            models.Index(
                fields=["center", "day", "status", "-rank", "queued_at", "id"],
                include=["service", "target_counter"],
                name="ticket_calling_order_idx",
            ),
            # A service's tickets at a center by status and finishing time: the recent mean service time of
            # selectors.ticket_position (done in the last two hours) reads its range, not the center's history.
            models.Index(
                fields=["center", "service", "status", "finished_at"],
                include=["called_at"],
                name="ticket_finished_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return f"{self.prefix}-{self.number:03d}"


class TicketEvent(models.Model):
    """Every step of a ticket, for its history and the statistics."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=TicketAction.choices)
    at = models.DateTimeField(db_index=True)
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.action} {self.at:%H:%M:%S}"


class OperatorSession(models.Model):
    """An operator signed in at a counter, from sign-in to sign-out."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="counter_sessions"
    )
    counter = models.ForeignKey(Counter, verbose_name=_("counter"), on_delete=models.PROTECT, related_name="sessions")
    started_at = models.DateTimeField(_("signed in at"))
    ended_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=OperatorState.choices, default=OperatorState.SERVING)
    state_since = models.DateTimeField(_("in this state since"))

    class Meta:
        verbose_name = _("operator session")
        verbose_name_plural = _("operator sessions")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator"], condition=models.Q(ended_at__isnull=True), name="one_open_session_per_operator"
            ),
            models.UniqueConstraint(
                fields=["counter"], condition=models.Q(ended_at__isnull=True), name="one_open_session_per_counter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator} @ {self.counter}"

    @property
    def audit_organization_id(self) -> int:
        """Its entries go to the center's audit chain (core.audit)."""
        return self.counter.center_id


class OperatorStateSpan(models.Model):
    """How long an operator spent in each state (serving, break, back office)."""

    session = models.ForeignKey(OperatorSession, on_delete=models.CASCADE, related_name="spans")
    state = models.CharField(max_length=16, choices=OperatorState.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.session} {self.state}"


# --- Appointments ---------------------------------------------------------------------------------
class SlotRule(models.Model):
    """How a center takes online bookings: for one service, or (no service) for all its services.

    A service without its own rule uses the center's default rule; a center without any rule uses
    the defaults below. An inactive rule closes online booking for what it covers.
    """

    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="slot_rules",
        limit_choices_to=CENTERS,
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="slot_rules",
        help_text=_("Leave empty for the rule of every service of the center without its own."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length, minutes"), default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("visitors per slot"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("booking open, days ahead"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    is_active = models.BooleanField(_("online booking open"), default=True)

    class Meta:
        verbose_name = _("appointment slot rule")
        verbose_name_plural = _("appointment slot rules")
        ordering = ["center", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "service"], condition=models.Q(service__isnull=False), name="slot_rule_per_service"
            ),
            models.UniqueConstraint(
                fields=["center"], condition=models.Q(service__isnull=True), name="slot_rule_center_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.center} · {self.service or _('all services')}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")
    SERVED = "served", _("Served")


# Appointments that hold a place in their slot and count towards the daily limit per person.
HOLDING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.SERVED,
    AppointmentStatus.NO_SHOW,
)


class AppointmentSlot(models.Model):
    """One slot of one service at one center: the row a booking locks, so that bookings of the
    same slot run one after another and its capacity is never exceeded."""

    center = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "service", "start"], name="appointment_slot_unique")]

    def __str__(self) -> str:
        start = formats.date_format(timezone.localtime(self.start), "SHORT_DATETIME_FORMAT")
        return f"{self.center_id}/{self.service_id} {start}"


class Appointment(models.Model):
    """A visit booked online for a time; checked in at the kiosk by its code."""

    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="appointments",
        limit_choices_to=CENTERS,
    )
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField(_("time"))
    end = models.DateTimeField(_("until"))
    phone = models.CharField(_("phone"), max_length=16)
    language = models.CharField(_("language"), max_length=8, default="uz")
    # Shown to the citizen and typed on the kiosk's number pad: eight random digits.
    code = models.CharField(_("booking code"), max_length=8, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField(_("booked at"))
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    late = models.BooleanField(_("came late"), default=False)
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointment",
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["center", "service", "start", "status"], name="appointment_slot_idx"),
            models.Index(fields=["center", "phone", "start"], name="appointment_phone_idx"),
            models.Index(fields=["status", "start"], name="appointment_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {formats.date_format(timezone.localtime(self.start), 'SHORT_DATETIME_FORMAT')}"

    @property
    def display_code(self) -> str:
        """The code as it is shown and read out: "1234 5678"."""
        return f"{self.code[:4]} {self.code[4:]}" if len(self.code) == 8 else self.code
