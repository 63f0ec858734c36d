"""A region on several machines (docs/deploy.md), played on one: nginx in front of two WSGI app servers
and one ASGI server for the live streams, two task workers and a scheduler, on PostgreSQL.

- A ticket issued at the kiosk through app-1 is called at the console through app-2 and reaches the
  boards streamed by live-1 (through nginx, read with a plain HTTP client).
- An application registered through one app server is tracked through the other.
- app-1 killed (SIGKILL) in the middle of a load of reads and idempotent POSTs: no read fails (nginx
  sends it to app-2), and every application POSTed exists exactly once.
- A batch of SMS queued, one of the two task workers killed (SIGKILL) mid-batch, twice — once at a
  random moment, once while Eskiz holds the answer to a message it has taken — and restarted as systemd
  would: Eskiz gets each SMS exactly once, none is left queued or sending, and the scheduler puts back
  the task a dead worker left RUNNING once its lease has run out.

Run by `make region` (and .ci/run); `make test` leaves it out (marker `region`).
"""

from __future__ import annotations

import functools
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from darcha.core.identifiers import pinfl_check_digit
from tests.notify.test_killed_worker import Processes
from tests.region.region import DEPLOY_DOC, NGINX_CONF, SERVER_NAME, TASKS_LEASE_SECONDS, Region

pytestmark = pytest.mark.region

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)
SERVICE = "building-permit"  # offered at the demo center, with a fee and documents
WINDOW = 1  # serves the civil-registry category (center.toml)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    region = Region(tmp_path_factory.mktemp("region"))
    try:
        region.start()
        yield region
    except BaseException:
        print(region.logs())
        raise
    finally:
        region.stop()


def _pinfl(n: int) -> str:
    first13 = f"3{1 + n % 28:02d}{1 + n // 28 % 12:02d}{80 + n // 336 % 20:02d}{n % 1_000_000:06d}"
    return first13 + str(pinfl_check_digit(first13))


@functools.cache
def _documents(region: Region) -> tuple[int, ...]:
    """The documents the applicant brings for SERVICE (the API takes them by id)."""
    rows = region.sql(
        "SELECT d.id FROM catalog_requireddocument d JOIN catalog_service s ON s.id = d.service_id "
        "WHERE s.code = %s AND NOT d.obtained_by_center ORDER BY d.position, d.id",
        (SERVICE,),
    )
    return tuple(row[0] for row in rows)


def _application(region: Region, n: int, reference: str) -> dict:
    return {
        "service": SERVICE,
        "center": CENTER,
        "applicant": {
            "kind": "individual",
            "name": f"Region applicant {reference}",
            "pinfl": _pinfl(n),
            "phone": "+998901234567",
            "language": "uz",
        },
        "documents": list(_documents(region)),
        "fee": {"payment_reference": reference},
    }


def _served_by(region: Region, path: str, timeout: float = 30) -> list[str]:
    """The upstreams nginx's access log names for requests of `path` (a line is written when the request
    ends: a stream's, once nginx sees the client leave)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in region.nginx_log.read_text().splitlines() if f" {path} HTTP/" in line]
        if lines or time.monotonic() > deadline:
            return [re.search(r"upstream=(\S+)", line).group(1) for line in lines]
        time.sleep(0.5)


def test_the_doc_quotes_the_nginx_configuration_the_region_runs():
    doc = DEPLOY_DOC.read_text()
    assert f"```nginx\n{NGINX_CONF.read_text()}```" in doc, f"docs/deploy.md must quote {NGINX_CONF} verbatim"


def test_nginx_redirects_to_https_and_serves_the_collected_static_files(region):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", region.ports["http"], timeout=10)
    conn.request("GET", "/services/?q=x", headers={"Host": SERVER_NAME})
    response = conn.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{SERVER_NAME}/services/?q=x"
    conn.close()

    page = region.client().get("/")
    assert page.status == 200, page.text[:500]
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text).group(1)
    css = region.client().get(stylesheet)
    assert css.status == 200
    assert css.headers["Content-Type"] == "text/css"
    assert "immutable" in css.headers["Cache-Control"]
    assert _served_by(region, stylesheet) == ["-"]  # nginx itself, from STATIC_ROOT


def test_the_app_servers_take_the_clients_address_from_nginx_and_not_from_the_client(region):
    """A failed login counts against the client's address (core.throttle): the one nginx saw, whatever
    X-Forwarded-For the client sent itself."""
    client = region.client()
    page = client.get("/login/")
    form = {"csrfmiddlewaretoken": page.csrf_token(), "username": "region-nobody", "password": "wrong"}
    refused = client.post("/login/", form=form, headers={"X-Forwarded-For": "203.0.113.9"})
    assert refused.status in {200, 400}, refused.text[:500]  # the form again, with the error
    counted = [key for (key,) in region.sql("SELECT cache_key FROM darcha_cache") if "login-fail:addr:" in key]
    assert [key.rpartition("login-fail:addr:")[2] for key in counted] == [client.address]


def test_a_ticket_issued_through_app_1_is_called_through_app_2_and_reaches_the_boards_of_the_live_server(region):
    app1, app2 = region.app
    board = region.stream(f"/queue/{CENTER}/board/stream/")
    board_ru = region.stream(f"/ru/queue/{CENTER}/board/stream/")  # a language prefix: also live-1's
    for stream in (board, board_ru):
        stream.wait_for("snapshot")

    kiosk = region.client()
    services = kiosk.get(f"/queue/{CENTER}/kiosk/category/civil-registry/", via=app1)
    assert services.status == 200, services.text[:500]
    service = re.search(rf"/queue/{CENTER}/kiosk/service/([\w-]+)/", services.text).group(1)
    details = kiosk.get(f"/queue/{CENTER}/kiosk/service/{service}/", via=app1)
    form = {"csrfmiddlewaretoken": details.csrf_token(), "service": service, "priority": "", "phone": ""}
    issued = kiosk.post(f"/queue/{CENTER}/kiosk/issue/", form=form, via=app1)
    assert issued.status in {302, 303}, issued.text[:1000]
    slip = kiosk.get(issued.location, via=app1)
    number = re.search(r"data-ticket-number>([^<]+)<", slip.text).group(1).strip()
    board.wait_for("issued", ticket=number)  # app-1's event, through PostgreSQL, to live-1

    operator = region.client()
    operator.log_in("operator1", via=app2)
    console = f"/queue/{CENTER}/console/{WINDOW}/"
    page = operator.get(console, via=app2)
    assert page.status == 200, page.text[:500]
    signed_in = operator.post(console + "sign-in/", form={"csrfmiddlewaretoken": page.csrf_token()}, via=app2)
    assert signed_in.status in {302, 303}, signed_in.text[:1000]
    page = operator.get(console, via=app2)
    called = operator.post(console + "call/", form={"csrfmiddlewaretoken": page.csrf_token()}, via=app2)
    assert called.status in {302, 303}, called.text[:1000]
    assert f'<p class="console-number">{number}</p>' in operator.get(console, via=app2).text

    for stream in (board, board_ru):
        event = stream.wait_for("called", ticket=number)
        assert event.data["counter"] == WINDOW
        stream.close()
    live = f"127.0.0.1:{region.ports['live-1']}"
    assert _served_by(region, f"/queue/{CENTER}/board/stream/") == [live]
    assert _served_by(region, f"/ru/queue/{CENTER}/board/stream/") == [live]


def test_an_application_registered_through_one_app_server_is_tracked_through_the_other(region):
    app1, app2 = region.app
    # The center's operator, signed in: the API takes the session (with its CSRF token) as well as tokens.
    clerk = region.client()
    clerk.log_in("operator1", via=app1)
    reference = f"region-intake-{uuid.uuid4().hex[:12]}"
    created = clerk.post(
        "/api/v1/applications/",
        data=_application(region, 1, reference),
        headers={**clerk.api_headers(), "Idempotency-Key": reference},
        via=app1,
    )
    assert created.status == 201, created.text[:1000]
    number, code = created.json()["number"], created.json()["access_code"]

    citizen = region.client()
    tracked = citizen.get(f"/api/v1/track/{number}/?code={code}", via=app2)
    assert tracked.status == 200, tracked.text[:500]
    assert tracked.json()["number"] == number
    assert tracked.json()["service"] == SERVICE
    page = citizen.get(f"/track/{number}/?code={code}")  # the citizens' page, through nginx
    assert page.status == 200, page.text[:500]
    assert number in page.text

    # The applicant's SMS left through a task worker for the SMS provider.
    deadline = time.monotonic() + 30
    while not any(number in sent.form.get("message", "") for sent in region.eskiz.sends):
        assert time.monotonic() < deadline, f"no SMS with {number}: {[s.form for s in region.eskiz.sends]}"
        time.sleep(0.5)


class _Load:
    """Clients reading the catalog and tracking and posting applications with an Idempotency-Key, each
    request from an address of its own, until stopped."""

    def __init__(self, region: Region, owner, track: str, clients: int = 4):
        self.region, self.owner, self.track = region, owner, track
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.reads: list[tuple[str, int | str]] = []  # (path, status or the error)
        self.posts: dict[str, list[int | str]] = {}  # reference -> what each attempt got
        self.serial = iter(range(1000, 10**6))
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    READS = (
        "/api/v1/services/?page_size=5",
        f"/api/v1/services/{SERVICE}/",
        "/api/v1/categories/",
        "/services/",
        None,  # tracking
    )

    def _run(self, i: int) -> None:
        for n in range(10**9):
            if self.stop.is_set():
                return
            if n % 4 == 3:
                self._post()
            else:
                path = self.READS[(n + i) % len(self.READS)] or self.track
                try:
                    status: int | str = self.region.client().get(path).status
                except Exception as error:  # noqa: BLE001 — counted as a lost request
                    status = repr(error)
                with self.lock:
                    self.reads.append((path, status))

    def _post(self) -> None:
        with self.lock:
            n = next(self.serial)
        reference = f"region-load-{n}"
        body = _application(self.region, n, reference)
        attempts: list[int | str] = []
        with self.lock:
            self.posts[reference] = attempts
        headers = {**self.owner.api_headers(), "Idempotency-Key": reference}
        for _ in range(5):  # what an API client does: the same request, the same key, until it has an answer
            client = self.owner.twin(self.region.address())
            try:
                status: int | str = client.post("/api/v1/applications/", data=body, headers=headers).status
            except Exception as error:  # noqa: BLE001
                status = repr(error)
            attempts.append(status)
            if status not in {502, 503, 504} and isinstance(status, int):
                return
            time.sleep(0.3)

    def answered(self) -> int:
        with self.lock:
            return len(self.reads) + sum(len(attempts) for attempts in self.posts.values())

    def run_until(self, done, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"the load did not get there in {timeout:.0f} s"
            assert all(thread.is_alive() for thread in self.threads)
            time.sleep(0.1)


def _retried(region: Region, server) -> list[str]:
    """Requests nginx sent to `server`, then to the other (its log names both upstreams)."""
    tried_first = f"upstream=127.0.0.1:{server.port}, "
    return [line for line in region.nginx_log.read_text().splitlines() if tried_first in line]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_an_app_server_killed_mid_load_loses_no_request_nginx_can_retry_and_no_data(region):
    app1, app2 = region.app
    owner = region.client()
    owner.log_in("operator1")
    created = owner.post(
        "/api/v1/applications/",
        data=_application(region, 999, "region-load-tracked"),
        headers={**owner.api_headers(), "Idempotency-Key": "region-load-tracked"},
    )
    assert created.status == 201, created.text[:1000]
    track = f"/api/v1/track/{created.json()['number']}/?code={created.json()['access_code']}"
    logs = {process.name: region.folder / "log" / f"{process.name}.access.log" for process in region.app}
    before = {name: _lines(path) for name, path in logs.items()}

    load = _Load(region, owner, track)
    for thread in load.threads:
        thread.start()
    try:
        # Both app servers at work, then app-1 is gone: its processes killed, its connections reset.
        load.run_until(lambda: load.answered() >= 40 and all(_lines(p) > before[n] for n, p in logs.items()))
        app1.kill()
        at_kill = load.answered()
        app2_at_kill = _lines(logs["app-2"])
        # On until nginx has had to retry a request on app-2: at once for a read in flight on app-1, at
        # the latest when it tries app-1 again after fail_timeout (10 s).
        load.run_until(lambda: load.answered() >= at_kill + 80 and _retried(region, app1))
    finally:
        load.stop.set()
        for thread in load.threads:
            thread.join(timeout=60)

    lost = [(path, status) for path, status in load.reads if status != 200]
    assert lost == [], f"{len(lost)} of {len(load.reads)} reads lost: {Counter(map(str, lost)).most_common(5)}"
    unanswered = {ref: attempts for ref, attempts in load.posts.items() if attempts[-1:] != [201]}
    assert unanswered == {}, f"POSTs without their 201: {unanswered}"
    assert _lines(logs["app-2"]) > app2_at_kill  # app-2 carried the load alone

    rows = dict(
        region.sql(
            "SELECT payment_reference, count(*) FROM cases_application WHERE payment_reference LIKE 'region-load-%%' "
            "GROUP BY payment_reference"
        )
    )
    assert rows == dict.fromkeys([*load.posts, "region-load-tracked"], 1)

    print(
        f"\nload: {len(load.reads)} reads, {len(load.posts)} applications "
        f"({sum(len(a) for a in load.posts.values())} POSTs), {len(_retried(region, app1))} requests retried by nginx"
    )


BATCH = 80  # SMS
SCHEDULER_PERIOD = 60  # seconds: tasks.reclaim and notify.requeue run once a minute (darcha scheduler)


def test_a_worker_killed_mid_batch_sends_each_message_once(region):
    rng = random.Random(8)  # noqa: S311 — when to kill, not a secret
    eskiz = region.eskiz
    workers = [region.processes["worker-1"], region.processes["worker-2"]]
    queued = json.loads(region.python("tests.region.batch", "prepare", str(BATCH)))
    keys = {item["key"] for item in queued}
    ids = [item["id"] for item in queued]

    def taken() -> int:
        return len(keys & {sent.form.get("user_sms_id") for sent in eskiz.sends})

    def wait_for(condition, what, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"{what() if callable(what) else what}: not within {timeout:.0f} s"
            time.sleep(0.01)

    # At the worst moment, a fifth into the batch: Eskiz has taken a message, its worker has not heard so.
    wait_for(lambda: taken() >= BATCH // 5, "a fifth of the batch taken")
    eskiz.hold()
    wait_for(eskiz.held.is_set, "a message held by Eskiz")
    holder = Processes.worker_connected_from(
        SimpleNamespace(workers=[worker.popen for worker in workers]), eskiz.held_peer[1]
    )
    next(worker for worker in workers if worker.popen is holder).restart()
    eskiz.release.set()
    # At a random moment, half-way.
    wait_for(lambda: taken() >= BATCH // 2, "half of the batch taken")
    time.sleep(rng.uniform(0, 0.05))
    rng.choice(workers).restart()
    killed_at = time.monotonic()

    def left() -> dict:
        messages = region.sql("SELECT status, count(*) FROM notify_message WHERE id = ANY(%s) GROUP BY status", (ids,))
        tasks = region.sql(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('RUNNING', 'READY') GROUP BY status"
        )
        return {"messages": dict(messages), "tasks": dict(tasks)}

    def finished() -> bool:
        now = left()
        return set(now["messages"]) <= {"sent", "delivered"} and not now["tasks"]

    what = lambda: f"every SMS sent and no task left RUNNING or READY: {left()}"  # noqa: E731
    wait_for(finished, what, 2 * SCHEDULER_PERIOD + TASKS_LEASE_SECONDS + 30)
    recovered = time.monotonic() - killed_at
    assert all(worker.running for worker in workers)

    # Eskiz: each SMS exactly once, with its real code.
    sends = [sent for sent in eskiz.sends if sent.form.get("user_sms_id") in keys]
    assert Counter(sent.form["user_sms_id"] for sent in sends) == dict.fromkeys(keys, 1)
    texts = {sent.form["user_sms_id"]: sent.form["message"] for sent in sends}
    assert all(item["code"] in texts[item["key"]] for item in queued)

    # The held SMS was cut off and taken over: found in Eskiz's history, not sent again.
    report = json.loads(region.python("tests.region.batch", "report"))
    mine = [message for message in report["list"] if message["id"] in set(ids)]
    assert len(mine) == BATCH
    assert {message["status"] for message in mine} <= {"sent", "delivered"}
    assert [message for message in mine if "found" in message["checks"]], "no attempt was cut off"
    # The killed worker's task was RUNNING; the scheduler put it back after the lease for another worker.
    reclaimed = region.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE jsonb_array_length(worker_ids) > 1"
    )[0][0]
    assert reclaimed >= 1
    print(f"\nbatch: {BATCH} SMS, 2 workers killed and restarted, recovered {recovered:.0f} s after the last kill")
