"""`darcha backup`: the database and the uploaded files into a new folder, with a manifest (core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from darcha.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup API) and MEDIA_ROOT into a new "
        "folder with a manifest of SHA-256 sums and the audit chains' heads; then check the audit log "
        "against the newest earlier backup beside it. With --check DIR, write nothing: verify the backup DIR "
        "and compare the database's audit log with its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", metavar="DIR", help="the new backup's folder (default: var/backups/<UTC time>/)"
        )
        parser.add_argument(
            "--into", metavar="DIR", help="make the backup in DIR/<UTC time>/ (for schedules; instead of --output)"
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="after a good backup, delete all but the newest N backups in the same parent folder",
        )
        parser.add_argument(
            "--check",
            metavar="DIR",
            help="verify the backup DIR and that the database's audit chains still hold the heads it recorded",
        )

    def handle(self, *args, output=None, into=None, keep=None, check=None, **options):
        if output and into:
            raise CommandError("Give --output or --into, not both.")
        try:
            if check:
                self._check(Path(check))
            else:
                target = Path(output) if output else backup.default_location(parent=into)
                self._backup(target, keep)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            if check:
                raise CommandError(f"The backup {check} cannot be read: {error}") from error
            raise CommandError(f"The backup failed and nothing was written: {error}") from error

    def _check(self, folder: Path) -> None:
        manifest = backup.backup_verify(folder)
        self.stdout.write(f"{folder}: {len(manifest['files'])} files match the manifest.")
        problems = backup.anchor_problems(manifest, name=str(folder))
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"The audit log agrees with the backup: {_heads(manifest['audit'])}."))

    def _backup(self, target: Path, keep: int | None) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        warning = backup.storage_warning()
        if warning:
            self.stderr.write(self.style.WARNING(warning))
        earlier = backup.backups_in(target.absolute().parent)
        manifest = backup.backup_create(target)
        audit = manifest["audit"]
        total = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            f"Backup written to {target}: {manifest['database']['vendor']} database and "
            f"{len(manifest['files']) - 1} media files, {total} bytes; audit log: {audit['count']} entries in "
            f"{len(audit['heads'])} chains, root {audit['root']}."
        )
        if earlier:
            previous, previous_manifest = earlier[-1]
            problems = backup.anchor_problems(previous_manifest, name=f"the backup {previous}")
            if problems:
                # The new backup stays (it is a good copy of what is there now); nothing is pruned.
                raise CommandError(
                    "\n".join(problems)
                    + "\nThe new backup was written; no backup was deleted. If the database was restored from "
                    "an earlier backup since, this is expected once."
                )
        if keep:
            for folder in backup.backups_prune(target.absolute().parent, keep):
                self.stdout.write(f"Deleted the old backup {folder}.")
        self.stdout.write(self.style.SUCCESS("Backup complete."))


def _heads(audit: dict) -> str:
    if "heads" not in audit:  # a backup made before the chains
        head = audit.get("head")
        return f"entry #{head['id']} is in place" if head else "the backup recorded no entries"
    chains = [head for head in audit["heads"] if head[1]]
    return f"the heads of its {len(chains)} chains are in place" if chains else "the backup recorded no entries"
