"""Receipts: both layouts carry the number, access code and documents, in the applicant's language,
with a QR code of the tracking page; the 80 mm strip is one page exactly as long as its content."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from darcha.cases.receipts import receipt_context, receipt_pdf, tracking_paths
from tests.cases.helpers import submit

MM = 72 / 25.4


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def russian(service, applicant, center, operator):
    return submit(service, applicant, center, operator, language="ru")


@pytest.mark.parametrize("layout", ["a4", "80mm"])
def test_the_receipt_carries_number_code_and_documents(application, layout):
    content = receipt_pdf(application, layout)
    assert content.startswith(b"%PDF")
    text = flat(pdf_text(content))
    assert application.number in text and application.access_code in text
    assert "Aliyev Vali" in text and "Markaz 1" in text
    assert "Qurilish ruxsatnomasi" in text  # the service, in the applicant's language (uz)
    assert "Pasport" in text and "Joy rejasi" in text  # documents received
    assert "Kadastr koʻchirmasi" in text  # obtained by the center
    assert "PAY-1" in text
    assert timezone.localtime(application.due_at).strftime("%d.%m.%Y") in text
    assert f"/status {application.number} {application.access_code}" in text


@pytest.mark.parametrize("layout", ["a4", "80mm"])
def test_the_receipt_is_in_the_applicants_language(russian, layout):
    text = flat(pdf_text(receipt_pdf(russian, layout)))
    assert russian.number in text and russian.access_code in text
    assert "Услуга" in text  # the label "Service" in Russian
    assert "Паспорт" in text and "План участка" in text and "Кадастровая выписка" in text
    assert "Pasport" not in text


def test_the_a4_receipt_is_one_a4_page(application):
    reader = PdfReader(io.BytesIO(receipt_pdf(application, "a4")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 210 and round(float(box.height) / MM) == 297


def test_the_strip_is_80mm_wide_and_as_long_as_its_content(application, service, applicant, center, operator):
    reader = PdfReader(io.BytesIO(receipt_pdf(application, "80mm")))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    short = float(box.height) / MM
    assert round(float(box.width) / MM) == 80 and 90 <= short < 300

    # A longer checklist makes a longer strip, still on one page.
    from darcha.catalog.models import RequiredDocument

    for position in range(4, 16):
        RequiredDocument.objects.create(
            service=service,
            position=position,
            name_uz=f"Qoʻshimcha hujjat raqam {position} — juda uzun nomli maʼlumotnoma va uning nusxasi",
            mandatory=False,
        )
    documents = list(service.documents.filter(obtained_by_center=False))
    longer = submit(service, applicant, center, operator, presented=documents)
    reader = PdfReader(io.BytesIO(receipt_pdf(longer, "80mm")))
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.height) / MM > short + 20
    assert "raqam 15" in flat(pdf_text(receipt_pdf(longer, "80mm")))


def test_the_qr_code_opens_the_tracking_page_with_the_access_code(russian, settings):
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    detail, form = tracking_paths(russian)
    assert detail == f"/ru/track/{russian.number}/?code={russian.access_code}"
    assert form == "/ru/track/"
    context = receipt_context(russian)
    assert context["track_url"] == f"https://darcha.example.uz{detail}"
    assert str(context["qr"]).startswith("<svg")


def test_an_unknown_layout_is_refused(application):
    with pytest.raises(ValueError):
        receipt_pdf(application, "a5")
