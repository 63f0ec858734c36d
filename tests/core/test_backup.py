"""`darcha backup` and `darcha restore` (core.backup): the demo round-trips through a backup into an
empty database — every row, every file, the audit chain and a result's verification hash — and a
damaged backup, a non-empty target and audit entries deleted after a backup are all caught.

On PostgreSQL (DATABASE_URL=postgres://…) the restore goes into a scratch database created for the
test and dropped after it; on SQLite into a new database file. The data must be committed for
pg_dump to see it, hence transactional tests.
"""

import datetime as dt
import hashlib
import io
import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, DocumentPurpose
from darcha.cases.models import Application, Document, Result
from darcha.core import backup
from darcha.core.audit import (
    SYSTEM,
    audit_checkpoint,
    audit_record,
    audit_report,
    audit_verify,
    checkpoint_root,
    heads_root,
)
from darcha.core.models import AuditChain, AuditCheckpoint, AuditEntry, Organization, User
from darcha.demo.loader import load_demo
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


# --- helpers --------------------------------------------------------------------------------------


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out, **options)
    return out.getvalue()


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every model's table (the project's apps, auth, contenttypes, … and M2M tables)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [field.attname for field in model._meta.concrete_fields]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*fields))
    rows["django_migrations"] = sorted(MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations())
    return rows


def media_files(root: Path) -> dict[str, bytes]:
    root = Path(root)
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def scan(name="plan.pdf") -> SimpleUploadedFile:
    """A real one-page PDF, as a scanner would make."""
    writer, stream = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(stream)
    return SimpleUploadedFile(name, stream.getvalue(), content_type="application/pdf")


def history(entries=3, media_root: Path | None = None, organization=None) -> Organization:
    """A few audited changes of an organization (a new one unless given) and, given MEDIA_ROOT, an uploaded file."""
    organization = organization or OrganizationFactory()
    for i in range(entries):
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="test", obj=organization, data={"i": i})
    if media_root is not None:
        path = Path(media_root) / "cases" / "1" / "0a1b2c"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 scan\n%%EOF\n")
    return organization


def _postgres_admin(sql: str) -> None:
    # CREATE/DROP DATABASE run outside a transaction: a transactional test's connection autocommits.
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql)


@contextmanager
def empty_database(tmp_path):
    """For the block, the default database is a new, empty one: a center's new server.

    PostgreSQL: test_restore_<pid>, dropped afterwards. SQLite: a new file."""
    original = connections[DEFAULT_DB_ALIAS]
    config = {**original.settings_dict}
    postgres = original.vendor == "postgresql"
    if postgres:
        name = f"test_restore_{os.getpid()}"
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres_admin(f'CREATE DATABASE "{name}"')
        # Django's pools are kept per alias: the scratch database connects on its own.
        config["OPTIONS"] = {key: value for key, value in config["OPTIONS"].items() if key != "pool"}
    else:
        name = str(tmp_path / "restored.sqlite3")
    config["NAME"] = name
    scratch = original.__class__(config, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = scratch
    try:
        yield scratch
    finally:
        scratch.close()
        connections[DEFAULT_DB_ALIAS] = original
        if postgres:
            _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the round trip -------------------------------------------------------------------------------


def test_the_demo_round_trips_into_an_empty_database(tmp_path, settings, client):
    load_demo(today=timezone.localdate())
    waiting = Application.objects.get(status=ApplicationStatus.WAITING_CITIZEN)
    cases.application_supplement(
        actor=User.objects.get(username="operator1"), application=waiting, uploads=[(None, scan())]
    )
    assert Document.objects.filter(purpose=DocumentPurpose.SUPPLEMENT).exclude(file="").exists()
    result = Result.objects.select_related("document").filter(application__ready_at__isnull=False).first()
    assert result is not None and result.document.file
    checkpoint = audit_checkpoint()
    rows, files = table_rows(), media_files(settings.MEDIA_ROOT)
    assert len(files) >= 3 and rows["core.AuditEntry"]
    heads = [[chain.key, chain.length, chain.head] for chain in AuditChain.objects.order_by("key")]
    assert len(heads) >= 3  # the center's, agencies', the system's

    target = tmp_path / "backups" / "20250301T020000Z"
    out = run("backup", output=str(target))
    assert "Backup complete." in out
    assert sorted(path.name for path in target.parent.iterdir()) == [target.name]  # no temporary folder left
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == backup.FORMAT and manifest["darcha_version"]
    assert manifest["database"]["vendor"] == connections[DEFAULT_DB_ALIAS].vendor
    assert manifest["audit"] == {
        "count": len(rows["core.AuditEntry"]),
        "heads": heads,
        "root": heads_root(heads),
        "checkpoint": {"day": checkpoint.day.isoformat(), "root": checkpoint.root},
    }
    assert manifest["migrations"]["cases"] == max(name for app, name in rows["django_migrations"] if app == "cases")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == {manifest["database"]["file"], *(f"media/{name}" for name in files)}
    assert all(len(entry["sha256"]) == 64 and entry["size"] > 0 for entry in listed.values())

    # The server is lost: a new, empty database and an empty MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "new-server" / "media"
    with empty_database(tmp_path):
        out = run("restore", str(target), yes=True)
        assert f"in {len(heads)} chains, ending at the heads the manifest records (root {heads_root(heads)})" in out
        assert "not in the backup" not in out

        assert table_rows() == rows
        assert media_files(settings.MEDIA_ROOT) == files
        report = audit_report()
        assert report.ok and report.entries == len(rows["core.AuditEntry"]) and report.checkpoints == 1
        restored = Result.objects.select_related("document").get(code=result.code)
        with restored.document.file.open("rb") as stream:
            content = stream.read()
        assert hashlib.sha256(content).hexdigest() == restored.document.sha256 == result.document.sha256
        page = client.get(reverse("cases:verify", args=[result.code]))
        assert page.status_code == 200 and restored.document.sha256 in page.content.decode()

        # A second restore over it is refused: the database is no longer empty.
        with pytest.raises(CommandError, match="is not empty"):
            run("restore", str(target), yes=True)


# --- what is refused and reported -----------------------------------------------------------------


@pytest.mark.parametrize("damage", ["media", "database", "missing"])
def test_a_damaged_backup_is_refused_naming_the_file(tmp_path, settings, damage):
    history(media_root=settings.MEDIA_ROOT)
    target = tmp_path / "backups" / "one"
    manifest = backup.backup_create(target)
    database_file = manifest["database"]["file"]
    if damage == "media":
        victim = "media/cases/1/0a1b2c"
        (target / victim).write_bytes(b"%PDF-1.4 another scan\n%%EOF\n")
    elif damage == "database":
        victim = database_file
        with open(target / victim, "r+b") as stream:
            stream.seek(200)
            byte = stream.read(1)
            stream.seek(200)
            stream.write(bytes([byte[0] ^ 0xFF]))
    else:
        victim = "media/cases/1/0a1b2c"
        (target / victim).unlink()
    before = AuditEntry.objects.count()
    reason = "is missing" if damage == "missing" else "does not match its manifest"
    with pytest.raises(CommandError, match=f"{victim} {reason}"):
        run("restore", str(target), yes=True, replace=True)
    with pytest.raises(CommandError, match=f"{victim} {reason}"):
        run("backup", check=str(target))
    assert AuditEntry.objects.count() == before  # nothing was restored


def test_a_folder_without_a_manifest_is_no_backup(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(CommandError, match="has no manifest.json"):
        run("restore", str(tmp_path / "half"), yes=True)


def test_restoring_into_a_non_empty_database_is_refused(tmp_path, settings):
    history()
    target = tmp_path / "backups" / "one"
    run("backup", output=str(target))
    OrganizationFactory()
    with pytest.raises(CommandError, match=r"is not empty \(.*core_organization"):
        run("restore", str(target), yes=True)
    assert Organization.objects.count() == 2  # untouched


def test_restoring_into_a_non_empty_media_root_is_refused(tmp_path, settings):
    history(media_root=settings.MEDIA_ROOT)
    target = tmp_path / "backups" / "one"
    run("backup", output=str(target))
    with empty_database(tmp_path), pytest.raises(CommandError, match="MEDIA_ROOT .* already holds files"):
        run("restore", str(target), yes=True)


def test_replace_overwrites_the_database_with_the_backup(tmp_path, settings):
    history(media_root=settings.MEDIA_ROOT)
    target = tmp_path / "backups" / "one"
    run("backup", output=str(target))
    rows = table_rows()
    OrganizationFactory()
    history(entries=2)
    run("restore", str(target), yes=True, replace=True)
    assert table_rows() == rows
    assert audit_verify()[1] is None


def test_restore_asks_before_it_writes(tmp_path, monkeypatch):
    history()
    target = tmp_path / "backups" / "one"
    run("backup", output=str(target))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    with empty_database(tmp_path), pytest.raises(CommandError, match="pass --yes"):
        run("restore", str(target))


def test_deleting_the_newest_audit_entries_after_a_backup_is_reported(tmp_path):
    organization = history(entries=4)
    parent = tmp_path / "backups"
    run("backup", output=str(parent / "one"))
    history(entries=2, organization=organization)  # appended since the backup: fine
    assert "agrees with the backup" in run("backup", check=str(parent / "one"))

    # Entries 4 to 6 of the chain deleted, and its head row rewritten to match: it verifies on its own.
    chain = AuditChain.objects.get(organization=organization)
    chain.entries.filter(seq__gte=4)._raw_delete(AuditEntry.objects.db)
    AuditChain.objects.filter(pk=chain.pk).update(length=3, head=chain.entries.get(seq=3).hash)
    assert audit_verify()[1] is None
    # Entry 4 was the chain's head when the backup was made.
    with pytest.raises(CommandError, match=f"entry 4 of chain {chain.key}, the chain's head .* is missing"):
        run("backup", check=str(parent / "one"))
    # The next scheduled backup compares with the one before it, and says so.
    with pytest.raises(CommandError, match=f"entry 4 of chain {chain.key}.* is missing"):
        run("backup", output=str(parent / "two"), keep=1)
    assert sorted(path.name for path in parent.iterdir()) == ["one", "two"]  # written, nothing pruned


def test_a_checkpoint_rewritten_after_a_backup_is_reported(tmp_path):
    history()
    checkpoint = audit_checkpoint()
    run("backup", output=str(tmp_path / "backups" / "one"))
    # Rewritten whole (its root recomputed over the same heads as of another day): it verifies on its own.
    day = checkpoint.day - dt.timedelta(days=1)
    root = checkpoint_root(day=day, heads=checkpoint.heads, prev_root=checkpoint.prev_root)
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(day=day, root=root)
    assert audit_verify()[1] is None
    with pytest.raises(CommandError, match=f"checkpoint of {checkpoint.day} recorded in .* is missing or differs"):
        run("backup", check=str(tmp_path / "backups" / "one"))


def test_a_failed_backup_leaves_no_backup(tmp_path, settings, monkeypatch):
    history(media_root=settings.MEDIA_ROOT)

    def broken_copy(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_copy", broken_copy)
    parent = tmp_path / "backups"
    with pytest.raises(CommandError, match="disk full"):
        run("backup", output=str(parent / "one"))
    assert list(parent.iterdir()) == []


def test_keep_deletes_the_oldest_backups(tmp_path):
    history()
    parent = tmp_path / "backups"
    for name in ("b1", "b2", "b3"):
        run("backup", output=str(parent / name), keep=2)
    (parent / "notes").mkdir()  # not a backup: left alone
    assert sorted(path.name for path in parent.iterdir()) == ["b2", "b3", "notes"]
    with pytest.raises(CommandError, match="already exists"):
        run("backup", output=str(parent / "b3"))


def test_into_names_the_backup_by_its_utc_time(tmp_path):
    history()
    out = run("backup", into=str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}Z", made.name) and "Uploaded files are kept by" not in out
    assert backup.backup_verify(made)["audit"]["count"] == 3
