"""Who may see and do what through the API: a matrix over roles and organizations.

Three applications: A and B taken at center 1 (A waits at the land agency; B has passed land and
waits at the architecture agency), C taken at center 2 (waits at land). Roles: the operator and
the manager of center 1, the operator of center 2, a clerk of land, a clerk and the head of arch,
the hokim (leadership of the city center 1 is in), and an anonymous visitor. Something a caller may
not see answers 404, exactly as if it did not exist; an anonymous caller gets 403 (session and basic
authentication: no login page in an API). Leadership sees figures and masked applicants: initials,
the masked PINFL, no phone, never the name.
"""

import json

import pytest

from darcha.cases import services as cases
from darcha.cases.choices import TaskStatus
from darcha.cases.models import Application, Task
from darcha.catalog.choices import Action
from darcha.core.choices import Role
from darcha.core.models import Organization
from tests import layers
from tests.cases.helpers import (
    APPLICANT_SECRETS,
    BUILDING_PERMIT,
    aliyev,
    center_1,
    center_2,
    city_leader,
    staff,
    submit,
)

pytestmark = pytest.mark.django_db

ROLES = ["operator_c1", "manager_c1", "operator_c2", "land_clerk", "arch_clerk", "arch_head", "hokim", "anonymous"]
CENTER_1_STAFF = {"operator_c1", "manager_c1"}
ANONYMOUS = 403


def _build_world():
    service = layers.fetch(BUILDING_PERMIT.built)
    center, other_center, applicant = center_1(), center_2(), aliyev()
    land = Organization.objects.get(code="land")
    arch = Organization.objects.get(code="arch")
    users = {
        "operator_c1": staff("operator", center, Role.OPERATOR),
        "manager_c1": staff("manager", center, Role.CENTER_MANAGER),
        "operator_c2": staff("operator2", other_center, Role.OPERATOR),
        "land_clerk": staff("land.clerk", land, Role.AGENCY_CLERK),
        "arch_clerk": staff("arch.clerk", arch, Role.AGENCY_CLERK),
        "arch_head": staff("arch.head", arch, Role.AGENCY_HEAD),
        "hokim": city_leader(center),
        "anonymous": None,
    }
    a = submit(service, applicant, center, users["operator_c1"])
    b = submit(service, applicant, center, users["operator_c1"])
    cases.task_act(actor=users["land_clerk"], task=Task.objects.get(application=b), action=Action.APPROVE)
    c = submit(service, applicant, other_center, users["operator_c2"])
    return layers.refs(
        {
            "users": users,
            "applications": {"A": a, "B": b, "C": c},
            "tasks": {
                "land": Task.objects.get(application=a, agency=land),
                "arch": Task.objects.get(application=b, agency=arch),
                "land_done": Task.objects.get(application=b, agency=land),
                "land_c2": Task.objects.get(application=c, agency=land),
            },
            "service": service,
            "center": center,
        }
    )


# The same world for every test of the matrix: built once per worker, on the story's service (tests/layers.py).
WORLD = layers.Layer(build=_build_world, parent=BUILDING_PERMIT)


@pytest.fixture
@WORLD.serves
def world(request, service):
    return layers.fetch(WORLD.value(request))


def login(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)


# --- List of applications ------------------------------------------------------------------------------

SEES = {
    "operator_c1": {"A", "B"},
    "manager_c1": {"A", "B"},
    "operator_c2": {"C"},
    "land_clerk": {"A", "B", "C"},
    "arch_clerk": {"B"},
    "arch_head": {"B"},
    "hokim": {"A", "B"},
}
# What each role reads of the applicant of an application it sees but was not taken at its own center.
MASKED = {"kind": "individual", "name": "Aliyev Vali", "identifier": "3120…0017", "phone": "+998…4567"}
LEADERSHIP_MASKED = {"kind": "individual", "name": "A. V.", "identifier": "3120…0017", "phone": ""}


def assert_nothing_of_the_applicant(response):
    body = response.content.decode()
    for secret in APPLICANT_SECRETS:
        assert secret not in body, secret


@pytest.mark.parametrize("role", ROLES)
def test_list_applications(client, world, role):
    login(client, world, role)
    response = client.get("/api/v1/applications/")
    if role == "anonymous":
        assert response.status_code == ANONYMOUS
        return
    assert response.status_code == 200
    numbers = {item["number"] for item in response.json()["results"]}
    expected = {world["applications"][name].number for name in SEES[role]}
    assert numbers == expected
    if role == "hokim":
        assert_nothing_of_the_applicant(response)
        assert [item["applicant"] for item in response.json()["results"]] == [LEADERSHIP_MASKED] * 2


@pytest.mark.parametrize("role", ROLES)
def test_application_figures(client, world, role):
    login(client, world, role)
    response = client.get("/api/v1/applications/figures/")
    if role == "anonymous":
        assert response.status_code == ANONYMOUS
        return
    assert response.status_code == 200
    seen = SEES[role]
    assert response.json() == {
        "total": len(seen),
        "overdue": 0,
        "by_status": {"in_progress": len(seen), "waiting_citizen": 0, "ready": 0, "closed": 0},
    }


# --- One application -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A", "B", "C"])
@pytest.mark.parametrize("role", ROLES)
def test_retrieve_application(client, world, role, name):
    login(client, world, role)
    application = world["applications"][name]
    response = client.get(f"/api/v1/applications/{application.number}/")
    if role == "anonymous":
        assert response.status_code == ANONYMOUS
        return
    if name not in SEES[role]:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        return
    assert response.status_code == 200
    data = response.json()
    own_center = (role in CENTER_1_STAFF and name in "AB") or (role == "operator_c2" and name == "C")
    if own_center:
        assert data["applicant"]["identifier"] == "31203901230017"
        assert data["applicant"]["phone"] == "+998901234567"
        assert data["access_code"] == application.access_code
        assert data["receipt_url"]
    elif role == "hokim":
        assert data["applicant"] == LEADERSHIP_MASKED
        assert data["access_code"] is None and data["receipt_url"] is None
        assert_nothing_of_the_applicant(response)
    else:
        assert data["applicant"] == MASKED
        assert data["access_code"] is None and data["receipt_url"] is None


def test_not_visible_and_not_existing_look_the_same(client, world):
    login(client, world, "operator_c2")
    hidden = client.get(f"/api/v1/applications/{world['applications']['A'].number}/")
    missing = client.get("/api/v1/applications/99-9999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# --- Tasks -------------------------------------------------------------------------------------------------------

TASKS_SEEN = {
    "operator_c1": set(),
    "manager_c1": set(),
    "operator_c2": set(),
    "land_clerk": {"land", "land_done", "land_c2"},
    "arch_clerk": {"arch"},
    "arch_head": {"arch"},
    "hokim": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_list_tasks(client, world, role):
    login(client, world, role)
    response = client.get("/api/v1/tasks/")
    if role == "anonymous":
        assert response.status_code == ANONYMOUS
        return
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert ids == {world["tasks"][name].pk for name in TASKS_SEEN[role]}


# The action each task is tried with, and who may work on it.
ACT = {"land": ("approve", ""), "arch": ("request_documents", "Joy rejasi asl nusxasi")}
MAY_WORK_ON = {"land": {"land_clerk"}, "arch": {"arch_clerk", "arch_head"}}


@pytest.mark.parametrize("which", ["land", "arch"])
@pytest.mark.parametrize("role", ROLES)
def test_retrieve_and_act_on_a_task(client, world, role, which):
    login(client, world, role)
    task = world["tasks"][which]
    action, comment = ACT[which]
    detail = client.get(f"/api/v1/tasks/{task.pk}/")
    acted = client.post(
        f"/api/v1/tasks/{task.pk}/actions/",
        data=json.dumps({"action": action, "comment": comment}),
        content_type="application/json",
    )
    task.refresh_from_db()
    if role == "anonymous":
        assert (detail.status_code, acted.status_code) == (ANONYMOUS, ANONYMOUS)
        assert task.status == TaskStatus.OPEN
    elif role in MAY_WORK_ON[which]:
        assert detail.status_code == 200 and action in {a["action"] for a in detail.json()["actions"]}
        assert acted.status_code == 200, acted.content
        assert task.status != TaskStatus.OPEN
    else:
        assert (detail.status_code, acted.status_code) == (404, 404)
        assert detail.json()["code"] == acted.json()["code"] == "not_found"
        assert task.status == TaskStatus.OPEN and task.completed_by is None


@pytest.mark.parametrize("which", ["land", "arch"])
@pytest.mark.parametrize("role", ROLES)
def test_claim_a_task(client, world, role, which):
    login(client, world, role)
    task = world["tasks"][which]
    response = client.post(f"/api/v1/tasks/{task.pk}/claim/")
    task.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == ANONYMOUS
    elif role in MAY_WORK_ON[which]:
        assert response.status_code == 200 and task.assignee == world["users"][role]
        return
    else:
        assert response.status_code == 404
    assert task.assignee is None


# --- Create at center 1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_create_at_center_1(client, world, role):
    login(client, world, role)
    service = world["service"]
    before = Application.objects.count()
    response = client.post(
        "/api/v1/applications/",
        data=json.dumps(
            {
                "service": service.code,
                "center": world["center"].code,
                "applicant": {"kind": "individual", "name": "Karimova Zuhra", "passport": "AB1234567"},
                "documents": [service.documents.get(position=1).pk],
                "fee": {"waiver_reason": "Nogironlik guvohnomasi"},
            }
        ),
        content_type="application/json",
        headers={"Idempotency-Key": f"matrix-{role}"},
    )
    if role in CENTER_1_STAFF:
        assert response.status_code == 201, response.content
        assert Application.objects.count() == before + 1
        assert Application.objects.get(number=response.json()["number"]).registered_by == world["users"][role]
    else:
        assert response.status_code == 403
        assert Application.objects.count() == before
        if role != "anonymous":
            assert response.json()["code"] == "forbidden"
