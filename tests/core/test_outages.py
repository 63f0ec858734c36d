"""A database outage is answered quickly and in the client's language: 503 from /health/, JSON from the API."""

import contextlib
import os
import subprocess
import sys

import pytest
from django.db import OperationalError
from psycopg_pool import PoolClosed, PoolTimeout

from darcha.core import views

pytestmark = pytest.mark.django_db


class _DeadPool:
    """A pool whose database does not answer: it times out after the wait it is given."""

    def __init__(self):
        self.waits = []

    def open(self, wait=False):
        pass

    @contextlib.contextmanager
    def connection(self, timeout=None):
        self.waits.append(timeout)
        raise PoolTimeout(f"couldn't get a connection after {timeout} sec")
        yield  # pragma: no cover


class _UnopenedPool:
    """Django's pool before a process's first query: closed until opened."""

    def __init__(self):
        self.opened = False

    def open(self, wait=False):
        self.opened = True

    @contextlib.contextmanager
    def connection(self, timeout=None):
        if not self.opened:
            raise PoolClosed("the pool 'pool-1' is not open yet")
        yield _Answering()


class _Answering:
    def execute(self, sql):
        return self

    def fetchone(self):
        return (1,)


def test_health_is_answered_as_a_fresh_process_first_request(client, monkeypatch):
    """A server's readiness probe is its first request: the pool Django opens on a first query is opened."""
    pool = _UnopenedPool()
    monkeypatch.setattr(views.connection, "vendor", "postgresql", raising=False)
    monkeypatch.setattr(type(views.connection), "pool", pool, raising=False)
    response = client.get("/health/")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_health_waits_at_most_two_seconds_for_a_pooled_connection(client, monkeypatch):
    pool = _DeadPool()
    monkeypatch.setattr(views.connection, "vendor", "postgresql", raising=False)
    monkeypatch.setattr(type(views.connection), "pool", pool, raising=False)
    response = client.get("/health/")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
    assert pool.waits == [views.HEALTH_TIMEOUT_SECONDS] and views.HEALTH_TIMEOUT_SECONDS <= 2


def test_the_api_answers_json_with_a_code_when_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("darcha.catalog.api.CategoryViewSet.get_queryset", down)
    response = client.get("/api/v1/categories/")
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unavailable" and response["Retry-After"]


def test_a_crash_under_the_api_is_json_too(client, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("darcha.catalog.api.CategoryViewSet.get_queryset", crash)
    client.raise_request_exception = False
    response = client.get("/api/v1/categories/")
    assert response.status_code == 500 and response.json()["code"] == "server_error"
    page = client.get("/services/does-not-matter/")  # pages keep their HTML error pages
    assert page["Content-Type"].startswith("text/html")


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")}
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "darcha.manage", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_development_key_never_serves_other_machines(tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    public = _manage("check", DATABASE_URL=db, ALLOWED_HOSTS="darcha.example.uz", DARCHA_PRODUCTION="0")
    assert public.returncode != 0 and "development key" in public.stderr
    served = _manage("serve", "--host", "0.0.0.0", "--no-worker", "--no-scheduler", DATABASE_URL=db)  # noqa: S104
    assert served.returncode != 0 and "development SECRET_KEY" in served.stderr
