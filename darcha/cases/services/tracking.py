"""Tracking lookups under their limits, the one rule of the tracking page, the API and the Telegram bot;
and unlocking a number's tracking.

Only wrong lookups count (`core.lookups`, the rule every app's tracking follows): per application
number, so that its access code cannot be guessed from many addresses, and per client (an address, a
Telegram chat), so that one client that keeps getting it wrong is told to stop. A right number and code
is always answered, however many lookups came from the same address (a center's Wi-Fi, a mobile
operator's NAT), unless the number is locked: then the right code is refused too, with the time the
lock lifts by itself.

When a number locks, the applicant is told through their channel (and the Telegram chats following the
application) when it unlocks by itself, with a link that unlocks it at once and sends a new access code
to the phone on file; the center's staff can do the same after checking the applicant's identity
document (`tracking_unlock`). A number that cannot exist gets the very same answers, so a lock tells
nothing about which numbers exist.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SYSTEM, audit_record
from darcha.core.errors import Refused
from darcha.core.links import absolute_url
from darcha.core.lookups import TrackingRefused, limited_lookup  # noqa: F401 (TrackingRefused: re-exported)
from darcha.notify import services as notify

from .. import selectors
from ..choices import CaseRefusal
from ..models import Application
from ._common import CENTER_STAFF_ONLY, CITIZEN, citizen_path, notify_applicant
from .intake import _access_code

log = logging.getLogger("darcha.cases.tracking")


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def locked_message(until: dt.datetime) -> str:
    return _(
        "Tracking of this application is locked after too many wrong access codes. It unlocks by itself at "
        "%(time)s. To unlock it now, open the link sent to the applicant's phone, or ask at the center with "
        "your passport."
    ) % {"time": _when(until)}


def too_many_message(until: dt.datetime) -> str:
    return _("Too many wrong numbers or access codes. Try again after %(time)s.") % {"time": _when(until)}


def unlock_token(number: str, since: int) -> str:
    """The signed part of the unlock link, for the lock that started at `since` (selectors.tracking_unlock_target)."""
    return signing.TimestampSigner(salt=selectors.UNLOCK_SALT).sign(f"{number}:{since}")


def track_lookup(*, number: str, code: str, client: str) -> Application | None:
    """The application for a number and access code, as `selectors.track`, under the limits
    (`core.lookups.limited_lookup`).

    `client` names who asks: `addr:<address>` for the page and the API, `telegram:<chat>` for the bot.
    None for a wrong number or code (counted); `TrackingRefused` while the number is locked (the right
    code too), or for a wrong lookup from a client over its limit."""

    def on_lock(key: str, since: int | None, until: dt.datetime, client_over: bool) -> None:
        # Told once, when the lock begins; not when a client already over its own limit locks it
        # (else one device could have a text sent for every number it tries).
        if not client_over:
            _tell_locked(key, since, until)

    return limited_lookup(
        limits=selectors.tracking_limits(),
        key=selectors.tracking_number_key(number),
        client=client,
        find=lambda: selectors.track(number, code),
        locked=locked_message,
        too_many=too_many_message,
        locked_code=CaseRefusal.TRACKING_LOCKED,
        too_many_code=CaseRefusal.TOO_MANY_LOOKUPS,
        on_lock=on_lock,
    )


def _tell_locked(number: str, since: int | None, until: dt.datetime) -> None:
    application = Application.objects.select_related("service", "center").filter(number=number).first()
    if application is None or since is None:
        return
    link = absolute_url(citizen_path(application, "cases:track_unlock", unlock_token(number, since)))
    log.warning("tracking of %s locked after wrong access codes until %s", number, until.isoformat())
    with transaction.atomic():
        audit_record(
            actor=SYSTEM,
            action="tracking_lock",
            obj=application,
            data={"failures": selectors.tracking_limits().numbers.attempts, "until": until.isoformat()},
        )
        notify_applicant(
            application,
            "tracking_locked",
            {"until": _when(until), "link": link, "center": application.center},
        )


def tracking_unlock(*, actor, application: Application, since: int | None = None) -> Application:
    """Lift the lock on an application's tracking and give it a new access code, sent to the phone on file.

    The applicant does it with the link of the lock notice (`actor` CITIZEN, `since` from the link: only
    the lock the link was sent for is lifted, and only once); the center's staff after checking the
    applicant's identity document (also when the number is not locked: a new code for a lost receipt)."""
    numbers = selectors.tracking_limits().numbers
    by_link = actor is CITIZEN
    if by_link:
        if since is None or not numbers.reached(application.number) or numbers.since(application.number) != since:
            raise Refused(
                _("This link is no longer valid: tracking of the application is not locked, or was unlocked already."),
                CaseRefusal.NOT_LOCKED,
            )
    else:
        access.require_role(actor, access.CENTER_STAFF, application.center, CENTER_STAFF_ONLY)
    was_locked = numbers.reached(application.number)
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("service", "center").get(pk=application.pk)
        application.access_code = _access_code()
        application.save(update_fields=["access_code"])
        audit_record(
            actor=actor,
            action="tracking_unlock",
            obj=application,
            data={"by": "link" if by_link else "center", "was_locked": was_locked, "new_code": True},
        )
        phone, language, code = application.phone, application.language, application.access_code
        values = {"number": application.number, "code": code}

        def send():
            try:
                notify.message_send_preferred(
                    actor=SYSTEM,
                    phone=phone,
                    template="tracking_new_code",
                    context=values,
                    language=language,
                    related=application,
                )
            except ValidationError:
                log.warning("application %s: the new access code was not sent", values["number"], exc_info=True)

        if phone:
            transaction.on_commit(send)
    numbers.clear(application.number)
    return application
