from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "darcha.catalog"
    label = "catalog"
    verbose_name = _("Service catalog")

    def ready(self) -> None:
        # Register the catalog's staff desk panels.
        from . import desk  # noqa: F401
