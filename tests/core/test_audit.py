import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from darcha.core.audit import (
    GENESIS_HASH,
    SYSTEM,
    SYSTEM_CHAIN,
    audit_batch,
    audit_checkpoint,
    audit_checkpoint_job,
    audit_record,
    audit_report,
    audit_verify,
    chain_key,
    checkpoint_root,
    entry_hash,
)
from darcha.core.choices import OrganizationKind
from darcha.core.models import AuditChain, AuditCheckpoint, AuditEntry
from darcha.core.scheduler import registered_jobs
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


# --- one chain per organization, checkpoints --------------------------------------------------------


def _record(org, count, action="test"):
    for i in range(count):
        with transaction.atomic():
            audit_record(actor=SYSTEM, action=action, obj=org, data={"i": i})


def _chain(org) -> AuditChain:
    return AuditChain.objects.get(key=chain_key(org.pk))


def test_each_organization_has_its_own_chain_verified_on_its_own():
    center, agency = OrganizationFactory(kind=OrganizationKind.CENTER), OrganizationFactory()
    _record(center, 3)
    _record(agency, 2)
    with transaction.atomic():
        audit_record(actor=SYSTEM, action="no_object")  # no organization: the system's chain
        audit_record(actor=SYSTEM, action="named", organization=center)  # named by the caller
    assert list(_chain(center).entries.order_by("seq").values_list("seq", "action")) == [
        (1, "test"),
        (2, "test"),
        (3, "test"),
        (4, "named"),
    ]
    assert _chain(agency).length == 2 and _chain(center).length == 4
    assert AuditEntry.objects.get(action="no_object").chain.key == SYSTEM_CHAIN
    report = audit_report()
    assert report.ok and report.entries == AuditEntry.objects.count()
    entries = {chain.key: chain.entries for chain in report.chains}
    assert (entries[chain_key(center.pk)], entries[chain_key(agency.pk)]) == (4, 2)


def test_a_batch_puts_entries_without_an_organization_in_the_chain_of_its_first_with_one():
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    with transaction.atomic(), audit_batch():
        audit_record(actor=SYSTEM, action="person_register")  # the applicant: no organization of its own
        audit_record(actor=SYSTEM, action="application_submit", obj=center)
    assert list(_chain(center).entries.values_list("action", flat=True)) == ["person_register", "application_submit"]


def test_tampering_breaks_only_its_chain_and_is_reported_with_where(capsys):
    center, agency = OrganizationFactory(kind=OrganizationKind.CENTER), OrganizationFactory()
    _record(center, 4)
    _record(agency, 3)
    victim = _chain(center).entries.get(seq=2)
    AuditEntry.objects.filter(pk=victim.pk).update(data={"i": 99})  # bypasses save()
    report = audit_report()
    by_key = {chain.key: chain for chain in report.chains}
    broken = by_key[chain_key(center.pk)].broken
    assert (broken.chain, broken.seq, broken.entry_id) == (chain_key(center.pk), 2, victim.pk)
    assert "altered" in broken.reason and by_key[chain_key(center.pk)].entries == 1
    assert by_key[chain_key(agency.pk)].broken is None and by_key[chain_key(agency.pk)].entries == 3
    assert report.problems == [broken]
    with pytest.raises(
        CommandError, match=rf"BROKEN {chain_key(center.pk)} \({center.code}\) at entry 2 \(#{victim.pk}\): .*altered"
    ):
        call_command("audit_verify")
    assert f"{chain_key(agency.pk)} ({agency.code}): 3 entries intact" in capsys.readouterr().out


def test_entries_deleted_from_a_chains_end_disagree_with_its_head_row():
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    _record(center, 4)
    last = _chain(center).entries.get(seq=4)
    AuditEntry.objects.filter(pk=last.pk)._raw_delete(AuditEntry.objects.db)
    _checked, broken = audit_verify()
    assert broken.chain == chain_key(center.pk) and "head row says 4 entries, the chain holds 3" in broken.reason


def test_a_race_can_never_fork_a_chain():
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    _record(center, 1)
    first = _chain(center).entries.get()
    fork = {f.attname: getattr(first, f.attname) for f in AuditEntry._meta.concrete_fields if f.attname != "id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.bulk_create([AuditEntry(**{**fork, "hash": "f" * 64})])  # a second entry 1


def test_a_checkpoint_covers_every_chains_head(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    center, agency = OrganizationFactory(kind=OrganizationKind.CENTER), OrganizationFactory()
    _record(center, 2)
    _record(agency, 1)
    checkpoint = audit_checkpoint(now=dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC))  # 04:00 on 2 December here
    assert checkpoint.day == dt.date(2026, 12, 2)
    heads = {key: (length, head) for key, length, head in checkpoint.heads}
    assert set(heads) == set(AuditChain.objects.values_list("key", flat=True))
    assert heads[chain_key(center.pk)] == (2, _chain(center).entries.get(seq=2).hash)
    assert checkpoint.root == checkpoint_root(day=checkpoint.day, heads=checkpoint.heads, prev_root=GENESIS_HASH)
    written = json.loads((tmp_path / "2026-12-02.json").read_text())
    assert written["root"] == checkpoint.root and written["heads"] == checkpoint.heads
    # Once a day: made again the same day, the same checkpoint; the next day's follows it.
    assert audit_checkpoint(now=dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)).pk == checkpoint.pk
    _record(center, 1)
    following = audit_checkpoint(now=dt.datetime(2026, 12, 3, 0, 5, tzinfo=dt.UTC))
    assert following.prev_root == checkpoint.root
    report = audit_report()
    assert report.ok and report.checkpoints == 2
    call_command("audit_verify", anchor=[str(tmp_path)])
    job = next(job for job in registered_jobs() if job.name == "audit.checkpoint")
    assert job.schedule == "daily at 00:05" and job.func is audit_checkpoint_job


def test_a_head_changed_after_its_checkpoint_is_caught(settings, tmp_path):
    """Rewriting a chain from an entry on, every hash after it and its head row recomputed, verifies as a
    chain: the checkpoint's head does not."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    center, agency = OrganizationFactory(kind=OrganizationKind.CENTER), OrganizationFactory()
    _record(center, 3)
    _record(agency, 2)
    audit_checkpoint()
    _record(center, 1)  # appended after the checkpoint: fine
    assert audit_report().ok
    chain = _chain(center)
    prev_hash = chain.entries.get(seq=1).hash
    for entry in chain.entries.filter(seq__gte=2).order_by("seq"):
        data = {"i": 99} if entry.seq == 2 else entry.data
        digest = entry_hash(
            chain=chain.key,
            seq=entry.seq,
            prev_hash=prev_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            data=data,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(data=data, prev_hash=prev_hash, hash=digest)
        prev_hash = digest
    AuditChain.objects.filter(pk=chain.pk).update(head=prev_hash)
    report = audit_report()
    (problem,) = report.problems
    assert (problem.chain, problem.seq) == (chain.key, 3) and "checkpoint of" in problem.reason
    assert {c.key: c.broken for c in report.chains}[chain_key(agency.pk)] is None


def test_entries_deleted_after_a_checkpoint_with_the_head_row_rewritten_are_caught(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    _record(center, 3)
    audit_checkpoint()
    chain = _chain(center)
    AuditEntry.objects.filter(chain=chain, seq=3)._raw_delete(AuditEntry.objects.db)
    AuditChain.objects.filter(pk=chain.pk).update(length=2, head=chain.entries.get(seq=2).hash)
    _checked, broken = audit_verify()
    assert broken.chain == chain.key and "recorded 3 entries, the chain now holds 2" in broken.reason


def test_a_rewritten_checkpoint_is_caught_and_the_copy_outside_disagrees(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    _record(center, 2)
    checkpoint = audit_checkpoint()
    kept = tmp_path / f"{checkpoint.day}.json"
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(heads=[[chain_key(center.pk), 1, "0" * 64]])
    (altered,) = [problem for problem in audit_report().problems if not problem.chain]
    assert altered.checkpoint == checkpoint.day and "root does not match its heads (checkpoint altered)" in str(altered)
    # Rewritten consistently (its root recomputed), the database verifies; the copy outside does not agree.
    heads = [[chain_key(center.pk), 1, _chain(center).entries.get(seq=1).hash]]
    root = checkpoint_root(day=checkpoint.day, heads=heads, prev_root=GENESIS_HASH)
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(heads=heads, root=root)
    assert audit_verify()[1] is None
    with pytest.raises(CommandError, match=f"checkpoint of {checkpoint.day} kept outside the database is not in it"):
        call_command("audit_verify", anchor=[str(kept)])
    with pytest.raises(CommandError, match="is not in it"):
        call_command("audit_verify", anchor=[checkpoint.root])
