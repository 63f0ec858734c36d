import pytest
from django.db import DatabaseError
from django.urls import reverse

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import AuditEntry
from darcha.core.services import membership_grant
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password="correct horse battery", **extra):
    return client.post(reverse("core:login"), {"username": username, "password": password}, **extra)


def test_login_lands_on_the_desk_in_the_users_language(client):
    center = OrganizationFactory(kind=OrganizationKind.CENTER, name_uz="Namangan markazi")
    user = UserFactory(username="op", language="ru")
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    response = login(client, "op")
    assert response.status_code == 302 and response["Location"] == "/ru/desk/"
    page = client.get("/ru/desk/")
    assert page.status_code == 200
    assert "Операционист" in page.content.decode() or "Front-office operator" not in page.content.decode()


def test_wrong_password_is_a_translated_400(client):
    UserFactory(username="op")
    response = client.post("/ru/login/", {"username": "op", "password": "nope"})
    assert response.status_code == 400
    assert "Неверн" in response.content.decode()


def test_failed_logins_are_throttled_per_username(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="op")
    for _ in range(3):
        assert login(client, "op", "wrong").status_code == 400
    # Even the right password is refused while blocked.
    assert login(client, "op").status_code == 429
    assert login(client, "OP ", "wrong").status_code == 429  # same account, other spelling


def test_failed_logins_are_throttled_per_address(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        login(client, name, "wrong", REMOTE_ADDR="10.0.0.7")
    assert login(client, "d", "wrong", REMOTE_ADDR="10.0.0.7").status_code == 429
    assert login(client, "d", "wrong", REMOTE_ADDR="10.0.0.8").status_code == 400


def test_login_ignores_foreign_next(client):
    UserFactory(username="op")
    response = client.post(
        "/login/?next=https://evil.example/", {"username": "op", "password": "correct horse battery"}
    )
    assert response["Location"] == "/desk/"


def test_desk_needs_login_and_logout_is_post_only(client):
    assert client.get("/desk/")["Location"].startswith("/login/")
    UserFactory(username="op")
    login(client, "op")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/desk/").status_code == 302


def test_language_switch_is_remembered_for_the_user(client):
    user = UserFactory(username="op")
    login(client, "op")
    response = client.post("/language/", {"language": "uz-cyrl", "next": "/services/"})
    assert response.status_code == 302 and response["Location"] == "/uz-cyrl/services/"
    user.refresh_from_db()
    assert user.language == "uz-cyrl"
    assert AuditEntry.objects.filter(action="user_set_language", object_id=str(user.pk)).exists()


def test_anonymous_language_switch_sets_a_cookie(client):
    response = client.post("/language/", {"language": "ru", "next": "/"})
    assert response["Location"] == "/ru/" and response.cookies["darcha_language"].value == "ru"


def test_health_reports_the_database(client, monkeypatch):
    assert client.get("/health/").json() == {"status": "ok", "database": "ok"}

    def broken(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("darcha.core.views._database_answers", broken)
    response = client.get("/health/")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
    assert client.get("/health/live/").status_code == 200
