"""The author's side: the rating (not satisfied flags the appeal to the head), a clarification within 10
days of the answer, a complaint to the region's hokimiyat within a year, withdrawal; and publishing in
the archive only with the author's consent. Real dates: an answer approved on Monday 16 November 2026 may
be clarified until Thursday 26 November 2026 and complained about until Tuesday 16 November 2027."""

import pytest
from django.core.exceptions import ValidationError

from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.choices import AppealRefusal, AppealStatus, AppealType, EventKind, Outcome
from darcha.infoservice.models import Appeal, Event
from darcha.infoservice.services import AUTHOR
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.author import (
    appeal_clarification,
    appeal_complaint,
    appeal_publish,
    appeal_rate,
    appeal_withdraw,
    higher_body_of,
)
from darcha.infoservice.services.routing import appeal_assign, appeal_forward
from darcha.notify.models import Message
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def in_work(tree, **fields):
    appeal = file_appeal(tree, at(2026, 11, 2), **fields)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    return fresh(appeal)


@pytest.fixture
def answered(tree):
    appeal = in_work(tree, consent_publish=True)
    draft = answer_draft(
        actor=tree.executor, appeal=appeal, outcome=Outcome.REFUSED, text="Yo‘l rejada yo‘q.", now=at(2026, 11, 12)
    )
    answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 16))
    return fresh(appeal)


def test_satisfied_is_recorded_and_flags_nothing(tree, answered):
    appeal_rate(actor=AUTHOR, appeal=answered, satisfaction="satisfied", now=at(2026, 11, 17))
    appeal = fresh(answered)
    assert appeal.satisfaction == "satisfied" and not appeal.flagged_to_head


def test_not_satisfied_flags_the_appeal_to_the_head(tree, answered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal_rate(
            actor=AUTHOR,
            appeal=answered,
            satisfaction="not_satisfied",
            note="Yo‘l hali ham buzuq",
            now=at(2026, 11, 17),
        )
    appeal = fresh(answered)
    assert appeal.flagged_to_head and appeal.satisfaction_note == "Yo‘l hali ham buzuq"
    assert Message.objects.filter(template="appeal_not_satisfied", address="hokim@example.org").exists()
    assert Event.objects.get(appeal=appeal, kind=EventKind.RATED).data["flagged"] is True
    with pytest.raises(Refused) as refused:
        appeal_rate(actor=AUTHOR, appeal=appeal, satisfaction="satisfied", now=at(2026, 11, 18))
    assert refused.value.code == AppealRefusal.ALREADY_RATED


def test_a_rating_needs_an_answer_a_known_value_and_the_author(tree, answered):
    open_appeal = in_work(tree)
    with pytest.raises(Refused) as refused:
        appeal_rate(actor=AUTHOR, appeal=open_appeal, satisfaction="satisfied", now=at(2026, 11, 17))
    assert refused.value.code == AppealRefusal.STATE
    with pytest.raises(ValidationError):
        appeal_rate(actor=AUTHOR, appeal=answered, satisfaction="maybe", now=at(2026, 11, 17))
    with pytest.raises(Forbidden):
        appeal_rate(actor=tree.executor, appeal=answered, satisfaction="satisfied", now=at(2026, 11, 17))
    assert fresh(answered).satisfaction == ""


def test_a_clarification_within_ten_days_is_a_new_appeal_following_it(tree, answered):
    follow = appeal_clarification(
        actor=AUTHOR, appeal=answered, text="Qachon rejaga kiritiladi?", now=at(2026, 11, 26, 15)
    )
    assert follow.follows == answered and follow.organization == tree.hokimiyat
    assert follow.number != answered.number and follow.author_name == "Karimov Anvar"
    assert follow.status == AppealStatus.REGISTERED
    assert Event.objects.get(appeal=answered, kind=EventKind.CLARIFICATION).data["number"] == follow.number


def test_a_clarification_after_ten_days_is_refused(tree, answered):
    with pytest.raises(Refused) as refused:
        appeal_clarification(actor=AUTHOR, appeal=answered, text="Kech", now=at(2026, 11, 27))
    assert refused.value.code == AppealRefusal.CLARIFICATION_LATE
    assert Appeal.objects.count() == 1


def test_a_complaint_within_a_year_goes_to_the_regions_hokimiyat_prepared_from_the_case(tree, answered):
    assert higher_body_of(answered) == tree.region_hokimiyat
    complaint = appeal_complaint(
        actor=AUTHOR, appeal=answered, text="Tuman hokimligi yo‘lni ta’mirlamadi.", now=at(2027, 11, 16)
    )
    assert complaint.organization == tree.region_hokimiyat
    assert complaint.type == AppealType.COMPLAINT and complaint.complained_body == tree.hokimiyat
    assert complaint.follows == answered
    answer = answered.answers.get()
    assert answered.number in complaint.text and f"/appeals/verify/{answer.code}/" in complaint.text
    assert "Yo‘l rejada yo‘q" not in complaint.text  # the answer is attached, the appeal's own text quoted
    assert answered.text in complaint.text
    attachment = complaint.attachments.get()
    assert attachment.file.name == answer.file.name and attachment.content_type == "application/pdf"
    # The higher body may not send it back to the hokimiyat complained about.
    with pytest.raises(Refused) as refused:
        appeal_forward(
            actor=tree.region_officer, appeal=complaint, ground="Tuman vakolatida", to_organization=tree.hokimiyat
        )
    assert refused.value.code == AppealRefusal.FORWARD_TO_COMPLAINED_BODY


def test_a_complaint_after_a_year_is_refused(tree, answered):
    with pytest.raises(Refused) as refused:
        appeal_complaint(actor=AUTHOR, appeal=answered, text="Kech", now=at(2027, 11, 17))
    assert refused.value.code == AppealRefusal.COMPLAINT_LATE
    assert Appeal.objects.count() == 1


def test_withdrawal_terminates_the_appeal_and_its_pending_draft(tree):
    appeal = in_work(tree)
    draft = answer_draft(actor=tree.executor, appeal=appeal, outcome="explained", text="X", now=at(2026, 11, 12))
    appeal_withdraw(actor=AUTHOR, appeal=appeal, now=at(2026, 11, 13))
    appeal = fresh(appeal)
    assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.TERMINATED)
    assert Event.objects.get(appeal=appeal, kind=EventKind.TERMINATED).data["ground"] == "withdrawn"
    with pytest.raises(Refused):
        answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 13))
    with pytest.raises(Refused):
        appeal_withdraw(actor=AUTHOR, appeal=appeal, now=at(2026, 11, 14))


def test_publishing_needs_the_authors_consent_and_a_redacted_text(tree, answered):
    no_consent = in_work(tree)
    draft = answer_draft(actor=tree.executor, appeal=no_consent, outcome="explained", text="X", now=at(2026, 11, 12))
    answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 16))
    with pytest.raises(Refused) as refused:
        appeal_publish(actor=tree.officer, appeal=no_consent, published_text="Yo‘l haqida", now=at(2026, 11, 17))
    assert refused.value.code == AppealRefusal.NO_CONSENT
    with pytest.raises(ValidationError):
        appeal_publish(actor=tree.officer, appeal=answered, published_text=" ", now=at(2026, 11, 17))
    with pytest.raises(Forbidden):
        appeal_publish(actor=tree.executor, appeal=answered, published_text="Yo‘l haqida", now=at(2026, 11, 17))
    appeal_publish(
        actor=tree.officer, appeal=answered, published_text="Ko‘chadagi yo‘l buzilgan.", now=at(2026, 11, 17)
    )
    appeal = fresh(answered)
    assert appeal.published_at == at(2026, 11, 17) and appeal.published_text == "Ko‘chadagi yo‘l buzilgan."
    assert fresh(no_consent).published_at is None
