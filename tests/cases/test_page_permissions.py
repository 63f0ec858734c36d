"""Who may open which staff page: a matrix over roles and organizations (the API has its own).

Application A is taken at center 1 and waits at the land agency; C is taken at center 2. A page a
role may not use answers 403, another center's or agency's application or task 404 (it is not
there for them), and an anonymous visitor is sent to the login page. The hokim (leadership of the
city center 1 is in) sees figures and the overdue list, never an applicant's documents (as in the API).
"""

import pytest

from darcha.cases.models import Task
from darcha.core.choices import Role
from darcha.core.models import Organization
from tests.cases.helpers import APPLICANT_SECRETS, city_leader, staff, submit

pytestmark = pytest.mark.django_db

ROLES = ["operator_c1", "manager_c1", "operator_c2", "land_clerk", "arch_clerk", "arch_head", "hokim", "anonymous"]


@pytest.fixture
def world(service, applicant, center, other_center):
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
    }
    a = submit(service, applicant, center, users["operator_c1"])
    c = submit(service, applicant, other_center, users["operator_c2"])
    return {
        "users": users,
        "A": a,
        "C": c,
        "task_A": Task.objects.get(application=a),
        "document_A": a.documents.exclude(file="").first(),
    }


def pages(world):
    a, c, task, document = world["A"], world["C"], world["task_A"], world["document_A"]
    return {
        "front list c1": "/en/front/center-1/applications/",
        "front new c1": "/en/front/center-1/applications/new/",
        "front detail A": f"/en/front/center-1/applications/{a.number}/",
        "receipt A": f"/en/front/center-1/applications/{a.number}/receipt.pdf?layout=a4",
        "front detail C": f"/en/front/center-2/applications/{c.number}/",
        "document A": f"/en/applications/{a.number}/documents/{document.pk}/",
        "land inbox": "/en/office/land/inbox/",
        "arch inbox": "/en/office/arch/inbox/",
        "land task A": f"/en/office/land/tasks/{task.pk}/",
        "land task A under arch": f"/en/office/arch/tasks/{task.pk}/",
        "overdue": "/en/office/overdue/",
        "desk": "/en/desk/",
    }


OK, FORBIDDEN, MISSING = 200, 403, 404
# role → page → status; pages a role is not listed for answer 403.
EXPECTED = {
    "operator_c1": {
        "front list c1": OK,
        "front new c1": OK,
        "front detail A": OK,
        "receipt A": OK,
        "front detail C": FORBIDDEN,
        "document A": OK,
    },
    "manager_c1": {
        "front list c1": OK,
        "front new c1": OK,
        "front detail A": OK,
        "receipt A": OK,
        "front detail C": FORBIDDEN,
        "document A": OK,
        "overdue": OK,
    },
    "operator_c2": {"front detail C": OK, "document A": MISSING},
    "land_clerk": {"land inbox": OK, "land task A": OK, "document A": OK},
    "arch_clerk": {"arch inbox": OK, "land task A under arch": MISSING, "document A": MISSING},
    "arch_head": {"arch inbox": OK, "land task A under arch": MISSING, "document A": MISSING, "overdue": OK},
    "hokim": {"document A": MISSING, "overdue": OK},
}
EVERYONE = {"desk": OK}


@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    answers = {name: client.get(url) for name, url in pages(world).items()}
    for name, response in answers.items():
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], name
            continue
        expected = EXPECTED[role].get(name, EVERYONE.get(name, FORBIDDEN))
        assert response.status_code == expected, f"{role} {name}: {response.status_code}, expected {expected}"
        if role == "hokim" and expected == OK:
            body = response.content.decode()
            assert not [secret for secret in APPLICANT_SECRETS if secret in body], name
