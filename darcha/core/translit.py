"""Uzbek transliteration between Cyrillic and Latin script, and search normalisation.

Uzbek is officially written in Latin script (with ʻ U+02BB in Oʻ, Gʻ) but Cyrillic is widely read,
so content written once in Latin is shown in Cyrillic where no Cyrillic text was entered, and
search folds every script to one plain Latin form.
"""

import re
import unicodedata

OKINA = "\u02bb"  # ʻ in Oʻ, Gʻ
TUTUQ = "\u02bc"  # ʼ (tutuq belgisi)
_APOSTROPHES = "'`\u2018\u2019\u02bb\u02bc\u02b9"

_CYR_TO_LAT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "x",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": TUTUQ,
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ў": "o" + OKINA,
    "қ": "q",
    "ғ": "g" + OKINA,
    "ҳ": "h",
}

# Longest patterns first: digraphs before single letters.
_LAT_TO_CYR = [
    ("yo" + OKINA, "йў"),
    ("yo'", "йў"),
    ("yo‘", "йў"),
    ("o" + OKINA, "ў"),
    ("g" + OKINA, "ғ"),
    ("o'", "ў"),
    ("g'", "ғ"),
    ("o‘", "ў"),
    ("g‘", "ғ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("yo", "ё"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "е"),
    ("ts", "ц"),
    ("a", "а"),
    ("b", "б"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "ҳ"),
    ("i", "и"),
    ("j", "ж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "қ"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("x", "х"),
    ("y", "й"),
    ("z", "з"),
    (TUTUQ, "ъ"),
    ("’", "ъ"),
]
_LAT_PATTERN = re.compile("|".join(re.escape(lat) for lat, _ in _LAT_TO_CYR), re.IGNORECASE)
_LAT_MAP = dict(_LAT_TO_CYR)
# Latin acronyms Uzbek Cyrillic writes in Latin too (API, PDF, SMS, QR…), and codes with digits (A4,
# AA1234567); Uzbek ones (STIR, BHM, MTT) are transliterated. A suffix may follow: PDFni → PDFни.
LATIN_ACRONYMS = (
    "API", "CSV", "GPS", "HTML", "HTTPS", "HTTP", "ID", "IP", "JPEG", "JSON", "OK", "PDF", "PIN", "PNG", "QR",
    "RSS", "SHA", "SMS", "URL", "USB", "UTC", "XES", "XLSX",
)  # fmt: skip
_ACRONYM = r"(?<![A-Za-z])(?:" + "|".join(LATIN_ACRONYMS) + r"|[A-Z]+[0-9][A-Z0-9]*)(?![A-Z])"
# Django template placeholders and HTML/format markers must survive transliteration untouched.
_PROTECTED = re.compile(r"(%\([^)]+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|&[a-z]+;|https?://\S+|" + _ACRONYM + ")")


def _match_case(source: str, target: str) -> str:
    if source.isupper() and len(source) > 1:
        return target.upper()
    if source[0].isupper():
        return target[:1].upper() + target[1:]
    return target


def cyrillic_to_latin(text: str) -> str:
    out = []
    for ch in text:
        lat = _CYR_TO_LAT.get(ch.lower())
        if lat is None:
            out.append(ch)
        elif ch.isupper():
            out.append(lat[:1].upper() + lat[1:])
        else:
            out.append(lat)
    return "".join(out)


def _latin_chunk_to_cyrillic(text: str) -> str:
    def replace(match: re.Match) -> str:
        source = match.group(0)
        cyr = _LAT_MAP[source.lower()]
        start = match.start()
        # Latin "e" at the start of a word (or after a vowel) is Cyrillic "э".
        prev = text[start - 1] if start else " "
        if source.lower() == "e" and not prev.isalpha():
            cyr = "э"
        # "ye" after a consonant is "ъе" (obyekt → объект); at a word start or after a vowel, "е".
        if source.lower() == "ye" and prev.isalpha() and prev.lower() not in "aeiouʻ'":
            cyr = "ъе"
        return _match_case(source, cyr)

    return _LAT_PATTERN.sub(replace, text)


def latin_to_cyrillic(text: str) -> str:
    """Uzbek Latin to Uzbek Cyrillic, leaving placeholders, tags and URLs intact."""
    parts = _PROTECTED.split(text)
    return "".join(part if i % 2 else _latin_chunk_to_cyrillic(part) for i, part in enumerate(parts))


def search_key(text: str) -> str:
    """One plain lowercase Latin form for search: scripts folded, apostrophes and accents dropped."""
    text = cyrillic_to_latin(text.lower())
    text = "".join(ch for ch in text if ch not in _APOSTROPHES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", " ", text).strip()
