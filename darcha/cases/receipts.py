"""The receipt (tilxat / расписка) handed to the applicant at intake, as a PDF in their language.

    receipt_pdf(application, "a4")    → an A4 page for an office printer
    receipt_pdf(application, "80mm")  → a strip for an 80 mm receipt printer

Both carry the center, the tracking number, the six-digit access code, the service, the
applicant, the dates, the fee, the documents received and a QR code opening the public tracking
page with the access code filled in.

An 80 mm roll has no fixed page length, and WeasyPrint needs one: the strip is laid out once on
a very long page, the end of its content is read back from a named anchor in that PDF, and it
is laid out again on a page exactly that long (so the printer cuts below the last line, and a
service with a long checklist never spills onto a second strip).
"""

from __future__ import annotations

import io
import math

from django.urls import reverse
from django.utils import translation

from darcha.core import pdf
from darcha.core.links import absolute_url

from .choices import DocumentPurpose
from .models import Application

LAYOUTS = ("a4", "80mm")
TEMPLATES = {"a4": "cases/pdf/receipt_a4.html", "80mm": "cases/pdf/receipt_80mm.html"}

STRIP_MEASURE_MM = 1500  # the long page the strip is measured on
STRIP_MIN_MM = 90  # never shorter than this: the cutter and the tear-off need paper
STRIP_BOTTOM_MM = 10  # blank paper below the last line
POINTS_PER_MM = 72 / 25.4
END_ANCHOR = "receipt-end"


def tracking_paths(application: Application) -> tuple[str, str]:
    """(the tracking page of this application with its access code, the tracking form), in its language."""
    with translation.override(application.language):
        detail = reverse("cases:track_detail", args=[application.number])
        form = reverse("cases:track")
    return f"{detail}?code={application.access_code}", form


def receipt_context(application: Application) -> dict:
    intake = [d for d in application.documents.all() if d.purpose == DocumentPurpose.INTAKE]
    intake.sort(key=lambda d: (d.required.position if d.required_id else 10_000, d.added_at, d.pk))
    # A checklist item presented on paper and scanned too shows once; extra files one by one.
    received: dict[object, dict] = {}
    for document in intake:
        key = document.required_id or f"file-{document.pk}"
        item = received.setdefault(key, {"required": document.required, "title": document.title, "scanned": False})
        item["scanned"] = item["scanned"] or bool(document.file)
    track_path, track_form = tracking_paths(application)
    return {
        "application": application,
        "center": application.center,
        "service": application.service,
        "applicant": application.applicant,
        "received": list(received.values()),
        "by_center": [d for d in application.service.documents.all() if d.obtained_by_center],
        "qr": pdf.qr(track_path),
        "track_url": absolute_url(track_path),
        "track_home": absolute_url(track_form),
    }


def _strip_length_mm(content: bytes) -> int:
    """How long the strip must be: the end anchor's distance from the top of the measuring page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    destination = reader.named_destinations.get(END_ANCHOR)
    if destination is None or len(reader.pages) != 1:
        return STRIP_MEASURE_MM
    page_height = float(reader.pages[0].mediabox.height)
    used = (page_height - float(destination["/Top"])) / POINTS_PER_MM
    return max(STRIP_MIN_MM, math.ceil(used + STRIP_BOTTOM_MM))


def receipt_pdf(application: Application, layout: str = "a4") -> bytes:
    """The receipt as PDF bytes, in the applicant's language."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown receipt layout {layout!r}")
    context = receipt_context(application)
    template = TEMPLATES[layout]
    if layout == "a4":
        return pdf.render_pdf(template, context, language=application.language)
    measured = pdf.render_pdf(template, {**context, "page_height": STRIP_MEASURE_MM}, language=application.language)
    height = _strip_length_mm(measured)
    return pdf.render_pdf(template, {**context, "page_height": height}, language=application.language)
