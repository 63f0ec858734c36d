"""Run the periodic jobs the apps registered (see darcha.core.scheduler) until SIGTERM or Ctrl-C."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from darcha.core.scheduler import Scheduler, registered_jobs


class Command(BaseCommand):
    help = "Run periodic jobs (end of the queue day, reminders, …); several schedulers may run at once."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between checks (default 1).")
        parser.add_argument("--once", action="store_true", help="Run the jobs due now, then exit (for cron).")
        parser.add_argument(
            "--list", dest="show_list", action="store_true", help="List the jobs and their last runs, then exit."
        )
        parser.add_argument("--run", metavar="JOB", help="Run one job now, whatever its schedule, then exit.")

    def handle(self, *args, interval, once, show_list, run, **options):
        scheduler = Scheduler()
        if show_list:
            last = scheduler.last_runs()
            for job in scheduler.jobs:
                record = last.get(job.name)
                if record is None:
                    done = "never run"
                else:
                    outcome = "ok" if record["ok"] else f"FAILED {record['error']}"
                    done = f"last {record['at']} {outcome} ({record['seconds']} s)"
                self.stdout.write(f"{job.name:32} {job.schedule:20} {done}")
            return
        if run:
            job = next((job for job in scheduler.jobs if job.name == run), None)
            if job is None:
                raise CommandError(f"no job {run!r}; known: {', '.join(j.name for j in registered_jobs())}")
            if not scheduler.run(job, timezone.now()):
                raise CommandError(f"job {run} failed (see the log)")
            return
        if once:
            ran = scheduler.run_pending()
            self.stdout.write(f"ran: {', '.join(ran) or 'nothing due'}")
            return

        stop = threading.Event()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def request_stop(signum, frame):
            stop.set()

        for sig in previous:
            signal.signal(sig, request_stop)
        self.stdout.write(
            f"Scheduler running {len(scheduler.jobs)} job(s): "
            + ", ".join(f"{job.name} ({job.schedule})" for job in scheduler.jobs)
        )
        try:
            scheduler.run_forever(stop, interval=interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Scheduler stopped.")
