"""The kindergarten director's desk: seats per group, the referrals expected, enrolment by the family's
SMS code, a child leaving, the state's pauses of a referral, closing for repairs, the children attending.

    desk/kindergarten/<code>/                            kindergarten_desk
    desk/kindergarten/<code>/referrals/<id>/enrol/       kindergarten_enrol    POST code
    desk/kindergarten/<code>/referrals/<id>/pause/       kindergarten_pause    POST reason
    desk/kindergarten/<code>/referrals/<id>/resume/      kindergarten_resume   POST
    desk/kindergarten/<code>/children/<id>/leave/        kindergarten_leave    POST reason
    desk/kindergarten/<code>/close/                      kindergarten_close    POST reason
    desk/kindergarten/<code>/reopen/                     kindergarten_reopen   POST

For the kindergarten's director, and for the officers of its district's preschool department (their role
includes the director's); everyone else 403, anonymous visitors the login page. A referral of another
kindergarten is not found here. Each action is one service call through `attempt()`: done, it redirects
back with a notice; refused, the desk comes back with the reason beside the form and the status keeps its
meaning (400 bad input, 409 not possible now, 403 not for this user). The desk's lists cost a fixed
number of queries (tests/preschool/query_counts.json, "desk.kindergarten").
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from darcha.core import access
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import attempt

from .. import services
from ..models import Kindergarten, Placement
from ..selectors import children_attending, desk_kindergarten, desk_placement, desk_programs, referrals_expected

REASON_MAX = 255


# --- access -------------------------------------------------------------------------------------
def director_access(view):
    """Open the kindergarten of the address to its director and its district's officers."""

    @wraps(view)
    def wrapper(request, code: str, **kwargs):
        if not request.user.is_authenticated:
            # After signing in, come back to the desk, not to a POST-only address.
            return redirect_to_login(reverse("preschool:kindergarten_desk", args=[code]))
        garden = desk_kindergarten(code)
        if garden is None:
            raise Http404(_("No such kindergarten."))
        access.require_role(
            request.user,
            Role.KINDERGARTEN_DIRECTOR,
            garden.organization,
            _("Only the director of this kindergarten and the district's preschool department work at its desk."),
        )
        return view(request, garden, **kwargs)

    return wrapper


def _placement(garden: Kindergarten, placement_id: int) -> Placement:
    placement = desk_placement(garden, placement_id)
    if placement is None:
        raise Http404(_("No such referral at this kindergarten."))
    return placement


# --- the desk -----------------------------------------------------------------------------------
def mark_term(placement: Placement, now: dt.datetime, calendar: WorkingCalendar) -> Placement:
    """Set placement.term_class (paused, overdue, soon or "") and placement.term_note for the list."""
    placement.term_class, placement.term_note = "", ""
    if placement.paused_at:
        placement.term_class = "paused"
        placement.term_note = _("The term is stopped: the delay is the state's")
    elif placement.expires_at < now:
        placement.term_class = "overdue"
        placement.term_note = _("The term is over; it lapses at the next check")
    else:
        days = calendar.working_days_between(now, placement.expires_at)
        placement.term_class = "soon" if days <= 3 else ""
        placement.term_note = ngettext("%(days)d working day left", "%(days)d working days left", days) % {"days": days}
    return placement


def _groups(placements: list[Placement]) -> list[dict]:
    """The children attending, one entry per group (program), in the list's order."""
    groups: list[dict] = []
    for placement in placements:
        if not groups or groups[-1]["program"].pk != placement.program_id:
            groups.append({"program": placement.program, "children": []})
        groups[-1]["children"].append(placement)
    return groups


def desk_context(request, garden: Kindergarten, **extra) -> dict:
    now = timezone.now()
    calendar = WorkingCalendar.current()
    programs = desk_programs(garden, day=timezone.localdate(now))
    referrals = [mark_term(p, now, calendar) for p in referrals_expected(garden)]
    attending = list(children_attending(garden))
    is_officer = access.has_role(request.user, Role.PRESCHOOL_OFFICER, garden.organization)
    context = {
        "garden": garden,
        "programs": programs,
        "totals": {
            "seats": sum(p.seats for p in programs if p.is_active),
            "held": sum(p.held for p in programs),
            "free": sum(p.free for p in programs if p.is_active),
            "offered": sum(p.offered for p in programs),
            "enrolled": sum(p.enrolled for p in programs),
        },
        "referrals": referrals,
        "paused": sum(1 for p in referrals if p.paused_at),
        "groups": _groups(attending),
        "attending": len(attending),
        "now": now,
        "is_officer": is_officer,
        "seats_url": reverse(
            "preschool:department_seats", args=[garden.organization.parent.code, garden.organization.code]
        )
        if is_officer and garden.organization.parent_id
        else "",
        "district_url": reverse("preschool:department_desk", args=[garden.organization.parent.code])
        if is_officer and garden.organization.parent_id
        else "",
        # A refused action: its message, which form it came from, and what was typed (never the code).
        "error": "",
        "error_for": "",
        "error_id": None,
        "typed": {},
    }
    context.update(extra)
    return context


@never_cache
@require_GET
@director_access
def kindergarten_desk(request, garden: Kindergarten):
    return render(request, "preschool/kindergarten/desk.html", desk_context(request, garden))


def _act(request, garden: Kindergarten, run, notice, *, error_for: str, error_id: int | None = None, typed=None):
    """Run one service call: a redirect to the desk with the notice, or the desk again with the refusal."""
    done = attempt(run)
    if done.ok:
        messages.success(request, notice(done.value) if callable(notice) else str(notice))
        response = HttpResponseRedirect(reverse("preschool:kindergarten_desk", args=[garden.organization.code]))
        response.status_code = 303  # see the desk again, by GET
        return response
    fresh = desk_kindergarten(garden.organization.code) or garden
    context = desk_context(
        request, fresh, error=done.message, error_for=error_for, error_id=error_id, typed=typed or {}
    )
    return render(request, "preschool/kindergarten/desk.html", context, status=done.status)


def _reason(request, *, required: bool, message: str) -> str:
    reason = " ".join(request.POST.get("reason", "").split())
    if required and not reason:
        raise ValidationError({"reason": [message]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Write the reason in at most %(limit)d characters.") % {"limit": REASON_MAX}]}
        )
    return reason


def child_label(placement: Placement) -> str:
    return _("%(child)s (queue number %(number)s)") % {
        "child": placement.application.child.name,
        "number": placement.application.number,
    }


# --- referrals ----------------------------------------------------------------------------------
@require_POST
@director_access
def kindergarten_enrol(request, garden: Kindergarten, placement_id: int):
    placement = _placement(garden, placement_id)

    def run():
        code = "".join(request.POST.get("code", "").split())
        if not code:
            raise ValidationError({"code": [_("Enter the code the family received by SMS.")]})
        return services.placement_enrol(actor=request.user, placement=placement, code=code)

    return _act(
        request,
        garden,
        run,
        _("%(child)s is enrolled in the group %(group)s.")
        % {"child": child_label(placement), "group": placement.program.get_age_group_display()},
        error_for="enrol",
        error_id=placement.pk,
    )


@require_POST
@director_access
def kindergarten_pause(request, garden: Kindergarten, placement_id: int):
    placement = _placement(garden, placement_id)
    typed = {"reason": request.POST.get("reason", "")[:REASON_MAX]}

    def run():
        reason = _reason(
            request, required=True, message=_("Write why the delay is the state's (e.g. the medical commission).")
        )
        return services.placement_pause(actor=request.user, placement=placement, reason=reason)

    return _act(
        request,
        garden,
        run,
        _("The referral of %(child)s is paused: its term stops until you resume it.")
        % {"child": child_label(placement)},
        error_for="pause",
        error_id=placement.pk,
        typed=typed,
    )


@require_POST
@director_access
def kindergarten_resume(request, garden: Kindergarten, placement_id: int):
    placement = _placement(garden, placement_id)
    return _act(
        request,
        garden,
        lambda: services.placement_resume(actor=request.user, placement=placement),
        _("The referral of %(child)s is resumed: its term runs again.") % {"child": child_label(placement)},
        error_for="resume",
        error_id=placement.pk,
    )


@require_POST
@director_access
def kindergarten_leave(request, garden: Kindergarten, placement_id: int):
    placement = _placement(garden, placement_id)
    typed = {"reason": request.POST.get("reason", "")[:REASON_MAX]}

    def run():
        reason = _reason(request, required=True, message=_("Write why the child leaves the kindergarten."))
        return services.placement_leave(actor=request.user, placement=placement, reason=reason)

    return _act(
        request,
        garden,
        run,
        _("%(child)s has left the kindergarten; the seat is offered to the next child in the queue.")
        % {"child": child_label(placement)},
        error_for="leave",
        error_id=placement.pk,
        typed=typed,
    )


# --- the kindergarten closed for repairs -----------------------------------------------------------
@require_POST
@director_access
def kindergarten_close(request, garden: Kindergarten):
    typed = {"reason": request.POST.get("reason", "")[:REASON_MAX]}

    def run():
        reason = _reason(request, required=True, message=_("Write why the kindergarten closes (e.g. repairs)."))
        return services.kindergarten_close(actor=request.user, kindergarten=garden, reason=reason)

    return _act(
        request,
        garden,
        run,
        _("The kindergarten is closed. The terms of its referrals stop until it reopens."),
        error_for="close",
        typed=typed,
    )


@require_POST
@director_access
def kindergarten_reopen(request, garden: Kindergarten):
    return _act(
        request,
        garden,
        lambda: services.kindergarten_reopen(actor=request.user, kindergarten=garden),
        _("The kindergarten is open again. The terms of its referrals run again."),
        error_for="reopen",
    )


urlpatterns = [
    path("desk/kindergarten/<slug:code>/", kindergarten_desk, name="kindergarten_desk"),
    path(
        "desk/kindergarten/<slug:code>/referrals/<int:placement_id>/enrol/",
        kindergarten_enrol,
        name="kindergarten_enrol",
    ),
    path(
        "desk/kindergarten/<slug:code>/referrals/<int:placement_id>/pause/",
        kindergarten_pause,
        name="kindergarten_pause",
    ),
    path(
        "desk/kindergarten/<slug:code>/referrals/<int:placement_id>/resume/",
        kindergarten_resume,
        name="kindergarten_resume",
    ),
    path(
        "desk/kindergarten/<slug:code>/children/<int:placement_id>/leave/",
        kindergarten_leave,
        name="kindergarten_leave",
    ),
    path("desk/kindergarten/<slug:code>/close/", kindergarten_close, name="kindergarten_close"),
    path("desk/kindergarten/<slug:code>/reopen/", kindergarten_reopen, name="kindergarten_reopen"),
]
