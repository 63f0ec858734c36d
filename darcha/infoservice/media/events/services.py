"""Every write of press events: create, edit, announce (the invitations go out), cancel, mark held (the
scheduler), a journalist's registration and its cancellation, the materials afterwards (files, links,
links to publications) and the notice that they are out.

Each function is one transaction taking an `actor`: the press secretary of the event's hokimiyat (a
superuser counts), a journalist acting for themselves, or the system (the scheduler). The event's row is
locked while it changes; notices go out once the transaction commits, by e-mail and Telegram where the
journalist has them (`events.delivery`). Every write changes the public pages' content ("press_events").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.i18n import CONTENT_LANGUAGES
from darcha.core.pagecache import content_changed
from darcha.core.uploads import check_upload

from ..models_events import PressEvent, PressEventInvitation, PressEventMaterial, PressEventRegistration
from . import delivery, selectors
from .choices import EventsRefusal, PressEventKind, PressEventStatus, RegistrationStatus

CONTENT = "press_events"
TRANSLATED = ("title", "place", "description", "speakers")
REQUIRED = ("title", "place")
EDITABLE = (PressEventStatus.DRAFT, PressEventStatus.ANNOUNCED)
MAX_DURATION = 8 * 60


def _require_press_secretary(actor, organization) -> None:
    access.require_role(
        actor,
        Role.PRESS_SECRETARY,
        organization,
        _("Only the hokimiyat's press secretary arranges its press events."),
    )


def _lock(event: PressEvent) -> PressEvent:
    return PressEvent.objects.select_for_update(of=("self",)).select_related("organization").get(pk=event.pk)


def _clean_texts(texts: dict, *, errors: dict) -> dict:
    """{"title": {"uz": …, "ru": …}, …} → the model's fields; the default language's title and place required."""
    fields = {}
    for base in TRANSLATED:
        values = texts.get(base) or {}
        for suffix in CONTENT_LANGUAGES:
            value = str(values.get(suffix, "") or "").strip()
            fields[f"{base}_{suffix}"] = value
        if base in REQUIRED and not fields[f"{base}_uz"]:
            errors[f"{base}_uz"] = [_("Write it in Uzbek (Latin), the default language; the others may be left empty.")]
    return fields


def _clean_when(starts_at, duration_minutes, *, now, errors: dict) -> None:
    if starts_at is None:
        errors["starts_at"] = [_("Give the day and time it starts.")]
    elif timezone.is_naive(starts_at):
        raise ValueError("press events: starts_at must be aware")
    elif starts_at <= now:
        errors["starts_at"] = [_("The start must be in the future.")]
    if not 10 <= int(duration_minutes or 0) <= MAX_DURATION:
        errors["duration_minutes"] = [_("The duration is between 10 minutes and 8 hours.")]


def _clean_seats(seats, errors: dict):
    if seats in (None, ""):
        return None
    seats = int(seats)
    if seats < 1:
        errors["seats"] = [_("At least one seat, or leave it empty for no limit.")]
    return seats


def press_event_create(
    *,
    actor,
    organization,
    kind: str,
    texts: dict,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    seats: int | None = None,
    now: dt.datetime | None = None,
) -> PressEvent:
    """A draft press conference or briefing of a hokimiyat (not public, nobody invited yet)."""
    now = now or timezone.now()
    _require_press_secretary(actor, organization)
    if organization.kind != OrganizationKind.HOKIMIYAT:
        raise Refused(_("Press events are held by a hokimiyat."), EventsRefusal.NOT_HOKIMIYAT)
    errors: dict = {}
    if kind not in PressEventKind.values:
        errors["kind"] = [_("Choose a press conference or a briefing.")]
    fields = _clean_texts(texts, errors=errors)
    _clean_when(starts_at, duration_minutes, now=now, errors=errors)
    seats = _clean_seats(seats, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = PressEvent.objects.create(
            organization=organization,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=int(duration_minutes),
            seats=seats,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **fields,
        )
        audit_record(
            actor=actor,
            action="press_event_create",
            obj=event,
            data={"kind": kind, "starts_at": starts_at.isoformat()},
        )
    return event


def press_event_update(
    *,
    actor,
    event: PressEvent,
    kind: str,
    texts: dict,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    seats: int | None = None,
    now: dt.datetime | None = None,
) -> PressEvent:
    """Edit a draft or an announced event. When an announced one moves (its time or place), the invited
    and registered journalists are told."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        if event.status not in EDITABLE:
            raise Refused(_("A press event held or cancelled is not edited any more."), EventsRefusal.STATE)
        errors: dict = {}
        if kind not in PressEventKind.values:
            errors["kind"] = [_("Choose a press conference or a briefing.")]
        fields = _clean_texts(texts, errors=errors)
        if starts_at != event.starts_at:
            _clean_when(starts_at, duration_minutes, now=now, errors=errors)
        elif not 10 <= int(duration_minutes or 0) <= MAX_DURATION:
            errors["duration_minutes"] = [_("The duration is between 10 minutes and 8 hours.")]
        seats = _clean_seats(seats, errors)
        if seats is not None and not errors:
            taken = selectors.seats_taken(event)
            if seats < taken:
                errors["seats"] = [
                    _("%(count)d journalists are registered already: give at least as many seats.") % {"count": taken}
                ]
        if errors:
            raise ValidationError(errors)
        moved = event.starts_at != starts_at or any(
            getattr(event, f"place_{suffix}") != fields[f"place_{suffix}"] for suffix in CONTENT_LANGUAGES
        )
        changed = {
            name
            for name, value in {
                **fields,
                "kind": kind,
                "starts_at": starts_at,
                "duration_minutes": int(duration_minutes),
                "seats": seats,
            }.items()
            if getattr(event, name) != value
        }
        for name, value in fields.items():
            setattr(event, name, value)
        event.kind, event.starts_at, event.duration_minutes, event.seats = kind, starts_at, int(duration_minutes), seats
        event.updated_at = now
        event.save()
        audit_record(actor=actor, action="press_event_update", obj=event, data={"changed": sorted(changed)})
        if event.status == PressEventStatus.ANNOUNCED:
            content_changed(kind=CONTENT)
            if moved:
                delivery.event_notice(event, "press_event_changed", selectors.event_audience(event))
    return event


def press_event_announce(*, actor, event: PressEvent, now: dt.datetime | None = None) -> int:
    """Make a draft public and invite every journalist accredited at the hokimiyat on the event's day;
    how many were invited."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        if event.status != PressEventStatus.DRAFT:
            raise Refused(_("Only a draft is announced."), EventsRefusal.STATE)
        if event.starts_at <= now:
            raise Refused(_("Its start has passed: move it to a later time first."), EventsRefusal.IN_PAST)
        event.status, event.announced_at, event.updated_at = PressEventStatus.ANNOUNCED, now, now
        event.save(update_fields=["status", "announced_at", "updated_at"])
        invited = _invite(event, now=now)
        audit_record(actor=actor, action="press_event_announce", obj=event, data={"invited": invited})
        content_changed(kind=CONTENT)
    return invited


def press_event_invite(*, actor, event: PressEvent, now: dt.datetime | None = None) -> int:
    """Invite the journalists accredited since the announcement (those invited already are not sent it
    again); how many were invited now."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        if event.status != PressEventStatus.ANNOUNCED or event.starts_at <= now:
            raise Refused(_("Invitations go out for an announced event that has not started."), EventsRefusal.STATE)
        invited = _invite(event, now=now)
        if invited:
            audit_record(actor=actor, action="press_event_invite", obj=event, data={"invited": invited})
    return invited


def _invite(event: PressEvent, *, now: dt.datetime) -> int:
    already = set(event.invitations.values_list("journalist_id", flat=True))
    journalists = [
        j for j in selectors.accredited_journalists(event.organization, on=event.starts_at) if j.pk not in already
    ]
    rows = []
    for journalist in journalists:
        channels = delivery.channels_of(journalist)
        rows.append(
            PressEventInvitation(event=event, journalist=journalist, channels=",".join(channels), invited_at=now)
        )
    PressEventInvitation.objects.bulk_create(rows)
    delivery.event_notice(event, "press_event_invitation", journalists)
    return len(rows)


def press_event_cancel(*, actor, event: PressEvent, reason: str, now: dt.datetime | None = None) -> PressEvent:
    """Cancel a draft or an announced event, with the reason; the journalists invited or registered are told."""
    now = now or timezone.now()
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why it is cancelled: the journalists are told.")]})
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        if event.status not in EDITABLE:
            raise Refused(_("A press event held or cancelled is not cancelled."), EventsRefusal.STATE)
        was_public = event.status == PressEventStatus.ANNOUNCED
        event.status, event.cancelled_at, event.cancel_reason, event.updated_at = (
            PressEventStatus.CANCELLED,
            now,
            reason[:500],
            now,
        )
        event.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        audit_record(actor=actor, action="press_event_cancel", obj=event, data={"reason": reason[:500]})
        if was_public:
            content_changed(kind=CONTENT)
            delivery.event_notice(event, "press_event_cancelled", selectors.event_audience(event), reason=reason)
    return event


def press_events_mark_held(*, actor, now: dt.datetime | None = None) -> int:
    """The scheduler: announced events whose start has passed are held (the public page then shows them
    as past, with their materials); how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            PressEvent.objects.select_for_update(of=("self",))
            .filter(status=PressEventStatus.ANNOUNCED, starts_at__lte=now)
            .order_by("pk")
        )
        for event in due:
            event.status, event.held_at = PressEventStatus.HELD, now
            event.save(update_fields=["status", "held_at"])
            audit_record(actor=actor, action="press_event_held", obj=event)
        if due:
            content_changed(kind=CONTENT)
    return len(due)


# --- registration -------------------------------------------------------------------------------------


def _journalist_of(actor):
    journalist = selectors.journalist_of(actor)
    if journalist is None:
        raise Forbidden(_("Only a journalist's account registers for a press event."))
    return journalist


def press_event_register(
    *, actor, event: PressEvent, companions: int = 0, note: str = "", now: dt.datetime | None = None
) -> PressEventRegistration:
    """The journalist (the actor) registers to come: the event is announced and has not started, their
    accreditation at the hokimiyat is valid on its day, and a seat is free."""
    now = now or timezone.now()
    journalist = _journalist_of(actor)
    companions = int(companions or 0)
    if not 0 <= companions <= 5:
        raise ValidationError({"companions": [_("At most 5 people with you.")]})
    with transaction.atomic():
        event = _lock(event)
        if event.status != PressEventStatus.ANNOUNCED:
            raise Refused(_("This press event is not open for registration."), EventsRefusal.STATE)
        if event.starts_at <= now:
            raise Refused(_("This press event has started: registration is closed."), EventsRefusal.REGISTRATION_CLOSED)
        if not selectors.is_accredited(journalist, event.organization, on=event.starts_at):
            raise Refused(
                _("Your accreditation at %(organization)s is not valid on the day of the event.")
                % {"organization": event.organization.name},
                EventsRefusal.NOT_ACCREDITED,
            )
        registration = PressEventRegistration.objects.filter(event=event, journalist=journalist).first()
        if registration is not None and registration.is_active:
            raise Refused(_("You are registered for this press event already."), EventsRefusal.ALREADY_REGISTERED)
        if event.seats is not None and selectors.seats_taken(event) + 1 + companions > event.seats:
            raise Refused(_("No seats are left for this press event."), EventsRefusal.FULL)
        if registration is None:
            registration = PressEventRegistration(event=event, journalist=journalist)
        registration.status, registration.companions = RegistrationStatus.REGISTERED, companions
        registration.note, registration.registered_at, registration.cancelled_at = str(note or "")[:300], now, None
        registration.save()
        audit_record(actor=actor, action="press_event_register", obj=event, data={"journalist": journalist.pk})
        delivery.event_notice(event, "press_event_registered", [journalist])
    return registration


def press_event_unregister(*, actor, event: PressEvent, now: dt.datetime | None = None) -> PressEventRegistration:
    """The journalist (the actor) will not come after all (before the start)."""
    now = now or timezone.now()
    journalist = _journalist_of(actor)
    with transaction.atomic():
        event = _lock(event)
        registration = PressEventRegistration.objects.filter(
            event=event, journalist=journalist, status=RegistrationStatus.REGISTERED
        ).first()
        if registration is None:
            raise Refused(_("You are not registered for this press event."), EventsRefusal.NOT_REGISTERED)
        if event.starts_at <= now:
            raise Refused(_("This press event has started: registration is closed."), EventsRefusal.REGISTRATION_CLOSED)
        registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, now
        registration.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="press_event_unregister", obj=event, data={"journalist": journalist.pk})
    return registration


# --- materials afterwards -----------------------------------------------------------------------------


def _require_started(event: PressEvent, now: dt.datetime) -> None:
    if event.status == PressEventStatus.CANCELLED or event.status == PressEventStatus.DRAFT:
        raise Refused(_("Materials are added to a press event that took place."), EventsRefusal.STATE)
    if event.starts_at > now:
        raise Refused(_("Materials are added once the press event has started."), EventsRefusal.NOT_STARTED)


def material_add(
    *, actor, event: PressEvent, title: str, upload=None, url: str = "", now: dt.datetime | None = None
) -> PressEventMaterial:
    """A file (PDF, JPEG or PNG, checked by its content) or a link (a recording, a photo album) shown on
    the event's public page."""
    now = now or timezone.now()
    title, url = str(title or "").strip()[:255], str(url or "").strip()
    errors: dict = {}
    if not title:
        errors["title"] = [_("Give the material a title.")]
    if bool(upload) == bool(url):
        errors["__all__"] = [_("Attach a file or give a link, one of the two.")]
    if url and not url.lower().startswith(("https://", "http://")):
        errors["url"] = [_("A link starts with https:// or http://.")]
    if errors:
        raise ValidationError(errors)
    checked = check_upload(upload) if upload else None
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        _require_started(event, now)
        order = event.materials.count()
        material = PressEventMaterial(event=event, title=title, url=url, order=order, added_by=actor, added_at=now)
        if checked is not None:
            material.content_type, material.size, material.sha256 = checked.content_type, checked.size, checked.sha256
            material.file.save(checked.name, checked.file, save=False)
        material.save()
        audit_record(
            actor=actor,
            action="press_event_material_add",
            obj=event,
            data={"material": material.pk, "title": title, "kind": "file" if checked else "link"},
        )
        content_changed(kind=CONTENT)
    return material


def material_remove(*, actor, material: PressEventMaterial) -> None:
    with transaction.atomic():
        event = _lock(material.event)
        _require_press_secretary(actor, event.organization)
        material = PressEventMaterial.objects.select_for_update().get(pk=material.pk)
        stored = material.file.name
        audit_record(
            actor=actor,
            action="press_event_material_remove",
            obj=event,
            data={"material": material.pk, "title": material.title},
        )
        material.delete()
        content_changed(kind=CONTENT)
        if stored:
            storage = material.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


def publication_link(*, actor, event: PressEvent, publication) -> None:
    """Link one of the hokimiyat's publications (a press release, the news of it) to the event's page."""
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        if event.status in (PressEventStatus.DRAFT, PressEventStatus.CANCELLED):
            raise Refused(_("Publications are linked to an announced or held press event."), EventsRefusal.STATE)
        if publication.organization_id != event.organization_id or not selectors.is_published(publication):
            raise Refused(
                _("Only a published publication of the same hokimiyat is linked."), EventsRefusal.WRONG_PUBLICATION
            )
        event.publications.add(publication)
        audit_record(
            actor=actor, action="press_event_publication_link", obj=event, data={"publication": publication.pk}
        )
        content_changed(kind=CONTENT)


def publication_unlink(*, actor, event: PressEvent, publication) -> None:
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        event.publications.remove(publication)
        audit_record(
            actor=actor, action="press_event_publication_unlink", obj=event, data={"publication": publication.pk}
        )
        content_changed(kind=CONTENT)


def materials_notify(*, actor, event: PressEvent, now: dt.datetime | None = None) -> int:
    """Tell the journalists invited or registered that the materials are out (once); how many were told."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        _require_press_secretary(actor, event.organization)
        _require_started(event, now)
        if event.materials_published_at is not None:
            raise Refused(_("The journalists were told of the materials already."), EventsRefusal.STATE)
        if not event.materials.exists() and not event.publications.exists():
            raise Refused(_("Add the materials first."), EventsRefusal.STATE)
        event.materials_published_at = now
        event.save(update_fields=["materials_published_at"])
        audience = selectors.event_audience(event)
        audit_record(actor=actor, action="press_event_materials_notify", obj=event, data={"told": len(audience)})
        delivery.event_notice(event, "press_event_materials", audience)
    return len(audience)
