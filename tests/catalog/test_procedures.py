import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from darcha.catalog.choices import Action, Outcome, VersionStatus
from darcha.catalog.models import FrozenError, ProcedureVersion, Transition
from darcha.catalog.services import procedure_new_draft, procedure_problems, procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from tests.factories import OrganizationFactory, ServiceFactory, step

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the assertions read the English messages
        yield


def draft_with_steps(*codes):
    service = ServiceFactory()
    version = ProcedureVersion.objects.create(service=service, number=1)
    agency = OrganizationFactory()
    return version, [step(version, code, i + 1, agency) for i, code in enumerate(codes)]


def test_valid_linear_procedure_publishes_and_freezes():
    version, (a, b) = draft_with_steps("a", "b")
    Transition.objects.create(version=version, action=Action.SUBMIT, to_step=a)
    Transition.objects.create(version=version, from_step=a, action=Action.APPROVE, to_step=b)
    Transition.objects.create(version=version, from_step=b, action=Action.APPROVE, outcome=Outcome.ISSUED)
    procedure_publish(actor=SYSTEM, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED and version.published_at
    assert AuditEntry.objects.filter(action="procedure_publish", object_id=str(version.pk)).exists()
    a.term_days = 99
    with pytest.raises(FrozenError):
        a.save()
    with pytest.raises(FrozenError):
        Transition.objects.create(version=version, from_step=a, action=Action.REJECT, outcome=Outcome.REFUSED)
    with pytest.raises(FrozenError):
        b.delete()


def test_unreachable_step_and_dead_end_are_reported():
    version, (a, b, c) = draft_with_steps("a", "b", "c")
    Transition.objects.create(version=version, action=Action.SUBMIT, to_step=a)
    Transition.objects.create(version=version, from_step=a, action=Action.APPROVE, to_step=b)
    Transition.objects.create(version=version, from_step=a, action=Action.REJECT, outcome=Outcome.REFUSED)
    problems = procedure_problems(version)
    assert any("“c” can never be reached" in p for p in problems)
    assert any("“b” the procedure never ends" in p for p in problems)
    assert any("No path issues a result" in p for p in problems)
    with pytest.raises(ValidationError):
        procedure_publish(actor=SYSTEM, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_a_loop_with_no_exit_never_ends():
    version, (a, b) = draft_with_steps("a", "b")
    Transition.objects.create(version=version, action=Action.SUBMIT, to_step=a)
    Transition.objects.create(version=version, from_step=a, action=Action.APPROVE, to_step=b)
    Transition.objects.create(version=version, from_step=b, action=Action.RETURN, to_step=a)
    problems = procedure_problems(version)
    assert any("“a” the procedure never ends" in p for p in problems)


def test_empty_procedure_and_missing_start():
    version, _ = draft_with_steps()
    assert procedure_problems(version) == ["The procedure has no steps."]
    version, (a,) = draft_with_steps("a")
    Transition.objects.create(version=version, from_step=a, action=Action.APPROVE, outcome=Outcome.ISSUED)
    assert any("Nothing starts the procedure" in p for p in procedure_problems(version))


def test_join_needs_two_incoming_steps_and_bad_roles_are_reported():
    version, (a, b) = draft_with_steps("a", "b")
    b.join = True
    b.save()
    Transition.objects.create(version=version, action=Action.SUBMIT, to_step=a, roles=["wizard"])
    Transition.objects.create(version=version, from_step=a, action=Action.APPROVE, to_step=b)
    Transition.objects.create(version=version, from_step=b, action=Action.APPROVE, outcome=Outcome.ISSUED)
    problems = procedure_problems(version)
    assert any("Join step “b”" in p for p in problems)
    assert any("wizard" in p for p in problems)


def test_new_draft_copies_and_publishing_retires_the_old_version(published_service):
    old = published_service.published_version
    draft = procedure_new_draft(actor=SYSTEM, service=published_service)
    assert draft.number == old.number + 1 and draft.status == VersionStatus.DRAFT
    assert draft.steps.count() == old.steps.count() == 3
    assert draft.transitions.count() == old.transitions.count()
    assert set(draft.transitions.values_list("from_step__version", flat=True)) <= {draft.pk, None}
    with pytest.raises(ValidationError):
        procedure_new_draft(actor=SYSTEM, service=published_service)
    procedure_publish(actor=SYSTEM, version=draft)
    old.refresh_from_db()
    assert old.status == VersionStatus.RETIRED
    assert published_service.published_version == draft
    with pytest.raises(ValidationError):
        procedure_publish(actor=SYSTEM, version=draft)
