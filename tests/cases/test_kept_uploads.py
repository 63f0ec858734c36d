"""Forms keep what was entered (issue 9, item 8): the scans of an intake sent back are kept as files of
the form's draft and used on the next try, never by another session or account; a job deletes those
left for a day with their files. The tracking form keeps the number after a wrong code."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from darcha.cases import jobs
from darcha.cases.models import Application, Document, PendingUpload
from darcha.cases.views import public
from darcha.core.choices import PersonKind, Role
from darcha.core.scheduler import registered_jobs
from tests.cases.helpers import staff
from tests.factories import JPEG, PDF, PNG, pdf_file

pytestmark = pytest.mark.django_db

EN = "/en"
DRAFT = re.compile(r'name="draft" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def front(center) -> str:
    return f"{EN}/front/{center.code}/applications/new/"


def checklist(service):
    passport, plan, _extract = service.documents.order_by("position")
    return passport, plan


def intake_data(service, **changes) -> dict:
    passport, plan = checklist(service)
    data = {
        "service": service.code,
        "kind": PersonKind.INDIVIDUAL,
        "pinfl": "31203901230017",
        "name": "Aliyev Vali",
        "phone": "+998 90 123 45 67",
        "language": "ru",
        "presented": [],
        f"file_{passport.pk}": SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf"),
        f"file_{plan.pk}": SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
        "extra": SimpleUploadedFile("letter.jpg", JPEG, content_type="image/jpeg"),
        "payment_reference": "PAY-77",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def without_files(data: dict) -> dict:
    return {key: value for key, value in data.items() if not hasattr(value, "read")}


def draft_of(response) -> str:
    found = DRAFT.search(response.content.decode())
    assert found, "the page sent back has no draft token"
    return found.group(1)


def stored(row: PendingUpload) -> bytes:
    with row.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def op(client, operator):
    client.force_login(operator)
    return client


# --- the front office's intake ------------------------------------------------------------------
def test_an_intake_sent_back_keeps_its_scans_and_shows_the_error_beside_the_field(op, service, center):
    passport, plan = checklist(service)
    response = op.post(front(center), intake_data(service, phone="12"))
    assert response.status_code == 400
    page = response.content.decode()
    # The error is beside the phone field, which keeps what was typed.
    field = re.search(
        r'<input type="text" name="phone" id="id_phone"[^>]*>\s*<ul class="field__errors"[^>]*>(.*?)</ul>', page
    )
    assert field and "Enter an Uzbek phone number" in field.group(1)
    assert 'value="Aliyev Vali"' in page
    # Every scan is kept, under its own field, with its size and a box to remove it.
    kept = {row.field: row for row in PendingUpload.objects.all()}
    assert set(kept) == {f"file_{passport.pk}", f"file_{plan.pk}", "extra"}
    assert stored(kept[f"file_{passport.pk}"]) == PDF
    assert kept[f"file_{passport.pk}"].required == passport and kept["extra"].required is None
    for name in ("passport.pdf", "plan.png", "letter.jpg"):
        assert f"kept: {name} (" in page
    assert page.count('name="kept_remove"') == 3
    assert Application.objects.count() == 0 and Document.objects.count() == 0
    assert "attach the scans again" not in page


def test_every_field_of_the_intake_shows_its_error_beside_it(op, service, center):
    response = op.post(front(center), intake_data(service, pinfl="123", phone="12"))
    assert response.status_code == 400
    page = response.content.decode()
    for field in ("pinfl", "phone"):
        assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"[^>]*>\s*<ul class="field__errors"', page), field
    # A choice that is not one (a select sent by hand) is answered beside the select.
    page = op.post(front(center), intake_data(service, language="xx")).content.decode()
    language = re.search(r'<select name="language" id="id_language">.*?</select>(.*?)</div>', page, re.S)
    assert language and 'class="field__errors' in language.group(1)


def test_the_next_try_uses_the_kept_scans(op, service, center, django_capture_on_commit_callbacks):
    passport, plan = checklist(service)
    first = op.post(front(center), intake_data(service, phone="12"))
    draft = draft_of(first)
    files = [row.file.name for row in PendingUpload.objects.all()]
    storage = PendingUpload._meta.get_field("file").storage
    assert all(storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        again = op.post(front(center), {**without_files(intake_data(service)), "draft": draft})
    assert again.status_code == 303, again.content.decode()[-3000:]
    application = Application.objects.get()
    documents = {d.original_name: d for d in application.documents.all()}
    assert set(documents) == {"passport.pdf", "plan.png", "letter.jpg"}
    assert documents["passport.pdf"].required == passport and documents["plan.png"].required == plan
    assert documents["letter.jpg"].required is None and documents["letter.jpg"].content_type == "image/jpeg"
    with documents["passport.pdf"].file.open("rb") as handle:
        assert handle.read() == PDF
    # The kept rows and their files are gone once the application has them.
    assert not PendingUpload.objects.exists()
    assert not any(storage.exists(name) for name in files)


def test_a_kept_scan_can_be_removed_and_counts_no_more(op, service, center):
    passport, _plan = checklist(service)
    first = op.post(front(center), intake_data(service, phone="12"))
    draft = draft_of(first)
    passport_scan = PendingUpload.objects.get(field=f"file_{passport.pk}")
    again = op.post(
        front(center), {**without_files(intake_data(service)), "draft": draft, "kept_remove": [str(passport_scan.pk)]}
    )
    # The passport was the only scan of a mandatory document: without it the intake is refused.
    assert again.status_code == 400
    assert "These documents are required: Passport." in again.content.decode()
    assert not PendingUpload.objects.filter(pk=passport_scan.pk).exists()
    assert PendingUpload.objects.count() == 2
    assert "kept: passport.pdf" not in again.content.decode()


def test_a_file_refused_by_the_checks_is_not_kept_and_its_error_is_beside_its_input(op, service, center):
    passport, plan = checklist(service)
    fake = SimpleUploadedFile("plan.png", b"MZ\x90\x00 a program", content_type="image/png")
    response = op.post(front(center), intake_data(service, **{f"file_{plan.pk}": fake}))
    assert response.status_code == 400
    page = response.content.decode()
    errors = re.search(rf'<ul class="field__errors" id="id_file_{plan.pk}-errors">(.*?)</ul>', page)
    assert errors and escape("“plan.png” is not a PDF, JPEG, PNG file.") in errors.group(1)
    assert page.count(escape("“plan.png” is not a PDF, JPEG, PNG file.")) == 2  # beside the field and in the summary
    assert set(PendingUpload.objects.values_list("field", flat=True)) == {f"file_{passport.pk}", "extra"}


def test_another_account_cannot_use_the_token(op, client, service, center):
    first = op.post(front(center), intake_data(service, phone="12"))
    draft = draft_of(first)
    other = Client()
    other.force_login(staff("operator.2", center, Role.OPERATOR))
    attempt = other.post(front(center), {**without_files(intake_data(service)), "draft": draft})
    assert attempt.status_code == 400
    page = attempt.content.decode()
    assert "These documents are required: Passport." in page and "kept: passport.pdf" not in page
    assert Application.objects.count() == 0
    # Nor can it remove them.
    ids = [str(pk) for pk in PendingUpload.objects.values_list("pk", flat=True)]
    other.post(front(center), {**without_files(intake_data(service)), "draft": draft, "kept_remove": ids})
    assert PendingUpload.objects.count() == 3
    # The operator who sent them still has them.
    assert op.post(front(center), {**without_files(intake_data(service)), "draft": draft}).status_code == 303


def test_a_kept_scan_whose_file_is_gone_is_not_offered(op, service, center):
    passport, _plan = checklist(service)
    draft = draft_of(op.post(front(center), intake_data(service, phone="12")))
    scan = PendingUpload.objects.get(field=f"file_{passport.pk}")
    scan.file.storage.delete(scan.file.name)
    again = op.post(front(center), {**without_files(intake_data(service)), "draft": draft})
    assert again.status_code == 400
    assert "These documents are required: Passport." in again.content.decode()
    assert "kept: passport.pdf" not in again.content.decode() and "kept: plan.png (" in again.content.decode()


def test_files_sent_with_the_applicant_lookup_are_kept(op, service, center):
    response = op.post(front(center), intake_data(service, find="1"))
    assert response.status_code == 200
    assert PendingUpload.objects.count() == 3
    assert "kept: passport.pdf (" in response.content.decode()


def test_one_holder_keeps_files_of_a_few_drafts_at_most(op, service, center, django_capture_on_commit_callbacks):
    from darcha.cases.services import drafts

    tokens = []
    for n in range(drafts.DRAFTS_PER_HOLDER + 1):
        with django_capture_on_commit_callbacks(execute=True):
            tokens.append(draft_of(op.post(front(center), intake_data(service, phone="12"))))
        if n == 0:
            first = [row.file.name for row in PendingUpload.objects.filter(draft=tokens[0])]
    assert len(set(tokens)) == drafts.DRAFTS_PER_HOLDER + 1
    # The oldest draft went, with its files; the newest ones keep theirs.
    assert set(PendingUpload.objects.values_list("draft", flat=True)) == set(tokens[1:])
    storage = PendingUpload._meta.get_field("file").storage
    assert len(first) == 3 and not any(storage.exists(name) for name in first)


def test_the_supplement_keeps_the_good_scans_when_one_is_refused(op, application, center, land_clerk, arch_clerk):
    from darcha.cases import services as cases
    from darcha.cases.choices import ApplicationStatus, DocumentPurpose
    from darcha.catalog.choices import Action

    cases.task_act(actor=land_clerk, task=application.tasks.get(status="open"), action=Action.APPROVE)
    cases.task_act(
        actor=arch_clerk, task=application.tasks.get(status="open"), action=Action.REQUEST_DOCUMENTS, comment="Reja"
    )
    address = f"{EN}/front/{center.code}/applications/{application.number}/supplement/"
    bad = SimpleUploadedFile("photo.png", b"MZ not an image", content_type="image/png")
    response = op.post(address, {"files": [pdf_file("plan.pdf"), bad]})
    assert response.status_code == 400
    page = response.content.decode()
    errors = re.search(r'<ul class="field__errors" id="supplement-files-errors">(.*?)</ul>', page)
    assert errors and escape("“photo.png” is not a PDF, JPEG, PNG file.") in errors.group(1)
    assert "kept: plan.pdf (" in page
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["plan.pdf"]

    again = op.post(address, {"draft": draft_of(response), "comment": "Asl nusxa"})
    assert again.status_code == 303
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS
    supplied = application.documents.get(purpose=DocumentPurpose.SUPPLEMENT)
    assert supplied.original_name == "plan.pdf" and not PendingUpload.objects.exists()


# --- the online application ---------------------------------------------------------------------
PHONE = "+998901112233"


@pytest.fixture
def online_service(service):
    service.online = True
    service.save()
    return service


def confirmed(client, service, phone=PHONE):
    from darcha.notify.models import Message
    from darcha.notify.selectors import message_values

    with translation.override("en"):  # the page's texts are read in English
        url = reverse("cases:apply", args=[service.code])
    assert client.post(url, {"step": "phone", "phone": phone}).status_code == 303
    code = message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]
    assert client.post(url, {"step": "code", "code": code}).status_code == 303
    return url


def apply_data(service, where, **changes):
    passport, _plan = checklist(service)
    data = {
        "step": "submit",
        "kind": PersonKind.INDIVIDUAL,
        "name": "Karimova Dilnoza",
        "pinfl": "31203901230017",
        "language": "ru",
        "center": str(where.pk),
        f"document_{passport.pk}": pdf_file("passport.pdf"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_online_application_sent_back_keeps_the_scan_for_the_next_try(client, online_service, center):
    passport, _plan = checklist(online_service)
    url = confirmed(client, online_service)
    first = client.post(url, apply_data(online_service, center, center=""))
    assert first.status_code == 400
    page = first.content.decode()
    assert 'id="id_center_error"' in page
    assert "kept: passport.pdf (" in page
    row = PendingUpload.objects.get()
    assert row.field == f"document_{passport.pk}" and row.holder.startswith("session:")

    # Another visitor with the token and a phone of their own finds nothing under it.
    stranger = Client()
    other_url = confirmed(stranger, online_service, phone="+998901112244")
    taken = stranger.post(other_url, {**without_files(apply_data(online_service, center)), "draft": draft_of(first)})
    assert taken.status_code == 400 and f'id="id_document_{passport.pk}_error"' in taken.content.decode()
    assert Application.objects.count() == 0

    again = client.post(url, {**without_files(apply_data(online_service, center)), "draft": draft_of(first)})
    assert again.status_code == 303, again.content.decode()[-3000:]
    document = Application.objects.get().documents.get(required=passport)
    assert document.original_name == "passport.pdf" and document.sha256 == row.sha256
    assert not PendingUpload.objects.exists()


def test_a_new_scan_replaces_the_kept_one_of_its_document(client, online_service, center):
    passport, _plan = checklist(online_service)
    url = confirmed(client, online_service)
    first = client.post(url, apply_data(online_service, center, center=""))
    draft = draft_of(first)
    second = client.post(
        url,
        {
            **apply_data(online_service, center, center="", **{f"document_{passport.pk}": pdf_file("better.pdf")}),
            "draft": draft,
        },
    )
    assert second.status_code == 400
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["better.pdf"]
    assert "kept: better.pdf (" in second.content.decode() and "kept: passport.pdf" not in second.content.decode()


# --- the job ------------------------------------------------------------------------------------
def test_the_job_deletes_kept_files_older_than_a_day_with_their_files(
    op, service, center, settings, django_capture_on_commit_callbacks
):
    assert "cases.pending_uploads" in {job.name for job in registered_jobs()}
    op.post(front(center), intake_data(service, phone="12"))
    old = list(PendingUpload.objects.all())
    PendingUpload.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    op.post(front(center), intake_data(service, phone="12"))  # a newer draft, kept
    storage = PendingUpload._meta.get_field("file").storage
    assert PendingUpload.objects.count() == 6 and all(storage.exists(row.file.name) for row in old)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.pending_uploads(now=timezone.now()) == 3
    assert PendingUpload.objects.count() == 3
    assert not PendingUpload.objects.filter(pk__in=[row.pk for row in old]).exists()
    assert not any(storage.exists(row.file.name) for row in old)
    # The age is a setting.
    settings.CASES_PENDING_UPLOAD_HOURS = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.pending_uploads(now=timezone.now() + dt.timedelta(hours=2)) == 3
    assert not PendingUpload.objects.exists()


# --- tracking -----------------------------------------------------------------------------------
def test_a_wrong_code_keeps_the_number_and_says_so_beside_the_code(client, application):
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    response = client.get(reverse("cases:track"), {"number": application.number, "code": wrong}, follow=True)
    assert response.status_code == 404
    page = response.content.decode()
    assert f'id="id_number" name="number" value="{application.number}"' in page
    code_field = re.search(r'<ul class="field__errors" id="id_code_error">(.*?)</ul>', page, re.S)
    assert code_field and escape(str(public.NOT_FOUND)) in code_field.group(1)
    assert f'value="{wrong}"' not in page
