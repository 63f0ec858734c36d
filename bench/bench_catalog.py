"""The public catalog: a service page and the services API, against the bare JSON view.

All three URLs are measured on the same server in the same run, served two ways (DESIGN §9:
decide ASGI or WSGI for pages and the API by benchmark):
  asgi  gunicorn + 2 uvicorn workers
  wsgi  gunicorn, 2 sync workers
"""

from __future__ import annotations

import importlib.util
import json
import os

from harness import BenchError, Context, Row, Server, http_get, measure, server_env

NAME = "catalog"
WORKERS = "2"

VIEWS = [
    # (view, path, baseline)
    ("bare JSON view", "/health/live/", True),
    ("service page", "/services/{code}/", False),
    ("catalog API", "/api/v1/services/", False),
]


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def variants(ctx: Context, workers: str = WORKERS) -> list[tuple[str, list[str]]]:
    bind = "{host}:{port}"
    quiet = ["--log-level", "warning", "--graceful-timeout", "5"]  # no access log unless asked for
    gunicorn = [ctx.bin("gunicorn"), "-w", workers, "-b", bind, *quiet]
    if _has_module("uvicorn_worker"):
        asgi = [*gunicorn, "-k", "uvicorn_worker.UvicornWorker", "darcha.config.asgi:application"]
    elif _has_module("uvicorn.workers"):  # deprecated in uvicorn in favour of uvicorn-worker, still shipped
        asgi = [*gunicorn, "-k", "uvicorn.workers.UvicornWorker", "darcha.config.asgi:application"]
    else:
        asgi = [ctx.bin("uvicorn"), "--workers", workers, "--host", "{host}", "--port", "{port}"]
        asgi += ["--no-access-log", "--log-level", "warning", "darcha.config.asgi:application"]
    wsgi = [*gunicorn, "darcha.config.wsgi:application"]
    return [("asgi", asgi), ("wsgi", wsgi)]


def first_service_code(server: Server) -> str:
    """The first active service, in the catalog's own order (as the API lists it)."""
    status, body = http_get(server.url("/api/v1/services/?page_size=1"))
    if status != 200:
        raise BenchError(f"GET /api/v1/services/ answered {status}: {body[:300]!r}")
    results = json.loads(body).get("results") or []
    if not results:
        raise BenchError("the benchmark database has no active service (did `darcha load_demo` load any?)")
    return results[0]["code"]


def run(ctx: Context) -> list[Row]:
    db = ctx.database()
    env = server_env(db.url)
    rows: list[Row] = []
    for variant, argv in variants(ctx):
        server = Server(f"{NAME}-{variant}", argv, env)
        ctx.servers[variant] = server.display
        measured: list[Row] = []
        with server:
            code = first_service_code(server)
            for view, path, baseline in VIEWS:
                try:
                    row = measure(
                        ctx,
                        server,
                        benchmark=NAME,
                        variant=variant,
                        view=view,
                        path=path.format(code=code),
                        baseline=baseline,
                    )
                except BenchError as error:  # one broken view does not hide the others
                    ctx.failures.append(str(error))
                else:
                    measured.append(row)
        observe(ctx, variant, measured, server, pool_max=env.get("DB_POOL_MAX", "10"))
        rows += measured
    return rows


def observe(ctx: Context, variant: str, rows: list[Row], server: Server, pool_max: str) -> None:
    """Notes under the table: server errors, workers left idle, database connections."""
    for row in rows:
        if row.extra.get("server_log_errors"):
            ctx.notes.append(
                f"{NAME}/{variant} {row.path}: {row.extra['server_log_errors']} error lines in "
                f"bench/results/{server.log_path.name} during the run"
            )
        if row.extra.get("other_cores", 0) > 0.25:
            ctx.notes.append(
                f"{NAME}/{variant} {row.path}: other processes kept {row.extra['other_cores']:.1f} of "
                f"{os.cpu_count()} cores busy during the run: figures understated"
            )
        cpu = row.extra.get("worker_cpu_s") or []
        if len(cpu) > 1 and sum(cpu) > 1 and cpu[0] > 0.8 * sum(cpu):
            ctx.notes.append(
                f"{NAME}/{variant} {row.path}: one worker did {cpu[0] / sum(cpu):.0%} of the work "
                f"(CPU seconds per worker: {', '.join(f'{c:.1f}' for c in cpu)})"
            )
    peaks = [row.extra["db_connections_peak"] for row in rows if "db_connections_peak" in row.extra]
    if peaks:
        ctx.notes.append(
            f"{NAME}/{variant}: at most {max(peaks)} PostgreSQL connections open during the runs "
            f"({WORKERS} workers, pool max {pool_max} each)"
        )
