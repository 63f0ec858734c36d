"""Mandatory disclosures: the seeded list of resolution 373 annex 3, the state of each category from its
last publication (a pure rule), marking by the press secretary only and of the kinds a category takes,
the public page per hokimiyat and the desk panel of what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.publications.disclosure_rules import DisclosureStatus, disclosure_state
from darcha.infoservice.publications.models_disclosures import DisclosureCategory
from darcha.infoservice.publications.selectors_disclosures import disclosure_rows, disclosures_due
from darcha.infoservice.publications.services.disclosures import disclosure_mark, disclosure_unmark

from . import subscription_helpers as helpers
from .editing_helpers import at
from .subscription_helpers import publish

pytestmark = pytest.mark.django_db
office, now_tasks = helpers.office, helpers.now_tasks
NOW = at(2026, 6, 1, 9)


def test_the_rule():
    day = dt.timedelta(days=1)
    assert disclosure_state(period_days=31, last_at=None, now=NOW).status == DisclosureStatus.MISSING
    assert disclosure_state(period_days=None, last_at=NOW - 400 * day, now=NOW).status == DisclosureStatus.OK
    assert disclosure_state(period_days=31, last_at=NOW - 10 * day, now=NOW).status == DisclosureStatus.OK
    soon = disclosure_state(period_days=31, last_at=NOW - 27 * day, now=NOW, soon_days=7)
    assert soon.status == DisclosureStatus.DUE_SOON and soon.due_at == NOW + 4 * day
    assert disclosure_state(period_days=31, last_at=NOW - 32 * day, now=NOW).status == DisclosureStatus.OVERDUE


def test_the_annex_list_is_seeded_as_data():
    assert DisclosureCategory.objects.count() >= 20
    decisions = DisclosureCategory.objects.get(code="decisions")
    assert decisions.period_days == 31 and decisions.kinds == ["decision"] and "373" in decisions.legal_basis


def test_marking_makes_the_category_up_to_date_and_then_overdue(office, django_capture_on_commit_callbacks):
    category = DisclosureCategory.objects.get(code="reception-schedule")  # every 31 days, announcements
    publication = publish(office, django_capture_on_commit_callbacks, kind="announcement", now=NOW)
    with pytest.raises(Forbidden):
        disclosure_mark(actor=office.writer, publication=publication, category=category)
    news = publish(office, django_capture_on_commit_callbacks, kind="news", now=NOW)
    with pytest.raises(Refused):
        disclosure_mark(actor=office.press, publication=news, category=category)
    disclosure = disclosure_mark(actor=office.press, publication=publication, category=category)
    with pytest.raises(Refused):
        disclosure_mark(actor=office.press, publication=publication, category=category)
    row = next(r for r in disclosure_rows(office.organization, NOW) if r.category == category)
    assert row.status == DisclosureStatus.OK and row.publication == publication
    later = NOW + dt.timedelta(days=40)
    assert category in [r.category for r in disclosures_due(office.organization, later)]
    row = next(r for r in disclosure_rows(office.organization, later) if r.category == category)
    assert row.status == DisclosureStatus.OVERDUE
    disclosure_unmark(actor=office.press, disclosure=disclosure)
    row = next(r for r in disclosure_rows(office.organization, NOW) if r.category == category)
    assert row.status == DisclosureStatus.MISSING


def test_the_public_page_and_the_desk(client, office, now_tasks, django_capture_on_commit_callbacks):
    category = DisclosureCategory.objects.get(code="contacts-and-hours")
    publication = publish(office, django_capture_on_commit_callbacks, kind="announcement")
    disclosure_mark(actor=office.press, publication=publication, category=category)
    response = client.get(reverse("publications:disclosures", args=[office.organization.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="c-contacts-and-hours" data-status="ok"' in page and "Yangi maktab ochildi" in page
    assert 'id="c-decisions" data-status="missing"' in page
    assert client.get(reverse("publications:disclosures_index")).status_code == 200
    assert client.get(reverse("publications:disclosures", args=["no-such"])).status_code == 404
    client.force_login(office.press)
    desk = client.get(reverse("core:desk")).content.decode()
    assert reverse("publications:staff_disclosures", args=[office.organization.code]) in desk
    staff = client.get(reverse("publications:staff_disclosures", args=[office.organization.code]))
    assert staff.status_code == 200
    response = client.post(
        reverse("publications:staff_disclosures", args=[office.organization.code]),
        {"publication": publication.pk, "category": DisclosureCategory.objects.get(code="decisions").pk},
    )
    assert response.status_code == 409  # an announcement does not disclose the hokim's decisions
    client.force_login(office.outsider)
    assert client.get(reverse("publications:staff_disclosures", args=[office.organization.code])).status_code == 403
