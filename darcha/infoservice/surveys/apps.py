from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    # Its own Django app inside the information service: its own migrations and models, beside the appeals.
    name = "darcha.infoservice.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from darcha.core.models import Organization
        from darcha.core.pagecache import register_content

        from . import desk, jobs, models, notifications  # noqa: F401

        jobs.register()

        # What the public survey pages and API show; the builder's services call content_changed("surveys").
        register_content("surveys", Organization, models.Survey, models.Question, models.Option, models.MatrixRow)
