"""The audit log does not serialise a region (issue 11, item 4): intake at two centers in parallel.

PostgreSQL only, in a database of its own, `darcha_bench_audit` (dropped and created again,
migrated, `darcha load_demo`, and dropped at the end). A second center is added beside the demo's,
each with an operator of its own.

A stream is one process calling `application_register` (the applicant registered with the
application, as the front office and the API do: the story's building permit, documents presented
on paper, the fee paid) one call after another for the run's duration. One stream at the first
center is measured alone, then one stream at each center at the same time (both warmed up first,
then started together). The two-stream row's ratio is its throughput ÷ the one stream's: with one
audit chain per organization the two never wait for each other's audit lock, so it is bounded by
the machine's cores rather than by a lock (target ≥ 1.7).

Each row fails on any error of a call; after the runs every chain must verify and each center's
chain must hold the entries its stream wrote. Beside each row: the CPU per call of the streams'
processes and of the PostgreSQL backends serving them (no HTTP server here), and the cores other
processes kept busy (a busy machine understates the ratio).

The in-process steps run as `python bench/bench_audit.py <step> <json>`.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from harness import (
    PROJECT_DIR,
    RESULTS_DIR,
    BenchError,
    Context,
    Row,
    in_own_postgres_database,
    manage,
    run_step,
    server_env,
)

NAME = "audit"
DB_NAME = "darcha_bench_audit"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
CENTERS = ["namangan-city-center", "bench-second-center"]  # the demo's, and one added beside it
SERVICE = "building-permit"
WARMUP_CALLS = 10
TARGET_RATIO = 1.7
ROUNDS = 2
VARIANT = "intake streams, in-process"


def run(ctx: Context) -> list[Row]:
    return in_own_postgres_database(ctx, NAME, DB_NAME, _run)


def _run(ctx: Context) -> list[Row]:
    env = server_env(DB_URL)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo")
    _step(env, "setup", {})
    before = _step(env, "check", {})
    # One stream, two, and two under one lock, ROUNDS times over: a machine whose other load changes
    # meanwhile weighs on all alike.
    ones, twos, globals_ = [], [], []
    for number in range(1 if ctx.quick else ROUNDS):
        first = number * 300_000
        ones.append(_streams(ctx, env, [CENTERS[0]], first_pinfl=first))
        twos.append(_streams(ctx, env, CENTERS, first_pinfl=first + 100_000))
        globals_.append(_streams(ctx, env, CENTERS, first_pinfl=first + 200_000, global_lock=True))
    one, two, global_ = _merge(ones), _merge(twos), _merge(globals_)
    check = _step(env, "check", {})
    rows = [
        _row(one, "1 stream (1 center)", baseline=True),
        _row(two, "2 streams (2 centers)"),
        _row(global_, "2 streams, one audit lock for the region (as before)"),
    ]
    for row in rows:
        if row.errors:
            ctx.failures.append(f"{NAME}: {row.view}: {row.errors} calls failed ({row.extra['first_error']})")
    if not check["ok"]:
        ctx.failures.append(f"{NAME}: the audit log does not verify after the runs: {check['problems'][:3]}")
    expected = {center: sum(run["by_center"].get(center, 0) for run in (one, two, global_)) for center in CENTERS}
    written = {center: check["intakes"][center] - before["intakes"][center] for center in CENTERS}
    if written != expected:
        ctx.failures.append(f"{NAME}: intakes recorded {written} ≠ the streams' calls {expected}")
    ratio = rows[1].requests_per_s / rows[0].requests_per_s if rows[0].requests_per_s else 0.0
    locked = rows[2].requests_per_s / rows[0].requests_per_s if rows[0].requests_per_s else 0.0
    ctx.notes.append(
        f"{NAME}: 2 streams ÷ 1 stream = {ratio:.2f} (target ≥ {TARGET_RATIO}; {locked:.2f} with one audit lock for "
        f"the region, as before the chains); CPU per call in the stream's "
        f"process + its PostgreSQL backend: "
        + "; ".join(f"{row.view} {row.extra['python_cpu_ms']:.1f} + {row.extra['db_cpu_ms']:.1f} ms" for row in rows)
        + f"; {check['chains']} audit chains verified, {check['entries']} entries"
    )
    for row in rows:
        shares = row.extra["lock_wait_share"]
        ctx.notes.append(
            f"{NAME}/{row.view}: waiting for a lock in "
            + (", ".join(f"{table} {share:.1%}" for table, share in sorted(shares.items())) if shares else "none")
            + " of the streams' sampled time (core_auditchain: an audit chain, 0 between two centers; "
            "pg_advisory_xact_lock: the region-wide audit lock of the comparison row)"
        )
    if rows[1].extra["lock_wait_share"].get("core_auditchain"):
        ctx.failures.append(f"{NAME}: streams at two centers waited for each other's audit chain")
    for row in rows:
        if row.extra["other_cores"] > 0.25:
            ctx.notes.append(
                f"{NAME}/{row.view}: other processes kept {row.extra['other_cores']:.1f} of {os.cpu_count()} cores "
                f"busy during the run: the ratio is understated"
            )
    return rows


def _merge(runs: list[dict]) -> dict:
    """Runs of the same streams as one: their calls over their seconds, CPU per call over all calls."""
    calls = sum(run["calls"] for run in runs)
    by_center: dict[str, int] = {}
    for run in runs:
        for center, count in run["by_center"].items():
            by_center[center] = by_center.get(center, 0) + count
    seconds = sum(run["seconds"] for run in runs)
    return {
        "calls": sum(run["calls"] for run in runs),
        "seconds": seconds,
        "latencies_ms": [ms for run in runs for ms in run["latencies_ms"]],
        "errors": sum(run["errors"] for run in runs),
        "first_error": next((run["first_error"] for run in runs if run["first_error"]), ""),
        "by_center": by_center,
        "python_cpu_ms": sum(run["python_cpu_ms"] * run["calls"] for run in runs) / max(calls, 1),
        "db_cpu_ms": sum(run["db_cpu_ms"] * run["calls"] for run in runs) / max(calls, 1),
        "other_cores": sum(run["other_cores"] * run["seconds"] for run in runs) / max(seconds, 1e-9),
        "rounds": [round(run["calls"] / run["seconds"], 1) for run in runs],
        "samples": sum(run["samples"] for run in runs),
        "lock_waits": dict(sum((Counter(run["lock_waits"]) for run in runs), Counter())),
    }


def _row(result: dict, view: str, baseline: bool = False) -> Row:
    latencies = sorted(result["latencies_ms"])

    def percentile(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] if latencies else 0.0

    calls = result["calls"]
    return Row(
        benchmark=NAME,
        variant=VARIANT,
        view=view,
        path="application_register",
        requests_per_s=calls / result["seconds"] if result["seconds"] else 0.0,
        p50_ms=percentile(0.50),
        p99_ms=percentile(0.99),
        errors=result["errors"],
        requests=calls,
        error_detail={"calls failed": result["errors"]} if result["errors"] else {},
        baseline=baseline,
        extra={
            "seconds": round(result["seconds"], 2),
            "streams": len(result["by_center"]),
            "intakes_by_center": result["by_center"],  # warm-up calls included
            "python_cpu_ms": round(result["python_cpu_ms"], 2),
            "db_cpu_ms": round(result["db_cpu_ms"], 2),
            # No HTTP server: the CPU/req column is the stream's process and its PostgreSQL backend, per call.
            "cpu_ms_per_request": round(result["python_cpu_ms"] + result["db_cpu_ms"], 2),
            "other_cores": round(result["other_cores"], 2),
            "calls_per_s_by_round": result["rounds"],
            # Share of the streams' sampled time spent waiting for a lock, by table.
            "lock_wait_share": {t: round(n / result["samples"], 3) for t, n in result["lock_waits"].items()}
            if result["samples"]
            else {},
            "first_error": result["first_error"],
        },
    )


def _step(env: dict[str, str], step: str, args: dict) -> dict:
    return run_step(__file__, NAME, env, step, args, timeout=600)


def _streams(
    ctx: Context, env: dict[str, str], centers: list[str], first_pinfl: int, global_lock: bool = False
) -> dict:
    """One stream process per center, warmed up, then started together for ctx.duration seconds. With
    `global_lock`, every audit append first takes one advisory lock for the whole region, as before the chains."""
    from harness import _machine_busy_seconds

    print(f"  {NAME}: {len(centers)} stream(s) …", file=sys.stderr, flush=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    processes, logs = [], []
    for number, center in enumerate(centers):
        logs.append((RESULTS_DIR / f"{NAME}-stream-{number + 1}-of-{len(centers)}.log").open("w"))
        args = {"center": center, "first_pinfl": first_pinfl + number * 50_000, "global_lock": global_lock}
        processes.append(
            subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "stream", json.dumps(args)],
                env=env,
                cwd=PROJECT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=logs[-1],
                text=True,
            )
        )
    try:
        backends = [int(_expect(process, "READY", timeout=180).split()[1]) for process in processes]
        busy, started = _machine_busy_seconds(), time.monotonic()
        with _LockWaits(backends) as waits:
            for process in processes:
                process.stdin.write(f"GO {ctx.duration}\n")
                process.stdin.flush()
            results = [_expect(process, "BENCH_RESULT", timeout=ctx.duration + 120) for process in processes]
        elapsed = time.monotonic() - started
        busy = _machine_busy_seconds() - busy
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        for log in logs:
            log.close()
    reports = [json.loads(line.removeprefix("BENCH_RESULT ")) for line in results]
    calls = sum(r["calls"] for r in reports)
    ours = sum(r["python_cpu_s"] + r["db_cpu_s"] for r in reports)
    return {
        "calls": calls,
        # From the common start to the last call's end of the slowest stream.
        "seconds": max(r["seconds"] for r in reports),
        "latencies_ms": [ms for r in reports for ms in r["latencies_ms"]],
        "errors": sum(r["errors"] for r in reports),
        "first_error": next((r["first_error"] for r in reports if r["first_error"]), ""),
        # Each stream's calls, its warm-up's included (the check counts every intake written).
        "by_center": {r["center"]: r["calls"] + r["warmup"] for r in reports},
        "python_cpu_ms": sum(r["python_cpu_s"] for r in reports) * 1000 / max(calls, 1),
        "db_cpu_ms": sum(r["db_cpu_s"] for r in reports) * 1000 / max(calls, 1),
        "other_cores": max(0.0, busy - ours) / elapsed,
        "samples": waits.samples,
        "lock_waits": dict(waits.waits),
    }


class _LockWaits:
    """Samples what the streams' PostgreSQL backends are doing, every 20 ms: how often one waits for a
    lock another transaction holds, by the table its statement is about (core_auditchain: the audit
    chain's head row; cases_numbersequence: the year's tracking numbers)."""

    TABLES = ("core_auditchain", "cases_numbersequence", "pg_advisory_xact_lock")

    def __init__(self, backends: list[int]):
        import threading

        self.backends, self.samples, self.waits = backends, 0, Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        import psycopg

        with psycopg.connect("postgresql://" + DB_URL.split("://", 1)[1], autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT wait_event_type, query FROM pg_stat_activity WHERE pid = ANY(%s) AND state = 'active'",
                    [self.backends],
                ).fetchall()
                self.samples += len(self.backends)
                for wait_type, query in rows:
                    if wait_type == "Lock":
                        table = next((t for t in self.TABLES if t in query), "other")
                        self.waits[table] += 1
                self._stop.wait(0.02)

    def __enter__(self) -> _LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def _expect(process: subprocess.Popen, prefix: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line.rstrip("\n")
    process.kill()
    log = Path(process.stderr.name)  # the stream's log file
    raise BenchError(f"{NAME} stream: no {prefix} ({process.wait()}):\n{log.read_text(errors='replace')[-3000:]}")


# --- in-process steps (run as `python bench/bench_audit.py <step> <json>`) ------------------------


def _operator(center_code: str) -> str:
    return f"bench-operator-{center_code}"


def _step_setup() -> dict:
    """The second center beside the demo's, and an operator at each."""
    from darcha.core.audit import SYSTEM
    from darcha.core.choices import OrganizationKind, Role
    from darcha.core.models import Organization, User
    from darcha.core.services import membership_grant

    demo = Organization.objects.get(code=CENTERS[0])
    second, _created = Organization.objects.get_or_create(
        code=CENTERS[1],
        defaults={
            "kind": OrganizationKind.CENTER,
            "parent": demo.parent,
            "name_uz": "Ikkinchi davlat xizmatlari markazi",
            "name_ru": "Второй центр государственных услуг",
        },
    )
    for center in (demo, second):
        user, _created = User.objects.get_or_create(username=_operator(center.code), defaults={"first_name": "Bench"})
        membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    return {"centers": [demo.code, second.code]}


# The one advisory lock every audited write took before the chains (its key then).
GLOBAL_AUDIT_LOCK = 7_311_845_020


def _with_global_lock() -> None:
    """Make every audit append wait for one region-wide lock first, as core.audit did before the chains."""
    from django.db import connection

    from darcha.core import audit

    lock_chain = audit._lock_chain

    def globally_locked(organization_id):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GLOBAL_AUDIT_LOCK])
        return lock_chain(organization_id)

    audit._lock_chain = globally_locked


def _step_stream(center_code: str, first_pinfl: int, global_lock: bool) -> None:
    """Warm up, say READY, wait for `GO <seconds>`, then call application_register until the time is up."""
    from bench_cases import _pinfl, _process_cpu
    from django.db import connection

    from darcha.cases.services import Fee, Intake, application_register
    from darcha.catalog.models import Service
    from darcha.core.choices import PersonKind
    from darcha.core.models import Organization, User

    center = Organization.objects.get(code=center_code)
    service = Service.objects.get(code=SERVICE)
    user = User.objects.get(username=_operator(center_code))
    documents = [d for d in service.documents.order_by("position", "id") if not d.obtained_by_center]

    def register(n: int) -> None:
        application_register(
            actor=user,
            person={
                "kind": PersonKind.INDIVIDUAL,
                "name": f"Bench Applicant {n}",
                "pinfl": _pinfl("4", n),
                "phone": "+998901234567",
                "language": "uz",
            },
            intake=Intake(
                service=service, applicant=None, center=center, presented=documents, fee=Fee(payment_reference=f"P-{n}")
            ),
        )

    if global_lock:
        _with_global_lock()
    for i in range(WARMUP_CALLS):  # imports, templates, the first connection
        register(first_pinfl + i)
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    print(f"READY {backend}", flush=True)
    command = sys.stdin.readline().split()
    if not command or command[0] != "GO":
        raise SystemExit(f"expected GO, got {command!r}")
    duration = float(command[1])
    latencies, errors, first_error = [], 0, ""
    cpu, db_cpu = time.process_time(), _process_cpu(backend)
    started = time.perf_counter()
    n = first_pinfl + WARMUP_CALLS
    while time.perf_counter() - started < duration:
        t0 = time.perf_counter()
        try:
            register(n)
        except Exception as error:  # counted: the row fails on any
            errors += 1
            first_error = first_error or f"{type(error).__name__}: {error}"[:300]
        else:
            latencies.append((time.perf_counter() - t0) * 1000)
        n += 1
    seconds = time.perf_counter() - started
    result = {
        "center": center_code,
        "warmup": WARMUP_CALLS,
        "calls": len(latencies),
        "seconds": seconds,
        "latencies_ms": latencies,
        "errors": errors,
        "first_error": first_error,
        "python_cpu_s": time.process_time() - cpu,
        "db_cpu_s": _process_cpu(backend) - db_cpu,
    }
    print("BENCH_RESULT " + json.dumps(result), flush=True)


def _step_check() -> dict:
    """Every chain verifies; the intakes each center's chain holds."""
    from darcha.core.audit import audit_report, chain_key
    from darcha.core.models import AuditEntry, Organization

    report = audit_report()
    intakes = {}
    for code in CENTERS:
        center = Organization.objects.get(code=code)
        intakes[code] = AuditEntry.objects.filter(chain__key=chain_key(center.pk), action="application_submit").count()
    return {
        "ok": report.ok,
        "problems": [str(problem) for problem in report.problems],
        "chains": len(report.chains),
        "entries": report.entries,
        "intakes": intakes,
    }


def _main(argv: list[str]) -> None:
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    step, args = argv[0], json.loads(argv[1])
    django.setup()
    if step == "setup":
        result = _step_setup()
    elif step == "stream":
        _step_stream(args["center"], args["first_pinfl"], args["global_lock"])
        return
    elif step == "check":
        result = _step_check()
    else:
        raise SystemExit(f"unknown step {step!r}")
    print("BENCH_RESULT " + json.dumps(result))


if __name__ == "__main__":
    _main(sys.argv[1:])
