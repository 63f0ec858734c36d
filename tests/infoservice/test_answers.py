"""Answers: the main executor drafts, the hokim approves (the appeal closes, the letter is stored with its
code and sent by the author's channel) or sends the draft back; conclusions of appeals not considered and
terminations are documents the head approves too; a correction within 10 days replaces the answer.
Dates are real 2026 days: an answer approved on Monday 16 November 2026 may be corrected until Thursday
26 November."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.infoservice.choices import AppealRefusal, AppealStatus, EventKind, Outcome
from darcha.infoservice.letters import letter_ensure
from darcha.infoservice.models import Answer, Event
from darcha.infoservice.services.answers import (
    answer_approve,
    answer_correct,
    answer_draft,
    answer_send_back,
    current_answer,
)
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.tasks import render_answer_letter
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
        co_executors=[tree.other_department],
        now=at(2026, 11, 3),
    )
    return fresh(appeal)


def draft(tree, appeal, outcome=Outcome.SATISFIED, text="Yo‘l 20-noyabrgacha ta’mirlanadi.", when=None):
    when = when or at(2026, 11, 12)
    return answer_draft(actor=tree.executor, appeal=appeal, outcome=outcome, text=text, now=when)


def test_the_executors_draft_waits_for_the_head(tree, appeal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = draft(tree, appeal)
    assert fresh(appeal).status == AppealStatus.ON_APPROVAL
    assert answer.approved_at is None and answer.language == "uz"
    assert Event.objects.get(appeal=appeal, kind=EventKind.DRAFTED).public is False
    assert Message.objects.filter(template="appeal_answer_to_approve", address="hokim@example.org").exists()


def test_only_the_main_executor_drafts_an_answer_on_the_merits(tree, appeal):
    for actor in (tree.officer, tree.other_executor, tree.hokim):
        with pytest.raises(Forbidden) as refused:
            answer_draft(
                actor=actor, appeal=appeal, outcome=Outcome.EXPLAINED, text="Tushuntirish", now=at(2026, 11, 12)
            )
        assert refused.value.code == AppealRefusal.NOT_EXECUTOR
    assert not Answer.objects.exists()


def test_a_refusal_needs_its_reason_and_an_outcome_must_be_an_answers(tree, appeal):
    with pytest.raises(ValidationError) as error:
        draft(tree, appeal, outcome=Outcome.REFUSED, text="  ")
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        draft(tree, appeal, outcome=Outcome.FORWARDED)
    assert "outcome" in error.value.message_dict
    assert fresh(appeal).status == AppealStatus.IN_WORK


def test_the_head_sends_a_draft_back_with_what_to_change(tree, appeal, django_capture_on_commit_callbacks):
    answer = draft(tree, appeal)
    with pytest.raises(ValidationError):
        answer_send_back(actor=tree.hokim, answer=answer, comment="", now=at(2026, 11, 13))
    with pytest.raises(Forbidden):
        answer_send_back(actor=tree.officer, answer=answer, comment="Aniqroq", now=at(2026, 11, 13))
    with django_capture_on_commit_callbacks(execute=True):
        answer_send_back(actor=tree.hokim, answer=answer, comment="Muddatni aniq yozing", now=at(2026, 11, 13))
    answer.refresh_from_db()
    assert answer.sent_back_at is not None and answer.sent_back_comment == "Muddatni aniq yozing"
    assert fresh(appeal).status == AppealStatus.IN_WORK
    assert Message.objects.filter(template="appeal_answer_sent_back", address="executor@example.org").exists()
    with pytest.raises(Refused):
        answer_approve(actor=tree.hokim, answer=answer, now=at(2026, 11, 13))
    second = draft(tree, appeal, text="Yo‘l 20-noyabrgacha ta’mirlanadi, pudratchi tayinlandi.", when=at(2026, 11, 14))
    assert fresh(appeal).status == AppealStatus.ON_APPROVAL and second.pk != answer.pk


def test_approval_closes_the_appeal_stores_the_letter_and_sends_it(tree, appeal, django_capture_on_commit_callbacks):
    answer = draft(tree, appeal)
    with pytest.raises(Forbidden):
        answer_approve(actor=tree.officer, answer=answer, now=at(2026, 11, 16))
    with django_capture_on_commit_callbacks(execute=True):
        answer = answer_approve(actor=tree.hokim, answer=answer, now=at(2026, 11, 16))
    appeal = fresh(appeal)
    assert (appeal.status, appeal.outcome, appeal.closed_at) == (
        AppealStatus.CLOSED,
        Outcome.SATISFIED,
        at(2026, 11, 16),
    )
    assert answer.approved_by == tree.hokim and answer.sent_at == at(2026, 11, 16)
    assert len(answer.code) == 12
    message = Message.objects.get(template="appeal_answered")
    assert message.address == "+998901112233" and f"/appeals/verify/{answer.code}/" in message.body
    assert not appeal.assignments.filter(done_at__isnull=True).exists()
    assert Event.objects.get(appeal=appeal, kind=EventKind.APPROVED).data["code"] == answer.code
    assert AuditEntry.objects.get(action="answer_approve").data["code"] == answer.code
    # The letter is rendered after the commit, by the task the approval queued.
    assert not Answer.objects.get(pk=answer.pk).file
    queued = DBTaskResult.objects.get(task_path="darcha.infoservice.tasks.render_answer_letter")
    assert queued.args_kwargs["args"] == [answer.pk]
    assert render_answer_letter.call(answer.pk).startswith("rendered ")
    answer.refresh_from_db()
    with answer.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == answer.sha256
    assert AuditEntry.objects.get(action="answer_letter_render").data == {
        "answer": answer.pk,
        "code": answer.code,
        "sha256": answer.sha256,
    }
    assert render_answer_letter.call(answer.pk) == "stored already"
    assert AuditEntry.objects.filter(action="answer_letter_render").count() == 1
    with pytest.raises(Refused) as refused:
        answer_approve(actor=tree.hokim, answer=answer, now=at(2026, 11, 16))
    assert refused.value.code == AppealRefusal.STATE


def test_an_anonymous_appeal_ends_not_considered_with_the_heads_conclusion(tree):
    anonymous = file_appeal(tree, at(2026, 11, 2), author_name="", author_address="", author_phone="")
    with pytest.raises(ValidationError) as error:
        answer_draft(
            actor=tree.officer, appeal=anonymous, outcome=Outcome.NOT_CONSIDERED, text="Xulosa", now=at(2026, 11, 3)
        )
    assert "ground" in error.value.message_dict
    conclusion = answer_draft(
        actor=tree.officer,
        appeal=anonymous,
        outcome=Outcome.NOT_CONSIDERED,
        ground="anonymous",
        text="Murojaatda muallifning ismi va yashash joyi ko‘rsatilmagan.",
        now=at(2026, 11, 3),
    )
    assert fresh(anonymous).status == AppealStatus.ON_APPROVAL
    answer_approve(actor=tree.hokim, answer=conclusion, now=at(2026, 11, 4))
    anonymous = fresh(anonymous)
    assert (anonymous.status, anonymous.outcome) == (AppealStatus.CLOSED, Outcome.NOT_CONSIDERED)
    conclusion.refresh_from_db()
    assert conclusion.code and conclusion.sent_at is None  # nobody to send it to
    assert letter_ensure(conclusion).file and conclusion.sha256
    assert Event.objects.get(appeal=anonymous, kind=EventKind.NOT_CONSIDERED).data["ground"] == "anonymous"


def test_a_repeated_appeal_without_new_arguments_is_terminated(tree):
    repeated = file_appeal(tree, at(2026, 11, 2))
    termination = answer_draft(
        actor=tree.officer,
        appeal=repeated,
        outcome=Outcome.TERMINATED,
        ground="repeated",
        text="Avvalgi murojaatingizga 2026-yil 16-oktyabrda javob berilgan, yangi dalillar yo‘q.",
        now=at(2026, 11, 3),
    )
    answer_approve(actor=tree.hokim, answer=termination, now=at(2026, 11, 3))
    assert fresh(repeated).outcome == Outcome.TERMINATED
    assert Event.objects.filter(appeal=repeated, kind=EventKind.TERMINATED).exists()


def test_a_correction_within_ten_days_replaces_the_answer_and_is_sent_again(
    tree, appeal, django_capture_on_commit_callbacks
):
    first = answer_approve(actor=tree.hokim, answer=draft(tree, appeal), now=at(2026, 11, 16))
    with pytest.raises(Forbidden):
        answer_correct(actor=tree.executor, appeal=appeal, text="Tuzatish", now=at(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=True):
        corrected = answer_correct(
            actor=tree.hokim, appeal=appeal, text="Yo‘l 25-noyabrgacha ta’mirlanadi.", now=at(2026, 11, 26, 17)
        )
    assert corrected.replaces == first and corrected.code != first.code
    assert letter_ensure(corrected).file and corrected.sha256 != letter_ensure(first).sha256
    assert current_answer(appeal) == corrected
    first_sent, again = Message.objects.filter(template="appeal_answered").order_by("pk")
    assert f"/verify/{first.code}/" in first_sent.body and f"/verify/{corrected.code}/" in again.body
    assert Event.objects.get(appeal=appeal, kind=EventKind.CORRECTED).data["replaces"] == first.pk


def test_a_correction_after_ten_days_is_refused(tree, appeal):
    answer_approve(actor=tree.hokim, answer=draft(tree, appeal), now=at(2026, 11, 16))
    with pytest.raises(Refused) as refused:
        answer_correct(actor=tree.hokim, appeal=appeal, text="Kech", now=at(2026, 11, 27))
    assert refused.value.code == AppealRefusal.CORRECTION_LATE
    assert Answer.objects.filter(appeal=appeal).count() == 1


def test_an_open_appeal_has_no_answer_to_correct(tree, appeal):
    with pytest.raises(Refused) as refused:
        answer_correct(actor=tree.hokim, appeal=appeal, text="Tuzatish", now=at(2026, 11, 10))
    assert refused.value.code == AppealRefusal.STATE
