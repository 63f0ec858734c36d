"""Extensions and the study notice, with real 2026 dates (days off from the 2026 calendar):

- an application received on Monday 2 November 2026 is due on Tuesday 17 November; extra study reaches
  a month from registration, Wednesday 2 December; the head's one more month would end on Saturday
  2 January 2027, so on Monday 4 January;
- one received on Monday 9 February 2026 may be studied until 9 March, a day off (Women's Day, observed),
  so until Tuesday 10 March;
- a proposal received on 2 November must have its study notice by Thursday 12 November."""

import pytest
from django.core.exceptions import ValidationError

from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.infoservice.choices import AppealRefusal, EventKind, ExtensionKind
from darcha.infoservice.models import Event, Extension
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.services.terms_control import appeal_extend, appeal_study_notice
from darcha.notify.models import Message
from tests.infoservice.work_helpers import at, end_of, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def appeal(tree):
    appeal = file_appeal(tree, at(2026, 11, 2))
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    return fresh(appeal)


def test_the_main_executor_extends_for_study_to_a_month_from_registration_and_the_author_is_told(
    tree, appeal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        extension = appeal_extend(
            actor=tree.executor,
            appeal=appeal,
            kind=ExtensionKind.STUDY,
            reason="Joyiga chiqib o‘lchash kerak.",
            now=at(2026, 11, 10),
        )
    appeal = fresh(appeal)
    assert appeal.due_at == end_of(2026, 12, 2) and appeal.extended
    assert (extension.old_due_at, extension.new_due_at) == (end_of(2026, 11, 17), end_of(2026, 12, 2))
    assert extension.notice is not None and extension.notice.template == "appeal_extended"
    assert extension.notice.address == "+998901112233"
    assert "o‘lchash" in extension.notice.body and "2026" in extension.notice.body
    event = Event.objects.get(appeal=appeal, kind=EventKind.EXTENDED)
    assert event.public and event.data["notified"] is True
    assert AuditEntry.objects.filter(action="appeal_extend", object_id=str(appeal.pk)).exists()
    # The main executor's assignment follows the new term.
    assert appeal.assignments.get().due_at == end_of(2026, 12, 2)


def test_a_study_term_ending_on_a_day_off_moves_to_the_next_working_day(tree):
    appeal = file_appeal(tree, at(2026, 2, 9))
    assert appeal.due_at == end_of(2026, 2, 24)
    appeal_extend(actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="Hujjatlar", now=at(2026, 2, 20))
    assert fresh(appeal).due_at == end_of(2026, 3, 10)


def test_a_second_study_extension_is_refused(tree, appeal):
    appeal_extend(actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="Tekshiruv", now=at(2026, 11, 10))
    with pytest.raises(Refused) as refused:
        appeal_extend(actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="Yana", now=at(2026, 11, 20))
    assert refused.value.code == AppealRefusal.SECOND_EXTENSION
    assert Extension.objects.count() == 1


def test_study_beyond_a_month_from_registration_is_refused(tree, appeal):
    with pytest.raises(Refused) as refused:
        appeal_extend(
            actor=tree.officer,
            appeal=appeal,
            kind=ExtensionKind.STUDY,
            reason="Tekshiruv",
            until=end_of(2026, 12, 3).date(),
            now=at(2026, 11, 10),
        )
    assert refused.value.code == AppealRefusal.EXTENSION_LIMIT
    assert fresh(appeal).due_at == end_of(2026, 11, 17)
    appeal_extend(
        actor=tree.officer,
        appeal=appeal,
        kind=ExtensionKind.STUDY,
        reason="Tekshiruv",
        until=end_of(2026, 11, 27).date(),
        now=at(2026, 11, 10),
    )
    assert fresh(appeal).due_at == end_of(2026, 11, 27)


def test_the_head_extends_once_by_at_most_a_month(tree, appeal):
    appeal_extend(actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="Tekshiruv", now=at(2026, 11, 10))
    with pytest.raises(Forbidden):
        appeal_extend(
            actor=tree.officer, appeal=appeal, kind=ExtensionKind.HEAD, reason="Alohida", now=at(2026, 11, 30)
        )
    with pytest.raises(Refused) as refused:
        appeal_extend(
            actor=tree.hokim,
            appeal=appeal,
            kind=ExtensionKind.HEAD,
            reason="Alohida holat",
            until=end_of(2027, 1, 5).date(),
            now=at(2026, 11, 30),
        )
    assert refused.value.code == AppealRefusal.EXTENSION_LIMIT
    appeal_extend(
        actor=tree.hokim, appeal=appeal, kind=ExtensionKind.HEAD, reason="Alohida holat", now=at(2026, 11, 30)
    )
    appeal = fresh(appeal)
    # 2 January 2027 is a Saturday: the term ends on Monday 4 January.
    assert appeal.due_at == end_of(2027, 1, 4) and appeal.head_extended
    with pytest.raises(Refused) as refused:
        appeal_extend(actor=tree.hokim, appeal=appeal, kind=ExtensionKind.HEAD, reason="Yana", now=at(2026, 12, 30))
    assert refused.value.code == AppealRefusal.SECOND_EXTENSION
    assert fresh(appeal).due_at == end_of(2027, 1, 4)
    assert list(Extension.objects.values_list("kind", flat=True)) == [ExtensionKind.STUDY, ExtensionKind.HEAD]


def test_an_extension_without_a_reason_changes_nothing(tree, appeal):
    with pytest.raises(ValidationError) as error:
        appeal_extend(actor=tree.executor, appeal=appeal, kind=ExtensionKind.STUDY, reason=" ", now=at(2026, 11, 10))
    assert "reason" in error.value.message_dict
    assert fresh(appeal).due_at == end_of(2026, 11, 17)
    assert not Extension.objects.exists() and not Message.objects.filter(template="appeal_extended").exists()


def test_other_executors_do_not_extend(tree, appeal):
    with pytest.raises(Forbidden):
        appeal_extend(
            actor=tree.other_executor, appeal=appeal, kind=ExtensionKind.STUDY, reason="X", now=at(2026, 11, 10)
        )


def test_a_proposal_has_its_month_already_and_gets_a_study_notice_within_ten_days(
    tree, django_capture_on_commit_callbacks
):
    proposal = file_appeal(tree, at(2026, 11, 2), type="proposal", text="Bog‘ qurishni taklif qilaman.")
    assert proposal.due_at == end_of(2026, 12, 2)
    with pytest.raises(Refused) as refused:
        appeal_extend(actor=tree.officer, appeal=proposal, kind=ExtensionKind.STUDY, reason="X", now=at(2026, 11, 5))
    assert refused.value.code == AppealRefusal.EXTENSION_LIMIT
    with django_capture_on_commit_callbacks(execute=True):
        appeal_study_notice(
            actor=tree.officer, appeal=proposal, reason="Loyiha smetasi kerak", now=at(2026, 11, 12, 17)
        )
    event = Event.objects.get(appeal=proposal, kind=EventKind.STUDY_NOTICE)
    assert event.data["notified"] is True
    assert "smetasi" in Message.objects.get(template="appeal_study_notice").body
    with pytest.raises(Refused):
        appeal_study_notice(actor=tree.officer, appeal=proposal, reason="Yana", now=at(2026, 11, 12, 17))


def test_a_study_notice_after_ten_days_is_refused_and_only_proposals_get_one(tree, appeal):
    proposal = file_appeal(tree, at(2026, 11, 2), type="proposal", text="Taklif")
    with pytest.raises(Refused) as refused:
        appeal_study_notice(actor=tree.officer, appeal=proposal, reason="Smeta", now=at(2026, 11, 13))
    assert refused.value.code == AppealRefusal.STUDY_NOTICE_LATE
    with pytest.raises(Refused) as refused:
        appeal_study_notice(actor=tree.officer, appeal=appeal, reason="Smeta", now=at(2026, 11, 5))
    assert refused.value.code == AppealRefusal.STATE
    assert not Event.objects.filter(kind=EventKind.STUDY_NOTICE).exists()


def test_a_request_for_information_keeps_its_term(tree):
    request = file_appeal(tree, at(2026, 11, 2), kind="media", media_outlet="Namangan haqiqati")
    assert request.due_at == end_of(2026, 11, 9)
    with pytest.raises(Refused) as refused:
        appeal_extend(actor=tree.officer, appeal=request, kind=ExtensionKind.STUDY, reason="X", now=at(2026, 11, 5))
    assert refused.value.code == AppealRefusal.STATE


def test_an_author_without_a_phone_or_e_mail_is_told_by_post(tree):
    appeal = file_appeal(tree, at(2026, 11, 2), channel="letter", author_phone="")
    extension = appeal_extend(
        actor=tree.officer, appeal=appeal, kind=ExtensionKind.STUDY, reason="X", now=at(2026, 11, 5)
    )
    assert extension.notice is None
    assert Event.objects.get(appeal=appeal, kind=EventKind.EXTENDED).data["notified"] is False
