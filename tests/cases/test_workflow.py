"""The interpreter: the issue's story through the service layer, parallel work and its join,
refusals, returns, the stopped clock, and every refusal leaving the data as it was."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, EventKind, FeeStatus, TaskStatus
from darcha.cases.models import Application, Document, Event, Task
from darcha.cases.selectors import rating_application, track, tracking_view, verify
from darcha.catalog.choices import Action
from darcha.catalog.models import ProcedureVersion, Transition
from darcha.catalog.services import procedure_publish
from darcha.core.audit import SYSTEM
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry, Organization
from darcha.notify.models import Message
from tests.cases.helpers import real_pdf, staff, submit
from tests.factories import OrganizationFactory, ServiceFactory, pdf_file, step

pytestmark = pytest.mark.django_db(transaction=False)


def only_task(application, status=TaskStatus.OPEN):
    return Task.objects.get(application=application, status=status)


def test_the_story(service, applicant, center, operator, land_clerk, arch_clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(service, applicant, center, operator)
    assert len(application.number) == 10 and len(application.access_code) == 6
    assert application.fee_amount == 412_000 and application.fee_status == FeeStatus.PAID
    assert application.documents.filter(purpose="intake").count() == 2  # passport scanned, site plan scanned
    assert Message.objects.filter(template="application_received", address="+998901234567").exists()

    first = only_task(application)
    assert first.agency.code == "land"
    cases.task_act(actor=land_clerk, task=first, action=Action.APPROVE)
    second = only_task(application)
    assert second.agency.code == "arch"

    with django_capture_on_commit_callbacks(execute=True):
        cases.task_act(actor=arch_clerk, task=second, action=Action.REQUEST_DOCUMENTS, comment="Joy rejasi asl nusxasi")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITING_CITIZEN and application.paused_at is not None
    assert Message.objects.filter(template="documents_requested").exists()
    view = tracking_view(application)
    assert view["needed"] == ["Joy rejasi asl nusxasi"] and view["clock_stopped"]

    cases.application_supplement(actor=operator, application=application, uploads=[(None, pdf_file("plan.pdf"))])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS and application.paused_at is None
    second.refresh_from_db()
    assert second.status == TaskStatus.OPEN

    cases.result_attach(actor=arch_clerk, task=second, upload=SimpleUploadedFile("permit.pdf", real_pdf()))
    with django_capture_on_commit_callbacks(execute=True):
        cases.task_act(actor=arch_clerk, task=second, action=Action.APPROVE)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY and application.outcome == "issued"
    assert Message.objects.filter(template="application_ready").exists()
    result = application.result
    assert result.document.file.read().startswith(b"%PDF") and not result.generated
    altered = result.code[:-1] + ("X" if result.code[-1] != "X" else "Y")
    assert verify(result.code) == result and verify(altered) is None

    with pytest.raises(ValidationError):
        cases.application_handover(actor=operator, application=application, identifier="31203901230000")
    with django_capture_on_commit_callbacks(execute=True):
        cases.application_handover(actor=operator, application=application, identifier="31203901230017")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    rating_message = Message.objects.get(template="rating_request")
    token = rating_message.context["link"].rstrip("/").rsplit("/", 1)[1]
    assert rating_application(token) == application
    rating = cases.rating_submit(application=application, score=5, comment="Tez va qulay")
    assert rating.agency.code == "arch" and rating.operator == operator
    with pytest.raises(Refused):
        cases.rating_submit(application=application, score=4)

    kinds = list(Event.objects.filter(application=application).values_list("kind", flat=True))
    for kind in (
        EventKind.SUBMITTED,
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.SUPPLEMENTED,
        EventKind.READY,
        EventKind.HANDED_OVER,
        EventKind.RATED,
    ):
        assert kind in kinds
    assert AuditEntry.objects.filter(action="application_submit", object_id=str(application.pk)).exists()


def test_generated_result_when_nothing_is_uploaded(application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(actor=arch_clerk, task=only_task(application), action=Action.APPROVE)
    application.refresh_from_db()
    assert application.result.generated and application.result.document.sha256
    assert application.result.document.file.read().startswith(b"%PDF")


def test_refusal_needs_a_reason_and_issues_a_letter(application, land_clerk):
    task = only_task(application)
    with pytest.raises(ValidationError):
        cases.task_act(actor=land_clerk, task=task, action=Action.REJECT, comment=" ")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    cases.task_act(actor=land_clerk, task=task, action=Action.REJECT, comment="Yer maydoni boshqa shaxsga tegishli")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY and application.outcome == "refused"
    assert application.result.outcome == "refused"
    view = tracking_view(application)
    assert any("boshqa shaxsga" in entry.comment for entry in view["timeline"])


def test_action_not_allowed_at_this_step_or_for_this_agency(application, land_clerk, arch_clerk):
    task = only_task(application)
    with pytest.raises(Refused) as error:
        cases.task_act(actor=arch_clerk, task=task, action=Action.APPROVE)
    assert isinstance(error.value, Forbidden)
    with pytest.raises(Refused):
        cases.task_act(actor=land_clerk, task=task, action=Action.FORWARD)
    cases.task_act(actor=land_clerk, task=task, action=Action.APPROVE)
    with pytest.raises(Refused):
        cases.task_act(actor=land_clerk, task=task, action=Action.APPROVE)
    assert Task.objects.filter(application=application).count() == 2


def test_return_to_an_earlier_step(application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    second = only_task(application)
    actions = {a.action: a for a in cases.task_actions(user=arch_clerk, task=second)}
    assert [s.code for s in actions[cases.RETURN].targets] == ["land-check"]
    with pytest.raises(ValidationError):
        cases.task_act(actor=arch_clerk, task=second, action=cases.RETURN, comment="Qayta tekshiring")
    land_step = actions[cases.RETURN].targets[0]
    cases.task_act(
        actor=arch_clerk, task=second, action=cases.RETURN, comment="Qayta tekshiring", target_step=land_step
    )
    again = only_task(application)
    assert again.step == land_step and again.pk != second.pk


def test_parallel_steps_join_when_both_are_done(db, applicant, center, operator):
    service = ServiceFactory.with_parallel_procedure()
    fire = staff("fire.clerk", Organization.objects.get(code="fire"), Role.AGENCY_CLERK)
    ses = staff("ses.clerk", Organization.objects.get(code="ses"), Role.AGENCY_CLERK)
    final = staff("final.clerk", service.responsible_agency, Role.AGENCY_CLERK)
    documents = list(service.documents.filter(obtained_by_center=False))
    application = cases.application_submit(
        actor=operator,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=documents,
            fee=cases.Fee(waiver_reason="Nogironlik guvohnomasi"),
        ),
    )
    assert application.fee_status == FeeStatus.WAIVED
    tasks = {t.agency.code: t for t in Task.objects.filter(application=application)}
    assert set(tasks) == {"fire", "ses"}
    cases.task_act(actor=fire, task=tasks["fire"], action=Action.APPROVE)
    assert not Task.objects.filter(application=application, step__join=True).exists()
    cases.task_act(actor=ses, task=tasks["ses"], action=Action.APPROVE)
    join = only_task(application)
    assert join.step.join
    cases.task_act(actor=final, task=join, action=Action.APPROVE)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY


def test_rejection_in_one_branch_cancels_the_other(db, applicant, center, operator):
    service = ServiceFactory.with_parallel_procedure()
    fire = staff("fire.clerk", Organization.objects.get(code="fire"), Role.AGENCY_CLERK)
    documents = list(service.documents.filter(obtained_by_center=False))
    application = cases.application_submit(
        actor=operator,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=documents,
            fee=cases.Fee(payment_reference="P-9"),
        ),
    )
    fire_task = Task.objects.get(application=application, agency__code="fire")
    cases.task_act(actor=fire, task=fire_task, action=Action.REJECT, comment="Yongʻin chiqish yoʻli yoʻq")
    statuses = dict(Task.objects.filter(application=application).values_list("agency__code", "status"))
    assert statuses == {"fire": TaskStatus.DONE, "ses": TaskStatus.CANCELLED}


def test_missing_documents_and_bad_files_change_nothing(service, applicant, center, operator):
    before = (Application.objects.count(), Document.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        submit(service, applicant, center, operator, presented=[], uploads=[])
    assert "documents" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit(service, applicant, center, operator, uploads=[(None, SimpleUploadedFile("x.pdf", b"MZ\x90\0 exe"))])
    assert "files" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit(service, applicant, center, operator, fee=cases.Fee())
    assert "fee" in error.value.message_dict
    assert (Application.objects.count(), Document.objects.count(), AuditEntry.objects.count()) == before


def test_operator_of_another_center_cannot_register(service, applicant, center, other_center):
    stranger = staff("stranger", other_center, Role.OPERATOR)
    with pytest.raises(Refused):
        submit(service, applicant, center, stranger)


def test_the_clock_stops_for_the_citizen_exactly(service, applicant, center, operator, land_clerk):
    calendar = WorkingCalendar.current()
    monday = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
    intake_documents = list(service.documents.order_by("position"))[:1]
    application = cases.application_submit(
        actor=operator,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=intake_documents,
            fee=cases.Fee(payment_reference="P"),
        ),
        now=monday,
    )
    task = only_task(application)
    due_before, app_due_before = task.due_at, application.due_at
    cases.task_act(
        actor=land_clerk,
        task=task,
        action=Action.REQUEST_DOCUMENTS,
        comment="Pasport nusxasi",
        now=monday + dt.timedelta(hours=1),
    )
    # Back on Thursday: Tuesday, Wednesday and Thursday passed while the clock was stopped.
    thursday = monday + dt.timedelta(days=3)
    cases.application_supplement(actor=operator, application=application, comment="Olib keldi", now=thursday)
    task.refresh_from_db()
    application.refresh_from_db()
    assert task.paused_days == application.paused_days == 3
    assert task.due_at == calendar.deadline(due_before, 3)
    assert application.due_at == calendar.deadline(app_due_before, 3)


def test_a_pause_within_one_day_moves_nothing(application, operator, land_clerk):
    task = only_task(application)
    due = task.due_at
    cases.task_act(actor=land_clerk, task=task, action=Action.REQUEST_DOCUMENTS, comment="Imzo")
    cases.application_supplement(actor=operator, application=application, comment="Imzoladi")
    task.refresh_from_db()
    assert task.due_at == due and task.paused_days == 0


def test_claim_and_assign(application, land_clerk, service):
    land = Organization.objects.get(code="land")
    other_clerk = staff("land.clerk2", land, Role.AGENCY_CLERK)
    head = staff("land.head", land, Role.AGENCY_HEAD)
    task = only_task(application)
    cases.task_claim(actor=land_clerk, task=task)
    with pytest.raises(Refused):
        cases.task_claim(actor=other_clerk, task=task)
    cases.task_assign(actor=head, task=task, assignee=other_clerk)
    task.refresh_from_db()
    assert task.assignee == other_clerk
    with pytest.raises(ValidationError):
        cases.task_assign(
            actor=head, task=task, assignee=staff("arch.someone", service.responsible_agency, Role.AGENCY_CLERK)
        )


def test_tracking_is_the_same_for_a_wrong_number_or_code(application):
    assert track(application.number, application.access_code) == application
    assert track(application.number, "000000" if application.access_code != "000000" else "111111") is None
    assert track("99-9999999", application.access_code) is None
    assert track("", "") is None


def test_online_fee_is_due_until_paid_at_the_center(service, applicant, center, operator, land_clerk, arch_clerk):
    service.online = True
    service.save()
    documents = list(service.documents.order_by("position"))
    application = cases.application_submit(
        actor=cases.CITIZEN,
        intake=cases.Intake(
            service=service, applicant=applicant, center=center, channel="online", uploads=[(documents[0], pdf_file())]
        ),
    )
    assert application.fee_status == FeeStatus.DUE
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(actor=arch_clerk, task=only_task(application), action=Action.APPROVE)
    with pytest.raises(Refused):
        cases.application_handover(actor=operator, application=application, identifier="31203901230017")
    cases.application_record_payment(actor=operator, application=application, payment_reference="CLICK-77")
    cases.application_handover(actor=operator, application=application, identifier="31203901230017")


def test_links_for_the_applicant_are_in_their_language(
    service, applicant, center, operator, land_clerk, arch_clerk, django_capture_on_commit_callbacks
):
    application = submit(service, applicant, center, operator, language="ru")
    with translation.override("en"):  # the staff member works in English
        cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
        cases.task_act(actor=arch_clerk, task=only_task(application), action=Action.APPROVE)
        with django_capture_on_commit_callbacks(execute=True):
            cases.application_handover(actor=operator, application=application, identifier="31203901230017")
    assert "/ru/rate/" in Message.objects.get(template="rating_request").context["link"]
    application.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(application.result.document.file.open("rb")).pages)
    assert f"/ru/verify/{application.result.code}/" in text


def test_forward_follows_the_procedure_data(db, applicant, center, operator):
    """Actions are whatever the version's transitions say: here the land office may forward the
    case to the architecture agency without deciding it, and only its head may refuse."""
    service = ServiceFactory(code="forwarding", fee_kind="free", fee_value=0)
    version = ProcedureVersion.objects.create(service=service, number=1)
    land = OrganizationFactory(code="land-2")
    arch = OrganizationFactory(code="arch-2")
    first = step(version, "screen", 1, land, term=2)
    second = step(version, "decide", 2, arch, term=4)
    Transition.objects.create(version=version, from_step=None, action=Action.SUBMIT, to_step=first)
    Transition.objects.create(version=version, from_step=first, action=Action.FORWARD, to_step=second)
    Transition.objects.create(
        version=version, from_step=first, action=Action.REJECT, outcome="refused", roles=[Role.AGENCY_HEAD]
    )
    Transition.objects.create(version=version, from_step=second, action=Action.APPROVE, outcome="issued")
    procedure_publish(actor=SYSTEM, version=version)
    clerk = staff("land2.clerk", land, Role.AGENCY_CLERK)
    head = staff("land2.head", land, Role.AGENCY_HEAD)
    application = cases.application_submit(
        actor=operator, intake=cases.Intake(service=service, applicant=applicant, center=center)
    )
    task = only_task(application)
    assert [a.action for a in cases.task_actions(user=clerk, task=task)] == [Action.FORWARD]
    assert {a.action for a in cases.task_actions(user=head, task=task)} == {Action.FORWARD, Action.REJECT}
    with pytest.raises(Refused):
        cases.task_act(actor=clerk, task=task, action=Action.REJECT, comment="Yoʻq")
    cases.task_act(actor=clerk, task=task, action=Action.FORWARD, comment="Arxitekturaga")
    assert only_task(application).agency == arch
