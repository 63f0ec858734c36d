import datetime as dt
from decimal import Decimal

import pytest

from darcha.core.money import NoBaseAmount, brv_on, format_som, resolve_fee


@pytest.mark.django_db
def test_brv_table_gives_the_amount_in_force():
    assert brv_on(dt.date(2024, 10, 1)) == 375_000
    assert brv_on(dt.date(2025, 7, 31)) == 375_000
    assert brv_on(dt.date(2025, 8, 1)) == 412_000
    with pytest.raises(NoBaseAmount):
        brv_on(dt.date(2020, 1, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, value, day, discount, expected",
    [
        ("brv_multiple", "1", dt.date(2025, 1, 10), 0, 375_000),
        ("brv_multiple", "1", dt.date(2026, 1, 10), 0, 412_000),
        ("brv_multiple", "0.5", dt.date(2026, 1, 10), 50, 103_000),
        ("brv_percent", "20", dt.date(2026, 1, 10), 0, 82_400),
        ("brv_percent", "15", dt.date(2025, 1, 10), 0, 56_250),
        ("fixed", "25000", dt.date(2026, 1, 10), 0, 25_000),
        ("free", "0", dt.date(2026, 1, 10), 0, 0),
    ],
)
def test_fees_resolved_on_the_day(kind, value, day, discount, expected):
    assert resolve_fee(kind, Decimal(value), day, discount) == expected


def test_rounding_to_whole_som_half_up():
    assert resolve_fee("brv_percent", "0.5", dt.date(2026, 1, 1), brv=1_001) == 5  # 5.005 → 5
    assert resolve_fee("fixed", "10.5", dt.date(2026, 1, 1)) == 11


def test_bad_discount_and_kind_refused():
    with pytest.raises(ValueError):
        resolve_fee("fixed", 100, dt.date(2026, 1, 1), discount_percent=120)
    with pytest.raises(ValueError):
        resolve_fee("barter", 100, dt.date(2026, 1, 1))


def test_format_som():
    assert format_som(1_234_567) == "1\u202f234\u202f567"
