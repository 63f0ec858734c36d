"""The back office pages: an agency sees only its own tasks, every decision through its form with
its refusals (400 bad input, 409 not possible now, 403 not yours), claim and assign, the result
upload, the overdue list, the desk panels and paging (what the pages cost: test_query_counts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, EscalationLevel, TaskStatus
from darcha.cases.models import Application, Escalation, Result, Task
from darcha.cases.views import backoffice
from darcha.catalog.choices import Action
from darcha.core.choices import Role
from darcha.core.models import Organization
from tests.cases.helpers import real_pdf, staff
from tests.factories import PNG

pytestmark = pytest.mark.django_db

EN = "/en"  # the texts asserted are the English originals


def office(agency: str, tail: str = "") -> str:
    return f"{EN}/office/{agency}/{tail}"


def task_url(task, tail: str = "") -> str:
    return office(task.agency.code, f"tasks/{task.pk}/{tail}")


def text(response) -> str:
    return response.content.decode()


def open_task(application) -> Task:
    return Task.objects.select_related("agency", "step").get(
        application=application, status__in=(TaskStatus.OPEN, TaskStatus.WAITING_CITIZEN)
    )


def new_application(service, applicant, center, operator, now=None) -> Application:
    return cases.application_submit(
        actor=operator,
        intake=cases.Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=list(service.documents.order_by("position"))[:1],
            fee=cases.Fee(payment_reference="PAY-1"),
        ),
        now=now,
    )


def at_arch(application, land_clerk) -> Task:
    """The application past the land agency, at the architecture agency's deciding step."""
    cases.task_act(actor=land_clerk, task=open_task(application), action=Action.APPROVE)
    return open_task(application)


@pytest.fixture
def land_head(service):
    return staff("land.head", Organization.objects.get(code="land"), Role.AGENCY_HEAD)


# --- access -------------------------------------------------------------------------------------
def test_anonymous_visitors_go_to_the_login_page(client, application):
    task = open_task(application)
    for address in (office("land", "inbox/"), task_url(task), f"{EN}/office/overdue/"):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(f"{EN}/login/?next=")
    response = client.post(task_url(task, "act/"), {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"] == f"{EN}/login/?next={task_url(task)}"
    assert open_task(application).pk == task.pk  # nothing happened


def test_the_inbox_shows_only_the_agency_s_own_tasks(
    client, service, applicant, center, operator, application, land_clerk, arch_clerk
):
    other = new_application(service, applicant, center, operator)
    arch_task = at_arch(other, land_clerk)
    client.force_login(land_clerk)
    page = text(client.get(office("land", "inbox/")))
    assert application.number in page and other.number not in page

    client.force_login(arch_clerk)
    page = text(client.get(office("arch", "inbox/")))
    assert other.number in page and application.number not in page

    # The land clerk cannot open the architecture agency's inbox or its tasks.
    client.force_login(land_clerk)
    assert client.get(office("arch", "inbox/")).status_code == 403
    assert client.get(task_url(arch_task)).status_code == 403
    assert client.get(office("land", f"tasks/{arch_task.pk}/")).status_code == 404
    for address in (task_url(arch_task, "act/"), office("land", f"tasks/{arch_task.pk}/act/")):
        assert client.post(address, {"action": "approve"}).status_code in (403, 404)
    assert client.post(task_url(arch_task, "claim/")).status_code == 403
    arch_task.refresh_from_db()
    assert arch_task.status == TaskStatus.OPEN and arch_task.assignee is None


def test_only_the_agency_s_clerks_and_head_open_its_inbox(client, application, operator, manager, arch_head):
    for user in (operator, manager):
        client.force_login(user)
        assert client.get(office("land", "inbox/")).status_code == 403
    client.force_login(arch_head)
    assert client.get(office("arch", "inbox/")).status_code == 200
    assert client.get(office("land", "inbox/")).status_code == 403
    assert client.get(office("no-such-agency", "inbox/")).status_code == 404


def test_inbox_tabs_count_and_mark_deadlines(client, service, applicant, center, operator, land_clerk):
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = new_application(service, applicant, center, operator, now=long_ago)
    fresh = new_application(service, applicant, center, operator)
    waiting = new_application(service, applicant, center, operator)
    cases.task_act(actor=land_clerk, task=open_task(waiting), action=Action.REQUEST_DOCUMENTS, comment="Pasport")
    cases.task_claim(actor=land_clerk, task=open_task(fresh))
    client.force_login(land_clerk)

    response = client.get(office("land", "inbox/"))
    page = text(response)
    assert response.status_code == 200
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs == {"open": 3, "mine": 1, "overdue": 1, "due_today": 0, "waiting": 1, "done": None}
    assert "office-row--overdue" in page and "Overdue by" in page
    assert "working days left" in page and "Clock stopped" in page

    overdue = text(client.get(office("land", "inbox/?show=overdue")))
    assert late.number in overdue and fresh.number not in overdue and waiting.number not in overdue
    mine = text(client.get(office("land", "inbox/?show=mine")))
    assert fresh.number in mine and late.number not in mine
    waiting_page = text(client.get(office("land", "inbox/?show=waiting")))
    assert waiting.number in waiting_page and fresh.number not in waiting_page
    # An unknown filter is the default one.
    assert client.get(office("land", "inbox/?show=everything")).context["show"] == "open"

    cases.task_act(actor=land_clerk, task=open_task(fresh), action=Action.APPROVE)
    done = text(client.get(office("land", "inbox/?show=done")))
    assert fresh.number in done and late.number not in done


def test_the_task_page_shows_the_application_with_the_identifier_masked(client, application, land_clerk):
    task = open_task(application)
    client.force_login(land_clerk)
    response = client.get(task_url(task))
    page = text(response)
    assert response.status_code == 200
    assert application.number in page and "Aliyev Vali" in page
    assert "31203901230017" not in page and application.applicant.masked_identifier in page
    assert [a.action for a in response.context["actions"]] == [Action.APPROVE, Action.REQUEST_DOCUMENTS, Action.REJECT]
    assert 'name="action" value="approve"' in page and 'name="action" value="reject"' in page
    # The first step does not issue the result: nothing to upload here.
    assert 'name="file"' not in page and not response.context["can_upload"]


# --- decisions ----------------------------------------------------------------------------------
def test_approve_through_the_page(client, application, land_clerk):
    task = open_task(application)
    client.force_login(land_clerk)
    response = client.post(task_url(task, "act/"), {"action": "approve", "comment": "Hujjatlar joyida"})
    assert response.status_code == 303 and response["Location"] == task_url(task)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == land_clerk and task.comment == "Hujjatlar joyida"
    assert open_task(application).agency.code == "arch"
    page = text(client.get(response["Location"]))
    assert "Approved." in page and 'name="action"' not in page


def test_the_decision_that_ends_the_procedure_is_confirmed(client, application, land_clerk, arch_clerk):
    task = at_arch(application, land_clerk)
    client.force_login(arch_clerk)
    page = text(client.get(task_url(task)))
    assert 'name="confirm"' in page and "approving generates the result document from the template" in page

    response = client.post(task_url(task, "act/"), {"action": "approve"})
    assert response.status_code == 400 and "Tick the box to confirm" in text(response)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    response = client.post(task_url(task, "act/"), {"action": "approve", "confirm": "1"})
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY and application.result.generated
    response = client.get(task_url(task))
    assert "The result of application" in text(response) and response.context["result"] == application.result
    download = reverse("cases:document", args=[application.number, application.result.document.pk])
    assert download in text(response)


def test_reject_without_a_reason_is_400_and_changes_nothing(client, application, land_clerk):
    task = open_task(application)
    client.force_login(land_clerk)
    for data in ({"action": "reject", "comment": "  ", "confirm": "1"}, {"action": "reject"}):
        response = client.post(task_url(task, "act/"), data)
        assert response.status_code == 400
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN and task.action == ""
    assert "Give the reason for the refusal." in text(response) or "Write the reason." in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS and not Result.objects.exists()

    response = client.post(
        task_url(task, "act/"), {"action": "reject", "comment": "Yer boshqa shaxsga tegishli", "confirm": "1"}
    )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.outcome == "refused"


def test_an_action_not_allowed_at_this_step_is_409_and_changes_nothing(client, application, land_clerk):
    task = open_task(application)
    client.force_login(land_clerk)
    for action in ("forward", "return", "launch"):
        response = client.post(task_url(task, "act/"), {"action": action, "comment": "x"})
        assert response.status_code == 409
        assert "This action is not allowed at this step." in text(response)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and Task.objects.filter(application=application).count() == 1

    cases.task_act(actor=land_clerk, task=task, action=Action.APPROVE)
    response = client.post(task_url(task, "act/"), {"action": "approve"})
    assert response.status_code == 409 and "already finished" in text(response)


def test_request_documents_puts_the_task_on_hold(client, application, land_clerk):
    task = open_task(application)
    client.force_login(land_clerk)
    response = client.post(
        task_url(task, "act/"), {"action": "request_documents", "comment": "Joy rejasining asl nusxasi"}
    )
    assert response.status_code == 303
    task.refresh_from_db()
    application.refresh_from_db()
    assert task.status == TaskStatus.WAITING_CITIZEN and task.requested == "Joy rejasining asl nusxasi"
    assert application.status == ApplicationStatus.WAITING_CITIZEN and application.paused_at is not None
    response = client.get(task_url(task))
    page = text(response)
    assert "Joy rejasining asl nusxasi" in page and not response.context["actions"]
    response = client.post(task_url(task, "act/"), {"action": "approve"})
    assert response.status_code == 409 and "waits for the applicant" in text(response)


def test_return_to_an_earlier_step(client, application, land_clerk, arch_clerk):
    task = at_arch(application, land_clerk)
    land_step = Task.objects.get(application=application, agency__code="land").step
    client.force_login(arch_clerk)
    page = text(client.get(task_url(task)))
    assert f'<option value="{land_step.pk}"' in page

    response = client.post(task_url(task, "act/"), {"action": "return", "comment": "Qayta", "target_step": "999999"})
    assert response.status_code == 400 and "Choose a step the application has already passed." in text(response)
    response = client.post(task_url(task, "act/"), {"action": "return", "target_step": str(land_step.pk)})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN

    response = client.post(
        task_url(task, "act/"), {"action": "return", "comment": "Chegaralarni tekshiring", "target_step": land_step.pk}
    )
    assert response.status_code == 303
    task.refresh_from_db()
    again = open_task(application)
    assert task.status == TaskStatus.DONE and task.action == cases.RETURN
    assert again.step == land_step and again.agency.code == "land"


# --- claim and assign ---------------------------------------------------------------------------
def test_claim(client, application, land_clerk):
    task = open_task(application)
    other = staff("land.clerk2", task.agency, Role.AGENCY_CLERK)
    client.force_login(land_clerk)
    inbox = office("land", "inbox/?show=open")
    assert 'action="' + task_url(task, "claim/") + '"' in text(client.get(inbox))
    response = client.post(task_url(task, "claim/"), {"next": inbox})
    assert response.status_code == 303 and response["Location"] == inbox
    task.refresh_from_db()
    assert task.assignee == land_clerk
    assert "You have taken application" in text(client.get(inbox))

    client.force_login(other)
    response = client.post(task_url(task, "claim/"), {"next": "https://elsewhere.example/"})
    assert response.status_code == 409 and "Another clerk has already taken this task." in text(response)
    task.refresh_from_db()
    assert task.assignee == land_clerk
    # A "next" pointing off the site is ignored.
    task2 = open_task(application)
    cases.task_assign(actor=staff("land.boss", task.agency, Role.AGENCY_HEAD), task=task2, assignee=None)
    response = client.post(task_url(task, "claim/"), {"next": "https://elsewhere.example/"})
    assert response.status_code == 303 and response["Location"] == task_url(task)


def test_the_head_assigns_and_clerks_cannot(client, application, land_clerk, arch_clerk, arch_head):
    task = at_arch(application, land_clerk)
    second = staff("arch.clerk2", task.agency, Role.AGENCY_CLERK)
    client.force_login(arch_head)
    response = client.get(task_url(task))
    assert [c.username for c in response.context["clerks"]] == sorted(["arch.clerk", "arch.clerk2"])
    assert 'name="assignee"' in text(response)

    response = client.post(task_url(task, "assign/"), {"assignee": second.pk})
    assert response.status_code == 303
    task.refresh_from_db()
    assert task.assignee == second
    for bogus in (str(land_clerk.pk), "abc"):
        response = client.post(task_url(task, "assign/"), {"assignee": bogus})
        assert response.status_code == 400 and "Choose a clerk of this agency from the list." in text(response)
    task.refresh_from_db()
    assert task.assignee == second

    client.force_login(arch_clerk)
    assert 'name="assignee"' not in text(client.get(task_url(task)))
    response = client.post(task_url(task, "assign/"), {"assignee": arch_clerk.pk})
    assert response.status_code == 409  # taken by another clerk
    response = client.post(task_url(task, "assign/"), {"assignee": ""})
    assert response.status_code == 403 and "Only the agency head assigns tasks to others." in text(response)
    task.refresh_from_db()
    assert task.assignee == second

    client.force_login(arch_head)
    assert client.post(task_url(task, "assign/"), {"assignee": ""}).status_code == 303
    task.refresh_from_db()
    assert task.assignee is None


# --- the result ---------------------------------------------------------------------------------
def test_result_upload(client, application, land_clerk, arch_clerk):
    land_task = open_task(application)
    client.force_login(land_clerk)
    pdf = SimpleUploadedFile("permit.pdf", real_pdf(), content_type="application/pdf")
    response = client.post(task_url(land_task, "result/"), {"file": pdf})
    assert response.status_code == 409 and "at the step that issues it" in text(response)

    task = at_arch(application, land_clerk)
    client.force_login(arch_clerk)
    page = text(client.get(task_url(task)))
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page

    fake = SimpleUploadedFile("permit.pdf", PNG, content_type="application/pdf")
    response = client.post(task_url(task, "result/"), {"file": fake})
    assert response.status_code == 400 and "is not a PDF file" in text(response)
    response = client.post(task_url(task, "result/"))
    assert response.status_code == 400 and "Choose the result PDF to upload." in text(response)
    assert not Result.objects.exists()

    pdf = SimpleUploadedFile("permit.pdf", real_pdf(), content_type="application/pdf")
    response = client.post(task_url(task, "result/"), {"file": pdf})
    assert response.status_code == 303
    result = Result.objects.get(application=application)
    assert not result.generated and result.document.original_name == "permit.pdf"
    response = client.get(task_url(task))
    assert response.context["result"] == result and "uploaded" in text(response)

    assert client.post(task_url(task, "act/"), {"action": "approve", "confirm": "1"}).status_code == 303
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY and not application.result.generated


# --- the overdue list ---------------------------------------------------------------------------
def test_the_overdue_list_shows_what_each_may_see(
    client, service, applicant, center, operator, manager, land_clerk, land_head, arch_head
):
    long_ago = timezone.now() - dt.timedelta(days=30)
    late = new_application(service, applicant, center, operator, now=long_ago)
    fresh = new_application(service, applicant, center, operator)
    cases.tasks_escalate(now=timezone.now())
    assert Escalation.objects.filter(task__application=late, level=EscalationLevel.MANAGER).exists()

    client.force_login(manager)
    response = client.get(f"{EN}/office/overdue/")
    page = text(response)
    assert response.status_code == 200
    assert late.number in page and fresh.number not in page
    assert str(EscalationLevel.MANAGER.label) in page and str(EscalationLevel.HEAD.label) in page
    assert client.get(f"{EN}/office/overdue/?sort=due").status_code == 200

    client.force_login(land_head)
    page = text(client.get(f"{EN}/office/overdue/"))
    assert late.number in page and task_url(open_task(late)) in page  # the head opens the task
    client.force_login(arch_head)
    assert late.number not in text(client.get(f"{EN}/office/overdue/"))

    for user in (land_clerk, operator):
        client.force_login(user)
        assert client.get(f"{EN}/office/overdue/").status_code == 403


# --- desk panels --------------------------------------------------------------------------------
def test_desk_panels(client, service, applicant, center, operator, manager, application, land_clerk, land_head):
    new_application(service, applicant, center, operator, now=timezone.now() - dt.timedelta(days=30))
    client.force_login(land_clerk)
    page = text(client.get(f"{EN}/desk/"))
    assert office("land", "inbox/") in page and ">open<" in page
    assert "/office/overdue/" not in page

    client.force_login(land_head)
    page = text(client.get(f"{EN}/desk/"))
    assert office("land", "inbox/") in page and f"{EN}/office/overdue/" in page

    cases.task_act(actor=land_clerk, task=open_task(application), action=Action.REQUEST_DOCUMENTS, comment="Imzo")
    client.force_login(manager)
    response = client.get(f"{EN}/desk/")
    page = text(response)
    assert f"{EN}/office/overdue/" in page and "waiting for the applicant" in page
    panels = dict(response.context["sections"][0][1])
    counts = panels["cases/desk/applications.html"]["counts"]
    assert counts == {"ready": 0, "waiting": 1}
    assert panels["cases/desk/overdue.html"]["overdue"] == 1

    client.force_login(operator)
    page = text(client.get(f"{EN}/desk/"))
    assert "ready to hand over" in page and "/office/overdue/" not in page


# --- paging (what the pages cost: tests/cases/test_query_counts.py) ------------------------------
def test_the_inbox_is_paginated(client, service, applicant, center, operator, land_clerk, monkeypatch):
    monkeypatch.setattr(backoffice, "PAGE_SIZE", 2)
    for _ in range(5):
        new_application(service, applicant, center, operator)
    client.force_login(land_clerk)
    response = client.get(office("land", "inbox/?page=3"))
    assert response.context["page"].number == 3 and len(response.context["page"].object_list) == 1
    assert client.get(office("land", "inbox/?page=99")).context["page"].number == 3
