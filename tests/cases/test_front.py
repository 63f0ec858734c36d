"""Front-office pages: access, the list, intake (valid and refused, nothing written when refused),
the queue ticket, supplement, payment, handover, document downloads and receipts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, Channel, DocumentPurpose, FeeStatus, TaskStatus
from darcha.cases.models import Application, Document
from darcha.catalog.choices import Action
from darcha.catalog.models import Discount
from darcha.core.audit import SYSTEM
from darcha.core.choices import PersonKind, Role
from darcha.core.identifiers import pinfl_check_digit
from darcha.core.models import Person
from darcha.core.services import person_register
from darcha.queues.models import Counter
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_issue
from tests.cases.helpers import staff, submit
from tests.factories import JPEG, PDF, PNG, pdf_file
from tests.queues.helpers import set_hours

EN = "/en"  # the texts asserted are the English originals


def front(center, tail: str = "") -> str:
    return f"{EN}/front/{center.code}/applications/{tail}"


def text(response) -> str:
    return response.content.decode()


def counts() -> tuple[int, int, int]:
    return Application.objects.count(), Person.objects.count(), Document.objects.count()


def checklist(service):
    passport, plan, extract = service.documents.order_by("position")
    return passport, plan, extract


def only_task(application, status=TaskStatus.OPEN):
    return application.tasks.get(status=status)


@pytest.fixture
def op(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def stranger(other_center):
    return staff("other.operator", other_center, Role.OPERATOR)


def intake_data(service, **changes) -> dict:
    passport, plan, _extract = checklist(service)
    data = {
        "service": service.code,
        "kind": PersonKind.INDIVIDUAL,
        "pinfl": "31203901230017",
        "passport": "",
        "stir": "",
        "name": "Aliyev Vali",
        "phone": "+998 90 123 45 67",
        "language": "ru",
        "presented": [str(passport.pk)],
        f"file_{passport.pk}": SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf"),
        f"file_{plan.pk}": SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
        "extra": SimpleUploadedFile("letter.jpg", JPEG, content_type="image/jpeg"),
        "discount": "",
        "payment_reference": "PAY-77",
        "waiver_reason": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- access -----------------------------------------------------------------------------------
def test_anonymous_visitors_get_the_login_page(client, application, center):
    number = application.number
    document = application.documents.exclude(file="").first()
    addresses = [
        front(center),
        front(center, "new/"),
        front(center, f"{number}/"),
        front(center, f"{number}/receipt.pdf"),
        f"{EN}/applications/{number}/documents/{document.pk}/",
    ]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(f"{EN}/login/?next="), address
    for tail in ("supplement/", "payment/", "handover/"):
        response = client.post(front(center, f"{number}/{tail}"), {"identifier": "31203901230017"})
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(front(center, "new/"), {"service": "building-permit"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.get(front(center), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(f"{EN}/login/?next=")


def test_operators_of_another_center_and_agency_clerks_get_403(client, application, center, stranger, land_clerk):
    number = application.number
    for user in (stranger, land_clerk):
        client.force_login(user)
        for address in (
            front(center),
            front(center, "new/"),
            front(center, f"{number}/"),
            front(center, f"{number}/receipt.pdf"),
        ):
            assert client.get(address).status_code == 403, address
        response = client.post(front(center, f"{number}/handover/"), {"identifier": "31203901230017"})
        assert response.status_code == 403
    before = counts()
    client.force_login(stranger)
    assert client.post(front(center, "new/"), intake_data(application.service)).status_code == 403
    assert counts() == before


def test_an_application_is_only_found_under_its_own_center(client, application, center, other_center, operator):
    from darcha.core.services import membership_grant

    membership_grant(actor=SYSTEM, user=operator, organization=other_center, role=Role.OPERATOR)
    client.force_login(operator)
    assert client.get(front(other_center, f"{application.number}/")).status_code == 404
    assert client.get(front(center, "25-9999999/")).status_code == 404
    assert client.get(f"{EN}/front/no-such-center/applications/").status_code == 404


def test_a_center_manager_works_with_the_applications_too(client, application, center, manager):
    client.force_login(manager)
    assert client.get(front(center, f"{application.number}/")).status_code == 200


# --- list -------------------------------------------------------------------------------------
def test_the_list_shows_the_centers_applications_masked_and_searchable(
    op, application, service, center, other_center, stranger
):
    other_person = person_register(
        actor=SYSTEM, kind=PersonKind.INDIVIDUAL, name="Karimova Nodira", passport="AB1234567"
    )
    elsewhere = submit(service, other_person, other_center, stranger)
    response = op.get(front(center))
    page = text(response)
    assert response.status_code == 200
    assert application.number in page and "Aliyev Vali" in page and "3120…0017" in page
    assert "31203901230017" not in page  # identifiers are masked
    assert elsewhere.number not in page and "Karimova" not in page
    assert f'href="{front(center, application.number + "/")}"' in page
    assert "New application" in page

    assert application.number in text(op.get(front(center), {"q": application.number}))
    assert application.number in text(op.get(front(center), {"q": "aliyev"}))
    assert application.number in text(op.get(front(center), {"q": "31203901230017"}))
    assert application.number not in text(op.get(front(center), {"q": "Karimova"}))
    assert application.number in text(op.get(front(center), {"status": "in_progress"}))
    assert application.number not in text(op.get(front(center), {"status": "ready"}))
    assert op.get(front(center), {"status": "nonsense", "page": "x"}).status_code == 200


def test_the_list_is_paginated(op, service, applicant, center, operator):
    numbers = [submit(service, applicant, center, operator).number for _ in range(27)]
    first, second = text(op.get(front(center))), text(op.get(front(center), {"page": 2}))
    assert numbers[-1] in first and numbers[0] not in first
    assert numbers[0] in second and "Page 2 of 2" in second


# --- intake: the page -------------------------------------------------------------------------
def test_intake_starts_with_the_choice_of_a_service(op, service, center):
    response = op.get(front(center, "new/"))
    assert response.status_code == 200
    assert "Building permit" in text(response) and "?service=building-permit" in text(response)
    assert "Building permit" in text(op.get(front(center, "new/"), {"q": "permit"}))
    assert "Building permit" not in text(op.get(front(center, "new/"), {"q": "zzzz"}))


def test_the_intake_page_shows_the_checklist_and_todays_fee(op, service, center):
    Discount.objects.create(code="disability", name_uz="Nogironlik", name_en="Disability", percent=50)
    service.discounts.set(Discount.objects.all())
    response = op.get(front(center, "new/"), {"service": service.code})
    page = text(response)
    assert response.status_code == 200
    passport, plan, extract = checklist(service)
    assert "Passport" in page and "Site plan" in page and "Cadastre extract" in page
    assert "the center obtains this" in page
    assert f'name="file_{passport.pk}"' in page and f'name="file_{plan.pk}"' in page
    assert f'name="file_{extract.pk}"' not in page  # not asked of the applicant
    assert f'value="{extract.pk}"' not in page
    assert "Required" in page and "If applicable" in page
    assert "412\u202f000" in page and "206\u202f000" in page  # today's fee, and with the discount


# --- intake: submitting -----------------------------------------------------------------------
def test_a_complete_intake_registers_the_application(op, service, center, operator):
    response = op.post(front(center, "new/"), intake_data(service))
    application = Application.objects.get()
    assert response.status_code == 303
    assert response["Location"] == front(center, f"{application.number}/")
    assert application.center == center and application.registered_by == operator
    assert application.language == "ru" and application.phone == "+998901234567"
    assert application.fee_status == FeeStatus.PAID and application.payment_reference == "PAY-77"
    assert application.applicant.pinfl == "31203901230017" and application.applicant.language == "ru"
    files = application.documents.exclude(file="")
    assert files.count() == 3 and set(files.values_list("content_type", flat=True)) == {
        "application/pdf",
        "image/png",
        "image/jpeg",
    }
    assert application.tasks.filter(status=TaskStatus.OPEN).count() == 1

    page = op.get(response["Location"])
    assert page.status_code == 200
    assert f"Application {application.number} is registered" in text(page)
    assert application.access_code in text(page)
    assert "receipt.pdf?layout=a4" in text(page) and "receipt.pdf?layout=80mm" in text(page)


def test_an_existing_applicant_is_found_and_updated_with_the_application(op, service, center, applicant):
    response = op.post(
        front(center, "new/"), intake_data(service, name="Aliyev Vali Karimovich", phone="+998 91 000 00 01")
    )
    assert response.status_code == 303
    applicant.refresh_from_db()
    assert Person.objects.count() == 1 and applicant.name == "Aliyev Vali Karimovich"
    assert Application.objects.get().applicant == applicant


def test_a_missing_mandatory_document_is_refused_and_nothing_is_written(op, service, center):
    passport, _plan, _extract = checklist(service)
    before = counts()
    data = intake_data(service, presented=[], **{f"file_{passport.pk}": None})
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 400
    assert "These documents are required: Passport." in text(response)
    # The scans that came with it are kept for the next try (tests/cases/test_kept_uploads.py).
    assert "kept: plan.png (" in text(response) and "kept: letter.jpg (" in text(response)
    assert counts() == before  # no application, no new person, no document


def test_a_presented_document_needs_no_scan(op, service, center):
    passport, plan, _extract = checklist(service)
    data = intake_data(service, **{f"file_{passport.pk}": None, f"file_{plan.pk}": None, "extra": None})
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 303
    document = Document.objects.get()
    assert document.required == passport and not document.file


def test_a_file_that_is_not_a_pdf_or_image_is_refused(op, service, center):
    passport, _plan, _extract = checklist(service)
    before = counts()
    fake = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    response = op.post(front(center, "new/"), intake_data(service, **{f"file_{passport.pk}": fake}))
    assert response.status_code == 400
    assert "“passport.pdf” is not a PDF, JPEG, PNG file." in text(response)
    assert counts() == before


def test_a_file_over_the_limit_is_refused(op, service, center, settings):
    settings.CASES_UPLOAD_MAX_BYTES = 1024
    passport, _plan, _extract = checklist(service)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048 + b"%%EOF", content_type="application/pdf")
    before = counts()
    response = op.post(front(center, "new/"), intake_data(service, **{f"file_{passport.pk}": big}))
    assert response.status_code == 400 and "a file may be at most" in text(response)
    assert counts() == before


def test_the_fee_must_be_paid_or_waived(op, service, center):
    before = counts()
    response = op.post(front(center, "new/"), intake_data(service, payment_reference=""))
    assert response.status_code == 400
    assert "Record the payment reference of the fee, or the reason it is waived." in text(response)
    response = op.post(front(center, "new/"), intake_data(service, waiver_reason="Nogironlik"))
    assert response.status_code == 400 and "A fee is either paid or waived, not both." in text(response)
    assert counts() == before
    response = op.post(front(center, "new/"), intake_data(service, payment_reference="", waiver_reason="Imtiyoz"))
    assert response.status_code == 303 and Application.objects.get().fee_status == FeeStatus.WAIVED


def test_a_discount_lowers_the_fee(op, service, center):
    discount = Discount.objects.create(code="disability", name_uz="Nogironlik", percent=50)
    service.discounts.add(discount)
    response = op.post(front(center, "new/"), intake_data(service, discount=str(discount.pk)))
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.discount == discount and application.fee_amount == 206_000


def test_bad_applicant_details_are_refused_with_their_messages(op, service, center):
    before = counts()
    response = op.post(front(center, "new/"), intake_data(service, pinfl="123", name="", phone="12"))
    page = text(response)
    assert response.status_code == 400
    assert "A PINFL has exactly 14 digits." in page
    assert "Enter the applicant&#x27;s name." in page or "Enter the applicant's name." in page
    assert "Enter an Uzbek phone number" in page
    assert counts() == before


def test_a_legal_entity_applies_by_stir_where_the_service_allows(op, service, center):
    service.for_legal_entities = True
    service.save()
    data = intake_data(service, kind=PersonKind.LEGAL_ENTITY, pinfl="", stir="301234567", name="Qurilish MChJ")
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 303
    assert Application.objects.get().applicant.stir == "301234567"


def test_a_service_for_individuals_refuses_a_legal_entity_and_keeps_no_person(op, service, center):
    before = counts()
    data = intake_data(service, kind=PersonKind.LEGAL_ENTITY, pinfl="", stir="301234567", name="Qurilish MChJ")
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 400 and "This service is for individuals only." in text(response)
    assert counts() == before


def test_an_unknown_service_is_refused(op, center, service):
    data = intake_data(service)
    data["service"] = "no-such-service"
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 400 and "Choose a service from the list." in text(response)
    assert not Application.objects.exists()


def test_find_fills_in_a_registered_applicant_without_writing(op, service, center, applicant):
    before = counts()
    data = {"service": service.code, "kind": "individual", "pinfl": "3120 3901 2300 17", "find": "1"}
    response = op.post(front(center, "new/"), data)
    page = text(response)
    assert response.status_code == 200
    assert "A registered applicant was found" in page and 'value="Aliyev Vali"' in page
    assert "+998 90 123 45 67" in page
    unknown = "3120390123002" + str(pinfl_check_digit("3120390123002"))
    response = op.post(front(center, "new/"), {**data, "pinfl": unknown})
    assert response.status_code == 200 and "No applicant with this number is registered yet" in text(response)
    response = op.post(front(center, "new/"), {**data, "pinfl": "12"})
    assert response.status_code == 400 and "A PINFL has exactly 14 digits." in text(response)
    assert counts() == before


# --- the queue ticket -------------------------------------------------------------------------
@pytest.fixture
def served_ticket(service, center, operator, working_hours):
    set_hours(center)  # the center open (the clock is at 10:00 of a working day)
    counter = Counter.objects.create(center=center, number=1)
    counter.services.set([service])
    ticket_issue(actor=SYSTEM, center=center, service=service)
    operator_sign_in(actor=operator, counter=counter)
    return ticket_call_next(actor=operator, counter=counter)


def test_the_served_ticket_is_linked_and_chooses_the_service(op, service, center, served_ticket):
    response = op.get(front(center, "new/"), {"ticket": served_ticket.pk})
    assert response.status_code == 200 and "Cadastre extract" in text(response)  # the ticket's service
    assert f'name="ticket" value="{served_ticket.pk}"' in text(response)
    response = op.post(front(center, "new/"), intake_data(service, ticket=str(served_ticket.pk)))
    assert response.status_code == 303
    assert Application.objects.get().ticket == served_ticket


def test_someone_elses_ticket_is_not_linked(client, service, center, served_ticket):
    colleague = staff("colleague", center, Role.OPERATOR)
    client.force_login(colleague)
    response = client.get(front(center, "new/"), {"ticket": served_ticket.pk})
    assert response.status_code == 200 and "cannot be linked" in text(response)
    response = client.post(front(center, "new/"), intake_data(service, ticket=str(served_ticket.pk)))
    assert response.status_code == 400 and "cannot be linked" in text(response)
    assert not Application.objects.exists()


# --- one application --------------------------------------------------------------------------
def test_the_detail_page_shows_summary_tasks_documents_history(op, application, center):
    response = op.get(front(center, f"{application.number}/"))
    page = text(response)
    assert response.status_code == 200
    assert application.number in page and application.access_code in page
    assert "Building permit" in page and "Aliyev Vali" in page and "3120…0017" in page
    assert "31203901230017" not in page
    assert "land-check" in page  # the open task's step
    assert "Application registered" in page  # history
    for document in application.documents.exclude(file=""):
        assert f"{EN}/applications/{application.number}/documents/{document.pk}/" in page
    assert "Hand over the result" not in page and "Record the documents" not in page


def test_supplement_restarts_the_clock(op, application, center, arch_clerk, land_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(
        actor=arch_clerk, task=only_task(application), action=Action.REQUEST_DOCUMENTS, comment="Joy rejasi asl nusxasi"
    )
    page = text(op.get(front(center, f"{application.number}/")))
    assert "Joy rejasi asl nusxasi" in page and "Record the documents" in page

    address = front(center, f"{application.number}/supplement/")
    response = op.post(address, {"comment": ""})
    assert response.status_code == 400
    assert "Attach the documents brought, or describe them in the comment." in text(response)
    response = op.post(address, {"files": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert response.status_code == 400 and "is not a PDF, JPEG, PNG file" in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITING_CITIZEN

    response = op.post(address, {"files": pdf_file("plan.pdf"), "comment": "Asl nusxa koʻrsatildi"})
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS and application.paused_at is None
    assert application.documents.filter(purpose=DocumentPurpose.SUPPLEMENT).count() == 1
    assert "The documents are recorded" in text(op.get(response["Location"]))

    response = op.post(address, {"comment": "again"})
    assert response.status_code == 409 and "Nothing is requested from the applicant now." in text(response)


@pytest.fixture
def online_application(service, applicant, center):
    service.online = True
    service.save()
    passport, _plan, _extract = checklist(service)
    return cases.application_submit(
        actor=cases.CITIZEN,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=[passport],
            channel=Channel.ONLINE,
        ),
    )


def test_payment_of_a_fee_due(op, online_application, center):
    application = online_application
    assert application.fee_status == FeeStatus.DUE
    address = front(center, f"{application.number}/payment/")
    assert "Record the fee" in text(op.get(front(center, f"{application.number}/")))
    response = op.post(address, {"payment_reference": "", "waiver_reason": ""})
    assert response.status_code == 400
    assert "Record the payment reference of the fee, or the reason it is waived." in text(response)
    response = op.post(address, {"payment_reference": "PAY-9", "waiver_reason": ""})
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.fee_status == FeeStatus.PAID and application.payment_reference == "PAY-9"
    response = op.post(address, {"payment_reference": "PAY-10"})
    assert response.status_code == 409 and "No fee is due on this application." in text(response)


@pytest.fixture
def ready(application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(actor=arch_clerk, task=only_task(application), action=Action.APPROVE)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    return application


def test_handover_checks_the_identity_document(op, ready, center, django_capture_on_commit_callbacks):
    from darcha.notify.models import Message

    page = text(op.get(front(center, f"{ready.number}/")))
    assert "Hand over the result" in page and "Download the result" in page
    address = front(center, f"{ready.number}/handover/")
    response = op.post(address, {"identifier": "31203901230000"})
    assert response.status_code == 400
    assert "The document number does not match the applicant" in text(response)
    response = op.post(address, {"identifier": ""})
    assert response.status_code == 400 and "Type the number of the identity document" in text(response)
    ready.refresh_from_db()
    assert ready.status == ApplicationStatus.READY

    with django_capture_on_commit_callbacks(execute=True):
        response = op.post(address, {"identifier": "3120 3901 2300 17"})
    assert response.status_code == 303
    ready.refresh_from_db()
    assert ready.status == ApplicationStatus.CLOSED
    assert "A link to rate the service was sent." in text(op.get(response["Location"]))
    assert Message.objects.filter(template="rating_request").exists()
    assert op.post(address, {"identifier": "31203901230017"}).status_code == 409


def test_actions_that_do_not_apply_now_are_refused(op, application, center):
    response = op.post(front(center, f"{application.number}/handover/"), {"identifier": "31203901230017"})
    assert response.status_code == 409 and "The result is not ready to be handed over." in text(response)
    assert op.get(front(center, f"{application.number}/handover/")).status_code == 405


# --- files ------------------------------------------------------------------------------------
def test_documents_download_only_for_those_who_may_see_them(client, application, center, stranger, land_clerk):
    document = application.documents.filter(content_type="application/pdf").exclude(file="").first()
    address = f"{EN}/applications/{application.number}/documents/{document.pk}/"
    client.force_login(application.registered_by)
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{application.number}-{document.pk}-scan.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF

    client.force_login(land_clerk)  # the agency works on the application
    assert client.get(address).status_code == 200
    client.force_login(stranger)
    assert client.get(address).status_code == 404
    client.force_login(application.registered_by)
    assert client.get(f"{EN}/applications/{application.number}/documents/999999/").status_code == 404
    paper = Document.objects.filter(application=application, file="").first()
    if paper is not None:
        assert client.get(f"{EN}/applications/{application.number}/documents/{paper.pk}/").status_code == 404


def test_a_download_name_is_safe(application):
    from darcha.cases.views.front import download_name

    document = Document(pk=7, original_name='../../etc/"passwd".exe.png', content_type="image/png")
    assert download_name(document, "25-0000001") == "25-0000001-7-passwdexe.png"
    assert download_name(Document(pk=8, original_name="", content_type="x/y"), "N") == "N-8-document"


def test_the_receipt_is_served_inline_to_the_centers_staff(op, application, center):
    for layout in ("a4", "80mm", "other"):
        response = op.get(front(center, f"{application.number}/receipt.pdf"), {"layout": layout})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("prefix", ["", "/ru", "/uz-cyrl", "/en"])
def test_the_pages_render_in_every_language(op, application, center, prefix):
    base = f"{prefix}/front/{center.code}/applications/"
    for address in (
        base,
        base + "new/",
        base + f"new/?service={application.service.code}",
        base + f"{application.number}/",
    ):
        response = op.get(address)
        assert response.status_code == 200, address
        assert f'lang="{prefix.strip("/") or "uz"}"' in text(response)


def test_applicant_and_checklist_errors_come_back_together(op, service, center):
    passport, _plan, _extract = checklist(service)
    before = counts()
    data = intake_data(service, pinfl="31203901230018", presented=[], **{f"file_{passport.pk}": None})
    response = op.post(front(center, "new/"), data)
    assert response.status_code == 400
    assert "These documents are required: Passport." in text(response)
    assert "check digit" in text(response)
    assert counts() == before
