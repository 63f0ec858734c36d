"""`darcha restore DIR`: a backup made by `darcha backup` into an empty database and MEDIA_ROOT (core.backup)."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from darcha.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `darcha backup` into the database DATABASE_URL names and into MEDIA_ROOT: "
        "every file is checked against the manifest first, the database must be empty (unless --replace), "
        "and afterwards the audit log must verify and its chains end at the heads the manifest recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="the backup's folder (the one holding manifest.json)")
        parser.add_argument("--yes", action="store_true", help="restore without asking for confirmation")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="restore even though the database or MEDIA_ROOT holds data: the database is overwritten and "
            "the backup's files are written over MEDIA_ROOT",
        )

    def handle(self, *args, folder: str, yes=False, replace=False, **options):
        folder = Path(folder)
        try:
            manifest, _behind = backup.restore_preflight(folder, replace=replace)
            self.stdout.write(f"{folder}: {len(manifest['files'])} files match the manifest.")
            if not yes:
                self._confirm(folder, manifest, replace)
            report = backup.restore(folder, replace=replace, manifest=manifest)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"The restore failed: {error}") from error
        audit = manifest["audit"]
        self.stdout.write(
            f"Restored the database and {report.media_files} media files from the backup made "
            f"{manifest['created_at']} by Darcha {manifest['darcha_version']}."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.audit_entries} entries"
                + (
                    f" in {len(audit['heads'])} chains, ending at the heads the manifest records "
                    f"(root {audit['root']})."
                    if "heads" in audit
                    else " (made before the chains: run `darcha migrate`, which verifies and chains them)."
                )
            )
        )
        if report.missing_files:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.missing_files)} files the database refers to are not in the backup (replaced or "
                    f"deleted while it was made): {', '.join(report.missing_files[:5])}"
                )
            )
        if report.migrate_needed:
            self.stdout.write(
                f"This Darcha is newer than the backup ({', '.join(report.migrate_needed)}): run `darcha migrate`."
            )

    def _confirm(self, folder, manifest, replace):
        if not sys.stdin.isatty():
            raise CommandError("Not asking on a non-interactive input: pass --yes to restore.")
        what = "OVERWRITE" if replace else "restore into"
        answer = input(
            f"This will {what} the {connection.vendor} database {connection.settings_dict.get('NAME')} and "
            f"MEDIA_ROOT {settings.MEDIA_ROOT} from the backup made {manifest['created_at']}.\n"
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled.")
