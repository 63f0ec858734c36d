"""A task worker killed mid-batch (SIGKILL, several times) sends each message once and strands nothing.

Real processes: two `darcha db_worker`s, the scheduler's two nets looped by tests.notify.killed_worker
(`jobs`), the providers' stand-ins on real sockets. Workers are killed at random moments and at the
worst one — a provider has taken a message and is about to answer (the stand-in holds its answer).
Then, with a 2-second message lease and a 3-second task lease:

- every message is sent (none waits for a ten-minute net), no task row is left RUNNING;
- Eskiz gets each SMS exactly once: a message whose attempt was cut off is looked up in the
  account's history by its `user_sms_id` and adopted instead of being sent again;
- e-mail and Telegram cannot be asked: a message cut off in that instant is sent again — e-mail
  with the same Message-ID — and only such a message, counted in `Message.interrupted`, arrives twice;
- the providers get the real codes; the database keeps none of them.
"""

import collections
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from darcha.notify.templates import MASK
from tests.core.helpers import shared_database_url

from .helpers import ESKIZ_EMAIL, ESKIZ_PASSWORD, TELEGRAM_TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT_DIR = Path(__file__).resolve().parents[2]
COUNT = 150  # messages, a third per channel
LEASE, TASK_LEASE = 2, 3  # seconds
FROM = "Darcha <noreply@darcha.example.uz>"


class Processes:
    def __init__(self, env: dict, folder: Path):
        self.env, self.folder = env, folder
        self.workers: list[subprocess.Popen] = []
        self.started = 0
        self.kills: list[float] = []

    def _popen(self, *args: str, log: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 — the project's own commands
            [sys.executable, "-m", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=(self.folder / log).open("ab"),
            stderr=subprocess.STDOUT,
        )

    def run(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tests.notify.killed_worker", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start_worker(self) -> None:
        self.started += 1
        name = f"worker-{self.started}"
        self.workers.append(
            self._popen(
                "darcha.manage",
                "db_worker",
                "--skip-checks",
                "--interval",
                "0.05",
                "--no-startup-delay",
                "--worker-id",
                name,
                log=f"{name}.log",
            )
        )

    def start_jobs(self, status_file: Path) -> None:
        self.jobs = self._popen("tests.notify.killed_worker", "jobs", str(status_file), log="jobs.log")

    def kill(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        self.workers.remove(worker)
        self.kills.append(time.monotonic())

    def worker_connected_from(self, port: int) -> subprocess.Popen:
        """The worker holding the TCP connection whose local port is `port` (Linux: /proc)."""
        sockets = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    sockets.add(f"socket:[{fields[9]}]")
        for worker in self.workers:
            for fd in Path(f"/proc/{worker.pid}/fd").iterdir():
                try:
                    if os.readlink(fd) in sockets:
                        return worker
                except OSError:
                    continue
        raise AssertionError(f"no worker is connected from port {port}")

    def stop(self) -> None:
        for process in [*self.workers, getattr(self, "jobs", None)]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, getattr(self, "jobs", None)]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()

    def logs(self) -> str:
        tails = (f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}" for log in self.folder.glob("*.log"))
        return "\n".join(tails)


def test_a_killed_worker_sends_each_message_once_and_strands_nothing(tmp_path, eskiz, telegram, smtp):
    rng = random.Random(10)  # noqa: S311 — when to kill, not a secret
    database_url = shared_database_url(tmp_path)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "EMAIL_", "DJANGO_"))}
    env = {
        **inherited,
        "PYTHONPATH": str(PROJECT_DIR),
        "DJANGO_SETTINGS_MODULE": "tests.notify.worker_settings",
        "DATABASE_URL": database_url,
        "DB_POOL_MIN": "1",
        "LOG_LEVEL": "WARNING",
        "NOTIFY_LEASE_SECONDS": str(LEASE),
        "TASKS_LEASE_SECONDS": str(TASK_LEASE),
        "NOTIFY_SMS_BACKEND": "eskiz",
        "NOTIFY_ESKIZ_URL": eskiz.url,
        "NOTIFY_ESKIZ_EMAIL": ESKIZ_EMAIL,
        "NOTIFY_ESKIZ_PASSWORD": ESKIZ_PASSWORD,
        "NOTIFY_ESKIZ_STATUS_CHECK_DELAY": "0",
        "NOTIFY_TELEGRAM_BACKEND": "telegram",
        "NOTIFY_TELEGRAM_URL": telegram.url,
        "NOTIFY_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "NOTIFY_EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "DEFAULT_FROM_EMAIL": FROM,
    }
    processes = Processes(env, tmp_path)
    status_file = tmp_path / "status.json"

    def status() -> dict:
        return json.loads(status_file.read_text()) if status_file.exists() else {"messages": {}, "tasks": {}}

    def taken() -> int:
        """Messages a provider has taken (each counted once)."""
        keys = {r.form.get("user_sms_id") for r in eskiz.sends}
        chats = {r.json.get("chat_id") for r in telegram.sent()}
        mails = {mail.message["Message-ID"] for mail in smtp.received}
        return len(keys) + len(chats) + len(mails)

    def wait_for(condition, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{status()}\n{processes.logs()}"
            time.sleep(0.01)

    def kill_one_at(share: float):
        wait_for(lambda: taken() >= share * COUNT, f"{share:.0%} of the messages taken")
        time.sleep(rng.uniform(0, 0.03))  # anywhere in an attempt
        processes.kill(rng.choice(processes.workers))
        processes.start_worker()

    def kill_while_held(stand_in):
        """Kill the worker whose message `stand_in` has taken, before it hears so."""
        stand_in.hold()
        wait_for(stand_in.held.is_set, f"a message held by {type(stand_in).__name__}")
        processes.kill(processes.worker_connected_from(stand_in.held_peer[1]))
        stand_in.release.set()
        processes.start_worker()

    try:
        processes.start_jobs(status_file)
        processes.start_worker()
        processes.start_worker()
        queued = json.loads(processes.run("prepare", str(COUNT)))  # while the workers start
        kill_one_at(0.1)
        kill_while_held(eskiz)
        kill_one_at(0.4)
        kill_while_held(telegram)
        kill_while_held(smtp)
        kill_one_at(0.75)
        last_kill = processes.kills[-1]

        def finished() -> bool:
            counts = status()
            return (
                sum(counts["messages"].values()) == COUNT
                and set(counts["messages"]) <= {"sent", "delivered"}
                and not {"RUNNING", "READY"} & set(counts["tasks"])
            )

        wait_for(finished, "every message sent and every task finished")
        waited = time.monotonic() - last_kill
    finally:
        processes.stop()
    result = json.loads(processes.run("report"))
    assert len(processes.kills) == 6 and processes.started == 8

    # Nothing waited for a ten-minute net: the last kill's messages went out once the leases ran out
    # (the rest of the bound is the batch's last quarter, on a machine that may be busy).
    assert waited < LEASE + TASK_LEASE + 30, waited
    assert "RUNNING" not in result["tasks"] and "READY" not in result["tasks"]
    messages = {m["id"]: m for m in result["list"]}
    assert {m["status"] for m in messages.values()} <= {"sent", "delivered"}
    interrupted = {m["id"] for m in messages.values() if m["interrupted"]}
    assert interrupted, "no attempt was cut off: the test killed no worker mid-message"

    by_channel = collections.defaultdict(list)
    for item in queued:
        by_channel[item["channel"]].append(item)

    # Eskiz: each SMS exactly once, with its real code; cut-off attempts were found in the history.
    sms_sent = collections.Counter(r.form.get("user_sms_id") for r in eskiz.sends)
    assert sms_sent == {item["key"]: 1 for item in by_channel["sms"]}
    texts = {r.form["user_sms_id"]: r.form["message"] for r in eskiz.sends}
    assert all(item["code"] in texts[item["key"]] for item in by_channel["sms"])
    found = [m for m in messages.values() if "found" in m["checks"]]
    assert found and eskiz.lookups  # the held SMS at least: taken by Eskiz, not sent again

    # Telegram and e-mail: once, or twice for a message cut off after the provider took it.
    chats = collections.Counter(str(r.json["chat_id"]) for r in telegram.sent())
    mails = collections.Counter(mail.message["Message-ID"].strip("<>") for mail in smtp.received)
    for channel, arrived, name in (("telegram", chats, "address"), ("email", mails, "key")):
        twice = set()
        for item in by_channel[channel]:
            copies = arrived[item[name] if channel == "telegram" else f"{item['key']}@darcha.example.uz"]
            assert 1 <= copies <= 2, (channel, item, copies)
            if copies == 2:
                twice.add(item["id"])
        assert twice, f"the {channel} message held at the kill was sent again"
        assert all("unknown" in messages[id_]["checks"] for id_ in twice), (channel, twice)

    # The codes reached the providers and stayed out of the database.
    for item in queued:
        message = messages[item["id"]]
        assert item["code"] not in message["body"] and MASK in message["body"]
        assert message["context"]["code"] == MASK and message["sealed"] == ""
