"""The migrated SQLite test database, kept between runs (var/test-db/) while nothing it depends on changes.

Every xdist worker creates its in-memory test database by running all the migrations, a few seconds
each time for the same result. The first worker that migrates writes the result to a file named by
a hash of what the result depends on: every file under darcha/ (the migrations and the code they
import), the Python version and every installed distribution with its version. The next worker, and
the next run, copies that file into its in-memory database (SQLite's backup API) instead of
migrating; anything changed gives another hash, so the migrations run again. PostgreSQL (and any
database not in memory) always migrates.
"""

from __future__ import annotations

import fcntl
import hashlib
import sqlite3
import sys
from importlib.metadata import distributions
from pathlib import Path

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections
from django.db.backends.base.creation import BaseDatabaseCreation

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "var" / "test-db"


def _key() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in ("INSTALLED_APPS", "MIGRATION_MODULES", "CACHES"):
        digest.update(repr(getattr(settings, name, None)).encode())
    for dist in sorted(distributions(), key=lambda d: (d.metadata["Name"] or "").lower()):
        digest.update(f"{dist.metadata['Name']}=={dist.version}\n".encode())
    for path in sorted((ROOT / "darcha").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _in_memory(connection) -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


_creating: set[str] = set()  # the aliases whose test database is being created


def install() -> None:
    """Make the migrations of an in-memory SQLite test database's creation read the kept result when
    there is one (any other `migrate` runs as always)."""
    if getattr(migrate.Command.handle, "_kept", False):
        return
    original, create_test_db = migrate.Command.handle, BaseDatabaseCreation.create_test_db

    def creating(self, *args, **kwargs):
        _creating.add(self.connection.alias)
        try:
            return create_test_db(self, *args, **kwargs)
        finally:
            _creating.discard(self.connection.alias)

    def handle(self, *args, **options):
        connection = connections[options.get("database") or "default"]
        if connection.alias not in _creating or not _in_memory(connection):
            return original(self, *args, **options)
        if connection.settings_dict.get("TEST", {}).get("MIGRATE") is False or options.get("app_label"):
            return original(self, *args, **options)
        FOLDER.mkdir(parents=True, exist_ok=True)
        kept = FOLDER / f"{_key()}.sqlite3"
        with open(FOLDER / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker migrates, the other waits and copies
            connection.ensure_connection()
            if kept.exists():
                source = sqlite3.connect(kept)
                source.backup(connection.connection)
                source.close()
                return None
            result = original(self, *args, **options)
            partial = kept.with_suffix(".partial")
            target = sqlite3.connect(partial)
            connection.connection.backup(target)
            target.close()
            for old in FOLDER.glob("*.sqlite3"):
                old.unlink()
            partial.rename(kept)
            return result

    handle._kept = True
    migrate.Command.handle = handle
    BaseDatabaseCreation.create_test_db = creating
