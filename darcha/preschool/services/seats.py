"""Seats of a program, and children's choices moving up an age group on the reference date.

Seats never fall below the seats held (referrals offered and children enrolled); seats raised are
offered at once (continuous allocation queued on the commit). On the reference date a waiting child's
choices move to the group of its new age at the same kindergarten, in the same language and regime,
keeping its queue date (`age_groups_advance`, the scheduler's job on that day; run again the same day
it changes nothing, since each choice is set by the child's age on the day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from darcha.core import access
from darcha.core.audit import SYSTEM, SystemActor, audit_batch, audit_record
from darcha.core.choices import Role
from darcha.core.errors import Refused
from darcha.core.pagecache import content_changed

from ..ages import age_group_on
from ..choices import AGE_GROUP_ORDER, SEAT_HOLDING, EnrollmentStatus, EventKind, PreschoolRefusal
from ..models import Event, Placement, Preference, Program
from ._common import event_row

SEATS_STAFF_ONLY = _lazy("Only this kindergarten's director or the district's preschool department may set its seats.")
OFFICERS_ONLY = _lazy("Only the district's preschool department may move its queue to the next age groups.")
MOST_SEATS = 10_000


def _district_changed(district_id: int) -> None:
    from ..tasks import allocation_continuous_enqueue

    transaction.on_commit(lambda: allocation_continuous_enqueue(district_id))


def program_seats_set(*, actor, program: Program, seats, now: dt.datetime | None = None) -> Program:
    """Set a program's seats this school year; never below the seats held. Seats added are offered."""
    now = now or timezone.now()
    access.require_role(actor, Role.KINDERGARTEN_DIRECTOR, program.kindergarten.organization, SEATS_STAFF_ONLY)
    try:
        seats = int(seats)
    except (TypeError, ValueError):
        raise ValidationError({"seats": _("Give the number of seats as a whole number.")}) from None
    if not 0 <= seats <= MOST_SEATS:
        raise ValidationError({"seats": _("A group has from 0 to %(most)d seats.") % {"most": MOST_SEATS}})
    with transaction.atomic():
        locked = Program.objects.select_for_update().select_related("kindergarten__organization").get(pk=program.pk)
        held = Placement.objects.filter(program=locked, status__in=SEAT_HOLDING).count()
        if seats < held:
            raise Refused(
                ngettext(
                    "%(held)d seat of this group is held by a referral or an enrolled child: "
                    "it cannot have fewer seats than that.",
                    "%(held)d seats of this group are held by referrals and enrolled children: "
                    "it cannot have fewer seats than that.",
                    held,
                )
                % {"held": held},
                PreschoolRefusal.SEATS_BELOW_HELD,
            )
        before = locked.seats
        if seats != before:
            locked.seats = seats
            locked.save(update_fields=["seats"])
            audit_record(
                actor=actor,
                action="preschool_program_seats_set",
                obj=locked,
                organization=locked.kindergarten.organization_id,
                data={"seats": [before, seats], "held": held},
            )
            content_changed(kind="preschool")
            if seats > before:
                _district_changed(locked.kindergarten.organization.parent_id)
    program.seats = locked.seats
    return locked


def age_groups_advance(*, district, day: dt.date, now: dt.datetime | None = None, actor=SYSTEM) -> int:
    """On the reference date, move each waiting child's choices to the group of its age on `day` at the
    same kindergarten, language and regime; a choice whose kindergarten has no such group is dropped.
    The queue date is kept; each family's history says what moved (Event AGE_GROUP). The program of a
    referral the child holds stays as it is. Returns how many applications' choices moved."""
    now = now or timezone.now()
    if not isinstance(actor, SystemActor):
        access.require_role(actor, Role.PRESCHOOL_OFFICER, district, OFFICERS_ONLY)
    rank = {group: index for index, group in enumerate(AGE_GROUP_ORDER)}
    with transaction.atomic(), audit_batch():
        rows = list(
            Preference.objects.select_for_update(of=("self",))
            .filter(
                application__district=district,
                application__status__in=(EnrollmentStatus.WAITING, EnrollmentStatus.OFFERED),
            )
            .order_by("application_id", "rank")
            .values_list(
                "id",
                "application_id",
                "program_id",
                "program__kindergarten_id",
                "program__age_group",
                "program__language",
                "program__regime",
                "application__child__birth_date",
            )
        )
        if not rows:
            return 0
        offered = set(
            Placement.objects.filter(application__district=district, status__in=SEAT_HOLDING).values_list(
                "application_id", "program_id"
            )
        )
        kindergartens = {row[3] for row in rows}
        program_of = {
            (kg, group, language, regime): pid
            for pid, kg, group, language, regime in Program.objects.filter(
                kindergarten_id__in=kindergartens
            ).values_list("id", "kindergarten_id", "age_group", "language", "regime")
        }
        by_application: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            by_application[row[1]].append(row)

        moved: list[Preference] = []
        dropped: list[int] = []
        events = []
        for application_id, preferences in by_application.items():
            target = age_group_on(preferences[0][7], day)
            if target is None:
                continue  # too young for any group yet, or of school age
            chosen = {row[2] for row in preferences}
            changes, removed = [], []
            for pref_id, _app, program_id, kg, group, language, regime, _birth in preferences:
                if rank[group] >= rank[target] or (application_id, program_id) in offered:
                    continue
                new_program = program_of.get((kg, target, language, regime))
                if new_program is None or new_program in chosen:
                    dropped.append(pref_id)
                    removed.append(program_id)
                else:
                    moved.append(Preference(id=pref_id, program_id=new_program))
                    chosen.add(new_program)
                    changes.append([program_id, new_program])
                chosen.discard(program_id)
            if changes or removed:
                events.append(
                    event_row(
                        application_id,
                        EventKind.AGE_GROUP,
                        actor=actor,
                        now=now,
                        data={"day": day.isoformat(), "group": str(target), "moved": changes, "dropped": removed},
                    )
                )
        Preference.objects.filter(id__in=dropped).delete()
        Preference.objects.bulk_update(moved, ["program"], batch_size=1000)
        Event.objects.bulk_create(events, batch_size=2000)
        if events:
            audit_record(
                actor=actor,
                action="preschool_age_groups_advance",
                obj=district,
                organization=district,
                data={
                    "day": day.isoformat(),
                    "applications": len(events),
                    "moved": len(moved),
                    "dropped": len(dropped),
                },
            )
            content_changed(kind="preschool")
            _district_changed(district.pk)
    return len(events)
