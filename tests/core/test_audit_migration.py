"""Migration 0007 re-chains an existing audit log per organization, and refuses a broken one."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from darcha.core.audit import SYSTEM_CHAIN, audit_report, chain_key
from darcha.core.models import AuditChain, AuditEntry

BEFORE = [("core", "0005_idempotentrequest")]
CHAINED = [("core", "0008_audit_chain_required")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets=None):
    """To `targets`, or (None) forward to every app's latest migration, as the other tests expect."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_log(apps, *, break_at: int | None = None) -> dict[str, int]:
    """Entries hashed as one chain (the code before 0006), about two organizations, an operator-less
    object and nothing; returns the organizations' ids."""
    Organization = apps.get_model("core", "Organization")
    AuditEntry = apps.get_model("core", "AuditEntry")
    center = Organization.objects.create(code="old-center", kind="center", name_uz="Markaz")
    agency = Organization.objects.create(code="old-agency", kind="agency", name_uz="Idora")
    subjects = [
        ("core.organization", center.pk),
        ("core.organization", agency.pk),
        ("core.organization", center.pk),
        ("", ""),
        ("core.organization", 999_999),  # deleted since: the system's chain
        ("core.organization", agency.pk),
    ]
    prev_hash, start = "0" * 64, dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    for i, (object_type, object_id) in enumerate(subjects):
        created_at = start + dt.timedelta(minutes=i)
        fields = [created_at.isoformat(), None, "system", f"old_{i}", object_type, str(object_id), "", {"i": i}]
        payload = json.dumps(
            [prev_hash, *fields], sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
        )
        digest = hashlib.sha256(payload.encode()).hexdigest()
        AuditEntry.objects.create(
            created_at=created_at,
            actor_label="system",
            action=f"old_{i}",
            object_type=object_type,
            object_id=str(object_id),
            data={"i": 99 if i == break_at else i},
            prev_hash=prev_hash,
            hash=digest,
        )
        prev_hash = digest
    return {"center": center.pk, "agency": agency.pk}


def test_existing_entries_are_rechained_per_organization():
    try:
        ids = _old_log(_migrate(BEFORE))
    finally:
        _migrate()
    chains = {
        chain.key: list(chain.entries.order_by("seq").values_list("seq", "action"))
        for chain in AuditChain.objects.all()
    }
    assert chains[chain_key(ids["center"])] == [(1, "old_0"), (2, "old_2")]
    assert chains[chain_key(ids["agency"])] == [(1, "old_1"), (2, "old_5")]
    assert chains[SYSTEM_CHAIN] == [(1, "old_3"), (2, "old_4")]
    report = audit_report()
    assert report.ok and report.entries == AuditEntry.objects.count() == 6


def test_a_broken_log_is_not_rechained():
    try:
        apps = _migrate(BEFORE)
        _old_log(apps, break_at=2)
        broken = apps.get_model("core", "AuditEntry").objects.get(action="old_2")
        with pytest.raises(RuntimeError, match=f"broken at entry #{broken.pk}"):
            _migrate(CHAINED)
    finally:
        apps = _migrate(BEFORE)
        apps.get_model("core", "AuditEntry").objects.all().delete()
        _migrate()
