"""Re-chain the audit log: from one chain over every entry to one chain per organization.

The old chain is verified first: re-chaining a broken log would hide what broke it, so the
migration stops and says which entry. Then every entry, in id order, goes to the chain of the
organization it belongs to — the organization itself, or the organization, center or agency of
its object (an operator's session: its counter's center; a message: the object it was about);
objects gone and objects of no organization go to the system's chain — and is numbered and
hashed anew in that chain. The hashes are this migration's own copy of the formula, so later
changes to core.audit never change what it does. Deterministic: the same log re-chains the same
on SQLite and PostgreSQL.
"""

import datetime as dt
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

GENESIS_HASH = "0" * 64
SYSTEM_CHAIN = "system"
BATCH = 2000
ORGANIZATION_FIELDS = ("organization", "center", "agency")


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _fields(entry) -> list:
    return [
        entry.created_at.astimezone(dt.UTC).isoformat(),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.object_type,
        str(entry.object_id),
        entry.object_repr,
        entry.data,
    ]


def _old_hash(entry, prev_hash: str) -> str:
    return hashlib.sha256(_canonical([prev_hash, *_fields(entry)]).encode()).hexdigest()


def _new_hash(entry, chain: str, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(_canonical([chain, seq, prev_hash, *_fields(entry)]).encode()).hexdigest()


def _chain_key(organization_id) -> str:
    return SYSTEM_CHAIN if organization_id is None else f"organization:{int(organization_id)}"


class _Organizations:
    """The organization of (object_type, object_id) pairs, read once per object from the historical models."""

    def __init__(self, apps, using):
        self.apps, self.using = apps, using
        self.known: dict[tuple[str, str], int | None] = {}

    def _model(self, object_type: str):
        try:
            return self.apps.get_model(object_type)
        except (LookupError, ValueError):
            return None

    def load(self, pairs) -> None:
        wanted: dict[str, set[str]] = {}
        for object_type, object_id in pairs:
            if object_type and object_id and (object_type, object_id) not in self.known:
                wanted.setdefault(object_type, set()).add(object_id)
        for object_type, ids in wanted.items():
            for object_id in ids:
                self.known[(object_type, object_id)] = None
            model = self._model(object_type)
            if model is None:
                continue
            pk_field = model._meta.pk
            keys = {}
            for object_id in ids:
                key = _key(pk_field, object_id)
                if key is not None:  # else no key of the model: the system's chain
                    keys[key] = object_id
            rows = model._base_manager.using(self.using).filter(pk__in=list(keys))
            if object_type == "core.organization":
                for pk in rows.values_list("pk", flat=True):
                    self.known[(object_type, keys[pk])] = pk
            elif object_type == "queues.operatorsession":
                for pk, center_id in rows.values_list("pk", "counter__center_id"):
                    self.known[(object_type, keys[pk])] = center_id
            elif object_type == "notify.message":
                related = list(rows.values_list("pk", "object_type", "object_id"))
                self.load([(t, i) for _pk, t, i in related])
                for pk, related_type, related_id in related:
                    self.known[(object_type, keys[pk])] = self.known.get((related_type, related_id))
            else:
                names = [f"{name}_id" for name in ORGANIZATION_FIELDS if _is_foreign_key(model, name)]
                if not names:
                    continue
                for pk, *values in rows.values_list("pk", *names):
                    self.known[(object_type, keys[pk])] = next((v for v in values if v is not None), None)

    def of(self, entry) -> int | None:
        if not entry.object_type or not entry.object_id:
            return None
        return self.known.get((entry.object_type, entry.object_id))


def _key(pk_field, object_id: str):
    try:
        return pk_field.to_python(object_id)
    except Exception:  # noqa: BLE001 - ValidationError, ValueError: not one of the model's keys
        return None


def _is_foreign_key(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - no such field
        return False
    return field.many_to_one and field.related_model._meta.label_lower == "core.organization"


def rechain(apps, schema_editor):
    using = schema_editor.connection.alias
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChain = apps.get_model("core", "AuditChain")
    entries = AuditEntry.objects.using(using).order_by("id")

    prev_hash = GENESIS_HASH
    for entry in entries.iterator(chunk_size=BATCH):
        if entry.prev_hash != prev_hash or _old_hash(entry, entry.prev_hash) != entry.hash:
            raise RuntimeError(
                f"The audit chain is broken at entry #{entry.pk} ({entry.action}, {entry.created_at}): "
                f"re-chaining it per organization would hide that. Find out what happened to it (the backups "
                f"hold earlier copies of the log), restore a good copy, then migrate."
            )
        prev_hash = entry.hash

    organizations = _Organizations(apps, using)
    chains: dict[str, object] = {}
    batch = []

    def flush():
        AuditEntry.objects.using(using).bulk_update(batch, ["chain", "seq", "prev_hash", "hash"])
        batch.clear()

    last_id = 0
    while True:
        chunk = list(entries.filter(id__gt=last_id)[:BATCH])
        if not chunk:
            break
        organizations.load((entry.object_type, entry.object_id) for entry in chunk)
        for entry in chunk:
            organization_id = organizations.of(entry)
            key = _chain_key(organization_id)
            chain = chains.get(key)
            if chain is None:
                chain = AuditChain.objects.using(using).create(
                    key=key, organization_id=organization_id, length=0, head=GENESIS_HASH
                )
                chains[key] = chain
            chain.length += 1
            entry.chain_id, entry.seq, entry.prev_hash = chain.pk, chain.length, chain.head
            entry.hash = _new_hash(entry, key, chain.length, chain.head)
            chain.head = entry.hash
            batch.append(entry)
        last_id = chunk[-1].pk
        flush()
    for chain in chains.values():
        chain.save(update_fields=["length", "head"])


def unchain(apps, schema_editor):
    """Back to one chain over every entry in id order (what the code before 0006 verifies)."""
    using = schema_editor.connection.alias
    AuditEntry = apps.get_model("core", "AuditEntry")
    prev_hash, batch = GENESIS_HASH, []
    for entry in AuditEntry.objects.using(using).order_by("id").iterator(chunk_size=BATCH):
        entry.prev_hash, entry.hash = prev_hash, _old_hash(entry, prev_hash)
        prev_hash = entry.hash
        batch.append(entry)
        if len(batch) >= BATCH:
            AuditEntry.objects.using(using).bulk_update(batch, ["prev_hash", "hash"])
            batch.clear()
    AuditEntry.objects.using(using).bulk_update(batch, ["prev_hash", "hash"])
    AuditEntry.objects.using(using).update(chain=None, seq=None)
    apps.get_model("core", "AuditChain").objects.using(using).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_chains"),
    ]

    operations = [
        migrations.RunPython(rechain, unchain, elidable=False),
    ]
