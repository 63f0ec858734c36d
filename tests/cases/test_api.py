"""The cases REST API: intake with Idempotency-Key, reading scoped to the caller, task actions
through the API up to the result, and anonymous rate-limited tracking."""

import json
import threading

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import NoReverseMatch, reverse

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, Channel, FeeStatus, TaskStatus
from darcha.cases.models import Application, Document, Task
from darcha.catalog.choices import Action
from darcha.core.choices import Role
from darcha.core.idempotency import purge_expired
from darcha.core.models import IdempotentRequest, Person
from tests.cases.helpers import staff, submit
from tests.factories import PNG, pdf_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def body(service, center, /, **changes):
    passport = service.documents.get(position=1)
    data = {
        "service": service.code,
        "center": center.code,
        "applicant": {
            "kind": "individual",
            "name": "Aliyev Vali",
            "pinfl": "31203901230017",
            "phone": "+998901234567",
            "language": "uz",
        },
        "documents": [passport.pk],
        "fee": {"payment_reference": "PAY-1", "waiver_reason": "", "discount": None},
        "phone": "",
        "language": "",
        "ticket": None,
    }
    data.update(changes)
    return data


def post(client, data, key=None, headers=None):
    headers = dict(headers or {})
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, data=json.dumps(data), content_type="application/json", headers=headers)


def only_task(application, status=TaskStatus.OPEN):
    return Task.objects.get(application=application, status=status)


# --- Create ----------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_receipt_fields(client, service, center, operator):
    client.force_login(operator)
    response = post(client, body(service, center))
    assert response.status_code == 201, response.content
    data = response.json()
    application = Application.objects.get()
    assert data["number"] == application.number and len(data["access_code"]) == 6
    assert data["access_code"] == application.access_code
    assert data["status"] == ApplicationStatus.IN_PROGRESS
    assert (data["service"], data["center"]) == (service.code, center.code)
    assert data["fee_amount"] == 412_000 and data["fee_status"] == FeeStatus.PAID
    assert data["submitted_at"] and data["due_at"]
    [task] = data["tasks"]
    assert (task["step"], task["agency"], task["status"]) == ("land-check", "land", "open")
    assert task["id"] == only_task(application).pk and task["due_at"]
    try:
        path = reverse("cases:receipt", kwargs={"center": center.code, "number": application.number})
    except NoReverseMatch:
        assert data["receipt_url"] is None
    else:
        assert data["receipt_url"] == f"http://testserver{path}"
    assert application.channel == Channel.API and application.registered_by == operator
    assert application.applicant.pinfl == "31203901230017"
    assert application.documents.get().required.position == 1  # presented on paper, no file


def test_create_multipart_with_scans_and_extra_files(client, service, center, operator):
    client.force_login(operator)
    data = body(service, center)
    passport, plan, _cadastre = service.documents.order_by("position")
    form = {
        "service": data["service"],
        "center": data["center"],
        "applicant": json.dumps(data["applicant"]),
        "fee": json.dumps({"payment_reference": "PAY-2"}),
        "documents": [str(passport.pk)],
        f"file_{passport.pk}": pdf_file("passport.pdf"),
        f"file_{plan.pk}": SimpleUploadedFile("plan.png", PNG),
        "files": [pdf_file("extra-1.pdf"), SimpleUploadedFile("extra-2.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64)],
    }
    response = client.post(URL, data=form)
    assert response.status_code == 201, response.content
    application = Application.objects.get(number=response.json()["number"])
    documents = list(application.documents.order_by("id"))
    assert len(documents) == 4
    assert {d.required_id for d in documents} == {passport.pk, plan.pk, None}
    assert {d.content_type for d in documents} == {"application/pdf", "image/png", "image/jpeg"}
    assert application.payment_reference == "PAY-2"


def test_multipart_refuses_a_file_that_is_not_a_pdf_or_image(client, service, center, operator):
    client.force_login(operator)
    data = body(service, center)
    passport = service.documents.get(position=1)
    form = {
        "service": data["service"],
        "center": data["center"],
        "applicant": json.dumps(data["applicant"]),
        "fee": json.dumps(data["fee"]),
        f"file_{passport.pk}": SimpleUploadedFile("passport.pdf", b"MZ\x90\x00 not a pdf"),
    }
    response = client.post(URL, data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "files" in response.json()["errors"]
    assert not Application.objects.exists() and not Document.objects.exists() and not Person.objects.exists()


def test_multipart_applicant_must_be_json_and_file_fields_known(client, service, center, operator):
    client.force_login(operator)
    form = {
        "service": service.code,
        "center": center.code,
        "applicant": "name=Vali",
        "scan": pdf_file(),
    }
    response = client.post(URL, data=form)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"applicant", "scan"}


# --- Idempotency-Key -------------------------------------------------------------------------------------


def test_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(client, service, center, operator):
    client.force_login(operator)
    first = post(client, body(service, center), key="intake-0001")
    assert first.status_code == 201
    second = post(client, body(service, center), key="intake-0001")
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert Application.objects.count() == 1 and Task.objects.count() == 1
    row = IdempotentRequest.objects.get()
    assert (row.user, row.key, row.status_code) == (operator, "intake-0001", 201)


def test_same_key_with_another_body_is_422(client, service, center, operator):
    client.force_login(operator)
    assert post(client, body(service, center), key="intake-0002").status_code == 201
    changed = body(service, center, phone="+998907654321")
    response = post(client, changed, key="intake-0002")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_keys_are_per_user(client, service, center, operator, manager):
    client.force_login(operator)
    first = post(client, body(service, center), key="shared-key")
    client.force_login(manager)
    second = post(client, body(service, center), key="shared-key")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert first.json()["number"] != second.json()["number"]
    assert Application.objects.count() == 2


def test_a_refused_request_is_not_remembered(client, service, center, operator):
    client.force_login(operator)
    refused = post(client, body(service, center, documents=[]), key="intake-0003")
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()
    fixed = post(client, body(service, center), key="intake-0003")
    assert fixed.status_code == 201 and Application.objects.count() == 1


def test_without_a_key_every_post_creates(client, service, center, operator):
    client.force_login(operator)
    post(client, body(service, center))
    post(client, body(service, center))
    assert Application.objects.count() == 2 and not IdempotentRequest.objects.exists()


def test_a_malformed_key_is_400(client, service, center, operator):
    client.force_login(operator)
    response = post(client, body(service, center), key="k" * 129)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]
    assert not Application.objects.exists()


def test_expired_keys_are_purged_and_then_new(client, service, center, operator):
    import datetime as dt

    from django.utils import timezone

    client.force_login(operator)
    assert post(client, body(service, center), key="old-key").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = post(client, body(service, center), key="old-key")  # expired: a new request
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert Application.objects.count() == 2
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert purge_expired() == 1 and not IdempotentRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_duplicates_create_one_application(service, center, operator):
    from django.db import connections
    from django.test import Client

    data = body(service, center)
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = Client()
        client.force_login(operator)
        barrier.wait()
        try:
            answers.append(post(client, data, key="race-1"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert answers[0].json() == answers[1].json()
    assert Application.objects.count() == 1


# --- Refusals change nothing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, where",
    [
        ({"documents": []}, ("documents",)),
        ({"applicant": {"kind": "individual", "name": "Vali", "pinfl": "31203901230018"}}, ("applicant", "pinfl")),
        ({"applicant": {"kind": "individual", "name": "Vali"}}, ("applicant", "pinfl")),
        ({"applicant": {"kind": "alien", "name": "Vali"}}, ("applicant", "kind")),
        ({"applicant": {"kind": "legal_entity", "name": "MChJ", "stir": "301234567"}}, ("applicant", "kind")),
        ({"service": "no-such-service"}, ("service",)),
        ({"center": "land"}, ("center",)),
        ({"documents": [10**9]}, ("documents",)),
        ({"fee": {"payment_reference": "", "waiver_reason": ""}}, ("fee", "non_field_errors")),
        ({"fee": {"payment_reference": "P", "discount": "nope"}}, ("fee", "discount")),
        ({"phone": "12345"}, ("phone",)),
        ({"ticket": 10**9}, ("ticket",)),
    ],
)
def test_bad_input_is_400_with_field_errors_and_creates_nothing(client, service, center, operator, changes, where):
    client.force_login(operator)
    response = post(client, body(service, center, **changes), headers={"Accept-Language": "en"})
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "invalid"
    errors = data["errors"]
    for key in where:
        errors = errors[key]
    assert errors and all(isinstance(message, str) for message in errors)
    assert not Application.objects.exists() and not Person.objects.exists() and not Document.objects.exists()


def test_missing_document_message_is_translated(client, service, center, operator):
    client.force_login(operator)
    response = post(client, body(service, center, documents=[]), headers={"Accept-Language": "en"})
    assert "Passport" in response.json()["errors"]["documents"][0]
    assert response.headers["Content-Language"] == "en"


def test_operator_of_another_center_is_403(client, service, center, other_center):
    client.force_login(staff("operator2", other_center, Role.OPERATOR))
    response = post(client, body(service, center), key="k-1")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Application.objects.exists() and not Person.objects.exists()
    assert not IdempotentRequest.objects.exists()


# --- Reading ----------------------------------------------------------------------------------------------


def test_list_is_scoped_filtered_and_strict(client, service, applicant, center, other_center, operator):
    mine = submit(service, applicant, center, operator)
    theirs = submit(service, applicant, other_center, staff("operator2", other_center, Role.OPERATOR))
    client.force_login(operator)
    data = client.get(URL).json()
    assert [a["number"] for a in data["results"]] == [mine.number] and data["count"] == 1
    item = data["results"][0]
    assert item["applicant"] == {
        "kind": "individual",
        "name": "Aliyev Vali",
        "identifier": "31203901230017",
        "phone": "+998901234567",
    }
    assert client.get(f"{URL}?status=in_progress&service={service.code}").json()["count"] == 1
    assert client.get(f"{URL}?status=ready").json()["count"] == 0
    assert client.get(f"{URL}?center={other_center.code}").json()["count"] == 0
    assert client.get(f"{URL}?submitted_after=2000-01-01").json()["count"] == 1
    assert client.get(f"{URL}?submitted_before=2000-01-01T00:00:00%2B05:00").json()["count"] == 0
    for query, field in [
        ("status=lost", "status"),
        ("service=nope", "service"),
        ("submitted_after=yesterday", "submitted_after"),
        ("colour=red", "colour"),
    ]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 400 and field in response.json()["errors"], query
    assert client.get(f"{URL}{theirs.number}/").status_code == 404


def test_detail_has_tasks_timeline_and_masks_for_agency_staff(client, application, operator, land_clerk):
    client.force_login(operator)
    data = client.get(f"{URL}{application.number}/").json()
    assert data["access_code"] == application.access_code and data["applicant"]["identifier"] == "31203901230017"
    assert [t["step"] for t in data["tasks"]] == ["land-check"]
    assert [e["kind"] for e in data["timeline"]] == ["submitted", "task_opened"]
    assert data["timeline"][1]["label"] == "land-check: koʻrib chiqilmoqda"
    assert data["status_label"] and data["clock_stopped"] is False

    client.force_login(land_clerk)
    data = client.get(f"{URL}{application.number}/").json()
    assert data["applicant"]["identifier"] == "3120…0017" and data["applicant"]["phone"] == "+998…4567"
    assert data["access_code"] is None and data["receipt_url"] is None


# --- Tasks through the API ----------------------------------------------------------------------------------


def act(client, task_id, action, comment="", target_step=None):
    return client.post(
        f"/api/v1/tasks/{task_id}/actions/",
        data=json.dumps({"action": action, "comment": comment, "target_step": target_step}),
        content_type="application/json",
    )


def test_the_story_through_the_api(client, service, center, operator, land_clerk, arch_clerk):
    client.force_login(operator)
    number = post(client, body(service, center)).json()["number"]
    application = Application.objects.get(number=number)

    client.force_login(land_clerk)
    [task] = client.get("/api/v1/tasks/").json()["results"]
    assert task["application"]["number"] == number and task["agency"] == "land" and task["overdue"] is False
    detail = client.get(f"/api/v1/tasks/{task['id']}/").json()
    assert [a["action"] for a in detail["actions"]] == ["approve", "request_documents", "reject"]
    assert detail["actions"][2] == {
        "action": "reject",
        "label": str(Action.REJECT.label),
        "needs_comment": True,
        "targets": [],
        "ends": "refused",
        "fields": [],
    }
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "land.clerk"
    done = act(client, task["id"], "approve")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["actions"] == []

    client.force_login(arch_clerk)
    [second] = client.get("/api/v1/tasks/?status=open").json()["results"]
    assert second["step"] == "arch-decision"
    actions = {a["action"]: a for a in client.get(f"/api/v1/tasks/{second['id']}/").json()["actions"]}
    assert actions["return"]["targets"] == ["land-check"] and actions["approve"]["ends"] == "issued"
    no_reason = act(client, second["id"], "request_documents")
    assert no_reason.status_code == 400 and "comment" in no_reason.json()["errors"]
    asked = act(client, second["id"], "request_documents", comment="Joy rejasi asl nusxasi")
    assert asked.json()["status"] == "waiting_citizen" and asked.json()["requested"] == "Joy rejasi asl nusxasi"
    waiting = act(client, second["id"], "approve")
    assert waiting.status_code == 409 and waiting.json()["code"] == "waiting_citizen"

    cases.application_supplement(actor=operator, application=application, uploads=[(None, pdf_file("plan.pdf"))])
    approved = act(client, second["id"], "approve")
    assert approved.status_code == 200
    assert approved.json()["application"]["status"] == ApplicationStatus.READY
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY and application.outcome == "issued"
    assert application.result.document.file.read().startswith(b"%PDF")


def test_return_needs_a_known_target_step(client, application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    second = only_task(application)
    client.force_login(arch_clerk)
    response = act(client, second.pk, "return", comment="Qayta", target_step="nowhere")
    assert response.status_code == 400 and "target_step" in response.json()["errors"]
    response = act(client, second.pk, "return", comment="Qayta", target_step="arch-decision")
    assert response.status_code == 400 and "target_step" in response.json()["errors"]
    response = act(client, second.pk, "return", comment="Qayta", target_step="land-check")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert only_task(application).step.code == "land-check"


def test_action_not_allowed_is_409_and_changes_nothing(client, application, land_clerk):
    task = only_task(application)
    client.force_login(land_clerk)
    response = act(client, task.pk, "forward")
    assert response.status_code == 409
    assert response.json() == {"code": "action_not_allowed", "detail": response.json()["detail"]}
    assert response.json()["detail"]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and Task.objects.count() == 1
    assert act(client, task.pk, "approve").status_code == 200
    again = act(client, task.pk, "approve")
    assert again.status_code == 409 and again.json()["code"] == "task_closed"


def test_another_clerk_cannot_claim_a_taken_task(client, application, land_clerk, service):
    from darcha.core.models import Organization

    other = staff("land.clerk2", Organization.objects.get(code="land"), Role.AGENCY_CLERK)
    task = only_task(application)
    cases.task_claim(actor=land_clerk, task=task)
    client.force_login(other)
    response = client.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert response.status_code == 409 and response.json()["code"] == "taken"


def test_task_filters(client, application, land_clerk):
    client.force_login(land_clerk)
    assert client.get("/api/v1/tasks/?overdue=true").json()["count"] == 0
    assert client.get("/api/v1/tasks/?overdue=false").json()["count"] == 1
    Task.objects.update(due_at=application.submitted_at)
    assert client.get("/api/v1/tasks/?overdue=true").json()["count"] == 1
    assert client.get("/api/v1/tasks/?agency=land").json()["count"] == 1
    assert client.get("/api/v1/tasks/?agency=arch").json()["count"] == 0
    for query, field in [("agency=nowhere", "agency"), ("overdue=maybe", "overdue"), ("status=lost", "status")]:
        response = client.get(f"/api/v1/tasks/?{query}")
        assert response.status_code == 400 and field in response.json()["errors"], query


# --- Tracking ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_throttle_history():
    cache.clear()
    yield
    cache.clear()


def test_track_right_and_wrong(client, application, land_clerk, no_throttle_history):
    cases.task_act(
        actor=land_clerk, task=only_task(application), action=Action.REQUEST_DOCUMENTS, comment="Pasport nusxasi"
    )
    url = f"/api/v1/track/{application.number}/"
    response = client.get(f"{url}?code={application.access_code}")
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == application.number and data["service"] == application.service.code
    assert data["status"] == "waiting_citizen" and data["status_label"]
    assert data["current_steps"] == ["land-check: koʻrib chiqilmoqda"]
    assert data["needed"] == ["Pasport nusxasi"] and data["clock_stopped"] is True and data["due_at"]
    assert [e["kind"] for e in data["timeline"]] == ["submitted", "task_opened", "documents_requested"]
    assert data["timeline"][-1]["comment"] == "Pasport nusxasi"
    assert set(data["timeline"][0]) == {"at", "kind", "label", "comment"}

    wrong_code = client.get(f"{url}?code={(int(application.access_code) + 1) % 1_000_000:06d}")
    wrong_number = client.get(f"/api/v1/track/99-9999999/?code={application.access_code}")
    assert wrong_code.status_code == wrong_number.status_code == 404
    assert wrong_code.json() == wrong_number.json()
    assert wrong_code.json()["code"] == "not_found"
    missing = client.get(url)
    assert missing.status_code == 400 and "code" in missing.json()["errors"]
    assert client.get(f"{url}?code={application.access_code}&pinfl=1").status_code == 400


def test_track_counts_only_wrong_lookups_per_client(client, application, settings, no_throttle_history):
    settings.CASES_TRACK_CLIENT_FAILURES = 3
    right = f"/api/v1/track/{application.number}/?code={application.access_code}"
    assert {client.get(right).status_code for _ in range(40)} == {200}  # DRF's throttle refused these after 30
    assert [client.get(f"/api/v1/track/25-000000{n}/?code=000000").status_code for n in range(3)] == [404] * 3
    throttled = client.get("/api/v1/track/25-0000009/?code=000000")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled.headers["Retry-After"]) > 0
    assert client.get(right).status_code == 200
    other_client = client.get("/api/v1/track/25-0000009/?code=000000", REMOTE_ADDR="10.0.0.2")
    assert other_client.status_code == 404


def test_malformed_ids_and_nul_characters_are_json_errors(client, application, operator, land_clerk):
    client.force_login(land_clerk)
    for url in ("/api/v1/tasks/abc/", "/api/v1/tasks/99999999999999999999999/", "/api/v1/tasks/-1/claim/"):
        response = client.get(url) if "claim" not in url else client.post(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    client.force_login(operator)
    response = client.get("/api/v1/applications/%00/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.get("/api/v1/applications/?service=%00")
    assert response.status_code == 400 and "service" in response.json()["errors"]
    response = client.get(f"/api/v1/track/{application.number}%00/?code=%00")
    assert response.status_code == 400 and "code" in response.json()["errors"]
