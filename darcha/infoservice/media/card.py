"""The accreditation card: a PDF the size of a bank card (front: the photo, the name, the outlet, the
hokimiyat, the days it is in force; back: a QR code to its verification page and the code), in the
journalist's language, rendered when downloaded (nothing stored: it always shows the current state).

    new_code()                   the card's verification code (as the answer letters')
    verify_path(accreditation)   the verification page's address (media:verify), in the holder's language
    render_card(accreditation)   the PDF bytes
    accreditation_for_code(code) the accreditation a code names (the verification page's read)

The verification page says whether the card is in force today, suspended, revoked or expired, whose it
is (name, outlet, position) and where — never the journalist's contacts or documents.
"""

from __future__ import annotations

import base64

from django.urls import reverse
from django.utils import translation

from darcha.core import pdf
from darcha.core.i18n import language_or_default
from darcha.core.links import absolute_url
from darcha.infoservice.letters import CODE_ALPHABET, new_code  # noqa: F401 - the same codes as the letters'

from .models import Accreditation


def holder_language(accreditation: Accreditation) -> str:
    return language_or_default(getattr(accreditation.journalist.user, "language", ""))


def verify_path(accreditation: Accreditation, language: str | None = None) -> str:
    with translation.override(language or holder_language(accreditation)):
        return reverse("media:verify", args=[accreditation.card_code])


def photo_data_uri(accreditation: Accreditation) -> str:
    if not accreditation.photo:
        return ""
    with accreditation.photo.open("rb") as handle:
        data = handle.read()
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def card_number(accreditation: Accreditation) -> str:
    """The number printed on the card: the year it starts and the accreditation's own number."""
    year = accreditation.valid_from.year if accreditation.valid_from else accreditation.submitted_at.year
    return f"{year}-{accreditation.pk:06d}"


def card_context(accreditation: Accreditation) -> dict:
    path = verify_path(accreditation, translation.get_language())
    return {
        "accreditation": accreditation,
        "journalist": accreditation.journalist,
        "outlet": accreditation.outlet,
        "organization": accreditation.organization,
        "number": card_number(accreditation),
        "photo": photo_data_uri(accreditation),
        "code": accreditation.card_code,
        "qr": pdf.qr(path),
        "verify_url": absolute_url(path),
    }


def render_card(accreditation: Accreditation, language: str | None = None) -> bytes:
    language = language or holder_language(accreditation)
    with translation.override(language):
        context = card_context(accreditation)
    return pdf.render_pdf("media/pdf/card.html", context, language=language)


def accreditation_for_code(code: str) -> Accreditation | None:
    code = str(code or "").strip().upper()
    if not code or len(code) > 16 or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return (
        Accreditation.objects.filter(card_code=code)
        .select_related("journalist__user", "outlet", "organization")
        .first()
    )
