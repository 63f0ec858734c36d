"""The electronic queue under a mixed load at 200 connections, beside the bare view.

Pages and actions on gunicorn with 2 sync workers, board streams on one uvicorn worker (as docs/deploy.md
deploys them), PostgreSQL. wrk drives, through
bench/queue_mix.lua: kiosk tickets, 8 operators calling → starting → finishing (one citizen at a time
each, as at a real counter), and citizens polling their live position; meanwhile board streams (SSE)
stay open and count the events they receive. Reference: Service BC's TheQ published 28.5 req/s with
a p99 of 17.9 s at 200 users.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_catalog import variants
from harness import LOOPBACK, RESULTS_DIR, BenchError, Context, Row, Server, http_get, row_from_report, server_env, wrk

NAME = "queue"
CONNECTIONS = 200
THREADS = 4
OPERATORS = 8
BOARD_STREAMS = 20
TICKETS_AHEAD = 3000
THEQ = {"requests_per_s": 28.5, "p99_ms": 17_900}
MIX = {"share_operator": 0.3, "share_issue": 0.2}  # the rest: position pages

SETUP = r"""
import json
from django.utils import timezone
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.services import membership_grant
from darcha.queues.models import Counter, OperatorSession
from darcha.queues.services import operator_sign_in, ticket_issue
center = Organization.objects.filter(kind=OrganizationKind.CENTER, counters__isnull=False).distinct().first()
counters = list(Counter.objects.filter(center=center).order_by("number")[:%(operators)d])
service = counters[0].services.first() or counters[0].categories.first().services.filter(is_active=True).first()
for counter in counters:
    counter.services.add(service)
OperatorSession.objects.filter(ended_at__isnull=True).update(ended_at=timezone.now())  # a fresh start
operators = []
for counter in counters:
    user, created = User.objects.get_or_create(username=f"bench-op{counter.number}")
    user.set_password("bench-password")
    user.save()
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    operator_sign_in(actor=user, counter=counter)
    operators.append({"username": user.username, "counter": counter.number})
codes = [ticket_issue(actor=SYSTEM, center=center, service=service).public_code for _ in range(%(tickets)d)]
print("BENCH_SETUP " + json.dumps({"center": center.code, "service": service.code, "operators": operators,
                                   "codes": codes[-500:]}))
"""


def _setup(env: dict[str, str]) -> dict:
    import subprocess

    from harness import PROJECT_DIR, VENV_BIN

    code = SETUP % {"operators": OPERATORS, "tickets": TICKETS_AHEAD}
    result = subprocess.run(
        [str(VENV_BIN / "darcha"), "shell", "-c", code],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_SETUP "):
            return json.loads(line.removeprefix("BENCH_SETUP "))
    raise BenchError(f"queue setup failed:\n{(result.stdout + result.stderr)[-3000:]}")


def _session(server: Server, path: str, login: tuple[str, str] | None = None) -> tuple[str, str]:
    """Cookies and CSRF token of a browser that opened `path` (after logging in, if asked)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if login:
        opener.open(server.url("/login/"), timeout=10).read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"username": login[0], "password": login[1], "csrfmiddlewaretoken": token})
        opener.open(server.url("/login/"), data=body.encode(), timeout=10).read()
    opener.open(server.url(path), timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if login and "sessionid" not in cookies:
        raise BenchError(f"could not log in as {login[0]}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), cookies["csrftoken"]


def _drain(server: Server, timeout: float = 60) -> None:
    """Wait until the requests a warm-up left queued are served: the bare view answers at once again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        http_get(server.url("/health/live/"))
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def _lua_table(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {_lua_table(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua_table(v) for v in value) + "}"
    return json.dumps(value)


class _BoardStreams:
    """Server-Sent-Event clients on the board stream, counting events and dropped connections."""

    def __init__(self, server: Server, path: str, count: int):
        self.server, self.path, self.count = server, path, count
        self.events = 0
        self.drops = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._listen, daemon=True) for _ in range(count)]

    def _listen(self) -> None:
        while not self._stop.is_set():
            conn = http.client.HTTPConnection(LOOPBACK, self.server.port, timeout=30)
            try:
                conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
                response = conn.getresponse()
                while not self._stop.is_set():
                    line = response.fp.readline()
                    if not line:
                        break
                    if line.startswith(b"data:"):
                        with self._lock:
                            self.events += 1
            except OSError:
                pass
            finally:
                conn.close()
            if not self._stop.is_set():
                with self._lock:
                    self.drops += 1
                time.sleep(0.5)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()


def run(ctx: Context) -> list[Row]:
    db = ctx.database()
    if not db.is_postgres:
        ctx.notes.append("queue: skipped (the mixed queue load is measured on PostgreSQL only)")
        return []
    # The kiosk's per-device limit (30 tickets in 10 minutes) would refuse wrk's kiosk, which is one client.
    env = server_env(db.url, KIOSK_TICKETS_PER_CLIENT="1000000")
    setup = _setup(env)
    # The deployment of docs/deploy.md: pages and actions on WSGI workers, board streams on ASGI;
    # a call made in a WSGI worker reaches the streams through PostgreSQL NOTIFY.
    pages = Server(f"{NAME}-wsgi", dict(variants(ctx))["wsgi"], env)
    streams_server = Server(f"{NAME}-asgi-streams", dict(variants(ctx, workers="1"))["asgi"], env)
    ctx.servers["wsgi"] = pages.display
    ctx.servers["asgi (streams)"] = streams_server.display
    rows: list[Row] = []
    with pages, streams_server:
        operators = []
        for op in setup["operators"]:
            cookie, csrf = _session(
                pages, f"/queue/{setup['center']}/console/{op['counter']}/", login=(op["username"], "bench-password")
            )
            operators.append({"counter": op["counter"], "cookie": cookie, "csrf": csrf})
        kiosk_cookie, kiosk_csrf = _session(pages, f"/queue/{setup['center']}/kiosk/service/{setup['service']}/")
        data = {
            "center": setup["center"],
            "service": setup["service"],
            "codes": setup["codes"],
            "operators": operators,
            "threads": THREADS,
            "kiosk_cookie": kiosk_cookie,
            "kiosk_csrf": kiosk_csrf,
            **MIX,
        }
        data_file = RESULTS_DIR / "queue_bench_data.lua"
        data_file.write_text("return " + _lua_table(data) + "\n")
        report_lua = str(Path(__file__).with_name("report.lua"))
        lua_env = {**os.environ, "QUEUE_BENCH_DATA": str(data_file), "QUEUE_BENCH_REPORT": report_lua}
        status, _ = http_get(pages.url("/health/live/"))
        if status != 200:
            raise BenchError("the bare view does not answer")
        for view, path, script in [
            ("bare JSON view", "/health/live/", None),
            ("mixed queue load", "/", Path(__file__).with_name("queue_mix.lua")),
        ]:
            kwargs = {"connections": CONNECTIONS, "threads": THREADS}
            if script:
                kwargs.update(script=script, env=lua_env)
            wrk(pages.url(path), 1, **kwargs)  # warm-up
            _drain(pages)
            streams = _BoardStreams(streams_server, f"/queue/{setup['center']}/board/stream/", BOARD_STREAMS)
            with streams:
                report = wrk(pages.url(path), ctx.duration, **kwargs)
            extra = {"board_streams": BOARD_STREAMS, "board_events": streams.events, "stream_drops": streams.drops}
            rows.append(
                row_from_report(
                    report,
                    benchmark=NAME,
                    variant="wsgi+sse-200",
                    view=view,
                    path=path,
                    baseline=script is None,
                    extra=extra,
                )
            )
            if script:
                ctx.notes.append(
                    f"queue: {BOARD_STREAMS} board streams (ASGI server) open during the mixed load received "
                    f"{streams.events} events, {streams.drops} dropped connections"
                )
    mixed = rows[-1]
    ctx.notes.append(
        f"queue: TheQ (Service BC, published) 28.5 req/s, p99 17.9 s at 200 users; Darcha here "
        f"{mixed.requests_per_s:,.0f} req/s ({mixed.requests_per_s / THEQ['requests_per_s']:.0f}×), "
        f"p99 {mixed.p99_ms / 1000:.2f} s"
    )
    return rows
