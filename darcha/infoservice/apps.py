from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoserviceConfig(AppConfig):
    name = "darcha.infoservice"
    label = "infoservice"
    verbose_name = _("Information service")

    def ready(self):
        # Message templates are registered at start, so a worker can render any appeal's notice; the
        # reminders before an appeal's term and the escalation after it are jobs of `darcha scheduler`, and
        # so is queuing the routing model's training.
        from . import jobs, notifications, routing_jobs  # noqa: F401

        jobs.register()
        routing_jobs.register()

        from darcha.core.models import Organization
        from darcha.core.pagecache import register_content

        # The citizens' Telegram bot answers for appeal numbers too (its tracker registers on import).
        from . import models, telegram  # noqa: F401

        # What the public appeals pages and API show (the archive, the statistics, the hokimiyats to write
        # to): publishing an appeal calls pagecache.content_changed(kind="appeals") in its transaction.
        register_content("appeals", Organization, models.Topic, models.Population)

        # The staff's desk panels (officers, executors, hokims; administrators: the routing model).
        from . import desk  # noqa: F401
        from .views import routing  # noqa: F401
