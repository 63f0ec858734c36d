"""Referrals (yo'llanma) from offer to enrolment: the director enrols the child with the family's code,
the family declines, the state's delay pauses the term, an enrolled child leaves, the jobs lapse
referrals not taken up and remind the families before, and a kindergarten closed for repairs pauses
every referral to it.

A referral lapses at the end of its PRESCHOOL_REFERRAL_DAYS-th working day unless taken up; while it
is paused (the state's fault: the kindergarten closed, the medical commission late) the term stops, and
on resuming it moves on by the working days the pause covered. Every seat freed here (a referral
lapsed or declined, a child left, a transfer taken up) is offered on at once: continuous allocation is
queued on the commit (`tasks.allocation_continuous_enqueue`).

A referral declined or lapsed takes its program out of the child's choices (the family said no to it,
or did not come); the child keeps its place in the queue, with its queue date, for its other choices.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from darcha.core import access
from darcha.core.audit import SYSTEM, SystemActor, actor_user, audit_batch, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.pagecache import content_changed

from ..choices import AgeGroup, EnrollmentStatus, EventKind, PlacementStatus, PreschoolRefusal
from ..models import EnrollmentApplication, Kindergarten, Placement, Preference
from ._common import notify_family, record_event
from .campaigns import referral_code_matches

DIRECTORS_ONLY = _lazy("Only this kindergarten's director or the district's preschool department may do this.")
FAMILY_OR_STAFF = _lazy("Only the family, the center's operators or the kindergarten's staff may do this.")
WHY_TRANSFERRED = "transferred"


def _district_changed(district_id: int) -> None:
    """A seat freed or added in the district: offer it once this commits."""
    from ..tasks import allocation_continuous_enqueue

    transaction.on_commit(lambda: allocation_continuous_enqueue(district_id))


def _require_director(actor, kindergarten: Kindergarten) -> None:
    access.require_role(actor, Role.KINDERGARTEN_DIRECTOR, kindergarten.organization, DIRECTORS_ONLY)


def _require_family_or_staff(actor, placement: Placement) -> None:
    """The family (a system actor: its page, the bot), a center's operator, the kindergarten's director or
    the district's department."""
    if isinstance(actor, SystemActor):
        return
    if access.holds_any(actor, access.CENTER_STAFF):
        return
    if access.has_role(actor, Role.KINDERGARTEN_DIRECTOR, placement.program.kindergarten.organization):
        return
    raise Forbidden(FAMILY_OR_STAFF)


def _locked(placement: Placement) -> Placement:
    return (
        Placement.objects.select_for_update()
        .select_related("program__kindergarten__organization", "application")
        .get(pk=placement.pk)
    )


def _date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")


def _notice_context(placement: Placement) -> dict:
    # Lazy and model values: notify writes them in the family's language, not the staff member's.
    return {
        "kindergarten": placement.program.kindergarten.organization,
        "group": AgeGroup(placement.program.age_group).label,
        "expires": timezone.localtime(placement.expires_at).date(),
    }


def _seat_status(application_id: int) -> str:
    """The application's status from the referrals it holds."""
    holding = set(
        Placement.objects.filter(
            application_id=application_id, status__in=(PlacementStatus.OFFERED, PlacementStatus.ENROLLED)
        ).values_list("status", flat=True)
    )
    if PlacementStatus.ENROLLED in holding:
        return EnrollmentStatus.ENROLLED
    if PlacementStatus.OFFERED in holding:
        return EnrollmentStatus.OFFERED
    return EnrollmentStatus.WAITING


def _settle_application(application: EnrollmentApplication, now: dt.datetime) -> None:
    if application.status == EnrollmentStatus.LEFT:
        return
    status = _seat_status(application.pk)
    if status != application.status:
        application.status, application.updated_at = status, now
        application.save(update_fields=["status", "updated_at"])


def _drop_choice(placement: Placement) -> bool:
    """Take the referral's program out of the child's choices (declined or not taken up)."""
    deleted, _rows = Preference.objects.filter(
        application_id=placement.application_id, program_id=placement.program_id
    ).delete()
    return bool(deleted)


def _end_offer(placement: Placement, status: str, *, actor, now: dt.datetime, kind, reason: str) -> Placement:
    """A referral ends without enrolment (lapsed, declined): seat freed, program out of the choices."""
    placement.status, placement.ended_at, placement.end_reason = status, now, reason[:255]
    placement.paused_at = None
    placement.save(update_fields=["status", "ended_at", "end_reason", "paused_at"])
    dropped = _drop_choice(placement)
    _settle_application(placement.application, now)
    record_event(
        placement.application,
        kind,
        actor=actor,
        now=now,
        data={
            "program": placement.program_id,
            "kindergarten": placement.program.kindergarten_id,
            "choice_removed": dropped,
        },
    )
    audit_record(
        actor=actor,
        action=f"preschool_placement_{status}",
        obj=placement,
        organization=placement.application.district_id,
        data={"program": placement.program_id, "application": placement.application_id},
    )
    content_changed(kind="preschool")
    _district_changed(placement.application.district_id)
    return placement


def placement_enrol(*, actor, placement: Placement, code: str, now: dt.datetime | None = None) -> Placement:
    """The director enrols the child who comes with a referral, on the code the family was sent.

    A transfer (the child attends another kindergarten) ends the old place, whose seat goes on to the
    next child."""
    now = now or timezone.now()
    _require_director(actor, placement.program.kindergarten)
    with transaction.atomic(), audit_batch():
        placement = _locked(placement)
        garden = placement.program.kindergarten
        if placement.status == PlacementStatus.ENROLLED:
            raise Refused(
                _("This referral has been used already: the child was enrolled on %(date)s.")
                % {"date": _date(placement.enrolled_at or placement.offered_at)},
                PreschoolRefusal.REFERRAL_USED,
            )
        if placement.status == PlacementStatus.LAPSED or (
            placement.status == PlacementStatus.OFFERED and placement.paused_at is None and placement.expires_at < now
        ):
            raise Refused(
                _(
                    "This referral expired on %(date)s: it was not taken up in time, and its seat went to "
                    "the next child."
                )
                % {"date": _date(placement.expires_at)},
                PreschoolRefusal.REFERRAL_EXPIRED,
            )
        if placement.status != PlacementStatus.OFFERED:
            raise Refused(
                _("This referral is no longer open (%(status)s).") % {"status": placement.get_status_display()},
                PreschoolRefusal.REFERRAL_NOT_OFFERED,
            )
        if not referral_code_matches(placement, code):
            raise Refused(
                _("The code does not match this referral. Ask the family for the code in the referral's SMS."),
                PreschoolRefusal.REFERRAL_CODE,
            )
        if garden.closed_since is not None:
            raise Refused(
                _("The kindergarten is closed (%(reason)s): it enrols children once it reopens.")
                % {"reason": garden.closed_reason},
                PreschoolRefusal.KINDERGARTEN_CLOSED,
            )
        previous = (
            Placement.objects.select_for_update()
            .filter(application_id=placement.application_id, status=PlacementStatus.ENROLLED)
            .first()
        )
        if previous is not None:
            previous.status, previous.ended_at, previous.end_reason = PlacementStatus.LEFT, now, WHY_TRANSFERRED
            previous.save(update_fields=["status", "ended_at", "end_reason"])
        placement.status, placement.enrolled_at, placement.enrolled_by = (
            PlacementStatus.ENROLLED,
            now,
            actor_user(actor),
        )
        placement.paused_at = None
        placement.save(update_fields=["status", "enrolled_at", "enrolled_by", "paused_at"])
        application = placement.application
        application.status, application.updated_at = EnrollmentStatus.ENROLLED, now
        application.save(update_fields=["status", "updated_at"])
        record_event(
            application,
            EventKind.ENROLLED,
            actor=actor,
            now=now,
            data={
                "program": placement.program_id,
                "kindergarten": garden.pk,
                "transferred_from": previous.program_id if previous is not None else None,
            },
        )
        audit_record(
            actor=actor,
            action="preschool_placement_enrol",
            obj=placement,
            organization=garden.organization_id,
            data={"program": placement.program_id, "transfer": previous is not None},
        )
        notify_family(application, "preschool_enrolled", _notice_context(placement))
        content_changed(kind="preschool")
        if previous is not None:
            _district_changed(application.district_id)
    return placement


def placement_decline(*, actor, placement: Placement, now: dt.datetime | None = None) -> Placement:
    """The family says no to the referral (itself, or through staff): the seat goes to the next child."""
    now = now or timezone.now()
    _require_family_or_staff(actor, placement)
    with transaction.atomic(), audit_batch():
        placement = _locked(placement)
        if placement.status != PlacementStatus.OFFERED:
            raise Refused(
                _("This referral is no longer open (%(status)s).") % {"status": placement.get_status_display()},
                PreschoolRefusal.REFERRAL_NOT_OFFERED,
            )
        _end_offer(
            placement, PlacementStatus.DECLINED, actor=actor, now=now, kind=EventKind.DECLINED, reason="declined"
        )
        notify_family(placement.application, "preschool_referral_declined", _notice_context(placement))
    return placement


def _clean_reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())[:255]
    if not reason:
        raise ValidationError({"reason": _("Say why the referral's term stops.")})
    return reason


def _pause(placement: Placement, reason: str, *, actor, now: dt.datetime) -> None:
    placement.paused_at, placement.pause_reason = now, reason
    placement.save(update_fields=["paused_at", "pause_reason"])
    record_event(placement.application, EventKind.PAUSED, actor=actor, now=now, data={"reason": reason})
    audit_record(
        actor=actor,
        action="preschool_placement_pause",
        obj=placement,
        organization=placement.program.kindergarten.organization_id,
        data={"reason": reason},
    )
    notify_family(placement.application, "preschool_referral_paused", {**_notice_context(placement), "reason": reason})


def _resume(placement: Placement, *, actor, now: dt.datetime, calendar: WorkingCalendar) -> int:
    """The term runs again, moved on by the working days the pause covered."""
    days = calendar.working_days_between(placement.paused_at, now)
    if days:
        placement.expires_at = calendar.deadline(placement.expires_at, days)
        placement.reminded_at = None  # a reminder goes out again before the new end
    placement.paused_days += days
    placement.paused_at, placement.pause_reason = None, ""
    placement.save(update_fields=["expires_at", "reminded_at", "paused_days", "paused_at", "pause_reason"])
    record_event(
        placement.application,
        EventKind.RESUMED,
        actor=actor,
        now=now,
        data={"days": days, "expires_at": placement.expires_at.isoformat()},
    )
    audit_record(
        actor=actor,
        action="preschool_placement_resume",
        obj=placement,
        organization=placement.program.kindergarten.organization_id,
        data={"days": days},
    )
    notify_family(placement.application, "preschool_referral_resumed", _notice_context(placement))
    return days


def placement_pause(*, actor, placement: Placement, reason: str, now: dt.datetime | None = None) -> Placement:
    """The state's delay (the medical commission late, say): the referral's term stops until resumed."""
    now = now or timezone.now()
    _require_director(actor, placement.program.kindergarten)
    reason = _clean_reason(reason)
    with transaction.atomic():
        placement = _locked(placement)
        if placement.status != PlacementStatus.OFFERED:
            raise Refused(
                _("Only an open referral can be paused (this one: %(status)s).")
                % {"status": placement.get_status_display()},
                PreschoolRefusal.REFERRAL_NOT_OFFERED,
            )
        if placement.paused_at is not None:
            raise Refused(
                _("This referral is paused already (%(reason)s).") % {"reason": placement.pause_reason},
                PreschoolRefusal.ALREADY_PAUSED,
            )
        if placement.expires_at < now:
            raise Refused(
                _("This referral expired on %(date)s.") % {"date": _date(placement.expires_at)},
                PreschoolRefusal.REFERRAL_EXPIRED,
            )
        _pause(placement, reason, actor=actor, now=now)
    return placement


def placement_resume(*, actor, placement: Placement, now: dt.datetime | None = None) -> Placement:
    now = now or timezone.now()
    _require_director(actor, placement.program.kindergarten)
    with transaction.atomic():
        placement = _locked(placement)
        if placement.status != PlacementStatus.OFFERED or placement.paused_at is None:
            raise Refused(_("This referral is not paused."), PreschoolRefusal.NOT_PAUSED)
        garden = placement.program.kindergarten
        if garden.closed_since is not None:
            raise Refused(
                _("The kindergarten is closed (%(reason)s): its referrals resume when it reopens.")
                % {"reason": garden.closed_reason},
                PreschoolRefusal.KINDERGARTEN_CLOSED,
            )
        _resume(placement, actor=actor, now=now, calendar=WorkingCalendar.current())
    return placement


def placement_leave(*, actor, placement: Placement, reason: str = "", now: dt.datetime | None = None) -> Placement:
    """An enrolled child leaves the kindergarten (and the queue): its seat goes to the next child; a
    transfer referral it held is withdrawn too."""
    now = now or timezone.now()
    _require_family_or_staff(actor, placement)
    reason = " ".join(str(reason or "").split())[:255]
    with transaction.atomic(), audit_batch():
        placement = _locked(placement)
        if placement.status != PlacementStatus.ENROLLED:
            raise Refused(
                _("Only a child enrolled at the kindergarten can leave it (this referral: %(status)s).")
                % {"status": placement.get_status_display()},
                PreschoolRefusal.REFERRAL_NOT_OFFERED,
            )
        placement.status, placement.ended_at, placement.end_reason = PlacementStatus.LEFT, now, reason or "left"
        placement.save(update_fields=["status", "ended_at", "end_reason"])
        withdrawn = Placement.objects.filter(
            application_id=placement.application_id, status=PlacementStatus.OFFERED
        ).update(status=PlacementStatus.WITHDRAWN, ended_at=now, end_reason="left the kindergarten")
        application = EnrollmentApplication.objects.select_for_update().get(pk=placement.application_id)
        if application.status != EnrollmentStatus.LEFT:
            application.status, application.left_at = EnrollmentStatus.LEFT, now
            application.left_reason, application.updated_at = reason, now
            application.save(update_fields=["status", "left_at", "left_reason", "updated_at"])
        record_event(
            application,
            EventKind.LEFT_KINDERGARTEN,
            actor=actor,
            now=now,
            data={"program": placement.program_id, "kindergarten": placement.program.kindergarten_id, "reason": reason},
        )
        audit_record(
            actor=actor,
            action="preschool_placement_leave",
            obj=placement,
            organization=placement.program.kindergarten.organization_id,
            data={"program": placement.program_id, "transfer_withdrawn": withdrawn},
        )
        notify_family(application, "preschool_left_kindergarten", _notice_context(placement))
        content_changed(kind="preschool")
        _district_changed(application.district_id)
    return placement


# --- the jobs ------------------------------------------------------------------------------------


def placements_lapse_due(*, now: dt.datetime | None = None) -> int:
    """Referrals not taken up by the end of their term lapse; their seats are offered on at once."""
    now = now or timezone.now()
    due = Placement.objects.filter(status=PlacementStatus.OFFERED, paused_at__isnull=True, expires_at__lt=now)
    lapsed = 0
    for placement_id in list(due.order_by("expires_at", "id").values_list("id", flat=True)):
        with transaction.atomic(), audit_batch():
            placement = _locked(Placement(pk=placement_id))
            if not (
                placement.status == PlacementStatus.OFFERED
                and placement.paused_at is None
                and placement.expires_at < now
            ):
                continue  # taken up, declined or paused meanwhile
            _end_offer(
                placement, PlacementStatus.LAPSED, actor=SYSTEM, now=now, kind=EventKind.LAPSED, reason="not taken up"
            )
            notify_family(placement.application, "preschool_referral_lapsed", _notice_context(placement))
        lapsed += 1
    return lapsed


def placements_remind_due(*, now: dt.datetime | None = None) -> int:
    """A reminder PRESCHOOL_REMINDER_DAYS working days before a referral's term ends (once)."""
    now = now or timezone.now()
    calendar = WorkingCalendar.current()
    today = timezone.localdate(now)
    days = settings.PRESCHOOL_REMINDER_DAYS
    # Working days are fewer than calendar days: a generous window first, then the exact count.
    horizon = now + dt.timedelta(days=2 * days + 14)
    candidates = Placement.objects.filter(
        status=PlacementStatus.OFFERED,
        paused_at__isnull=True,
        reminded_at__isnull=True,
        expires_at__gte=now,
        expires_at__lte=horizon,
    ).values_list("id", "expires_at")
    reminded = 0
    for placement_id, expires_at in list(candidates):
        if calendar.count_working_days(today, timezone.localtime(expires_at).date()) > days:
            continue
        with transaction.atomic():
            placement = _locked(Placement(pk=placement_id))
            if placement.status != PlacementStatus.OFFERED or placement.paused_at or placement.reminded_at:
                continue
            placement.reminded_at = now
            placement.save(update_fields=["reminded_at"])
            record_event(
                placement.application,
                EventKind.REMINDED,
                actor=SYSTEM,
                now=now,
                data={"expires_at": placement.expires_at.isoformat()},
            )
            audit_record(
                actor=SYSTEM,
                action="preschool_placement_remind",
                obj=placement,
                organization=placement.application.district_id,
            )
            notify_family(placement.application, "preschool_referral_reminder", _notice_context(placement))
        reminded += 1
    return reminded


# --- kindergartens closed --------------------------------------------------------------------------


def kindergarten_close(
    *, actor, kindergarten: Kindergarten, reason: str, now: dt.datetime | None = None
) -> Kindergarten:
    """Closed for repairs or quarantine: the state's delay, so every open referral to it is paused (and no
    new one is offered there) until it reopens."""
    now = now or timezone.now()
    _require_director(actor, kindergarten)
    reason = " ".join(str(reason or "").split())[:255]
    if not reason:
        raise ValidationError({"reason": _("Say why the kindergarten is closed.")})
    with transaction.atomic(), audit_batch():
        garden = Kindergarten.objects.select_for_update().select_related("organization").get(pk=kindergarten.pk)
        if garden.closed_since is not None:
            raise Refused(
                _("The kindergarten is closed already (%(reason)s).") % {"reason": garden.closed_reason},
                PreschoolRefusal.KINDERGARTEN_CLOSED,
            )
        garden.closed_since, garden.closed_reason = timezone.localdate(now), reason
        garden.save(update_fields=["closed_since", "closed_reason"])
        open_referrals = (
            Placement.objects.select_for_update()
            .select_related("program__kindergarten__organization", "application")
            .filter(program__kindergarten=garden, status=PlacementStatus.OFFERED, paused_at__isnull=True)
            .order_by("id")
        )
        paused = 0
        for placement in open_referrals:
            _pause(placement, reason, actor=actor, now=now)
            paused += 1
        audit_record(
            actor=actor,
            action="preschool_kindergarten_close",
            obj=garden,
            organization=garden.organization_id,
            data={"reason": reason, "referrals_paused": paused},
        )
        content_changed(kind="preschool")
    kindergarten.closed_since, kindergarten.closed_reason = garden.closed_since, garden.closed_reason
    return garden


def kindergarten_reopen(*, actor, kindergarten: Kindergarten, now: dt.datetime | None = None) -> Kindergarten:
    """Open again: the referrals its closing paused run on (moved on by the working days it was closed),
    and its free seats are offered."""
    now = now or timezone.now()
    _require_director(actor, kindergarten)
    with transaction.atomic(), audit_batch():
        garden = Kindergarten.objects.select_for_update().select_related("organization").get(pk=kindergarten.pk)
        if garden.closed_since is None:
            raise Refused(_("The kindergarten is open."), PreschoolRefusal.NOT_PAUSED)
        closed_at = timezone.make_aware(dt.datetime.combine(garden.closed_since, dt.time.min))
        # The referrals its closing paused (paused since, for its reason), not those paused for another.
        paused = list(
            Placement.objects.select_for_update()
            .select_related("program__kindergarten__organization", "application")
            .filter(
                program__kindergarten=garden,
                status=PlacementStatus.OFFERED,
                paused_at__gte=closed_at,
                pause_reason=garden.closed_reason,
            )
            .order_by("id")
        )
        garden.closed_since, garden.closed_reason = None, ""
        garden.save(update_fields=["closed_since", "closed_reason"])
        calendar = WorkingCalendar.current()
        resumed = 0
        for placement in paused:
            placement.program.kindergarten = garden
            _resume(placement, actor=actor, now=now, calendar=calendar)
            resumed += 1
        audit_record(
            actor=actor,
            action="preschool_kindergarten_reopen",
            obj=garden,
            organization=garden.organization_id,
            data={"referrals_resumed": resumed},
        )
        content_changed(kind="preschool")
        _district_changed(garden.organization.parent_id)
    kindergarten.closed_since, kindergarten.closed_reason = None, ""
    return garden
