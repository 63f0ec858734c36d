from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    # Its own Django app inside the information service: its own migrations and models, beside the appeals.
    name = "darcha.infoservice.media"
    label = "media"
    verbose_name = _("Media and accreditation")
