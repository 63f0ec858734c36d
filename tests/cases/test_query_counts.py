"""What the cases' lists cost: the same number of queries with N and with 3N rows (tests/querycounts.py).

The lists of many applications (the front office, the inbox's tabs, the overdue list, the API's lists)
grow by applications; the task page and the tracking page grow by the history of one application.
"""

import datetime as dt
import os

import pytest
from django.utils import timezone

from darcha.cases import services as cases
from darcha.cases.choices import TaskStatus
from darcha.cases.models import Task
from darcha.cases.selectors import INBOX_FILTERS
from darcha.cases.views import backoffice
from darcha.catalog.choices import Action
from darcha.core.calendar import end_of_day
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db

EN = "/en"


def open_task(application) -> Task:
    return Task.objects.get(application=application, status__in=(TaskStatus.OPEN, TaskStatus.WAITING_CITIZEN))


@pytest.fixture
def grow(service, applicant, center, operator, land_clerk):
    """grow(n): n more applications at the center, their tasks at the land agency, so that with five
    already every tab of the inbox has some: every third overdue (taken 30 days ago), every sixth
    due today, every other one claimed, every fourth waiting for the citizen, every fifth passed on
    to the architecture agency (its land task done)."""
    made = []

    def grow(n: int) -> None:
        for i in range(len(made), len(made) + n):
            when = timezone.now() - dt.timedelta(days=30) if i % 3 == 0 else None
            application = submit(service, applicant, center, operator, now=when)
            task = open_task(application)
            if i % 6 == 1:
                Task.objects.filter(pk=task.pk).update(due_at=end_of_day(timezone.localdate()))
            if i % 5 == 4:
                cases.task_act(actor=land_clerk, task=task, action=Action.APPROVE)
            elif i % 4 == 3:
                cases.task_act(actor=land_clerk, task=task, action=Action.REQUEST_DOCUMENTS, comment="Imzo")
            elif i % 2:
                cases.task_claim(actor=land_clerk, task=task)
            made.append(application)
        cases.tasks_escalate(now=timezone.now())

    return grow


LISTS = {
    "front_office.list": ("operator", f"{EN}/front/center-1/applications/"),
    "front_office.list_filtered": ("operator", f"{EN}/front/center-1/applications/?status=in_progress&q=Aliyev"),
    **{f"inbox.{tab}": ("land_clerk", f"{EN}/office/land/inbox/?show={tab}") for tab in INBOX_FILTERS},
    "inbox.page_2": ("land_clerk", f"{EN}/office/land/inbox/?page=2"),
    "overdue": ("manager", f"{EN}/office/overdue/"),
    "api.applications": ("operator", "/api/v1/applications/"),
    "api.tasks": ("land_clerk", "/api/v1/tasks/"),
    "api.applications.leadership": ("hokim", "/api/v1/applications/"),
    "api.applications.figures": ("hokim", "/api/v1/applications/figures/"),
}


def test_the_lists_cost_the_same_with_3n_applications(request, client, query_counts, grow, monkeypatch, subtests):
    monkeypatch.setattr(backoffice, "PAGE_SIZE", 2)  # a second page of the inbox already with N
    users = {role: request.getfixturevalue(role) for role in ("operator", "land_clerk", "manager", "hokim")}
    for n in (5, 10):  # N, then 3N
        grow(n)
        for name, (role, address) in LISTS.items():
            with subtests.test(name, rows=n):
                client.force_login(users[role])
                query_counts.check(name, lambda address=address: client.get(address))


@pytest.fixture
def history(application, operator, land_clerk):
    """history(n): n more requests for documents at the land agency, each answered at the front office."""

    def history(n: int) -> None:
        for _ in range(n):
            cases.task_act(actor=land_clerk, task=open_task(application), action=Action.REQUEST_DOCUMENTS, comment="?")
            cases.application_supplement(actor=operator, application=application, comment="Olib keldi")

    return history


def test_a_history_costs_the_same_3n_events_long(
    client, query_counts, application, history, operator, land_clerk, subtests
):
    task = open_task(application)
    pages = {
        "task_page": (land_clerk, f"{EN}/office/land/tasks/{task.pk}/"),
        "front_office.detail": (operator, f"{EN}/front/center-1/applications/{application.number}/"),
        "tracking": (None, f"{EN}/track/{application.number}/?code={application.access_code}"),
        "api.track": (None, f"/api/v1/track/{application.number}/?code={application.access_code}"),
    }
    for n in (2, 4):  # N, then 3N requests and answers
        history(n)
        for name, (user, address) in pages.items():
            with subtests.test(name, events=n):
                if user is None:
                    client.logout()
                else:
                    client.force_login(user)
                query_counts.check(name, lambda address=address: client.get(address))


def _redis_up(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 — not installed or not running: the test is skipped
        return False


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.skipif(not _redis_up(TEST_REDIS_URL), reason="Redis is not running")
def test_with_redis_a_tracking_lookup_is_one_statement(client, query_counts, application, history, settings):
    """The lean path: the application and all its page shows in one statement; the limits' counters in Redis
    (with the database's cache, `api.track` above, one more query: the number's counter)."""
    settings.REDIS_URL = TEST_REDIS_URL
    address = f"/api/v1/track/{application.number}/?code={application.access_code}"
    for n in (2, 4):
        history(n)
        answer = query_counts.check("api.track.redis", lambda: client.get(address))
        assert len(answer.json()["timeline"]) > n
