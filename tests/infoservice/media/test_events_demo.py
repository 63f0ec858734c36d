"""The press events' demo stage (darcha/demo/media_events.py over media_events.toml): a year of the city
hokimiyat's press events with one month without any, one announced for next week; loaded again it adds
nothing; without journalists nobody is invited and nothing fails."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from django.utils import timezone

from darcha.demo import media_events
from darcha.demo.reader import load_region
from darcha.infoservice.media.events import months, selectors
from darcha.infoservice.media.events.choices import PressEventStatus
from darcha.infoservice.media.models_events import PressEvent
from tests.infoservice.media.events_helpers import hokimiyat, journalist_now, press_secretary

pytestmark = pytest.mark.django_db
CITY = "namangan-city-hokimiyat"


def _loader(office):
    specs = [spec for spec in load_region("namangan")["press_events"] if spec["organization"] == CITY]
    return SimpleNamespace(
        data={"press_events": specs, "publications": {"press": {CITY: "press"}}},
        orgs={CITY: office},
        result=SimpleNamespace(created=Counter()),
    )


def test_a_year_of_press_events_with_one_month_missed_and_one_coming(django_capture_on_commit_callbacks):
    office = hokimiyat(CITY)
    press_secretary(office)
    loader = _loader(office)
    with django_capture_on_commit_callbacks(execute=True):
        made = media_events.load(loader, now=timezone.now())
    assert made == len(loader.data["press_events"]) == loader.result.created["press events"]
    events = PressEvent.objects.filter(organization=office)
    assert events.filter(status=PressEventStatus.ANNOUNCED).count() == 1
    assert events.filter(status=PressEventStatus.HELD).count() == made - 1
    assert events.filter(materials__isnull=False).distinct().count() >= 4
    summary = selectors.month_summary(office)
    assert len(months.missed_months(summary)) == 1
    assert media_events.load(loader, now=timezone.now()) == 0  # idempotent


def test_the_coming_event_invites_and_registers_the_demo_journalist(django_capture_on_commit_callbacks):
    office = hokimiyat(CITY)
    press_secretary(office)
    demo = journalist_now(office, "journalist")
    media_events.load(_loader(office), now=timezone.now())
    coming = PressEvent.objects.get(organization=office, status=PressEventStatus.ANNOUNCED)
    assert coming.invitations.filter(journalist=demo).exists()
    assert coming.registrations.filter(journalist=demo).exists()
