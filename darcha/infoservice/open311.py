"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): street problems reported to a hokimiyat by
Open311 client applications, registered as appeals like any other, and read back by anyone.

    GET  /open311/v2/discovery.{fmt}              the endpoint, its formats and where keys come from
    GET  /open311/v2/services.{fmt}               the active appeal topics that take a location
    GET  /open311/v2/services/{service_code}.{fmt} one service's definition: its attributes
    POST /open311/v2/requests.{fmt}               report a problem (form-encoded, api_key): [{token}]
    GET  /open311/v2/requests.{fmt}               requests: service_request_id, service_code, start_date,
                                                  end_date, status (the last 90 days, at most 1000)
    GET  /open311/v2/requests/{id}.{fmt}          one request
    GET  /open311/v2/tokens/{token}.{fmt}         the service_request_id a token became

`{fmt}` is `xml` (text/xml) or `json` (application/json); the URLs are not language-prefixed, the texts
follow `?lang=` or Accept-Language. `jurisdiction_id` is a hokimiyat's code: required while Darcha serves
more than one hokimiyat (as the specification says), optional where it serves one. Every error is the
specification's list of `code` (the HTTP status) and `description`, in the format asked for (XML when the
format itself is wrong): 400 for bad input, 403 for a missing or wrong api_key, 404 for an unknown
jurisdiction, service, request or token, 405 for another method, 429 past a rate limit. No input gives a
500: each parameter is read by a parser that refuses what it cannot take with a 400.

A request is an appeal (`services.appeal_register`, channel Open311, the topic, the location, the
attributes' values) registered at once, and the appeal's `open311_token` is what the POST returns; the
token gives the service_request_id (the appeal's registration number). The author's name, phone and
e-mail reach the hokimiyat (the acknowledgement goes to the phone) and are never in a GET answer; the
access code is never in any. Only appeals that came through Open311 are listed: the web form's authors
did not publish theirs. A client is an `Open311Client` of one hokimiyat; its api_key is stored as a
SHA-256 hash, shown once when issued (the administrators' page, `open311_client_create`).

Who the author is (Law ZRU-445: an appeal without the author's name or residence is anonymous and is not
considered). A request must carry `first_name` and `last_name`, and a `phone` or an `email` the answer is
sent to; without them it is a 400 listing what is missing, and nothing is registered: the application shows
its user what to add, as the web form warns before it sends an anonymous appeal (an Open311 client has no
way to confirm one, and an anonymous request would only end in a conclusion that nobody can be told of).
GeoReport has no field for the author's address: the residence recorded is the city or district the
request's location lies in, the client's hokimiyat's (`residence`), so a named request is considered like
any other appeal.

Writes are limited per client address (every POST), per api_key (requests registered) and per phone
(acknowledgements sent), reads per address: `core.throttle` counters, sized by OPEN311_* settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from darcha.core import access
from darcha.core.api import api_language
from darcha.core.audit import SystemActor, audit_record
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Forbidden
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import validate_phone
from darcha.core.links import absolute_url
from darcha.core.models import Organization
from darcha.core.throttle import TOO_MANY, ClientLimit, KeyLimit

from . import services
from .choices import AppealStatus, Channel, Outcome
from .models import Appeal, Open311Client, Topic

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
DEFAULT_DAYS = 90  # the specification's default window and the longest span one query may ask for
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000  # the specification's limit on a request's description
MAX_STRING = 255  # a `string` attribute's value; a `text` one may be as long as a description
# The discovery document's changeset: when this endpoint last changed what it offers.
CHANGESET = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)

app_name = "open311"


# --- api keys -------------------------------------------------------------------------------------
def key_hash(key: str) -> str:
    """What is stored of an api_key: its SHA-256 (a random 256-bit key needs no slow hash)."""
    return hashlib.sha256(str(key).encode()).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def open311_client_create(
    *, actor, name: str, organization: Organization, is_active: bool = True, now: dt.datetime | None = None
) -> tuple[Open311Client, str]:
    """A new Open311 client of a hokimiyat (administrators only): the row, and its api_key, which is
    stored only as a hash and so can be shown this once."""
    if not access.is_superuser(actor):
        raise Forbidden(_("Only an administrator may issue Open311 api keys."))
    name = " ".join(str(name or "").split())[:100]
    errors = {}
    if not name:
        errors["name"] = [_("Name the application the key is for.")]
    if organization is None or organization.kind != OrganizationKind.HOKIMIYAT:
        errors["organization"] = [_("An Open311 client reports to a hokimiyat.")]
    if errors:
        raise ValidationError(errors)
    key = _new_key()
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name,
            organization=organization,
            key_hash=key_hash(key),
            is_active=is_active,
            created_at=now or timezone.now(),
        )
        audit_record(
            actor=actor,
            action="open311_client_create",
            obj=client,
            organization=organization,
            data={"name": name, "active": is_active},
        )
    return client, key


def open311_client_rotate(*, actor, client: Open311Client) -> str:
    """A new api_key for the client (administrators only); the old one stops working at once."""
    if not access.is_superuser(actor):
        raise Forbidden(_("Only an administrator may issue Open311 api keys."))
    key = _new_key()
    with transaction.atomic():
        Open311Client.objects.filter(pk=client.pk).update(key_hash=key_hash(key))
        client.key_hash = key_hash(key)
        audit_record(
            actor=actor,
            action="open311_client_rotate",
            obj=client,
            organization=client.organization_id,
            data={"name": client.name},
        )
    return key


def client_for_key(key: str) -> Open311Client | None:
    """The active client whose api_key this is, with its hokimiyat; None for any other string."""
    key = str(key or "").strip()
    if not key or len(key) > 200:
        return None
    return (
        Open311Client.objects.select_related("organization")
        .filter(key_hash=key_hash(key), is_active=True, organization__is_active=True)
        .first()
    )


# --- errors and formats ---------------------------------------------------------------------------
class Open311Error(Exception):
    """One answer of the specification's error list: every description under one HTTP status."""

    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = [str(description) for description in descriptions]
        self.headers = headers or {}

    def errors(self) -> list[dict]:
        return [{"code": self.status, "description": description} for description in self.descriptions]


# What the elements of each list are called in XML (the specification's names).
LIST_ITEMS = {
    "errors": "error",
    "services": "service",
    "service_requests": "request",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF): dropped, so
# whatever a client wrote, every answer stays well-formed.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _xml_fill(ET.SubElement(element, name), item)
    elif isinstance(value, list | tuple):
        for item in value:
            _xml_fill(ET.SubElement(element, LIST_ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def render(fmt: str, root: str, value, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """`value` (a dict, or a list of dicts) as the specification writes it: JSON as is, or XML under
    `root` (a list's items named by LIST_ITEMS), UTF-8 with its declaration."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False).encode()
    else:
        element = ET.Element(root)
        _xml_fill(element, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
            element, encoding="utf-8", xml_declaration=False
        )
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Language"] = translation.get_language()
    for name, header in (headers or {}).items():
        response.headers[name] = header
    return response


def error_response(error: Open311Error, fmt: str) -> HttpResponse:
    return render(fmt, "errors", error.errors(), status=error.status, headers=error.headers)


def w3c(moment: dt.datetime | None) -> str | None:
    """A moment as the specification writes it (W3C date-time) with Tashkent's offset."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else None


# --- reading parameters ---------------------------------------------------------------------------
_OFFSET_LOST = re.compile(r"(T\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d:?\d\d)$")
_W3C = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:?\d\d)?)?", re.IGNORECASE)


def parse_w3c(text: str, *, name: str, end: bool = False) -> dt.datetime:
    """A W3C date-time (`2026-03-01T10:00:00+05:00`, `…Z`, or a day `2026-03-01`: its start, or with
    `end` its last moment); without an offset, Tashkent's time. A `+` a client forgot to escape in the
    query (read back as a space) is taken for the `+` it was. Open311Error(400) for anything else."""
    text = _OFFSET_LOST.sub(r"\1+\2", str(text).strip())
    problem = Open311Error(
        400,
        _("%(name)s is not a W3C date and time, e.g. 2026-03-01T10:00:00+05:00.") % {"name": name},
    )
    if not _W3C.fullmatch(text):
        raise problem
    try:
        moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise problem from None
    if not 2000 <= moment.year <= 2100:
        raise Open311Error(400, _("%(name)s is outside the years 2000–2100.") % {"name": name})
    if len(text) == 10 and end:
        moment = dt.datetime.combine(moment.date(), dt.time.max)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _coordinate(text: str, *, name: str, limit: int) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise Open311Error(400, _("%(name)s is not a number of degrees, e.g. 41.0011.") % {"name": name})
    if not -limit <= value <= limit:
        raise Open311Error(400, _("%(name)s is outside −%(limit)d…%(limit)d degrees.") % {"name": name, "limit": limit})
    return value.quantize(Decimal("0.000001"))


def _listed(text: str) -> list[str]:
    """A comma-delimited parameter's values, without blanks and duplicates, in their order."""
    return list(dict.fromkeys(part.strip() for part in str(text or "").split(",") if part.strip()))


def _jurisdiction(code: str | None) -> Organization:
    """The hokimiyat a jurisdiction_id names; with none given, the one hokimiyat Darcha serves, if it serves
    one. Open311Error 400 (not given where it must be) or 404 (unknown)."""
    code = str(code or "").strip()
    hokimiyats = Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True)
    if not code:
        only = list(hokimiyats[:2])
        if len(only) == 1:
            return only[0]
        raise Open311Error(400, _("jurisdiction_id was not provided: give the code of the hokimiyat."))
    found = hokimiyats.filter(code=code[:64]).first()
    if found is None:
        raise Open311Error(404, _("jurisdiction_id provided was not found: no hokimiyat has this code."))
    return found


# --- services (topics) ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition, as the specification describes it."""

    code: str
    datatype: str
    required: bool
    variable: bool
    order: int
    description: str
    datatype_description: str
    values: tuple[tuple[object, str], ...] = ()

    @property
    def keys(self) -> dict[str, object]:
        return {str(key): key for key, _name in self.values}

    def as_data(self) -> dict:
        data = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description or None,
            "order": self.order,
            "description": self.description,
        }
        if self.datatype in ("singlevaluelist", "multivaluelist"):
            data["values"] = [{"key": key, "name": name} for key, name in self.values]
        return data


def _localized(value) -> str:
    """An administrator's text: a string, or a mapping of languages to strings (the request's language,
    else Uzbek, else any)."""
    if isinstance(value, dict):
        language = translation.get_language() or ""
        for choice in (language, language.split("-")[0], settings.LANGUAGE_CODE, "uz"):
            if value.get(choice):
                return str(value[choice])
        return next((str(text) for text in value.values() if text), "")
    return "" if value is None else str(value)


def service_attributes(topic: Topic) -> list[Attribute]:
    """The topic's Open311 attributes, ordered, from what the administrators wrote (entries without a code
    are left out, an unknown datatype is a string)."""
    attributes, seen = [], set()
    for index, spec in enumerate(topic.attributes if isinstance(topic.attributes, list) else [], start=1):
        if not isinstance(spec, dict) or not str(spec.get("code") or "").strip():
            continue
        code = str(spec["code"]).strip()
        if code in seen:
            continue
        seen.add(code)
        datatype = spec.get("datatype") if spec.get("datatype") in DATATYPES else "string"
        values = tuple(
            (item["key"], _localized(item.get("name")) or str(item["key"]))
            for item in (spec.get("values") or [])
            if isinstance(item, dict) and item.get("key") not in (None, "")
        )
        order = spec.get("order")
        attributes.append(
            Attribute(
                code=code,
                datatype=datatype,
                required=bool(spec.get("required", False)),
                variable=bool(spec.get("variable", True)),
                order=order if isinstance(order, int) and not isinstance(order, bool) else index,
                description=_localized(spec.get("description")) or code,
                datatype_description=_localized(spec.get("datatype_description")),
                values=values,
            )
        )
    return sorted(attributes, key=lambda attribute: attribute.order)


def open311_topics():
    """The Open311 services: active topics that take a street location."""
    return Topic.objects.filter(is_active=True, takes_location=True).order_by("order", "code")


def _topic(code: str) -> Topic:
    topic = open311_topics().filter(code=str(code).strip()[:48]).first()
    if topic is None:
        raise Open311Error(404, _("service_code provided was not found."))
    return topic


def service_data(topic: Topic) -> dict:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": topic.description,
        "metadata": bool(service_attributes(topic)),
        "type": "realtime",
        "keywords": topic.keywords,
        # Topics are not grouped in Darcha: every service here is a street problem for the hokimiyat.
        "group": "",
    }


def service_definition(topic: Topic) -> dict:
    return {"service_code": topic.code, "attributes": [a.as_data() for a in service_attributes(topic)]}


# --- posting a request ----------------------------------------------------------------------------
@dataclass
class RequestInput:
    """A POST requests body, checked: what `open311_request_submit` registers."""

    topic: Topic
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    attributes: dict = field(default_factory=dict)
    author_name: str = ""
    phone: str = ""
    email: str = ""
    description: str = ""
    media_url: str = ""
    language: str = "uz"

    def text(self) -> str:
        """The appeal's text: the description, or (GeoReport allows none) what the client said otherwise."""
        if self.description:
            return self.description
        lines = [self.topic.name]
        if self.address:
            lines.append(self.address)
        elif self.latitude is not None:
            lines.append(f"{self.latitude}, {self.longitude}")
        by_code = {attribute.code: attribute for attribute in service_attributes(self.topic)}
        for code, value in self.attributes.items():
            attribute = by_code.get(code)
            names = dict(attribute.values) if attribute else {}
            shown = ", ".join(str(names.get(item, item)) for item in (value if isinstance(value, list) else [value]))
            lines.append(f"{attribute.description if attribute else code}: {shown}")
        return "\n".join(lines)


_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]*)\](\[\])?")


def _attribute_value(attribute: Attribute, raw: list[str]) -> tuple[object, str | None]:
    """A submitted attribute's value as stored, or the description of what is wrong with it."""
    label = f"attribute[{attribute.code}]"
    if not attribute.variable:
        return None, _("%(name)s only describes the service: it takes no value.") % {"name": label}
    if attribute.datatype == "multivaluelist":
        keys = attribute.keys
        chosen = list(dict.fromkeys(value for item in raw for value in _listed(item)))
        unknown = [value for value in chosen if value not in keys]
        if unknown:
            return None, _("%(name)s has no value %(value)s.") % {"name": label, "value": unknown[0][:40]}
        return [keys[value] for value in chosen], None
    value = raw[-1].strip()
    if attribute.datatype == "singlevaluelist":
        if value not in attribute.keys:
            return None, _("%(name)s has no value %(value)s.") % {"name": label, "value": value[:40]}
        return attribute.keys[value], None
    if attribute.datatype == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= Decimal("1e15"):
            return None, _("%(name)s is not a number.") % {"name": label}
        return str(number.normalize()) if number == number.to_integral_value() else str(number), None
    if attribute.datatype == "datetime":
        try:
            return w3c(parse_w3c(value, name=label)), None
        except Open311Error as error:
            return None, error.descriptions[0]
    limit = MAX_STRING if attribute.datatype == "string" else MAX_DESCRIPTION
    if len(value) > limit:
        return None, _("%(name)s is longer than %(limit)d characters.") % {"name": label, "limit": limit}
    return value, None


def _attributes(params, topic: Topic, problems: list[str]) -> dict:
    submitted: dict[str, list[str]] = {}
    for key in params:
        match = _ATTRIBUTE_KEY.fullmatch(key)
        if match is not None:
            values = [value for value in params.getlist(key) if value.strip()]
            if values:
                submitted.setdefault(match.group(1).strip(), []).extend(values)
    by_code = {attribute.code: attribute for attribute in service_attributes(topic)}
    cleaned = {}
    for code, raw in submitted.items():
        attribute = by_code.get(code)
        if attribute is None:
            problems.append(_("attribute[%(code)s] is not an attribute of this service.") % {"code": code[:40]})
            continue
        value, problem = _attribute_value(attribute, raw)
        if problem:
            problems.append(problem)
        elif value not in (None, [], ""):
            cleaned[code] = value
    for attribute in by_code.values():
        if attribute.required and attribute.variable and attribute.code not in submitted:
            problems.append(_("attribute[%(code)s] is required for this service.") % {"code": attribute.code})
    return cleaned


def parse_request(params) -> RequestInput:
    """A POST requests body (a QueryDict) checked against the service's definition: Open311Error 404 for an
    unknown service, 400 with every problem found."""
    code = str(params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    topic = _topic(code)
    problems: list[str] = []
    latitude = longitude = None
    lat, long = str(params.get("lat") or "").strip(), str(params.get("long") or "").strip()
    address = " ".join(str(params.get("address_string") or "").split())
    if lat or long:
        if not (lat and long):
            problems.append(_("Give both lat and long, or neither."))
        else:
            for name, text, limit in (("lat", lat, 90), ("long", long, 180)):
                try:
                    value = _coordinate(text, name=name, limit=limit)
                except Open311Error as error:
                    problems.extend(error.descriptions)
                else:
                    latitude, longitude = (value, longitude) if name == "lat" else (latitude, value)
    elif not address:
        if str(params.get("address_id") or "").strip():
            problems.append(_("address_id is not known here: give lat and long or address_string."))
        else:
            problems.append(_("A location is required: lat and long, or address_string."))
    if len(address) > 255:
        problems.append(_("address_string is longer than 255 characters."))
    attributes = _attributes(params, topic, problems)
    description = str(params.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        problems.append(_("description is longer than %(limit)d characters.") % {"limit": MAX_DESCRIPTION})
    media_url = str(params.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(_("media_url is not a web address (http or https, at most 500 characters)."))
    names = [" ".join(str(params.get(name) or "").split()) for name in ("first_name", "last_name")]
    if any(len(name) > 100 for name in names):
        problems.append(_("first_name and last_name are at most 100 characters each."))
    elif not all(names):
        problems.append(_("first_name and last_name are required: the hokimiyat does not consider anonymous appeals."))
    phone = str(params.get("phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone[:40])
        except ValidationError as error:
            problems.extend(f"phone: {message}" for message in error.messages)
    email = str(params.get("email") or "").strip()
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(_("email is not a valid e-mail address."))
    if not (phone or email):
        problems.append(_("A phone or an email is required: the answer to the request is sent there."))
    if problems:
        raise Open311Error(400, *problems)
    return RequestInput(
        topic=topic,
        latitude=latitude,
        longitude=longitude,
        address=address,
        attributes=attributes,
        author_name=" ".join(name for name in names if name),
        phone=phone,
        email=email,
        description=description,
        media_url=media_url,
        language=language_or_default(translation.get_language()),
    )


# The appeal_register fields' names as an Open311 client knows them.
_PARAMETERS = {
    "author_phone": "phone",
    "author_email": "email",
    "author_name": "first_name",
    "text": "description",
    "latitude": "lat",
    "longitude": "long",
    "location_address": "address_string",
}


def residence(organization: Organization, language: str) -> str:
    """The author's residence an Open311 request gives: the city or district its location lies in (the
    client's hokimiyat's, in the request's language). GeoReport has no field for the author's address, and a
    request reports a street problem of that hokimiyat's territory."""
    district = access.jurisdiction(organization)
    with translation.override(language):
        return str(district.name or organization.name)


def client_actor(client: Open311Client) -> SystemActor:
    """The actor an Open311 client registers appeals as (the author, through that application)."""
    return SystemActor(f"open311:{client.pk}")


def open311_request_submit(*, client: Open311Client, data: RequestInput, now: dt.datetime | None = None) -> Appeal:
    """Register the reported problem as an appeal to the client's hokimiyat (`appeal_register`: number,
    term, acknowledgement to the phone given) with its Open311 token, attributes and photo link.
    ValidationError (field messages under the Open311 parameter names) for what the appeal cannot store."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            appeal = services.appeal_register(
                actor=client_actor(client),
                organization=client.organization,
                text=data.text(),
                channel=Channel.OPEN311,
                topic=data.topic,
                author_name=data.author_name,
                author_address=residence(client.organization, data.language),
                author_phone=data.phone,
                author_email=data.email,
                language=data.language,
                latitude=data.latitude,
                longitude=data.longitude,
                location_address=data.address,
                now=now,
            )
            appeal.open311_token = secrets.token_hex(16)
            appeal.open311_attributes = data.attributes
            appeal.open311_media_url = data.media_url
            appeal.save(update_fields=["open311_token", "open311_attributes", "open311_media_url"])
            audit_record(
                actor=client_actor(client),
                action="appeal_open311",
                obj=appeal,
                data={"client": client.pk, "service_code": data.topic.code, "attributes": sorted(data.attributes)},
            )
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise ValidationError({_PARAMETERS.get(name, name): list(texts) for name, texts in messages.items()}) from error
    return appeal


# --- reading requests -------------------------------------------------------------------------------
def open311_requests(jurisdiction: Organization):
    """The hokimiyat's appeals that came through Open311, newest first, with what their answer shows."""
    return (
        Appeal.objects.filter(organization=jurisdiction, open311_token__isnull=False)
        .select_related("topic", "executor")
        .annotate(updated_at=Max("events__created_at"))
        .order_by("-received_at", "-id")
    )


def _day(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


def request_data(appeal: Appeal, jurisdiction: Organization) -> dict:
    """One appeal as a GeoReport service request: its state and place, never its author."""
    closed = appeal.status == AppealStatus.CLOSED
    if closed:
        notes = Outcome(appeal.outcome).label if appeal.outcome in Outcome.values else AppealStatus.CLOSED.label
        notice = _("Closed on %(day)s.") % {"day": _day(appeal.closed_at)} if appeal.closed_at else ""
    else:
        notes = AppealStatus(appeal.status).label
        notice = _("Registered as appeal %(number)s; the answer is due by %(day)s.") % {
            "number": appeal.number,
            "day": _day(appeal.due_at),
        }
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": str(notes),
        "service_name": appeal.topic.name if appeal.topic else "",
        "service_code": appeal.topic.code if appeal.topic else "",
        "description": appeal.text,
        "agency_responsible": (appeal.executor or jurisdiction).name,
        "service_notice": notice,
        "requested_datetime": w3c(appeal.received_at),
        # Not registered_at: an appeal received after hours is registered tomorrow, which is no update yet.
        "updated_datetime": w3c(max(filter(None, [appeal.updated_at, appeal.closed_at, appeal.received_at]))),
        "expected_datetime": w3c(appeal.due_at),
        "address": appeal.location_address,
        "address_id": None,
        "zipcode": None,
        "lat": float(appeal.latitude) if appeal.latitude is not None else None,
        "long": float(appeal.longitude) if appeal.longitude is not None else None,
        "media_url": appeal.open311_media_url or None,
    }


def search_requests(params, jurisdiction: Organization, *, now: dt.datetime | None = None) -> list[Appeal]:
    """GET requests: by service_request_id (comma-delimited; overrides the rest), else by service_code,
    status (open, closed; comma-delimited) and requested_datetime between start_date and end_date (at most
    90 days apart; by default the last 90 days), newest first, at most 1000."""
    appeals = open311_requests(jurisdiction)
    numbers = _listed(params.get("service_request_id"))
    if numbers:
        return list(appeals.filter(number__in=[n.upper()[:24] for n in numbers[:MAX_RESULTS]])[:MAX_RESULTS])
    problems: list[str] = []
    now = now or timezone.now()
    start = end = None
    for name in ("start_date", "end_date"):
        if str(params.get(name) or "").strip():
            try:
                moment = parse_w3c(params[name], name=name, end=name == "end_date")
            except Open311Error as error:
                problems.extend(error.descriptions)
            else:
                start, end = (moment, end) if name == "start_date" else (start, moment)
    window = dt.timedelta(days=DEFAULT_DAYS)
    if start and end:
        if start > end:
            problems.append(_("start_date is after end_date."))
        elif end - start > window:
            problems.append(_("start_date and end_date may not span more than 90 days."))
    statuses = [status.lower() for status in _listed(params.get("status"))]
    if any(status not in ("open", "closed") for status in statuses):
        problems.append(_("status is open or closed (or both, comma-delimited)."))
    if problems:
        raise Open311Error(400, *problems)
    if start is None and end is None:
        start, end = now - window, now
    elif start is None:
        start = end - window
    elif end is None:
        end = start + window
    appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
    codes = _listed(params.get("service_code"))
    if codes:
        appeals = appeals.filter(topic__code__in=[code[:48] for code in codes[:100]])
    if set(statuses) == {"open"}:
        appeals = appeals.exclude(status=AppealStatus.CLOSED)
    elif set(statuses) == {"closed"}:
        appeals = appeals.filter(status=AppealStatus.CLOSED)
    return list(appeals[:MAX_RESULTS])


# --- limits -----------------------------------------------------------------------------------------
def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def read_limit() -> ClientLimit:
    return ClientLimit(
        "open311-reads", _setting("OPEN311_READS_PER_ADDRESS", 120), _setting("OPEN311_READS_WINDOW", 60)
    )


def post_limit() -> ClientLimit:
    return ClientLimit(
        "open311-posts", _setting("OPEN311_POSTS_PER_ADDRESS", 60), _setting("OPEN311_POSTS_WINDOW", 600)
    )


def client_limit() -> KeyLimit:
    return KeyLimit(
        "open311-client", _setting("OPEN311_REQUESTS_PER_CLIENT", 600), _setting("OPEN311_REQUESTS_WINDOW", 3600)
    )


def phone_limit() -> KeyLimit:
    return KeyLimit("open311-phone", _setting("OPEN311_REQUESTS_PER_PHONE", 5), _setting("OPEN311_PHONE_WINDOW", 3600))


def _phone_key(phone: str) -> str:
    # A keyed hash: no phone number in the cache.
    return salted_hmac("open311-phone", phone).hexdigest()[:32]


def _too_many(description: str, retry_after: int) -> Open311Error:
    return Open311Error(429, description, headers={"Retry-After": str(retry_after)})


# --- views ------------------------------------------------------------------------------------------
def endpoint(*methods: str) -> Callable:
    """An Open311 view: its format from the URL's extension, its language from the request, the method
    checked, reads counted against the client's address, and every Open311Error answered as the
    specification's error list (in XML when the format itself is not one of the two)."""

    def decorate(view):
        @functools.wraps(view)
        def run(request, fmt=None, **kwargs):
            fmt = (fmt or "").lower()
            with translation.override(api_language(request)):
                try:
                    if fmt not in CONTENT_TYPES:
                        raise Open311Error(400, _("Give the format as the file extension: .xml or .json."))
                    allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)
                    if request.method not in allowed:
                        raise Open311Error(
                            405,
                            _("This resource takes %(methods)s.") % {"methods": ", ".join(methods)},
                            headers={"Allow": ", ".join(allowed)},
                        )
                    if request.method != "POST":
                        limit = read_limit()
                        if limit.reached(request):
                            raise _too_many(str(TOO_MANY), 60)
                        limit.count(request)
                    return view(request, fmt, **kwargs)
                except Open311Error as error:
                    return error_response(error, fmt if fmt in CONTENT_TYPES else "xml")

        return run

    return decorate


@endpoint("GET")
def discovery(request, fmt):
    base = absolute_url(request.path.rsplit("/", 1)[0], request)
    data = {
        "changeset": w3c(CHANGESET),
        "contact": getattr(settings, "OPEN311_CONTACT", "")
        or _("Questions about this API: the information service of the hokimiyat you report to."),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "")
        or _("An api_key is issued to an application for one hokimiyat by Darcha's administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": w3c(CHANGESET),
                "type": "test" if settings.DEBUG else "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


@endpoint("GET")
def service_list(request, fmt):
    _jurisdiction(request.GET.get("jurisdiction_id"))
    return render(fmt, "services", [service_data(topic) for topic in open311_topics()])


@endpoint("GET")
def service_detail(request, fmt, service_code):
    _jurisdiction(request.GET.get("jurisdiction_id"))
    return render(fmt, "service_definition", service_definition(_topic(service_code)))


def _body(request):
    try:
        return request.POST
    except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as error:
        raise Open311Error(400, _("The request body is not a form (application/x-www-form-urlencoded).")) from error


def _post_request(request, fmt):
    limit = post_limit()
    if limit.reached(request):
        raise _too_many(str(TOO_MANY), 60)
    limit.count(request)
    params = _body(request)
    client = client_for_key(params.get("api_key"))
    if client is None:
        if not str(params.get("api_key") or "").strip():
            raise Open311Error(403, _("api_key was not provided: it goes in the form-encoded body."))
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with create_request."))
    jurisdiction = _jurisdiction(params.get("jurisdiction_id") or request.GET.get("jurisdiction_id"))
    if jurisdiction.pk != client.organization_id:
        raise Open311Error(403, _("This api_key is not for the jurisdiction %(code)s.") % {"code": jurisdiction.code})
    per_client = client_limit()
    if per_client.reached(str(client.pk)):
        raise _too_many(
            _("This application has sent too many requests; try again later."), per_client.retry_after(str(client.pk))
        )
    data = parse_request(params)
    per_phone = phone_limit()
    if data.phone and per_phone.reached(_phone_key(data.phone)):
        raise _too_many(
            _("Too many requests with this phone number recently; send without the phone or try again later."),
            per_phone.retry_after(_phone_key(data.phone)),
        )
    try:
        appeal = open311_request_submit(client=client, data=data)
    except ValidationError as error:
        raise Open311Error(
            400, *(f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages)
        ) from error
    per_client.count(str(client.pk))
    if data.phone:
        per_phone.count(_phone_key(data.phone))
    return render(fmt, "service_requests", [{"token": appeal.open311_token}])


@csrf_exempt  # clients authenticate with their api_key, never with a browser's session
@endpoint("GET", "POST")
def request_list(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    jurisdiction = _jurisdiction(request.GET.get("jurisdiction_id"))
    appeals = search_requests(request.GET, jurisdiction)
    return render(fmt, "service_requests", [request_data(appeal, jurisdiction) for appeal in appeals])


@endpoint("GET")
def request_detail(request, fmt, service_request_id):
    jurisdiction = _jurisdiction(request.GET.get("jurisdiction_id"))
    appeal = open311_requests(jurisdiction).filter(number=service_request_id.strip().upper()[:24]).first()
    if appeal is None:
        raise Open311Error(404, _("service_request_id provided was not found."))
    return render(fmt, "service_requests", [request_data(appeal, jurisdiction)])


@endpoint("GET")
def token_detail(request, fmt, token):
    jurisdiction = _jurisdiction(request.GET.get("jurisdiction_id"))
    appeal = (
        Appeal.objects.filter(organization=jurisdiction, open311_token=token.strip()[:32])
        .only("number", "open311_token")
        .first()
    )
    if appeal is None or not token.strip():
        raise Open311Error(404, _("token provided was not found."))
    return render(fmt, "service_requests", [{"service_request_id": appeal.number, "token": appeal.open311_token}])


def not_found(request, path=""):
    """Anything else under /open311/v2/: the specification's 404, in the format the address ends with."""
    fmt = "json" if path.lower().endswith(".json") else "xml"
    with translation.override(api_language(request)):
        return error_response(Open311Error(404, _("No such Open311 resource; see discovery.xml.")), fmt)


# An extension is whatever follows the last dot; a wrong or missing one is answered by the view (400).
_FMT = r"(?:\.(?P<fmt>[^/.]*))?"
urlpatterns = [
    re_path(rf"^discovery{_FMT}$", discovery, name="discovery"),
    re_path(rf"^services{_FMT}$", service_list, name="services"),
    re_path(rf"^services/(?P<service_code>[^/]+?){_FMT}$", service_detail, name="service"),
    re_path(rf"^requests{_FMT}$", request_list, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[^/]+?){_FMT}$", request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){_FMT}$", token_detail, name="token"),
    re_path(r"^(?P<path>.*)$", csrf_exempt(not_found), name="not_found"),
]
