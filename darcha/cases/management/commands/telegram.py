"""Run the citizens' Telegram bot (long polling) until SIGTERM or Ctrl-C; see darcha.cases.telegram.

Needs NOTIFY_TELEGRAM_TOKEN (from @BotFather) and, for a Bot API server of your own or a proxy,
NOTIFY_TELEGRAM_URL (default https://api.telegram.org). Run one bot process per token: Telegram
refuses a second poller.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from darcha.cases.telegram import DEFAULT_POLL_TIMEOUT, Bot, BotRefused, BotUnavailable, Interrupted, configured


class Command(BaseCommand):
    help = "Run the Telegram bot: answers /status <number> <code> and sends the chat the application's updates."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Fetch and answer the waiting messages once, then exit."
        )
        parser.add_argument(
            "--poll-timeout",
            type=int,
            default=getattr(settings, "NOTIFY_TELEGRAM_POLL_TIMEOUT", DEFAULT_POLL_TIMEOUT),
            help=f"Seconds a getUpdates call waits for messages (long poll; default {DEFAULT_POLL_TIMEOUT}).",
        )

    def handle(self, *args, once, poll_timeout, **options):
        if not configured():
            raise CommandError(
                "The Telegram bot token is not configured: set NOTIFY_TELEGRAM_TOKEN (and NOTIFY_TELEGRAM_URL "
                "for a Bot API server other than https://api.telegram.org)."
            )
        if poll_timeout < 0:
            raise CommandError("--poll-timeout cannot be negative.")
        bot = Bot(poll_timeout=poll_timeout)
        if once:
            try:
                done = bot.poll()
            except (BotUnavailable, BotRefused) as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{done.updates} update(s), {done.replies} repl(ies)")
            return

        stop = threading.Event()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def request_stop(signum, frame):
            stop.set()
            if bot.polling:  # waiting on a long poll with nothing in hand: stop now, not in 25 s
                raise Interrupted

        for sig in previous:
            signal.signal(sig, request_stop)
        self.stdout.write(
            f"Telegram bot polling {bot.api.base} (long poll {bot.poll_timeout} s); Ctrl-C or SIGTERM stops it."
        )
        try:
            bot.run(stop)
        except Interrupted:
            pass
        except BotRefused as error:
            raise CommandError(f"{error}: check NOTIFY_TELEGRAM_TOKEN.") from None
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Telegram bot stopped.")
