from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "darcha.cases"
    label = "cases"
    verbose_name = _("Applications")

    def ready(self) -> None:
        # Message templates (receipt, documents requested, result ready, rating, deadlines),
        # and the deadline escalation job for `darcha scheduler`.
        from . import jobs, notifications  # noqa: F401

        jobs.register()
        # Desk panels: the front office's applications, the agency inbox, the overdue list.
        from . import desk  # noqa: F401
