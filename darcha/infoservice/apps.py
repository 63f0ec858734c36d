from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoserviceConfig(AppConfig):
    name = "darcha.infoservice"
    label = "infoservice"
    verbose_name = _("Information service")

    def ready(self):
        # Message templates are registered at start, so a worker can render any appeal's notice.
        from . import notifications  # noqa: F401
