"""The preschool app's periodic work, registered with the scheduler (darcha.core.scheduler) on import
from PreschoolConfig.ready():

preschool.lapse        every 10 min   referrals not taken up in their term lapse; their seats are offered on
preschool.remind       daily 10:00    a reminder PRESCHOOL_REMINDER_DAYS working days before a referral lapses
preschool.continuous   every 30 min   the safety net of continuous allocation: every district's free seats
                                      offered (each freeing change queues it on its commit already)
preschool.age_groups   daily 00:30    on the reference date, waiting children's choices move up an age group
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from darcha.core.scheduler import register_job

from .choices import CampaignKind, CampaignStatus
from .models import ACTIVE_STATUSES, Campaign, EnrollmentApplication

log = logging.getLogger("darcha.preschool")


def lapse(*, now: dt.datetime | None = None) -> int:
    from .services.referrals import placements_lapse_due

    return placements_lapse_due(now=now)


def remind(*, now: dt.datetime | None = None) -> int:
    from .services.referrals import placements_remind_due

    return placements_remind_due(now=now)


def _districts_with_campaigns() -> list[int]:
    return sorted(
        set(
            Campaign.objects.filter(kind=CampaignKind.MAIN, status=CampaignStatus.DONE).values_list(
                "district_id", flat=True
            )
        )
    )


def continuous(*, now: dt.datetime | None = None) -> int:
    """Continuous allocation in every district that has run its main campaign; how many runs offered seats."""
    from .services.campaigns import allocation_continuous

    runs = 0
    for district_id in _districts_with_campaigns():
        try:
            if allocation_continuous(district=district_id, now=now) is not None:
                runs += 1
        except Exception:  # one district's failure must not keep the others' seats unoffered
            log.exception("continuous allocation of district %s failed", district_id)
    return runs


def is_reference_day(day: dt.date) -> bool:
    return (day.month, day.day) == (settings.PRESCHOOL_REFERENCE_MONTH, settings.PRESCHOOL_REFERENCE_DAY)


def age_groups(*, now: dt.datetime | None = None) -> int:
    """On the reference date only: every district's waiting children move up a group."""
    from darcha.core.models import Organization

    from .services.seats import age_groups_advance

    now = now or timezone.now()
    day = timezone.localdate(now)
    if not is_reference_day(day):
        return 0
    district_ids = set(
        EnrollmentApplication.objects.filter(status__in=ACTIVE_STATUSES).values_list("district_id", flat=True)
    )
    moved = 0
    for district in Organization.objects.filter(pk__in=district_ids).order_by("pk"):
        moved += age_groups_advance(district=district, day=day, now=now)
    return moved


register_job("preschool.lapse", every_seconds=600, func=lapse)
register_job("preschool.remind", at="10:00", func=remind)
register_job("preschool.continuous", every_seconds=1800, func=continuous)
register_job("preschool.age_groups", at="00:30", func=age_groups)
