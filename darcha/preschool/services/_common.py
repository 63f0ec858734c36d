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
from django.db.models import F
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
    # The UPDATE locks the row until the transaction ends: two registrations never get one number.
    if not NumberSequence.objects.filter(year=year).update(last=F("last") + 1):
        NumberSequence.objects.get_or_create(year=year)
        NumberSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = NumberSequence.objects.filter(year=year).values_list("last", flat=True).get()
    return f"{NUMBER_PREFIX}{year % 100:02d}-{last:07d}"


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

    if notify.muted_notices() is not None:
        send()  # replaying history (`notify.notices_muted`): held back now, while the mute holds
        return
    transaction.on_commit(send)


class ChoicesOnDay:
    """Each choice in the group of the child's age on a campaign's reference date: a child registered as a
    newborn chose the early group of a kindergarten, and by the reference date of a later campaign it is
    older. The choice then stands for the group of its age at the same kindergarten, language and regime
    (the stored preference moves there only on that day, `age_groups_advance`). `rows` are the programs
    the choices may move to: (id, kindergarten id, age group, language, regime, kindergarten kind)."""

    def __init__(self, rows, day: dt.date):
        from ..ages import age_group_on, old_enough
        from ..choices import AGE_GROUP_ORDER

        self.day, self.age_group_on, self.old_enough = day, age_group_on, old_enough
        self.rank = {group: index for index, group in enumerate(AGE_GROUP_ORDER)}
        self.terms = {row[0]: row[1:] for row in rows}
        self.program_of = {(kg, group, language, regime): pk for pk, kg, group, language, regime, _kind in rows}
        self.answers: dict[tuple[int, dt.date], tuple[int | None, bool]] = {}

    def choice(self, program_id: int, birth_date: dt.date) -> tuple[int | None, bool]:
        """(the program the choice stands for on the day or None, whether it was skipped because its
        kindergarten has no group of the child's age). None without skipping: the child is not old
        enough for that group yet (it waits), or is of school age."""
        key = (program_id, birth_date)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answers[key] = self._choice(program_id, birth_date)
        return answer

    def _choice(self, program_id: int, birth_date: dt.date) -> tuple[int | None, bool]:
        terms = self.terms.get(program_id)
        target = self.age_group_on(birth_date, self.day)
        if terms is None or target is None:
            return None, False
        kindergarten, group, language, regime, kind = terms
        if self.rank[group] < self.rank[target]:
            program_id = self.program_of.get((kindergarten, target, language, regime))
            if program_id is None:
                return None, True
            group = target
        return (program_id, False) if self.old_enough((group, kind), birth_date, self.day) else (None, False)

    def choices(self, program_ids, birth_date: dt.date) -> tuple[list[int], int, bool]:
        """(the choices on the day, first choice first and each once; how many were skipped; whether the
        child is old enough for any of them — else it is not in this campaign)."""
        chosen: list[int] = []
        skipped, old_enough = 0, False
        for program_id in program_ids:
            on_day, was_skipped = self.choice(program_id, birth_date)
            if was_skipped:
                skipped += 1
                old_enough = True
            elif on_day is not None:
                old_enough = True
                if on_day not in chosen:
                    chosen.append(on_day)
        return chosen, skipped, old_enough
