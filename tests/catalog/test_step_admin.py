"""A step's output fields are edited inline on the step's admin page while its version is a draft; a
published version's step page changes nothing; a choice field without its choices is refused there."""

import pytest

from darcha.catalog.choices import Action, Outcome
from darcha.catalog.models import ProcedureVersion, StepField, Transition
from darcha.catalog.services import procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from tests.factories import OrganizationFactory, ServiceFactory, UserFactory, step

pytestmark = pytest.mark.django_db

PREFIX = "output_fields"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def draft_step(db):
    version = ProcedureVersion.objects.create(service=ServiceFactory(), number=1)
    return step(version, "issue", 1, OrganizationFactory())


def url(the_step) -> str:
    return f"/en/admin/catalog/step/{the_step.pk}/change/"


def posted(the_step, *fields) -> dict:
    data = {
        "code": the_step.code,
        "stage": the_step.stage,
        "agency": the_step.agency_id,
        "role": the_step.role,
        "term_days": the_step.term_days,
        "clock_stops_for_citizen": "on",
        "name_uz": the_step.name_uz,
        "citizen_label_uz": the_step.citizen_label_uz,
        f"{PREFIX}-TOTAL_FORMS": len(fields),
        f"{PREFIX}-INITIAL_FORMS": 0,
        f"{PREFIX}-MIN_NUM_FORMS": 0,
        f"{PREFIX}-MAX_NUM_FORMS": 1000,
    }
    for i, field in enumerate(fields):
        data.update({f"{PREFIX}-{i}-{key}": value for key, value in field.items()})
    return data


ENTRY = {"position": 1, "code": "entry", "kind": "text", "required": "on", "label_uz": "Yozuv raqami"}


def test_the_fields_are_added_inline_on_a_draft_s_step(admin_client, draft_step):
    page = admin_client.get(url(draft_step)).content.decode()
    assert f'name="{PREFIX}-TOTAL_FORMS"' in page
    use = {
        "position": 2,
        "code": "use",
        "kind": "choice",
        "label_uz": "Foydalanish maqsadi",
        "options_uz": "Turar joy\nNoturar joy",
        "options_ru": "Жилое\nНежилое",
    }
    response = admin_client.post(url(draft_step), posted(draft_step, ENTRY, use))
    assert response.status_code == 302, response.content.decode()[:2000]
    fields = list(StepField.objects.filter(step=draft_step).order_by("position"))
    assert [(f.code, f.kind, f.required) for f in fields] == [("entry", "text", True), ("use", "choice", False)]
    assert AuditEntry.objects.filter(object_type="catalog.stepfield").count() == 2


def test_a_choice_field_without_choices_is_refused(admin_client, draft_step):
    bad = {"position": 1, "code": "use", "kind": "choice", "label_uz": "Foydalanish maqsadi"}
    response = admin_client.post(url(draft_step), posted(draft_step, bad))
    assert response.status_code == 200 and "List the choices, one a line." in response.content.decode()
    assert not StepField.objects.filter(step=draft_step).exists()


def test_a_published_step_s_fields_are_read_only(admin_client, draft_step):
    version = draft_step.version
    Transition.objects.create(version=version, action=Action.SUBMIT, to_step=draft_step)
    Transition.objects.create(version=version, from_step=draft_step, action=Action.APPROVE, outcome=Outcome.ISSUED)
    procedure_publish(actor=SYSTEM, version=version)
    page = admin_client.get(url(draft_step))
    assert page.status_code == 200 and f'name="{PREFIX}-0-code"' not in page.content.decode()
    response = admin_client.post(url(draft_step), posted(draft_step, ENTRY))
    assert response.status_code == 403
    assert not StepField.objects.filter(step=draft_step).exists()
