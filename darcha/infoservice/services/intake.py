"""Registering appeals from every channel, and the author's tracking by number and access code.

The law forbids refusing to register an appeal: `appeal_register` registers whatever comes, an anonymous
appeal too (it then goes to "not considered" with a conclusion the head approves, `answers`), and refuses
only input it cannot store: no text, a file that is not a PDF, JPEG or PNG, a malformed phone or
e-mail. Registration is the same day within office hours, else the next working day (`terms`); the due
date is stored then. A partner's resend (the same source and their number) returns the appeal registered
the first time. A repeated or duplicate appeal (`similarity`) is recorded on the new one for the officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from darcha.core import access
from darcha.core.audit import actor_user, audit_record
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Forbidden
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import validate_phone
from darcha.core.lookups import LookupLimits, limited_lookup
from darcha.core.models import Organization, Person
from darcha.core.uploads import check_batch, check_upload

from .. import similarity, terms
from ..choices import (
    CHANNEL_FORM,
    AppealRefusal,
    AppealType,
    Channel,
    EventKind,
    NotConsideredGround,
    RequestKind,
)
from ..models import Appeal, Attachment, Signatory
from ._common import NUMBER_FORMAT, calendar, new_access_code, next_number, notify_author, record_event

REGISTRAR_ONLY = _lazy(
    "Only the hokimiyat's appeals staff, an operator of a center in its territory or a partner reception "
    "may register appeals here."
)
PARTNER_ONLY = _lazy("Only a partner reception's system (the Virtual Reception, a People's Reception) may do this.")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class SignatoryData:
    """One signatory of a collective appeal, as a form or an import gives it."""

    name: str
    address: str = ""
    phone: str = ""


def appeals_partners() -> dict[str, str]:
    """Partner organizations (codes) whose clerks' systems send appeals, and the source each one's
    numbers belong to: APPEALS_PARTNERS, items "code=source"."""
    partners = {}
    for item in getattr(settings, "APPEALS_PARTNERS", ()):
        code, _sep, source = str(item).partition("=")
        if code.strip():
            partners[code.strip()] = (source or code).strip()
    return partners


def partner_source(actor) -> str | None:
    """The source name of the partner reception the actor is a clerk (or head) of; None if none."""
    if actor_user(actor) is None:
        return None
    partners = appeals_partners()
    for organization in Organization.objects.filter(code__in=list(partners)).order_by("code"):
        if access.has_role(actor, access.AGENCY_STAFF, organization):
            return partners[organization.code]
    return None


def source_channel(source: str) -> str:
    """The channel appeals of a source came by: a partner reception's, else a file import."""
    return source if source in (Channel.VIRTUAL_RECEPTION, Channel.PEOPLES_RECEPTION) else Channel.IMPORT


def may_register(actor, organization: Organization) -> bool:
    """May the actor register appeals to this hokimiyat? The author (a system actor: the web form, the bot,
    an Open311 client, an import) always; a user who is the hokimiyat's appeals staff, an operator or
    manager of a center in the hokimiyat's city or district, or a partner reception's clerk."""
    if actor_user(actor) is None:
        return True
    if access.has_role(actor, access.APPEALS_STAFF, organization):
        return True
    territory = access.jurisdiction(organization).path
    centers = access.scope(actor).organizations(access.CENTER_STAFF)
    if centers and Organization.objects.filter(pk__in=centers, path__startswith=territory).exists():
        return True
    return partner_source(actor) is not None


def not_considered_ground(appeal: Appeal) -> str | None:
    """Why the appeal cannot be considered, as its registration shows: no name or no residence of the
    author (an anonymous appeal); None when both are there. The officer draws up the conclusion."""
    if not appeal.author_name.strip() or not appeal.author_address.strip():
        return NotConsideredGround.ANONYMOUS
    return None


def _clean_signatories(signatories: Iterable, errors: dict) -> list[SignatoryData]:
    cleaned, problems = [], []
    for index, item in enumerate(signatories, start=1):
        if isinstance(item, Mapping):
            item = SignatoryData(
                str(item.get("name") or ""), str(item.get("address") or ""), str(item.get("phone") or "")
            )
        elif not isinstance(item, SignatoryData):
            item = SignatoryData(*item)
        name = item.name.strip()[:255]
        if not name:
            problems.append(_("Signatory %(index)d: give the name.") % {"index": index})
            continue
        phone = item.phone.strip()
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError:
                problems.append(_("Signatory %(index)d: the phone number is not valid.") % {"index": index})
                continue
        cleaned.append(SignatoryData(name, item.address.strip()[:255], phone))
    if problems:
        errors["signatories"] = problems
    return cleaned


def _clean_files(attachments, scan, errors: dict) -> list:
    uploads = [(upload, False) for upload in attachments] + ([(scan, True)] if scan is not None else [])
    if not uploads:
        return []
    try:
        check_batch(upload for upload, _is_scan in uploads)
    except ValidationError as error:
        errors["attachments"] = error.messages
        return []
    checked = []
    for upload, is_scan in uploads:
        try:
            checked.append((check_upload(upload), is_scan))
        except ValidationError as error:
            errors.setdefault("scan" if is_scan else "attachments", []).extend(error.messages)
    return checked


def _existing(source: str, number: str) -> Appeal | None:
    return Appeal.objects.filter(external_source=source, external_number=number).first()


def appeal_register(
    *,
    actor,
    organization: Organization,
    text: str,
    channel: str,
    type: str = AppealType.APPLICATION,  # noqa: A002 (the contract's name: the appeal's type)
    kind: str = RequestKind.APPEAL,
    author_name: str = "",
    author_address: str = "",
    author_phone: str = "",
    phone_confirmed: bool = False,
    author_email: str = "",
    person: Person | None = None,
    language: str = "uz",
    topic=None,
    signatories: Iterable = (),
    attachments: Iterable = (),
    is_collective: bool = False,
    complained_body: Organization | None = None,
    consent_publish: bool = False,
    latitude=None,
    longitude=None,
    location_address: str = "",
    media_outlet: str = "",
    external_source: str = "",
    external_number: str = "",
    received_at: dt.datetime | None = None,
    follows: Appeal | None = None,
    now: dt.datetime | None = None,
    scan=None,
    external_data: Mapping | None = None,
) -> Appeal:
    """Register one appeal (or request for information) to a hokimiyat and acknowledge it to the author.

    `signatories`: every signatory of a collective appeal (`SignatoryData`, mappings or tuples of name,
    address, phone), the first being the author when no author is named. `attachments`: uploaded files;
    `scan`: the scan of a written appeal. `external_source`/`external_number`: a partner's own number
    (a resend returns the appeal registered the first time, unchanged); `external_data`: what the
    partner said beyond the fields (kept in the registration event). `received_at`: when it reached the
    hokimiyat (now by default); registration is that day within office hours, else the next working day,
    and `registered_at` is that moment (the start of the registration day when it is a later day).

    ValidationError (field messages) for input that cannot be stored; `Forbidden` for a user who may not
    register appeals to this hokimiyat. Nothing is written when refused."""
    now = now or timezone.now()
    received_at = received_at or now
    if organization.kind != OrganizationKind.HOKIMIYAT:
        raise ValidationError({"organization": [_("Appeals are addressed to a hokimiyat.")]})
    if not may_register(actor, organization):
        raise Forbidden(REGISTRAR_ONLY)
    external_source, external_number = str(external_source or "").strip()[:32], str(external_number or "").strip()
    if external_number:
        if not external_source:
            raise ValidationError({"external_source": [_("Say which system the number comes from.")]})
        existing = _existing(external_source, external_number[:64])
        if existing is not None:
            return existing

    errors: dict[str, list] = {}
    text = str(text or "").strip()
    if not text:
        errors["text"] = [_("Write what the appeal is about.")]
    elif len(text) > MAX_TEXT:
        errors["text"] = [
            ngettext(
                "The text is too long: at most %(limit)d character.",
                "The text is too long: at most %(limit)d characters.",
                MAX_TEXT,
            )
            % {"limit": MAX_TEXT}
        ]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if type not in AppealType.values:
        errors["type"] = [_("Unknown type of appeal.")]
    if kind not in RequestKind.values:
        errors["kind"] = [_("Unknown kind of request.")]
    if len(external_number) > 64:
        errors["external_number"] = [_("Their number is at most 64 characters.")]
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = [_("An appeal cannot be received in the future.")]
    phone = str(author_phone or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as error:
            errors["author_phone"] = error.messages
    email = str(author_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["author_email"] = [_("Enter a valid e-mail address.")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("Give both the latitude and the longitude, or neither.")]
    elif latitude is not None and not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
        errors["latitude"] = [_("The location is not on the map.")]
    signers = _clean_signatories(signatories, errors)
    files = _clean_files(list(attachments), scan, errors)
    if errors:
        raise ValidationError(errors)

    name, address = str(author_name or "").strip()[:255], str(author_address or "").strip()[:255]
    if person is not None:
        name = name or person.name
        phone = phone or person.phone or ""
        email = email or person.email or ""
    if signers:
        first = signers[0]
        if not name:
            name, address, phone = first.name, address or first.address, phone or first.phone
        elif first.name.casefold() != name.casefold():
            signers.insert(0, SignatoryData(name, address, phone))
    is_collective = bool(is_collective or len(signers) > 1)
    language = language_or_default(language)
    working = calendar()
    registered = terms.registration_day(received_at, working)
    registered_at = (
        received_at
        if registered == terms.local_day(received_at)
        else timezone.make_aware(dt.datetime.combine(registered, dt.time.min), timezone.get_default_timezone())
    )
    due = terms.due_date(kind=kind, type=type, registered=registered, calendar=working)
    match = similarity.find_similar(
        organization_id=organization.pk,
        text=text,
        now=now,
        person_id=person.pk if person is not None else None,
        phone=phone,
        exclude=[follows.pk] if follows is not None else [],
    )

    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                organization=organization,
                number=next_number(organization, registered_at),
                access_code=new_access_code(),
                kind=kind,
                type=type,
                form=CHANNEL_FORM.get(channel, CHANNEL_FORM[Channel.WEB]),
                channel=channel,
                external_source=external_source if external_number else "",
                external_number=external_number,
                person=person,
                author_name=name,
                author_address=address,
                author_phone=phone,
                phone_confirmed=bool(phone and phone_confirmed),
                author_email=email,
                language=language,
                is_collective=is_collective,
                media_outlet=str(media_outlet or "").strip()[:255],
                topic=topic,
                text=text,
                latitude=latitude,
                longitude=longitude,
                location_address=str(location_address or "").strip()[:255],
                complained_body=complained_body,
                follows=follows,
                similar_to_id=match.appeal_id if match else None,
                similarity=match.similarity if match else None,
                consent_publish=bool(consent_publish),
                received_at=received_at,
                registered_at=registered_at,
                registered_by=actor_user(actor),
                due_at=terms.due_moment(due),
                search_text=similarity.fold(text),
            )
            Signatory.objects.bulk_create(
                Signatory(appeal=appeal, name=s.name, address=s.address, phone=s.phone) for s in signers
            )
            for checked, is_scan in files:
                attachment = Attachment(
                    appeal=appeal,
                    name=checked.name,
                    content_type=checked.content_type,
                    size=checked.size,
                    is_scan=is_scan,
                    created_at=now,
                )
                attachment.file.save("upload", checked.file, save=False)
                attachment.save()
            ground = not_considered_ground(appeal)
            data = {
                "channel": channel,
                "registered": registered.isoformat(),
                "due": due.isoformat(),
                "signatories": len(signers),
                "attachments": len(files),
            }
            if ground:
                data["not_considered_ground"] = ground
            if match:
                data.update(similar_to=match.appeal_id, similarity=match.similarity, same_author=match.same_author)
            if external_number:
                data.update(external_source=external_source, external_number=external_number)
            if external_data:
                data["external"] = dict(external_data)
            record_event(appeal, EventKind.REGISTERED, actor=actor, now=now, data=data)
            audit_record(
                actor=actor,
                action="appeal_register",
                obj=appeal,
                data={
                    "number": appeal.number,
                    "channel": channel,
                    "kind": kind,
                    "type": type,
                    "due": due.isoformat(),
                    "anonymous": bool(ground),
                    "similar_to": match.appeal_id if match else None,
                    "external": f"{external_source}:{external_number}" if external_number else "",
                },
            )
            notify_author(
                appeal,
                "appeal_registered",
                {"organization": organization, "code": appeal.access_code, "due": due},
            )
    except IntegrityError:
        # A partner's resend raced the first request: the first one registered it.
        if external_number:
            existing = _existing(external_source, external_number)
            if existing is not None:
                return existing
        raise
    return appeal


# --- tracking by number and access code -------------------------------------------------------------


def tracking_limits() -> LookupLimits:
    """Wrong access codes per appeal number and wrong lookups per client, under the applications'
    tracking settings (CASES_TRACK_*): one policy for every number a citizen tracks."""
    return LookupLimits.from_settings("appeals-track")


def tracking_number_key(number: str) -> str | None:
    number = str(number or "").strip().upper()
    return number if NUMBER_FORMAT.fullmatch(number) else None


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _locked_message(until: dt.datetime) -> str:
    return _(
        "Tracking of this appeal is locked after too many wrong access codes. It unlocks by itself at "
        "%(time)s; the hokimiyat's reception gives a new access code on the author's passport."
    ) % {"time": _when(until)}


def _too_many_message(until: dt.datetime) -> str:
    return _("Too many wrong numbers or access codes. Try again after %(time)s.") % {"time": _when(until)}


def track_lookup(*, number: str, code: str, client: str) -> Appeal | None:
    """The appeal with this number and access code, under the tracking limits (`core.lookups`): only
    wrong lookups count, per number (reached, the number locks: the right code is refused too until the
    window ends) and per client (`addr:<address>`, `telegram:<chat>`). None for a wrong number or code;
    `TrackingRefused` (429) when locked or over the client's limit."""
    key = tracking_number_key(number)
    code = str(code or "").strip()

    def find() -> Appeal | None:
        appeal = (
            Appeal.objects.select_related("organization", "topic", "executor").filter(number=key).first()
            if key is not None
            else None
        )
        # Compared even when no appeal has the number, so the time taken does not tell which was wrong.
        expected = appeal.access_code if appeal is not None else "\0" * 6
        return appeal if constant_time_compare(expected, code) and appeal is not None else None

    return limited_lookup(
        limits=tracking_limits(),
        key=key,
        client=client,
        find=find,
        locked=_locked_message,
        too_many=_too_many_message,
        locked_code=AppealRefusal.TRACKING_LOCKED,
        too_many_code=AppealRefusal.TOO_MANY_LOOKUPS,
    )
