"""What the preschool services share: the family as an actor, the family's history (events), queue
numbers and access codes, the district's campaign rules, and notices sent after the commit.

Private to the package: views and other apps call the services re-exported from
`darcha.preschool.services`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from darcha.core.audit import SYSTEM, SystemActor, actor_user
from darcha.notify import services as notify

from ..allocation import draw_lottery
from ..choices import CampaignKind
from ..models import Campaign, EnrollmentApplication, Event, LotterySeed, NumberSequence

log = logging.getLogger("darcha.preschool")

# The family acting for itself (online, on its page, through the bot): no staff member is behind it.
FAMILY = SystemActor("family")
# The registry office's or maternity hospital's system registering a newborn.
BIRTH_PARTNER_ONLY = _lazy("Only the registry office's or maternity hospital's system may register a birth.")
STAFF_ONLY = _lazy("Only the center's operators or the district's preschool department may do this.")
NUMBER_PREFIX = "M"


def record_event(
    application: EnrollmentApplication, kind, *, actor, now: dt.datetime, public: bool = True, data=None
) -> Event:
    user = actor_user(actor)
    return Event.objects.create(
        application=application,
        kind=kind,
        actor=user,
        actor_label=user.get_username() if user else getattr(actor, "label", "system"),
        public=public,
        data=data or {},
        created_at=now,
    )


def event_row(application_id: int, kind, *, actor, now: dt.datetime, public: bool = True, data=None) -> Event:
    """An unsaved event, for bulk_create."""
    user = actor_user(actor)
    return Event(
        application_id=application_id,
        kind=kind,
        actor=user,
        actor_label=user.get_username() if user else getattr(actor, "label", "system"),
        public=public,
        data=data or {},
        created_at=now,
    )


def next_number(now: dt.datetime) -> str:
    """The next queue number of the year, "M26-0000123" (the year's sequence row is locked meanwhile)."""
    year = timezone.localdate(now).year
    NumberSequence.objects.get_or_create(year=year)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{NUMBER_PREFIX}{year % 100:02d}-{sequence.last:07d}"


def access_code() -> str:
    """Six digits, as the applications' access codes (the family page is opened with number + code)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def lottery_seed(district_id: int, now: dt.datetime) -> str:
    """The district's published lottery seed, made at its first registration and kept for good: a child's
    number is drawn from it over the queue number, so the same seed and numbers give the same draw."""
    seed, _created = LotterySeed.objects.get_or_create(
        district_id=district_id, defaults={"seed": secrets.token_hex(16), "created_at": now}
    )
    return seed.seed


def lottery_number(district_id: int, number: str, now: dt.datetime) -> int:
    """The child's lottery number: drawn once, at registration, from the district's seed and the queue number."""
    return draw_lottery(lottery_seed(district_id, now), [number])[number]


def district_campaign(district_id: int) -> Campaign | None:
    """The district's latest main campaign: its rules (choices a family may rank, district only) hold for
    applications until the next one is set up."""
    return (
        Campaign.objects.filter(district_id=district_id, kind=CampaignKind.MAIN)
        .order_by("-school_year", "-created_at", "-id")
        .first()
    )


def max_choices(campaign: Campaign | None) -> int:
    return campaign.max_choices if campaign is not None else settings.PRESCHOOL_MAX_CHOICES


def district_only(campaign: Campaign | None) -> bool:
    return campaign.district_only if campaign is not None else True


def notify_family(application: EnrollmentApplication, template: str, context: dict) -> None:
    """The family through its preferred channel (SMS, or Telegram when its phone chose the bot), in the
    application's language, once the transaction commits; and every Telegram chat following the
    application (`subscriptions`), in the chat's. No phone: only the chats are told."""
    from .subscriptions import chats_notify  # it uses this module's log: imported when first needed

    phone, language = application.phone, application.language
    values = {"number": application.number, **context}
    chats_notify([(application.pk, template, values)])
    if not phone:
        return

    def send():
        try:
            notify.message_send_preferred(
                actor=SYSTEM, phone=phone, template=template, context=values, language=language, related=application
            )
        except ValidationError:
            log.warning("preschool application %s: notice %s not sent", values["number"], template, exc_info=True)

    transaction.on_commit(send)
