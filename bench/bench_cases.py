"""Applications (issue 3): intake throughput, and citizen tracking among 1,000,000 applications.

PostgreSQL only, in a database of its own, `darcha_bench_cases` (dropped and created again,
migrated, `darcha load_demo`, and dropped at the end), so the million rows never reach the
`darcha_bench` database of the other benchmarks, nor the `test` database of CI.

1. Bulk load: 1,000,000 applications spread over two years, each with one task and two to five
   events of its history, and 250,000 applicants, written with COPY (secondary indexes and foreign
   keys dropped first and rebuilt after, as the migrations define them), then VACUUM ANALYZE.
2. Intake through the service layer: `person_register` + `application_submit` 300 times in one
   process (the story's building permit: the checklist items the citizen brings presented on
   paper, no scans, the fee paid), beside
   a raw psycopg insert of the same rows (checked table by table) in the same run: its ratio is
   the cost of the ORM and the service layer (validation, permissions, calendar, templates).
3. Intake through the API: POST /api/v1/applications/ (a distinct applicant and Idempotency-Key per
   request), from 8 concurrent clients, on gunicorn with 2 sync workers, logged in by session
   cookie and by HTTP basic auth; the ratio is again to the raw insert.
4. Tracking: GET /api/v1/track/<number>/?code=… and the page /track/<number>/?code=… for random
   applications of the million (a sample of 10,000 number/code pairs), at 64 connections, beside
   the bare JSON view on the same server. Each request comes from one of 10,000 client addresses
   (X-Forwarded-For, as the reverse proxy passes it on), so the per-client rate limits stay as
   configured and are paid for, yet no simulated citizen reaches them. Once with the cache of a
   default install (the database), once with Redis (when it answers): the limits count in the cache.

The steps that need Django in-process run in a subprocess: `python bench/bench_cases.py <step>`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import sys
import time
from pathlib import Path

from harness import (
    LOOPBACK,
    RESULTS_DIR,
    WARMUP_SECONDS,
    BenchError,
    Context,
    Database,
    Row,
    Server,
    _CpuAccount,
    _env_flag,
    _postgres_version,
    _Sampler,
    http_get,
    in_own_postgres_database,
    manage,
    row_from_report,
    run_step,
    server_env,
    wrk,
)

NAME = "cases"
DB_NAME = "darcha_bench_cases"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
APPLICATIONS = int(os.environ.get("BENCH_CASES_APPLICATIONS") or 1_000_000)
PERSONS_SHARE = 4  # one applicant for every four applications
INTAKE_CALLS = 300
INTAKE_CONNECTIONS = 8
TRACK_CONNECTIONS = 64
TRACK_SAMPLE = 10_000
CLIENT_ADDRESSES = 10_000
REDIS_URL = "redis://127.0.0.1:6379/13"  # the Redis variant's cache (entries expire within 10 minutes)
SERVICE = "building-permit"  # the story: five documents, a fee, two agencies
BENCH_USER = "bench-operator"
BENCH_PASSWORD = "bench-operator-password"  # noqa: S105 - a throwaway user of a throwaway database
BENCH_DIR = Path(__file__).resolve().parent
INTAKE_LUA = BENCH_DIR / "cases_intake.lua"
TRACK_LUA = BENCH_DIR / "cases_track.lua"
REPORT_LUA = BENCH_DIR / "report.lua"
# Tables the service writes at intake, counted before and after each intake run.
INTAKE_TABLES = [
    "core_person",
    "cases_application",
    "cases_document",
    "cases_task",
    "cases_event",
    "core_auditentry",
    "notify_message",
    "django_tasks_database_dbtaskresult",
]


# --- the run (bench/run.py) -----------------------------------------------------------------------


def run(ctx: Context) -> list[Row]:
    return in_own_postgres_database(ctx, NAME, DB_NAME, _run, keep=_env_flag("BENCH_CASES_KEEP"))


def _run(ctx: Context) -> list[Row]:
    env = server_env(DB_URL)
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo")
    db = Database(DB_URL, "PostgreSQL", _postgres_version(DB_URL), "migrated, `darcha load_demo`, bulk load")
    prepared = time.monotonic() - started
    try:
        load = _worker(env, "load", {"applications": APPLICATIONS, "sample": TRACK_SAMPLE})
        ctx.notes.append(
            f"{NAME}: database {DB_NAME} (PostgreSQL {db.version}): migrate + load_demo {prepared:.0f} s; "
            f"{load['applications']:,} applications, {load['tasks']:,} tasks, {load['events']:,} events, "
            f"{load['persons']:,} applicants loaded in {load['seconds']:.0f} s (COPY {load['copy_s']:.0f} s, "
            f"indexes and foreign keys {load['index_s']:.0f} s, VACUUM ANALYZE and CHECKPOINT {load['vacuum_s']:.0f} s)"
        )
        try:
            intake = _worker(env, "intake", {"calls": INTAKE_CALLS})
        except BenchError as error:  # a broken intake does not hide the tracking rows
            ctx.failures.append(str(error))
            intake, rows = None, []
        else:
            rows = _intake_rows(ctx, intake)
            _observe(ctx, rows, None)
        for number, (cache, server_env_) in enumerate(_cache_variants(ctx, env)):
            server = _wsgi_server(ctx, server_env_, cache)
            measured: list[Row] = []
            with server:
                if number == 0 and intake is not None:
                    measured += _intake_api(ctx, db, server, intake)
                measured += _tracking(ctx, db, server, load, cache)
            _observe(ctx, measured, server)
            rows += measured
        return rows
    finally:
        db.close()


def _cache_variants(ctx: Context, env: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Tracking is measured with the cache of a default install (the database), and with Redis when it
    answers: each lookup counts against its client's rate limit in the cache."""
    variants = [("db cache", {k: v for k, v in env.items() if k != "REDIS_URL"})]
    redis_url = os.environ.get("REDIS_URL") or REDIS_URL
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:  # not installed, not running: the database cache only
        ctx.notes.append(f"{NAME}: Redis not measured ({redis_url}: {type(error).__name__})")
    else:
        variants.append(("Redis cache", {**env, "REDIS_URL": redis_url}))
    return variants


def _worker(env: dict[str, str], step: str, args: dict) -> dict:
    """Run one in-process step (`python bench/bench_cases.py <step> <json>`) and return its result."""
    print(f"  {NAME}: {step} …", file=sys.stderr, flush=True)
    return run_step(__file__, NAME, env, step, args, timeout=900)


def _wsgi_server(ctx: Context, env: dict[str, str], cache: str) -> Server:
    from bench_catalog import variants

    server = Server(f"{NAME}-wsgi-{cache.split()[0].lower()}", dict(variants(ctx))["wsgi"], env)
    detail = f", REDIS_URL={env['REDIS_URL']}" if "REDIS_URL" in env else ""
    ctx.servers[f"{NAME} ({cache}{detail})"] = server.display
    return server


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _intake_rows(ctx: Context, intake: dict) -> list[Row]:
    rows = []
    for key, view, baseline in [
        ("raw", "raw psycopg insert, same rows", True),
        ("service", "person_register + application_submit", False),
    ]:
        part = intake[key]
        rows.append(
            Row(
                benchmark=NAME,
                variant="intake, 1 process",
                view=view,
                path="(in-process)",
                requests_per_s=part["calls"] / part["seconds"],
                p50_ms=_percentile(part["latencies_ms"], 0.50),
                p99_ms=_percentile(part["latencies_ms"], 0.99),
                errors=0,
                requests=part["calls"],
                baseline=baseline,
                extra={
                    "seconds": part["seconds"],
                    "rows": part["rows"],
                    "python_cpu_ms": round(part["python_cpu_ms"], 2),
                    "db_cpu_ms": round(part["db_cpu_ms"], 2),
                    "other_cores": round(part["other_cores"], 2),
                },
            )
        )
    per_app = ", ".join(f"{n:g} {table}" for table, n in intake["service"]["rows"].items() if n)
    ctx.notes.append(f"{NAME}: each intake writes {per_app} (service layer and raw insert alike)")
    if intake["service"]["rows"] != intake["raw"]["rows"]:
        ctx.failures.append(
            f"{NAME}: the raw insert did not write the same rows as the service: "
            f"{intake['raw']['rows']} vs {intake['service']['rows']}"
        )
    return rows


# --- intake through the API -----------------------------------------------------------------------


def _api_post(server: Server, headers: dict[str, str], body: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=30)
    try:
        conn.request("POST", "/api/v1/applications/", body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _api_token(server: Server) -> str | None:
    conn = http.client.HTTPConnection(LOOPBACK, server.port, timeout=30)
    body = json.dumps({"username": BENCH_USER, "password": BENCH_PASSWORD, "name": "bench"})
    try:
        conn.request("POST", "/api/v1/auth/tokens/", body=body.encode(), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    return json.loads(answer)["token"] if response.status == 201 else None


def _intake_api(ctx: Context, db: Database, server: Server, intake: dict) -> list[Row]:
    from bench_queue import _lua_table, _session

    # The applicant's name, PINFL and payment reference are filled in per request by cases_intake.lua.
    body = json.dumps(
        {
            "service": intake["service_code"],
            "center": intake["center_code"],
            "applicant": {
                "kind": "individual",
                "name": "Bench API applicant %s",
                "pinfl": "%s",
                "phone": "+998901234567",
                "language": "uz",
            },
            "documents": intake["documents"],
            "fee": {"payment_reference": "P-%s"},
        }
    )
    cookie, csrf = _session(server, "/health/live/", login=(BENCH_USER, BENCH_PASSWORD))
    token = _api_token(server)
    if token is None:
        ctx.failures.append(f"{NAME}: POST /api/v1/auth/tokens/ gave no token")
        return []
    modes = [
        ("intake API, session cookie", {"Cookie": cookie, "X-CSRFToken": csrf}),
        ("intake API, token", {"Authorization": f"Token {token}"}),
    ]
    raw_rate = intake["raw"]["calls"] / intake["raw"]["seconds"]
    rows: list[Row] = []
    for run_number, (view, auth) in enumerate(modes):
        headers = {"Content-Type": "application/json", "Accept": "application/json", **auth}
        check = body % (f"check {run_number}", _pinfl("5", 900_000 + run_number), f"check-{run_number}")
        status, answer = _api_post(server, {**headers, "Idempotency-Key": f"bench-check-{run_number}"}, check)
        if status != 201:
            ctx.failures.append(f"{NAME}: POST /api/v1/applications/ ({view}) answered {status}: {answer[:300]!r}")
            continue
        data_file = RESULTS_DIR / f"cases_intake_{run_number}.lua"
        data_file.write_text("return " + _lua_table({"body": body, "headers": headers}) + "\n")
        run_id = 10 + 2 * run_number  # the warm-up's; the measured run's is the next (_measure)
        row = _measure(
            ctx,
            db,
            server,
            view=view,
            path="/api/v1/applications/",
            variant=f"intake, wsgi, {INTAKE_CONNECTIONS} clients",
            script=INTAKE_LUA,
            lua_env={"CASES_BENCH_DATA": str(data_file), "CASES_INTAKE_RUN": str(run_id)},
            connections=INTAKE_CONNECTIONS,
            check=False,
        )
        row.ratio = row.requests_per_s / raw_rate
        created = _api_applications(run_id + 1)
        row.extra["applications_created"] = created
        if created < row.requests:  # (a request still in flight when wrk stops may add one more)
            ctx.failures.append(f"{NAME}: {view}: {row.requests} answers but only {created} applications created")
        rows.append(row)
    return rows


def _api_applications(run_id: int) -> int:
    """Applications created through the API by one wrk run: its applicants' PINFLs carry its number
    where the birth year goes (cases_intake.lua)."""
    import psycopg

    with psycopg.connect(DB_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM cases_application a JOIN core_person p ON p.id = a.applicant_id "
            "WHERE a.channel = 'api' AND p.pinfl LIKE %s",
            [f"5____{run_id:02d}%"],
        ).fetchone()[0]


# --- tracking -------------------------------------------------------------------------------------


def _tracking(ctx: Context, db: Database, server: Server, load: dict, cache: str) -> list[Row]:
    number, code = Path(load["sample_file"]).read_text().split("\n", 1)[0].split()
    variant = f"track, wsgi, {cache}"
    rows = [
        _measure(ctx, db, server, view="bare JSON view", path="/health/live/", variant=variant, baseline=True),
    ]
    for view, mode, path in [
        ("tracking API", "api", f"/api/v1/track/{number}/?code={code}"),
        ("tracking page", "page", f"/track/{number}/?code={code}"),
    ]:
        try:
            rows.append(
                _measure(
                    ctx,
                    db,
                    server,
                    view=view,
                    path=path,
                    variant=variant,
                    script=TRACK_LUA,
                    lua_env={
                        "CASES_TRACK_PAIRS": load["sample_file"],
                        "CASES_TRACK_MODE": mode,
                        "CASES_TRACK_CLIENTS": str(CLIENT_ADDRESSES),
                    },
                    label_path=path.replace(number, "<number>").replace(code, "<code>"),
                )
            )
        except BenchError as error:
            ctx.failures.append(str(error))
    return rows


# --- measuring ------------------------------------------------------------------------------------


def _measure(
    ctx: Context,
    db: Database,
    server: Server,
    *,
    view: str,
    path: str,
    variant: str,
    baseline: bool = False,
    script: Path | None = None,
    lua_env: dict[str, str] | None = None,
    connections: int = TRACK_CONNECTIONS,
    check: bool = True,
    label_path: str | None = None,
) -> Row:
    """harness.measure, on this benchmark's own database, with an optional Lua script of our own."""
    url = server.url(path)
    body = b""
    if check:
        log_start = server.log_size()
        status, body = http_get(url)
        if status != 200:
            time.sleep(0.2)
            causes = server.log_exceptions(since=log_start) or [repr(body[:300])]
            raise BenchError(f"{NAME}/{variant}: GET {path} answered {status}: " + " | ".join(causes))
    kwargs: dict = {"connections": connections, "threads": ctx.threads}
    if script:
        kwargs.update(script=script, env={**os.environ, "CASES_BENCH_REPORT": str(REPORT_LUA), **(lua_env or {})})
    log_start = server.log_size()
    wrk(url, WARMUP_SECONDS, **kwargs)
    if script and "CASES_INTAKE_RUN" in (lua_env or {}):  # the measured run's applicants differ from the warm-up's
        kwargs["env"]["CASES_INTAKE_RUN"] = str(int(lua_env["CASES_INTAKE_RUN"]) + 1)
    cpu_before = server.worker_cpu()
    with _CpuAccount(server, db) as account, _Sampler(db.connection_count) as sampler:
        report = wrk(url, ctx.duration, **kwargs)
    cpu_after = server.worker_cpu()
    extra = {
        "bytes": report["bytes"],
        "p90_ms": report["p90_us"] / 1000,
        "max_ms": report["max_us"] / 1000,
        "mean_ms": report["mean_us"] / 1000,
        "response_bytes": len(body),
        "connections": connections,
        "worker_cpu_s": sorted((round(cpu_after[p] - cpu_before.get(p, 0.0), 2) for p in cpu_after), reverse=True),
        "run_cores": round(account.ours_cores, 2),
        "other_cores": round(account.other_cores, 2),
    }
    if sampler.peak is not None:
        extra["db_connections_peak"] = sampler.peak
    problems = server.log_problems(since=log_start)
    if problems:
        extra["server_log_errors"] = len(problems)
        extra["server_log_first_error"] = problems[0][:300]
    row = row_from_report(
        report,
        benchmark=NAME,
        variant=variant,
        view=view,
        path=label_path or path,
        baseline=baseline,
        extra=extra,
    )
    print(
        f"  {NAME}/{variant} {row.path}: {row.requests_per_s:,.0f} req/s, p99 {row.p99_ms:.1f} ms, {row.errors} errors",
        file=sys.stderr,
        flush=True,
    )
    return row


def _observe(ctx: Context, rows: list[Row], server: Server | None) -> None:
    """Notes: CPU per request (what contention on a shared machine does not inflate), server errors,
    other processes' work during a run."""
    for variant in dict.fromkeys(row.variant for row in rows):
        costs = []
        for row in (r for r in rows if r.variant == variant):
            if "python_cpu_ms" in row.extra:
                costs.append(f"{row.view} {row.extra['python_cpu_ms']:.1f} + {row.extra['db_cpu_ms']:.1f} ms")
            elif row.extra.get("worker_cpu_s") and row.requests:
                costs.append(f"{row.view} {sum(row.extra['worker_cpu_s']) * 1000 / row.requests:.1f} ms")
        if costs:
            what = "Python + PostgreSQL backend" if "1 process" in variant else "the server's workers"
            ctx.notes.append(f"{NAME}/{variant}: CPU per request in {what}: " + "; ".join(costs))
    for row in rows:
        if server and row.extra.get("server_log_errors"):
            ctx.notes.append(
                f"{NAME}/{row.variant} {row.view}: {row.extra['server_log_errors']} error lines in "
                f"bench/results/{server.log_path.name} (first: {row.extra['server_log_first_error']})"
            )
        if row.extra.get("other_cores", 0) > 0.25:
            ctx.notes.append(
                f"{NAME}/{row.variant} {row.view}: other processes kept {row.extra['other_cores']:.1f} of "
                f"{os.cpu_count()} cores busy during the run: figures understated"
            )


# --- in-process steps (run as `python bench/bench_cases.py <step> <json>`) ------------------------


def _pinfl(century: str, n: int) -> str:
    """A valid PINFL, distinct for each n below 1,000,000 (and for each century digit)."""
    from darcha.core.identifiers import pinfl_check_digit

    first13 = f"{century}{1 + n % 28:02d}{1 + n // 28 % 12:02d}{n // 336 % 100:02d}{n % 1_000_000:06d}"
    return first13 + str(pinfl_check_digit(first13))


def _psycopg_connect():
    import psycopg

    url = os.environ["DATABASE_URL"]
    return psycopg.connect("postgresql://" + url.split("://", 1)[1], autocommit=True)


NULL = "\\N"  # COPY's text format
REQUESTED = "Yer uchastkasi rejasining nusxasi"  # what the waiting applications' citizens are asked to bring


def _step_load(applications: int, sample: int) -> dict:
    """COPY the applications, their tasks and events, and the applicants; export a sample of number/code pairs."""
    import random

    rng = random.Random(20261127)  # noqa: S311 - the same made-up data every run
    loader = _BulkLoader(rng, applications, sample)
    conn = _psycopg_connect()
    tables = ["core_person", "cases_application", "cases_task", "cases_event"]
    started = time.monotonic()
    with conn.transaction():
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        loader.start(conn)
        restore = _drop_secondary(conn, tables)
        loader.copy(conn)
        copied = time.monotonic()
        for statement in restore:
            conn.execute(statement)
        for table in tables:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        for year, last in loader.counters.items():
            conn.execute(
                "INSERT INTO cases_numbersequence (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = excluded.last",
                [year, last],
            )
    indexed = time.monotonic()
    for table in tables:
        conn.execute(f"VACUUM (ANALYZE) {table}")
    # Write the load's dirty pages out now, not during the measurements (a spread checkpoint slows commits).
    conn.execute("CHECKPOINT")
    vacuumed = time.monotonic()
    conn.close()
    RESULTS_DIR.mkdir(exist_ok=True)
    sample_file = RESULTS_DIR / "cases_track_pairs.txt"
    rng.shuffle(loader.exported)
    sample_file.write_text("".join(loader.exported))
    return {
        **loader.counts,
        "seconds": vacuumed - started,
        "copy_s": copied - started,
        "index_s": indexed - copied,
        "vacuum_s": vacuumed - indexed,
        "sample_file": str(sample_file),
    }


class _BulkLoader:
    """Rows of COPY's text format for applications submitted over two years, oldest first: most of
    them closed, the recent ones in progress; each with its first task and its public history."""

    BATCH = 20_000
    NAMES = ["Aliyev Vali", "Karimova Dilnoza", "Rahimov Jasur", "Yusupova Malika", "Toshmatov Sardor"]
    LANGUAGES = ["uz"] * 14 + ["ru"] * 5 + ["uz-cyrl"]
    SPAN_DAYS = 730
    TASK_COLUMNS = (
        "id, status, opened_at, due_at, paused_at, paused_days, completed_at, action, comment, requested,"
        " agency_id, application_id, assignee_id, completed_by_id, step_id, output"
    )
    APPLICATION_COLUMNS = (
        "id, number, access_code, channel, status, outcome, language, phone, fee_amount, fee_status,"
        " payment_reference, fee_waiver_reason, submitted_at, due_at, paused_at, paused_days, ready_at, closed_at,"
        " applicant_id, center_id, registered_by_id, service_id, version_id"
    )
    EVENT_COLUMNS = (
        "id, kind, action, actor_label, comment, public, data, created_at, actor_id, application_id, task_id"
    )
    PERSON_COLUMNS = "id, kind, pinfl, passport, stir, name, phone, email, language, created_at, updated_at"

    def __init__(self, rng, applications: int, sample: int):
        self.rng, self.applications = rng, applications
        self.persons = max(1, applications // PERSONS_SHARE)
        self.sampled = set(rng.sample(range(applications), min(sample, applications)))
        self.exported: list[str] = []
        self.counters: dict[int, int] = {}
        self.counts = {"applications": 0, "tasks": 0, "events": 0, "persons": 0}

    def start(self, conn) -> None:
        """What the rows refer to: the demo's services (their published procedure's first step), centers, operators."""
        from django.utils import timezone

        from darcha.catalog.choices import VersionStatus
        from darcha.catalog.models import Service
        from darcha.catalog.selectors import fee_today
        from darcha.core.choices import OrganizationKind, Role
        from darcha.core.models import Organization, User

        today = timezone.localdate()
        self.services = []
        for service in Service.objects.filter(is_active=True).order_by("id"):
            version = service.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
            start = version and version.transitions.filter(from_step__isnull=True).select_related("to_step").first()
            if start is None:
                continue
            step = start.to_step
            self.services.append(
                {
                    "id": service.pk,
                    "version": version.pk,
                    "step": step.pk,
                    "step_code": step.code,
                    "agency": step.agency_id,
                    "step_days": step.term_days,
                    "days": service.term_days,
                    "fee": fee_today(service, day=today),
                    "online": service.online,
                }
            )
        self.centers = list(Organization.objects.filter(kind=OrganizationKind.CENTER).values_list("pk", flat=True))
        operators = User.objects.filter(memberships__role=Role.OPERATOR).values_list("pk", "username").distinct()
        self.operators = list(operators) or [(NULL, "operator")]
        if not self.services or not self.centers:
            raise BenchError("the demo has no service with a published procedure, or no center")
        self.first_id = {
            table: conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("core_person", "cases_application", "cases_task", "cases_event")
        }
        self.sequences = dict(conn.execute("SELECT year, last FROM cases_numbersequence").fetchall())
        self.now = timezone.now().replace(microsecond=0)

    def copy(self, conn) -> None:
        rng, iso = self.rng, dt.datetime.isoformat
        stamp = iso(self.now - dt.timedelta(days=self.SPAN_DAYS))
        person0 = self.first_id["core_person"]
        lines = [
            f"{person0 + i}\tindividual\t{_pinfl('3', i)}\t\t{NULL}\t{rng.choice(self.NAMES)}\t"
            f"+99890{rng.randrange(10**7):07d}\t\t{rng.choice(self.LANGUAGES)}\t{stamp}\t{stamp}\n"
            for i in range(self.persons)
        ]
        self._copy(conn, "core_person", self.PERSON_COLUMNS, lines)
        self.counts["persons"] = len(lines)
        batch: dict[str, list[str]] = {"cases_application": [], "cases_task": [], "cases_event": []}
        self.event_id = self.first_id["cases_event"]
        for i in range(self.applications):
            self._application(i, batch)
            if len(batch["cases_application"]) == self.BATCH or i == self.applications - 1:
                self._copy(conn, "cases_application", self.APPLICATION_COLUMNS, batch["cases_application"])
                self._copy(conn, "cases_task", self.TASK_COLUMNS, batch["cases_task"])
                self._copy(conn, "cases_event", self.EVENT_COLUMNS, batch["cases_event"])
                self.counts["applications"] += len(batch["cases_application"])
                self.counts["tasks"] += len(batch["cases_task"])
                self.counts["events"] += len(batch["cases_event"])
                for lines in batch.values():
                    lines.clear()

    @staticmethod
    def _copy(conn, table: str, columns: str, lines: list[str]) -> None:
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(lines), 5000):
                copy.write("".join(lines[start : start + 5000]))

    def _status(self, age_days: int) -> str:
        r = self.rng.random()
        if age_days > 45:
            return "closed" if r < 0.97 else "ready"
        if age_days > 10:
            return "closed" if r < 0.4 else "ready" if r < 0.6 else "waiting_citizen" if r < 0.7 else "in_progress"
        return "in_progress" if r < 0.85 else "waiting_citizen" if r < 0.95 else "ready"

    def _application(self, i: int, batch: dict[str, list[str]]) -> None:
        rng, iso = self.rng, dt.datetime.isoformat
        s = rng.choice(self.services)
        submitted = self.now - dt.timedelta(
            seconds=int((self.applications - i) * self.SPAN_DAYS * 86400 / self.applications)
        )
        year = (submitted + dt.timedelta(hours=5)).year  # Asia/Tashkent: the year in the number
        self.counters[year] = self.counters.get(year, self.sequences.get(year, 0)) + 1
        number = f"{year % 100:02d}-{self.counters[year]:07d}"
        code = f"{rng.randrange(1_000_000):06d}"
        if i in self.sampled:
            self.exported.append(f"{number} {code}\n")
        status = self._status((self.now - submitted).days)
        finished = status in ("ready", "closed")
        online = s["online"] and rng.random() < 0.1
        operator_id, operator_name = (NULL, "citizen") if online else rng.choice(self.operators)
        channel = "online" if online else "front_office"
        done_at = submitted + dt.timedelta(days=min(3, s["days"]), hours=2)
        sub, done = iso(submitted), iso(done_at)
        closed = iso(done_at + dt.timedelta(days=2)) if status == "closed" else NULL
        paused = iso(submitted + dt.timedelta(days=2)) if status == "waiting_citizen" else NULL  # the clock stopped
        fee = s["fee"]
        app_id = self.first_id["cases_application"] + i
        task_id = self.first_id["cases_task"] + i
        batch["cases_application"].append(
            f"{app_id}\t{number}\t{code}\t{channel}\t{status}\t"
            f"{'issued' if finished else ''}\t{rng.choice(self.LANGUAGES)}\t+99890{rng.randrange(10**7):07d}\t"
            f"{fee}\t{'paid' if fee else 'none'}\t{f'P-{i}' if fee else ''}\t\t{sub}\t"
            f"{iso(submitted + dt.timedelta(days=s['days'] * 7 // 5 + 1))}\t{paused}\t0\t{done if finished else NULL}\t"
            f"{closed}\t{self.first_id['core_person'] + rng.randrange(self.persons)}\t{rng.choice(self.centers)}\t"
            f"{operator_id}\t{s['id']}\t{s['version']}\n"
        )
        task_status = "done" if finished else "waiting_citizen" if status == "waiting_citizen" else "open"
        batch["cases_task"].append(
            f"{task_id}\t{task_status}\t{sub}\t{iso(submitted + dt.timedelta(days=s['step_days'] * 7 // 5 + 1))}\t"
            f"{paused}\t0\t{done if finished else NULL}\t{'approve' if finished else ''}\t\t"
            f"{REQUESTED if status == 'waiting_citizen' else ''}\t{s['agency']}\t"
            f"{app_id}\t{NULL}\t{NULL}\t{s['step']}\t{{}}\n"
        )
        history = [
            ("submitted", "", NULL, f'{{"channel": "{channel}", "fee": {fee}}}', sub),
            ("task_opened", "", task_id, f'{{"step": "{s["step_code"]}"}}', sub),
        ]
        if status == "waiting_citizen":
            history.append(("documents_requested", "", task_id, "{}", paused))
        if finished:
            history += [("action", "approve", task_id, "{}", done), ("ready", "", NULL, "{}", done)]
        if status == "closed":
            history.append(("handed_over", "", NULL, "{}", closed))
        events = batch["cases_event"]
        for kind, action, event_task, data, at in history:
            comment = REQUESTED if kind == "documents_requested" else ""
            events.append(
                f"{self.event_id}\t{kind}\t{action}\t{operator_name}\t{comment}\tt\t{data}\t{at}\t{NULL}\t"
                f"{app_id}\t{event_task}\n"
            )
            self.event_id += 1


def _drop_secondary(conn, tables: list[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes of `tables` (not their primary keys);
    return the statements that create them again, exactly as the migrations made them."""
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') ORDER BY contype = 'f' DESC",
        [tables],
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))",
        [tables],
    ).fetchall()
    restore = [indexdef for _name, indexdef in indexes]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, kind, definition in constraints
        if kind == "u"
    ]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, kind, definition in constraints
        if kind == "f"
    ]
    for table, name, _kind, _definition in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _indexdef in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return restore


def _step_intake(calls: int) -> dict:
    """The same intake through the service layer and through raw psycopg, timed call by call."""
    from darcha.cases.services import Fee, Intake, application_submit
    from darcha.catalog.models import Service
    from darcha.core.audit import SYSTEM
    from darcha.core.choices import PersonKind, Role
    from darcha.core.models import Organization, User
    from darcha.core.services import membership_grant, person_register

    CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)

    center = Organization.objects.get(code=CENTER)
    service = Service.objects.get(code=SERVICE)
    user, _created = User.objects.get_or_create(username=BENCH_USER, defaults={"first_name": "Bench"})
    user.set_password(BENCH_PASSWORD)
    user.save()
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    documents = [d for d in service.documents.order_by("position", "id") if not d.obtained_by_center]

    def submit(i: int) -> None:
        person = person_register(
            actor=user,
            kind=PersonKind.INDIVIDUAL,
            name=f"Bench Applicant {i}",
            pinfl=_pinfl("4", i),
            phone="+998901234567",
            language="uz",
        )
        application_submit(
            actor=user,
            intake=Intake(
                service=service,
                applicant=person,
                center=center,
                presented=documents,
                fee=Fee(payment_reference=f"P-{i}"),
            ),
        )

    from django.db import connection

    for i in range(5):  # warm-up: imports, templates, the first connection
        submit(500_000 + i)
    conn = _psycopg_connect()
    before = _table_counts(conn)
    service_run = _timed(calls, submit, connection.connection.info.backend_pid)
    service_run["rows"] = _per_call(before, _table_counts(conn), calls)

    raw = _RawIntake(conn, service, center, user, len(documents))
    raw.insert(600_000)  # warm-up, as above
    before = _table_counts(conn)
    raw_run = _timed(calls, raw.insert, conn.info.backend_pid)
    raw_run["rows"] = _per_call(before, _table_counts(conn), calls)
    conn.close()
    return {
        "service": service_run,
        "raw": raw_run,
        "service_code": service.code,
        "center_code": center.code,
        "documents": [d.pk for d in documents],
    }


def _timed(calls: int, call, backend_pid: int) -> dict:
    """Call `call(i)` for i in range(calls): wall time of each, and CPU time of this process and of
    the PostgreSQL backend serving it (per call), which other work on the machine does not inflate."""
    from harness import _machine_busy_seconds

    latencies = []
    cpu, db_cpu, busy = time.process_time(), _process_cpu(backend_pid), _machine_busy_seconds()
    started = time.perf_counter()
    for i in range(calls):
        t0 = time.perf_counter()
        call(i)
        latencies.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - started
    cpu, db_cpu = time.process_time() - cpu, _process_cpu(backend_pid) - db_cpu
    return {
        "calls": calls,
        "seconds": seconds,
        "latencies_ms": latencies,
        "python_cpu_ms": cpu * 1000 / calls,
        "db_cpu_ms": db_cpu * 1000 / calls,
        # Cores the rest of the machine kept busy meanwhile (as harness.measure reports for server runs).
        "other_cores": max(0.0, _machine_busy_seconds() - busy - cpu - db_cpu) / seconds,
    }


def _process_cpu(pid: int) -> float:
    """CPU seconds a process has used (user + system), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _table_counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in INTAKE_TABLES}  # noqa: S608


def _per_call(before: dict[str, int], after: dict[str, int], calls: int) -> dict[str, float]:
    return {t: (after[t] - before[t]) / calls for t in INTAKE_TABLES}


class _RawIntake:
    """What person_register + application_submit (and the notice queued after commit) write, in plain
    SQL: the same rows, in the same transactions (applicant, application, message, queued task), with
    each audit chain's head row locked and the hash — without the ORM, validation, permissions or templates."""

    def __init__(self, conn, service, center, user, documents: int):
        from darcha.catalog.choices import VersionStatus
        from darcha.catalog.selectors import fee_today

        self.conn, self.user = conn, user
        self.service, self.center = service, center
        version = service.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
        start = version.transitions.filter(from_step__isnull=True).select_related("to_step").first().to_step
        self.version_id, self.step_id, self.step_code, self.agency_id = (
            version.pk,
            start.pk,
            start.code,
            start.agency_id,
        )
        self.fee = fee_today(service)
        self.required = list(service.documents.order_by("position", "id").values_list("pk", "name_uz"))[:documents]
        # The last notice and queued task the service wrote: the raw insert writes the same again.
        self.message = conn.execute(
            "SELECT channel, backend, fallback, address, language, template, context, subject, body, status, attempts,"
            " last_error, provider_id, provider_status, object_type FROM notify_message ORDER BY id DESC LIMIT 1"
        ).fetchone()
        self.queued = conn.execute(
            "SELECT status, priority, task_path, queue_name, backend_name, exception_class_path, traceback, worker_ids"
            " FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at DESC LIMIT 1"
        ).fetchone()

    def _audit(
        self, cur, now, action: str, object_type: str, object_id, object_repr: str, data: dict, organization_id=None
    ) -> None:
        """One entry of the organization's audit chain (the system's for None), its head row locked."""
        from darcha.core.audit import chain_key, entry_hash

        key = chain_key(organization_id)
        chain_id, seq, prev = cur.execute(
            "SELECT id, length, head FROM core_auditchain WHERE key = %s FOR UPDATE", [key]
        ).fetchone()  # made by the service run's entries, before
        seq += 1
        fields = {
            "created_at": now,
            "actor_id": self.user.pk,
            "actor_label": self.user.username,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": object_repr,
            "data": data,
        }
        digest = entry_hash(chain=key, seq=seq, prev_hash=prev, **fields)
        cur.execute(
            "INSERT INTO core_auditentry (created_at, actor_id, actor_label, action, object_type, object_id,"
            " object_repr, data, chain_id, seq, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [*fields.values()][:7] + [_json(data), chain_id, seq, prev, digest],
        )
        cur.execute("UPDATE core_auditchain SET length = %s, head = %s WHERE id = %s", [seq, digest, chain_id])

    def insert(self, i: int) -> None:
        import secrets
        import uuid

        conn, now = self.conn, dt.datetime.now(dt.UTC)
        name, pinfl = f"Bench Raw Applicant {i}", _pinfl("6", i)
        with conn.transaction(), conn.cursor() as cur:
            person_id = cur.execute(
                "INSERT INTO core_person (kind, pinfl, passport, stir, name, phone, email, language, created_at,"
                " updated_at) VALUES ('individual', %s, '', NULL, %s, '+998901234567', '', 'uz', %s, %s) RETURNING id",
                [pinfl, name, now, now],
            ).fetchone()[0]
            self._audit(cur, now, "person_register", "core.person", person_id, name, {"identifier": "***"})
        with conn.transaction(), conn.cursor() as cur:
            year = now.year
            last = cur.execute(
                "UPDATE cases_numbersequence SET last = last + 1 WHERE year = %s RETURNING last", [year]
            ).fetchone()[0]
            number = f"{year % 100:02d}-{last:07d}"
            due = now + dt.timedelta(days=21)
            application_id = cur.execute(
                "INSERT INTO cases_application (number, access_code, channel, status, outcome, language, phone,"
                " fee_amount, fee_status, payment_reference, fee_waiver_reason, submitted_at, due_at, paused_days,"
                " applicant_id, center_id, registered_by_id, service_id, version_id) VALUES (%s, %s, 'front_office',"
                " 'in_progress', '', 'uz', '+998901234567', %s, 'paid', %s, '', %s, %s, 0, %s, %s, %s, %s, %s)"
                " RETURNING id",
                [
                    number,
                    f"{secrets.randbelow(1_000_000):06d}",
                    self.fee,
                    f"P-{i}",
                    now,
                    due,
                    person_id,
                    self.center.pk,
                    self.user.pk,
                    self.service.pk,
                    self.version_id,
                ],
            ).fetchone()[0]
            cur.executemany(
                "INSERT INTO cases_document (application_id, required_id, purpose, title, file, original_name,"
                " content_type, size, sha256, added_by_id, added_at) VALUES (%s, %s, 'intake', %s, '', '', '', 0, '',"
                " %s, %s)",
                [(application_id, pk, title, self.user.pk, now) for pk, title in self.required],
            )
            event = (
                "INSERT INTO cases_event (application_id, task_id, kind, action, actor_id, actor_label, comment,"
                " public, data, created_at) VALUES (%s, %s, %s, '', %s, %s, '', true, %s, %s)"
            )
            cur.execute(
                event,
                [application_id, None, "submitted", self.user.pk, self.user.username,
                 _json({"channel": "front_office", "fee": self.fee, "fee_status": "paid"}), now],
            )  # fmt: skip
            task_id = cur.execute(
                "INSERT INTO cases_task (application_id, step_id, agency_id, status, opened_at, due_at, paused_days,"
                " action, comment, requested, output) VALUES (%s, %s, %s, 'open', %s, %s, 0, '', '', '', '{}')"
                " RETURNING id",
                [application_id, self.step_id, self.agency_id, now, due],
            ).fetchone()[0]
            cur.execute(
                event,
                [application_id, task_id, "task_opened", self.user.pk, self.user.username,
                 _json({"step": self.step_code}), now],
            )  # fmt: skip
            self._audit(
                cur, now, "application_submit", "cases.application", application_id, number,
                {"service": self.service.code, "center": self.center.code, "fee": self.fee, "fee_status": "paid"},
                self.center.pk,
            )  # fmt: skip
        m = self.message
        with conn.transaction(), conn.cursor() as cur:
            message_id = cur.execute(
                "INSERT INTO notify_message (channel, backend, fallback, address, language, template, context,"
                " subject, body, status, attempts, last_error, provider_id, provider_status, object_type, object_id,"
                " created_at, claim, sealed, interrupted)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', 0) RETURNING id",
                [*m[:6], _json(m[6]), *m[7:], str(application_id), now],
            ).fetchone()[0]
            self._audit(
                cur,
                now,
                "message_send",
                "notify.message",
                message_id,
                str(message_id),
                {"channel": m[0]},
                self.center.pk,
            )
        q = self.queued
        conn.execute(
            "INSERT INTO django_tasks_database_dbtaskresult (id, status, args_kwargs, priority, task_path, queue_name,"
            " backend_name, run_after, enqueued_at, exception_class_path, traceback, worker_ids)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                uuid.uuid4(),
                *q[:1],
                _json({"args": [message_id], "kwargs": {}}),
                *q[1:5],
                now,
                now,
                q[5],
                q[6],
                _json(q[7]),
            ],
        )


def _json(value):
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def _main(argv: list[str]) -> None:
    import django

    step, args = argv[0], json.loads(argv[1])
    django.setup()
    if step == "load":
        result = _step_load(args["applications"], args["sample"])
    elif step == "intake":
        result = _step_intake(args["calls"])
    else:
        raise SystemExit(f"unknown step {step!r}")
    print("BENCH_RESULT " + json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
