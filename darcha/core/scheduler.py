"""Periodic jobs (closing the queue day, reminders, deadline escalation), run by `darcha scheduler`.

Apps register their jobs from `AppConfig.ready()`:

    from darcha.core.scheduler import register_job
    register_job("queues.close_day", every_seconds=60, func=jobs.close_day)
    register_job("queues.remind", at="10:00", func=jobs.remind_appointments)

A job is a callable taking `now` (an aware datetime). `every_seconds` jobs run once in each period
of that length (periods counted from the Unix epoch, so every scheduler agrees on them); `at` jobs
run once a day at that Tashkent time or, if no scheduler was running then, as soon as one runs
later that day.

Any number of schedulers may run (one beside each task worker): before running a job for a
period, a scheduler claims it with `cache.add` — atomic in Redis and in the database cache, so
exactly one claim succeeds — and a second key marks the job as running, so a slow run is never
overlapped by another scheduler's next one. The last run of each job (time, duration, outcome)
is kept in the cache too, for `darcha scheduler --list`.

The scheduler has one job of its own, `tasks.reclaim` (`tasks_reclaim`): a task that a killed
worker left RUNNING is put back to run again once its lease (TASKS_LEASE_SECONDS) has run out.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

KEY_PREFIX = "darcha:scheduler"
DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., object]
    every_seconds: int | None = None
    at: dt.time | None = None
    # A run still marked as running after this long is taken to have died with its scheduler.
    max_seconds: int = 3600

    def period(self, now: dt.datetime) -> str | None:
        """The period `now` falls in, or None while a daily job is not yet due today."""
        if self.every_seconds:
            return str(int(now.timestamp()) // self.every_seconds)
        local = timezone.localtime(now)
        return local.date().isoformat() if local.time() >= self.at else None

    @property
    def schedule(self) -> str:
        return f"every {self.every_seconds} s" if self.every_seconds else f"daily at {self.at:%H:%M}"


_jobs: dict[str, Job] = {}


def _parse_at(at: str | dt.time) -> dt.time:
    if isinstance(at, dt.time):
        return at
    try:
        return dt.time.fromisoformat(at)
    except ValueError:
        raise ImproperlyConfigured(f"scheduler: at={at!r} is not a time of day (HH:MM)") from None


def register_job(
    name: str,
    *,
    func: Callable[..., object] | None = None,
    every_seconds: int | None = None,
    at: str | dt.time | None = None,
    max_seconds: int = 3600,
):
    """Register a periodic job; without `func`, a decorator. Exactly one of `every_seconds`, `at`."""
    if (every_seconds is None) == (at is None):
        raise ImproperlyConfigured(f"scheduler job {name!r}: give exactly one of every_seconds and at")
    if every_seconds is not None and every_seconds < 1:
        raise ImproperlyConfigured(f"scheduler job {name!r}: every_seconds must be at least 1")

    def add(function: Callable[..., object]):
        job = Job(name, function, every_seconds, _parse_at(at) if at is not None else None, max_seconds)
        existing = _jobs.get(name)
        if existing is not None and existing != job:
            raise ImproperlyConfigured(f"scheduler job {name!r} is already registered differently")
        _jobs[name] = job
        return function

    return add(func) if func is not None else add


def registered_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def _tidy_connections() -> None:
    """What Django does between requests: drop connections that are broken or past their age —
    never one inside a transaction (a test's, or a caller's)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _key(job: Job, part: str) -> str:
    return f"{KEY_PREFIX}:{job.name}:{part}"


class Scheduler:
    """Runs the jobs due at each `run_pending(now)`; `run_forever` calls it in a loop."""

    def __init__(self, jobs: Iterable[Job] | None = None, *, cache_alias: str = "default", owner: str = ""):
        self.jobs = list(jobs) if jobs is not None else registered_jobs()
        self.cache = caches[cache_alias]
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # The period each job was last settled in by this scheduler (run here, or claimed elsewhere).
        self._settled: dict[str, str] = {}

    def run_pending(self, now: dt.datetime | None = None) -> list[str]:
        """Run every job due at `now` that no other scheduler has claimed; their names."""
        now = now or timezone.now()
        ran = []
        for job in self.jobs:
            period = job.period(now)
            if period is None or self._settled.get(job.name) == period:
                continue
            if not self.cache.add(_key(job, "running"), self.owner, job.max_seconds):
                continue  # still running (here or elsewhere): try again at the next tick
            try:
                timeout = 2 * job.every_seconds + 60 if job.every_seconds else 2 * DAY_SECONDS
                if self.cache.add(_key(job, f"period:{period}"), self.owner, timeout):
                    self.run(job, now)
                    ran.append(job.name)
                self._settled[job.name] = period
            finally:
                if self.cache.get(_key(job, "running")) == self.owner:
                    self.cache.delete(_key(job, "running"))
        return ran

    def run(self, job: Job, now: dt.datetime) -> bool:
        """Run one job now, whatever its schedule; a failure is logged and recorded, not raised."""
        _tidy_connections()
        started, ok, error = time.monotonic(), True, ""
        try:
            job.func(now=now)
        except Exception as exc:  # one failing job must not stop the others
            ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
            log.exception("scheduled job %s failed", job.name)
        finally:
            _tidy_connections()
        seconds = round(time.monotonic() - started, 3)
        record = {"at": now.isoformat(), "ok": ok, "seconds": seconds, "error": error, "by": self.owner}
        self.cache.set(_key(job, "last"), record, None)
        # A run that went well is routine (every minute for some jobs): DEBUG, so that the console of
        # `darcha serve` keeps its banner in sight; `scheduler --list` shows the last runs all the same.
        log.log(
            logging.DEBUG if ok else logging.WARNING,
            "scheduled job %s %s in %.3f s",
            job.name,
            "done" if ok else "FAILED",
            seconds,
        )
        return ok

    def last_runs(self) -> dict[str, dict | None]:
        return {job.name: self.cache.get(_key(job, "last")) for job in self.jobs}

    def run_forever(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Check the jobs every `interval` seconds until `stop` is set (by SIGTERM, say)."""
        while not stop.is_set():
            try:
                self.run_pending()
            except Exception:  # the cache or the database away for a moment: retry at the next tick
                log.exception("scheduler tick failed")
                _tidy_connections()
            stop.wait(interval)


# --- Tasks stranded by a worker that died ---------------------------------------------------------

# A task claimed this many times (each claim by a worker that then died) is failed, not run again:
# a task that kills its worker must not kill every worker in turn.
TASK_MAX_CLAIMS = 3
RECLAIM_BATCH = 500


def task_lease_seconds() -> int:
    """How long a task may run before it counts as stranded (TASKS_LEASE_SECONDS, default 600 s).
    django-tasks-db's worker has no heartbeat: the lease must be longer than the slowest task."""
    return int(getattr(settings, "TASKS_LEASE_SECONDS", 600))


def tasks_reclaim(now: dt.datetime, *, lease_seconds: int | None = None) -> int:
    """Put back the tasks a killed worker left RUNNING (django-tasks-db's rows; a worker that is
    killed never marks its task finished, so nothing would run it again).

    A row RUNNING since before the lease is READY again (its `run_after` is kept, so it is due at
    once) and the next worker runs it; one already claimed TASK_MAX_CLAIMS times (`worker_ids`
    lists each claim) is FAILED instead. The tasks are idempotent (notify's delivery claims its
    message; see darcha.notify.services.message_deliver). Rows are locked with SKIP LOCKED on
    PostgreSQL, so two schedulers never reclaim one row twice. Returns how many rows were reclaimed."""
    try:
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend: nothing of the database backend's to reclaim
        return 0
    lease = task_lease_seconds() if lease_seconds is None else lease_seconds
    stale = now - dt.timedelta(seconds=lease)
    with transaction.atomic(using=DBTaskResult.objects.db):
        rows = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale).order_by("started_at")
        if connections[DBTaskResult.objects.db].vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True)
        stranded = list(rows[:RECLAIM_BATCH])
        for row in stranded:
            if len(row.worker_ids) >= TASK_MAX_CLAIMS:
                row.status, row.finished_at = TaskResultStatus.FAILED, now
                row.exception_class_path = "darcha.core.scheduler.WorkerLost"
                row.traceback = (
                    f"WorkerLost: the worker running this task stopped {len(row.worker_ids)} times "
                    f"(workers {', '.join(row.worker_ids)}); it is not run again."
                )
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                log.error("task %s (%s) failed: its workers stopped %d times", row.id, row.task_path, TASK_MAX_CLAIMS)
            else:
                row.status, row.started_at = TaskResultStatus.READY, None
                row.save(update_fields=["status", "started_at"])
                log.warning("task %s (%s) stranded by a stopped worker: ready again", row.id, row.task_path)
    return len(stranded)


register_job("tasks.reclaim", every_seconds=60, func=tasks_reclaim)
