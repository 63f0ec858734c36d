from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from .choices import HolidayKind, HolidaySource, OrganizationKind, PersonKind, Role
from .i18n import LANGUAGE_CHOICES, Translated, translated_fields


class Organization(models.Model):
    """A node of the tree region → city/district → hokimiyat, center, agency."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganizationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of ancestor ids ("/1/4/9/"), so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    locals().update(translated_fields("name", max_length=255))
    locals().update(translated_fields("short_name", max_length=64, required=()))
    address = models.CharField(_("address"), max_length=255, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)

    name = Translated("name")
    # "Kadastr", "Кадастр": in the page's language; without one of its own, the name in that language.
    short_name = Translated("short_name", fallback="name")

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The path needs the row's own id, so it is derived after the first write.
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != self.path:
            old_path, self.path = self.path, new_path
            type(self).objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                for child in type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.save(update_fields=["path"])

    def descendants(self, include_self: bool = True):
        qs = type(self).objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return type(self).objects.filter(pk__in=ids).order_by("path")


class User(AbstractUser):
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="uz",
        choices=LANGUAGE_CHOICES,
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A role a user holds within one organization (and, for administrators, its subtree)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class Holiday(models.Model):
    """A day that differs from the ordinary Monday–Friday working week."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=HolidayKind.choices, default=HolidayKind.DAY_OFF)
    locals().update(translated_fields("name", max_length=255))
    source = models.CharField(_("source"), max_length=16, choices=HolidaySource.choices, default=HolidaySource.MANUAL)

    name = Translated("name")

    class Meta:
        verbose_name = _("holiday or transferred day")
        verbose_name_plural = _("holidays and transferred days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class OpeningHours(models.Model):
    """When a center receives citizens on one weekday (no row: closed that day)."""

    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
        limit_choices_to={"kind": OrganizationKind.CENTER},
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["center", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["center", "weekday"], name="opening_hours_one_per_day"),
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="opening_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class BaseCalculationAmount(models.Model):
    """BRV (bazaviy hisoblash miqdori): the amount fees are multiples of, from a given date."""

    valid_from = models.DateField(_("valid from"), unique=True)
    amount = models.PositiveIntegerField(_("amount, so'm"))
    decree = models.CharField(_("decree"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("base calculation amount (BRV)")
        verbose_name_plural = _("base calculation amounts (BRV)")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}: {self.amount:,} so'm".replace(",", " ")


class AuditChain(models.Model):
    """One organization's audit chain, or the system's (see core.audit): how long it is and its last hash.

    Appending locks this row until the transaction commits, so writers of one chain go one at a time
    while writers of two chains (two centers) never wait for each other."""

    # "system", or "organization:<id>": part of every entry's hash, and of every checkpoint's root.
    key = models.CharField(_("chain"), max_length=40, unique=True, editable=False)
    # No database constraint: an organization deleted keeps its chain.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    length = models.PositiveBigIntegerField(_("entries"), default=0)
    head = models.CharField(_("last hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chains")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class AuditCheckpoint(models.Model):
    """Every audit chain's head on a day, hashed into one root with the previous checkpoint's (core.audit)."""

    day = models.DateField(_("day"), unique=True)
    created_at = models.DateTimeField(_("time"))
    # [[chain key, length, head hash], ...] in key order
    heads = models.JSONField(_("chain heads"))
    prev_root = models.CharField(max_length=64)
    root = models.CharField(_("root hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.root}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit checkpoints are append-only")


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every state change (see core.audit)."""

    chain = models.ForeignKey(AuditChain, verbose_name=_("chain"), on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveBigIntegerField(_("number in its chain"))
    created_at = models.DateTimeField(_("time"), db_index=True)
    # No database constraint: deleting a user must never rewrite the audit trail.
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    object_repr = models.CharField(_("object"), max_length=255, blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        # One entry per place in a chain: two writers racing past the lock could never fork it.
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class Person(models.Model):
    """An applicant: a citizen (by PINFL or passport) or a legal entity (by STIR).

    Identifiers are stored in their normalised form (see core.identifiers); screens show them
    masked to roles that do not need them.
    """

    kind = models.CharField(_("applicant kind"), max_length=16, choices=PersonKind.choices)
    pinfl = models.CharField(_("PINFL"), max_length=14, null=True, blank=True, unique=True)
    passport = models.CharField(_("passport"), max_length=9, blank=True, default="", db_index=True)
    stir = models.CharField(_("STIR"), max_length=9, null=True, blank=True, unique=True)
    name = models.CharField(_("full name or organization name"), max_length=255)
    phone = models.CharField(_("phone"), max_length=16, blank=True, default="")
    email = models.EmailField(_("email"), blank=True, default="")
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="uz",
        choices=LANGUAGE_CHOICES,
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="individual", stir__isnull=True)
                    & (models.Q(pinfl__isnull=False) | ~models.Q(passport=""))
                )
                | models.Q(kind="legal_entity", stir__isnull=False, pinfl__isnull=True),
                name="person_identified",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.stir or self.pinfl or self.passport

    @property
    def masked_identifier(self) -> str:
        from .identifiers import mask_identifier

        return mask_identifier(self.identifier, visible=4 if len(self.identifier) > 9 else 2)


class ApiToken(AbstractAuthToken):
    """A revocable API token of one user (django-rest-knox): only its hash is stored, the token itself is shown
    once, when it is made. Sent as `Authorization: Token <token>`; revoking deletes it."""

    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the partner's kiosk."))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class IdempotentRequest(models.Model):
    """The first answer to an API POST carrying an Idempotency-Key, replayed for retries (`core.idempotency`).

    A signed-in caller's keys are its own (`user`); an anonymous caller's are its client address's (`client`)."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=64, blank=True, default="")
    key = models.CharField(max_length=128)
    endpoint = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotent API request")
        verbose_name_plural = _("idempotent API requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=models.Q(user__isnull=False), name="idempotency_key_unique"
            ),
            models.UniqueConstraint(
                fields=["client", "key"], condition=models.Q(user__isnull=True), name="idempotency_client_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
