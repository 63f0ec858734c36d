"""Every write of the queue: tickets and operator sessions. Keyword-only, atomic, audited;
live events go out after commit. Bad input is a ValidationError; an action the ticket's or the
operator's state does not allow, `core.errors.Refused` with a `QueueRefusal` code; an actor who does
not work at the center, `core.errors.Forbidden` (asked of `core.access`)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.catalog.models import Service
from darcha.core import access
from darcha.core import hours as opening_rule
from darcha.core.audit import SYSTEM, SystemActor, audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Refused
from darcha.core.i18n import LANGUAGE_CODES
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization

from . import events, tasks
from .choices import OPEN_STATUSES, OperatorState, Priority, QueueEvent, QueueRefusal, TicketAction, TicketStatus
from .models import Counter, OperatorSession, OperatorStateSpan, Ticket, TicketEvent, TicketSequence
from .selectors import (
    center_opening,
    counters_serving,
    current_ticket,
    queue_settings,
    ticket_prefix,
    tickets_served_by,
)


def _require_staff(actor, center: Organization) -> None:
    """The center's operators and managers act here; a system actor (the kiosk, a job) too."""
    if not isinstance(actor, SystemActor):
        access.require_role(actor, access.CENTER_STAFF, center, _("You do not work at this center."))


def _log(ticket: Ticket, action: str, now, actor=None, counter=None, **data) -> None:
    operator = actor if getattr(actor, "pk", None) else None
    TicketEvent.objects.create(ticket=ticket, action=action, at=now, counter=counter, operator=operator, data=data)


def _announce(ticket: Ticket, kind: QueueEvent, **extra) -> None:
    event = {"type": kind, "ticket": ticket.display, "ticket_id": ticket.pk, "service": ticket.service_id, **extra}
    if ticket.counter_id:
        event["counter"] = ticket.counter.number
        event["counter_label"] = str(ticket.counter)
    center_id = ticket.center_id
    transaction.on_commit(lambda: events.publish(center_id, event))


def _next_number(center: Organization, day: dt.date, prefix: str) -> int:
    # The sequence row is created once per day and prefix, then locked by every issuer in turn.
    TicketSequence.objects.bulk_create([TicketSequence(center=center, day=day, prefix=prefix)], ignore_conflicts=True)
    sequence = TicketSequence.objects.select_for_update().get(center=center, day=day, prefix=prefix)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def ticket_issue(
    *,
    actor,
    center: Organization,
    service: Service,
    priority: str = "",
    phone: str = "",
    language: str = "uz",
    queued_at: dt.datetime | None = None,
    rank: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """A new ticket at the kiosk or from an operator. Numbers are consecutive per center, day and prefix."""
    now = now or timezone.now()
    if center.kind != OrganizationKind.CENTER:
        raise ValidationError(_("Tickets are issued at public service centers only."), code="not_center")
    _require_staff(actor, center)  # a kiosk issues as a system actor; a signed-in user must work here
    if not service.is_active:
        raise ValidationError(_("This service is not provided now."), code="inactive_service")
    if priority not in Priority.values:
        raise ValidationError(_("Unknown priority group."), code="priority")
    if not counters_serving(service, center).exists():
        raise ValidationError(_("No window of this center serves this service."), code="no_counter")
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Unknown language."), code="language")
    if not center.is_active:
        raise ValidationError(_("This center is closed."), code="center_closed")
    phone = validate_phone(phone) if phone else ""
    # Outside opening hours and on days off nobody is issued a ticket: not at the kiosk, not by an
    # operator, not through the API, not at a booking's check-in.
    opening = center_opening(center, now)
    if not opening.is_open:
        raise Refused(opening_rule.closed_text(opening), QueueRefusal.CENTER_CLOSED)
    with transaction.atomic():
        day = timezone.localdate(now)
        prefix = ticket_prefix(service)
        ticket = Ticket.objects.create(
            center=center,
            day=day,
            prefix=prefix,
            number=_next_number(center, day, prefix),
            service=service,
            priority=priority,
            rank=rank if rank is not None else (1 if priority else 0),
            issued_at=now,
            queued_at=queued_at or now,
            phone=phone,
            language=language,
            public_code=secrets.token_urlsafe(9),
        )
        _log(ticket, TicketAction.ISSUE, now, actor)
        audit_record(
            actor=actor,
            action="ticket_issue",
            obj=ticket,
            data={"service": service.code, "priority": priority, "center": center.code},
        )
        _announce(ticket, QueueEvent.ISSUED)
    return ticket


def _open_session(actor, counter: Counter) -> OperatorSession:
    # Locked: two "call next" of one counter at once (a double click, two tabs) run one after the other,
    # so the second sees the first's ticket and the counter never holds two called tickets.
    session = (
        OperatorSession.objects.select_for_update(of=("self",))
        .filter(operator=actor, counter=counter, ended_at__isnull=True)
        .first()
    )
    if session is None:
        raise Refused(_("Sign in at this counter first."), QueueRefusal.NOT_SIGNED_IN)
    return session


def ticket_call_next(*, actor, counter: Counter, now: dt.datetime | None = None) -> Ticket | None:
    """The next ticket this counter serves: priority first, then time in the queue. Two counters
    never get the same ticket: on PostgreSQL the row is locked and others skip it (SKIP LOCKED);
    SQLite runs one writer at a time.

    After closing time the counters serve who is still in the hall: tickets issued today while the
    center was open (until the end of the day closes them, `jobs.close_day`); with nobody of them
    left, or on a day the center is closed, calling is refused (`center_closed`)."""
    now = now or timezone.now()
    _require_staff(actor, counter.center)
    opening = center_opening(counter.center_id, now)
    with transaction.atomic():
        session = _open_session(actor, counter)
        if session.state != OperatorState.SERVING:
            raise Refused(
                _("You are on a break or in back-office work: return to the counter first."), QueueRefusal.NOT_SERVING
            )
        if current_ticket(counter) is not None:
            raise Refused(
                _("Finish the current ticket, or mark it as not come, before calling the next."), QueueRefusal.BUSY
            )
        candidates = (
            Ticket.objects.filter(
                center_id=counter.center_id,
                day=timezone.localdate(now),
                status=TicketStatus.WAITING,
                queued_at__lte=now,
            )
            .filter(Q(target_counter=counter) | (Q(target_counter__isnull=True) & tickets_served_by(counter)))
            .order_by("-rank", "queued_at", "id")
        )
        if not opening.is_open:
            if opening.today is None:
                raise Refused(opening_rule.closed_text(opening), QueueRefusal.CENTER_CLOSED)
            candidates = candidates.filter(issued_at__gte=opening.today[0], issued_at__lt=opening.today[1])
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ticket = candidates.first()
        if ticket is None and not opening.is_open:
            raise Refused(
                _("Everyone who took a ticket while the center was open has been called. %(opens)s")
                % {"opens": opening_rule.closed_text(opening)},
                QueueRefusal.CENTER_CLOSED,
            )
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.counter = counter
        ticket.operator = actor
        ticket.target_counter = None
        ticket.called_at = ticket.called_at or now
        ticket.last_called_at = now
        ticket.save(update_fields=["status", "counter", "operator", "target_counter", "called_at", "last_called_at"])
        _log(ticket, TicketAction.CALL, now, actor, counter)
        audit_record(actor=actor, action="ticket_call", obj=ticket, data={"counter": counter.number})
        _announce(ticket, QueueEvent.CALLED)
        transaction.on_commit(lambda: tasks.positions_enqueue(center_id=counter.center_id, now=now))
    return ticket


def _lock_own(actor, ticket: Ticket, allowed: tuple[str, ...]) -> Ticket:
    # Lock the ticket row only: PostgreSQL refuses FOR UPDATE on the nullable side of the counter join.
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("counter", "center").get(pk=ticket.pk)
    _require_staff(actor, ticket.center)
    if ticket.status not in allowed:
        raise Refused(
            _("Ticket %(ticket)s is %(status)s; this action is not possible now.")
            % {"ticket": ticket.display, "status": ticket.get_status_display().lower()},
            QueueRefusal.WRONG_STATUS,
        )
    if ticket.counter_id and ticket.operator_id and actor is not SYSTEM and ticket.operator_id != actor.pk:
        raise Refused(_("This ticket is being served at another counter."), QueueRefusal.OTHER_COUNTER)
    return ticket


def _change(actor, ticket: Ticket, action: str, now, fields: dict, **data) -> Ticket:
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=list(fields))
    _log(ticket, action, now, actor, ticket.counter, **data)
    audit_record(actor=actor, action=f"ticket_{action}", obj=ticket, data=data)
    return ticket


def ticket_recall(*, actor, ticket: Ticket, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.CALLED,))
        _change(actor, ticket, TicketAction.RECALL, now, {"recalls": ticket.recalls + 1, "last_called_at": now})
        _announce(ticket, QueueEvent.CALLED, recall=ticket.recalls)
    return ticket


def ticket_start(*, actor, ticket: Ticket, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.CALLED,))
        _change(actor, ticket, TicketAction.START, now, {"status": TicketStatus.SERVING, "started_at": now})
        _announce(ticket, QueueEvent.STARTED)
    return ticket


def ticket_no_show(*, actor, ticket: Ticket, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.CALLED,))
        needed = queue_settings(ticket.center).recalls_before_no_show
        if ticket.recalls < needed:
            raise Refused(
                _("Call the citizen again first: %(needed)d recalls are needed before a no-show (%(done)d so far).")
                % {"needed": needed, "done": ticket.recalls},
                QueueRefusal.RECALL_FIRST,
            )
        _change(actor, ticket, TicketAction.NO_SHOW, now, {"status": TicketStatus.NO_SHOW, "finished_at": now})
        _announce(ticket, QueueEvent.FINISHED)
    return ticket


def ticket_hold(*, actor, ticket: Ticket, now=None) -> Ticket:
    """The citizen steps aside (to fill a form, fetch a paper); the counter serves others meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.SERVING,))
        _change(actor, ticket, TicketAction.HOLD, now, {"status": TicketStatus.ON_HOLD})
        _announce(ticket, QueueEvent.HELD)
    return ticket


def ticket_resume(*, actor, ticket: Ticket, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.ON_HOLD,))
        if current_ticket(ticket.counter) is not None:
            raise Refused(_("Finish the current ticket before returning to a held one."), QueueRefusal.BUSY)
        _change(actor, ticket, TicketAction.RESUME, now, {"status": TicketStatus.SERVING})
        _announce(ticket, QueueEvent.CALLED, resumed=True)
    return ticket


def ticket_finish(*, actor, ticket: Ticket, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.SERVING,))
        _change(actor, ticket, TicketAction.FINISH, now, {"status": TicketStatus.DONE, "finished_at": now})
        _announce(ticket, QueueEvent.FINISHED)
    return ticket


def ticket_transfer(
    *, actor, ticket: Ticket, service: Service | None = None, counter: Counter | None = None, now=None
) -> Ticket:
    """Back to the queue for another service or a chosen counter, keeping the original time in the queue."""
    now = now or timezone.now()
    if service is None and counter is None:
        raise ValidationError(_("Choose the service or the counter to transfer to."), code="transfer_target")
    with transaction.atomic():
        ticket = _lock_own(actor, ticket, (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD))
        new_service = service or ticket.service
        if counter is not None and counter.center_id != ticket.center_id:
            raise ValidationError(_("That counter belongs to another center."), code="other_center")
        if counter is None and not counters_serving(new_service, ticket.center).exists():
            raise ValidationError(_("No window of this center serves this service."), code="no_counter")
        data = {
            "from_counter": ticket.counter.number if ticket.counter_id else None,
            "service": new_service.code,
            "to_counter": counter.number if counter else None,
        }
        _change(
            actor,
            ticket,
            TicketAction.TRANSFER,
            now,
            {
                "status": TicketStatus.WAITING,
                "service": new_service,
                "target_counter": counter,
                "counter": None,
                "operator": None,
                "started_at": None,
                "recalls": 0,  # the next counter calls afresh before it may mark a no-show
            },
            **data,
        )
        _announce(ticket, QueueEvent.TRANSFERRED)
    return ticket


def tickets_close_day(*, actor=SYSTEM, center: Organization, day: dt.date, now=None) -> int:
    """At closing time: every ticket still open that day becomes "not served"."""
    now = now or timezone.now()
    with transaction.atomic():
        open_tickets = list(
            Ticket.objects.select_for_update().filter(center=center, day__lte=day, status__in=OPEN_STATUSES)
        )
        for ticket in open_tickets:
            ticket.status = TicketStatus.NOT_SERVED
            ticket.finished_at = now
            ticket.save(update_fields=["status", "finished_at"])
            _log(ticket, TicketAction.CLOSE, now)
        if open_tickets:
            audit_record(
                actor=actor, action="tickets_close_day", obj=center, data={"day": day, "closed": len(open_tickets)}
            )
            closed = {"type": QueueEvent.CLOSED, "day": day.isoformat()}
            transaction.on_commit(lambda: events.publish(center.pk, closed))
    return len(open_tickets)


def operator_sign_in(*, actor, counter: Counter, now=None) -> OperatorSession:
    now = now or timezone.now()
    _require_staff(actor, counter.center)
    if not counter.is_active:
        raise Refused(_("This counter is closed."), QueueRefusal.COUNTER_CLOSED)
    with transaction.atomic():
        taken = OperatorSession.objects.select_for_update().filter(counter=counter, ended_at__isnull=True).first()
        if taken is not None and taken.operator_id != actor.pk:
            raise Refused(
                _("%(name)s is already signed in at this counter.")
                % {"name": taken.operator.get_full_name() or taken.operator.get_username()},
                QueueRefusal.COUNTER_TAKEN,
            )
        if taken is not None:
            return taken
        for previous in OperatorSession.objects.filter(operator=actor, ended_at__isnull=True):
            _end_session(actor, previous, now)
        try:
            with transaction.atomic():  # two sign-ins at one moment: the database's constraint decides
                session = OperatorSession.objects.create(
                    operator=actor, counter=counter, started_at=now, state_since=now
                )
        except IntegrityError:
            raise Refused(
                _("Someone signed in at this counter at the same moment. Reload the page and try again."),
                QueueRefusal.COUNTER_TAKEN,
            ) from None
        OperatorStateSpan.objects.create(session=session, state=session.state, started_at=now)
        audit_record(actor=actor, action="operator_sign_in", obj=session, data={"counter": counter.number})
        transaction.on_commit(lambda: events.publish(counter.center_id, {"type": QueueEvent.OPERATORS}))
    return session


def _require_own_session(actor, session: OperatorSession) -> None:
    """An operator changes their own session; the center manager may also end or switch another's."""
    center = session.counter.center
    _require_staff(actor, center)
    if not isinstance(actor, SystemActor) and session.operator_id != actor.pk:
        message = _("Only the operator signed in here or the center manager may do this.")
        access.require_role(actor, Role.CENTER_MANAGER, center, message)


def _end_session(actor, session: OperatorSession, now) -> None:
    if current_ticket(session.counter) is not None:
        raise Refused(_("Finish the current ticket before leaving the counter."), QueueRefusal.BUSY)
    OperatorStateSpan.objects.filter(session=session, ended_at__isnull=True).update(ended_at=now)
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    audit_record(actor=actor, action="operator_sign_out", obj=session, data={"counter": session.counter.number})


def operator_sign_out(*, actor, session: OperatorSession, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        session = OperatorSession.objects.select_for_update().select_related("counter").get(pk=session.pk)
        _require_own_session(actor, session)
        if session.ended_at is not None:
            return
        _end_session(actor, session, now)
        transaction.on_commit(lambda: events.publish(session.counter.center_id, {"type": QueueEvent.OPERATORS}))


def operator_set_state(*, actor, session: OperatorSession, state: str, now=None) -> OperatorSession:
    now = now or timezone.now()
    if state not in OperatorState.values:
        raise ValidationError(_("Unknown operator state."), code="state")
    with transaction.atomic():
        session = OperatorSession.objects.select_for_update().select_related("counter").get(pk=session.pk)
        _require_own_session(actor, session)
        if session.ended_at is not None:
            raise Refused(_("Sign in at this counter first."), QueueRefusal.NOT_SIGNED_IN)
        if state == session.state:
            return session
        if state != OperatorState.SERVING and current_ticket(session.counter) is not None:
            raise Refused(_("Finish the current ticket first."), QueueRefusal.BUSY)
        OperatorStateSpan.objects.filter(session=session, ended_at__isnull=True).update(ended_at=now)
        OperatorStateSpan.objects.create(session=session, state=state, started_at=now)
        old, session.state, session.state_since = session.state, state, now
        session.save(update_fields=["state", "state_since"])
        audit_record(actor=actor, action="operator_set_state", obj=session, data={"state": [old, state]})
        transaction.on_commit(lambda: events.publish(session.counter.center_id, {"type": QueueEvent.OPERATORS}))
    return session
