"""No page or document claims a signature or a seal it does not carry.

Every template of the project (receipts, results, verification pages, tickets, every page) is read
with the texts it shows: its own words and each message it translates, in English and as each
catalog translates it. None may say it is signed, stamped or sealed unless the template is one that
renders a real signature (`CARRIES_SIGNATURE`, empty until results are signed: the e-government
issue). Words that mean something else are not claims: "signed in" (a counter's operator), the
"sealed secrets" of the notices (not in a template), Russian "распечатать"/"отпечаток" (print, a
fingerprint), "подписка" (a subscription).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import darcha

ROOT = Path(darcha.__file__).resolve().parent
# Templates that render a signature the document really carries (a PAdES signature's signer and time).
CARRIES_SIGNATURE: set[str] = set()
# Pages about the citizens' own signatures, which the Law on appeals turns on (the signatories of a collective
# appeal; a written appeal without a signature is not considered): they claim nothing about a document of ours.
ABOUT_AUTHORS_SIGNATURES = {
    "infoservice/templates/infoservice/public/new_form.html",
    "infoservice/templates/infoservice/staff/appeal.html",
}
# Pages that link a hokim's decision as the press secretary uploaded it: the signed original's scan, which
# carries the signature the page names.
ABOUT_UPLOADED_SIGNED_DECISIONS = {
    "infoservice/publications/templates/publications/staff/edit.html",
    "infoservice/publications/templates/publications/public/item.html",
}

CLAIMS = re.compile(
    r"""
    \bsigned\b(?!\s+(in|out|up)\b) | \bsignature | \bseal(ed)?\b | \bstamp(ed)?\b      # English
    | imzol | \bimzo\b | imzosi | muhr                                              # Uzbek (Latin)
    | имзол | \bимзо\b | имзоси | муҳр                                              # Uzbek (Cyrillic)
    | подписан | подписью | \bподпись | \bпечать\b | \bпечатью\b | заверен         # Russian
    """,
    re.IGNORECASE | re.VERBOSE,
)
LANGUAGES = ("en", "uz", "uz-cyrl", "ru")
TAG = re.compile(r"{%.*?%}|{#.*?#}|{{.*?}}|<style.*?</style>|<script.*?</script>|<[^>]+>", re.DOTALL)
MESSAGE = re.compile(
    r"""{%\s*(?:trans|translate)\s+(?P<q>["'])(?P<one>.*?)(?P=q)"""
    r"""|{%\s*(?:blocktrans|blocktranslate)\b[^%]*%}(?P<block>.*?){%\s*(?:endblocktrans|endblocktranslate|plural)\s*%}""",
    re.DOTALL,
)
VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def templates() -> list[Path]:
    return sorted(path for path in ROOT.glob("**/templates/**/*") if path.suffix in {".html", ".txt", ".svg"})


def messages(source: str) -> list[str]:
    found = []
    for match in MESSAGE.finditer(source):
        if match.group("one") is not None:
            found.append(match.group("one"))
        else:  # blocktranslate: the message id names its variables %(name)s
            found.append(VARIABLE.sub(r"%(\1)s", " ".join(match.group("block").split())))
    return found


def texts(source: str) -> list[str]:
    """The words a template shows: its literal text and each translated message in every language."""
    shown = [TAG.sub(" ", source)]
    for message in messages(source):
        for language in LANGUAGES:
            with translation.override(language):
                shown.append(translation.gettext(message))
    return shown


def test_the_scan_finds_a_claim_and_lets_other_words_pass():
    assert CLAIMS.search("Signed electronically by the issuing agency")
    assert CLAIMS.search("Hujjatni bergan idora tomonidan elektron imzolangan")
    assert CLAIMS.search("Подписано электронной подписью ведомства")
    assert CLAIMS.search("Muhr bilan tasdiqlangan") and CLAIMS.search("М.П. (печать)")
    for other in ("You are signed in at 3.", "Распечатать", "отпечаток SHA-256", "подписка в Telegram"):
        assert not CLAIMS.search(other), other
    assert messages('{% translate "A" %} {% blocktranslate with n=x %}B {{ n }}{% endblocktranslate %}') == [
        "A",
        "B %(n)s",
    ]


@pytest.mark.parametrize("path", templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_claims_a_signature_or_seal_it_does_not_carry(path):
    name = str(path.relative_to(ROOT))
    if name in CARRIES_SIGNATURE | ABOUT_AUTHORS_SIGNATURES | ABOUT_UPLOADED_SIGNED_DECISIONS:
        return
    claims = {text.strip()[:120] for text in texts(path.read_text()) if CLAIMS.search(text)}
    assert not claims, f"{name} claims what it does not carry: {sorted(claims)}"


def test_the_templates_are_found():
    names = {str(path.relative_to(ROOT)) for path in templates()}
    assert {"cases/templates/cases/pdf/result.html", "cases/templates/cases/pdf/receipt_a4.html"} <= names
    assert any(name.startswith("queues/templates/queues/") and "ticket" in name for name in names)
