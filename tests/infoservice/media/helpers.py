"""Helpers of the accreditation tests: a hokimiyat with its commission, a signed-up journalist, the
documents of an application (a PDF, a real photo made with Pillow)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from darcha.core.choices import Role
from darcha.infoservice.media.services import accreditation as service
from darcha.infoservice.media.services import journalists
from tests.factories import PNG, pdf_file, staff
from tests.infoservice.helpers import hokimiyat

PASSWORD = "Quill-and-ink-2026"


def photo_file(name="photo.jpg", size=(300, 400), fmt="JPEG"):
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 160)).save(out, format=fmt)
    kind = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, out.getvalue(), content_type=kind)


def fake_png(name="photo.png"):
    """Starts like a PNG, is not an image."""
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def documents(**override):
    files = {
        "letter": pdf_file("letter.pdf"),
        "passport": pdf_file("passport.pdf"),
        "diploma": pdf_file("diploma.pdf"),
        "photo": photo_file(),
    }
    files.update(override)
    return files


def office(code="chust"):
    place = hokimiyat(code, departments=1)
    commission = staff(f"{code}-commission", place.hokimiyat, Role.ACCREDITATION_COMMISSION, email="c@example.org")
    return place, commission


def sign_up(place, username="ali", *, outlet=None, kind="newspaper", number=None, **extra):
    new_outlet = None
    if outlet is None:
        new_outlet = {
            "name": extra.pop("outlet_name", "Namangan haqiqati"),
            "kind": kind,
            "registration_number": number if number is not None else ("" if kind == "foreign" else "0123"),
            "country": "Rossiya" if kind == "foreign" else "Oʻzbekiston",
        }
    return journalists.journalist_sign_up(
        username=username,
        password=PASSWORD,
        full_name=extra.pop("full_name", f"{username.title()} Valiyev"),
        phone=extra.pop("phone", "+998901234567"),
        email=extra.pop("email", f"{username}@example.org"),
        position="muxbir",
        organization=place.hokimiyat,
        outlet=outlet,
        new_outlet=new_outlet,
        **extra,
    )


def apply(journalist, place, *, now=None, **fields):
    values = {
        "specialisation": "Iqtisodiyot",
        "area": "Chust tumani",
        "correspondent": "staff",
        "equipment": "Kamera",
    }
    values.update(fields)
    files = documents(**{k: values.pop(k) for k in ("letter", "passport", "diploma", "photo") if k in values})
    return service.accreditation_apply(
        actor=journalist.user, journalist=journalist, organization=place.hokimiyat, now=now, **values, **files
    )
