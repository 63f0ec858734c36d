"""Uploads (issue 10, items 4 and 7): a PDF must open at upload (a damaged or encrypted one is refused
there, not when the result is approved), approval never crashes on a stored file, and one request's files
are capped in number and total size and handled from temporary files, never all held in memory."""

import functools
import io
import json
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, TaskStatus
from darcha.cases.models import Application, Document, Result, Task
from darcha.catalog.choices import Action
from darcha.core import uploads
from darcha.core.choices import PersonKind
from darcha.core.models import Person
from tests.cases.helpers import real_pdf
from tests.factories import PDF, PNG

pytestmark = pytest.mark.django_db

EN = "/en"
BROKEN = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nthis is not a PDF body\n%%EOF\n"


@functools.cache
def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("", "owner")  # opens without a password, but its pages cannot be copied as they are
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def big_pdf(size: int) -> bytes:
    """A real one-page PDF of about `size` bytes (its content stream is one long comment)."""
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    stream = DecodedStreamObject()
    stream.set_data(b"%" + b"x" * size + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def temporary(name: str, content: bytes) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile(name, "application/pdf", len(content), None)
    upload.write(content)
    upload.seek(0)
    return upload


def text(response) -> str:
    return response.content.decode()


def open_task(application) -> Task:
    return Task.objects.select_related("agency", "step").get(application=application, status=TaskStatus.OPEN)


def task_url(task, tail: str = "") -> str:
    return f"{EN}/office/{task.agency.code}/tasks/{task.pk}/{tail}"


def at_arch(application, land_clerk) -> Task:
    cases.task_act(actor=land_clerk, task=open_task(application), action=Action.APPROVE)
    return open_task(application)


def intake_form(service, **files) -> dict:
    passport, plan, _extract = service.documents.order_by("position")
    return {
        "service": service.code,
        "kind": PersonKind.INDIVIDUAL,
        "pinfl": "31203901230017",
        "name": "Aliyev Vali",
        "phone": "+998 90 123 45 67",
        "language": "ru",
        "presented": [str(passport.pk)],
        f"file_{plan.pk}": SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
        "discount": "",
        "payment_reference": "PAY-77",
        "waiver_reason": "",
        **files,
    }


def front_new(center) -> str:
    return f"{EN}/front/{center.code}/applications/new/"


def nothing_saved() -> bool:
    return not Application.objects.exists() and not Document.objects.exists() and not Person.objects.exists()


# --- PDFs must open ------------------------------------------------------------------------------------------
def test_a_result_that_only_looks_like_a_pdf_is_refused_at_upload(client, application, land_clerk, arch_clerk):
    task = at_arch(application, land_clerk)
    with translation.override("en"), pytest.raises(ValidationError, match="damaged or incomplete PDF"):
        cases.result_attach(actor=arch_clerk, task=task, upload=SimpleUploadedFile("permit.pdf", BROKEN))
    client.force_login(arch_clerk)
    response = client.post(task_url(task, "result/"), {"file": SimpleUploadedFile("permit.pdf", BROKEN)})
    assert response.status_code == 400 and "“permit.pdf” is a damaged or incomplete PDF." in text(response)
    response = client.post(task_url(task, "result/"), {"file": SimpleUploadedFile("permit.pdf", encrypted_pdf())})
    assert response.status_code == 400 and "“permit.pdf” is protected by a password" in text(response)
    assert not Result.objects.exists()
    # A real PDF is taken, and approving appends the verification page.
    response = client.post(task_url(task, "result/"), {"file": SimpleUploadedFile("permit.pdf", real_pdf())})
    assert response.status_code == 303
    assert client.post(task_url(task, "act/"), {"action": "approve", "confirm": "1"}).status_code == 303


def test_a_scan_that_only_looks_like_a_pdf_is_refused_at_intake(client, service, center, operator):
    passport = service.documents.get(position=1)
    client.force_login(operator)
    form = intake_form(service, **{f"file_{passport.pk}": SimpleUploadedFile("passport.pdf", BROKEN)})
    response = client.post(front_new(center), form)
    assert response.status_code == 400 and "“passport.pdf” is a damaged or incomplete PDF." in text(response)
    form = intake_form(service, extra=SimpleUploadedFile("letter.pdf", encrypted_pdf()))
    response = client.post(front_new(center), form)
    assert response.status_code == 400 and "“letter.pdf” is protected by a password" in text(response)
    assert nothing_saved()


def test_approval_refuses_a_stored_result_that_cannot_be_read(client, application, land_clerk, arch_clerk):
    task = at_arch(application, land_clerk)
    result = cases.result_attach(actor=arch_clerk, task=task, upload=SimpleUploadedFile("permit.pdf", real_pdf()))
    with open(result.document.file.path, "wb") as damaged:  # damaged on disk after the upload
        damaged.write(BROKEN)
    client.force_login(arch_clerk)
    response = client.post(task_url(task, "act/"), {"action": "approve", "confirm": "1"})
    assert response.status_code == 409 and "The attached result cannot be read" in text(response)
    response = client.post(
        f"/api/v1/tasks/{task.pk}/actions/",
        data=json.dumps({"action": "approve", "comment": ""}),
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "result_unreadable"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS and open_task(application) == task


# --- How much one request may bring --------------------------------------------------------------------------
def test_too_many_files_are_refused_and_nothing_is_saved(client, service, center, operator):
    many = [SimpleUploadedFile(f"page-{n}.pdf", PDF) for n in range(uploads.DEFAULT_MAX_FILES + 1)]
    client.force_login(operator)
    response = client.post(front_new(center), intake_form(service, extra=many))
    assert response.status_code == 400 and "At most 30 files per application." in text(response)
    assert nothing_saved()

    passport = service.documents.get(position=1)
    form = {
        "service": service.code,
        "center": center.code,
        "applicant": json.dumps({"kind": "individual", "name": "Aliyev Vali", "pinfl": "31203901230017"}),
        "fee": json.dumps({"payment_reference": "PAY-2"}),
        "documents": [str(passport.pk)],
        "files": [SimpleUploadedFile(f"page-{n}.pdf", PDF) for n in range(uploads.DEFAULT_MAX_FILES + 1)],
    }
    response = client.post("/api/v1/applications/", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.json()["errors"]["files"] == ["At most 30 files per application."]
    assert nothing_saved()


def test_more_files_than_django_parses_are_a_json_refusal(client, service, center, operator, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    client.force_login(operator)
    form = {"service": service.code, "files": [SimpleUploadedFile(f"p{n}.pdf", PDF) for n in range(6)]}
    response = client.post("/api/v1/applications/", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.json()["errors"]["files"] == ["At most 30 files per application."]
    assert nothing_saved()


def test_files_too_large_together_are_refused(client, service, center, operator, settings):
    settings.CASES_UPLOAD_MAX_TOTAL_BYTES = 3 * len(PDF)
    client.force_login(operator)
    extra = [SimpleUploadedFile(f"page-{n}.pdf", PDF) for n in range(3)]  # with the plan's PNG: over
    response = client.post(front_new(center), intake_form(service, extra=extra))
    assert response.status_code == 400 and "The files together are" in text(response)
    assert "at most 1.3\xa0KB may come with one application." in text(response)
    assert nothing_saved()


def test_an_intake_is_handled_from_temporary_files(client, service, center, operator, settings, monkeypatch):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    seen = []
    check = uploads.check_upload

    def spy(upload, **kwargs):
        seen.append(type(upload))
        return check(upload, **kwargs)

    monkeypatch.setattr("darcha.cases.services._common.check_upload", spy)
    passport = service.documents.get(position=1)
    client.force_login(operator)
    form = intake_form(service, **{f"file_{passport.pk}": SimpleUploadedFile("passport.pdf", real_pdf())})
    response = client.post(front_new(center), form)
    assert response.status_code == 303, text(response)[-2000:]
    assert seen and set(seen) == {TemporaryUploadedFile}
    document = Document.objects.get(required=passport, file__gt="")
    with document.file.open("rb") as stored:
        assert stored.read() == real_pdf()


def test_checking_and_storing_scans_does_not_hold_them_in_memory(service, center, operator, applicant):
    size = 3 * 1024 * 1024
    passport, plan, _extract = service.documents.order_by("position")
    files = [temporary(f"scan-{n}.pdf", big_pdf(size)) for n in range(4)]
    intake = cases.Intake(
        service=service,
        applicant=applicant,
        center=center,
        presented=[passport],
        uploads=[(plan, files[0]), *((None, f) for f in files[1:])],
        fee=cases.Fee(payment_reference="PAY-1"),
    )
    tracemalloc.start()
    try:
        application = cases.application_submit(actor=operator, intake=intake)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        for upload in files:
            upload.close()  # as the request's end does (a stored one was moved into place)
    assert application.documents.filter(file__gt="").count() == 4
    assert peak < size, f"{peak / 2**20:.1f} MiB at the peak for four scans of 3 MiB"
