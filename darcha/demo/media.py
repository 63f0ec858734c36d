"""The media stage of the Namangan demo loader (media.toml): the outlets' registry and journalists with
their accreditations, made through the accreditation services as a journalist and the commission would —
the application with its documents (a one-page PDF for each paper, a generated portrait for the photo),
then the commission's decision on the day the data says (`approved_days_ago`), so one accreditation ends
within a month (the renewal reminder's case), one waits for the commission, one is suspended and a foreign
correspondent's is temporary. Journalists named in users.toml sign in with the demo password; the others
have no login. Loaded with the demo users only, and only for journalists not there yet."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.core.models import Membership, Organization, User
from darcha.core.services import membership_grant
from darcha.infoservice.media.models import Journalist, Outlet
from darcha.infoservice.media.services import accreditation as service

COMMISSION = "commission"  # users.toml: the city hokimiyat's commission member


def _pdf(title: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(f"{title}.pdf", out.getvalue(), content_type="application/pdf")


def _portrait(seed: int) -> SimpleUploadedFile:
    """A plain 3×4 portrait placeholder: a head and shoulders on a coloured ground."""
    from PIL import Image, ImageDraw

    ground = [(196, 214, 232), (222, 208, 190), (204, 226, 206), (230, 214, 226)][seed % 4]
    image = Image.new("RGB", (300, 400), ground)
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 70, 205, 190), fill=(92, 74, 62))
    draw.rounded_rectangle((55, 200, 245, 420), radius=70, fill=(52, 66, 96))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def _outlets(specs: list[dict]) -> dict[str, Outlet]:
    made = {}
    for spec in specs:
        fields = {k: v for k, v in spec.items() if k != "code"}
        existing = Outlet.objects.filter(name=spec["name"]).first()
        made[spec["code"]] = existing or Outlet.objects.create(**fields)
    return made


def _commission_of(organization: Organization):
    member = (
        Membership.objects.filter(organization=organization, role=Role.ACCREDITATION_COMMISSION)
        .select_related("user")
        .first()
    )
    if member is not None:
        return member.user
    user, _created = User.objects.get_or_create(
        username=f"commission.{organization.code}",
        defaults={"first_name": "Komissiya", "last_name": organization.code, "email": ""},
    )
    user.set_unusable_password()
    user.save()
    membership_grant(actor=SYSTEM, user=user, organization=organization, role=Role.ACCREDITATION_COMMISSION)
    return user


def _account(spec: dict, index: int) -> User:
    username = spec.get("username") or f"press.demo.{index}"
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _space, last = spec["full_name"].partition(" ")
        user = User(username=username, first_name=first, last_name=last, phone=spec["phone"])
        user.set_unusable_password()
        user.save()
    if not user.email:
        user.email = f"{username}@darcha.example"
        user.save(update_fields=["email"])
    return user


def load(loader, *, now: dt.datetime) -> int:
    data = loader.data
    specs = data.get("media_journalists", [])
    if not specs:
        return 0
    outlets = _outlets(data.get("media_outlets", []))
    made = 0
    for index, spec in enumerate(specs, start=1):
        user = _account(spec, index)
        if Journalist.objects.filter(user=user).exists():
            continue
        organization = loader.orgs[spec["organization"]]
        with transaction.atomic():
            if not Membership.objects.filter(user=user, organization=organization, role=Role.JOURNALIST).exists():
                membership_grant(actor=SYSTEM, user=user, organization=organization, role=Role.JOURNALIST)
            journalist = Journalist.objects.create(
                user=user,
                full_name=spec["full_name"],
                phone=spec["phone"],
                email=user.email,
                outlet=outlets[spec["outlet"]],
                position=spec.get("position", ""),
                created_at=now - dt.timedelta(days=spec.get("approved_days_ago", 0) + 3),
            )
            decided = now - dt.timedelta(days=spec.get("approved_days_ago", 0))
            submitted = decided - dt.timedelta(days=2) if spec["state"] != "submitted" else now - dt.timedelta(hours=5)
            temporary = spec.get("temporary_days")
            start = decided.date() if temporary else None
            accreditation = service.accreditation_apply(
                actor=user,
                journalist=journalist,
                organization=organization,
                specialisation=spec["specialisation"],
                area=spec["area"],
                correspondent=spec["correspondent"],
                equipment=spec.get("equipment", ""),
                requested_from=start,
                requested_until=start + dt.timedelta(days=temporary - 1) if temporary else None,
                letter=_pdf("letter"),
                passport=_pdf("passport"),
                diploma=_pdf("diploma"),
                photo=_portrait(index),
                now=submitted if not temporary else decided,
            )
            if spec["state"] in ("approved", "suspended"):
                commission = _commission_of(organization)
                service.accreditation_approve(actor=commission, accreditation=accreditation, now=decided)
                if spec["state"] == "suspended":
                    service.accreditation_suspend(
                        actor=commission,
                        accreditation=accreditation,
                        reason=spec.get("reason", "—"),
                        now=decided + dt.timedelta(days=30),
                    )
        made += 1
    loader.result.created["accredited journalists"] += made
    return made
