from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "darcha.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.core import checks

        # This app's own message template (the confirmation code); other apps register theirs
        # from their own ready() (darcha.notify.templates.register_template).
        from . import notifications  # noqa: F401
        from .channels import settings_check

        checks.register(settings_check)

        # The safety net for deliveries (due retries, lost tasks, attempts cut off by a dying worker).
        from darcha.core.scheduler import register_job

        from . import services

        register_job("notify.requeue", every_seconds=60, func=services.messages_requeue_due_job)
