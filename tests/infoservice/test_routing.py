"""Routing an appeal: the officer assigns executors, the hokim puts a resolution, the officer forwards to
the competent body (with its ground, within 5 days or marked late, never to the body complained about) or
returns the appeal to its author. Real 2026 dates: an appeal received on Monday 2 November 2026 at 10:00
is registered that day and due on Tuesday 17 November; its 5 days for a forward end on Saturday 7
November, a day off, so on Monday 9 November."""

import pytest
from django.core.exceptions import ValidationError

from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.infoservice.choices import AppealRefusal, AppealStatus, AssignmentRole, EventKind, Outcome
from darcha.infoservice.letters import letter_bytes
from darcha.infoservice.models import Answer, Appeal, Assignment, Event, Forward, Resolution
from darcha.infoservice.services.routing import appeal_assign, appeal_forward, appeal_resolution, appeal_return
from darcha.notify.models import Message
from tests.infoservice.work_helpers import at, end_of, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def appeal(tree):
    return file_appeal(tree, at(2026, 11, 2))


def test_the_appeal_registered_on_2_november_is_due_on_17_november(appeal):
    assert appeal.due_at == end_of(2026, 11, 17)


def test_assign_gives_the_main_executor_and_co_executors_the_appeals_term(tree, appeal):
    appeal_assign(
        actor=tree.officer,
        appeal=appeal,
        executor=tree.department,
        official=tree.executor,
        co_executors=[tree.other_department, tree.department],
        suggested=True,
        confidence=0.81,
        now=at(2026, 11, 3),
    )
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.IN_WORK
    assert appeal.executor == tree.department
    rows = list(Assignment.objects.filter(appeal=appeal).order_by("role", "id"))
    assert [(a.executor, a.role) for a in rows] == [
        (tree.other_department, AssignmentRole.CO),
        (tree.department, AssignmentRole.MAIN),
    ]
    assert {a.due_at for a in rows} == {end_of(2026, 11, 17)}
    main = next(a for a in rows if a.role == AssignmentRole.MAIN)
    assert main.official == tree.executor and main.suggested and main.confidence == 0.81
    event = Event.objects.get(appeal=appeal, kind=EventKind.ASSIGNED)
    assert event.data["co_executors"] == [tree.other_department.pk]
    assert AuditEntry.objects.filter(action="appeal_assign", object_id=str(appeal.pk)).exists()


def test_an_agency_of_another_district_may_execute_a_hokimiyat_there_may_not(tree, appeal):
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.far_agency, now=at(2026, 11, 3))
    assert fresh(appeal).executor == tree.far_agency
    for outside in (tree.other_hokimiyat, tree.center, tree.district):
        with pytest.raises(ValidationError) as error:
            appeal_assign(actor=tree.officer, appeal=appeal, executor=outside, now=at(2026, 11, 3))
        assert "executor" in error.value.message_dict
    assert fresh(appeal).executor == tree.far_agency


def test_assigning_again_ends_the_earlier_assignments(tree, appeal):
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.other_department, now=at(2026, 11, 4))
    open_rows = Assignment.objects.filter(appeal=appeal, done_at__isnull=True)
    assert [a.executor for a in open_rows] == [tree.other_department]
    assert Event.objects.filter(appeal=appeal, kind=EventKind.ASSIGNED).last().data["reassigned"] is True


def test_only_the_officer_assigns_and_an_official_must_be_an_executor_there(tree, appeal):
    with pytest.raises(Forbidden):
        appeal_assign(actor=tree.executor, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    with pytest.raises(ValidationError) as error:
        appeal_assign(
            actor=tree.officer,
            appeal=appeal,
            executor=tree.department,
            official=tree.other_executor,
            now=at(2026, 11, 3),
        )
    assert "official" in error.value.message_dict
    assert not Assignment.objects.filter(appeal=appeal).exists()
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_the_hokim_includes_the_officers_powers(tree, appeal):
    appeal_assign(actor=tree.hokim, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    assert fresh(appeal).executor == tree.department


def test_resolution_by_the_hokim_with_a_term_within_the_appeals(tree, appeal):
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    resolution = appeal_resolution(
        actor=tree.hokim,
        appeal=appeal,
        text="Joyiga chiqib o‘rganilsin, 12-noyabrgacha javob berilsin.",
        due_at=end_of(2026, 11, 12),
        executors=[tree.department, tree.other_department],
        now=at(2026, 11, 4),
    )
    assert Resolution.objects.get(appeal=appeal) == resolution
    dues = {a.executor: (a.role, a.due_at) for a in Assignment.objects.filter(appeal=appeal)}
    assert dues == {
        tree.department: (AssignmentRole.MAIN, end_of(2026, 11, 12)),
        tree.other_department: (AssignmentRole.CO, end_of(2026, 11, 12)),
    }
    assert fresh(appeal).due_at == end_of(2026, 11, 17)  # the appeal's own term is the law's


def test_a_resolution_term_beyond_the_appeals_is_refused_and_only_the_hokim_resolves(tree, appeal):
    with pytest.raises(ValidationError) as error:
        appeal_resolution(
            actor=tree.hokim, appeal=appeal, text="O‘rganilsin", due_at=end_of(2026, 11, 18), now=at(2026, 11, 4)
        )
    assert "due_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        appeal_resolution(actor=tree.hokim, appeal=appeal, text=" ", due_at=end_of(2026, 11, 10), now=at(2026, 11, 4))
    assert "text" in error.value.message_dict
    with pytest.raises(Forbidden):
        appeal_resolution(
            actor=tree.officer, appeal=appeal, text="O‘rganilsin", due_at=end_of(2026, 11, 10), now=at(2026, 11, 4)
        )
    assert not Resolution.objects.exists()


def test_forward_within_five_days_closes_the_appeal_and_tells_the_author(
    tree, appeal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        forward = appeal_forward(
            actor=tree.officer,
            appeal=appeal,
            ground="Gaz ta’minoti Pop tumani gaz bo‘limi vakolatida.",
            to_organization=tree.far_agency,
            now=at(2026, 11, 9, 17),
        )
    appeal = fresh(appeal)
    assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.FORWARDED)
    assert forward.late is False
    assert Event.objects.get(appeal=appeal, kind=EventKind.FORWARDED).data["late"] is False
    message = Message.objects.get(template="appeal_forwarded")
    assert message.address == "+998901112233" and "Gaz" in message.body
    letter = Answer.objects.get(appeal=appeal)
    assert letter.outcome == Outcome.FORWARDED and letter.code
    assert letter_bytes(letter).startswith(b"%PDF") and letter.sha256  # rendered when first needed


def test_a_forward_after_the_five_days_is_allowed_and_recorded_late(tree, appeal):
    # 9 November was the last day (the 7th a Saturday); the 10th is one day late.
    forward = appeal_forward(
        actor=tree.officer,
        appeal=appeal,
        ground="Boshqa tuman",
        to_organization=tree.other_hokimiyat,
        now=at(2026, 11, 10),
    )
    assert forward.late is True
    event = Event.objects.get(appeal=appeal, kind=EventKind.FORWARDED)
    assert event.data["days_late"] == 1
    # A hokimiyat in Darcha registers it: a new appeal following this one, with its own number and term.
    received = Appeal.objects.get(organization=tree.other_hokimiyat)
    assert received.follows == appeal and received.text == appeal.text and received.author_name == "Karimov Anvar"
    assert event.data["registered_as"] == received.number and received.due_at == end_of(2026, 11, 25)


def test_a_forward_without_a_ground_changes_nothing(tree, appeal):
    with pytest.raises(ValidationError) as error:
        appeal_forward(
            actor=tree.officer, appeal=appeal, ground="  ", to_organization=tree.far_agency, now=at(2026, 11, 3)
        )
    assert "ground" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        appeal_forward(actor=tree.officer, appeal=appeal, ground="Vakolat", now=at(2026, 11, 3))
    assert "to_organization" in error.value.message_dict
    assert fresh(appeal).status == AppealStatus.REGISTERED
    assert not Forward.objects.exists()


def test_never_forwarded_to_the_body_complained_about(tree):
    complaint = file_appeal(tree, at(2026, 11, 2), type="complaint", complained_body=tree.department)
    with pytest.raises(Refused) as refused:
        appeal_forward(
            actor=tree.officer, appeal=complaint, ground="Yo‘llar bo‘limi vakolatida", to_organization=tree.department
        )
    assert refused.value.code == AppealRefusal.FORWARD_TO_COMPLAINED_BODY
    assert fresh(complaint).status == AppealStatus.REGISTERED
    assert not Forward.objects.exists()


def test_a_complaint_is_never_given_to_the_body_it_is_about(tree):
    complaint = file_appeal(tree, at(2026, 11, 2), type="complaint", complained_body=tree.department)
    with pytest.raises(ValidationError) as error:
        appeal_assign(actor=tree.officer, appeal=complaint, executor=tree.department, now=at(2026, 11, 3))
    assert "executor" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        appeal_assign(
            actor=tree.officer,
            appeal=complaint,
            executor=tree.other_department,
            co_executors=[tree.department],
            now=at(2026, 11, 3),
        )
    assert "co_executors" in error.value.message_dict
    assert fresh(complaint).status == AppealStatus.REGISTERED
    assert not Assignment.objects.filter(appeal=complaint).exists()


def test_a_closed_appeal_is_not_forwarded_again(tree, appeal):
    appeal_forward(actor=tree.officer, appeal=appeal, ground="Vakolat", to_name="Viloyat gaz", now=at(2026, 11, 3))
    with pytest.raises(Refused) as refused:
        appeal_forward(actor=tree.officer, appeal=appeal, ground="Vakolat", to_name="Boshqa", now=at(2026, 11, 3))
    assert refused.value.code == AppealRefusal.STATE


def test_return_to_the_author_with_reasons(tree, appeal, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        appeal_return(actor=tree.officer, appeal=appeal, reasons="", now=at(2026, 11, 4))
    with django_capture_on_commit_callbacks(execute=True):
        appeal_return(
            actor=tree.officer,
            appeal=appeal,
            reasons="Ko‘chaning nomi va uy raqami ko‘rsatilmagan.",
            now=at(2026, 11, 4),
        )
    appeal = fresh(appeal)
    assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.RETURNED)
    event = Event.objects.get(appeal=appeal, kind=EventKind.RETURNED)
    assert event.data["late"] is False and "uy raqami" in event.comment
    assert "uy raqami" in Message.objects.get(template="appeal_returned").body
