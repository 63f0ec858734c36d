"""Import appeals that came in a file (CSV or JSON) from a partner reception or another system:
`darcha appeals_import --organization <hokimiyat code> --source <name> FILE.csv|FILE.json`.

Each row is validated as the partner API's body is (`partner_api.AppealImportSerializer`) and registered
as any appeal (`services.appeal_register`), in its own transaction: a refused row changes nothing and
does not stop the others. A row whose number the source sent before (in a file or through the API) is
reported as existing and left as it is. The report lists the rows imported, existing and refused (with
the reasons, by line). Sources `virtual_reception` and `peoples_reception` are those channels' appeals;
any other name is a file import.

JSON: a list of objects shaped as the API's body (or `{"appeals": [...]}`). CSV (UTF-8, a header row):
the API's flat fields (`number`, `received_at`, `type`, `kind`, `text`, `language`, `topic`,
`complained_body`, `latitude`, `longitude`, `location_address`, `consent_publish`), the author's as
`author_name`, `author_address`, `author_phone`, `author_email`, and `signatories` as
"name|residence|phone" entries separated by ";".
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rest_framework import exceptions

from darcha.core.audit import SystemActor
from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.infoservice.partner_api import AppealImportSerializer, existing_appeal, register_imported

SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
_AUTHOR_COLUMNS = {"author_name": "name", "author_address": "address", "author_phone": "phone", "author_email": "email"}
_TRUE = {"1", "true", "yes", "ha", "да"}


@dataclass
class Report:
    imported: list[tuple[int, str, str]] = field(default_factory=list)  # (line, their number, our number)
    existing: list[tuple[int, str, str]] = field(default_factory=list)
    refused: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (line, their number, reasons)


def _reasons(errors, prefix: str = "") -> list[str]:
    """DRF's nested field errors as "field: message" lines."""
    if isinstance(errors, dict):
        return [line for key, value in errors.items() for line in _reasons(value, f"{prefix}{key}.")]
    if isinstance(errors, list):
        lines = []
        for index, value in enumerate(errors):
            if isinstance(value, dict | list) and value:
                lines.extend(_reasons(value, f"{prefix}{index}." if isinstance(value, dict) else prefix))
            elif value:
                lines.append(f"{prefix.rstrip('.') or 'row'}: {value}")
        return lines
    return [f"{prefix.rstrip('.') or 'row'}: {errors}"]


def csv_row(row: dict) -> dict:
    """A CSV row in the API's shape."""
    data: dict = {"author": {}}
    for key, value in row.items():
        if key is None:
            continue
        key, value = key.strip(), (value or "").strip()
        if key in _AUTHOR_COLUMNS:
            data["author"][_AUTHOR_COLUMNS[key]] = value
        elif key == "signatories":
            people = []
            for entry in filter(None, (part.strip() for part in value.split(";"))):
                name, address, phone = ([*entry.split("|"), "", ""])[:3]
                people.append({"name": name.strip(), "address": address.strip(), "phone": phone.strip()})
            data["signatories"] = people
        elif key == "consent_publish":
            data[key] = value.lower() in _TRUE
        elif key in ("latitude", "longitude", "received_at"):
            data[key] = value or None
        elif value or key == "text":
            data[key] = value
    return data


def read_rows(path: Path) -> list[tuple[int, object]]:
    """(line or position, row) of the file, by its extension."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                return [(reader.line_num, csv_row(row)) for row in reader]
        if suffix == ".json":
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
            if isinstance(data, dict):
                data = data.get("appeals")
            if not isinstance(data, list):
                raise CommandError('A JSON file holds a list of appeals (or {"appeals": [...]}).')
            return list(enumerate(data, start=1))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    raise CommandError("The file must be .csv or .json.")


def import_rows(*, organization: Organization, source: str, rows) -> Report:
    actor = SystemActor(f"import:{source}")
    report = Report()
    for line, row in rows:
        if not isinstance(row, dict):
            report.refused.append((line, "", ["row: an appeal is an object"]))
            continue
        number = str(row.get("number") or "").strip()
        found = existing_appeal(source, number)
        if found is not None:
            report.existing.append((line, number, found.number))
            continue
        data = AppealImportSerializer(data={**row, "organization": organization.code})
        if not data.is_valid():
            report.refused.append((line, number, _reasons(data.errors)))
            continue
        try:
            appeal = register_imported(actor=actor, source=source, valid=data.validated_data)
        except exceptions.ValidationError as error:
            report.refused.append((line, number, _reasons(error.detail)))
            continue
        report.imported.append((line, number, appeal.number))
    return report


class Command(BaseCommand):
    help = (
        "Import appeals from a CSV or JSON file into a hokimiyat (each row on its own; rows sent before are "
        "left as they are) and report the rows imported, existing and refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .csv or .json file of appeals.")
        parser.add_argument("--organization", required=True, help="Code of the hokimiyat the appeals go to.")
        parser.add_argument(
            "--source",
            required=True,
            help="Whose numbers the rows carry (virtual_reception, peoples_reception, or another system's name).",
        )

    def handle(self, *args, file: Path, organization: str, source: str, **options):
        source = source.strip().lower()
        if not SOURCE.match(source):
            raise CommandError("--source is a short name: lower-case letters, digits, _ . - (at most 32).")
        hokimiyat = Organization.objects.filter(code=organization, kind=OrganizationKind.HOKIMIYAT).first()
        if hokimiyat is None:
            raise CommandError(f"No hokimiyat has the code {organization!r}.")
        report = import_rows(organization=hokimiyat, source=source, rows=read_rows(file))
        for line, theirs, ours in report.imported:
            self.stdout.write(f"line {line}: {theirs or '-'} imported as {ours}")
        for line, theirs, ours in report.existing:
            self.stdout.write(f"line {line}: {theirs} exists already as {ours}")
        for line, theirs, reasons in report.refused:
            self.stdout.write(f"line {line}: {theirs or '-'} refused: " + "; ".join(reasons))
        self.stdout.write(
            f"{len(report.imported)} imported, {len(report.existing)} existing, {len(report.refused)} refused"
        )
