"""Builders of the publication editor's tests: a city hokimiyat with its press secretary, a writer (the
hokim) and an outsider; images and PDFs made on the fly; drafts written through the services."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from darcha.core.choices import OrganizationKind, Role
from darcha.infoservice.publications import services
from tests.factories import OrganizationFactory, staff
from tests.infoservice.helpers import at  # noqa: F401 - re-exported for the tests

UZ = {
    "title": "Yangi maktab ochildi",
    "lead": "Shahar markazida",
    "body": "<p>Bugun <strong>yangi</strong> maktab ochildi.</p>",
}


class Office:
    def __init__(self, code: str = "pub-city-hokimiyat"):
        region = OrganizationFactory(code=f"{code}-region", kind=OrganizationKind.REGION)
        city = OrganizationFactory(code=f"{code}-city", kind=OrganizationKind.CITY, parent=region)
        self.organization = OrganizationFactory(code=code, kind=OrganizationKind.HOKIMIYAT, parent=city)
        self.press = staff(f"{code}-press", self.organization, Role.PRESS_SECRETARY, email=f"press@{code}.uz")
        self.writer = staff(f"{code}-hokim", self.organization, Role.HOKIM, email=f"hokim@{code}.uz")
        other = OrganizationFactory(code=f"{code}-other", kind=OrganizationKind.HOKIMIYAT, parent=city)
        self.outsider = staff(f"{code}-outsider", other, Role.PRESS_SECRETARY)


def texts(**languages) -> dict:
    return {"uz": dict(UZ), **languages}


def draft(office: Office, *, actor=None, kind="news", data=None, texts_=None, signed_pdf=None):
    return services.publication_create(
        actor=actor or office.press,
        organization=office.organization,
        data={"kind": kind, **(data or {})},
        texts=texts_ if texts_ is not None else texts(),
        signed_pdf=signed_pdf,
    )


def png(width=2400, height=1200, color=(200, 30, 30), mode="RGB", name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg(width=800, height=600, name="photo.jpg", exif_orientation: int | None = None) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (10, 120, 200))
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_an_image(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is an executable, not a picture", content_type="image/png")


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_pdf(name="qaror.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


DECISION = {
    "decision_number": "125-Q",
    "decision_subject": "Shahar obodonlashtirish rejasi toʻgʻrisida",
}
