from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    # Its own Django app inside the information service: its own migrations and models, beside the appeals.
    name = "darcha.infoservice.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
