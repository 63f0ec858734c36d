"""Backups of a Darcha installation: the database and the uploaded files, with a manifest.

A backup is one folder:

    manifest.json        what the folder holds (below), written last
    database.dump        PostgreSQL: `pg_dump --format=custom`
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    media/...            every file under MEDIA_ROOT, at the same relative path

The manifest records the format version, when and by which Darcha version the backup was made,
the database vendor, every file's relative path, size and SHA-256, the audit log's state (the
number of entries, every chain's [key, length, head hash], the root over those heads as a
checkpoint hashes them, and the latest daily checkpoint's day and root) and the latest applied
migration of each app. The database copy and the state recorded with it are one snapshot: on PostgreSQL pg_dump
runs in a snapshot exported by the transaction that reads the state, on SQLite the state is read
from the copy itself.

A backup is written into a hidden temporary folder beside its destination and renamed when it is
complete, so a folder under its final name always holds a whole backup; a failure removes the
temporary folder.

The chains' heads in each manifest anchor the audit log outside the database: `anchor_problems`
compares the live chains with a manifest, so entries deleted from the end of a chain after a
backup, with its head row rewritten to match (a shorter chain that still verifies), are found.
(Manifests of backups made before the log was chained per organization recorded one head, by
entry id: the entries up to it must still be there.)

The functions work on the default database, the one DATABASE_URL names. They raise BackupError
with a message for the operator; the `backup` and `restore` commands turn it into CommandError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader

from .audit import audit_report, heads_root
from .models import AuditChain, AuditCheckpoint, AuditEntry

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Tables `migrate` itself fills: a database holding rows only there is still empty.
FILLED_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission", "core.basecalculationamount"})
_CHUNK = 1024 * 1024
# libpq's environment variables for the connection OPTIONS dj-database-url may carry.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
}


class BackupError(Exception):
    """A backup could not be made, verified or restored; the message says why."""


# --- small helpers --------------------------------------------------------------------------------


def default_location(parent=None, now: dt.datetime | None = None) -> Path:
    """<parent>/<UTC time>, e.g. var/backups/20250301T020000Z (parent: var/backups of the project)."""
    now = now or dt.datetime.now(dt.UTC)
    parent = Path(parent) if parent else Path(settings.PROJECT_DIR) / "var" / "backups"
    return parent / now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def storage_warning() -> str | None:
    """A warning when uploads are not kept under MEDIA_ROOT, which is all a backup copies."""
    if isinstance(default_storage, FileSystemStorage) and Path(default_storage.location) == _media_root().absolute():
        return None
    return (
        f"Uploaded files are kept by {type(default_storage).__name__}, not under MEDIA_ROOT: this backup holds "
        f"only what is under MEDIA_ROOT ({_media_root()}). Back that storage up with its own tools."
    )


def darcha_version() -> str:
    try:
        return importlib.metadata.version("darcha")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _copy(source: Path, target: Path) -> tuple[int, str]:
    """Copy one file (never over an existing one), flushed to disk; return the size and SHA-256 written."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "xb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    """Every regular file under root, relative to it, in a stable order."""
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                found.append(path.relative_to(root))
    return found


def _vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite; this database is {connection.vendor}.")
    return connection.vendor


def _database_label() -> str:
    return f"{connection.vendor} database {connection.settings_dict.get('NAME')}"


# --- the state recorded with a copy of the database -----------------------------------------------


# The migration that chained the audit log per organization: a database without it has one chain.
CHAINED = ("core", "0007_audit_rechain")


def database_state(cursor) -> dict:
    """The audit log's state and the latest applied migration of each app, read through a DB-API cursor."""
    cursor.execute('SELECT app, name FROM "django_migrations"')
    applied = cursor.fetchall()
    migrations: dict[str, str] = {}
    for app, name in applied:
        migrations[app] = max(name, migrations.get(app, ""))
    entries = AuditEntry._meta.db_table
    cursor.execute(f'SELECT COUNT(*) FROM "{entries}"')  # noqa: S608 — a model's table name
    count = cursor.fetchone()[0]
    if CHAINED not in {tuple(row) for row in applied}:
        # A backup of a Darcha before the chains (restored, not yet migrated): its one head, by id.
        cursor.execute(f'SELECT id, hash FROM "{entries}" ORDER BY id DESC LIMIT 1')  # noqa: S608
        last = cursor.fetchone()
        audit = {"count": count, "head": {"id": last[0], "hash": last[1]} if last else None}
    else:
        cursor.execute(f'SELECT key, length, head FROM "{AuditChain._meta.db_table}" ORDER BY key')  # noqa: S608
        heads = [[key, int(length), head] for key, length, head in cursor.fetchall()]
        table = AuditCheckpoint._meta.db_table
        cursor.execute(f'SELECT day, root FROM "{table}" ORDER BY day DESC LIMIT 1')  # noqa: S608
        last = cursor.fetchone()
        audit = {
            "count": count,
            "heads": heads,
            "root": heads_root(heads),
            "checkpoint": {"day": str(last[0]), "root": last[1]} if last else None,
        }
    return {"audit": audit, "migrations": dict(sorted(migrations.items()))}


# --- backup ---------------------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """The connection settings as libpq environment variables: the password never reaches a command line."""
    config = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (config.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str]) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} was not found: install the PostgreSQL client tools of the server's version "
            f"(Debian: postgresql-client-<version>)."
        )
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise BackupError(f"{program} failed (exit status {done.returncode}): {detail}")


def _dump_postgresql(target: Path) -> dict:
    # The transaction reading the state exports its snapshot and pg_dump dumps that same snapshot,
    # so the audit head in the manifest is the one in the dump, whatever is written meanwhile.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = database_state(cursor)
        _run(["pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"])
    return state


def _dump_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        state = database_state(copy.cursor())
    finally:
        copy.close()
    return state


def _write_backup(folder: Path) -> dict:
    vendor = _vendor()
    database_file = DATABASE_FILES[vendor]
    dump = folder / database_file
    state = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
    size, digest = _sha256(dump)
    files = [{"path": database_file, "size": size, "sha256": digest}]
    # After the database: a file uploaded meanwhile is copied too (unreferenced, harmless).
    root = _media_root()
    for relative in _media_files(root):
        path = PurePosixPath(MEDIA, *relative.parts)
        size, digest = _copy(root / relative, folder / path)
        files.append({"path": str(path), "size": size, "sha256": digest})
    return {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "darcha_version": darcha_version(),
        "database": {"vendor": vendor, "file": database_file},
        **state,
        "files": files,
    }


def backup_create(target: Path) -> dict:
    """Write a backup to the folder `target` (which must not exist); return its manifest."""
    target = Path(target).absolute()
    if target.exists():
        raise BackupError(f"{target} already exists: a backup never writes into an existing folder.")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))  # mode 0700
    try:
        manifest = _write_backup(partial)
        with open(partial / MANIFEST, "x", encoding="utf-8") as stream:
            json.dump(manifest, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        _fsync_dir(partial)
        partial.rename(target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


# --- reading and verifying a backup ---------------------------------------------------------------


def manifest_read(folder: Path) -> dict:
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder.")
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST}: it is not a complete Darcha backup "
            f"(a backup interrupted before its end has none)."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is not a Darcha backup manifest of format {FORMAT} (found {manifest.get('format')!r})."
            if isinstance(manifest, dict)
            else f"{path} is not a Darcha backup manifest."
        )
    return manifest


def _safe_path(name) -> PurePosixPath:
    path = PurePosixPath(str(name))
    if not name or path.is_absolute() or ".." in path.parts or "\\" in str(name):
        raise BackupError(f"The manifest lists an unsafe path: {name!r}.")
    return path


def backup_verify(folder: Path) -> dict:
    """Check every file the manifest lists: present, of its size, with its SHA-256. Return the manifest;
    raise BackupError naming the first file that does not match."""
    folder = Path(folder)
    manifest = manifest_read(folder)
    files = manifest.get("files") or []
    database = manifest.get("database") or {}
    if database.get("vendor") not in DATABASE_FILES or database.get("file") not in {f.get("path") for f in files}:
        raise BackupError(f"{folder / MANIFEST} names no database copy among its files.")
    for entry in files:
        relative = _safe_path(entry.get("path"))
        path = folder / relative
        if not path.is_file():
            raise BackupError(f"The backup is damaged: {relative} is missing.")
        size, digest = _sha256(path)
        if size != entry.get("size") or digest != entry.get("sha256"):
            raise BackupError(
                f"The backup is damaged: {relative} does not match its manifest "
                f"(size {size}, SHA-256 {digest}; the manifest says size {entry.get('size')}, "
                f"SHA-256 {entry.get('sha256')})."
            )
    return manifest


def backups_in(parent: Path) -> list[tuple[Path, dict]]:
    """The complete backups directly inside `parent`, oldest first (by their manifests' time)."""
    parent = Path(parent)
    if not parent.is_dir():
        return []
    found = []
    for folder in parent.iterdir():
        if folder.name.startswith(".") or not (folder / MANIFEST).is_file():
            continue
        try:
            manifest = manifest_read(folder)
        except BackupError:
            continue
        found.append((folder, manifest))
    return sorted(found, key=lambda item: (str(item[1].get("created_at")), item[0].name))


def backups_prune(parent: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups in `parent`; return the folders deleted."""
    if keep < 1:
        raise BackupError("--keep must be at least 1.")
    old = [folder for folder, _manifest in backups_in(parent)][:-keep]
    for folder in old:
        try:
            shutil.rmtree(folder)
        except OSError as error:
            raise BackupError(f"The old backup {folder} could not be deleted: {error}") from error
    return old


# --- the audit chain against a manifest -----------------------------------------------------------


def _log_problems() -> list[str]:
    return [f"The audit log is broken: {problem}." for problem in audit_report().problems]


def anchor_problems(manifest: dict, *, name: str = "the backup") -> list[str]:
    """What in the live audit log disagrees with a backup's manifest: a broken chain or checkpoint, or
    a chain's head the manifest recorded missing or different (entries deleted or rewritten after the
    backup), or its latest checkpoint gone. Entries appended since the backup are fine."""
    problems = _log_problems()
    audit = manifest.get("audit") or {}
    if "heads" not in audit:
        return problems + _single_head_problems(audit, name)
    for key, length, head in audit["heads"]:
        if not length:
            continue
        found = AuditEntry.objects.filter(chain__key=key, seq=length).values_list("hash", flat=True).first()
        if found is None:
            problems.append(
                f"Audit entry {length} of chain {key}, the chain's head when {name} was made, is missing: "
                f"audit entries were deleted after that backup."
            )
        elif found != head:
            problems.append(
                f"Audit entry {length} of chain {key} differs from the head recorded in {name}: it was rewritten."
            )
    checkpoint = audit.get("checkpoint")
    if checkpoint and not AuditCheckpoint.objects.filter(day=checkpoint["day"], root=checkpoint["root"]).exists():
        problems.append(
            f"The audit checkpoint of {checkpoint['day']} recorded in {name} is missing or differs: "
            f"checkpoints were rewritten after that backup."
        )
    return problems


def _single_head_problems(audit: dict, name: str) -> list[str]:
    """A manifest of one chain (before 0007 re-chained it, which kept the ids but not the hashes):
    its head entry and every entry up to it must still be there."""
    head, count = audit.get("head"), audit.get("count", 0)
    if head is None:
        return []
    if not AuditEntry.objects.filter(pk=head["id"]).exists():
        return [
            f"Audit entry #{head['id']}, the chain's head when {name} was made, is missing: "
            f"audit entries were deleted after that backup."
        ]
    up_to = AuditEntry.objects.filter(pk__lte=head["id"]).count()
    if up_to != count:
        return [f"The audit log up to entry #{head['id']} holds {up_to} entries; {name} recorded {count}."]
    return []


# --- restore --------------------------------------------------------------------------------------


def database_holdings() -> list[str]:
    """The tables of the default database's models that hold rows (beyond what `migrate` puts there)."""
    existing = set(connection.introspection.table_names())
    held = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.label_lower in FILLED_BY_MIGRATE or meta.proxy or meta.db_table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(meta.db_table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                held.append(meta.db_table)
    return sorted(set(held))


def migration_problems(manifest: dict) -> tuple[list[str], list[str]]:
    """(migrations the backup has applied that this Darcha does not know, apps behind this Darcha's code)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    latest: dict[str, str] = {}
    for app, name in known:
        latest[app] = max(name, latest.get(app, ""))
    recorded = manifest.get("migrations") or {}
    unknown = [f"{app}.{name}" for app, name in sorted(recorded.items()) if (app, name) not in known]
    behind = [app for app, name in sorted(recorded.items()) if (app, name) in known and name < latest[app]]
    return unknown, behind


@dataclass
class RestoreReport:
    manifest: dict
    media_files: int = 0
    audit_entries: int = 0
    migrate_needed: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)


def restore_preflight(folder: Path, *, replace: bool = False) -> tuple[dict, list[str]]:
    """Verify the backup and that it can go into this installation; return (manifest, apps behind)."""
    manifest = backup_verify(folder)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"The backup holds a {manifest['database']['vendor']} database; DATABASE_URL names a {vendor} one."
        )
    unknown, behind = migration_problems(manifest)
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Darcha ({manifest.get('darcha_version')}): migrations "
            f"{', '.join(unknown[:5])} are unknown here. Install that version, then restore."
        )
    if not replace:
        held = database_holdings()
        if held:
            listed = ", ".join(held[:5]) + (f" and {len(held) - 5} more" if len(held) > 5 else "")
            raise BackupError(
                f"The {_database_label()} is not empty ({listed} hold rows). Restore into a new, empty "
                f"database, or pass --replace to overwrite this one."
            )
        if _media_files(_media_root()):
            raise BackupError(
                f"MEDIA_ROOT ({_media_root()}) already holds files. Restore into an empty folder, "
                f"or pass --replace to write the backup's files over it."
            )
    return manifest, behind


def _restore_postgresql(dump: Path) -> None:
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-password",
            "--no-owner",  # the objects belong to the user Darcha connects as on this server
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


def _restore_sqlite(copy: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if not name.startswith("file:") and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_media(folder: Path, manifest: dict) -> int:
    root = _media_root()
    restored = 0
    for entry in manifest["files"]:
        path = _safe_path(entry["path"])
        if path.parts[0] != MEDIA or len(path.parts) < 2:
            continue
        target = root.joinpath(*path.parts[1:])
        partial = target.with_name(f".{target.name}.restoring")
        partial.unlink(missing_ok=True)
        size, digest = _copy(folder / path, partial)
        if (size, digest) != (entry["size"], entry["sha256"]):
            partial.unlink(missing_ok=True)
            raise BackupError(f"{path} changed while it was restored; run the restore again.")
        os.replace(partial, target)
        restored += 1
    return restored


def files_missing() -> list[str]:
    """The stored files the database refers to (every FileField) that its storage does not hold."""
    missing = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            names = (
                model._base_manager.exclude(**{f"{model_field.attname}__isnull": True})
                .exclude(**{model_field.attname: ""})
                .values_list(model_field.attname, flat=True)
            )
            missing.extend(name for name in names.iterator() if not model_field.storage.exists(name))
    return sorted(missing)


def restore(folder: Path, *, replace: bool = False, manifest: dict | None = None) -> RestoreReport:
    """Restore a backup into the default database and MEDIA_ROOT, then check the restored audit
    chain: it verifies and its head and count are those of the manifest. Given `manifest` (what
    restore_preflight returned), the backup is not verified again."""
    folder = Path(folder)
    if manifest is None:
        manifest, behind = restore_preflight(folder, replace=replace)
    else:
        behind = migration_problems(manifest)[1]
    dump = folder / manifest["database"]["file"]
    if manifest["database"]["vendor"] == "postgresql":
        _restore_postgresql(dump)
    else:
        _restore_sqlite(dump)
    report = RestoreReport(manifest=manifest, migrate_needed=behind)
    report.media_files = _restore_media(folder, manifest)
    with connection.cursor() as cursor:
        state = database_state(cursor)
    if "heads" in state["audit"]:
        problems = audit_report().problems
        if problems:
            raise BackupError(f"Restored, but the audit log is broken: {problems[0]}.")
    # else: an older Darcha's backup, verified by the migration that chains it (`darcha migrate`).
    if state["audit"] != manifest.get("audit"):
        raise BackupError(
            f"Restored, but the audit log's state {state['audit']} is not the manifest's {manifest.get('audit')}."
        )
    if state["migrations"] != manifest.get("migrations"):
        raise BackupError("Restored, but the applied migrations are not those the manifest records.")
    report.audit_entries = state["audit"]["count"]
    report.missing_files = files_missing()
    return report
