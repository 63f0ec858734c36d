"""The tamper-evident audit log: one hash chain per organization, and daily checkpoints over them all.

Entries are written only by `audit_record`, inside the caller's transaction, so a state change
and its audit entry commit or roll back together.

Each entry belongs to one organization's chain — each center, agency and hokimiyat has its own —
or to the system's chain: the organization the caller names (`organization=`), or else the one
the entry's object belongs to (`audit_organization_id`). An entry holds its chain's key, its
number in the chain (`seq`, from 1) and the hash of the entry before it in that chain; its own
hash covers all of these and its content.

Appending locks the chain's head row (`AuditChain`, SELECT … FOR UPDATE) until the transaction
commits: writers of one chain go one at a time, writers of two chains (two centers) never wait
for each other. A unique (chain, seq) means no race can fork a chain. A transaction made of
several service calls (registering the applicant, then the application) wraps them in
`audit_batch()`, which keeps the entries aside and appends them together at its end, so a chain is
locked for the last moment of the transaction rather than the whole of it; the batch's entries
that name no organization join the chain of the first that does (the applicant registered with an
application goes to the center's chain), and the batch locks its chains in key order.

A chain verifies on its own (`audit_report`): a gap, a broken link, an altered entry, or a head
row that disagrees with the chain's last entry. That cannot catch entries deleted from a chain's
end together with its head row rewritten, so once a day `audit_checkpoint` hashes every chain's
(key, length, head) with the previous checkpoint's root into one root (`AuditCheckpoint`), and
writes it to a file in AUDIT_CHECKPOINT_DIR for the operators to copy off the machine
(docs/operations.md). Verification checks each checkpoint's root and that every head it recorded
is still in its chain; `darcha audit_verify --anchor FILE` checks that a checkpoint copied off the
machine is still the database's.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditChain, AuditCheckpoint, AuditEntry, Organization, User

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"


@dataclass(frozen=True)
class SystemActor:
    """The actor for changes made by the system itself (scheduled jobs, data loading)."""

    label: str = "system"

    @property
    def pk(self):
        return None


SYSTEM = SystemActor()

# What the labels of system actors (kept in audit entries and application histories) are called on a
# page: the applicant acting online, the system, a kiosk or an API client of a center.
_ACTOR_NAMES = {
    "system": _("System"),
    "citizen": _("Applicant"),
    "online-booking": _("Applicant"),
    "api:online-booking": _("Applicant"),
    "telegram": _("Telegram"),
}
_ACTOR_KINDS = {"kiosk": _("Kiosk"), "api": "API"}


def actor_name(label: str) -> str:
    """A system actor's label as people read it, in the current language ("citizen" → "Ariza beruvchi")."""
    if label in _ACTOR_NAMES:
        return str(_ACTOR_NAMES[label])
    kind = label.split(":", 1)[0]
    return str(_ACTOR_KINDS.get(kind, label))


def actor_user(actor) -> User | None:
    """The user behind an actor: the User itself, or None for a system actor (or anything else)."""
    return actor if isinstance(actor, User) else None


def chain_key(organization_id: int | None) -> str:
    """The key of an organization's chain, or of the system's (None)."""
    return SYSTEM_CHAIN if organization_id is None else f"organization:{int(organization_id)}"


# The attributes an object may name its organization by, in order: a model whose organization is
# further away defines `audit_organization_id` (queues.OperatorSession: its counter's center).
_ORGANIZATION_ATTRIBUTES = ("audit_organization_id", "organization_id", "center_id", "agency_id")


def audit_organization_id(obj: models.Model | None) -> int | None:
    """The organization whose chain entries about `obj` go to: an Organization itself, or the
    organization, center or agency the object belongs to; None (the system's chain) for the rest."""
    if obj is None:
        return None
    if isinstance(obj, Organization):
        return obj.pk
    for attribute in _ORGANIZATION_ATTRIBUTES:
        value = getattr(obj, attribute, None)
        if value is not None:
            return value
    return None


def _organization_id(organization) -> int | None:
    if organization is None or isinstance(organization, int):
        return organization
    if isinstance(organization, Organization):
        if organization.pk is None:
            raise ValueError("audit_record: the organization is not saved")
        return organization.pk
    raise TypeError(f"audit_record: organization must be an Organization or its id, not {type(organization).__name__}")


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def entry_hash(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    created_at,
    actor_id,
    actor_label,
    action,
    object_type,
    object_id,
    object_repr,
    data,
) -> str:
    payload = _canonical(
        [
            chain,
            seq,
            prev_hash,
            created_at.astimezone(dt.UTC).isoformat(),
            actor_id,
            actor_label,
            action,
            object_type,
            str(object_id),
            object_repr,
            data,
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def heads_root(heads: list) -> str:
    """One hash over every chain's [key, length, head], whatever order they are given in."""
    ordered = sorted([str(key), int(length), str(head)] for key, length, head in heads)
    return hashlib.sha256(_canonical(ordered).encode()).hexdigest()


def checkpoint_root(*, day: dt.date | str, heads: list, prev_root: str) -> str:
    """A checkpoint's root: its day, the root over its heads and the previous checkpoint's root."""
    day = day if isinstance(day, str) else day.isoformat()
    payload = _canonical(["darcha-audit-checkpoint", prev_root, day, heads_root(heads)])
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain(organization_id: int | None) -> AuditChain:
    """The chain's head row, locked until the transaction ends (made on its first entry).

    SQLite runs every transaction IMMEDIATE (settings), which already serialises writers; there
    SELECT … FOR UPDATE is plain SELECT."""
    key = chain_key(organization_id)
    chain = AuditChain.objects.select_for_update().filter(key=key).first()
    if chain is None:
        # Two first entries racing: PostgreSQL makes the second INSERT wait for the first's commit,
        # then skip; both then lock the one row.
        AuditChain.objects.bulk_create(
            [AuditChain(key=key, organization_id=organization_id, head=GENESIS_HASH)], ignore_conflicts=True
        )
        chain = AuditChain.objects.select_for_update().get(key=key)
    return chain


def _append(pending: list[tuple[int | None, dict]]) -> list[AuditEntry]:
    """Write entries after their chains' last ones, locking each chain (in key order) until commit."""
    by_chain: dict[int | None, list[dict]] = {}
    for organization_id, fields in pending:
        by_chain.setdefault(organization_id, []).append(fields)
    written = []
    for organization_id in sorted(by_chain, key=chain_key):
        chain = _lock_chain(organization_id)
        seq, prev_hash = chain.length, chain.head
        entries = []
        for fields in by_chain[organization_id]:
            seq += 1
            digest = entry_hash(chain=chain.key, seq=seq, prev_hash=prev_hash, **fields)
            entries.append(AuditEntry(**fields, chain=chain, seq=seq, prev_hash=prev_hash, hash=digest))
            prev_hash = digest
        written += AuditEntry.objects.bulk_create(entries)
        AuditChain.objects.filter(pk=chain.pk).update(length=seq, head=prev_hash)
    return written


_batch = threading.local()


@contextmanager
def audit_batch():
    """Inside a transaction: keep this block's audit entries and append them all when it ends.

        with transaction.atomic(), audit_batch():
            person = person_register(...)
            application_submit(...)

    An exception leaving the block discards them with the transaction. Nested batches join the
    outer one. Entries that name no organization go to the chain of the batch's first entry that
    does. (A savepoint rolled back *inside* the block, its exception caught there, would keep its
    entries: service functions let their exceptions out, so none does that.)
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch must be used inside transaction.atomic()")
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending = []
    try:
        yield
        pending = _batch.pending
    finally:
        _batch.pending = None
    if pending:
        batch_organization = next((org for org, _fields in pending if org is not None), None)
        _append([(batch_organization if org is None else org, fields) for org, fields in pending])


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    data: dict | None = None,
    organization: Organization | int | None = None,
) -> AuditEntry | None:
    """Append one entry (or, in an audit_batch, keep it for the batch's end). Must run inside the
    transaction of the change it records. The entry goes to the chain of `organization` (an
    Organization or its id) if given, else of the organization `obj` belongs to, else the system's."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    organization_id = _organization_id(organization)
    if organization_id is None:
        organization_id = audit_organization_id(obj)
    # Round-trip through JSON so the stored data hashes the same when read back.
    clean_data = json.loads(_canonical(data or {}))
    user = actor_user(actor)
    fields = {
        "created_at": timezone.now(),
        "actor_id": user.pk if user else None,
        "actor_label": user.get_username() if user else getattr(actor, "label", "system"),
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None and obj.pk is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "data": clean_data,
    }
    pending = getattr(_batch, "pending", None)
    if pending is not None:
        pending.append((organization_id, fields))
        return None
    return _append([(organization_id, fields)])[0]


# --- checkpoints --------------------------------------------------------------------------------


def current_heads(using=None) -> list[list]:
    """Every chain's [key, length, head], in key order."""
    chains = AuditChain.objects.using(using).order_by("key").values_list("key", "length", "head")
    return [[key, length, head] for key, length, head in chains]


def audit_checkpoint(*, now: dt.datetime | None = None) -> AuditCheckpoint:
    """Today's checkpoint (Tashkent's day): every chain's head, hashed with the previous checkpoint's
    root into one root, stored and written to AUDIT_CHECKPOINT_DIR/<day>.json. A day has one
    checkpoint: made again the same day, the one made first is returned (and its file rewritten if missing)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        checkpoint = AuditCheckpoint.objects.filter(day=day).first()
        if checkpoint is None:
            last = AuditCheckpoint.objects.order_by("-day").first()
            if last is not None and last.day > day:
                raise ValueError(f"audit_checkpoint: a checkpoint of {last.day} exists, after {day}")
            prev_root = last.root if last else GENESIS_HASH
            # One statement: one snapshot of every chain's committed head.
            heads = current_heads()
            checkpoint = AuditCheckpoint(
                day=day,
                created_at=now,
                heads=heads,
                prev_root=prev_root,
                root=checkpoint_root(day=day, heads=heads, prev_root=prev_root),
            )
            try:
                with transaction.atomic():
                    checkpoint.save()
            except IntegrityError:  # another scheduler made it meanwhile
                checkpoint = AuditCheckpoint.objects.get(day=day)
    path = checkpoint_write(checkpoint)
    log.info("audit checkpoint %s: root %s over %d chains (%s)", day, checkpoint.root, len(checkpoint.heads), path)
    return checkpoint


def audit_checkpoint_job(*, now: dt.datetime) -> None:
    """The scheduler's daily job (`audit.checkpoint`)."""
    audit_checkpoint(now=now)


def checkpoint_document(checkpoint: AuditCheckpoint) -> dict:
    return {
        "format": 1,
        "day": checkpoint.day.isoformat(),
        "created_at": checkpoint.created_at.astimezone(dt.UTC).isoformat(),
        "prev_root": checkpoint.prev_root,
        "root": checkpoint.root,
        "heads": checkpoint.heads,
    }


def checkpoint_directory() -> Path:
    """AUDIT_CHECKPOINT_DIR (setting or environment), else var/audit-checkpoints/ of the project."""
    configured = getattr(settings, "AUDIT_CHECKPOINT_DIR", None) or os.environ.get("AUDIT_CHECKPOINT_DIR")
    return Path(configured) if configured else Path(settings.PROJECT_DIR) / "var" / "audit-checkpoints"


def checkpoint_write(checkpoint: AuditCheckpoint) -> Path:
    """The checkpoint as `<day>.json` in AUDIT_CHECKPOINT_DIR (never over a file that differs)."""
    folder = checkpoint_directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{checkpoint.day.isoformat()}.json"
    text = json.dumps(checkpoint_document(checkpoint), indent=2, ensure_ascii=False) + "\n"
    if path.exists():
        if path.read_text(encoding="utf-8") != text:
            raise ValueError(f"{path} exists and holds another checkpoint than the database's of {checkpoint.day}")
        return path
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, path)
    return path


# --- verification -------------------------------------------------------------------------------


@dataclass
class ChainBreak:
    """What is wrong, and where: an entry of a chain (`chain`, `seq`, `entry_id`), or a checkpoint (`checkpoint`)."""

    entry_id: int | None
    reason: str
    chain: str = ""
    seq: int | None = None
    checkpoint: dt.date | None = None

    def __str__(self) -> str:
        if self.checkpoint is not None and not self.chain:
            return f"checkpoint of {self.checkpoint}: {self.reason}"
        where = f"chain {self.chain}"
        if self.seq is not None:
            where += f", entry {self.seq}"
        if self.entry_id is not None:
            where += f" (#{self.entry_id})"
        return f"{where}: {self.reason}"


@dataclass
class ChainReport:
    key: str
    organization_id: int | None
    entries: int  # verified (up to the break, if any)
    length: int  # what its head row says
    broken: ChainBreak | None = None


@dataclass
class AuditReport:
    chains: list[ChainReport] = field(default_factory=list)
    checkpoints: int = 0
    problems: list[ChainBreak] = field(default_factory=list)  # every break, chains' first

    @property
    def entries(self) -> int:
        return sum(chain.entries for chain in self.chains)

    @property
    def ok(self) -> bool:
        return not self.problems


def _verify_checkpoints(report: AuditReport) -> dict[str, dict[int, tuple[str, dt.date]]]:
    """Check the checkpoints' own chain and roots; return the heads they recorded, by chain and length."""
    recorded: dict[str, dict[int, tuple[str, dt.date]]] = {}
    prev_root = GENESIS_HASH
    for checkpoint in AuditCheckpoint.objects.order_by("day"):
        report.checkpoints += 1
        if checkpoint.prev_root != prev_root:
            report.problems.append(
                ChainBreak(
                    None,
                    "does not follow the checkpoint before it (a checkpoint removed or rewritten)",
                    checkpoint=checkpoint.day,
                )
            )
        expected = checkpoint_root(day=checkpoint.day, heads=checkpoint.heads, prev_root=checkpoint.prev_root)
        if expected != checkpoint.root:
            report.problems.append(
                ChainBreak(None, "its root does not match its heads (checkpoint altered)", checkpoint=checkpoint.day)
            )
        for key, length, head in checkpoint.heads:
            if length:
                recorded.setdefault(key, {}).setdefault(length, (head, checkpoint.day))
        prev_root = checkpoint.root
    return recorded


def _verify_chain(chain: AuditChain, recorded: dict[int, tuple[str, dt.date]], batch_size: int) -> ChainReport:
    result = ChainReport(chain.key, chain.organization_id, 0, chain.length)
    prev_hash, expected_seq = GENESIS_HASH, 1
    for entry in chain.entries.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq != expected_seq:
            result.broken = ChainBreak(
                entry.pk,
                f"entry {expected_seq} is missing (an entry removed or renumbered)",
                chain.key,
                entry.seq,
            )
            return result
        if entry.prev_hash != prev_hash:
            result.broken = ChainBreak(
                entry.pk, "previous-hash link broken (an entry removed or reordered)", chain.key, entry.seq
            )
            return result
        expected = entry_hash(
            chain=chain.key,
            seq=entry.seq,
            prev_hash=entry.prev_hash,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            data=entry.data,
        )
        if expected != entry.hash:
            result.broken = ChainBreak(
                entry.pk, "content does not match its hash (entry altered)", chain.key, entry.seq
            )
            return result
        checkpointed = recorded.get(entry.seq)
        if checkpointed is not None and checkpointed[0] != entry.hash:
            result.broken = ChainBreak(
                entry.pk,
                f"differs from the head the checkpoint of {checkpointed[1]} recorded (rewritten after it)",
                chain.key,
                entry.seq,
                checkpointed[1],
            )
            return result
        prev_hash, expected_seq = entry.hash, expected_seq + 1
        result.entries += 1
    if chain.length != result.entries:
        result.broken = ChainBreak(
            None,
            f"its head row says {chain.length} entries, the chain holds {result.entries} "
            f"(entries removed from its end, or the head row rewritten)",
            chain.key,
            result.entries + 1,
        )
        return result
    if chain.head != prev_hash:
        result.broken = ChainBreak(
            None, "its head row's hash is not its last entry's (the head row rewritten)", chain.key, chain.length
        )
        return result
    beyond = [length for length in recorded if length > result.entries]
    if beyond:
        length = min(beyond)
        result.broken = ChainBreak(
            None,
            f"the checkpoint of {recorded[length][1]} recorded {length} entries, the chain now holds "
            f"{result.entries} (entries removed after it)",
            chain.key,
            length,
            recorded[length][1],
        )
    return result


def audit_report(batch_size: int = 5000) -> AuditReport:
    """Verify every chain on its own and every checkpoint; every problem found, chain by chain."""
    report = AuditReport()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":  # one snapshot for the whole walk
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        recorded = _verify_checkpoints(report)
        checkpoint_problems, report.problems = report.problems, []
        chains = {chain.key: chain for chain in AuditChain.objects.order_by("key")}
        for key, chain in chains.items():
            result = _verify_chain(chain, recorded.get(key, {}), batch_size)
            report.chains.append(result)
            if result.broken is not None:
                report.problems.append(result.broken)
        for key in sorted(set(recorded) - set(chains)):
            day = min(day for _head, day in recorded[key].values())
            report.problems.append(
                ChainBreak(None, f"recorded by the checkpoint of {day}, the chain is gone", key, checkpoint=day)
            )
        report.problems += checkpoint_problems
    return report


def audit_verify(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """(entries verified, the first problem found or None): `audit_report` in short."""
    report = audit_report(batch_size)
    return report.entries, report.problems[0] if report.problems else None


def anchor_problems(anchors: list[dict]) -> list[str]:
    """What disagrees with checkpoints kept outside the database (their files, or bare roots as
    {"root": …}): each must be in the database with the same root (and day and heads, if given)."""
    problems = []
    for anchor in anchors:
        root = str(anchor.get("root", ""))
        checkpoint = AuditCheckpoint.objects.filter(root=root).first()
        if checkpoint is None:
            day = anchor.get("day")
            stored = AuditCheckpoint.objects.filter(day=day).first() if day else None
            where = f"the checkpoint of {day}" if day else f"the checkpoint with root {root}"
            problems.append(
                f"{where} kept outside the database is not in it"
                + (
                    f" (the database's of that day has root {stored.root}): checkpoints were rewritten"
                    if stored
                    else ""
                )
                + "."
            )
            continue
        document = checkpoint_document(checkpoint)
        for key in ("day", "heads", "prev_root"):
            if key in anchor and anchor[key] != document[key]:
                problems.append(f"The checkpoint of {checkpoint.day} differs from the copy kept outside ({key}).")
                break
    return problems
