"""Settings of the processes the killed-worker test starts (`darcha db_worker`, its job loop): the
project's settings, with the leases short enough for a test (the environment gives them)."""

import os

from darcha.config.settings import *  # noqa: F403

NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "120"))
TASKS_LEASE_SECONDS = int(os.environ.get("TASKS_LEASE_SECONDS", "600"))
