from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind, Role
from darcha.core.i18n import CONTENT_LANGUAGES, Translated, all_languages_text, translated_fields
from darcha.core.models import Organization
from darcha.core.money import FeeKind
from darcha.core.translit import search_key

from .choices import Action, Effect, FieldKind, Outcome, VersionStatus

AGENCY_CHOICES = {"kind": OrganizationKind.AGENCY}


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    locals().update(translated_fields("name", max_length=200))
    ticket_prefix = models.CharField(
        _("queue ticket prefix"),
        max_length=2,
        blank=True,
        default="",
        help_text=_("Letter(s) before queue ticket numbers of this category, e.g. A for A-001."),
    )
    icon = models.CharField(
        _("icon"), max_length=32, blank=True, default="", help_text=_("Name of an icon from the project's icon set.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, validators=[MaxValueValidator(9999)])

    name = Translated("name")

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Discount(models.Model):
    """A reduction of a fee for a group of applicants (e.g. 50 % for group I/II disability)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    locals().update(translated_fields("name", max_length=200))
    percent = models.DecimalField(
        _("discount, %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    name = Translated("name")

    class Meta:
        verbose_name = _("fee discount")
        verbose_name_plural = _("fee discounts")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} (−{self.percent.normalize()} %)"


class Service(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    responsible_agency = models.ForeignKey(
        Organization,
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="responsible_services",
        limit_choices_to=AGENCY_CHOICES,
    )
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("description", field_class=models.TextField, required=()))
    locals().update(translated_fields("result", max_length=255, required=()))
    keywords = models.TextField(
        _("search keywords"),
        blank=True,
        default="",
        help_text=_("Other words people use for this service, in any language or script."),
    )
    for_individuals = models.BooleanField(_("for individuals"), default=True)
    for_legal_entities = models.BooleanField(_("for legal entities"), default=False)
    fee_kind = models.CharField(_("fee"), max_length=16, choices=FeeKind.choices, default=FeeKind.FREE)
    fee_value = models.DecimalField(
        _("fee value"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("So'm for a fixed fee; the multiple or the percentage for a BRV-based fee."),
    )
    discounts = models.ManyToManyField(Discount, verbose_name=_("discounts"), blank=True, related_name="services")
    # A legal term beyond a working year would be a typing mistake; the bound also keeps the API schema exact.
    term_days = models.PositiveSmallIntegerField(
        _("term, working days"), validators=[MinValueValidator(1), MaxValueValidator(260)]
    )
    online = models.BooleanField(_("available online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True, default="")
    # All names, keywords, agency and category names in every language and script, folded by
    # core.translit.search_key: one indexed text column that search matches against.
    search_text = models.TextField(editable=False, default="")

    name = Translated("name")
    description = Translated("description")
    result = Translated("result")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["category__position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(for_individuals=True) | models.Q(for_legal_entities=True),
                name="service_has_applicants",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)

    def clean(self):
        if not (self.for_individuals or self.for_legal_entities):
            raise ValidationError(_("A service is for individuals, legal entities or both."))
        if self.fee_kind == FeeKind.FREE and self.fee_value:
            raise ValidationError({"fee_value": _("A free service has no fee value.")})
        if self.fee_kind != FeeKind.FREE and self.fee_value <= 0:
            raise ValidationError({"fee_value": _("Enter the fee value.")})
        if self.fee_kind == FeeKind.BRV_PERCENT and self.fee_value > 10000:
            raise ValidationError(
                {"fee_value": _("A share of the BRV above ten thousand percent looks like a mistake.")}
            )

    def build_search_text(self) -> str:
        parts = [self.code, all_languages_text(self, "name"), self.keywords]
        if self.category_id:
            parts.append(all_languages_text(self.category, "name"))
        if self.responsible_agency_id:
            agency = self.responsible_agency
            parts += [all_languages_text(agency, "name"), all_languages_text(agency, "short_name")]
        return " " + search_key(" ".join(parts)) + " "

    @property
    def published_version(self):
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


class RequiredDocument(models.Model):
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("position"), default=0, validators=[MaxValueValidator(9999)])
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("note", max_length=255, required=()))
    obtained_by_center = models.BooleanField(
        _("obtained by the center"),
        default=False,
        help_text=_("The center requests it from another agency itself; the citizen does not bring it."),
    )
    original_required = models.BooleanField(_("original required"), default=False)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0, validators=[MaxValueValidator(20)])
    mandatory = models.BooleanField(_("mandatory"), default=True)

    name = Translated("name")
    note = Translated("note")

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["service", "position", "id"]

    def __str__(self) -> str:
        return self.name


class FrozenError(ValidationError):
    pass


class ProcedureVersion(models.Model):
    """One version of a service's procedure. Published versions are immutable (see services.py)."""

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    notes = models.TextField(_("what changed"), blank=True, default="")

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["service", "-number"]
        constraints = [models.UniqueConstraint(fields=["service", "number"], name="procedure_version_unique")]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT


class _VersionPart(models.Model):
    """Steps and transitions: part of a version, and frozen with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if ProcedureVersion.objects.filter(pk=self.version_id).exclude(status=VersionStatus.DRAFT).exists():
            raise FrozenError(_("A published procedure version cannot be changed; create a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_frozen:
            raise FrozenError(_("A published procedure version cannot be changed; create a new version."))
        return super().delete(*args, **kwargs)


class Step(_VersionPart):
    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.SlugField(_("code"), max_length=64)
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Steps of the same stage run in parallel at their agencies."),
    )
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("citizen_label", max_length=255))
    agency = models.ForeignKey(
        Organization,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="procedure_steps",
        limit_choices_to=AGENCY_CHOICES,
    )
    role = models.CharField(_("acting role"), max_length=32, choices=Role.choices, default=Role.AGENCY_CLERK)
    # A legal term beyond a working year would be a typing mistake; the bound also keeps the API schema exact.
    term_days = models.PositiveSmallIntegerField(
        _("term, working days"), validators=[MinValueValidator(1), MaxValueValidator(260)]
    )
    clock_stops_for_citizen = models.BooleanField(_("clock stops while waiting for the citizen"), default=True)
    join = models.BooleanField(
        _("join"),
        default=False,
        help_text=_("Opens only after every parallel step leading into it has finished."),
    )
    documents = models.ManyToManyField(
        RequiredDocument, verbose_name=_("documents checked"), blank=True, related_name="steps"
    )

    name = Translated("name")
    citizen_label = Translated("citizen_label")

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["version", "stage", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="step_code_unique")]

    def __str__(self) -> str:
        return f"{self.stage}. {self.name}"


class StepField(models.Model):
    """One piece of a step's output: what the agency fills in when it completes the step (a register
    entry's number, an area, a date), printed with its label on the result. Frozen with its version."""

    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.CASCADE, related_name="output_fields")
    code = models.SlugField(
        _("code"), max_length=64, help_text=_("Stays the same in every language; the values are stored under it.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, validators=[MaxValueValidator(9999)])
    locals().update(translated_fields("label", max_length=255))
    kind = models.CharField(_("kind"), max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    locals().update(translated_fields("options", field_class=models.TextField, required=()))

    label = Translated("label")
    options = Translated("options")

    class Meta:
        verbose_name = _("output field")
        verbose_name_plural = _("output fields")
        ordering = ["step", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "code"], name="step_field_code_unique")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        if self._frozen():
            raise FrozenError(_("A published procedure version cannot be changed; create a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._frozen():
            raise FrozenError(_("A published procedure version cannot be changed; create a new version."))
        return super().delete(*args, **kwargs)

    def _frozen(self) -> bool:
        return ProcedureVersion.objects.filter(steps=self.step_id).exclude(status=VersionStatus.DRAFT).exists()

    def option_lines(self, suffix: str) -> list[str]:
        return [line.strip() for line in (getattr(self, f"options_{suffix}", "") or "").splitlines() if line.strip()]

    def clean(self):
        latin = self.option_lines("uz")
        if self.kind == FieldKind.CHOICE and not latin:
            raise ValidationError({"options_uz": _("List the choices, one a line.")})
        if self.kind != FieldKind.CHOICE and any(self.option_lines(s) for s in CONTENT_LANGUAGES):
            raise ValidationError({"kind": _("Only a choice field has a list of choices.")})
        for suffix in CONTENT_LANGUAGES[1:]:
            lines = self.option_lines(suffix)
            if lines and len(lines) != len(latin):
                raise ValidationError(
                    {f"options_{suffix}": _("Give as many choices, in the same order, as in Uzbek (Latin).")}
                )


class Transition(_VersionPart):
    """From a step (or from submission, when empty) on an action to a step (or to the end)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_step = models.ForeignKey(
        Step,
        verbose_name=_("from step"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing",
        help_text=_("Empty: when the application is submitted."),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    to_step = models.ForeignKey(
        Step,
        verbose_name=_("to step"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incoming",
        help_text=_("Empty: the procedure ends with the outcome below."),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, default="")
    roles = models.JSONField(_("roles allowed"), default=list, blank=True)
    effects = models.JSONField(_("effects"), default=list, blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["version", "from_step__stage", "id"]

    def __str__(self) -> str:
        source = self.from_step.code if self.from_step_id else "∅"
        target = self.to_step.code if self.to_step_id else f"end:{self.outcome}"
        return f"{source} —{self.action}→ {target}"

    def clean(self):
        errors = {}
        if self.to_step_id is None and not self.outcome:
            errors["outcome"] = _("A transition to the end needs an outcome.")
        if self.to_step_id is not None and self.outcome:
            errors["outcome"] = _("Only a transition to the end has an outcome.")
        unknown_roles = set(self.roles or []) - set(Role.values)
        if unknown_roles:
            errors["roles"] = _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown_roles))}
        unknown_effects = set(self.effects or []) - set(Effect.values)
        if unknown_effects:
            errors["effects"] = _("Unknown effects: %(effects)s") % {"effects": ", ".join(sorted(unknown_effects))}
        for field in ("from_step", "to_step"):
            step = getattr(self, field) if getattr(self, f"{field}_id") else None
            if step is not None and step.version_id != self.version_id:
                errors[field] = _("The step belongs to another version.")
        if errors:
            raise ValidationError(errors)
