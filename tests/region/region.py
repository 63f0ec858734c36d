"""A region's deployment as docs/deploy.md lays it out, on this one machine.

Each machine of the layout is a process here, with the same command and environment it has there:
nginx (Debian's package, the configuration of deploy/nginx/darcha.conf, TLS with a throwaway
certificate), two WSGI app servers (gunicorn), one ASGI server for the live streams (uvicorn), two
task workers (`darcha db_worker`) and the scheduler, on a PostgreSQL database of their own. The
SMS, e-mail and Telegram providers are the notify tests' stand-ins, so production's settings hold.

Clients talk to nginx over TLS (server name darcha.namangan.uz on 127.0.0.1), or straight to one app
server as nginx forwards a request (`via=region.app[0]`), to be sure which server answered.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import http.client
import http.cookies
import itertools
import json
import os
import pwd
import queue
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_DIR = Path(__file__).resolve().parents[2]
NGINX_CONF = PROJECT_DIR / "deploy" / "nginx" / "darcha.conf"
DEPLOY_DOC = PROJECT_DIR / "docs" / "deploy.md"
SERVER_NAME = "darcha.namangan.uz"
ORIGIN = f"https://{SERVER_NAME}"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
LOOPBACK = "127.0.0.1"
DEMO_PASSWORD = "darcha-demo"  # noqa: S105 — the demo users' shared password (darcha/demo/data)
START_TIMEOUT = 60  # seconds for a server to answer once started
# Leases short enough that a killed worker's message and task are taken over within the scheduler's
# next minute (production: 120 s and 600 s, see docs/deploy.md).
NOTIFY_LEASE_SECONDS = 3
TASKS_LEASE_SECONDS = 10

# Settings of the operator's environment that must not leak into the region's processes.
FOREIGN_ENVIRONMENT = (
    "DJANGO_",
    "DATABASE_URL",
    "REDIS_URL",
    "DARCHA_",
    "NOTIFY_",
    "EMAIL_",
    "DB_POOL_",
    "SECURE_",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXIES",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "AUDIT_CHECKPOINT_DIR",
    "PUBLIC_BASE_URL",
    "TASKS_BACKEND",
    "LOG_LEVEL",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# --- nginx's configuration: the committed file, with this machine's addresses and paths ----------------


def nginx_site(folder: Path, ports: dict[str, int]) -> str:
    """deploy/nginx/darcha.conf with the machines' addresses as ports here and the paths in `folder`:
    the only changes (`replaced`), each of which must still be found in the file."""
    text = NGINX_CONF.read_text()
    replaced = {
        "server 10.0.0.11:8000": f"server {LOOPBACK}:{ports['app-1']}",
        "server 10.0.0.12:8000": f"server {LOOPBACK}:{ports['app-2']}",
        "server 10.0.0.21:8000": f"server {LOOPBACK}:{ports['live-1']}",
        "listen 80;": f"listen {LOOPBACK}:{ports['http']};",
        "listen 443 ssl": f"listen {LOOPBACK}:{ports['https']} ssl",
        "/etc/ssl/darcha/": f"{folder}/tls/",
        "root /srv/darcha;": f"root {folder}/srv;",
        "/var/log/nginx/": f"{folder}/log/",
    }
    for old, new in replaced.items():
        count = text.count(old)
        if count == 0:
            raise AssertionError(f"{old!r} is no longer in {NGINX_CONF.name}: update nginx_site in {__file__}")
        text = text.replace(old, new)
    return text


def nginx_main(folder: Path) -> str:
    """The surrounding nginx.conf: nginx in the foreground, its own pid, logs and temporary files."""
    user = ""
    if os.geteuid() == 0:  # the workers would run as `nobody` and could not read the test's folder
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
    temp = folder / "nginx-temp"
    return f"""daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/log/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/darcha.conf;
}}
"""


def self_signed_certificate(directory: Path) -> Path:
    """A throwaway certificate for SERVER_NAME (fullchain.pem, privkey.pem); returns the certificate."""
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 — Debian's openssl, fixed arguments
        [
            shutil.which("openssl") or "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={SERVER_NAME}",
            "-addext",
            f"subjectAltName=DNS:{SERVER_NAME}",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return directory / "fullchain.pem"


# --- processes ------------------------------------------------------------------------------------


@dataclass
class Process:
    """One machine's process: its own session (so its children go with it) and its own log."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 — the project's own servers, fixed arguments
                self.argv,
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, number)

    def kill(self) -> None:
        """SIGKILL to the process and its children at once: the machine is gone."""
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def restart(self) -> Process:
        """Killed, then started again with the same command and environment, as systemd's
        `Restart=always` does (docs/deploy.md)."""
        self.kill()
        return self.start()

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(timeout=10)
        self.signal(signal.SIGKILL)  # children left behind by a parent that exited first

    def log_tail(self, chars: int = 2500) -> str:
        try:
            return f"--- {self.name} ({self.log.name}) ---\n" + self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return f"--- {self.name}: no log ---"


# --- HTTP clients ---------------------------------------------------------------------------------


class _TlsConnection(http.client.HTTPSConnection):
    """HTTPS to nginx at 127.0.0.1, speaking to it (SNI, certificate check) as darcha.namangan.uz."""

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=SERVER_NAME)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path

    def csrf_token(self) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert found, f"no CSRF token in the page ({self.status}): {self.text[:500]}"
        return found.group(1)


@dataclass
class Client:
    """One person's browser or program: its own address (a distinct loopback address, as distinct
    citizens have) and its cookies. Requests go to nginx, or `via` one app server directly with the
    headers nginx would add."""

    region: Region
    address: str = "127.0.0.2"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def connection(self, via: Process | None) -> http.client.HTTPConnection:
        if via is None:
            return self.region.tls_connection(source=self.address, timeout=self.timeout)
        return http.client.HTTPConnection(LOOPBACK, via.port, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        via: Process | None = None,
        form: dict | None = None,
        data: dict | None = None,
        headers: dict | None = None,
    ) -> Answer:
        sent = {"Host": SERVER_NAME, "Accept-Language": "en", **(headers or {})}
        if via is not None:  # what nginx says of a request it forwards
            sent |= {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": ORIGIN}
        elif data is not None:
            body = json.dumps(data).encode()
            sent |= {"Content-Type": "application/json", "Accept": "application/json", "Origin": ORIGIN}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn = self.connection(via)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Answer:
        return self.request("POST", path, **kwargs)

    def log_in(self, username: str, *, via: Process | None = None) -> None:
        page = self.get("/login/", via=via)
        form = {"csrfmiddlewaretoken": page.csrf_token(), "username": username, "password": DEMO_PASSWORD}
        answer = self.post("/login/", form=form, via=via)
        assert answer.status in {302, 303}, f"login as {username}: {answer.status} {answer.text[:500]}"

    def api_headers(self) -> dict[str, str]:
        """For the API's unsafe methods with this client's session (DRF checks CSRF for sessions)."""
        return {"X-CSRFToken": self.cookies["csrftoken"]}

    def twin(self, address: str) -> Client:
        """The same session from another address."""
        return Client(self.region, address=address, cookies=dict(self.cookies), timeout=self.timeout)


@dataclass
class Event:
    kind: str
    data: dict


class EventStream:
    """A Server-Sent-Event stream read through nginx by a plain HTTP client, event by event."""

    def __init__(self, region: Region, path: str):
        self.path = path
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.conn = region.tls_connection(source="127.0.0.3", timeout=60)
        self.conn.request("GET", path, headers={"Host": SERVER_NAME, "Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        assert self.response.status == 200, f"{path}: {self.response.status} {self.response.read()[:500]!r}"
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        threading.Thread(target=self._read, daemon=True, name=f"sse {path}").start()

    def _read(self) -> None:
        kind, data = "message", []
        try:
            while line := self.response.readline():
                line = line.decode().rstrip("\r\n")
                if not line:
                    if data:
                        self.events.put(Event(kind, json.loads("\n".join(data))))
                    kind, data = "message", []
                elif line.startswith("event:"):
                    kind = line.partition(":")[2].strip()
                elif line.startswith("data:"):
                    data.append(line.partition(":")[2].strip())
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed (AttributeError: http.client's chunk reader, when the socket goes under it)
        self.events.put(None)  # the stream ended

    def wait_for(self, kind: str, timeout: float = 20, **fields) -> Event:
        """The next event of this kind whose data has these fields (earlier ones are passed over)."""
        deadline = time.monotonic() + timeout
        seen = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event is None:
                raise AssertionError(f"{self.path} ended; events before: {seen}")
            seen.append(event.kind)
            if event.kind == kind and all(event.data.get(name) == value for name, value in fields.items()):
                return event
        raise AssertionError(f"no {kind} {fields} on {self.path} within {timeout:.0f} s; events: {seen}")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()


# --- the region -----------------------------------------------------------------------------------


class Region:
    def __init__(self, folder: Path):
        self.folder = folder
        self.database = f"region_{os.getpid()}"
        self.ports = {name: free_port() for name in ("app-1", "app-2", "live-1", "http", "https")}
        self.processes: dict[str, Process] = {}
        self.standins: list = []
        self.eskiz = None
        self._addresses = itertools.count(1)
        self._secret_key = secrets.token_urlsafe(50)
        self._providers: dict[str, str] = {}
        self.tls: ssl.SSLContext | None = None

    # -- what the tests use
    @property
    def app(self) -> list[Process]:
        return [self.processes["app-1"], self.processes["app-2"]]

    @property
    def nginx_log(self) -> Path:
        return self.folder / "log" / "darcha.access.log"

    def tls_connection(self, *, source: str = "127.0.0.2", timeout: float = 30) -> http.client.HTTPSConnection:
        return _TlsConnection(
            LOOPBACK, self.ports["https"], context=self.tls, timeout=timeout, source_address=(source, 0)
        )

    def address(self) -> str:
        """An address of its own (127.0.x.y) for a client: per-address limits count each apart."""
        n = next(self._addresses)
        return f"127.0.{10 + n // 250}.{1 + n % 250}"

    def client(self) -> Client:
        return Client(self, address=self.address())

    def stream(self, path: str) -> EventStream:
        return EventStream(self, path)

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/{self.database}", autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def python(self, module: str, *args: str, timeout: float = 120) -> str:
        """`python -m module args` on the region's database with production's settings; its output."""
        done = subprocess.run(  # noqa: S603 — the project's own modules
            [sys.executable, "-m", module, *args],
            cwd=PROJECT_DIR,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "darcha.config.settings"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"python -m {module} {' '.join(args)}:\n{done.stdout}{done.stderr}"
        return done.stdout

    def logs(self) -> str:
        return "\n".join(process.log_tail() for process in self.processes.values())

    # -- starting and stopping
    @property
    def env(self) -> dict[str, str]:
        """The environment of every production process (docs/deploy.md), with this machine's paths."""
        inherited = {key: value for key, value in os.environ.items() if not key.startswith(FOREIGN_ENVIRONMENT)}
        return {
            **inherited,
            "PYTHONPATH": str(PROJECT_DIR),
            "PYTHONUNBUFFERED": "1",
            "DARCHA_PRODUCTION": "1",
            "SECRET_KEY": self._secret_key,
            "ALLOWED_HOSTS": SERVER_NAME,
            "CSRF_TRUSTED_ORIGINS": ORIGIN,
            "PUBLIC_BASE_URL": ORIGIN,
            "DATABASE_URL": f"{POSTGRES}/{self.database}",
            "DB_POOL_MIN": "1",
            "STATIC_ROOT": str(self.folder / "srv" / "static"),
            "MEDIA_ROOT": str(self.folder / "srv" / "media"),
            "AUDIT_CHECKPOINT_DIR": str(self.folder / "srv" / "audit-checkpoints"),
            "TRUSTED_PROXIES": LOOPBACK,
            "DARCHA_EVENT_BUS": "postgres",
            "LOG_LEVEL": "WARNING",
            "NOTIFY_LEASE_SECONDS": str(NOTIFY_LEASE_SECONDS),
            "TASKS_LEASE_SECONDS": str(TASKS_LEASE_SECONDS),
            **self._providers,
        }

    def _manage(self, *args: str) -> subprocess.Popen:
        with (self.folder / "log" / f"{args[0]}.log").open("ab") as log:
            return subprocess.Popen(  # noqa: S603 — the project's own command
                [sys.executable, "-m", "darcha.manage", *args],
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _wait_done(self, popen: subprocess.Popen, what: str, timeout: float = 300) -> None:
        try:
            code = popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            code = popen.wait()
        log = self.folder / "log" / f"{what}.log"
        assert code == 0, f"darcha {what} exited {code}:\n{log.read_text(errors='replace')[-3000:]}"

    def _server(self, name: str, argv: list[str], port: int | None = None) -> Process:
        process = Process(name, argv, self.env, self.folder / "log" / f"{name}.log", port=port).start()
        self.processes[name] = process
        return process

    def _open_around_the_clock(self) -> None:
        """The queue takes no ticket outside opening hours, and the region is played at any hour (CI
        on a Sunday night too): the demo's centers receive visitors around the clock, today a working day."""
        import psycopg

        today = dt.datetime.now(ZoneInfo("Asia/Tashkent")).date()
        centers = "SELECT id FROM core_organization WHERE kind = 'center'"
        with psycopg.connect(f"{POSTGRES}/{self.database}", autocommit=True) as conn, conn.transaction():
            conn.execute(f"DELETE FROM core_openinghours WHERE center_id IN ({centers})")  # noqa: S608 — constant
            conn.execute(
                "INSERT INTO core_openinghours (center_id, weekday, opens, closes) "  # noqa: S608 — constant
                f"SELECT c.id, w, '00:00', '23:59:59.999999' FROM ({centers}) c, generate_series(0, 6) w"
            )
            conn.execute("DELETE FROM core_holiday WHERE date = %s AND kind = 'day_off'", (today,))

    def start(self) -> None:
        import psycopg

        from tests.notify.standins import EskizStandIn, SmtpStandIn, TelegramStandIn

        for sub in ("log", "srv/static", "srv/media", "nginx-temp"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self.tls = ssl.create_default_context(cafile=self_signed_certificate(self.folder / "tls"))
        self.eskiz = EskizStandIn(email="region@example.uz", password=secrets.token_hex(8)).start()
        telegram = TelegramStandIn(token=f"{secrets.randbelow(10**9)}:{secrets.token_hex(12)}").start()
        smtp = SmtpStandIn().start()
        self.standins = [self.eskiz, telegram, smtp]
        self._providers = {
            "NOTIFY_SMS_BACKEND": "eskiz",
            "NOTIFY_ESKIZ_URL": self.eskiz.url,
            "NOTIFY_ESKIZ_EMAIL": self.eskiz.email,
            "NOTIFY_ESKIZ_PASSWORD": self.eskiz.password,
            "NOTIFY_ESKIZ_STATUS_CHECK_DELAY": "0",
            "NOTIFY_TELEGRAM_BACKEND": "telegram",
            "NOTIFY_TELEGRAM_URL": telegram.url,
            "NOTIFY_TELEGRAM_TOKEN": telegram.token,
            "NOTIFY_EMAIL_BACKEND": "smtp",
            "EMAIL_HOST": LOOPBACK,
            "EMAIL_PORT": str(smtp.port),
        }

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.database}")
        # collectstatic needs no database: it runs while the database is prepared.
        collecting = self._manage("collectstatic", "--noinput", "-v", "0")
        self._wait_done(self._manage("migrate", "--noinput", "-v", "0"), "migrate")
        # The demo users (shared password) in a production database: this is a throwaway one.
        self._wait_done(
            self._manage("load_demo", "--allow-production", "--preschool-children", "120", "--appeals", "24"),
            "load_demo",
        )
        self._open_around_the_clock()
        self._wait_done(collecting, "collectstatic")

        python = sys.executable
        for name in ("app-1", "app-2"):
            port = self.ports[name]
            self._server(
                name,
                [
                    *(python, "-m", "gunicorn", "darcha.config.wsgi:application"),
                    *("--bind", f"{LOOPBACK}:{port}", "--workers", "2", "--timeout", "30"),
                    *("--limit-request-line", "8190"),  # as docs/deploy.md: nginx's 8 KB lines pass
                    *("--access-logfile", str(self.folder / "log" / f"{name}.access.log")),
                    *("--access-logformat", '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s'),
                    # One control socket per machine; two on this one need their own.
                    *("--control-socket", str(self.folder / f"{name}.ctl")),
                ],
                port,
            )
        self._server(
            "live-1",
            [
                *(python, "-m", "uvicorn", "darcha.config.asgi:application"),
                *("--host", LOOPBACK, "--port", str(self.ports["live-1"]), "--lifespan", "off"),
                *("--no-proxy-headers", "--no-access-log", "--timeout-graceful-shutdown", "1"),
            ],
            self.ports["live-1"],
        )
        for name in ("worker-1", "worker-2"):
            self._server(name, [python, "-m", "darcha.manage", "db_worker", "--interval", "1"])
        self._server("scheduler", [python, "-m", "darcha.manage", "scheduler"])

        (self.folder / "darcha.conf").write_text(nginx_site(self.folder, self.ports))
        (self.folder / "nginx.conf").write_text(nginx_main(self.folder))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        nginx_argv = [nginx, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-e", "stderr"]
        checked = subprocess.run([*nginx_argv, "-t"], capture_output=True, text=True, check=False)  # noqa: S603
        assert checked.returncode == 0, f"nginx -t:\n{checked.stderr}"
        self._server("nginx", nginx_argv, self.ports["https"])

        for name in ("app-1", "app-2", "live-1"):
            self._wait_answering(self.processes[name], lambda p=self.processes[name]: self._direct_live(p))
        self._wait_answering(self.processes["nginx"], lambda: self.client().get("/health/live/").status == 200)

    def _direct_live(self, process: Process) -> bool:
        return Client(self, address=LOOPBACK, timeout=5).get("/health/live/", via=process).status == 200

    def _wait_answering(self, process: Process, answers) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not process.running:
                raise AssertionError(f"{process.name} exited ({process.popen.returncode}):\n{process.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if answers():
                    return
            time.sleep(0.2)
        raise AssertionError(f"{process.name} did not answer in {START_TIMEOUT} s:\n{process.log_tail()}")

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        for standin in self.standins:
            with contextlib.suppress(Exception):
                standin.stop()
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
