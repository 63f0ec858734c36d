"""The words of the front office's pages (issue 9, item 7): a free service is "free of charge" (not
"empty"), file sizes have a space and their unit, the history names who acted and which agency in the
page's language, and a result is named in the page's language whatever the applicant's."""

import io
import re

import pytest
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from darcha.cases.choices import EventKind
from darcha.cases.models import Application, Event
from darcha.cases.receipts import receipt_pdf
from darcha.core.models import User
from tests.core.helpers import PageText, leftovers

pytestmark = pytest.mark.django_db

CENTER = "namangan-city-center"
RATED = "26-0000006"  # handed over and rated by the applicant (the demo's applications)
READY_RU = "26-0000005"  # ready, filed by a Russian-speaking applicant


def text(response) -> str:
    assert response.status_code == 200
    parser = PageText()
    parser.feed(response.content.decode())
    return parser.text()


@pytest.fixture
def operator(client, demo):
    client.force_login(User.objects.get(username="operator1"))
    return client


def test_a_free_service_is_free_of_charge_not_empty(operator):
    for prefix, free, wrong in (("", "Bepul", "boʻsh"), ("/ru", "Бесплатно", "свободно")):
        page = text(operator.get(f"{prefix}/front/{CENTER}/applications/new/?service=birth-registration"))
        assert free in page
        assert wrong not in page.lower()


def test_the_history_names_the_applicant_and_the_agency_in_the_pages_language(operator):
    russian = text(operator.get(f"/ru/front/{CENTER}/applications/{RATED}/"))
    history = russian[russian.index("История") :]
    assert "citizen" not in history and "Заявитель" in history
    assert "(Кадастр)" in history and "(Kadastr)" not in history
    uzbek = text(operator.get(f"/front/{CENTER}/applications/{RATED}/"))
    assert "(Kadastr)" in uzbek and "Ariza beruvchi" in uzbek[uzbek.index("Tarix") :]


def test_a_result_is_named_in_the_pages_language_and_its_size_has_a_unit(operator):
    uzbek = text(operator.get(f"/front/{CENTER}/applications/{READY_RU}/"))
    assert "Кадастровый паспорт" not in uzbek and "Kadastr pasporti" in uzbek
    assert re.search(r"PDF, \d+(,\d)? (bayt|KB|MB)", uzbek), uzbek
    russian = text(operator.get(f"/ru/front/{CENTER}/applications/{READY_RU}/"))
    assert "Кадастровый паспорт" in russian
    assert re.search(r"PDF, \d+(,\d)? (байт|байта|КБ|МБ)", russian)


def test_every_action_and_internal_note_of_the_history_is_named_in_the_pages_language(operator):
    application = Application.objects.get(number=RATED)
    task = application.tasks.order_by("pk").first()
    for action in ("return", "request_documents"):
        Event.objects.create(
            application=application,
            task=task,
            kind=EventKind.ACTION,
            action=action,
            actor_label="system",
            public=False,
            created_at=timezone.now(),
        )
    russian = text(operator.get(f"/ru/front/{CENTER}/applications/{RATED}/"))
    history = russian[russian.index("История") :]
    assert "Вернуть на предыдущий этап" in history and "Запросить документы у гражданина" in history
    assert "внутреннее" in history and "Система" in history
    for raw in ("return", "request_documents", "internal", "system"):
        assert raw not in history


@pytest.mark.parametrize("number", [RATED, READY_RU])  # an Uzbek and a Russian applicant
def test_a_receipt_speaks_its_applicants_language_with_its_date_formats(demo, number):
    application = Application.objects.get(number=number)
    content = receipt_pdf(application, "a4")
    printed = " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages).split())
    assert leftovers({f"receipt {number}": printed}, application.language) == []
    with translation.override(application.language):
        submitted = formats.date_format(timezone.localtime(application.submitted_at), "SHORT_DATETIME_FORMAT")
        due = formats.date_format(timezone.localtime(application.due_at), "SHORT_DATE_FORMAT")
    assert submitted in printed and due in printed
