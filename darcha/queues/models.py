from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization


class Counter(models.Model):
    """A service window of a center; it serves the services and categories chosen for it."""

    center = models.ForeignKey(
        Organization,
        verbose_name=_("center"),
        on_delete=models.PROTECT,
        related_name="counters",
        limit_choices_to={"kind": OrganizationKind.CENTER},
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
