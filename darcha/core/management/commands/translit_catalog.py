"""Build the Uzbek Cyrillic message catalog from the Uzbek Latin one by transliteration.

Uzbek has one language in two scripts, so translators keep only the Latin catalog; a Cyrillic
string a translator did enter by hand (marked with a "# manual" translator comment) is kept.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from darcha.core.translit import latin_to_cyrillic


def _parse(path: Path) -> list[list[str]]:
    return [block.splitlines() for block in path.read_text(encoding="utf-8").split("\n\n")]


def _string(lines: list[str], key: str) -> tuple[int, int, str] | None:
    """(start, end, value) of a msgid/msgstr possibly spanning continuation lines."""
    import ast

    for i, line in enumerate(lines):
        if line.startswith(key + " "):
            parts, j = [line[len(key) + 1 :]], i + 1
            while j < len(lines) and lines[j].startswith('"'):
                parts.append(lines[j])
                j += 1
            return i, j, "".join(ast.literal_eval(p) for p in parts)
    return None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Command(BaseCommand):
    help = "Write locale/uz_Cyrl/LC_MESSAGES/django.po from locale/uz by transliteration."

    def handle(self, *args, **options):
        locale = Path(settings.LOCALE_PATHS[0])
        source, target = locale / "uz/LC_MESSAGES/django.po", locale / "uz_Cyrl/LC_MESSAGES/django.po"
        if not source.exists():
            raise CommandError(f"{source} does not exist; run makemessages first")
        manual = {}
        if target.exists():
            for block in _parse(target):
                if any(line.startswith("# manual") for line in block):
                    msgid, msgstr = _string(block, "msgid"), _string(block, "msgstr")
                    if msgid and msgstr:
                        manual[msgid[2]] = msgstr[2]
        out, count = [], 0
        for block in _parse(source):
            msgid = _string(block, "msgid")
            if msgid and msgid[2] == "":  # the header
                block = [line.replace("Language: uz\\n", "Language: uz_Cyrl\\n") for line in block]
            elif msgid:
                if msgid[2] in manual and not any(line.startswith("# manual") for line in block):
                    block = ["# manual", *block]  # the next run keeps it too
                for key in ["msgstr", *(f"msgstr[{n}]" for n in range(6))]:
                    found = _string(block, key)
                    if found and found[2]:
                        value = manual.get(msgid[2]) if key == "msgstr" else None
                        block = (
                            block[: found[0]]
                            + [f"{key} {_quote(value or latin_to_cyrillic(found[2]))}"]
                            + block[found[1] :]
                        )
                        count += 1
            out.append("\n".join(block))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n\n".join(out), encoding="utf-8")
        self.stdout.write(f"{target}: {count} strings transliterated.")
