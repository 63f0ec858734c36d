"""The center's desk card lists the days off and the Saturdays worked ahead in the desk's language,
each said once: "12 декабря, Сб — рабочий день вместо выходного дня 31.12.2026"."""

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.choices import HolidayKind, HolidaySource
from darcha.core.models import Holiday, User
from darcha.core.services import official_days
from tests.core.helpers import PageText

pytestmark = pytest.mark.django_db


def desk_text(client, prefix: str) -> str:
    response = client.get(f"{prefix}/desk/")
    assert response.status_code == 200
    parser = PageText()
    parser.feed(response.content.decode())
    return parser.text()


def test_the_days_ahead_are_named_in_the_desks_language_and_a_working_day_said_once(client, demo):
    # The official names of 31 December 2026 (a day off for Saturday 12 December) on days just ahead.
    names = official_days([2026])
    today = timezone.localdate()
    for offset, official in ((3, dt.date(2026, 12, 31)), (4, dt.date(2026, 12, 12))):
        Holiday.objects.update_or_create(
            date=today + dt.timedelta(days=offset), defaults={**names[official], "source": HolidaySource.OFFICIAL}
        )
    assert names[dt.date(2026, 12, 12)]["kind"] == HolidayKind.WORKING_DAY
    client.force_login(User.objects.get(username="manager"))
    russian = desk_text(client, "/ru")
    assert "Выходной день (перенесён с 12.12.2026)" in russian
    assert "рабочий день вместо выходного дня 31.12.2026" in russian
    assert "Dam olish kuni" not in russian and "рабочий день рабочий день" not in russian.lower()
    assert "Рабочий день (перенесённый) рабочий день" not in russian
    uzbek = desk_text(client, "")
    assert "ish kuni 31.12.2026-dagi dam olish kuni oʻrniga" in uzbek
    assert "Dam olish kuni (12.12.2026-dan koʻchirilgan)" in uzbek
