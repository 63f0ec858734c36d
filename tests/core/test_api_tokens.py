"""API clients authenticate with revocable tokens, hashed at rest, under the login form's lock; no Basic auth."""

import base64

import pytest
from django.urls import reverse

from darcha.core.audit import SYSTEM
from darcha.core.errors import Forbidden
from darcha.core.models import ApiToken, AuditEntry
from darcha.core.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"
CURRENT = "/api/v1/auth/tokens/current/"
PROTECTED = "/api/v1/tasks/"  # any endpoint that needs a signed-in caller


def _obtain(client, username, password="correct horse battery", **extra):
    return client.post(
        TOKENS, {"username": username, "password": password, "name": "kiosk"}, content_type="application/json", **extra
    )


def test_a_token_is_given_once_stored_as_a_hash_and_works_until_revoked(client):
    UserFactory(username="clerk")
    response = _obtain(client, "clerk")
    assert response.status_code == 201, response.content
    secret = response.json()["token"]
    assert secret.startswith("darcha_") and response.json()["name"] == "kiosk"
    stored = ApiToken.objects.get()
    assert secret not in {stored.digest, stored.token_key} and secret.startswith(stored.token_key)
    assert client.get(PROTECTED, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    assert client.delete(CURRENT, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 204
    refused = client.get(PROTECTED, HTTP_AUTHORIZATION=f"Token {secret}")
    assert refused.status_code in (401, 403) and refused.json()["code"] == "authentication_failed"
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"api_token_create", "api_token_revoke"}


def test_basic_auth_is_not_accepted(client):
    UserFactory(username="head")
    basic = base64.b64encode(b"head:correct horse battery").decode()
    response = client.get(PROTECTED, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"


def test_wrong_passwords_at_the_token_endpoint_lock_the_account_like_the_login_form(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    UserFactory(username="head")
    for _ in range(3):
        wrong = _obtain(client, "head", "guess", REMOTE_ADDR=f"10.0.0.{_}")
        assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_failed"
    locked = _obtain(client, "head")  # the right password, from another address: still locked
    assert locked.status_code == 429 and locked.json()["code"] == "throttled"
    assert not ApiToken.objects.exists()


def test_an_account_locked_on_the_login_form_gets_no_token(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    UserFactory(username="head")
    for _ in range(2):
        client.post(reverse("core:login"), {"username": "head", "password": "guess"})
    assert _obtain(client, "head").status_code == 429


def test_bad_input_is_a_400_with_field_errors(client):
    response = client.post(TOKENS, {"username": "x"}, content_type="application/json")
    assert response.status_code == 400 and "password" in response.json()["errors"]


def test_tokens_are_made_for_oneself_only():
    alice, bob = UserFactory(), UserFactory()
    with pytest.raises(Forbidden):
        api_token_create(actor=alice, user=bob, name="x")
    with pytest.raises(Forbidden):
        api_token_create(actor=SYSTEM, user=bob, name="x")


def test_the_desk_page_makes_shows_once_and_revokes(client):
    user = UserFactory(username="op")
    client.force_login(user)
    page = reverse("core:api_tokens")
    assert client.get(page).status_code == 200
    made = client.post(page, {"name": "Board in the hall"})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=user)
    html = made.content.decode()
    assert "Board in the hall" in html and token.token_key in html
    # Shown once: the list keeps only the token's first characters, never the whole of it.
    again = client.get(page).content.decode()
    assert 'id="new-token"' in html and 'id="new-token"' not in again
    assert client.post(page, {"name": "  "}).status_code == 400
    revoked = client.post(page, {"revoke": token.pk})
    assert revoked.status_code == 303 and not ApiToken.objects.exists()
    assert client.post(page, {"revoke": token.pk}).status_code == 404
