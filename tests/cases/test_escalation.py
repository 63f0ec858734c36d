"""The deadline job: tasks due within a day remind the clerk, overdue ones go to the clerk, then
(a working day later) the agency head, then (two) the center manager — each level recorded once,
nobody told twice, only the level that applies (an overdue task is not "due soon" as well), and
tasks waiting for the applicant left alone. Each notice is written in its recipient's language: the
step's and the agency's names and the due day in that language's own format."""

import datetime as dt
import re

import pytest
from django.utils import formats, timezone, translation

from darcha.cases import jobs
from darcha.cases import services as cases
from darcha.cases.choices import EscalationLevel, EventKind, TaskStatus
from darcha.cases.models import Escalation, Event, Task
from darcha.catalog.choices import Action
from darcha.catalog.models import Step
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.models import Organization
from darcha.core.scheduler import registered_jobs
from darcha.notify.models import Message
from tests.cases.helpers import staff

pytestmark = pytest.mark.django_db

LEVELS = set(EscalationLevel.values)
OVERDUE_LEVELS = LEVELS - {EscalationLevel.DUE_SOON}


def local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


def submitted_before_a_day_off(calendar: WorkingCalendar) -> dt.datetime:
    """A Tuesday-or-so morning whose 3-working-day term ends on the eve of a day off (a Friday, usually),
    so that the first hours after the deadline are overdue by less than a working day."""
    day = dt.date(2026, 11, 2)
    while True:
        moment = local(day, 10)
        due_day = timezone.localtime(calendar.deadline(moment, 3)).date()
        if calendar.is_working_day(day) and not calendar.is_working_day(due_day + dt.timedelta(days=1)):
            return moment
        day += dt.timedelta(days=1)


@pytest.fixture
def calendar(db):
    return WorkingCalendar.current()


@pytest.fixture
def land_head(service):
    return staff("land.head", Organization.objects.get(code="land"), Role.AGENCY_HEAD)


@pytest.fixture
def task(service, applicant, center, operator, land_clerk, land_head, manager, calendar):
    """The land agency's task of an application taken so that its term ends before a day off."""
    application = cases.application_submit(
        actor=operator,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=list(service.documents.order_by("position"))[:1],
            fee=cases.Fee(payment_reference="PAY-7"),
        ),
        now=submitted_before_a_day_off(calendar),
    )
    return Task.objects.get(application=application, status=TaskStatus.OPEN)


def working_day_after(calendar, moment: dt.datetime, n: int, hour: int = 10) -> dt.datetime:
    return local(calendar.add_working_days(timezone.localtime(moment).date(), n), hour)


def escalate(capture, now):
    with capture(execute=True):
        return cases.tasks_escalate(now=now)


def sent(template: str, address: str | None = None) -> int:
    messages = Message.objects.filter(template=template)
    if address is not None:
        messages = messages.filter(address=address)
    return messages.count()


def levels(task) -> dict[str, list[str]]:
    return {e.level: e.notified for e in Escalation.objects.filter(task=task)}


def test_nothing_happens_more_than_a_day_before_the_deadline(task, django_capture_on_commit_callbacks):
    counts = escalate(django_capture_on_commit_callbacks, task.due_at - dt.timedelta(hours=36))
    assert set(counts.values()) == {0}
    assert not Escalation.objects.exists() and Message.objects.filter(template__startswith="task_").count() == 0


def test_a_task_due_within_a_day_reminds_the_clerk_once(task, land_clerk, django_capture_on_commit_callbacks):
    soon = task.due_at - dt.timedelta(hours=12)
    counts = escalate(django_capture_on_commit_callbacks, soon)
    assert counts == {**dict.fromkeys(LEVELS, 0), EscalationLevel.DUE_SOON: 1}
    assert levels(task) == {EscalationLevel.DUE_SOON: ["land.clerk"]}
    assert sent("task_due_soon", land_clerk.email) == 1

    again = escalate(django_capture_on_commit_callbacks, soon + dt.timedelta(hours=2))
    assert set(again.values()) == {0}
    assert sent("task_due_soon") == 1 and Escalation.objects.filter(task=task).count() == 1


def test_overdue_goes_to_the_clerk_then_the_head_then_the_manager(
    task, land_clerk, land_head, manager, calendar, django_capture_on_commit_callbacks
):
    # Just past the deadline, the night before the day off: overdue by less than a working day.
    just_late = task.due_at + dt.timedelta(hours=2)
    assert calendar.working_days_between(task.due_at, just_late) == 0
    counts = escalate(django_capture_on_commit_callbacks, just_late)
    assert counts == {**dict.fromkeys(LEVELS, 0), EscalationLevel.OVERDUE: 1}
    # First seen past its term: overdue, and no "due soon" that no longer applies.
    assert set(levels(task)) == {EscalationLevel.OVERDUE}
    assert levels(task)[EscalationLevel.OVERDUE] == ["land.clerk"]
    assert sent("task_overdue", land_clerk.email) == 1 and sent("task_overdue") == 1
    assert sent("task_due_soon") == 0

    # The next working day, still running: not yet a whole working day late, the head is not told.
    next_day = working_day_after(calendar, task.due_at, 1)
    assert set(escalate(django_capture_on_commit_callbacks, next_day).values()) == {0}

    # A whole working day has gone by since the deadline: the agency head is told.
    one_day = working_day_after(calendar, task.due_at, 2)
    counts = escalate(django_capture_on_commit_callbacks, one_day)
    assert counts == {**dict.fromkeys(LEVELS, 0), EscalationLevel.HEAD: 1}
    assert levels(task)[EscalationLevel.HEAD] == ["land.head"]
    assert sent("task_overdue", land_head.email) == 1 and sent("task_overdue", land_clerk.email) == 1

    # Two whole working days late: the manager of the center that took the application.
    two_days = working_day_after(calendar, task.due_at, 3)
    counts = escalate(django_capture_on_commit_callbacks, two_days)
    assert counts == {**dict.fromkeys(LEVELS, 0), EscalationLevel.MANAGER: 1}
    assert levels(task)[EscalationLevel.MANAGER] == ["manager"]
    assert sent("task_overdue", manager.email) == 1

    # The job runs every ten minutes: running it again records nothing and tells nobody.
    before = Message.objects.count()
    for later in (two_days, two_days + dt.timedelta(minutes=10), working_day_after(calendar, task.due_at, 5)):
        assert set(escalate(django_capture_on_commit_callbacks, later).values()) == {0}
    assert Message.objects.count() == before
    assert sorted(Escalation.objects.filter(task=task).values_list("level", flat=True)) == sorted(OVERDUE_LEVELS)
    assert Event.objects.filter(task=task, kind=EventKind.ESCALATED, public=False).count() == 3


def test_a_reminded_task_that_runs_late_is_then_reported_overdue(task, land_clerk, django_capture_on_commit_callbacks):
    escalate(django_capture_on_commit_callbacks, task.due_at - dt.timedelta(hours=12))
    escalate(django_capture_on_commit_callbacks, task.due_at + dt.timedelta(hours=2))
    assert set(levels(task)) == {EscalationLevel.DUE_SOON, EscalationLevel.OVERDUE}
    assert sent("task_due_soon", land_clerk.email) == 1 and sent("task_overdue", land_clerk.email) == 1


def test_a_task_found_long_overdue_tells_each_level_once_and_the_clerk_only_overdue(
    task, land_clerk, land_head, manager, calendar, django_capture_on_commit_callbacks
):
    late = task.due_at + dt.timedelta(days=11)
    counts = escalate(django_capture_on_commit_callbacks, late)
    assert counts == {**dict.fromkeys(OVERDUE_LEVELS, 1), EscalationLevel.DUE_SOON: 0}
    # The clerk gets one notice, "overdue"; the head and the manager one each.
    assert list(Message.objects.filter(address=land_clerk.email).values_list("template", flat=True)) == ["task_overdue"]
    assert sent("task_due_soon") == 0
    assert sent("task_overdue", land_head.email) == 1
    assert sent("task_overdue", manager.email) == 1
    assert set(escalate(django_capture_on_commit_callbacks, late + dt.timedelta(hours=1)).values()) == {0}
    assert Message.objects.filter(template__startswith="task_").count() == 3


# --- What a notice says, in its recipient's language -----------------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def named_step(task):
    """The land step with its name in each language (the factory's is made of its code)."""
    Step.objects.filter(pk=task.step_id).update(
        name_uz="Yer uchastkasini tekshirish", name_ru="Проверка земельного участка", name_en="Land plot check"
    )
    Organization.objects.filter(pk=task.agency_id).update(name_ru="Земельные ресурсы")
    return Task.objects.select_related("step", "agency").get(pk=task.pk)


def _due_day(task, language):
    with translation.override(language):
        return formats.date_format(timezone.localtime(task.due_at).date(), "DATE_FORMAT")


def test_a_russian_clerk_reads_the_notice_in_russian(named_step, land_clerk, django_capture_on_commit_callbacks):
    land_clerk.language = "ru"
    land_clerk.save(update_fields=["language"])
    escalate(django_capture_on_commit_callbacks, named_step.due_at + dt.timedelta(hours=2))
    message = Message.objects.get(address=land_clerk.email, template="task_overdue")
    assert message.language == "ru"
    body = message.body
    assert "Проверка земельного участка" in body and "Земельные ресурсы" in body
    assert _due_day(named_step, "ru") in body
    # No Uzbek name, no step code, no ISO date.
    for leftover in ("Yer uchastkasini", "Yer resurslari", "land-check", "bosqichi", "raqamli"):
        assert leftover not in body, leftover
    assert not ISO_DATE.search(body) and named_step.application.number in body


@pytest.mark.parametrize(
    ("language", "step_name", "agency_name"),
    [
        ("uz", "Yer uchastkasini tekshirish", "Yer resurslari"),
        ("en", "Land plot check", "Land resources"),
        ("uz-cyrl", "Ер участкасини текшириш", "Ер ресурслари"),  # transliterated from the Latin
    ],
)
def test_every_recipient_reads_the_names_and_the_day_in_their_language(
    named_step, land_clerk, language, step_name, agency_name, django_capture_on_commit_callbacks
):
    land_clerk.language = language
    land_clerk.save(update_fields=["language"])
    escalate(django_capture_on_commit_callbacks, named_step.due_at - dt.timedelta(hours=3))
    body = Message.objects.get(address=land_clerk.email, template="task_due_soon").body
    assert step_name in body and agency_name in body and _due_day(named_step, language) in body
    assert "land-check" not in body and not ISO_DATE.search(body)


def test_one_notice_speaks_to_each_recipient_in_their_own_language(
    named_step, land_clerk, django_capture_on_commit_callbacks
):
    other = staff("land.clerk.ru", named_step.agency, Role.AGENCY_CLERK)
    other.language = "ru"
    other.save(update_fields=["language"])
    escalate(django_capture_on_commit_callbacks, named_step.due_at - dt.timedelta(hours=3))
    uzbek = Message.objects.get(address=land_clerk.email).body
    russian = Message.objects.get(address=other.email).body
    assert "Yer uchastkasini tekshirish" in uzbek and "Проверка земельного участка" not in uzbek
    assert "Проверка земельного участка" in russian and "Yer uchastkasini tekshirish" not in russian


def test_the_assignee_is_told_rather_than_every_clerk(task, land_clerk, django_capture_on_commit_callbacks):
    other = staff("land.clerk2", task.agency, Role.AGENCY_CLERK)
    cases.task_claim(actor=other, task=task)
    escalate(django_capture_on_commit_callbacks, task.due_at + dt.timedelta(hours=2))
    assert levels(task)[EscalationLevel.OVERDUE] == ["land.clerk2"]
    assert sent("task_overdue", other.email) == 1 and sent("task_overdue", land_clerk.email) == 0


def test_unassigned_tasks_tell_every_clerk_of_the_agency(task, land_clerk, django_capture_on_commit_callbacks):
    other = staff("land.clerk2", task.agency, Role.AGENCY_CLERK)
    escalate(django_capture_on_commit_callbacks, task.due_at - dt.timedelta(hours=3))
    assert sorted(levels(task)[EscalationLevel.DUE_SOON]) == ["land.clerk", "land.clerk2"]
    assert sent("task_due_soon", land_clerk.email) == 1 and sent("task_due_soon", other.email) == 1


def test_tasks_waiting_for_the_applicant_are_not_escalated(
    task, land_clerk, calendar, django_capture_on_commit_callbacks
):
    cases.task_act(
        actor=land_clerk,
        task=task,
        action=Action.REQUEST_DOCUMENTS,
        comment="Pasport nusxasi",
        now=task.opened_at + dt.timedelta(hours=1),
    )
    for moment in (task.due_at - dt.timedelta(hours=6), working_day_after(calendar, task.due_at, 3)):
        assert set(escalate(django_capture_on_commit_callbacks, moment).values()) == {0}
    assert not Escalation.objects.exists()
    assert Message.objects.filter(template__startswith="task_").count() == 0


def test_finished_tasks_are_not_escalated(task, land_clerk, django_capture_on_commit_callbacks):
    cases.task_act(actor=land_clerk, task=task, action=Action.APPROVE, now=task.opened_at + dt.timedelta(hours=1))
    # The next step (five working days) is not yet near its term either.
    counts = escalate(django_capture_on_commit_callbacks, task.due_at + dt.timedelta(hours=2))
    assert set(counts.values()) == {0}
    assert not Escalation.objects.exists()


def test_the_job_is_registered_with_the_scheduler(task, django_capture_on_commit_callbacks):
    job = next(job for job in registered_jobs() if job.name == "cases.escalate")
    assert job.every_seconds == 600 and job.func is jobs.escalate
    with django_capture_on_commit_callbacks(execute=True):
        counts = job.func(now=task.due_at - dt.timedelta(hours=1))
    assert counts[EscalationLevel.DUE_SOON] == 1
