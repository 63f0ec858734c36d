"""The queue's periodic jobs: end of day, reminders, no-shows; and the position notices sent after calls."""

import datetime as dt

import pytest

from darcha.core.audit import SYSTEM
from darcha.core.errors import Refused
from darcha.core.models import AuditEntry, Holiday
from darcha.core.scheduler import registered_jobs
from darcha.notify.models import Message
from darcha.notify.templates import get_template
from darcha.queues import jobs
from darcha.queues.appointments import appointment_check_in
from darcha.queues.choices import QueueRefusal, TicketStatus
from darcha.queues.models import Appointment, AppointmentStatus, QueueSettings, Ticket
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_finish, ticket_issue, ticket_start
from darcha.queues.slots import local
from tests.queues.helpers import WEEK, set_hours

MONDAY, SATURDAY = dt.date(2026, 3, 9), dt.date(2026, 3, 14)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local(day, dt.time(hour, minute))


@pytest.fixture
def open_center(center, service_a, counter):
    set_hours(center, WEEK)  # Monday–Friday 09:00–18:00, Saturday 09:00–15:00
    return center, service_a


def issue(center, service, now, phone=""):
    return ticket_issue(actor=SYSTEM, center=center, service=service, phone=phone, now=now)


def statuses(*tickets):
    return [Ticket.objects.get(pk=ticket.pk).status for ticket in tickets]


# --- end of day -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_open_tickets_are_closed_at_closing_time_plus_the_grace(open_center):
    center, service = open_center
    waiting = issue(center, service, at(MONDAY, 17))
    assert jobs.close_day(now=at(MONDAY, 18)) == 0  # closed: the counters still serve the hall for 30 minutes
    assert jobs.close_day(now=at(MONDAY, 18, 29)) == 0
    assert statuses(waiting) == [TicketStatus.WAITING]
    assert jobs.close_day(now=at(MONDAY, 18, 30)) == 1
    assert statuses(waiting) == [TicketStatus.NOT_SERVED]
    assert jobs.close_day(now=at(MONDAY, 18, 31)) == 0  # nothing left: nothing written
    entry = AuditEntry.objects.filter(action="tickets_close_day").latest("pk")
    assert entry.data["closed"] == 1


@pytest.mark.django_db
def test_the_grace_is_the_centers_setting(open_center):
    center, service = open_center
    QueueSettings.objects.create(center=center, close_grace_minutes=0)
    waiting = issue(center, service, at(MONDAY, 17))
    assert jobs.close_day(now=at(MONDAY, 17, 59)) == 0
    assert jobs.close_day(now=at(MONDAY, 18)) == 1
    assert statuses(waiting) == [TicketStatus.NOT_SERVED]


@pytest.mark.django_db
def test_saturday_closes_at_three(open_center):
    center, service = open_center
    waiting = issue(center, service, at(SATURDAY, 14))
    assert jobs.close_day(now=at(SATURDAY, 15, 29)) == 0
    assert jobs.close_day(now=at(SATURDAY, 15, 30)) == 1
    assert statuses(waiting) == [TicketStatus.NOT_SERVED]


@pytest.mark.django_db
def test_at_night_the_day_is_already_closed(open_center):
    """01:45: whatever was left yesterday is closed, even had the scheduler not run since the evening."""
    center, service = open_center
    left = issue(center, service, at(MONDAY, 17, 50))
    assert jobs.close_day(now=at(MONDAY + dt.timedelta(days=1), 1, 45)) == 1
    assert statuses(left) == [TicketStatus.NOT_SERVED]


@pytest.mark.django_db
def test_yesterdays_leftovers_are_closed_at_the_first_run(open_center):
    center, service = open_center
    left = issue(center, service, at(MONDAY, 17, 30))
    today = issue(center, service, at(MONDAY + dt.timedelta(days=1), 9, 5))
    assert jobs.close_day(now=at(MONDAY + dt.timedelta(days=1), 9, 10)) == 1  # the scheduler was down at 18:00
    assert statuses(left, today) == [TicketStatus.NOT_SERVED, TicketStatus.WAITING]


@pytest.mark.django_db
def test_a_day_off_closes_the_day_before_and_issues_nothing(open_center):
    center, service = open_center
    holiday = dt.date(2026, 3, 10)
    Holiday.objects.create(date=holiday, name_uz="Bayram")
    left = issue(center, service, at(MONDAY, 17, 30))
    with pytest.raises(Refused) as refused:
        issue(center, service, at(holiday, 11))  # a Tuesday, but a day off
    assert refused.value.code == QueueRefusal.CENTER_CLOSED
    assert jobs.close_day(now=at(holiday, 12)) == 1
    assert statuses(left) == [TicketStatus.NOT_SERVED]


# --- position notices -------------------------------------------------------------------------
@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def desk(open_center, counter, operator):
    center, service = open_center
    QueueSettings.objects.create(center=center, notify_at_position=2)
    operator_sign_in(actor=operator, counter=counter, now=at(MONDAY, 9))
    return center, service


def position_messages(ticket):
    return Message.objects.filter(template="queue_position", object_type="queues.ticket", object_id=str(ticket.pk))


def serve_next(operator, counter, now, capture):
    """Call the next ticket, as the operator's console does (its task runs after the commit), and finish it."""
    with capture(execute=True):
        ticket = ticket_call_next(actor=operator, counter=counter, now=now)
    ticket_start(actor=operator, ticket=ticket, now=now)
    ticket_finish(actor=operator, ticket=ticket, now=now)
    return ticket


@pytest.mark.django_db
def test_the_ticket_that_comes_within_n_places_is_told_once(
    desk, counter, operator, immediate_tasks, django_capture_on_commit_callbacks
):
    center, service = desk
    ahead = [issue(center, service, at(MONDAY, 9, n)) for n in range(4)]  # no phones
    mine = issue(center, service, at(MONDAY, 9, 10), phone="+998901234567")
    serve_next(operator, counter, at(MONDAY, 9, 30), django_capture_on_commit_callbacks)
    assert not position_messages(mine).exists()  # three ahead of it
    serve_next(operator, counter, at(MONDAY, 9, 40), django_capture_on_commit_callbacks)
    message = position_messages(mine).get()  # now two ahead: N = 2
    assert message.address == "+998901234567"
    assert message.context == {"ticket": mine.display, "ahead": 2, "counter": str(counter.number)}
    assert mine.display in message.body and "2" in message.body  # in the ticket's language (uz)
    assert "2 people ahead" in get_template("queue_position").render(message.context, "en")[1]
    mine.refresh_from_db()
    assert mine.position_notified
    serve_next(operator, counter, at(MONDAY, 9, 50), django_capture_on_commit_callbacks)
    serve_next(operator, counter, at(MONDAY, 10), django_capture_on_commit_callbacks)
    assert position_messages(mine).count() == 1  # not again at 1 or 0 ahead
    assert all(not position_messages(ticket).exists() for ticket in ahead)


@pytest.mark.django_db
def test_a_ticket_that_skipped_the_nth_place_is_still_told(desk, counter, operator, django_capture_on_commit_callbacks):
    center, service = desk
    for n in range(4):
        issue(center, service, at(MONDAY, 9, n))
    mine = issue(center, service, at(MONDAY, 9, 10), phone="+998901234567")
    # Three calls before the notices run (a busy worker): the ticket goes from 4 ahead to 1, past N = 2.
    for minute in (30, 31, 32):
        called = ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 9, minute))
        ticket_start(actor=operator, ticket=called, now=at(MONDAY, 9, minute))
        ticket_finish(actor=operator, ticket=called, now=at(MONDAY, 9, minute))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.positions_notify(center_id=center.pk, now=at(MONDAY, 9, 33)) == 1
    assert position_messages(mine).get().context["ahead"] == 1
    assert jobs.positions_notify(center_id=center.pk, now=at(MONDAY, 9, 34)) == 0


@pytest.mark.django_db
def test_booked_tickets_before_their_time_are_not_told(desk):
    center, service = desk
    start = at(MONDAY, 11)
    appointment = Appointment.objects.create(
        center=center, service=service, start=start, end=start, phone="+998901234567", code="11112222",
        created_at=at(MONDAY, 8),
    )  # fmt: skip
    appointment_check_in(actor=SYSTEM, center=center, code=appointment.code, now=at(MONDAY, 10))
    assert jobs.positions_notify(center_id=center.pk, now=at(MONDAY, 10, 30)) == 0
    assert jobs.positions_notify(center_id=center.pk, now=at(MONDAY, 11)) == 1


@pytest.mark.django_db
def test_calling_enqueues_the_notices_after_commit(desk, counter, operator, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    center, service = desk
    issue(center, service, at(MONDAY, 9))
    with django_capture_on_commit_callbacks() as callbacks:
        ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 9, 5))
    assert not DBTaskResult.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get(task_path="darcha.queues.tasks.notify_queue_positions")
    assert task.args_kwargs == {"args": [center.pk, at(MONDAY, 9, 5).isoformat()], "kwargs": {}}


# --- appointments: reminders and no-shows -----------------------------------------------------
def make_appointment(center, service, start, *, created, code, status=AppointmentStatus.BOOKED):
    return Appointment.objects.create(
        center=center,
        service=service,
        start=start,
        end=start + dt.timedelta(minutes=15),
        phone="+998901234567",
        language="uz",
        code=code,
        created_at=created,
        status=status,
    )


@pytest.mark.django_db
def test_one_reminder_the_day_before(open_center, django_capture_on_commit_callbacks):
    center, service = open_center
    tuesday = MONDAY + dt.timedelta(days=1)
    early = make_appointment(
        center, service, at(tuesday, 10), created=at(MONDAY - dt.timedelta(days=3), 12), code="10000001"
    )
    today = make_appointment(center, service, at(tuesday, 11), created=at(MONDAY, 8), code="10000002")
    later = make_appointment(
        center, service, at(tuesday + dt.timedelta(days=1), 10), created=at(MONDAY, 8), code="10000003"
    )
    gone = make_appointment(
        center, service, at(tuesday, 12), created=at(MONDAY, 7), code="10000004", status=AppointmentStatus.CANCELLED
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.remind_appointments(now=at(MONDAY, 8, 59)) == 0  # nobody is texted before nine
        assert jobs.remind_appointments(now=at(MONDAY, 10)) == 1
        assert jobs.remind_appointments(now=at(MONDAY, 16)) == 0
    reminders = Message.objects.filter(template="appointment_reminder")
    assert [m.object_id for m in reminders] == [str(early.pk)]
    assert reminders.get().context["when"] == "10.03.2026 10:00"
    for appointment, reminded in ((early, True), (today, False), (later, False), (gone, False)):
        appointment.refresh_from_db()
        assert (appointment.reminded_at is not None) == reminded


@pytest.mark.django_db
def test_bookings_not_checked_in_by_closing_time_are_no_shows(open_center):
    center, service = open_center
    morning = make_appointment(center, service, at(MONDAY, 10), created=at(MONDAY, 8), code="20000001")
    evening = make_appointment(center, service, at(MONDAY, 17, 30), created=at(MONDAY, 8), code="20000002")
    came = make_appointment(center, service, at(MONDAY, 11), created=at(MONDAY, 8), code="20000003")
    appointment_check_in(actor=SYSTEM, center=center, code=came.code, now=at(MONDAY, 10, 55))
    # At 12:00 the morning visitor may still come (late: the general queue), so nothing is marked yet.
    assert jobs.mark_no_shows(now=at(MONDAY, 12)) == 0
    assert jobs.mark_no_shows(now=at(MONDAY, 18)) == 2
    for appointment, status in (
        (morning, AppointmentStatus.NO_SHOW),
        (evening, AppointmentStatus.NO_SHOW),
        (came, AppointmentStatus.CHECKED_IN),
    ):
        appointment.refresh_from_db()
        assert appointment.status == status
    with pytest.raises(Refused):
        appointment_check_in(actor=SYSTEM, center=center, code=morning.code, now=at(MONDAY, 18, 5))


@pytest.mark.django_db
def test_checked_in_bookings_follow_their_ticket(open_center, counter, operator):
    center, service = open_center
    appointment = make_appointment(center, service, at(MONDAY, 10), created=at(MONDAY, 8), code="30000001")
    appointment = appointment_check_in(actor=SYSTEM, center=center, code=appointment.code, now=at(MONDAY, 9, 50))
    operator_sign_in(actor=operator, counter=counter, now=at(MONDAY, 9))
    ticket = ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 10))
    assert ticket == appointment.ticket
    ticket_start(actor=operator, ticket=ticket, now=at(MONDAY, 10, 1))
    ticket_finish(actor=operator, ticket=ticket, now=at(MONDAY, 10, 10))
    assert jobs.mark_no_shows(now=at(MONDAY, 10, 15)) == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SERVED


def test_the_jobs_are_registered_with_the_scheduler():
    schedule = {job.name: job.schedule for job in registered_jobs()}
    assert schedule["queues.close_day"] == "every 60 s"
    assert schedule["queues.no_shows"] == "every 300 s"
    assert schedule["queues.remind"] == "every 900 s"
