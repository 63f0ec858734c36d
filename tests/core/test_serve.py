"""`darcha serve` (issue 9, item 9): the banner — the address with the port chosen and the demo's logins —
comes last, after what the server, the task worker and the scheduler print as they start."""

import io
import socket
import sys

import pytest
from django.core.management import call_command

from darcha.core import serve_banner
from darcha.core.links import SERVED_AT
from darcha.core.management.commands import serve

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _served_address_restored(monkeypatch):
    # serve records the address it was started with in the process's environment (core.links).
    monkeypatch.delenv(SERVED_AT, raising=False)


def chatty(*command: str) -> list[str]:
    """Stand-ins for db_worker and the scheduler (which would use the development database): each says
    it started a moment after it is spawned, then reports a burst of first work, then runs on quietly."""
    name = command[0]
    script = (
        "import time\n"
        "time.sleep(0.3)\n"
        f"print('{name}: starting', flush=True)\n"
        "for n in range(3):\n"
        "    time.sleep(0.1)\n"
        f"    print('{name}: first work', n, flush=True)\n"
        "time.sleep(300)\n"
    )
    return [sys.executable, "-c", script]


def test_the_banner_comes_after_the_startup_lines_with_the_address_and_the_logins(demo, monkeypatch):
    monkeypatch.setattr(serve, "_command", chatty)
    port = free_port()
    out = io.StringIO()
    call_command("serve", "--host", "127.0.0.1", "--port", str(port), "--exit-after-startup", stdout=out)
    lines = out.getvalue().splitlines()

    address = lines.index(f"      http://127.0.0.1:{port}/")
    started = [i for i, line in enumerate(lines) if line.startswith(("db_worker:", "scheduler:"))]
    assert len(started) == 8, lines  # both children's lines came through
    assert max(started) < address, "the banner must follow every startup line"
    banner = lines[address:]
    assert f"admin http://127.0.0.1:{port}/admin/" in "\n".join(banner)
    assert "task worker: running" in "\n".join(banner) and "scheduler: running" in "\n".join(banner)
    # The demo's users close it, each with the shared password.
    table = "\n".join(banner)
    for username in ("operator1", "clerk", "manager", "admin"):
        assert f"  {username} " in table
    assert "darcha-demo" in table
    assert lines[-1] == "" and lines[-2] == serve_banner.RULE


def test_without_demo_users_the_banner_has_the_address_only(db, monkeypatch):
    monkeypatch.setattr(serve, "_command", chatty)
    port = free_port()
    out = io.StringIO()
    call_command("serve", "--port", str(port), "--no-scheduler", "--exit-after-startup", stdout=out)
    text = out.getvalue()
    assert f"http://127.0.0.1:{port}/" in text and "scheduler: off" in text
    assert "darcha-demo" not in text and "Demo users" not in text


def test_an_ipv6_address_is_bracketed():
    assert serve_banner.url("::1", 8101) == "http://[::1]:8101/"
    assert serve_banner.url("127.0.0.1", 8101, "/admin/") == "http://127.0.0.1:8101/admin/"
