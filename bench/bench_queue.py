"""The electronic queue under a mixed load at 200 connections, beside the bare view; and the live
position's cost as the queue grows.

Pages and actions on gunicorn with 2 sync workers, board streams on one uvicorn worker (as docs/deploy.md
deploys them), PostgreSQL. The centers are open around the clock for the run (the queue refuses tickets
outside opening hours, and a benchmark runs at any hour).

- `status fragment, N waiting` (64 connections): the live-position fragment of the last ticket of a queue
  of 100, 1,000 and 10,000 waiting tickets (bulk-loaded at a center of their own, then VACUUM ANALYZE), the
  bare view beside it; CPU/req should not grow with N.
- `mixed queue load` (200 connections): wrk drives, through bench/queue_mix.lua, kiosk tickets, 8
  operators calling → starting → finishing (one citizen at a time each, as at a real counter, reading
  the panel they get back), and citizens polling their live position; meanwhile board streams (SSE)
  stay open and count the events they receive. Any refused action fails the row, and so does a run in
  which the operators finished nobody. Afterwards the workers' memory is read, after at least 10,000
  mixed requests. Reference: Service BC's TheQ published 28.5 req/s with a p99 of 17.9 s at 200 users.
"""

from __future__ import annotations

import datetime as dt
import http.client
import http.cookiejar
import json
import os
import re
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_catalog import variants
from harness import (
    LOOPBACK,
    RESULTS_DIR,
    BenchError,
    Context,
    Row,
    Server,
    _CpuAccount,
    _psycopg_url,
    http_get,
    measure,
    row_from_report,
    server_env,
    wrk,
)

NAME = "queue"
CONNECTIONS = 200
THREADS = 4
OPERATORS = 8
BOARD_STREAMS = 20
TICKETS_AHEAD = 3000
THEQ = {"requests_per_s": 28.5, "p99_ms": 17_900}
MIX = {"share_operator": 0.3, "share_issue": 0.2}  # the rest: position pages
SCALES = (100, 1_000, 10_000)  # waiting tickets in the queue whose last ticket's position is polled
SCALE_CENTER = "bench-scale-center"
MEMORY_AFTER = 10_000  # mixed requests before the workers' memory is read
MEMORY_LIMIT_MB = 120

SETUP = r"""
import json
from django.utils import timezone
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.services import membership_grant
from darcha.queues.models import Counter, OperatorSession
from darcha.queues.services import operator_sign_in, ticket_issue
import datetime as dt
from darcha.core.models import Holiday, OpeningHours
center = Organization.objects.filter(kind=OrganizationKind.CENTER, counters__isnull=False).distinct().first()
counters = list(Counter.objects.filter(center=center).order_by("number")[:%(operators)d])
service = counters[0].services.first() or counters[0].categories.first().services.filter(is_active=True).first()
for counter in counters:
    counter.services.add(service)
# The scale rows' queue: a center of its own, one window serving the service, an operator signed in there.
scale, _ = Organization.objects.get_or_create(code="%(scale_center)s", defaults={
    "kind": OrganizationKind.CENTER, "parent": center.parent, "name_uz": "Navbat oʻlchovi markazi",
    "name_ru": "Центр замера очереди"})
scale_counter, _ = Counter.objects.get_or_create(center=scale, number=1)
scale_counter.services.add(service)
# Open around the clock, today a working day: the queue takes no ticket outside opening hours.
centers = Organization.objects.filter(kind=OrganizationKind.CENTER)
OpeningHours.objects.filter(center__in=centers).delete()
OpeningHours.objects.bulk_create(
    OpeningHours(center=c, weekday=w, opens=dt.time(0), closes=dt.time(23, 59, 59, 999999))
    for c in centers for w in range(7))
Holiday.objects.filter(date=timezone.localdate(), kind="day_off").delete()
OperatorSession.objects.filter(ended_at__isnull=True).update(ended_at=timezone.now())  # a fresh start
operators = []
for counter in counters:
    user, created = User.objects.get_or_create(username=f"bench-op{counter.number}")
    user.set_password("bench-password")
    user.save()
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    operator_sign_in(actor=user, counter=counter)
    operators.append({"username": user.username, "counter": counter.number})
scale_operator, _ = User.objects.get_or_create(username="bench-scale-op")
membership_grant(actor=SYSTEM, user=scale_operator, organization=scale, role=Role.OPERATOR)
operator_sign_in(actor=scale_operator, counter=scale_counter)
codes = [ticket_issue(actor=SYSTEM, center=center, service=service).public_code for _ in range(%(tickets)d)]
print("BENCH_SETUP " + json.dumps({"center": center.code, "service": service.code, "operators": operators,
                                   "codes": codes[-500:], "scale_center_id": scale.pk, "service_id": service.pk,
                                   "day": timezone.localdate().isoformat()}))
"""


def _setup(env: dict[str, str]) -> dict:
    import subprocess

    from harness import PROJECT_DIR, VENV_BIN

    code = SETUP % {"operators": OPERATORS, "tickets": TICKETS_AHEAD, "scale_center": SCALE_CENTER}
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


def _analyze(db, *tables: str, vacuum: bool = False) -> None:
    """Fresh planner statistics after a bulk load (the machines' PostgreSQL runs with autovacuum off)."""
    import psycopg

    with psycopg.connect(_psycopg_url(db.url), autocommit=True) as conn:
        conn.execute(("VACUUM (ANALYZE) " if vacuum else "ANALYZE ") + ", ".join(tables))


def _fill_queue(db, setup: dict, waiting: int) -> str:
    """Waiting tickets at the scale center up to `waiting` (one INSERT … SELECT; each a second after the
    one before, so the newest is last in the queue); the public code of the last one."""
    import psycopg

    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)  # the day's tickets, all queued before now
    with psycopg.connect(_psycopg_url(db.url), autocommit=True) as conn:
        have = conn.execute(
            "SELECT count(*) FROM queues_ticket WHERE center_id = %s AND status = 'waiting'",
            (setup["scale_center_id"],),
        ).fetchone()[0]
        conn.execute(
            """
            INSERT INTO queues_ticket (center_id, day, prefix, number, service_id, priority, rank, status, issued_at,
                                       queued_at, recalls, phone, language, public_code, position_notified)
            SELECT %(center)s, %(day)s, 'S', n, %(service)s, '', 0, 'waiting', %(start)s + n * interval '1 second',
                   %(start)s + n * interval '1 second', 0, '', 'uz', 'scale-' || n, false
            FROM generate_series(%(first)s::integer, %(last)s::integer) AS n
            """,
            {
                "center": setup["scale_center_id"],
                "day": setup["day"],
                "service": setup["service_id"],
                "start": start,
                "first": have + 1,
                "last": waiting,
            },
        )
    _analyze(db, "queues_ticket", vacuum=True)
    return f"scale-{waiting}"


def _scale_rows(ctx: Context, db, pages: Server, setup: dict) -> list[Row]:
    """The live position of the last ticket of a queue of 100, 1,000 and 10,000 (64 connections)."""
    variant = "wsgi-64, status by queue length"
    rows = [
        measure(ctx, pages, benchmark=NAME, variant=variant, view="bare JSON view", path="/health/live/", baseline=True)
    ]
    for waiting in SCALES:
        code = _fill_queue(db, setup, waiting)
        path = f"/queue/ticket/{code}/status/"
        status, body = http_get(pages.url(path))
        shown = re.search(rb"<dd data-ahead>(\d+)</dd>", body)
        if status != 200 or not shown or int(shown.group(1)) != waiting - 1:
            raise BenchError(f"{path}: expected {waiting - 1} ahead, answered {status}: {body[:300]!r}")
        row = measure(
            ctx, pages, benchmark=NAME, variant=variant, view=f"status fragment, {waiting:,} waiting", path=path
        )
        row.extra["waiting"] = waiting
        if row.requests:
            row.extra["database_cpu_ms_per_request"] = round(row.extra["database_cpu_s"] * 1000 / row.requests, 3)
        rows.append(row)
    return rows


def _counter_states(server: Server, center: str, operators: list[dict]) -> None:
    """Each operator's ticket and its state, read from the console's panel as queue_mix.lua reads it."""
    for op in operators:
        request = urllib.request.Request(
            server.url(f"/queue/{center}/console/{op['counter']}/panel/"), headers={"Cookie": op["cookie"]}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode()
        state = re.search(r"console-current--([a-z]+)", body)
        ticket = re.search(r"/console/\d+/tickets/(\d+)/start/", body)
        if state and ticket and state.group(1) in ("called", "serving"):
            op["state"], op["ticket"] = state.group(1), ticket.group(1)
        else:
            op["state"], op["ticket"] = "idle", ""


def _worker_rss_mb(server: Server) -> list[float]:
    sizes = []
    for pid in server.worker_cpu():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        if found:
            sizes.append(round(int(found.group(1)) / 1024, 1))
    return sorted(sizes, reverse=True)


def run(ctx: Context) -> list[Row]:
    db = ctx.database()
    if not db.is_postgres:
        ctx.notes.append("queue: skipped (the mixed queue load is measured on PostgreSQL only)")
        return []
    # The kiosk's per-device limit (30 tickets in 10 minutes) would refuse wrk's kiosk, which is one client.
    env = server_env(db.url, KIOSK_TICKETS_PER_CLIENT="1000000")
    setup = _setup(env)
    _analyze(db, "queues_ticket", "queues_ticketevent", "core_auditentry", "core_auditchain", "queues_ticketsequence")
    # The deployment of docs/deploy.md: pages and actions on WSGI workers, board streams on ASGI;
    # a call made in a WSGI worker reaches the streams through PostgreSQL NOTIFY.
    pages = Server(f"{NAME}-wsgi", dict(variants(ctx))["wsgi"], env)
    streams_server = Server(f"{NAME}-asgi-streams", dict(variants(ctx, workers="1"))["asgi"], env)
    ctx.servers["wsgi"] = pages.display
    ctx.servers["asgi (streams)"] = streams_server.display
    rows: list[Row] = []
    with pages, streams_server:
        scale = _scale_rows(ctx, db, pages, setup)
        rows += scale
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
        mixed_requests = 0
        for view, path, script in [
            ("bare JSON view", "/health/live/", None),
            ("mixed queue load", "/", Path(__file__).with_name("queue_mix.lua")),
        ]:
            kwargs = {"connections": CONNECTIONS, "threads": THREADS}
            if script:
                kwargs.update(script=script, env=lua_env)
            warm = wrk(pages.url(path), 1, **kwargs)  # warm-up
            _drain(pages)
            if script:  # the warm-up left tickets at the counters: each operator starts where it stopped
                _counter_states(pages, setup["center"], operators)
                data_file.write_text("return " + _lua_table(data) + "\n")
            streams = _BoardStreams(streams_server, f"/queue/{setup['center']}/board/stream/", BOARD_STREAMS)
            cpu_before = pages.worker_cpu()
            with _CpuAccount(pages, db) as account, streams:
                report = wrk(pages.url(path), ctx.duration, **kwargs)
            cpu_after = pages.worker_cpu()
            extra = {
                "board_streams": BOARD_STREAMS,
                "board_events": streams.events,
                "stream_drops": streams.drops,
                "worker_cpu_s": sorted(
                    (round(cpu_after[pid] - cpu_before.get(pid, 0.0), 2) for pid in cpu_after), reverse=True
                ),
                "database_cpu_s": round(account.database_cpu, 3),
                "run_cores": round(account.ours_cores, 2),
                "other_cores": round(account.other_cores, 2),
            }
            row = row_from_report(
                report,
                benchmark=NAME,
                variant="wsgi+sse-200",
                view=view,
                path=path,
                baseline=script is None,
                extra=extra,
            )
            rows.append(row)
            if script:
                mixed_requests = warm["requests"] + report["requests"]
                _check_operators(ctx, row, report["scripts"].get("queue") or {})
                ctx.notes.append(
                    f"queue: {BOARD_STREAMS} board streams (ASGI server) open during the mixed load received "
                    f"{streams.events} events, {streams.drops} dropped connections"
                )
        if mixed_requests < MEMORY_AFTER:  # more of the same mix (not measured) before reading the memory
            rate = max(rows[-1].requests_per_s, 1)
            seconds = int((MEMORY_AFTER - mixed_requests) / rate) + 2
            _counter_states(pages, setup["center"], operators)
            data_file.write_text("return " + _lua_table(data) + "\n")
            mixed_requests += wrk(pages.url("/"), seconds, **kwargs)["requests"]
        rss = _worker_rss_mb(pages)
    mixed = rows[-1]
    mixed.extra["worker_rss_mb"] = rss
    mixed.extra["mixed_requests_before_rss"] = mixed_requests
    ctx.notes.append(
        f"queue: worker memory after {mixed_requests:,} mixed requests (and the rows before them): "
        + ", ".join(f"{size:.0f} MB" for size in rss)
        + f" (limit {MEMORY_LIMIT_MB} MB)"
    )
    if rss and max(rss) >= MEMORY_LIMIT_MB:
        ctx.failures.append(f"{NAME}: a worker holds {max(rss):.0f} MB after {mixed_requests:,} mixed requests")
    _note_scale(ctx, scale)
    ctx.notes.append(
        f"queue: TheQ (Service BC, published) 28.5 req/s, p99 17.9 s at 200 users; Darcha here "
        f"{mixed.requests_per_s:,.0f} req/s ({mixed.requests_per_s / THEQ['requests_per_s']:.0f}×), "
        f"p99 {mixed.p99_ms / 1000:.2f} s"
    )
    return rows


def _check_operators(ctx: Context, row: Row, counts: dict) -> None:
    """The operators really worked: calls, starts and finishes answered, and no action refused."""
    row.extra["operators"] = counts
    ctx.notes.append(
        f"queue: the {OPERATORS} operators called {counts.get('calls', 0)}, started {counts.get('starts', 0)} and "
        f"finished {counts.get('finishes', 0)} tickets; {counts.get('nobody', 0)} calls found nobody waiting, "
        f"{counts.get('refused', 0)} actions were refused"
    )
    if counts.get("refused"):
        ctx.failures.append(f"{NAME}: {counts['refused']} operator actions refused (first: {counts['first_refusal']})")
    elif row.errors:
        ctx.failures.append(f"{NAME}: the mixed load had {row.errors} errors ({row.error_detail})")
    if not counts.get("finishes"):
        ctx.failures.append(f"{NAME}: the operators finished no ticket during the mixed load")


def _note_scale(ctx: Context, scale: list[Row]) -> None:
    by_waiting = {row.extra["waiting"]: row for row in scale if "waiting" in row.extra}
    if not by_waiting:
        return

    def cpu(row: Row) -> float:
        return sum(row.extra.get("worker_cpu_s") or [0]) * 1000 / max(row.requests, 1)

    figures = ", ".join(
        f"{waiting:,}: {cpu(row):.2f} ms in the workers + {row.extra.get('database_cpu_ms_per_request', 0):.2f} ms "
        "in PostgreSQL"
        for waiting, row in sorted(by_waiting.items())
    )
    small, large = by_waiting[min(by_waiting)], by_waiting[max(by_waiting)]
    ctx.notes.append(
        f"queue: CPU per status fragment by waiting tickets — {figures}; {max(by_waiting):,} ÷ {min(by_waiting):,}: "
        f"{cpu(large) / max(cpu(small), 1e-9):.2f} (workers)"
    )
