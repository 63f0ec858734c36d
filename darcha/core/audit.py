"""The tamper-evident audit log: each entry carries the hash of the one before it.

Entries are written only by `audit_record`, inside the caller's transaction, so a state change
and its audit entry commit or roll back together.

One chain means one writer at a time: appending takes a lock held until the transaction commits.
A transaction made of several service calls (registering the applicant, then the application)
wraps them in `audit_batch()`, which keeps the entries aside and appends them together at its
end, so the lock is held for the last moment of the transaction rather than the whole of it.
"""

import datetime as dt
import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEntry, User

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same in every process (pg_advisory_xact_lock key).
_AUDIT_LOCK_KEY = 7_311_845_020


@dataclass(frozen=True)
class SystemActor:
    """The actor for changes made by the system itself (scheduled jobs, data loading)."""

    label: str = "system"

    @property
    def pk(self):
        return None


SYSTEM = SystemActor()


def actor_user(actor) -> User | None:
    """The user behind an actor: the User itself, or None for a system actor (or anything else)."""
    return actor if isinstance(actor, User) else None


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def entry_hash(
    *, prev_hash: str, created_at, actor_id, actor_label, action, object_type, object_id, object_repr, data
) -> str:
    payload = _canonical(
        [
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


def _lock_chain() -> None:
    # SQLite runs every transaction IMMEDIATE (settings), which already serialises writers.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])


_batch = threading.local()


@contextmanager
def audit_batch():
    """Inside a transaction: keep this block's audit entries and append them all when it ends.

        with transaction.atomic(), audit_batch():
            person = person_register(...)
            application_submit(...)

    An exception leaving the block discards them with the transaction. Nested batches join the
    outer one. (A savepoint rolled back *inside* the block, its exception caught there, would keep
    its entries: service functions let their exceptions out, so none does that.)
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
        _lock_chain()
        for fields in pending:
            _append(fields)


def audit_record(*, actor, action: str, obj: models.Model | None = None, data: dict | None = None) -> AuditEntry | None:
    """Append one entry (or, in an audit_batch, keep it for the batch's end). Must run inside the
    transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
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
        pending.append(fields)
        return None
    _lock_chain()
    return _append(fields)


def _append(fields: dict) -> AuditEntry:
    """Write one entry after the chain's last; the caller holds the chain's lock."""
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or GENESIS_HASH
    entry = AuditEntry(**fields, prev_hash=prev_hash, hash=entry_hash(prev_hash=prev_hash, **fields))
    entry.save()
    return entry


@dataclass
class ChainBreak:
    entry_id: int
    reason: str


def audit_verify(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return (entries checked, the first broken link or None)."""
    prev_hash = GENESIS_HASH
    checked = 0
    with transaction.atomic():
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
            if entry.prev_hash != prev_hash:
                return checked, ChainBreak(entry.pk, "previous-hash link broken (an entry removed or reordered)")
            expected = entry_hash(
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
                return checked, ChainBreak(entry.pk, "content does not match its hash (entry altered)")
            prev_hash = entry.hash
            checked += 1
    return checked, None
