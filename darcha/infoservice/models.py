"""Citizens' appeals to a hokimiyat (Law ZRU-445) and requests for information (Law ZRU-369): the appeal
with its author(s), attachments, routing (assignments, resolutions, forwards), stored terms and their
extensions, the answer letter signed off by the head, the author's rating, the public archive; topics
(with their Open311 services), district populations for per-resident statistics, the routing model."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind
from darcha.core.i18n import LANGUAGE_CHOICES, Translated, translated_fields
from darcha.core.models import Organization, Person

from .choices import (
    AppealForm,
    AppealStatus,
    AppealType,
    AssignmentRole,
    Channel,
    EventKind,
    ExtensionKind,
    Outcome,
    RequestKind,
    Satisfaction,
)


class Topic(models.Model):
    """What an appeal is about; topics that take a street location are Open311 services."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("description", field_class=models.TextField, required=()))
    takes_location = models.BooleanField(_("a street problem with a location (Open311)"), default=False)
    # Open311 service attributes: [{"code": …, "datatype": "string|number|datetime|text|singlevaluelist|
    # multivaluelist", "required": bool, "description": …, "values": [{"key": …, "name": …}]}].
    attributes = models.JSONField(_("Open311 attributes"), default=list, blank=True)
    keywords = models.CharField(_("Open311 keywords"), max_length=255, blank=True, default="")
    # Who usually answers it in each hokimiyat is learnt from past appeals; this is the fallback.
    default_executor = models.ForeignKey(
        Organization,
        verbose_name=_("usual executor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Translated("name")
    description = Translated("description")

    class Meta:
        verbose_name = _("appeal topic")
        verbose_name_plural = _("appeal topics")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class AppealNumberSequence(models.Model):
    """The last registration number a hokimiyat gave in a year; locked while a number is taken."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("appeal number sequence")
        verbose_name_plural = _("appeal number sequences")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="appeal_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.last}"


class Appeal(models.Model):
    """One appeal (or request for information) to one hokimiyat, from its registration to its close."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("hokimiyat"),
        on_delete=models.PROTECT,
        related_name="appeals",
        limit_choices_to={"kind": OrganizationKind.HOKIMIYAT},
    )
    number = models.CharField(_("registration number"), max_length=24, unique=True)
    access_code = models.CharField(_("access code"), max_length=6)
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices, default=RequestKind.APPEAL)
    type = models.CharField(_("type"), max_length=12, choices=AppealType.choices, default=AppealType.APPLICATION)
    form = models.CharField(_("form"), max_length=12, choices=AppealForm.choices, default=AppealForm.ELECTRONIC)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    # A partner system's own number (Virtual Reception, People's Reception): a resend registers nothing new.
    external_source = models.CharField(_("received from"), max_length=32, blank=True, default="")
    external_number = models.CharField(_("their number"), max_length=64, blank=True, default="")
    # The author (the first signatory of a collective appeal); any field may be empty for an anonymous one.
    person = models.ForeignKey(
        Person, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    author_name = models.CharField(_("author's name"), max_length=255, blank=True, default="")
    author_address = models.CharField(_("author's residence"), max_length=255, blank=True, default="")
    author_phone = models.CharField(_("phone"), max_length=16, blank=True, default="")
    phone_confirmed = models.BooleanField(_("phone confirmed by a code"), default=False)
    author_email = models.EmailField(_("e-mail"), blank=True, default="")
    language = models.CharField(_("language of the answer"), max_length=8, choices=LANGUAGE_CHOICES, default="uz")
    is_collective = models.BooleanField(_("collective"), default=False)
    media_outlet = models.CharField(_("media outlet"), max_length=255, blank=True, default="")
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    text = models.TextField(_("text"))
    # A street problem (Open311): where it is.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_address = models.CharField(_("address of the problem"), max_length=255, blank=True, default="")
    open311_token = models.CharField(max_length=32, null=True, blank=True, unique=True)
    open311_attributes = models.JSONField(default=dict, blank=True)
    # A photo of the problem the Open311 client published (GeoReport v2 takes a link, not the file).
    open311_media_url = models.URLField(_("photo (link)"), max_length=500, blank=True, default="")
    # The body whose decision is complained about: the appeal is never forwarded to it.
    complained_body = models.ForeignKey(
        Organization,
        verbose_name=_("body complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A clarification request or a complaint to a higher body refers to the appeal it follows.
    follows = models.ForeignKey(
        "self", verbose_name=_("follows appeal"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Repeated (same author, near-identical text within a year) or a duplicate, found at registration.
    similar_to = models.ForeignKey(
        "self", verbose_name=_("similar to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    similarity = models.FloatField(_("similarity"), null=True, blank=True)
    consent_publish = models.BooleanField(_("the author agrees to publish the answer"), default=False)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The term is stored: set at registration from the law's days, moved only by a recorded extension.
    due_at = models.DateTimeField(_("due"), db_index=True)
    extended = models.BooleanField(_("extended for study"), default=False)
    head_extended = models.BooleanField(_("extended by the head"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.REGISTERED, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, default="")
    # The main executor (an organization: a department of the hokimiyat, an agency, or the hokimiyat itself).
    executor = models.ForeignKey(
        Organization,
        verbose_name=_("executor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_executed",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("the author's rating"), max_length=16, choices=Satisfaction.choices, blank=True, default=""
    )
    satisfaction_note = models.TextField(_("why"), blank=True, default="")
    flagged_to_head = models.BooleanField(_("flagged to the head"), default=False)
    # Published in the public archive, with the text the officer redacted.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_text = models.TextField(_("published text"), blank=True, default="")
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_number"],
                condition=~models.Q(external_number=""),
                name="appeal_external_unique",
            )
        ]
        # The officer's inbox seeks each list by its order (selectors.officer_inbox_page, seek.py) and counts
        # its tabs (selectors.inbox_counts) over the open appeals only: each index below serves one list and
        # its count, so neither reads the hokimiyat's closed history (checked with EXPLAIN on PostgreSQL).
        indexes = [
            # A state's tab (to route, being considered, awaiting approval), the nearest term first.
            models.Index(fields=["organization", "status", "due_at", "id"], name="appeal_inbox_idx"),
            models.Index(fields=["executor", "status", "due_at"], name="appeal_executor_idx"),
            models.Index(fields=["organization", "-received_at"], name="appeal_org_received_idx"),
            # Every open appeal, overdue and due this week (the inbox, the overdue list, the head's desk).
            models.Index(
                fields=["organization", "due_at", "id"],
                condition=models.Q(status__in=["registered", "in_work", "on_approval"]),
                name="appeal_open_idx",
            ),
            models.Index(
                fields=["organization", "due_at", "id"],
                condition=models.Q(status__in=["registered", "in_work", "on_approval"], similar_to__isnull=False),
                name="appeal_open_similar_idx",
            ),
            # "All", the nearest term first; "Closed", the latest closed first; the head's "not satisfied".
            models.Index(fields=["organization", "due_at", "id"], name="appeal_org_due_idx"),
            models.Index(
                fields=["organization", "-closed_at", "-id"],
                condition=models.Q(status="closed"),
                name="appeal_closed_idx",
            ),
            models.Index(
                fields=["organization", "-closed_at", "-id"],
                condition=models.Q(flagged_to_head=True),
                name="appeal_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_organization_id(self) -> int:
        return self.organization_id

    @property
    def is_open(self) -> bool:
        return self.status != AppealStatus.CLOSED


class Signatory(models.Model):
    """Every signatory of a collective appeal is kept (the first is the author)."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("residence"), max_length=255, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["appeal_id", "id"]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """A file that came with the appeal (checked by content), or the scan of a written appeal."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="appeals/%Y/%m/")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_scan = models.BooleanField(_("scan of the written appeal"), default=False)
    created_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An executor of the appeal: the main one or a co-executor, with the term it must answer by."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="assignments")
    executor = models.ForeignKey(
        Organization, verbose_name=_("executor"), on_delete=models.PROTECT, related_name="appeal_assignments"
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_assignments",
    )
    role = models.CharField(_("as"), max_length=8, choices=AssignmentRole.choices, default=AssignmentRole.MAIN)
    due_at = models.DateTimeField(_("due"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("assigned at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Whether the routing model suggested this executor, and how sure it was (the officer decides).
    suggested = models.BooleanField(_("as suggested"), default=False)
    confidence = models.FloatField(_("suggestion's confidence"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["appeal_id", "role", "id"]
        indexes = [models.Index(fields=["executor", "done_at", "due_at"], name="assignment_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.executor_id} ({self.role})"


class Resolution(models.Model):
    """The hokim's or a deputy's instruction to executors, with its term."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="resolutions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("instruction"))
    due_at = models.DateTimeField(_("term"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["appeal_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.text[:40]}"


class Extension(models.Model):
    """A term lengthened: its reason, the old and new due dates, and the notice to the author."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="extensions")
    kind = models.CharField(_("kind"), max_length=8, choices=ExtensionKind.choices)
    reason = models.TextField(_("reason"))
    old_due_at = models.DateTimeField(_("was due"))
    new_due_at = models.DateTimeField(_("now due"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))
    notice = models.ForeignKey(
        "notify.Message",
        verbose_name=_("notice to the author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["appeal_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} → {self.new_due_at:%Y-%m-%d}"


class Forward(models.Model):
    """The appeal sent to the competent body (outside this hokimiyat's competence), with its ground."""

    appeal = models.OneToOneField(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="forward")
    to_organization = models.ForeignKey(
        Organization, verbose_name=_("to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_name = models.CharField(_("to (a body outside Darcha)"), max_length=255, blank=True, default="")
    ground = models.TextField(_("ground"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"))
    # Forwarded after the law's 5 days: allowed (the competent body must still get it), the lateness kept.
    late = models.BooleanField(_("after the 5 days"), default=False)

    class Meta:
        verbose_name = _("forward")
        verbose_name_plural = _("forwards")

    def __str__(self) -> str:
        return f"{self.appeal_id} → {self.to_organization_id or self.to_name}"


class Answer(models.Model):
    """The answer letter (or the conclusion of an appeal not considered, or the notice of a return or a
    termination): drafted by the executor, approved by the head, sent in the author's language, verified by
    its code like a result. A correction within 10 days is a new answer replacing the old."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="answers")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    ground = models.CharField(_("ground"), max_length=16, blank=True, default="")  # NotConsidered/Termination ground
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="uz")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    code = models.CharField(_("verification code"), max_length=12, null=True, blank=True, unique=True)
    # The letter as approved (PDF, with its QR code), and its digest shown on the verification page.
    file = models.FileField(_("letter"), upload_to="appeals/answers/%Y/%m/", blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    # A draft the head sent back to its executor, and why (the executor drafts anew).
    sent_back_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    sent_back_comment = models.TextField(_("why sent back"), blank=True, default="")
    replaces = models.OneToOneField(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["appeal_id", "drafted_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.outcome}"


class Event(models.Model):
    """The appeal's history: every step, by whom; the author sees the public ones."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True, default="")
    public = models.BooleanField(_("shown to the author"), default=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="appeal_event_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


class Population(models.Model):
    """A city's or district's residents in a year: appeals are compared per 10,000 residents."""

    district = models.ForeignKey(
        Organization, verbose_name=_("city or district"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    residents = models.PositiveIntegerField(_("residents"))
    source = models.CharField(_("source"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="population_unique")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year}: {self.residents}"


class RoutingModel(models.Model):
    """A trained routing model (topic and executor from the text) and how well it did on held-out appeals."""

    trained_at = models.DateTimeField(_("trained at"))
    samples = models.PositiveIntegerField(_("appeals learnt from"))
    topic_accuracy = models.FloatField(_("topic accuracy on held-out appeals"))
    executor_accuracy = models.FloatField(_("executor accuracy on held-out appeals"))
    seconds = models.FloatField(_("training time, s"))
    # The pickled scikit-learn pipelines (written and read only by the routing module).
    blob = models.BinaryField()
    is_current = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return f"{self.trained_at.isoformat(timespec='minutes')} ({self.samples})"


class Open311Client(models.Model):
    """An Open311 client application and its api_key (stored hashed)."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("hokimiyat"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.HOKIMIYAT},
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class TelegramSubscription(models.Model):
    """A Telegram chat that asked the bot about an appeal (number and access code) and gets its notices:
    the acknowledgement's news after it, extensions, the forward or return, the answer."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="telegram_subscriptions"
    )
    chat_id = models.CharField(_("Telegram chat"), max_length=24)
    language = models.CharField(_("language"), max_length=8, default="uz")
    created_at = models.DateTimeField(_("subscribed at"))

    class Meta:
        verbose_name = _("Telegram subscription")
        verbose_name_plural = _("Telegram subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "chat_id"], name="appeal_telegram_subscription_unique")
        ]
        indexes = [models.Index(fields=["chat_id"], name="appeal_telegram_chat_idx")]

    def __str__(self) -> str:
        return f"{self.chat_id} → {self.appeal_id}"
