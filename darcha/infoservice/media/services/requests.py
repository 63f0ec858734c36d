"""Press requests (Law ZRU-369): a journalist's media request (an interview, a comment, facts for a
story; answered within 7 days) or request for information (15 days), registered through the appeals'
intake (`infoservice.services.appeal_register`, kind MEDIA or INFORMATION) so it takes the appeals'
workflow — routing, the executor, the answer letter — and kept in the journalist's account with its due
date (a PressRequest beside the appeal)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core.audit import audit_record
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Forbidden
from darcha.core.i18n import language_or_default
from darcha.core.models import Organization
from darcha.infoservice import services as appeals
from darcha.infoservice.choices import Channel, RequestKind

from ..models import Journalist, PressRequest

PRESS_KINDS = (RequestKind.MEDIA, RequestKind.INFORMATION)


def press_request_file(
    *,
    actor,
    journalist: Journalist,
    organization: Organization,
    kind: str,
    text: str,
    address: str,
    attachments=(),
    language: str | None = None,
    now: dt.datetime | None = None,
) -> PressRequest:
    """Register the journalist's request to the hokimiyat (its due date by terms.due_date: 7 days for a media
    request, 15 for a request for information, moved to the next working day). The author is the journalist
    (name, phone, e-mail, the outlet; `address`: the residence or the outlet's address the law asks for)."""
    now = now or timezone.now()
    if journalist.user_id != getattr(actor, "pk", None):
        raise Forbidden(_("This is another journalist's account."))
    errors = {}
    if kind not in PRESS_KINDS:
        errors["kind"] = [_("Choose a media request or a request for information.")]
    if kind == RequestKind.MEDIA and journalist.outlet_id is None:
        errors["kind"] = [_("A media request comes from an outlet: name your outlet in your account first.")]
    if organization is None or organization.kind != OrganizationKind.HOKIMIYAT:
        errors["organization"] = [_("Choose the hokimiyat.")]
    address = " ".join(str(address or "").split())
    if not address:
        errors["address"] = [_("Give your address or the outlet's: a request without one is not considered.")]
    if errors:
        raise ValidationError(errors)
    outlet = journalist.outlet
    with transaction.atomic():
        appeal = appeals.appeal_register(
            actor=appeals.AUTHOR,
            organization=organization,
            channel=Channel.WEB,
            kind=kind,
            text=text,
            author_name=journalist.full_name or str(journalist),
            author_address=address[:255],
            author_phone=journalist.phone,
            author_email=journalist.email,
            media_outlet=outlet.name if outlet is not None else "",
            language=language_or_default(language or journalist.user.language),
            attachments=attachments,
            now=now,
        )
        press_request = PressRequest.objects.create(journalist=journalist, appeal=appeal, outlet=outlet, created_at=now)
        audit_record(
            actor=actor,
            action="media_press_request_file",
            obj=press_request,
            organization=organization,
            data={"appeal": appeal.number, "kind": kind, "due": appeal.due_at.isoformat()},
        )
    return press_request
