"""The press: media outlets, journalists' accounts and accreditation (Cabinet resolutions 243 and 33), the
accreditation card, media requests through the appeals workflow (ZRU-369: 7 days), press events and
embargoed press releases to accredited journalists."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    # Its own Django app inside the information service: its own migrations and models, beside the appeals.
    name = "darcha.infoservice.media"
    label = "media"
    verbose_name = _("Media and accreditation")

    def ready(self) -> None:
        from .events import ready as events_ready

        events_ready.ready()
        from . import admin, desk, jobs, notifications  # noqa: F401

        jobs.register()
