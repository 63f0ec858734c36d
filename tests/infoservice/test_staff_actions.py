"""Every action on an appeal's page, through the page: done, it redirects back to the appeal (303) with
the change made; refused, the page comes back with the service's message beside that form, the status
keeps its meaning (400 bad input, 409 not possible now, 403 not for this user) and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from darcha.infoservice import terms
from darcha.infoservice.choices import AppealStatus, AppealType, EventKind, Outcome
from darcha.infoservice.models import Answer, Appeal, Assignment, Event, Extension, Forward, Resolution
from darcha.infoservice.services import answer_approve, answer_draft, appeal_extend
from tests.infoservice.staff_helpers import assigned, filed, page
from tests.infoservice.work_helpers import fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def post(client, user, appeal, action, data=None):
    client.force_login(user)
    return client.post(page(appeal, action), data or {})


def refused_beside(response, action: str, message: str) -> None:
    """The page came back with the message inside the action's form."""
    html = response.content.decode()
    assert message in html
    start = html.index(f'id="action-{action}"')
    assert message in html[start : start + 6000]


# --- routing ------------------------------------------------------------------------------------------
def test_the_officer_assigns_the_executor_and_co_executors(client, tree):
    appeal = filed(tree)
    response = post(
        client,
        tree.officer,
        appeal,
        "assign",
        {"executor": tree.department.pk, "co_executors": [tree.other_department.pk], "official": tree.executor.pk},
    )
    assert response.status_code == 303 and response["Location"].endswith(page(appeal)[3:])
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.IN_WORK and appeal.executor == tree.department
    rows = {(a.executor_id, a.role, a.official_id) for a in Assignment.objects.filter(appeal=appeal)}
    assert rows == {(tree.department.pk, "main", tree.executor.pk), (tree.other_department.pk, "co", None)}
    assert not Assignment.objects.get(appeal=appeal, role="main").suggested


def test_assigning_the_suggested_executor_keeps_the_confidence_and_another_does_not(client, tree):
    first, second = filed(tree), filed(tree, text="Boshqa matn: suv quvuri yorilgan.")
    suggested = {"suggested_executor": tree.department.pk, "confidence": "0.83"}
    post(client, tree.officer, first, "assign", {"executor": tree.department.pk, **suggested})
    post(client, tree.officer, second, "assign", {"executor": tree.other_department.pk, **suggested})
    main = Assignment.objects.get(appeal=first, role="main")
    assert main.suggested and main.confidence == pytest.approx(0.83)
    other = Assignment.objects.get(appeal=second, role="main")
    assert not other.suggested and other.confidence is None


def test_an_executor_outside_the_choices_is_refused_with_nothing_assigned(client, tree):
    appeal = filed(tree)
    response = post(client, tree.officer, appeal, "assign", {"executor": tree.other_hokimiyat.pk})
    assert response.status_code == 400
    assert fresh(appeal).status == AppealStatus.REGISTERED
    assert not Assignment.objects.filter(appeal=appeal).exists()


def test_the_forward_to_the_body_complained_about_is_refused_with_the_services_message(client, tree):
    appeal = filed(tree, complained_body=tree.far_agency)
    response = post(
        client, tree.officer, appeal, "forward", {"to_organization": tree.far_agency.pk, "ground": "Ular vakolatli."}
    )
    assert response.status_code == 409
    refused_beside(response, "forward", "the law forbids forwarding it there")
    assert not Forward.objects.filter(appeal=appeal).exists()
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_a_forward_without_a_ground_is_refused(client, tree):
    appeal = filed(tree)
    response = post(client, tree.officer, appeal, "forward", {"to_organization": tree.far_agency.pk, "ground": ""})
    assert response.status_code == 400
    refused_beside(response, "forward", "Give the ground for forwarding")
    assert not Forward.objects.filter(appeal=appeal).exists()


def test_a_forward_with_its_ground_closes_the_appeal(client, tree):
    appeal = filed(tree)
    response = post(client, tree.officer, appeal, "forward", {"to_name": "Viloyat gaz ta’minoti", "ground": "Gaz."})
    assert response.status_code == 303
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.CLOSED and appeal.outcome == Outcome.FORWARDED
    assert Forward.objects.get(appeal=appeal).to_name == "Viloyat gaz ta’minoti"


def test_return_with_reasons_and_without(client, tree):
    appeal = filed(tree)
    assert post(client, tree.officer, appeal, "return", {"reasons": " "}).status_code == 400
    assert fresh(appeal).is_open
    assert post(client, tree.officer, appeal, "return", {"reasons": "Manzil yo‘q."}).status_code == 303
    assert fresh(appeal).outcome == Outcome.RETURNED


def test_the_hokim_gives_a_resolution_and_the_officer_may_not(client, tree):
    appeal = assigned(tree)
    day = timezone.localtime(appeal.due_at).date().isoformat()
    data = {"text": "Uch kunda hal qiling.", "due_date": day, "executors": [tree.other_department.pk]}
    response = post(client, tree.officer, appeal, "resolution", data)
    assert response.status_code == 403
    assert not Resolution.objects.filter(appeal=appeal).exists()
    assert post(client, tree.hokim, appeal, "resolution", data).status_code == 303
    assert Resolution.objects.get(appeal=appeal).text == "Uch kunda hal qiling."
    assert Assignment.objects.filter(appeal=appeal, executor=tree.other_department, role="co").exists()


# --- terms ------------------------------------------------------------------------------------------
def test_a_study_extension_then_a_second_one_is_refused(client, tree):
    appeal = assigned(tree)
    response = post(client, tree.executor, appeal, "extend", {"kind": "study", "reason": "Ekspertiza kerak."})
    assert response.status_code == 303
    extended = fresh(appeal)
    assert extended.extended and extended.due_at > appeal.due_at
    response = post(client, tree.officer, appeal, "extend", {"kind": "study", "reason": "Yana."})
    assert response.status_code == 409
    refused_beside(response, "extend", "already been extended for study")
    assert Extension.objects.filter(appeal=appeal).count() == 1


def test_a_second_head_extension_is_refused(client, tree):
    appeal = assigned(tree)
    assert post(client, tree.hokim, appeal, "extend", {"kind": "head", "reason": "Istisno."}).status_code == 303
    due = fresh(appeal).due_at
    response = post(client, tree.hokim, appeal, "extend", {"kind": "head", "reason": "Yana bir marta."})
    assert response.status_code == 409
    refused_beside(response, "extend", "The head has already extended this term once.")
    assert fresh(appeal).due_at == due


def test_an_extension_beyond_the_limit_is_refused(client, tree):
    appeal = assigned(tree)
    limit = terms.study_due(terms.local_day(appeal.registered_at), terms_calendar())
    beyond = (limit + dt.timedelta(days=3)).isoformat()
    response = post(client, tree.officer, appeal, "extend", {"kind": "study", "reason": "Uzoq.", "until": beyond})
    assert response.status_code == 409
    refused_beside(response, "extend", "The law allows this extension until")
    assert fresh(appeal).due_at == appeal.due_at and not fresh(appeal).extended


def test_the_officer_is_not_offered_nor_allowed_the_heads_extension(client, tree):
    appeal = assigned(tree)
    client.force_login(tree.officer)
    assert 'value="head"' not in client.get(page(appeal)).content.decode()
    assert post(client, tree.officer, appeal, "extend", {"kind": "head", "reason": "Istisno."}).status_code == 400
    assert not fresh(appeal).head_extended


def test_the_study_notice_of_a_proposal(client, tree):
    appeal = assigned(tree, type=AppealType.PROPOSAL)
    assert post(client, tree.officer, appeal, "study_notice", {"reason": ""}).status_code == 400
    assert post(client, tree.officer, appeal, "study_notice", {"reason": "Hisob-kitob kerak."}).status_code == 303
    assert Event.objects.filter(appeal=appeal, kind=EventKind.STUDY_NOTICE).count() == 1
    response = post(client, tree.officer, appeal, "study_notice", {"reason": "Yana."})
    assert response.status_code == 409
    assert Event.objects.filter(appeal=appeal, kind=EventKind.STUDY_NOTICE).count() == 1


# --- answers ------------------------------------------------------------------------------------------
def test_the_executor_drafts_and_the_hokim_approves(client, tree):
    appeal = assigned(tree)
    assert post(client, tree.executor, appeal, "draft", {"outcome": "satisfied", "text": ""}).status_code == 400
    assert fresh(appeal).status == AppealStatus.IN_WORK
    response = post(client, tree.executor, appeal, "draft", {"outcome": "satisfied", "text": "Yo‘l tuzatildi."})
    assert response.status_code == 303 and fresh(appeal).status == AppealStatus.ON_APPROVAL
    assert post(client, tree.officer, appeal, "approve").status_code == 403
    assert post(client, tree.hokim, appeal, "approve").status_code == 303
    appeal = fresh(appeal)
    assert appeal.status == AppealStatus.CLOSED and appeal.outcome == Outcome.SATISFIED
    letter = Answer.objects.get(appeal=appeal)
    client.force_login(tree.hokim)
    response = client.get(page(appeal, f"letters/{letter.pk}"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Nothing is awaiting approval any more: approving again is refused.
    assert post(client, tree.hokim, appeal, "approve").status_code == 409


def test_the_hokim_sends_a_draft_back_with_what_to_change(client, tree):
    appeal = assigned(tree)
    answer_draft(actor=tree.executor, appeal=appeal, outcome=Outcome.EXPLAINED, text="Tushuntirildi.")
    assert post(client, tree.hokim, appeal, "send_back", {"comment": ""}).status_code == 400
    assert post(client, tree.hokim, appeal, "send_back", {"comment": "Sanani yozing."}).status_code == 303
    assert fresh(appeal).status == AppealStatus.IN_WORK
    assert Answer.objects.get(appeal=appeal).sent_back_comment == "Sanani yozing."


def test_an_anonymous_appeal_ends_not_considered_with_the_approved_conclusion(client, tree):
    appeal = filed(tree, author_name="", author_address="")
    client.force_login(tree.officer)
    html = client.get(page(appeal)).content.decode()
    assert "This appeal cannot be considered" in html
    assert 'value="not_considered:anonymous" selected' in html
    response = post(
        client, tree.officer, appeal, "conclusion", {"ground": "not_considered:anonymous", "text": "Ism yo‘q."}
    )
    assert response.status_code == 303
    assert post(client, tree.hokim, appeal, "approve").status_code == 303
    appeal = fresh(appeal)
    assert appeal.outcome == Outcome.NOT_CONSIDERED
    assert Answer.objects.get(appeal=appeal).ground == "anonymous"


def test_a_repeated_appeal_is_terminated_and_a_bad_ground_refused(client, tree):
    appeal = filed(tree)
    response = post(client, tree.officer, appeal, "conclusion", {"ground": "terminated:nonsense", "text": "x"})
    assert response.status_code == 400 and fresh(appeal).status == AppealStatus.REGISTERED
    data = {"ground": "terminated:repeated", "text": "Yangi dalil yo‘q."}
    assert post(client, tree.officer, appeal, "conclusion", data).status_code == 303
    answer_approve(actor=tree.hokim, answer=Answer.objects.get(appeal=appeal))
    assert fresh(appeal).outcome == Outcome.TERMINATED


def _answered(tree, **fields) -> Appeal:
    appeal = assigned(tree, **fields)
    answer = answer_draft(actor=tree.executor, appeal=appeal, outcome=Outcome.EXPLAINED, text="Javob.")
    answer_approve(actor=tree.hokim, answer=answer)
    return fresh(appeal)


def test_publishing_only_with_the_authors_consent(client, tree):
    without = _answered(tree)
    response = post(client, tree.officer, without, "publish", {"published_text": "Yo‘l haqida murojaat."})
    assert response.status_code == 409 and fresh(without).published_at is None
    agreed = _answered(tree, consent_publish=True, text="Boshqa: bog‘cha yonida yo‘lak yo‘q.")
    client.force_login(tree.officer)
    assert 'id="action-publish"' in client.get(page(agreed)).content.decode()
    assert post(client, tree.officer, agreed, "publish", {"published_text": ""}).status_code == 400
    assert post(client, tree.officer, agreed, "publish", {"published_text": "Yo‘lak so‘raldi."}).status_code == 303
    assert fresh(agreed).published_text == "Yo‘lak so‘raldi."


def test_an_action_on_a_closed_appeal_is_refused_as_not_possible_now(client, tree):
    appeal = _answered(tree)
    response = post(client, tree.officer, appeal, "return", {"reasons": "Kech."})
    assert response.status_code == 409
    assert "The appeal is closed." in response.content.decode()


def test_a_head_extension_after_the_study_one_moves_the_term_again(client, tree):
    appeal = assigned(tree)
    appeal_extend(actor=tree.officer, appeal=appeal, kind="study", reason="O‘rganish.")
    study_due = fresh(appeal).due_at
    assert post(client, tree.hokim, appeal, "extend", {"kind": "head", "reason": "Istisno."}).status_code == 303
    assert fresh(appeal).due_at > study_due


def terms_calendar():
    from darcha.core.calendar import WorkingCalendar

    return WorkingCalendar.current()


def test_the_officer_sees_the_models_suggestion_preselected_and_may_choose_otherwise(client, tree, monkeypatch):
    from darcha.infoservice import routing_model
    from darcha.infoservice.models import Topic

    topic = Topic.objects.create(code="roads", name_uz="Yo‘llar", name_ru="Дороги")
    suggestion = routing_model.Suggestion(
        topic=topic,
        topic_confidence=0.9,
        executor=tree.department,
        executor_confidence=0.76,
        executor_words=("yol", "chuqur"),
    )
    monkeypatch.setattr(routing_model, "suggest", lambda appeal, organization=None: suggestion)
    appeal = filed(tree)
    client.force_login(tree.officer)
    html = client.get(page(appeal)).content.decode()
    assert "Suggested from the text" in html and "76%" in html and "yol, chuqur" in html
    assert f'<option value="{tree.department.pk}" selected>' in html
    assert f'name="suggested_executor" value="{tree.department.pk}"' in html
    data = {"executor": tree.department.pk, "suggested_executor": tree.department.pk, "confidence": "0.76"}
    assert post(client, tree.officer, appeal, "assign", data).status_code == 303
    main = Assignment.objects.get(appeal=appeal, role="main")
    assert main.suggested and main.confidence == pytest.approx(0.76)


def test_a_failing_model_leaves_the_page_and_the_hand_assignment(client, tree, monkeypatch):
    from darcha.infoservice import routing_model

    def broken(appeal, organization=None):
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(routing_model, "suggest", broken)
    appeal = filed(tree)
    client.force_login(tree.officer)
    response = client.get(page(appeal))
    assert response.status_code == 200 and "Suggested from the text" not in response.content.decode()
