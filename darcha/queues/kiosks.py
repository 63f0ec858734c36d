"""The kiosk's limits on tickets, and the kiosk terminals a center registers to get a higher one.

The kiosk's pages are public: any browser that reaches them can post tickets. So the tickets issued
there are limited, each in its own window (from the first ticket counted), and a post over any limit
issues nothing (429, "ask the staff"):

    from one client address               KIOSK_TICKETS_PER_CLIENT (30) in KIOSK_TICKETS_WINDOW (600 s)
    from one registered kiosk terminal    KIOSK_TICKETS_PER_DEVICE (300) in KIOSK_TICKETS_WINDOW
    with one phone number, at any kiosk   KIOSK_TICKETS_PER_PHONE (5) in KIOSK_PHONE_WINDOW (3600 s)

(settings, read when a ticket is asked for; the defaults in brackets: 30 in 10 minutes is more than
one person takes, 300 — one every two seconds — more than a touch screen and its printer can issue.)
A client is its address as `core.throttle` reads it (trusted proxies only). All the kiosks of a
center usually reach the server through one address, the center's; a browser that is not a
registered terminal (a phone, or a kiosk not yet registered) shares that address's limit. A
registered terminal is counted on its own, by the device id in its cookie, against the higher limit;
the phone limit holds for it too.

Registering a terminal: a manager of the center signs in on the terminal's browser, opens
/queue/<center>/kiosk/device/ (linked from the desk's console panel), names the terminal and
registers it. The page stores a signed cookie (the center, a new device id, the name; valid 400
days, the longest a browser keeps a cookie), records the registration in the audit log, signs the
manager out and opens the kiosk. The cookie holds for that center's kiosk only. "Forget" on the same
page removes it. A copied cookie gets no more than one terminal's limit; registering the terminal
again gives it a new device id.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from darcha.core import access
from darcha.core.audit import audit_record
from darcha.core.choices import Role
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization
from darcha.core.throttle import ClientLimit, KeyLimit

COOKIE = "darcha_kiosk"
_SALT = "darcha.queues.kiosk-device"
COOKIE_MAX_AGE = 400 * 24 * 3600
NAME_MAX_LENGTH = 60

TOO_MANY_FROM_KIOSK = gettext_lazy(
    "This kiosk has issued too many tickets in a short time. Please ask the staff at the center for a ticket."
)
TOO_MANY_FOR_PHONE = gettext_lazy(
    "Too many tickets were taken with this phone number recently. Leave the phone empty or ask the staff at the center."
)


# --- limits ---------------------------------------------------------------------------------------
def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_limit() -> ClientLimit:
    return ClientLimit("kiosk-tickets", _setting("KIOSK_TICKETS_PER_CLIENT", 30), _setting("KIOSK_TICKETS_WINDOW", 600))


def device_limit() -> KeyLimit:
    return KeyLimit(
        "kiosk-tickets-device", _setting("KIOSK_TICKETS_PER_DEVICE", 300), _setting("KIOSK_TICKETS_WINDOW", 600)
    )


def phone_limit() -> KeyLimit:
    return KeyLimit("kiosk-tickets-phone", _setting("KIOSK_TICKETS_PER_PHONE", 5), _setting("KIOSK_PHONE_WINDOW", 3600))


def _phone_key(phone: str) -> str | None:
    """The counter's key of a phone number: a keyed hash of its E.164 form (no number in the cache);
    None for no number, or one the ticket service will refuse anyway."""
    if not phone:
        return None
    try:
        number = validate_phone(phone)
    except ValidationError:
        return None
    return salted_hmac("darcha.queues.kiosk-phone", re.sub(r"\D", "", number)).hexdigest()[:32]


@dataclass(frozen=True)
class Refusal:
    message: str
    field: str | None  # the form field the citizen can change, or None: ask the staff


def ticket_refused(request, center: Organization, phone: str) -> Refusal | None:
    """Why the kiosk may not issue this ticket now (a limit reached), or None."""
    device = device_of(request, center)
    if device is not None:
        over = device_limit().reached(device.device_id)
    else:
        over = client_limit().reached(request)
    if over:
        return Refusal(str(TOO_MANY_FROM_KIOSK), None)
    key = _phone_key(phone)
    if key and phone_limit().reached(key):
        return Refusal(str(TOO_MANY_FOR_PHONE), "phone")
    return None


def ticket_counted(request, center: Organization, phone: str) -> None:
    """Count a ticket the kiosk issued, against the limits `ticket_refused` asks."""
    device = device_of(request, center)
    if device is not None:
        device_limit().count(device.device_id)
    else:
        client_limit().count(request)
    key = _phone_key(phone)
    if key:
        phone_limit().count(key)


# --- registered terminals --------------------------------------------------------------------------
@dataclass(frozen=True)
class KioskDevice:
    center: str
    device_id: str
    name: str
    registered_at: dt.datetime


def device_of(request, center: Organization) -> KioskDevice | None:
    """The registered terminal this request comes from, if its cookie is valid and for this center."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=COOKIE_MAX_AGE)
        device = KioskDevice(
            center=str(data["c"]),
            device_id=str(data["d"]),
            name=str(data["n"]),
            registered_at=dt.datetime.fromtimestamp(int(data["t"]), tz=dt.UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return device if device.center == center.code else None


def kiosk_register(*, actor, center: Organization, name: str) -> tuple[KioskDevice, str]:
    """Register a kiosk terminal of `center` (its managers only): the device and the cookie's value."""
    access.require_role(actor, Role.CENTER_MANAGER, center, _("Only a manager of this center registers its kiosks."))
    name = " ".join(name.split())[:NAME_MAX_LENGTH]
    if not name:
        raise ValidationError(_("Name this kiosk, e.g. by where it stands."), code="name")
    now = timezone.now()
    device = KioskDevice(center=center.code, device_id=secrets.token_urlsafe(12), name=name, registered_at=now)
    with transaction.atomic():
        audit_record(
            actor=actor, action="kiosk_register", obj=center, data={"device": device.device_id, "name": device.name}
        )
    value = signing.dumps(
        {"c": device.center, "d": device.device_id, "n": device.name, "t": int(now.timestamp())}, salt=_SALT
    )
    return device, value


def kiosk_forget(*, actor, center: Organization, device: KioskDevice) -> None:
    """Record that a manager took the registration off a terminal (the view deletes its cookie)."""
    access.require_role(actor, Role.CENTER_MANAGER, center, _("Only a manager of this center registers its kiosks."))
    with transaction.atomic():
        audit_record(
            actor=actor, action="kiosk_forget", obj=center, data={"device": device.device_id, "name": device.name}
        )


def set_cookie(request, response, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
