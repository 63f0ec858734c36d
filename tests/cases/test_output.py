"""A step's output: the fields a procedure's step declares, filled on the task page when the clerk
completes the step, refused when a required one is missing (nothing saved), stored on the task with
an audit entry, printed with their labels on the result (in the applicant's language, with the
issuing agency and the clerk) and shown on the verification page; the API takes them too."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from darcha.cases import output
from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, TaskStatus
from darcha.cases.models import Application, Result, Task
from darcha.catalog.choices import Action, FieldKind, Outcome
from darcha.catalog.models import FrozenError, ProcedureVersion, StepField, Transition
from darcha.catalog.services import procedure_new_draft, procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.core.models import AuditEntry
from tests.factories import OrganizationFactory, ServiceFactory, staff, step

pytestmark = pytest.mark.django_db

EN = "/en"
ENTRY = "Register entry number"
AREA = "Total area, m²"


def _field(the_step, code, position, kind, required, uz, ru, en, **options):
    return StepField.objects.create(
        step=the_step,
        code=code,
        position=position,
        kind=kind,
        required=required,
        label_uz=uz,
        label_ru=ru,
        label_en=en,
        **options,
    )


@pytest.fixture
def extract(db):
    """A one-step service of the cadastre whose result is generated from what the clerk fills in."""
    cadastre = OrganizationFactory(code="cadastre", name_uz="Kadastr agentligi", name_ru="Агентство кадастра")
    service = ServiceFactory(
        code="register-extract",
        responsible_agency=cadastre,
        fee_kind="free",
        fee_value=0,
        name_uz="Reyestrdan koʻchirma berish",
        name_ru="Выдача выписки из реестра",
        result_uz="Reyestrdan koʻchirma",
        result_ru="Выписка из реестра",
    )
    version = ProcedureVersion.objects.create(service=service, number=1)
    issue = step(version, "issue-extract", 1, cadastre, term=2)
    _field(issue, "entry", 1, FieldKind.TEXT, True, "Reyestr yozuvi raqami", "Номер записи в реестре", ENTRY)
    _field(issue, "area", 2, FieldKind.NUMBER, True, "Umumiy maydoni, m²", "Общая площадь, м²", AREA)
    _field(issue, "entered", 3, FieldKind.DATE, False, "Yozuv sanasi", "Дата записи", "Date of the entry")
    _field(
        issue,
        "use",
        4,
        FieldKind.CHOICE,
        True,
        "Foydalanish maqsadi",
        "Назначение",
        "Use",
        options_uz="Turar joy\nNoturar joy",
        options_ru="Жилое\nНежилое",
        options_en="Residential\nNon-residential",
    )
    Transition.objects.create(version=version, from_step=None, action=Action.SUBMIT, to_step=issue)
    Transition.objects.create(
        version=version, from_step=issue, action=Action.APPROVE, outcome=Outcome.ISSUED, effects=["issue_document"]
    )
    Transition.objects.create(version=version, from_step=issue, action=Action.REJECT, outcome=Outcome.REFUSED)
    procedure_publish(actor=SYSTEM, version=version)
    return service


@pytest.fixture
def clerk(extract):
    return staff(
        "cadastre.clerk",
        extract.responsible_agency,
        Role.AGENCY_CLERK,
        first_name="Dilshod",
        last_name="Rahimov",
        phone="",
        email="cadastre.clerk@example.org",
    )


def submitted(extract, applicant, center, operator, language="ru") -> Application:
    application = cases.application_submit(
        actor=operator,
        intake=cases.Intake(service=extract, applicant=applicant, center=center, presented=[], language=language),
    )
    return application


def task_of(application) -> Task:
    return Task.objects.select_related("agency", "step").get(application=application)


def task_url(task, tail="") -> str:
    return f"{EN}/office/{task.agency.code}/tasks/{task.pk}/{tail}"


FILLED = {
    "field_entry": "NAM-2026-004512",
    "field_area": "84,6",
    "field_entered": "2026-11-30",
    "field_use": "Turar joy",
}


def pdf_text(result: Result) -> str:
    with result.document.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# --- the task page ------------------------------------------------------------------------------
def test_the_task_page_asks_for_the_step_s_output(client, extract, clerk, applicant, center, operator):
    task = task_of(submitted(extract, applicant, center, operator))
    client.force_login(clerk)
    page = client.get(task_url(task)).content.decode()
    approve = page[page.index('id="action-approve"') : page.index("</form>", page.index('id="action-approve"'))]
    for label in (ENTRY, AREA, "Date of the entry", "Use"):
        assert label in approve
    assert 'name="field_entry"' in approve and 'name="field_entered" id="approve-field_entered"' in approve
    assert 'type="date"' in approve and '<option value="Turar joy">Residential</option>' in approve
    reject = page[page.index('id="action-reject"') :]
    assert 'name="field_entry"' not in reject[: reject.index("</form>")]  # a refusal fills no output


def test_completing_without_a_required_field_is_refused_and_nothing_is_saved(
    client, extract, clerk, applicant, center, operator
):
    application = submitted(extract, applicant, center, operator)
    task = task_of(application)
    audited = AuditEntry.objects.count()
    client.force_login(clerk)
    posted = {"action": "approve", "confirm": "1", **FILLED, "field_entry": "  "}
    response = client.post(task_url(task, "act/"), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Fill in “{ENTRY}”." in page
    assert 'value="84,6"' in page  # what was typed comes back
    task.refresh_from_db()
    application.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.output == {} and task.completed_at is None
    assert application.status == ApplicationStatus.IN_PROGRESS and not Result.objects.filter(application=application)
    assert AuditEntry.objects.count() == audited


def test_bad_values_are_refused_with_a_message_for_each_field(client, extract, clerk, applicant, center, operator):
    task = task_of(submitted(extract, applicant, center, operator))
    client.force_login(clerk)
    posted = {"action": "approve", "confirm": "1", **FILLED, "field_area": "about 80", "field_use": "Palace"}
    response = client.post(task_url(task, "act/"), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"“{AREA}” is a number, such as 120.5." in page and "Choose “Use” from the list." in page
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.output == {}


def test_the_result_carries_the_output_in_the_applicant_s_language_and_no_signature_it_lacks(
    client, extract, clerk, applicant, center, operator
):
    application = submitted(extract, applicant, center, operator, language="ru")
    task = task_of(application)
    client.force_login(clerk)
    response = client.post(task_url(task, "act/"), {"action": "approve", "confirm": "1", **FILLED})
    assert response.status_code == 303
    task.refresh_from_db()
    assert task.output == {"entry": "NAM-2026-004512", "area": "84.6", "entered": "2026-11-30", "use": "Turar joy"}
    entry = AuditEntry.objects.filter(action="task_approve").latest("id")
    assert entry.data["output"] == task.output

    text = pdf_text(Result.objects.get(application=application))
    for shown in (
        "Номер записи в реестре NAM-2026-004512",
        "Общая площадь, м² 84.6",
        "Дата записи 30.11.2026",
        "Назначение Жилое",
        "Агентство кадастра",
        "Rahimov",  # the clerk who completed the step
    ):
        assert shown in text, shown
    lowered = text.lower()
    for claim in ("подпис", "печать", "signed", "imzo", "muhr"):
        assert claim not in lowered, claim

    # The task page, afterwards, shows what was filled in.
    page = client.get(task_url(task)).content.decode()
    assert ENTRY in page and "NAM-2026-004512" in page and "Residential" in page


def test_the_verification_page_shows_the_same_fields(client, extract, clerk, applicant, center, operator):
    application = submitted(extract, applicant, center, operator)
    cases.task_act(
        actor=clerk,
        task=task_of(application),
        action=Action.APPROVE,
        fields=output.submitted(task_of(application).step.output_fields.all(), FILLED),
    )
    code = Result.objects.get(application=application).code
    page = client.get(f"{EN}/verify/{code}/").content.decode()
    for shown in (ENTRY, "NAM-2026-004512", AREA, "84.6", "Date of the entry", "30.11.2026", "Residential"):
        assert shown in page, shown
    assert "genuine" not in page.split("<h1", 1)[1].split("</h1>", 1)[0]  # the page proves a code, not a paper


def test_a_refusal_needs_no_output(extract, clerk, applicant, center, operator):
    application = submitted(extract, applicant, center, operator)
    cases.task_act(actor=clerk, task=task_of(application), action=Action.REJECT, comment="Obyekt reyestrda yoʻq")
    application.refresh_from_db()
    assert application.outcome == Outcome.REFUSED and task_of(application).output == {}


def test_the_api_takes_the_output(client, extract, clerk, applicant, center, operator):
    application = submitted(extract, applicant, center, operator)
    task = task_of(application)
    client.force_login(clerk)
    detail = client.get(f"/api/v1/tasks/{task.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    approve = next(a for a in detail["actions"] if a["action"] == "approve")
    assert [f["code"] for f in approve["fields"]] == ["entry", "area", "entered", "use"]
    assert approve["fields"][3] == {
        "code": "use",
        "label": "Use",
        "kind": "choice",
        "required": True,
        "choices": ["Turar joy", "Noturar joy"],
    }
    url = f"/api/v1/tasks/{task.pk}/actions/"
    refused = client.post(url, {"action": "approve", "fields": {"area": "12"}}, content_type="application/json")
    assert refused.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.output == {}
    fields = {"entry": "NAM-1", "area": "12", "use": "Noturar joy"}
    done = client.post(url, {"action": "approve", "fields": fields}, content_type="application/json")
    assert done.status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.output == fields


# --- the declaration ----------------------------------------------------------------------------
def test_a_published_step_s_fields_are_frozen_and_a_new_draft_copies_them(extract):
    field = StepField.objects.get(step__version__service=extract, code="entry")
    field.label_en = "Changed"
    with pytest.raises(FrozenError):
        field.save()
    with pytest.raises(FrozenError):
        field.delete()
    draft = procedure_new_draft(actor=SYSTEM, service=extract)
    copied = StepField.objects.filter(step__version=draft).order_by("position")
    assert [(f.code, f.kind, f.required, f.label_en) for f in copied] == [
        ("entry", "text", True, ENTRY),
        ("area", "number", True, AREA),
        ("entered", "date", False, "Date of the entry"),
        ("use", "choice", True, "Use"),
    ]
    assert copied.get(code="use").options_ru == "Жилое\nНежилое"


def test_a_choice_field_needs_its_choices_in_every_language_alike(extract):
    draft = procedure_new_draft(actor=SYSTEM, service=extract)
    use = StepField.objects.get(step__version=draft, code="use")
    use.options_ru = "Жилое"
    with pytest.raises(ValidationError) as error:
        use.full_clean()
    assert "options_ru" in error.value.message_dict
    use.options_ru = ""
    use.options_uz = ""
    use.save()
    with pytest.raises(ValidationError) as error:
        procedure_publish(actor=SYSTEM, version=draft)
    assert any("issue-extract.use" in message for message in error.value.messages)


def test_values_are_stored_in_one_form(extract):
    fields = list(StepField.objects.filter(step__version__service=extract).order_by("position"))
    assert output.clean_output(
        fields, {"entry": " A-1 ", "area": "1 204,50", "entered": "01.12.2026", "use": "Noturar joy", "x": "y"}
    ) == {"entry": "A-1", "area": "1204.50", "entered": "2026-12-01", "use": "Noturar joy"}
    with pytest.raises(ValidationError) as error:
        output.clean_output(fields, {"entry": "A", "area": "NaN", "entered": "31.02.2026", "use": "Noturar joy"})
    assert set(error.value.message_dict) == {"field_area", "field_entered"}
    with pytest.raises(ValidationError) as error:
        output.clean_output(fields, {"entry": "A" * (output.TEXT_MAX + 1), "area": "1", "use": "Turar joy"})
    assert set(error.value.message_dict) == {"field_entry"}
