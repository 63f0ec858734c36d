"""schemathesis over the committed API schema (docs/api/openapi.yaml), against a Darcha served here.

Every operation of the schema, anonymous and then with an API token of a demo operator (`POST
/api/v1/auth/tokens/`), with the checks for server errors and for conformance of the answers to the
schema (status codes, content types, headers, bodies); bounded by --max-examples per operation. The
server is gunicorn (WSGI, as in production) on a fresh SQLite database with the demo loaded, in a
temporary folder. Half the generated identifiers are the demo's own (catalog codes, application numbers
and access codes, task ids: a schemathesis.toml written from the database), so requests get past 404.
With a token: the center's operator (intake) and the agency's clerk (tasks). The token's own DELETE
(revoking it) runs last, so it does not end the rest early.

    .venv/bin/python tests/region/fuzz_api.py [--max-examples N]     (run by .ci/run)

Exit status: 0 when schemathesis found nothing, else 1.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCHEMA = PROJECT_DIR / "docs" / "api" / "openapi.yaml"
HOST = "127.0.0.1"
USERS = ("operator1", "clerk")  # demo users (darcha/demo/data/namangan/users.toml): a center's, an agency's
PASSWORD = "darcha-demo"  # noqa: S105 — the demo users' shared password
REVOKE = "/api/v1/auth/tokens/current/"  # DELETE revokes the token the request carries
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "DARCHA_"))}
    return {
        **env,
        "PYTHONPATH": str(PROJECT_DIR),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'api.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "darcha.manage", *args], cwd=PROJECT_DIR, env=env, check=True)  # noqa: S603


def _request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        sent = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=sent)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _token(port: int, user: str) -> str:
    status, body = _request(port, "POST", "/api/v1/auth/tokens/", {"username": user, "password": PASSWORD})
    if status != 201:
        raise SystemExit(f"POST /api/v1/auth/tokens/ answered {status}: {body[:500]!r}")
    return json.loads(body)["token"]


def _config(folder: Path) -> Path:
    """schemathesis.toml: the demo's identifiers, each used for half the values of its parameter."""
    db = sqlite3.connect(folder / "api.sqlite3")
    column = lambda query: [row[0] for row in db.execute(query)]  # noqa: E731
    number, code = db.execute("SELECT number, access_code FROM cases_application ORDER BY id").fetchone()
    dictionaries = {
        "agencies": column("SELECT code FROM core_organization WHERE kind = 'agency'"),
        "categories": column("SELECT code FROM catalog_category"),
        "services": column("SELECT code FROM catalog_service"),
        "numbers": column("SELECT number FROM cases_application"),
        "tasks": column("SELECT id FROM cases_task"),
        "tracked": [number],
        "access_codes": [code],
    }
    db.close()
    lines = []
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    bound = {
        "/api/v1/agencies/{code}/": {"path.code": "agencies"},
        "/api/v1/categories/{code}/": {"path.code": "categories"},
        "/api/v1/services/{code}/": {"path.code": "services"},
        "/api/v1/applications/{number}/": {"path.number": "numbers"},
        "/api/v1/tasks/{id}/": {"path.id": "tasks"},
        "/api/v1/tasks/{id}/actions/": {"path.id": "tasks"},
        "/api/v1/tasks/{id}/claim/": {"path.id": "tasks"},
        "/api/v1/track/{number}/": {"path.number": "tracked", "query.code": "access_codes"},
    }
    for path, parameters in bound.items():
        bindings = ", ".join(
            f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in parameters.items()
        )
        lines += ["[[operations]]", f'include-path = "{path}"', f"parameters = {{ {bindings} }}", ""]
    config = folder / "schemathesis.toml"
    config.write_text("\n".join(lines))
    return config


def _schemathesis(port: int, config: Path, max_examples: int, report: Path, *options: str) -> int:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        *("--config-file", str(config)),
        "run",
        str(SCHEMA),
        *("--url", f"http://{HOST}:{port}"),
        *("--checks", CHECKS),
        *("--max-examples", str(max_examples)),
        *("--seed", "1"),
        # One worker: hypothesis parsing lambdas in two threads at once trips CPython 3.11's ast.parse
        # ("AST constructor recursion depth mismatch").
        *("--workers", "1"),
        *("--request-timeout", "30"),
        *("--report", "junit", "--report-junit-path", str(report)),
        "--no-color",
        *options,
    ]
    shown = [("Authorization: Token …" if option.startswith("Authorization:") else option) for option in command]
    print("$", " ".join(shown[1:]), flush=True)
    return subprocess.run(command, cwd=PROJECT_DIR, check=False).returncode  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="darcha-fuzz-") as tmp:
        folder = Path(tmp)
        env = _env(folder)
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo", "--preschool-children", "120", "--appeals", "24", "-v", "0")
        port = _free_port()
        log = (folder / "gunicorn.log").open("wb")
        server = subprocess.Popen(  # noqa: S603 — the project's own WSGI application
            [
                *(sys.executable, "-m", "gunicorn", "darcha.config.wsgi:application"),
                *("--bind", f"{HOST}:{port}", "--workers", "2", "--timeout", "60"),
                # As deployed (docs/deploy.md): request lines up to nginx's 8 KB reach the application,
                # whose answers are what is checked, instead of gunicorn's own 414 at 4 KB.
                *("--limit-request-line", "8190"),
                *("--control-socket", str(folder / "gunicorn.ctl")),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError):
                    if _request(port, "GET", "/health/live/")[0] == 200:
                        break
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start:\n" + (folder / "gunicorn.log").read_text()[-3000:])
                time.sleep(0.2)
            results = PROJECT_DIR / "test-results"
            results.mkdir(exist_ok=True)
            config = _config(folder)
            fuzz = functools.partial(_schemathesis, port, config, args.max_examples)
            # The tokens first: fuzzing the token endpoint locks this address out of it (failed logins).
            tokens = {user: f"Authorization: Token {_token(port, user)}" for user in USERS}
            print("== schemathesis, anonymous", flush=True)
            codes = [fuzz(results / "schemathesis-anonymous.xml")]
            for user, token in tokens.items():
                print(f"== schemathesis, with {user}'s token", flush=True)
                codes.append(fuzz(results / f"schemathesis-{user}.xml", "-H", token, "--exclude-path", REVOKE))
            if f"  {REVOKE}:" in SCHEMA.read_text():
                print(f"== schemathesis, {user} revoking the token", flush=True)
                codes.append(fuzz(results / "schemathesis-revoke.xml", "-H", token, "--include-path", REVOKE))
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            logged = (folder / "gunicorn.log").read_text(errors="replace").splitlines()
            errors = [line for line in logged if "Error" in line]
            if errors:
                print("server log:\n" + "\n".join(errors[-20:]))
        return 0 if all(code == 0 for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
