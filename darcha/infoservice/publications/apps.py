from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    # Its own Django app inside the information service: its own migrations and models, beside the appeals.
    name = "darcha.infoservice.publications"
    label = "publications"
    verbose_name = _("Publications")

    def ready(self):
        # Message templates at start (a worker renders any notice); publishing what is due and the alert of
        # a missed schedule are jobs of `darcha scheduler`; the press secretary's desk panel.
        from darcha.core.models import Organization
        from darcha.core.pagecache import register_content

        from . import desk, jobs, models, notifications  # noqa: F401

        jobs.register()
        # What the public pages, feeds and API of publications show; the services also call
        # pagecache.content_changed(kind="publications") in the transaction of each change the public sees.
        register_content(
            "publications",
            Organization,
            models.Category,
            models.Tag,
            models.Publication,
            models.PublicationText,
            models.PublicationImage,
            models.PublicationAttachment,
        )
        # Mandatory disclosures and subscriptions: their templates, desk panel, admin, bot commands, digest job
        # and the listener of publication_published.
        from . import subscriptions_ready

        subscriptions_ready.setup()
