"""One rule for every absolute link (darcha.core.links, issue 9 item 1): PUBLIC_BASE_URL when set; else the
address the request came in on (given, or remembered by the middleware for the services a view calls), as
Django's settings say to believe proxies' headers; else the address `darcha serve` was started with."""

import asyncio
import io
import subprocess
import sys

import pytest
from django.core.exceptions import DisallowedHost
from django.core.management import call_command
from django.test import RequestFactory

from darcha.core import links
from darcha.core.links import SERVED_AT, RequestAddressMiddleware, absolute_url, record_served_address, served_address

rf = RequestFactory()
PATH = "/track/26-0000001/?code=123456"


@pytest.fixture(autouse=True)
def _nothing_configured(settings, monkeypatch):
    settings.PUBLIC_BASE_URL = ""
    for name in (SERVED_AT, "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)


def on(host: str, **extra):
    return rf.get("/", HTTP_HOST=host, **extra)


def test_public_base_url_wins_over_the_request_and_the_served_address(settings, monkeypatch):
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    monkeypatch.setenv(SERVED_AT, "http://127.0.0.1:8101")
    assert absolute_url(PATH, on("127.0.0.1:8101")) == f"https://darcha.example.uz{PATH}"
    assert absolute_url(PATH) == f"https://darcha.example.uz{PATH}"


def test_unset_the_address_the_request_came_in_on(monkeypatch):
    monkeypatch.setenv(SERVED_AT, "http://127.0.0.1:8000")
    assert absolute_url(PATH, on("127.0.0.1:8101")) == f"http://127.0.0.1:8101{PATH}"
    assert absolute_url("/", on("localhost:9000")) == "http://localhost:9000/"


def test_a_request_s_host_is_checked_and_proxy_headers_are_believed_only_as_the_settings_say(settings):
    with pytest.raises(DisallowedHost):  # a Host header outside ALLOWED_HOSTS is not printed
        absolute_url(PATH, on("evil.example"))
    forwarded = on("127.0.0.1:8101", HTTP_X_FORWARDED_HOST="evil.example", HTTP_X_FORWARDED_PROTO="https")
    assert absolute_url(PATH, forwarded) == f"http://127.0.0.1:8101{PATH}"
    # A deployment that says its proxy sets them (production: SECURE_PROXY_SSL_HEADER; nginx passes Host).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["darcha.example.uz"]
    behind = on("darcha.example.uz", HTTP_X_FORWARDED_PROTO="https")
    assert absolute_url(PATH, behind) == f"https://darcha.example.uz{PATH}"


def test_services_a_view_calls_get_the_request_s_address_from_the_middleware(monkeypatch):
    monkeypatch.setenv(SERVED_AT, "http://127.0.0.1:8000")
    seen = []
    middleware = RequestAddressMiddleware(lambda request: seen.append(absolute_url(PATH)) or "response")
    assert middleware(on("127.0.0.1:8101")) == "response"
    assert seen == [f"http://127.0.0.1:8101{PATH}"]
    # After the response the request is forgotten: a later background job does not use it.
    assert absolute_url(PATH) == f"http://127.0.0.1:8000{PATH}"


def test_the_middleware_remembers_the_request_under_the_asgi_server_too():
    async def view(request):
        await asyncio.sleep(0)
        return absolute_url(PATH)

    middleware = RequestAddressMiddleware(view)
    assert asyncio.run(middleware(on("127.0.0.1:8101"))) == f"http://127.0.0.1:8101{PATH}"
    assert links._request.get() is None


def test_outside_a_request_the_address_serve_was_started_with(monkeypatch):
    monkeypatch.setenv(SERVED_AT, "http://127.0.0.1:8101/")
    assert absolute_url(PATH) == f"http://127.0.0.1:8101{PATH}"


def test_with_nothing_recorded_the_address_serve_would_start_with(monkeypatch):
    assert absolute_url(PATH) == f"http://127.0.0.1:8000{PATH}"
    monkeypatch.setenv("PORT", "8101")
    assert absolute_url(PATH) == f"http://127.0.0.1:8101{PATH}"


def test_served_addresses():
    assert served_address("127.0.0.1", 8101) == "http://127.0.0.1:8101"
    assert served_address("::1", "8101") == "http://[::1]:8101"
    assert served_address("[::1]", 80) == "http://[::1]:80"
    assert served_address("0.0.0.0", 8101).endswith(":8101")  # noqa: S104 — reached by the machine's name
    assert "0.0.0.0" not in served_address("0.0.0.0", 8101)  # noqa: S104


def test_a_path_not_from_the_root_is_a_mistake():
    with pytest.raises(ValueError):
        absolute_url("track/1/")


def test_the_recorded_address_is_read_outside_a_request_and_by_the_processes_started_after(monkeypatch):
    monkeypatch.setenv(SERVED_AT, "")  # restored after the test: recording writes the process's environment
    assert record_served_address("127.0.0.1", 8101) == "http://127.0.0.1:8101"
    assert absolute_url(PATH) == f"http://127.0.0.1:8101{PATH}"
    child = subprocess.run(  # noqa: S603 — the test's own interpreter, as serve starts the worker
        [sys.executable, "-c", f"import os; print(os.environ[{SERVED_AT!r}])"], capture_output=True, text=True
    )
    assert child.stdout.strip() == "http://127.0.0.1:8101"


def test_serve_records_its_address_before_it_starts_anything(monkeypatch):
    class Recorded(Exception):
        pass

    def record(host, port):
        raise Recorded(host, port)  # and so nothing is started: the worker and scheduler would come after

    monkeypatch.setattr(links, "record_served_address", record)
    with pytest.raises(Recorded) as recorded:
        call_command("serve", "--host", "127.0.0.1", "--port", "8101", stdout=io.StringIO())
    assert recorded.value.args == ("127.0.0.1", 8101)
