import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from darcha.core.audit import anchor_problems, audit_report
from darcha.core.models import Organization

ROOT = re.compile(r"[0-9a-f]{64}")


def read_anchors(values: list[str]) -> list[dict]:
    """Checkpoints kept outside the database: their files (<day>.json), folders of them, or bare roots."""
    anchors = []
    for value in values:
        if ROOT.fullmatch(value.strip().lower()):
            anchors.append({"root": value.strip().lower()})
            continue
        path = Path(value)
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        if not files:
            raise CommandError(f"{path} holds no checkpoint files (<day>.json).")
        for file in files:
            try:
                document = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"{file} is not a checkpoint file: {error}") from error
            if not isinstance(document, dict) or not ROOT.fullmatch(str(document.get("root", ""))):
                raise CommandError(f"{file} is not a checkpoint file (no root).")
            anchors.append(document)
    return anchors


class Command(BaseCommand):
    help = (
        "Verify the audit log: every organization's chain on its own (a chain that broke is reported with where, "
        "the others still verify) and every daily checkpoint. With --anchor, also check that checkpoints kept "
        "outside the database (their <day>.json files, a folder of them, or a root) are still the database's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE|DIR|ROOT",
            help="a checkpoint kept outside the database: its file, a folder of them, or its root hash (repeatable)",
        )

    def handle(self, *args, anchor=(), **options):
        anchors = read_anchors(list(anchor))
        report = audit_report()
        names = dict(
            Organization.objects.filter(
                pk__in=[c.organization_id for c in report.chains if c.organization_id]
            ).values_list("pk", "code")
        )
        problems = []
        for chain in report.chains:
            label = chain.key + (f" ({names[chain.organization_id]})" if chain.organization_id in names else "")
            if chain.broken is None:
                self.stdout.write(f"{label}: {chain.entries} entries intact.")
            else:
                broken = chain.broken
                at = "" if broken.seq is None else f" at entry {broken.seq}"
                at += "" if broken.entry_id is None else f" (#{broken.entry_id})"
                problems.append(f"BROKEN {label}{at}: {broken.reason} ({chain.entries} entries before it are intact)")
        chain_breaks = [chain.broken for chain in report.chains if chain.broken is not None]
        problems += [f"BROKEN {p}" for p in report.problems if not any(p is b for b in chain_breaks)]
        problems += anchor_problems(anchors)
        if problems:
            intact = len(report.chains) - len(chain_breaks)
            raise CommandError("\n".join(problems) + f"\n{intact} of {len(report.chains)} chains verify on their own.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.entries} entries verified in {len(report.chains)} chains; "
                f"{report.checkpoints} checkpoints"
                + (f", {len(anchors)} kept outside the database agree." if anchors else ".")
            )
        )
