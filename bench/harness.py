"""Shared pieces of the benchmarks run by `make bench` (bench/run.py).

A benchmark module `bench/bench_<name>.py` exposes `run(ctx: Context) -> list[Row]`. It asks the
context for the benchmark database (`ctx.database()`, prepared once per run and shared by every
module), starts servers with `Server`, and measures URLs with `measure()`, which runs `wrk`
against 127.0.0.1 only, for a fixed duration, after a short warm-up.

Environment:
  BENCH_DURATION=<s>     seconds per measured wrk run (default 10)
  BENCH_QUICK=1          3 s runs, for iterating on the benchmarks themselves
  BENCH_ONLY=a,b         only bench_a.py and bench_b.py
  BENCH_SQLITE=1         SQLite in a temporary directory even when PostgreSQL is reachable
  BENCH_DATABASE_URL=…   benchmark an existing database as it is (no migrate, no demo data)
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
REPORT_LUA = BENCH_DIR / "report.lua"
VENV_BIN = Path(sys.executable).parent  # run.py runs under .venv/bin/python

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DB_NAME = "darcha_bench"
LOOPBACK = "127.0.0.1"

CONNECTIONS = 64
THREADS = 2
WARMUP_SECONDS = 1


class BenchError(RuntimeError):
    """A benchmark could not be run (server did not start, a URL does not answer 200, …)."""


@dataclass
class Row:
    benchmark: str
    variant: str
    view: str
    path: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    error_detail: dict[str, int] = field(default_factory=dict)
    baseline: bool = False  # the bare view the other rows of the same variant are compared with
    ratio: float | None = None  # filled in by run.py
    extra: dict = field(default_factory=dict)


# --- database -----------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    vendor: str
    version: str
    prepared: str  # what was done to it, for the report
    _tempdir: Path | None = None
    _monitor: object = None  # psycopg connection of connection_count()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1].split("?", 1)[0]

    @property
    def is_postgres(self) -> bool:
        return self.vendor == "PostgreSQL"

    def connection_count(self) -> int | None:
        """Server connections to the benchmark database (PostgreSQL only), this one excluded.

        Uses one monitoring connection kept open, so that polling adds no backends of its own."""
        if not self.is_postgres:
            return None
        import psycopg

        with self._lock:
            if self._monitor is None or self._monitor.closed:
                self._monitor = psycopg.connect(_psycopg_url(self.url), connect_timeout=3, autocommit=True)
            row = self._monitor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        if self._monitor is not None:
            self._monitor.close()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)


def _psycopg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("postgres://") else url


def _postgres_version(url: str) -> str:
    import psycopg

    with psycopg.connect(_psycopg_url(url), connect_timeout=3) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]


def fresh_postgres_database(name: str = BENCH_DB_NAME) -> str | None:
    """Recreate database `name` on the local PostgreSQL; its URL, or None when PostgreSQL is not reachable."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        conn = psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        return None
    with conn:
        # Fresh every run: the same data for every run, whatever an earlier run left behind.
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare_database() -> Database:
    existing = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if existing:
        return _describe(existing, prepared="existing database (BENCH_DATABASE_URL), used as it is")
    url = None if _env_flag("BENCH_SQLITE") else fresh_postgres_database()
    tempdir = None
    if url is None:
        tempdir = Path(tempfile.mkdtemp(prefix="darcha-bench-"))
        url = f"sqlite:///{tempdir / 'bench.sqlite3'}"
    try:
        env = server_env(url)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo")
    except BaseException:
        if tempdir:
            shutil.rmtree(tempdir, ignore_errors=True)
        raise
    db = _describe(url, prepared="fresh database, migrated, `darcha load_demo`")
    db._tempdir = tempdir
    return db


def _describe(url: str, prepared: str) -> Database:
    if url.startswith(("postgres://", "postgresql://")):
        return Database(url, "PostgreSQL", _postgres_version(url), prepared)
    if url.startswith("sqlite:"):
        return Database(url, "SQLite", sqlite3.sqlite_version, prepared)
    return Database(url, url.split(":", 1)[0], "?", prepared)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment of the servers and management commands: production-like, quiet logs."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="darcha.config.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        ALLOWED_HOSTS=LOOPBACK,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    command = [str(VENV_BIN / "darcha"), *args]
    result = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if result.returncode:
        output = (result.stdout + result.stderr)[-3000:]
        raise BenchError(f"`{shlex.join(['darcha', *args])}` failed ({result.returncode}):\n{output}")


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise BenchError(f"benchmarks only talk to {LOOPBACK}: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Server:
    """A server subprocess in its own process group, on a free loopback port.

    `argv` may contain `{port}` and `{host}`; the process is started on entering the `with`
    block, which returns once GET /health/ answers 200, and the whole group is stopped on leaving.
    Its output goes to bench/results/server-<name>.log.
    """

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], ready_path: str = "/health/", start_timeout: float = 60
    ):
        self.name = name
        self.port = free_port()
        self.argv = [arg.format(port=self.port, host=LOOPBACK) for arg in argv]
        self.display = shlex.join(argv).replace(str(VENV_BIN) + "/", "").format(port="<port>", host=LOOPBACK)
        self.env = env
        self.ready_path = ready_path
        self.start_timeout = start_timeout
        self.log_path = RESULTS_DIR / f"server-{name}.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def __enter__(self) -> Server:
        RESULTS_DIR.mkdir(exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=PROJECT_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name}: server exited ({self.process.returncode})\n{self.log_tail()}")
            try:
                status, body = http_get(self.url(self.ready_path), timeout=2)
            except OSError as error:
                last = str(error)
            else:
                if status == 200:
                    return
                last = f"HTTP {status}: {body[:200]!r}"
            time.sleep(0.2)
        raise BenchError(
            f"{self.name}: {self.ready_path} did not answer 200 in {self.start_timeout:.0f} s "
            f"({last})\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 15) -> None:
        if not self.process or self.process.poll() is not None and not _group_alive(self.process.pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn: graceful stop of the arbiter and workers
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and not _group_alive(self.process.pid):
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_exceptions(self, since: int = 0, limit: int = 3) -> list[str]:
        """Distinct exception lines (`module.SomeError: message`) of the log, from byte `since`."""
        found: list[str] = []
        for line in self._log_text(since).splitlines():
            if _EXCEPTION_LINE.match(line) and line not in found:
                found.append(line)
        return found[:limit]

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each process of the server's group but its leader (the workers)."""
        if not self.process:
            return {}
        leader = self.process.pid
        return {pid: cpu for pid, (pgrp, cpu) in _processes().items() if pgrp == leader and pid != leader}

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_problems(self, since: int = 0) -> list[str]:
        """Lines of the log from byte `since` that look like errors (tracebacks, pool timeouts, …)."""
        markers = ("Traceback", "ERROR", "CRITICAL", "PoolTimeout", "too many clients", "WORKER TIMEOUT")
        return [line for line in self._log_text(since).splitlines() if any(marker in line for marker in markers)]

    def _log_text(self, since: int = 0) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(since)
                return log.read().decode(errors="replace")
        except OSError:
            return ""


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (process group, CPU seconds used so far), for every process of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            # fields[0] is field 3 of proc(5): pgrp is 5, utime 14, stime 15
            found[int(stat.parent.name)] = (int(fields[2]), (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            continue
    return found


def _machine_busy_seconds() -> float:
    """CPU seconds all cores have spent working since boot (user, nice, system, irq, softirq; not steal)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (values[0] + values[1] + values[2] + values[5] + values[6]) / os.sysconf("SC_CLK_TCK")


class _CpuAccount:
    """Splits the machine's CPU time during a run into ours (server, its database backends, wrk,
    this process) and the rest: on a shared machine, other work makes the figures understated."""

    def __init__(self, server: Server, database: Database | None):
        self.server, self.database = server, database

    def _ours(self) -> dict[int, float]:
        leader = self.server.process.pid if self.server.process else -1
        backend_title = f" {self.database.name} " if self.database and self.database.is_postgres else None
        ours = {}
        for pid, (pgrp, cpu) in _processes().items():
            if pgrp == leader:
                ours[pid] = cpu
            elif backend_title:
                with contextlib.suppress(OSError):
                    if backend_title in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                        ours[pid] = cpu  # "postgres: 15/main: postgres darcha_bench 127.0.0.1(…) idle"
                        self.backends.add(pid)
        return ours

    def __enter__(self) -> _CpuAccount:
        self.backends: set[int] = set()  # the PostgreSQL backends among ours
        self.started = time.monotonic()
        self.busy = _machine_busy_seconds()
        self.ours = self._ours()
        self.own = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = children.ru_utime + children.ru_stime
        return self

    def __exit__(self, *exc_info) -> None:
        elapsed = time.monotonic() - self.started or 1
        busy = _machine_busy_seconds() - self.busy
        ours_after = self._ours()
        ours = sum(cpu - self.ours.get(pid, 0.0) for pid, cpu in ours_after.items())
        # The database's share: CPU seconds of the benchmark database's backends during the run.
        self.database_cpu = sum(
            cpu - self.ours.get(pid, 0.0) for pid, cpu in ours_after.items() if pid in self.backends
        )
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = children.ru_utime + children.ru_stime - self.children  # wrk is the only child that ended
        own = time.process_time() - self.own
        self.ours_cores = (ours + wrk_cpu + own) / elapsed
        self.other_cores = max(0.0, busy - ours - wrk_cpu - own) / elapsed


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|DoesNotExist|Timeout)\b.*")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- measuring ----------------------------------------------------------------------------------


def wrk(
    url: str,
    duration: int,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    script: Path = REPORT_LUA,
    env: dict[str, str] | None = None,
) -> dict:
    """One bounded wrk run; returns the report of bench/report.lua (latencies in µs).

    A custom `script` must print the same BENCH_RESULT line (it can `dofile` report.lua)."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise BenchError(f"wrk only targets {LOOPBACK}: {url}")
    command = [
        _wrk_binary(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False, env=env or dict(os.environ)
    )
    # A script may print figures of its own after report.lua's line: "BENCH_<NAME> {json}" lines, kept
    # under report["scripts"][name] (bench/queue_mix.lua: the operators' calls, starts and finishes).
    scripts = {}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition(" ")
        if name.startswith("BENCH_") and name != "BENCH_RESULT" and rest.startswith("{"):
            scripts[name.removeprefix("BENCH_").lower()] = json.loads(rest)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            report = json.loads(line.removeprefix("BENCH_RESULT "))
            if report["requests"] == 0:
                raise BenchError(f"wrk completed no request:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
            report["scripts"] = scripts
            return report
    raise BenchError(f"wrk printed no report ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _wrk_binary() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if not found:
        raise BenchError("wrk is not installed (`make bench` installs Debian's wrk)")
    return found


class _Sampler:
    """Polls a callable in a background thread and keeps the largest value (e.g. DB connections)."""

    def __init__(self, probe, interval: float = 0.5):
        self.probe, self.interval = probe, interval
        self.peak: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):
                value = self.probe()
                if value is not None:
                    self.peak = value if self.peak is None else max(self.peak, value)
            self._stop.wait(self.interval)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def row_from_report(
    report: dict,
    *,
    benchmark: str,
    variant: str,
    view: str,
    path: str,
    baseline: bool = False,
    extra: dict | None = None,
) -> Row:
    """A table row from one wrk report (bench/report.lua: latencies in µs)."""
    seconds = report["duration_us"] / 1e6 or 1
    errors = {name: int(count) for name, count in report["errors"].items() if count}
    return Row(
        benchmark=benchmark,
        variant=variant,
        view=view,
        path=path,
        requests_per_s=report["requests"] / seconds,
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        errors=sum(errors.values()),
        requests=report["requests"],
        error_detail=errors,
        baseline=baseline,
        extra=extra or {},
    )


def measure(
    ctx: Context, server: Server, *, benchmark: str, variant: str, view: str, path: str, baseline: bool = False
) -> Row:
    """Check that `path` answers 200, warm it up for a second, then measure it with wrk."""
    url = server.url(path)
    log_start = server.log_size()
    status, body = http_get(url)
    if status != 200:
        time.sleep(0.2)  # let the server finish writing the traceback
        causes = server.log_exceptions(since=log_start) or [repr(body[:300])]
        raise BenchError(f"{benchmark}/{variant}: GET {path} answered {status}: " + " | ".join(causes))
    log_start = server.log_size()
    wrk(url, WARMUP_SECONDS)
    probe = ctx.database().connection_count if ctx.has_database else None
    sampler = _Sampler(probe) if probe else contextlib.nullcontext()
    cpu_before = server.worker_cpu()
    with _CpuAccount(server, ctx.database() if ctx.has_database else None) as account, sampler:
        report = wrk(url, ctx.duration)
    cpu_after = server.worker_cpu()
    extra = {
        "bytes": report["bytes"],
        "p90_ms": report["p90_us"] / 1000,
        "max_ms": report["max_us"] / 1000,
        "mean_ms": report["mean_us"] / 1000,
        "response_bytes": len(body),
    }
    problems = server.log_problems(since=log_start)
    if problems:
        extra["server_log_errors"] = len(problems)
        extra["server_log_first_error"] = problems[0][:300]
    # How the work was shared between the server's workers (CPU seconds each, during the run).
    extra["worker_cpu_s"] = sorted(
        (round(cpu_after[pid] - cpu_before.get(pid, 0.0), 2) for pid in cpu_after), reverse=True
    )
    # Cores busy with this run (server, its database backends, wrk) and with anything else on the machine.
    extra["run_cores"] = round(account.ours_cores, 2)
    extra["database_cpu_s"] = round(account.database_cpu, 3)
    extra["other_cores"] = round(account.other_cores, 2)
    if isinstance(sampler, _Sampler) and sampler.peak is not None:
        extra["db_connections_peak"] = sampler.peak
    row = row_from_report(
        report, benchmark=benchmark, variant=variant, view=view, path=path, baseline=baseline, extra=extra
    )
    print(
        f"  {benchmark}/{variant} {path}: {row.requests_per_s:,.0f} req/s, p99 {row.p99_ms:.1f} ms, "
        f"{row.errors} errors",
        file=sys.stderr,
        flush=True,
    )
    return row


# --- the run ------------------------------------------------------------------------------------


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Context:
    """What a run shares between benchmark modules."""

    duration: int
    quick: bool
    connections: int = CONNECTIONS
    threads: int = THREADS
    servers: dict[str, str] = field(default_factory=dict)  # variant -> server command, for the header
    notes: list[str] = field(default_factory=list)  # observations printed under the table
    failures: list[str] = field(default_factory=list)  # what could not be measured (exit status 1)
    _database: Database | None = None

    @classmethod
    def from_env(cls) -> Context:
        quick = _env_flag("BENCH_QUICK")
        duration = int(os.environ.get("BENCH_DURATION") or (3 if quick else 10))
        if duration < 1:
            raise BenchError("BENCH_DURATION must be at least 1 second")
        return cls(duration=duration, quick=quick)

    @property
    def has_database(self) -> bool:
        return self._database is not None

    def database(self) -> Database:
        if self._database is None:
            self._database = prepare_database()
        return self._database

    def bin(self, name: str) -> str:
        """A console script of the project's virtualenv (gunicorn, uvicorn, darcha)."""
        return str(VENV_BIN / name)

    def machine(self) -> dict:
        cpu = ""
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        db = self._database
        return {
            "cores": os.cpu_count(),
            "cpu": cpu,
            "python": platform.python_version(),
            "django": _version("Django"),
            "gunicorn": _version("gunicorn"),
            "uvicorn": _version("uvicorn"),
            "database": f"{db.vendor} {db.version}" if db else None,
            "database_prepared": db.prepared if db else None,
            "wrk": f"-t{self.threads} -c{self.connections} -d{self.duration}s (warm-up {WARMUP_SECONDS}s)",
        }

    def close(self) -> None:
        if self._database:
            self._database.close()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def run_step(script: str | Path, name: str, env: dict[str, str], step: str, args: dict, timeout: int = 600) -> dict:
    """Run one in-process step of a benchmark (`python <script> <step> <json>`, in the benchmark's database)
    and return what it printed after `BENCH_RESULT `; a step that prints none fails the row with its output."""
    result = subprocess.run(  # noqa: S603 — the project's own benchmark script
        [sys.executable, str(Path(script).resolve()), step, json.dumps(args)],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise BenchError(f"{name} {step} failed ({result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}")


def in_own_postgres_database(ctx, name: str, database: str, run, keep: bool = False) -> list:
    """`run(ctx)` in a fresh PostgreSQL database of the benchmark's own (dropped afterwards unless `keep`);
    skipped with a note where the run is told to use another database or PostgreSQL is not reachable."""
    if os.environ.get("BENCH_DATABASE_URL", "").strip() or _env_flag("BENCH_SQLITE"):
        ctx.notes.append(f"{name}: skipped (needs its own PostgreSQL database; BENCH_DATABASE_URL/BENCH_SQLITE set)")
        return []
    if fresh_postgres_database(database) is None:
        ctx.notes.append(f"{name}: skipped (PostgreSQL not reachable at 127.0.0.1:5432)")
        return []
    try:
        return run(ctx)
    finally:
        if not keep:
            drop_postgres_database(database)
