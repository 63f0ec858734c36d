"""Money in whole so'm; fees as fixed amounts or as multiples/percentages of the BRV in force."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeKind(models.TextChoices):
    FREE = "free", _("Free of charge")
    FIXED = "fixed", _("Fixed amount in so'm")
    BRV_MULTIPLE = "brv_multiple", _("Multiple of the BRV")
    BRV_PERCENT = "brv_percent", _("Percentage of the BRV")


# The BRV by decree (DESIGN §5); migration 0002 enters these on a new database, `brv_seed` again where
# they are missing (a demo loaded into a database whose rows were emptied).
OFFICIAL_BRV = [
    (dt.date(2024, 10, 1), 375_000, "PF-150, 2024"),
    (dt.date(2025, 8, 1), 412_000, "PF-116, 2025"),
]


class NoBaseAmount(LookupError):
    pass


def brv_on(day: dt.date) -> int:
    """The BRV in force on `day`."""
    from .models import BaseCalculationAmount

    amount = (
        BaseCalculationAmount.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    if amount is None:
        raise NoBaseAmount(f"no BRV is recorded on or before {day}")
    return amount


def to_som(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def resolve_fee(
    kind: str, value: Decimal | int | str, day: dt.date, discount_percent: Decimal | int = 0, brv: int | None = None
) -> int:
    """The fee in so'm on `day`, after a percentage discount."""
    value = Decimal(str(value or 0))
    if kind == FeeKind.FREE:
        base = Decimal(0)
    elif kind == FeeKind.FIXED:
        base = value
    elif kind == FeeKind.BRV_MULTIPLE:
        base = value * (brv if brv is not None else brv_on(day))
    elif kind == FeeKind.BRV_PERCENT:
        base = value * (brv if brv is not None else brv_on(day)) / 100
    else:
        raise ValueError(f"unknown fee kind {kind!r}")
    discount = Decimal(str(discount_percent or 0))
    if not Decimal(0) <= discount <= Decimal(100):
        raise ValueError("a discount is between 0 and 100 %")
    return to_som(base * (Decimal(100) - discount) / 100)


def format_som(amount: int) -> str:
    """12 345 678 so'm, grouped with thin spaces the way receipts print it."""
    return f"{amount:,}".replace(",", "\u202f")
