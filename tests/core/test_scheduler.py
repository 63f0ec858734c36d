"""The scheduler of periodic jobs: schedules, one run per period across schedulers, failures, the command."""

import datetime as dt
import io
import os
import signal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from darcha.core import scheduler as scheduler_module
from darcha.core.scheduler import Job, Scheduler, register_job

pytestmark = pytest.mark.django_db  # the cache is the database cache, as in production without Redis

TASHKENT = dt.timezone(dt.timedelta(hours=5))


def at(hour: int, minute: int = 0, second: int = 0, day: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=TASHKENT)


class Recorder:
    def __init__(self, fail: bool = False):
        self.calls: list[dt.datetime] = []
        self.fail = fail

    def __call__(self, *, now):
        self.calls.append(now)
        if self.fail:
            raise RuntimeError("the database went away")


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()


def test_an_interval_job_runs_once_per_period():
    job = Recorder()
    scheduler = Scheduler([Job("test.every", job, every_seconds=60)])
    assert scheduler.run_pending(at(10, 0, 0)) == ["test.every"]
    assert scheduler.run_pending(at(10, 0, 30)) == []
    assert scheduler.run_pending(at(10, 0, 59)) == []
    assert scheduler.run_pending(at(10, 1, 0)) == ["test.every"]
    assert job.calls == [at(10, 0, 0), at(10, 1, 0)]


def test_two_schedulers_never_run_a_job_twice_in_a_period():
    job = Recorder()
    first = Scheduler([Job("test.shared", job, every_seconds=300)], owner="worker-1")
    second = Scheduler([Job("test.shared", job, every_seconds=300)], owner="worker-2")
    ran = []
    for minute in range(0, 15):
        for scheduler in (first, second):
            ran += scheduler.run_pending(at(10, minute, 1))
    assert len(job.calls) == 3 == len(ran)  # 10:00, 10:05, 10:10


def test_a_job_still_running_elsewhere_is_not_started_again():
    from django.core.cache import cache

    job = Recorder()
    scheduler = Scheduler([Job("test.slow", job, every_seconds=60)], owner="worker-2")
    cache.set("darcha:scheduler:test.slow:running", "worker-1", 60)  # worker-1 is in the middle of a run
    assert scheduler.run_pending(at(10, 0, 0)) == []
    cache.delete("darcha:scheduler:test.slow:running")  # … and has finished, without claiming this period
    assert scheduler.run_pending(at(10, 0, 1)) == ["test.slow"]


def test_a_daily_job_runs_at_its_time_once_and_catches_up_later_that_day():
    job = Recorder()
    scheduler = Scheduler([Job("test.daily", job, at=dt.time(18))])
    assert scheduler.run_pending(at(17, 59)) == []
    assert scheduler.run_pending(at(18, 0)) == ["test.daily"]
    assert scheduler.run_pending(at(23, 0)) == []
    # A scheduler started the next evening, after the time, runs it at once (and only once).
    late = Scheduler([Job("test.daily", job, at=dt.time(18))])
    assert late.run_pending(at(20, 0, day=10)) == ["test.daily"]
    assert late.run_pending(at(20, 1, day=10)) == []
    assert Scheduler([Job("test.daily", job, at=dt.time(18))]).run_pending(at(21, day=10)) == []
    assert len(job.calls) == 2


def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    broken, fine = Recorder(fail=True), Recorder()
    scheduler = Scheduler([Job("test.broken", broken, every_seconds=60), Job("test.fine", fine, every_seconds=60)])
    assert scheduler.run_pending(at(10)) == ["test.broken", "test.fine"]
    last = scheduler.last_runs()
    assert last["test.broken"]["ok"] is False and "database went away" in last["test.broken"]["error"]
    assert last["test.fine"]["ok"] is True
    assert scheduler.run_pending(at(10, 0, 30)) == []  # a failed period is not retried in a loop


def test_routine_runs_stay_out_of_the_console_and_failures_do_not(caplog):
    # `darcha serve` prints its banner last; a line per job every minute would scroll it away (issue 9, item 9).
    broken, fine = Recorder(fail=True), Recorder()
    scheduler = Scheduler([Job("test.broken", broken, every_seconds=60), Job("test.fine", fine, every_seconds=60)])
    with caplog.at_level("INFO", logger="darcha.core.scheduler"):
        scheduler.run_pending(at(10))
    heard = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "darcha.core.scheduler"]
    assert not any("test.fine" in message for _level, message in heard)
    assert any(level == "WARNING" and m.startswith("scheduled job test.broken FAILED") for level, m in heard)


def test_registration_rules(monkeypatch):
    monkeypatch.setattr(scheduler_module, "_jobs", {})
    with pytest.raises(ImproperlyConfigured):
        register_job("test.none", func=Recorder())
    with pytest.raises(ImproperlyConfigured):
        register_job("test.both", func=Recorder(), every_seconds=60, at="10:00")
    with pytest.raises(ImproperlyConfigured):
        register_job("test.bad", func=Recorder(), at="25:99")

    @register_job("test.decorated", at="07:30")
    def morning(*, now):
        return now

    register_job("test.decorated", at="07:30", func=morning)  # the same again (ready() twice): fine
    with pytest.raises(ImproperlyConfigured):
        register_job("test.decorated", every_seconds=5, func=morning)
    assert [(job.name, job.schedule) for job in scheduler_module.registered_jobs()] == [
        ("test.decorated", "daily at 07:30")
    ]


def test_the_command_once_list_and_run(monkeypatch):
    job = Recorder()
    monkeypatch.setattr(scheduler_module, "_jobs", {"test.cmd": Job("test.cmd", job, every_seconds=3600)})
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "test.cmd" in out.getvalue() and "never run" in out.getvalue()
    call_command("scheduler", "--once", stdout=out)
    call_command("scheduler", "--once", stdout=out)  # same hour: nothing due
    assert len(job.calls) == 1 and "nothing due" in out.getvalue()
    call_command("scheduler", "--run", "test.cmd", stdout=out)
    assert len(job.calls) == 2
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "ok" in out.getvalue()


def test_sigterm_stops_the_loop_after_the_running_job(monkeypatch):
    calls = []

    def job(*, now):
        calls.append(now)
        os.kill(os.getpid(), signal.SIGTERM)  # as `serve` does when it stops

    monkeypatch.setattr(scheduler_module, "_jobs", {"test.term": Job("test.term", job, every_seconds=60)})
    before = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    call_command("scheduler", "--interval", "0.01", stdout=out)
    assert len(calls) == 1
    assert "Scheduler stopped." in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is before  # the previous handler is back
