"""The killed-worker test's commands (tests.notify.killed_worker) against the region's database with
production's settings (the region's environment), for a batch of SMS only:

    python -m tests.region.batch prepare COUNT   # queue COUNT SMS through darcha.notify.services, print them
    python -m tests.region.batch report          # the messages and task rows, as JSON

SMS only: Eskiz can be asked whether it already has a message (its history by `user_sms_id`), so each
one must arrive exactly once however a worker dies; Telegram and SMTP cannot be asked (the notify test
covers them).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "darcha.config.settings")
    from tests.notify import killed_worker

    killed_worker._channel_of = lambda index: "sms"  # the batch's channel for every message
    killed_worker.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
