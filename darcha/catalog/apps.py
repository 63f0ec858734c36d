from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "darcha.catalog"
    label = "catalog"
    verbose_name = _("Service catalog")

    def ready(self) -> None:
        # Register the catalog's staff desk panels.
        from darcha.core.models import BaseCalculationAmount, OpeningHours, Organization
        from darcha.core.pagecache import register_content

        from . import desk  # noqa: F401
        from .models import Category, Discount, ProcedureVersion, RequiredDocument, Service, Step, Transition

        # What the catalog's public pages and API show: an edit of any of these gives them a new version.
        # Organizations (agencies, the region's name in the header, the center on the checklist), their
        # opening hours (the checklist) and the BRV (today's fees) are core's; the rest the catalog's.
        register_content(
            "catalog",
            Category,
            Discount,
            Service,
            RequiredDocument,
            ProcedureVersion,
            Step,
            Transition,
            Organization,
            OpeningHours,
            BaseCalculationAmount,
        )
