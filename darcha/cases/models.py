"""Applications and their back-office work. Writes go through services.py only."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization, Person

from .choices import (
    ApplicationStatus,
    Channel,
    DocumentPurpose,
    EscalationLevel,
    EventKind,
    FeeStatus,
    TaskStatus,
)


def _upload_path(instance, filename: str) -> str:
    # The citizen's file name never reaches the disk: it is kept in `original_name` only.
    return f"cases/{instance.application_id}/{uuid.uuid4().hex}"


class NumberSequence(models.Model):
    """The last tracking number given in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("application number sequence")
        verbose_name_plural = _("application number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(models.Model):
    number = models.CharField(_("tracking number"), max_length=16, unique=True)
    # Six digits printed on the receipt; with the number it opens the public tracking page.
    access_code = models.CharField(_("access code"), max_length=6)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name=_("procedure version"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        Person, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="applications",
        limit_choices_to={"kind": OrganizationKind.CENTER},
        help_text=_("Where the application was taken and where the result is handed over."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.FRONT_OFFICE)
    ticket = models.ForeignKey(
        "queues.Ticket",
        verbose_name=_("queue ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.IN_PROGRESS
    )
    outcome = models.CharField(_("outcome"), max_length=16, blank=True, default="")
    language = models.CharField(_("language"), max_length=8, default="uz")
    phone = models.CharField(_("phone for notices"), max_length=16, blank=True, default="")
    # Fee, resolved with the BRV on the day of application (integer so'm).
    fee_amount = models.PositiveIntegerField(_("fee, so'm"), default=0)
    fee_status = models.CharField(_("fee status"), max_length=8, choices=FeeStatus.choices, default=FeeStatus.NONE)
    discount = models.ForeignKey(
        "catalog.Discount", verbose_name=_("discount"), null=True, blank=True, on_delete=models.PROTECT
    )
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True, default="")
    fee_waiver_reason = models.CharField(_("reason the fee is waived"), max_length=255, blank=True, default="")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    # While the clock is stopped for the citizen: since when. Whole working days paused so far.
    paused_at = models.DateTimeField(_("clock stopped at"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    ready_at = models.DateTimeField(_("result ready at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["center", "-submitted_at"], name="application_center_idx"),
            models.Index(fields=["status", "due_at"], name="application_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (ApplicationStatus.IN_PROGRESS, ApplicationStatus.WAITING_CITIZEN)


class Task(models.Model):
    """One step of an application at one agency."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="tasks"
    )
    step = models.ForeignKey("catalog.Step", verbose_name=_("step"), on_delete=models.PROTECT, related_name="tasks")
    agency = models.ForeignKey(Organization, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="tasks")
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    opened_at = models.DateTimeField(_("opened at"))
    due_at = models.DateTimeField(_("due"))
    paused_at = models.DateTimeField(_("clock stopped at"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action taken"), max_length=32, blank=True, default="")
    comment = models.TextField(_("comment"), blank=True, default="")
    # What the citizen was asked to bring, while the task waits for them.
    requested = models.TextField(_("requested from the applicant"), blank=True, default="")
    # What the agency filled in when it completed the step: {field code: value} of the step's output
    # fields (catalog.StepField), dates as YYYY-MM-DD, choices as their Uzbek (Latin) text.
    # The database's default too: rows written by SQL of their own (the benchmarks' COPY) have no output.
    output = models.JSONField(_("output"), default=dict, db_default={}, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="task_inbox_idx"),
            models.Index(fields=["status", "due_at"], name="task_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.step.code}"

    @property
    def is_active(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.WAITING_CITIZEN)


class Document(models.Model):
    """A document of an application: a checklist item presented, a scan, a supplement or the result."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="documents"
    )
    required = models.ForeignKey(
        "catalog.RequiredDocument",
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=DocumentPurpose.choices)
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    # A scan, when one was made; a checklist item may be only presented on paper.
    file = models.FileField(_("file"), upload_to=_upload_path, blank=True, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, default="")
    content_type = models.CharField(_("type"), max_length=64, blank=True, default="")
    size = models.PositiveIntegerField(_("size, bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, default="")
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "added_at", "id"]

    def __str__(self) -> str:
        return self.title or self.original_name or str(self.pk)


class Result(models.Model):
    """The issued document or refusal letter; its code opens the public verification page."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="result"
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    outcome = models.CharField(_("outcome"), max_length=16)
    agency = models.ForeignKey(
        Organization, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="result_of"
    )
    generated = models.BooleanField(_("generated from the template"), default=False)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.application.number} · {self.code}"


class Event(models.Model):
    """The application's history: what happened, by whom, at which step."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True, default="")
    comment = models.TextField(_("comment"), blank=True, default="")
    # Shown on the citizen's tracking page (internal notes such as assignment are not).
    public = models.BooleanField(_("shown to the applicant"), default=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"], name="event_application_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class Escalation(models.Model):
    """A deadline warning sent for a task; one per level, so nobody is told twice."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("level"), max_length=16, choices=EscalationLevel.choices)
    created_at = models.DateTimeField(_("time"))
    notified = models.JSONField(_("notified"), default=list, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["task", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.task} · {self.level}"


class Rating(models.Model):
    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, default="")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agency = models.ForeignKey(Organization, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(Organization, verbose_name=_("center"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.score}"


class TelegramSubscription(models.Model):
    """A Telegram chat that asked the bot about an application and gets its updates."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="telegram_subscriptions"
    )
    chat_id = models.CharField(_("Telegram chat"), max_length=24)
    language = models.CharField(_("language"), max_length=8, default="uz")
    created_at = models.DateTimeField(_("subscribed at"))

    class Meta:
        verbose_name = _("Telegram subscription")
        verbose_name_plural = _("Telegram subscriptions")
        constraints = [models.UniqueConstraint(fields=["application", "chat_id"], name="telegram_subscription_unique")]

    def __str__(self) -> str:
        return f"{self.chat_id} → {self.application_id}"


def _pending_path(instance, filename: str) -> str:
    # Beside the documents, outside the web root; the citizen's file name is kept in `original_name` only.
    return f"cases/pending/{uuid.uuid4().hex}"


class PendingUpload(models.Model):
    """A file that came with an intake form the server sent back (bad input, a refusal): kept for the
    next try of that form, so nobody attaches the scans again.

    It belongs to one draft (`draft`, a random token in a hidden field of the form) and to whoever sent
    it (`holder`: the signed-in user, or the visitor's session), and is found only by both. Used by the
    application it was kept for (removed as that is registered) or deleted with its file after
    CASES_PENDING_UPLOAD_HOURS by the `cases.pending_uploads` job.
    """

    draft = models.CharField(_("draft"), max_length=64)
    holder = models.CharField(_("holder"), max_length=80)
    # The form field it came in (e.g. "file_12", "document_12", "extra") and the checklist item, if any.
    field = models.CharField(_("form field"), max_length=64)
    required = models.ForeignKey(
        "catalog.RequiredDocument",
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=_pending_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("kept at"), db_index=True)

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["draft", "holder"], name="pendingupload_draft_holder")]

    def __str__(self) -> str:
        return self.original_name
