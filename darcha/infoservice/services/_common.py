"""What the appeals services share: the author as an actor, the appeal's history (events), registration
numbers per hokimiyat and year, access codes, the working-day calendar, and notices sent after commit.

Private to the package: views and other apps call the services re-exported from
`darcha.infoservice.services`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from darcha.core.audit import SYSTEM, SystemActor, actor_user
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.notify import services as notify

from ..models import Appeal, AppealNumberSequence, Event

log = logging.getLogger("darcha.infoservice")

# The author acting for themselves (the web form after the SMS code, tracking, rating, withdrawing).
AUTHOR = SystemActor("author")

# A hokimiyat's code without the words every hokimiyat's code has.
_GENERIC_WORDS = frozenset({"hokimiyat", "hokimiyati", "hokimligi", "hokimlik", "xokimiyat"})
PREFIX_LETTERS = 4


def calendar() -> WorkingCalendar:
    return WorkingCalendar.current()


def record_event(appeal: Appeal, kind: str, *, actor, now: dt.datetime, comment="", public=True, data=None) -> Event:
    """One line of the appeal's history; `public` ones are shown to the author."""
    user = actor_user(actor)
    return Event.objects.create(
        appeal=appeal,
        kind=kind,
        actor=user,
        actor_label=user.get_username() if user else getattr(actor, "label", "system"),
        public=public,
        comment=comment,
        data=data or {},
        created_at=now,
    )


def _base_prefix(code: str) -> str:
    words = [word for word in re.split(r"[^a-z]+", code.lower()) if word and word not in _GENERIC_WORDS]
    if not words:
        return "H"
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(word[0] for word in words)[:PREFIX_LETTERS].upper()


def number_prefix(organization: Organization) -> str:
    """The hokimiyat's short prefix of registration numbers, derived from its code: the initials of the
    code's words ("namangan-city-hokimiyat" → "NC"), or a one-word code's first three letters
    ("yangikurgan-hokimiyat" → "YAN"). Two hokimiyats whose codes give the same letters are told apart by
    a digit, the later-created one (higher id) getting it ("NC", "NC2"), so a prefix never changes once
    given and numbers stay unique across the country."""
    base = _base_prefix(organization.code)
    earlier = Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, pk__lt=organization.pk).values_list(
        "code", flat=True
    )
    same = sum(1 for code in earlier if _base_prefix(code) == base)
    return base if same == 0 else f"{base}{same + 1}"


# Numbers as `next_number` gives them: only such a string can be a number (tracking counts wrong codes
# only against these).
NUMBER_FORMAT = re.compile(r"[A-Z]{1,4}\d{0,3}-\d{2}-\d{6,9}")


def next_number(organization: Organization, now: dt.datetime) -> str:
    """The next registration number of the hokimiyat in the year of `now`: "NC-26-000123". The year's
    sequence row is locked until the transaction ends, so two registrations never share a number."""
    year = timezone.localtime(now).year
    AppealNumberSequence.objects.get_or_create(organization=organization, year=year)
    sequence = AppealNumberSequence.objects.select_for_update().get(organization=organization, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{number_prefix(organization)}-{year % 100:02d}-{sequence.last:06d}"


def new_access_code() -> str:
    """Six digits for tracking by number and code (guessing is limited: `track_lookup`)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def notify_author(appeal: Appeal, template: str, context: dict) -> None:
    """Tell the author, after the commit, through the channel they prefer among their phone and e-mail
    (nothing when the appeal gave neither), in the appeal's language."""
    values = {"number": appeal.number, **context}
    phone, email, language = appeal.author_phone, appeal.author_email, appeal.language
    from .subscriptions import chats_notify  # imported here: subscriptions imports this module's log

    chats_notify(appeal, template, values)  # the Telegram chats following the appeal get it too
    if not phone and not email:
        return

    def send():
        try:
            notify.message_send_preferred(
                actor=SYSTEM,
                phone=phone,
                email=email,
                template=template,
                context=values,
                language=language,
                related=appeal,
            )
        except ValidationError:
            log.warning("appeal %s: notice %s not sent", values["number"], template, exc_info=True)

    transaction.on_commit(send)
