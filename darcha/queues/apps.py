from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueuesConfig(AppConfig):
    name = "darcha.queues"
    label = "queues"
    verbose_name = _("Electronic queue")

    def ready(self) -> None:
        # Message templates (position notice, call, appointments), and the periodic jobs (end of
        # day, appointment reminders and no-shows) for `darcha scheduler`.
        from . import jobs, notifications  # noqa: F401

        jobs.register()
        # The staff desk panel linking operators and managers to the console of their center.
        from . import desk  # noqa: F401
