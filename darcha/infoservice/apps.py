from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoserviceConfig(AppConfig):
    name = "darcha.infoservice"
    label = "infoservice"
    verbose_name = _("Information service")

    def ready(self):
        # Message templates are registered at start, so a worker can render any appeal's notice; the
        # reminders before an appeal's term and the escalation after it are jobs of `darcha scheduler`.
        from . import jobs, notifications  # noqa: F401

        jobs.register()
