"""An accreditation's life (Cabinet resolution 243): the journalist applies online with the documents, the
hokimiyat's accreditation commission accredits (within the outlet's quota) or refuses with a reason; an
accreditation in force may be suspended (and the suspension lifted) or revoked, with a reason; it expires
at its end, and its holder is reminded a month before (the scheduler's jobs). A foreign outlet's journalist
gets a temporary accreditation, three months at most.

Each function locks the accreditation's row, checks the actor and the state, changes it, writes an
AccreditationEvent and an audit entry, and tells the journalist after the commit."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from darcha.core import access
from darcha.core.audit import SYSTEM, actor_user, audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization

from .. import notifications, quotas
from ..card import new_code
from ..choices import (
    HELD_STATUSES,
    AccreditationAction,
    AccreditationStatus,
    CorrespondentKind,
    DocumentKind,
    MediaRefusal,
    OutletKind,
)
from ..documents import check_document
from ..models import Accreditation, AccreditationEvent, Journalist, Outlet

COMMISSION_ONLY = gettext_lazy("Only the hokimiyat's accreditation commission decides on accreditation.")
OWN_ONLY = gettext_lazy("This is another journalist's account.")
S = AccreditationStatus


def _event(accreditation, action, *, actor, now, previous="", reason="") -> None:
    user = actor_user(actor)
    AccreditationEvent.objects.create(
        accreditation=accreditation,
        action=action,
        from_status=previous,
        to_status=accreditation.status,
        actor=user,
        actor_label="" if user is not None else getattr(actor, "label", "system"),
        reason=reason,
        at=now,
    )


def _locked(accreditation: Accreditation) -> Accreditation:
    return (
        Accreditation.objects.select_for_update(of=("self",))
        .select_related("journalist__user", "outlet", "organization")
        .get(pk=accreditation.pk)
    )


def _held_by_others(outlet: Outlet, organization: Organization, journalist_id: int, day: dt.date) -> int:
    """Journalists of the outlet (other than this one) accredited at the hokimiyat on that day, or suspended."""
    return (
        Accreditation.objects.filter(
            outlet=outlet, organization=organization, status__in=HELD_STATUSES, valid_until__gte=day
        )
        .exclude(journalist_id=journalist_id)
        .values("journalist_id")
        .distinct()
        .count()
    )


def _quota_refusal(outlet: Outlet) -> Refused:
    return Refused(
        _(
            "The quota of %(outlet)s at this hokimiyat is full: at most %(count)d journalists of an outlet of "
            "this kind (%(kind)s) are accredited at a time."
        )
        % {"outlet": outlet.name, "count": quotas.quota_for(outlet.kind), "kind": OutletKind(outlet.kind).label},
        MediaRefusal.QUOTA,
    )


def _check_temporary(temporary: bool, start, until, today: dt.date, errors: dict) -> None:
    if not temporary:
        return
    limit = quotas.foreign_max_days()
    if start is None:
        errors["requested_from"] = [_("Give the first day of the temporary accreditation.")]
    if until is None:
        errors["requested_until"] = [_("Give the last day of the temporary accreditation.")]
    if start is None or until is None:
        return
    if start < today:
        errors["requested_from"] = [_("The accreditation cannot start in the past.")]
    if until < start:
        errors["requested_until"] = [_("The last day comes before the first.")]
    elif (until - start).days + 1 > limit:
        errors["requested_until"] = [_("A temporary accreditation lasts at most %(days)d days.") % {"days": limit}]


def accreditation_apply(
    *,
    actor,
    journalist: Journalist,
    organization: Organization,
    specialisation: str,
    area: str,
    correspondent: str,
    equipment: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    requested_from: dt.date | None = None,
    requested_until: dt.date | None = None,
    letter=None,
    passport=None,
    diploma=None,
    photo=None,
    renewal_of: Accreditation | None = None,
    now: dt.datetime | None = None,
) -> Accreditation:
    """The journalist's application for accreditation at a hokimiyat, with the letter on the outlet's
    letterhead, the passport, the diploma and the photo. A foreign outlet's is temporary, for the days
    asked (at most MEDIA_FOREIGN_MAX_DAYS). Refused when an application there is already under
    consideration, or the outlet's quota at the hokimiyat is full."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if journalist.user_id != getattr(actor, "pk", None):
        raise Forbidden(OWN_ONLY)
    if not access.has_role(actor, Role.JOURNALIST, organization) or organization.kind != OrganizationKind.HOKIMIYAT:
        raise Forbidden(_("Sign up as a journalist at this hokimiyat first."))
    outlet = journalist.outlet
    errors: dict = {}
    if outlet is None:
        errors["outlet"] = [_("Name your media outlet in your account first.")]
    specialisation, area, equipment = (str(v or "").strip() for v in (specialisation, area, equipment))
    if not specialisation:
        errors["specialisation"] = [_("Give your specialisation (the subjects you cover).")]
    if not area:
        errors["area"] = [_("Give the area you cover.")]
    if correspondent not in CorrespondentKind.values:
        errors["correspondent"] = [_("Say whether you are a staff or a freelance correspondent.")]
    contact_phone = str(contact_phone or "").strip() or journalist.phone
    try:
        contact_phone = validate_phone(contact_phone) if contact_phone else ""
    except ValidationError as error:
        errors["contact_phone"] = error.messages
    contact_email = str(contact_email or "").strip() or journalist.email
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    temporary = outlet is not None and outlet.kind == OutletKind.FOREIGN
    _check_temporary(temporary, requested_from, requested_until, today, errors)
    stored = {}
    for kind, upload in (
        (DocumentKind.LETTER, letter),
        (DocumentKind.PASSPORT, passport),
        (DocumentKind.DIPLOMA, diploma),
        (DocumentKind.PHOTO, photo),
    ):
        if not upload:
            errors[kind.value] = [_("Attach: %(document)s.") % {"document": kind.label}]
            continue
        try:
            stored[kind.value] = check_document(upload, kind)
        except ValidationError as error:
            errors[kind.value] = error.messages
    if errors:
        raise ValidationError(errors)
    if renewal_of is not None and (
        renewal_of.journalist_id != journalist.pk or renewal_of.organization_id != organization.pk
    ):
        raise Forbidden(OWN_ONLY)
    try:
        with transaction.atomic():
            Outlet.objects.select_for_update().get(pk=outlet.pk)  # one decision on the outlet's quota at a time
            if Accreditation.objects.filter(
                journalist=journalist, organization=organization, status=S.SUBMITTED
            ).exists():
                raise Refused(
                    _("Your application to this hokimiyat is already under consideration."), MediaRefusal.DUPLICATE
                )
            if quotas.over_quota(outlet.kind, _held_by_others(outlet, organization, journalist.pk, today)):
                raise _quota_refusal(outlet)
            accreditation = Accreditation(
                journalist=journalist,
                outlet=outlet,
                organization=organization,
                position=journalist.position,
                specialisation=specialisation[:255],
                area=area[:255],
                correspondent=correspondent,
                equipment=equipment[:500],
                contact_phone=contact_phone,
                contact_email=contact_email,
                temporary=temporary,
                requested_from=requested_from if temporary else None,
                requested_until=requested_until if temporary else None,
                renewal_of=renewal_of,
                submitted_at=now,
                changed_at=now,
            )
            for name, file in stored.items():
                getattr(accreditation, name).save(f"{name}{_extension(file)}", file, save=False)
            accreditation.save()
            _event(accreditation, AccreditationAction.SUBMIT, actor=actor, now=now)
            audit_record(
                actor=actor,
                action="media_accreditation_apply",
                obj=accreditation,
                data={"outlet": outlet.pk, "temporary": temporary, "renewal_of": renewal_of.pk if renewal_of else None},
            )
            notifications.tell_commission(accreditation)
    except IntegrityError:
        raise Refused(
            _("Your application to this hokimiyat is already under consideration."), MediaRefusal.DUPLICATE
        ) from None
    return accreditation


def _extension(file) -> str:
    name = str(getattr(file, "name", "") or "").lower()
    for extension in (".pdf", ".jpg", ".jpeg", ".png"):
        if name.endswith(extension):
            return ".jpg" if extension == ".jpeg" else extension
    return ""


def _commission(actor, accreditation: Accreditation) -> None:
    access.require_role(actor, Role.ACCREDITATION_COMMISSION, accreditation.organization, COMMISSION_ONLY)


def _require_reason(reason: str) -> str:
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: the journalist is told it.")]})
    return reason[:2000]


def _state(accreditation: Accreditation, *allowed: str) -> None:
    if accreditation.status not in allowed:
        raise Refused(
            _("This accreditation is “%(state)s”: that cannot be done now.") % {"state": S(accreditation.status).label},
            MediaRefusal.STATE,
        )


def _start_day(accreditation: Accreditation, today: dt.date) -> dt.date:
    """A renewal starts the day after the accreditation it renews ends (if that is still ahead)."""
    renewed = accreditation.renewal_of
    if renewed is not None and renewed.status in HELD_STATUSES and renewed.valid_until and renewed.valid_until >= today:
        return renewed.valid_until + dt.timedelta(days=1)
    return today


@transaction.atomic
def accreditation_approve(*, actor, accreditation: Accreditation, reason: str = "", now: dt.datetime | None = None):
    """Accredit: in force from today (a renewal: from the day after the one it renews ends) for
    MEDIA_ACCREDITATION_YEARS, a temporary one for the days asked; the card's verification code is given.
    Refused over the outlet's quota."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _commission(actor, accreditation)
    Outlet.objects.select_for_update().get(pk=accreditation.outlet_id)
    accreditation = _locked(accreditation)
    _state(accreditation, S.SUBMITTED)
    if quotas.over_quota(
        accreditation.outlet.kind,
        _held_by_others(accreditation.outlet, accreditation.organization, accreditation.journalist_id, today),
    ):
        raise _quota_refusal(accreditation.outlet)
    if accreditation.temporary:
        start = max(accreditation.requested_from or today, today)
        until = accreditation.requested_until
        if until is None or until < start:
            raise Refused(_("The temporary accreditation's days have passed: refuse it."), MediaRefusal.DATES)
        valid_from, valid_until = quotas.term(start, temporary_until=until)
    else:
        valid_from, valid_until = quotas.term(_start_day(accreditation, today))
    previous = accreditation.status
    accreditation.status = S.APPROVED
    accreditation.decided_by = actor_user(actor)
    accreditation.decided_at = now
    accreditation.changed_at = now
    accreditation.reason = str(reason or "").strip()[:2000]
    accreditation.valid_from, accreditation.valid_until = valid_from, valid_until
    accreditation.card_code = new_code()
    accreditation.save()
    _event(
        accreditation, AccreditationAction.APPROVE, actor=actor, now=now, previous=previous, reason=accreditation.reason
    )
    audit_record(
        actor=actor,
        action="media_accreditation_approve",
        obj=accreditation,
        data={"valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()},
    )
    notifications.tell_journalist(accreditation, "media_accreditation_approved")
    return accreditation


def _decide(actor, accreditation, *, allowed, to, action, template, reason, now, need_reason=True):
    now = now or timezone.now()
    _commission(actor, accreditation)
    reason = _require_reason(reason) if need_reason else str(reason or "").strip()[:2000]
    accreditation = _locked(accreditation)
    _state(accreditation, *allowed)
    previous = accreditation.status
    accreditation.status = to
    accreditation.reason = reason
    accreditation.changed_at = now
    if previous == S.SUBMITTED:
        accreditation.decided_by = actor_user(actor)
        accreditation.decided_at = now
    accreditation.save()
    _event(accreditation, action, actor=actor, now=now, previous=previous, reason=reason)
    audit_record(actor=actor, action=f"media_accreditation_{action}", obj=accreditation, data={"reason": reason})
    notifications.tell_journalist(accreditation, template)
    return accreditation


@transaction.atomic
def accreditation_refuse(*, actor, accreditation: Accreditation, reason: str, now: dt.datetime | None = None):
    return _decide(
        actor,
        accreditation,
        allowed=(S.SUBMITTED,),
        to=S.REFUSED,
        action=AccreditationAction.REFUSE,
        template="media_accreditation_refused",
        reason=reason,
        now=now,
    )


@transaction.atomic
def accreditation_suspend(*, actor, accreditation: Accreditation, reason: str, now: dt.datetime | None = None):
    return _decide(
        actor,
        accreditation,
        allowed=(S.APPROVED,),
        to=S.SUSPENDED,
        action=AccreditationAction.SUSPEND,
        template="media_accreditation_suspended",
        reason=reason,
        now=now,
    )


@transaction.atomic
def accreditation_resume(*, actor, accreditation: Accreditation, reason: str = "", now: dt.datetime | None = None):
    """Lift a suspension (an accreditation whose end has passed meanwhile expires instead, by the job)."""
    now = now or timezone.now()
    if accreditation.valid_until and accreditation.valid_until < timezone.localdate(now):
        raise Refused(_("This accreditation has ended meanwhile: it cannot be resumed."), MediaRefusal.DATES)
    return _decide(
        actor,
        accreditation,
        allowed=(S.SUSPENDED,),
        to=S.APPROVED,
        action=AccreditationAction.RESUME,
        template="media_accreditation_resumed",
        reason=reason,
        now=now,
        need_reason=False,
    )


@transaction.atomic
def accreditation_revoke(*, actor, accreditation: Accreditation, reason: str, now: dt.datetime | None = None):
    return _decide(
        actor,
        accreditation,
        allowed=(S.APPROVED, S.SUSPENDED),
        to=S.REVOKED,
        action=AccreditationAction.REVOKE,
        template="media_accreditation_revoked",
        reason=reason,
        now=now,
    )


@transaction.atomic
def accreditation_withdraw(*, actor, accreditation: Accreditation, now: dt.datetime | None = None):
    """The journalist takes back an application not yet decided."""
    now = now or timezone.now()
    if accreditation.journalist.user_id != getattr(actor, "pk", None):
        raise Forbidden(OWN_ONLY)
    accreditation = _locked(accreditation)
    _state(accreditation, S.SUBMITTED)
    accreditation.status = S.WITHDRAWN
    accreditation.changed_at = now
    accreditation.save(update_fields=["status", "changed_at"])
    _event(accreditation, AccreditationAction.WITHDRAW, actor=actor, now=now, previous=S.SUBMITTED)
    audit_record(actor=actor, action="media_accreditation_withdraw", obj=accreditation)
    return accreditation


# --- the scheduler's -------------------------------------------------------------------------------------


def accreditations_expire(*, now: dt.datetime | None = None) -> int:
    """Accreditations (in force or suspended) whose last day has passed become expired; their holders told."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = 0
    ids = list(
        Accreditation.objects.filter(status__in=HELD_STATUSES, valid_until__lt=today).values_list("pk", flat=True)[
            :1000
        ]
    )
    for pk in ids:
        with transaction.atomic():
            accreditation = _locked(Accreditation(pk=pk))
            if (
                accreditation.status not in HELD_STATUSES
                or not accreditation.valid_until
                or accreditation.valid_until >= today
            ):
                continue
            previous = accreditation.status
            accreditation.status = S.EXPIRED
            accreditation.changed_at = now
            accreditation.save(update_fields=["status", "changed_at"])
            _event(accreditation, AccreditationAction.EXPIRE, actor=SYSTEM, now=now, previous=previous)
            audit_record(actor=SYSTEM, action="media_accreditation_expire", obj=accreditation)
            if not accreditation.renewals.filter(status=S.APPROVED).exists():
                notifications.tell_journalist(accreditation, "media_accreditation_expired")
            done += 1
    return done


def renewal_reminders(*, now: dt.datetime | None = None) -> int:
    """Once, MEDIA_RENEWAL_REMINDER_DAYS before its end, the holder of an accreditation in force is reminded
    to apply for the next one (unless a renewal is already submitted or granted)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=int(quotas.reminder_window_days()))
    candidates = (
        Accreditation.objects.filter(
            status=S.APPROVED, reminded_at__isnull=True, valid_until__gte=today, valid_until__lte=horizon
        )
        .exclude(renewals__status__in=(S.SUBMITTED, S.APPROVED))
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            accreditation = _locked(Accreditation(pk=pk))
            if accreditation.reminded_at is not None or accreditation.status != S.APPROVED:
                continue
            accreditation.reminded_at = now
            accreditation.save(update_fields=["reminded_at"])
            _event(accreditation, AccreditationAction.REMIND, actor=SYSTEM, now=now, previous=accreditation.status)
            audit_record(actor=SYSTEM, action="media_accreditation_remind", obj=accreditation)
            notifications.tell_journalist(accreditation, "media_accreditation_renewal")
            done += 1
    return done
