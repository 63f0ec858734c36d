"""The receipt of a kindergarten application, as an A4 PDF in the family's language.

    receipt_pdf(application)  → bytes

It carries the queue number and the six-digit access code, a QR code opening the family's page with the
code filled in, the child (initials, identifiers masked), the applicant, the district, the
kindergartens chosen in order, the privileges claimed and where their check stands, the date the child
joined the queue, and what happens next. The online application's done page and the front office both
link it (`preschool:receipt`). Made with the cases app's PDF machinery (WeasyPrint, the shipped fonts).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from darcha.core import pdf
from darcha.core.identifiers import mask_identifier, mask_name
from darcha.core.links import absolute_url

from .models import EnrollmentApplication

TEMPLATE = "preschool/pdf/receipt.html"


def family_paths(application: EnrollmentApplication) -> tuple[str, str]:
    """(the family's page of this application with its access code, the tracking form), in its language."""
    with translation.override(application.language):
        page = reverse("preschool:family", args=[application.number])
        form = reverse("preschool:track")
    return f"{page}?code={application.access_code}", form


def family_link(application: EnrollmentApplication) -> str:
    """The absolute address the receipt's QR code holds (and the bot and notices may send)."""
    return absolute_url(family_paths(application)[0])


def receipt_context(application: EnrollmentApplication) -> dict:
    page, form = family_paths(application)
    child = application.child
    return {
        "application": application,
        "child": child,
        # Masked: the paper may be lost, and with it the number and the code.
        "child_initials": mask_name(child.name),
        "birth_certificate": mask_identifier(child.birth_certificate, 3),
        "applicant": application.applicant,
        "district": application.district,
        "center": application.center,
        "choices": [p.program for p in sorted(application.preferences.all(), key=lambda p: p.rank)],
        "benefits": sorted(application.benefits.all(), key=lambda c: (c.benefit.tier, c.benefit.order, c.pk)),
        "qr": pdf.qr(page),
        "track_home": absolute_url(form),
        "referral_days": settings.PRESCHOOL_REFERRAL_DAYS,
    }


def receipt_pdf(application: EnrollmentApplication) -> bytes:
    """The receipt as PDF bytes, in the application's language."""
    return pdf.render_pdf(TEMPLATE, receipt_context(application), language=application.language)
