"""Mandatory disclosures (Law ZRU-369 on openness of public authorities; Cabinet resolution 373 of 15 June
2021, annex 3): what a hokimiyat must publish is data — categories with their legal basis and period —
and a publication is marked as disclosing a category. Imported at the end of models.py, so these are
models of the `publications` app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.i18n import Translated, translated_fields

from .choices import PublicationKind


def validate_kinds(value) -> None:
    if not isinstance(value, list) or any(kind not in PublicationKind.values for kind in value):
        raise ValidationError(
            _("Choose kinds of publication from: %(kinds)s.") % {"kinds": ", ".join(PublicationKind.values)},
            code="kinds",
        )


class DisclosureCategory(models.Model):
    """One item of the list a hokimiyat must publish: its name, legal basis, how often (every
    `period_days`, or only when it changes: null) and which kinds of publication satisfy it (any: [])."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    locals().update(translated_fields("name", max_length=300))
    locals().update(translated_fields("description", models.TextField, required=()))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    period_days = models.PositiveSmallIntegerField(
        _("period, days"),
        null=True,
        blank=True,
        help_text=_("Published again at least this often; empty: once, and again on every change."),
    )
    kinds = models.JSONField(
        _("kinds of publication"),
        default=list,
        blank=True,
        validators=[validate_kinds],
        help_text=_("The kinds of publication that satisfy the category; empty: any kind."),
    )
    is_active = models.BooleanField(_("in force"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    name = Translated("name")
    description = Translated("description")

    class Meta:
        verbose_name = _("mandatory disclosure category")
        verbose_name_plural = _("mandatory disclosure categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def on_change(self) -> bool:
        return self.period_days is None

    def accepts(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class Disclosure(models.Model):
    """A publication marked as disclosing one category for its organization."""

    publication = models.ForeignKey(
        "publications.Publication",
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="disclosures",
    )
    category = models.ForeignKey(
        DisclosureCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="disclosures"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mandatory disclosure")
        verbose_name_plural = _("mandatory disclosures")
        ordering = ["category", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "category"], name="disclosure_publication_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}: {self.publication}"
