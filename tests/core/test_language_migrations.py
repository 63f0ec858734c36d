"""Migrations 0009 and 0010: an organization's one short name becomes its Uzbek (Latin) one, and the official
calendar already loaded is named again (Russian names for every day off, the Saturday worked named by its day
off), days an administrator entered left as they are."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("core", "0008_audit_chain_required")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets=None):
    """To `targets`, or (None) forward to every app's latest migration, as the other tests expect."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_short_names_and_the_official_calendar_are_carried_into_every_language():
    old = _migrate(BEFORE)
    try:
        old.get_model("core", "Organization").objects.create(
            code="old-cadastre", kind="agency", name_uz="Kadastr agentligi", name_ru="Агентство по кадастру",
            short_name="Kadastr",
        )  # fmt: skip
        Holiday = old.get_model("core", "Holiday")
        Holiday.objects.create(
            date=dt.date(2026, 12, 12), kind="working_day", source="official",
            name_uz="Ish kuni (koʻchirilgan)", name_ru="Рабочий день (перенесённый)",
            name_en="Working day (transferred)",
        )  # fmt: skip
        Holiday.objects.create(
            date=dt.date(2026, 12, 31), kind="day_off", source="official",
            name_uz="Dam olish kuni (12/12 2026 dan koʻchirilgan)", name_en="Day off (substituted from 12/12/2026)",
        )  # fmt: skip
        Holiday.objects.create(
            date=dt.date(2026, 4, 15), kind="day_off", source="manual", name_uz="Qaror bilan", name_en="By decree"
        )
        new = _migrate()
        cadastre = new.get_model("core", "Organization").objects.get(code="old-cadastre")
        assert (cadastre.short_name_uz, cadastre.short_name_ru) == ("Kadastr", "")
        Holiday = new.get_model("core", "Holiday")
        worked = Holiday.objects.get(date=dt.date(2026, 12, 12))
        assert worked.name_ru == "вместо выходного дня 31.12.2026"
        assert Holiday.objects.get(date=dt.date(2026, 12, 31)).name_ru == "Выходной день (перенесён с 12.12.2026)"
        manual = Holiday.objects.get(date=dt.date(2026, 4, 15))
        assert (manual.name_uz, manual.name_ru) == ("Qaror bilan", "")
    finally:
        _migrate()
        from darcha.core.models import Holiday as Current
        from darcha.core.models import Organization

        Organization.objects.filter(code="old-cadastre").delete()
        Current.objects.filter(date__in=[dt.date(2026, 12, 12), dt.date(2026, 12, 31), dt.date(2026, 4, 15)]).delete()
