import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from darcha.core.audit import SYSTEM, audit_batch, audit_record, audit_verify
from darcha.core.models import AuditEntry
from darcha.core.services import brv_set
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _write_entries(count=5):
    org = OrganizationFactory()
    for i in range(count):
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="test", obj=org, data={"i": i, "name": "Oʻzbekiston"})


def test_chain_of_service_writes_verifies():
    user = UserFactory()
    brv_set(actor=user, valid_from=dt.date(2027, 1, 1), amount=450_000)
    _write_entries()
    checked, broken = audit_verify()
    assert broken is None and checked == AuditEntry.objects.count() >= 6
    assert AuditEntry.objects.filter(action="brv_set", actor=user).exists()


def test_altered_entry_is_caught():
    _write_entries()
    victim = AuditEntry.objects.order_by("id")[2]
    AuditEntry.objects.filter(pk=victim.pk).update(data={"i": 99})  # tampering bypasses save()
    checked, broken = audit_verify()
    assert broken.entry_id == victim.pk and "altered" in broken.reason
    with pytest.raises(CommandError, match=f"#{victim.pk}"):
        call_command("audit_verify")


def test_removed_entry_is_caught():
    _write_entries()
    entries = list(AuditEntry.objects.order_by("id"))
    AuditEntry.objects.filter(pk=entries[2].pk)._raw_delete(AuditEntry.objects.db)
    _checked, broken = audit_verify()
    assert broken.entry_id == entries[3].pk and "removed" in broken.reason


def test_entries_cannot_be_changed_or_deleted_through_the_model():
    _write_entries(1)
    entry = AuditEntry.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor=SYSTEM, action="test")


def test_command_reports_intact_chain(capsys):
    _write_entries(3)
    call_command("audit_verify")
    assert "3 entries verified" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_batch_appends_its_entries_together_at_its_end():
    org = OrganizationFactory()
    with transaction.atomic(), audit_batch():
        audit_record(actor=SYSTEM, action="first", obj=org)
        with audit_batch():  # a nested batch joins the outer one
            audit_record(actor=SYSTEM, action="second", obj=org)
        assert not AuditEntry.objects.filter(action__in=["first", "second"]).exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True))[-2:] == ["first", "second"]
    assert audit_verify() == (AuditEntry.objects.count(), None)


@pytest.mark.django_db
def test_a_failed_batch_leaves_no_entries():
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError), transaction.atomic(), audit_batch():
        audit_record(actor=SYSTEM, action="doomed")
        raise ValueError
    assert AuditEntry.objects.count() == before
    with transaction.atomic():
        audit_record(actor=SYSTEM, action="after")  # no batch left behind: written at once
        assert AuditEntry.objects.filter(action="after").exists()
