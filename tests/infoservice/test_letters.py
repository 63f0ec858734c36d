"""The answer letter and its verification page: the PDF in the author's language with the appeal's and the
letter's numbers, the outcome, the approver and a QR code to `infoservice:verify`; the page names the same
facts and the digest, never the author; a corrected letter's old code says it was replaced; unknown codes
and drafts are "no such letter"; lookups are limited per client."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from darcha.core.throttle import ClientLimit
from darcha.infoservice.letters import answer_for_code, answer_number, letter_bytes
from darcha.infoservice.services.answers import answer_approve, answer_correct, answer_draft
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.views import verify as verify_views
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    tree = hokimiyat_tree()
    tree.hokim.first_name, tree.hokim.last_name = "Sherzod", "Rahimov"
    tree.hokim.save()
    return tree


def answered(tree, language="uz", text="Yo‘l 20-noyabrgacha ta’mirlanadi."):
    appeal = file_appeal(tree, at(2026, 11, 2), language=language)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    draft = answer_draft(
        actor=tree.executor, appeal=fresh(appeal), outcome="explained", text=text, now=at(2026, 11, 12)
    )
    return answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 11, 16))


def pdf_text(answer) -> str:
    reader = PdfReader(io.BytesIO(letter_bytes(answer)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_letter_names_the_case_the_approver_and_its_verification_address(tree):
    answer = answered(tree)
    text = pdf_text(answer)
    appeal = answer.appeal
    assert answer_number(answer) == f"{appeal.number}/1"
    for expected in (
        "CHUST TUMANI HOKIMLIGI",
        f"{appeal.number}/1",
        "Karimov Anvar",
        "20-noyabrgacha",
        "Sherzod Rahimov",
        answer.code,
        f"/appeals/verify/{answer.code}/",
    ):
        assert expected in text, expected


def test_a_letter_in_russian_is_written_under_the_russian_address(tree):
    answer = answered(tree, language="ru", text="Дорога будет отремонтирована до 20 ноября.")
    text = pdf_text(answer)
    assert "ХОКИМИЯТ ЧУСТСКОГО РАЙОНА" in text and "отремонтирована" in text
    assert f"/ru/appeals/verify/{answer.code}/" in text
    assert "16 ноября 2026" in text  # the day the head approved it, as Russian writes it


def test_the_verification_page_shows_the_facts_and_the_digest_not_the_author(tree, client):
    answer = answered(tree)
    response = client.get(reverse("infoservice:verify", args=[answer.code.lower()]))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (answer.appeal.number, f"{answer.appeal.number}/1", "Sherzod Rahimov", answer.sha256, answer.code):
        assert expected in page, expected
    for secret in ("Karimov", "Anvar", "901112233", "Navbahor"):
        assert secret not in page
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_a_corrected_letters_old_code_says_it_was_replaced(tree, client):
    first = answered(tree)
    corrected = answer_correct(actor=tree.hokim, appeal=first.appeal, text="Tuzatilgan javob", now=at(2026, 11, 18))
    assert pdf_text(corrected).count(f"{first.appeal.number}/1") == 1  # "corrects the answer …/1"
    page = client.get(reverse("infoservice:verify", args=[first.code])).content.decode()
    assert f"{first.appeal.number}/2" in page
    assert client.get(reverse("infoservice:verify", args=[corrected.code])).status_code == 200


def test_an_unknown_code_or_a_drafts_is_no_such_letter(tree, client):
    appeal = file_appeal(tree, at(2026, 11, 2))
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=at(2026, 11, 3))
    draft = answer_draft(actor=tree.executor, appeal=fresh(appeal), outcome="explained", text="X", now=at(2026, 11, 12))
    draft.code = "ABCDEFGHJKLM"
    draft.save(update_fields=["code"])
    assert answer_for_code("ABCDEFGHJKLM") is None
    assert client.get(reverse("infoservice:verify", args=["ABCDEFGHJKLM"])).status_code == 404
    assert client.get(reverse("infoservice:verify", args=["NOPE" * 10])).status_code == 404


def test_lookups_are_limited_per_client(tree, client, monkeypatch):
    answer = answered(tree)
    monkeypatch.setitem(verify_views.LIMITS, "verify", ClientLimit("appeals-verify-test", attempts=2, window=600))
    for _ in range(2):
        assert client.get(reverse("infoservice:verify", args=["WRONGWRONG22"])).status_code == 404
    assert client.get(reverse("infoservice:verify", args=[answer.code])).status_code == 429
