"""Who sees what on the staff's pages: a desk of a hokimiyat is its appeals officers' and hokim's (403 for
anyone else), an appeal is found only by those who may see it (404 for an officer of another hokimiyat,
an executor of another organization), files only through the permission-checked view, anonymous
visitors the login page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.core.choices import Role
from darcha.infoservice.choices import AppealStatus, Channel, Outcome
from darcha.infoservice.models import Answer, Assignment
from darcha.infoservice.services import appeal_assign
from tests.factories import PDF
from tests.infoservice.staff_helpers import EN, assigned, filed, inbox, page
from tests.infoservice.work_helpers import fresh, hokimiyat_tree, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def other_officer(tree):
    return staff("pop-officer", tree.other_hokimiyat, Role.APPEALS_OFFICER)


def test_anonymous_visitors_are_sent_to_log_in_and_a_post_changes_nothing(client, tree):
    appeal = filed(tree)
    response = client.get(inbox(tree))
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(page(appeal, "assign"), {"executor": tree.department.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_an_officer_of_another_hokimiyat_is_refused_its_desk_and_does_not_find_its_appeals(client, tree, other_officer):
    appeal = filed(tree)
    client.force_login(other_officer)
    assert client.get(inbox(tree)).status_code == 403
    assert client.get(f"{EN}/desk/{tree.hokimiyat.code}/overdue/").status_code == 403
    assert client.get(page(appeal)).status_code == 404
    assert client.post(page(appeal, "assign"), {"executor": tree.department.pk}).status_code == 404
    assert fresh(appeal).status == AppealStatus.REGISTERED


def test_only_the_hokim_works_at_the_heads_desk(client, tree):
    client.force_login(tree.officer)
    assert client.get(f"{EN}/desk/{tree.hokimiyat.code}/head/").status_code == 403
    client.force_login(tree.hokim)
    assert client.get(f"{EN}/desk/{tree.hokimiyat.code}/head/").status_code == 200
    assert client.get(inbox(tree)).status_code == 200  # the hokim includes the officer's powers


def test_an_executor_of_another_organization_neither_sees_nor_drafts(client, tree):
    appeal = assigned(tree)
    client.force_login(tree.other_executor)
    assert client.get(page(appeal)).status_code == 404
    assert client.get(f"{EN}/work/{tree.department.code}/").status_code == 403
    response = client.post(page(appeal, "draft"), {"outcome": "satisfied", "text": "Bajarildi."})
    assert response.status_code == 404
    assert not Answer.objects.filter(appeal=appeal).exists()


def test_an_executor_sees_only_what_its_organization_is_assigned(client, tree):
    appeal = filed(tree)
    client.force_login(tree.executor)
    assert client.get(page(appeal)).status_code == 404
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department)
    assert client.get(page(appeal)).status_code == 200
    assert client.get(inbox(tree)).status_code == 403


def test_a_co_executor_sees_the_appeal_but_the_main_executor_drafts(client, tree):
    appeal = filed(tree)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, co_executors=[tree.other_department])
    client.force_login(tree.other_executor)
    response = client.get(page(appeal))
    assert response.status_code == 200
    assert 'id="action-draft"' not in response.content.decode()
    response = client.post(page(appeal, "draft"), {"outcome": "satisfied", "text": "Bajarildi."})
    assert response.status_code == 403
    assert fresh(appeal).status == AppealStatus.IN_WORK


def test_the_executor_may_not_route_nor_approve(client, tree):
    appeal = assigned(tree)
    client.force_login(tree.executor)
    assert client.post(page(appeal, "forward"), {"to_name": "X", "ground": "Y"}).status_code == 403
    assert client.post(page(appeal, "assign"), {"executor": tree.other_department.pk}).status_code == 403
    assert Assignment.objects.get(appeal=appeal, done_at__isnull=True).executor == tree.department
    client.post(page(appeal, "draft"), {"outcome": "explained", "text": "Tushuntirildi."})
    assert client.post(page(appeal, "approve")).status_code == 403
    assert fresh(appeal).status == AppealStatus.ON_APPROVAL
    assert fresh(appeal).outcome == ""


def test_files_are_served_to_those_who_may_see_the_appeal_only(client, tree, other_officer):
    appeal = filed(tree, channel=Channel.LETTER, scan=SimpleUploadedFile("xat.pdf", PDF))
    scan = appeal.attachments.get()
    address = page(appeal, f"files/{scan.pk}")
    client.force_login(tree.officer)
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    client.force_login(other_officer)
    assert client.get(address).status_code == 404
    client.force_login(tree.executor)
    assert client.get(address).status_code == 404
    client.logout()
    assert client.get(address).status_code == 302
    # The file is never under a public address: the page links the checked view.
    client.force_login(tree.officer)
    assert f'href="{address}"' in client.get(page(appeal)).content.decode()
    assert "/media/" not in client.get(page(appeal)).content.decode()


def test_a_letter_is_served_only_once_approved(client, tree):
    appeal = assigned(tree)
    client.force_login(tree.executor)
    client.post(page(appeal, "draft"), {"outcome": "explained", "text": "Tushuntirildi."})
    draft = Answer.objects.get(appeal=appeal)
    assert client.get(page(appeal, f"letters/{draft.pk}")).status_code == 404
    client.force_login(tree.hokim)
    client.post(page(appeal, "approve"))
    assert fresh(appeal).outcome == Outcome.EXPLAINED
    client.force_login(tree.executor)
    assert client.get(page(appeal, f"letters/{draft.pk}")).status_code == 200


def test_staff_without_an_appeals_role_are_refused(client, tree):
    appeal = filed(tree)
    operator = staff("center-operator", tree.center, Role.OPERATOR)
    client.force_login(operator)
    assert client.get(page(appeal)).status_code == 403
    assert client.get(inbox(tree)).status_code == 403
