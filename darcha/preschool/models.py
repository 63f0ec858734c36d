"""Kindergartens and their programs, the queue of children (applications with ranked choices and
privileges), allocation campaigns, referrals (placements) and each family's history of its position."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind
from darcha.core.i18n import LANGUAGE_CHOICES, Translated, all_languages_text, translated_fields
from darcha.core.models import Organization, Person
from darcha.core.translit import search_key

from .choices import (
    SEAT_HOLDING,
    AgeGroup,
    BenefitStatus,
    CampaignKind,
    CampaignStatus,
    Channel,
    EnrollmentStatus,
    EventKind,
    KindergartenKind,
    LocationClass,
    PlacementStatus,
    Regime,
    Relation,
    TeachingLanguage,
)

ACTIVE_STATUSES = (EnrollmentStatus.WAITING, EnrollmentStatus.OFFERED, EnrollmentStatus.ENROLLED)


class Kindergarten(models.Model):
    """A preschool organization (MTT). Its name, address and phone are its organization's; the
    organization sits under its city or district, so the district's preschool department reaches it."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="kindergarten",
        limit_choices_to={"kind": OrganizationKind.KINDERGARTEN},
    )
    number = models.CharField(_("number"), max_length=16, blank=True, default="", help_text=_("e.g. 12"))
    kind = models.CharField(_("kind"), max_length=8, choices=KindergartenKind.choices, default=KindergartenKind.STATE)
    location_class = models.CharField(
        _("location class for fees"), max_length=16, choices=LocationClass.choices, default=LocationClass.CITY
    )
    mahalla = models.CharField(_("mahalla"), max_length=128, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    director_name = models.CharField(_("director"), max_length=150, blank=True, default="")
    # Closed (repairs, quarantine): referrals to it wait without lapsing, the state's delay.
    closed_since = models.DateField(_("closed since"), null=True, blank=True)
    closed_reason = models.CharField(_("why it is closed"), max_length=255, blank=True, default="")
    # Number, names in every language and script, mahalla and address folded by core.translit.search_key
    # (as the catalog's services): the registry's search matches one column, whatever script is typed.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("kindergarten")
        verbose_name_plural = _("kindergartens")
        ordering = ["organization__path", "number", "id"]

    def __str__(self) -> str:
        return str(self.organization)

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        """What the registry's search matches (rows written in bulk set it with this too)."""
        organization = self.organization
        parts = [
            self.number,
            all_languages_text(organization, "name"),
            all_languages_text(organization, "short_name"),
            self.mahalla,
            organization.address,
        ]
        return " " + search_key(" ".join(parts)) + " "

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def district_id(self) -> int | None:
        return self.organization.parent_id


class Program(models.Model):
    """One group a kindergarten takes children into: age group × language × regime, with its seats."""

    kindergarten = models.ForeignKey(
        Kindergarten, verbose_name=_("kindergarten"), on_delete=models.CASCADE, related_name="programs"
    )
    age_group = models.CharField(_("age group"), max_length=4, choices=AgeGroup.choices)
    language = models.CharField(_("language of instruction"), max_length=2, choices=TeachingLanguage.choices)
    regime = models.CharField(_("regime"), max_length=4, choices=Regime.choices, default=Regime.H9)
    seats = models.PositiveIntegerField(_("seats this school year"), default=0)
    is_active = models.BooleanField(_("takes children"), default=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["kindergarten_id", "age_group", "language", "regime"]
        constraints = [
            models.UniqueConstraint(
                fields=["kindergarten", "age_group", "language", "regime"], name="program_unique_group"
            )
        ]

    def __str__(self) -> str:
        parts = (self.get_age_group_display(), self.get_language_display(), self.get_regime_display())
        return " · ".join((str(self.kindergarten), *map(str, parts)))


class FeeRate(models.Model):
    """The monthly parental fee (Cabinet resolution 246 of 29 April 2024): fixed so'm by location class ×
    regime × one child or each of several attending, as a dated table."""

    valid_from = models.DateField(_("valid from"))
    location_class = models.CharField(_("location class"), max_length=16, choices=LocationClass.choices)
    regime = models.CharField(_("regime"), max_length=4, choices=Regime.choices)
    several_children = models.BooleanField(_("each of several children"), default=False)
    amount = models.PositiveIntegerField(_("so'm a month"))
    decree = models.CharField(_("decree"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("kindergarten fee")
        verbose_name_plural = _("kindergarten fees")
        ordering = ["-valid_from", "location_class", "regime", "several_children"]
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from", "location_class", "regime", "several_children"], name="fee_rate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.valid_from} {self.location_class} {self.regime}: {self.amount}"


class Benefit(models.Model):
    """A privileged category. Categories and their tiers are data: no law orders them among themselves,
    so by default every category is tier 1, ahead of the general list."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("evidence", field_class=models.TextField, required=()))
    tier = models.PositiveSmallIntegerField(_("tier"), default=1, help_text=_("1 is served first."))
    center_obtains = models.BooleanField(
        _("the center obtains the evidence itself"),
        default=False,
        help_text=_("Once-only: the family need not bring what a state register already holds."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Translated("name")
    evidence = Translated("evidence")

    class Meta:
        verbose_name = _("privileged category")
        verbose_name_plural = _("privileged categories")
        ordering = ["tier", "order", "code"]

    def __str__(self) -> str:
        return self.name


class Child(models.Model):
    name = models.CharField(_("child's full name"), max_length=255)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    birth_certificate = models.CharField(_("birth certificate"), max_length=16, unique=True)
    pinfl = models.CharField(_("PINFL"), max_length=14, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.name


class LotterySeed(models.Model):
    """A city's or district's published lottery seed: each child's lottery number is drawn from it over the
    child's queue number (allocation.draw_lottery), so anyone can draw the numbers again and check them."""

    district = models.OneToOneField(
        Organization, verbose_name=_("city or district"), on_delete=models.CASCADE, related_name="preschool_lottery"
    )
    seed = models.CharField(_("seed"), max_length=64)
    created_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("lottery seed")
        verbose_name_plural = _("lottery seeds")

    def __str__(self) -> str:
        return f"{self.district_id}: {self.seed}"


class NumberSequence(models.Model):
    """The last queue number given in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("preschool number sequence")
        verbose_name_plural = _("preschool number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class EnrollmentApplication(models.Model):
    """One child's place in a district's queue, with the kindergartens chosen in order.

    The queue date is set once at registration (for most children, the birth registration) and kept
    through every edit; the lottery number is drawn once and stored (single tie-breaking)."""

    number = models.CharField(_("queue number"), max_length=16, unique=True)
    access_code = models.CharField(_("access code"), max_length=6)
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Person, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="enrollment_applications"
    )
    relation = models.CharField(_("relation to the child"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone for notices"), max_length=16, blank=True, default="")
    language = models.CharField(_("language of notices"), max_length=8, choices=LANGUAGE_CHOICES, default="uz")
    district = models.ForeignKey(
        Organization,
        verbose_name=_("city or district"),
        on_delete=models.PROTECT,
        related_name="enrollment_applications",
        limit_choices_to={"kind__in": [OrganizationKind.CITY, OrganizationKind.DISTRICT]},
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices, default=Channel.FRONT_OFFICE)
    center = models.ForeignKey(
        Organization,
        verbose_name=_("registered at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The registry office's or maternity system's birth record: a partner's resend registers nothing new.
    birth_record = models.CharField(_("birth record number"), max_length=32, null=True, blank=True, unique=True)
    queue_date = models.DateTimeField(_("in the queue since"), db_index=True)
    lottery = models.BigIntegerField(_("lottery number"))
    # Applications sharing a group (twins, siblings applying together) are placed together or wait together.
    together = models.CharField(_("placed together with"), max_length=16, blank=True, default="", db_index=True)
    # The applicant works at this kindergarten (staff priority there).
    staff_at = models.ForeignKey(
        Kindergarten,
        verbose_name=_("applicant works at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.WAITING, db_index=True
    )
    created_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("updated at"))
    left_at = models.DateTimeField(_("left the queue at"), null=True, blank=True)
    left_reason = models.CharField(_("why it left"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("kindergarten application")
        verbose_name_plural = _("kindergarten applications")
        ordering = ["queue_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="enrollment_one_active_per_child",
            )
        ]
        indexes = [models.Index(fields=["district", "status"], name="enrollment_district_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def audit_organization_id(self) -> int:
        """The district's audit chain (not the center's it was registered at): the queue is the district's."""
        return self.district_id


class ApplicationBenefit(models.Model):
    """A privilege claimed for the child, with its evidence; it counts once confirmed."""

    application = models.ForeignKey(
        EnrollmentApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="benefits"
    )
    benefit = models.ForeignKey(Benefit, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=BenefitStatus.choices, default=BenefitStatus.CLAIMED)
    evidence_reference = models.CharField(_("evidence (document and number)"), max_length=255, blank=True, default="")
    # A scan of the evidence, stored outside the web root (checked by content, as application documents).
    evidence_file = models.FileField(_("scan of the evidence"), upload_to="preschool/evidence/%Y/%m/", blank=True)
    obtained_by_center = models.BooleanField(_("obtained by the center from the register"), default=False)
    valid_until = models.DateField(_("held until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("claimed at"))

    class Meta:
        verbose_name = _("claimed privilege")
        verbose_name_plural = _("claimed privileges")
        constraints = [models.UniqueConstraint(fields=["application", "benefit"], name="application_benefit_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.benefit_id} {self.status}"

    @property
    def audit_organization_id(self) -> int:
        return self.application.district_id


class Preference(models.Model):
    """A program the family chose, by rank (1 is the first choice)."""

    application = models.ForeignKey(
        EnrollmentApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="preferences"
    )
    rank = models.PositiveSmallIntegerField(_("choice"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="preferences"
    )

    class Meta:
        verbose_name = _("choice of kindergarten")
        verbose_name_plural = _("choices of kindergarten")
        ordering = ["application_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="preference_unique_rank"),
            models.UniqueConstraint(fields=["application", "program"], name="preference_unique_program"),
        ]
        indexes = [models.Index(fields=["program", "application"], name="preference_program_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.rank} {self.program_id}"


class Campaign(models.Model):
    """One run of the allocation in a city or district: the main campaign for a school year, or a run
    of continuous allocation after a seat freed. The seed of the lottery draw is published."""

    district = models.ForeignKey(
        Organization, verbose_name=_("city or district"), on_delete=models.PROTECT, related_name="preschool_campaigns"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.MAIN)
    school_year = models.PositiveSmallIntegerField(_("school year starting"), help_text=_("e.g. 2027 for 2027/28"))
    reference_date = models.DateField(_("age counted on"))
    max_choices = models.PositiveSmallIntegerField(_("kindergartens a family may rank"), default=3)
    district_only = models.BooleanField(_("only this district's kindergartens"), default=True)
    seed = models.CharField(_("published seed of the lottery draw"), max_length=64, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What it did: placed, waiting, by category; filled when it is done.
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("allocation campaign")
        verbose_name_plural = _("allocation campaigns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.district} {self.school_year} {self.get_kind_display()}"

    @property
    def audit_organization_id(self) -> int:
        return self.district_id


class Cutoff(models.Model):
    """The priority of the last child a campaign admitted to a program (shown on the registry)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="cutoffs")
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="cutoffs")
    placed = models.PositiveIntegerField(_("children placed"), default=0)
    # The last admitted child's key: its privilege tier (empty: the general list), sibling, staff, queue date.
    tier = models.PositiveSmallIntegerField(_("tier"), null=True, blank=True)
    sibling = models.BooleanField(_("sibling priority"), default=False)
    staff = models.BooleanField(_("staff priority"), default=False)
    queue_date = models.DateTimeField(_("in the queue since"), null=True, blank=True)

    class Meta:
        verbose_name = _("admission cutoff")
        verbose_name_plural = _("admission cutoffs")
        constraints = [models.UniqueConstraint(fields=["campaign", "program"], name="cutoff_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.program_id}: {self.placed}"


class Placement(models.Model):
    """A referral (yo'llanma) to a program: it holds a seat while offered or enrolled.

    It is confirmed with a code sent by SMS; it lapses when not taken up within the term (working days),
    except while paused for the state's delay (the kindergarten closed, the medical commission late)."""

    application = models.ForeignKey(
        EnrollmentApplication, verbose_name=_("application"), on_delete=models.PROTECT, related_name="placements"
    )
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="placements")
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.OFFERED, db_index=True
    )
    code_hash = models.CharField(max_length=64, blank=True, default="")
    offered_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("to be taken up by"), db_index=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(_("why it is paused"), max_length=255, blank=True, default="")
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-offered_at", "-id"]
        constraints = [
            # One referral open and one place taken per child: an enrolled child offered a transfer keeps
            # its place until it takes the transfer up (services.referrals.placement_enrol).
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status=PlacementStatus.OFFERED),
                name="placement_one_offer_per_child",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status=PlacementStatus.ENROLLED),
                name="placement_one_enrolment_per_child",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="placement_program_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.program_id} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def audit_organization_id(self) -> int:
        """The district's chain, as its queue's: a campaign's referrals go to one chain, not one per kindergarten."""
        return self.application.district_id


class Position(models.Model):
    """The child's last computed position in a program it ranked above its placement (1 = next)."""

    application = models.ForeignKey(
        EnrollmentApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="positions"
    )
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"))
    ahead_privileged = models.PositiveIntegerField(_("of them with a privilege"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("position in the queue")
        verbose_name_plural = _("positions in the queue")
        constraints = [models.UniqueConstraint(fields=["application", "program"], name="position_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.program_id}: {self.position}"


class Event(models.Model):
    """The family's history: every change, and every change of position with its reasons in `data`."""

    application = models.ForeignKey(
        EnrollmentApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True, default="")
    public = models.BooleanField(_("shown to the family"), default=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("kindergarten application event")
        verbose_name_plural = _("kindergarten application events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "created_at"], name="preschool_event_app_idx")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class TelegramSubscription(models.Model):
    """A Telegram chat that asked the bot about an application (number and access code) and gets its
    notices: the referral, its reminders, and every change of position."""

    application = models.ForeignKey(
        EnrollmentApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="telegram_subscriptions",
    )
    chat_id = models.CharField(_("Telegram chat"), max_length=24)
    language = models.CharField(_("language"), max_length=8, default="uz")
    created_at = models.DateTimeField(_("subscribed at"))

    class Meta:
        verbose_name = _("Telegram subscription")
        verbose_name_plural = _("Telegram subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["application", "chat_id"], name="preschool_telegram_subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.chat_id} → {self.application_id}"
