"""Spoken calls for the display board, composed from pre-rendered clips (works offline).

`compose("A-015", 3, "uz")` → ["navbat", "letter-a", "10", "5", "pause", "ord-3", "oynaga"]:
"Navbat A oʻn besh, uchinchi oynaga". In Russian: "Талон А пятнадцать, окно три". Every name but
PAUSE is a clip under static/queues/voice/<lang>/, rendered from the text in CLIPS by
`darcha render_voice_clips` (Debian's espeak-ng); the board plays them one after another.
Numbers 1–999 are said in words; longer ones digit by digit.
"""

from __future__ import annotations

import re

LANGUAGES = ("uz", "ru")
PAUSE = "pause"  # a short silence between the ticket and the window
ESPEAK_VOICES = {"uz": "uz", "ru": "ru"}

_UNITS_UZ = ["nol", "bir", "ikki", "uch", "toʻrt", "besh", "olti", "yetti", "sakkiz", "toʻqqiz"]
_TENS_UZ = ["", "oʻn", "yigirma", "oʻttiz", "qirq", "ellik", "oltmish", "yetmish", "sakson", "toʻqson"]
# Ordinals: "3-oyna" is read "uchinchi oyna"; only the last word of a number takes the ending.
_ORDINAL_UNITS_UZ = [
    "",
    "birinchi",
    "ikkinchi",
    "uchinchi",
    "toʻrtinchi",
    "beshinchi",
    "oltinchi",
    "yettinchi",
    "sakkizinchi",
    "toʻqqizinchi",
]
_ORDINAL_TENS_UZ = [
    "",
    "oʻninchi",
    "yigirmanchi",
    "oʻttizinchi",
    "qirqinchi",
    "elliginchi",
    "oltmishinchi",
    "yetmishinchi",
    "saksoninchi",
    "toʻqsoninchi",
]
_UNITS_RU = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
_TEENS_RU = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
]
_TENS_RU = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"]
_HUNDREDS_RU = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"]

# Latin letters of ticket prefixes as they are named aloud.
_LETTERS_UZ = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "a be se de e ef ge ha i je ka el em en o pe qa er es te u ve dubl-ve xa ye ze".split(),
        strict=True,
    )
)
_LETTERS_RU = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "а бэ цэ дэ э эф гэ ха и жи ка эль эм эн о пэ ку эр эс тэ у вэ дубль-вэ икс игрек зэт".split(),
        strict=True,
    )
)


def _vocabulary() -> dict[str, dict[str, str]]:
    uz = {"navbat": "Navbat", "oynaga": "oynaga", "0": _UNITS_UZ[0], "100": "yuz", "ord-100": "yuzinchi"}
    ru = {"talon": "Талон", "okno": "окно", "0": _UNITS_RU[0]}
    for digit in range(1, 10):
        uz[str(digit)] = _UNITS_UZ[digit]
        uz[str(digit * 10)] = _TENS_UZ[digit]
        uz[f"ord-{digit}"] = _ORDINAL_UNITS_UZ[digit]
        uz[f"ord-{digit * 10}"] = _ORDINAL_TENS_UZ[digit]
        ru[str(digit)] = _UNITS_RU[digit]
        ru[str(digit * 100)] = _HUNDREDS_RU[digit]
        if digit >= 2:
            ru[str(digit * 10)] = _TENS_RU[digit]
    for number, word in enumerate(_TEENS_RU, start=10):
        ru[str(number)] = word
    for letter in _LETTERS_UZ:
        uz[f"letter-{letter.lower()}"] = _LETTERS_UZ[letter].replace("-", " ")
        ru[f"letter-{letter.lower()}"] = _LETTERS_RU[letter]
    return {"uz": uz, "ru": ru}


# clip name → the text espeak-ng says, per language
CLIPS: dict[str, dict[str, str]] = _vocabulary()


def number_words(number: int, lang: str) -> list[str]:
    """Clip names saying a whole number: 1–999 in words, anything longer digit by digit."""
    if number < 0:
        raise ValueError("a ticket number is never negative")
    if number == 0:
        return ["0"]
    if number > 999:
        return [str(int(digit)) for digit in str(number)]
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if lang == "uz":
        if hundreds:
            words += ([str(hundreds)] if hundreds > 1 else []) + ["100"]  # "yuz", "ikki yuz"
        if tens:
            words.append(str(tens * 10))
        if units:
            words.append(str(units))
    elif lang == "ru":
        if hundreds:
            words.append(str(hundreds * 100))
        if tens == 1:
            words.append(str(10 + units))  # одиннадцать … девятнадцать
        else:
            if tens:
                words.append(str(tens * 10))
            if units:
                words.append(str(units))
    else:
        raise ValueError(f"no voice for language {lang!r}")
    return words


def ordinal_words(number: int) -> list[str]:
    """Uzbek ordinal ("uchinchi", "oʻn ikkinchi"): the number's words, the last one as ordinal."""
    words = number_words(number, "uz")
    last = f"ord-{words[-1]}"
    return [*words[:-1], last] if last in CLIPS["uz"] else words


def _parse(ticket: str) -> tuple[str, int | None]:
    """Prefix and number of a ticket: "A-015" → ("A", 15); "AB7" → ("AB", 7)."""
    ticket = ticket.strip().upper()
    match = re.fullmatch(r"(.*?)[-\s]*(\d+)", ticket)
    if match is None:
        return ticket, None
    return match.group(1), int(match.group(2))


def prefix_words(prefix: str, lang: str) -> list[str]:
    words: list[str] = []
    for char in prefix.upper():
        if "A" <= char <= "Z":
            words.append(f"letter-{char.lower()}")
        elif char.isdigit() and char.isascii():
            words.append(char)
        # anything else (a Cyrillic letter, a sign) is shown on the board but not said
    return words


def compose(ticket: str, counter: int, lang: str) -> list[str]:
    """Clip names (and PAUSE) announcing `ticket` called to window `counter` in `lang`."""
    prefix, number = _parse(ticket)
    said = prefix_words(prefix, lang) + (number_words(number, lang) if number is not None else [])
    if lang == "uz":
        return ["navbat", *said, PAUSE, *ordinal_words(counter), "oynaga"]
    if lang == "ru":
        return ["talon", *said, PAUSE, "okno", *number_words(counter, "ru")]
    raise ValueError(f"no voice for language {lang!r}")


def announcement(ticket: str, counter: int | None) -> dict[str, list[str]]:
    """The clips of every board language; empty when the window is unknown."""
    if not counter:
        return {}
    return {lang: compose(ticket, counter, lang) for lang in LANGUAGES}


def text(clips: list[str], lang: str) -> str:
    """What the clips say, as text (for tests and the board's captions)."""
    return " ".join("," if name == PAUSE else CLIPS[lang][name] for name in clips).replace(" ,", ",")
