"""The answer letter is rendered after the approval, not inside it: the approval gives the code the QR code
and the author's message carry and queues the rendering on its commit; whoever needs the letter first (the
author's or the staff's download, the verification page, a complaint) renders it if the task has not, and
it is stored once — the same file and digest ever after, one audit entry. Inside `letters_on_demand` (the
demo's year of appeals) nothing is queued."""

import hashlib
import io
from unittest import mock

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from darcha.core.models import AuditEntry
from darcha.infoservice import letters
from darcha.infoservice.letters import letter_bytes, letter_ensure, letters_on_demand
from darcha.infoservice.models import Answer
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.routing import appeal_assign
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db
TASK = "darcha.infoservice.tasks.render_answer_letter"


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def approve(tree, capture, *, on_demand=False) -> Answer:
    appeal = file_appeal(tree, at(2026, 11, 2))
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    draft = answer_draft(actor=tree.executor, appeal=fresh(appeal), outcome="explained", text="X", now=at(2026, 11, 12))
    with capture(execute=True):
        if on_demand:
            with letters_on_demand():
                return answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 16))
        return answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 16))


def renders() -> int:
    return AuditEntry.objects.filter(action="answer_letter_render").count()


def test_the_approval_queues_the_rendering_and_stores_no_file(tree, django_capture_on_commit_callbacks):
    answer = approve(tree, django_capture_on_commit_callbacks)
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.code and not stored.file and stored.sha256 == ""
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_inside_letters_on_demand_nothing_is_queued(tree, django_capture_on_commit_callbacks):
    answer = approve(tree, django_capture_on_commit_callbacks, on_demand=True)
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()
    assert not Answer.objects.get(pk=answer.pk).file
    assert letter_bytes(answer).startswith(b"%PDF")  # rendered when first needed all the same


def test_a_queue_that_is_away_does_not_fail_the_approval(tree, django_capture_on_commit_callbacks):
    away = mock.Mock(**{"enqueue.side_effect": OSError("queue away")})
    with mock.patch("darcha.infoservice.tasks.render_answer_letter", away):
        answer = approve(tree, django_capture_on_commit_callbacks)
    assert away.enqueue.call_count == 1
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.approved_at is not None and fresh(stored.appeal).status == "closed"
    assert letters.render_letter_enqueue(answer.pk) is True  # the queue back: queued


def test_the_first_download_renders_the_letter_once_and_its_qr_names_the_verification_page(
    tree, client, django_capture_on_commit_callbacks
):
    answer = approve(tree, django_capture_on_commit_callbacks, on_demand=True)
    appeal = fresh(answer.appeal)
    response = client.get("/en/appeals/track/", {"number": appeal.number, "code": appeal.access_code})
    assert response.status_code == 303
    link = f"/en/appeals/my/{appeal.number}/letters/{answer.pk}.pdf"
    assert link in client.get(f"/en/appeals/my/{appeal.number}/").content.decode()  # offered before it exists
    first = client.get(link)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    stored = Answer.objects.get(pk=answer.pk)
    assert hashlib.sha256(first.content).hexdigest() == stored.sha256
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(first.content)).pages)
    assert f"/appeals/verify/{answer.code}/" in text
    again = client.get(link)
    assert again.content == first.content and renders() == 1
    assert Answer.objects.get(pk=answer.pk).file.name == stored.file.name


def test_the_verification_page_renders_a_letter_nobody_asked_for_and_shows_its_digest(
    tree, client, django_capture_on_commit_callbacks
):
    answer = approve(tree, django_capture_on_commit_callbacks, on_demand=True)
    page = client.get(reverse("infoservice:verify", args=[answer.code]))
    assert page.status_code == 200
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.sha256 and stored.sha256 in page.content.decode()
    assert hashlib.sha256(letter_bytes(stored)).hexdigest() == stored.sha256
    client.get(reverse("infoservice:verify", args=[answer.code]))
    assert renders() == 1


def test_the_staffs_download_renders_it_too(tree, client, django_capture_on_commit_callbacks):
    answer = approve(tree, django_capture_on_commit_callbacks, on_demand=True)
    client.force_login(tree.officer)
    page = client.get(f"/en/appeals/case/{answer.appeal.number}/").content.decode()
    link = reverse("infoservice:staff_letter", args=[answer.appeal.number, answer.pk])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert Answer.objects.get(pk=answer.pk).sha256 and renders() == 1


def test_a_draft_has_no_letter_to_render(tree):
    appeal = file_appeal(tree, at(2026, 11, 2))
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    draft = answer_draft(actor=tree.executor, appeal=fresh(appeal), outcome="explained", text="X", now=at(2026, 11, 12))
    assert not letter_ensure(draft).file and renders() == 0
