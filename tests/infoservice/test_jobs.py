"""The scheduler's jobs: executors reminded APPEALS_REMIND_DAYS working days before their term (once per
assignment and term), the head told of appeals past their term (once per appeal). An appeal received on
Monday 2 November 2026 is due on Tuesday 17 November: with the default 2 working days, the reminder goes
on Friday 13 November (Monday 16 and Tuesday 17 ahead), not on Thursday 12."""

import pytest
from django.conf import settings
from django.test import override_settings

from darcha.core.scheduler import _jobs
from darcha.infoservice import jobs
from darcha.infoservice.choices import EventKind, ExtensionKind
from darcha.infoservice.models import Event
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.services.terms_control import (
    appeal_extend,
    appeals_escalate_overdue,
    appeals_remind_due,
    remind_days,
)
from darcha.notify.models import Message
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def appeal(tree):
    appeal = file_appeal(tree, at(2026, 11, 2))
    appeal_assign(
        actor=tree.officer,
        appeal=appeal,
        executor=tree.department,
        official=tree.executor,
        co_executors=[tree.other_department],
        now=at(2026, 11, 3),
    )
    return fresh(appeal)


def test_the_jobs_are_registered_with_the_scheduler():
    assert _jobs["infoservice.remind"].func is jobs.remind
    assert _jobs["infoservice.escalate"].func is jobs.escalate


def test_the_reminder_days_are_a_setting_of_two_working_days():
    assert settings.APPEALS_REMIND_DAYS == 2
    assert remind_days() == 2


def test_executors_are_reminded_two_working_days_before_once(tree, appeal, django_capture_on_commit_callbacks):
    assert appeals_remind_due(now=at(2026, 11, 12, 9)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert appeals_remind_due(now=at(2026, 11, 13, 9)) == 2  # the main executor's official, the co-executor
    addresses = set(Message.objects.filter(template="appeal_due_soon").values_list("address", flat=True))
    assert addresses == {"executor@example.org", "water@example.org"}
    assert appeals_remind_due(now=at(2026, 11, 16, 9)) == 0
    assert Event.objects.filter(appeal=appeal, kind=EventKind.REMINDED).count() == 2


@override_settings(APPEALS_REMIND_DAYS=0)
def test_with_no_days_ahead_the_reminder_comes_on_the_due_day(tree, appeal):
    assert appeals_remind_due(now=at(2026, 11, 16, 9)) == 0
    assert appeals_remind_due(now=at(2026, 11, 17, 9)) == 2


def test_an_extended_term_is_reminded_of_again(tree, appeal):
    assert appeals_remind_due(now=at(2026, 11, 13, 9)) == 2
    appeal_extend(actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="Tekshiruv", now=at(2026, 11, 13))
    # Due on Wednesday 2 December now, both assignments with it: reminded on Monday 30 November.
    assert appeals_remind_due(now=at(2026, 11, 27, 9)) == 0
    assert appeals_remind_due(now=at(2026, 11, 30, 9)) == 2


def test_an_answered_appeal_is_not_reminded(tree, appeal):
    draft = answer_draft(actor=tree.executor, appeal=appeal, outcome="explained", text="X", now=at(2026, 11, 10))
    answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 11))
    assert appeals_remind_due(now=at(2026, 11, 13, 9)) == 0
    assert appeals_escalate_overdue(now=at(2026, 11, 18, 9)) == 0


def test_an_overdue_appeal_is_escalated_to_the_head_once(tree, appeal, django_capture_on_commit_callbacks):
    assert appeals_escalate_overdue(now=at(2026, 11, 17, 23, 59)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.escalate(now=at(2026, 11, 18, 0, 30)) == 1
    message = Message.objects.get(template="appeal_overdue")
    assert message.address == "hokim@example.org" and appeal.number in message.body
    event = Event.objects.get(appeal=appeal, kind=EventKind.OVERDUE)
    assert event.public is False
    assert appeals_escalate_overdue(now=at(2026, 11, 19, 9)) == 0
