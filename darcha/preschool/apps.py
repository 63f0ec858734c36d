from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreschoolConfig(AppConfig):
    name = "darcha.preschool"
    label = "preschool"
    verbose_name = _("Kindergarten admission")

    def ready(self) -> None:
        from darcha.catalog.models import Category
        from darcha.core.models import Organization
        from darcha.core.pagecache import register_content

        from . import models

        # What the public registry's pages and API show (seats, queues, referrals, fees, cutoffs): a service
        # writing any of these calls pagecache.content_changed(kind="preschool") (or model=…) in its transaction.
        register_content(
            "preschool",
            Category,  # the landing page links the "Baxtli bola" desk's category
            Organization,
            models.Kindergarten,
            models.Program,
            models.FeeRate,
            models.Benefit,
            models.EnrollmentApplication,
            models.ApplicationBenefit,
            models.Preference,
            models.Placement,
            models.Campaign,
            models.Cutoff,
        )

        # Message templates (registered, position summary, referrals); the desk panels of kindergarten
        # directors and district preschool officers; the jobs (referral lapses and reminders, continuous
        # allocation's safety net, age groups moving up); the citizens' Telegram bot's kindergarten numbers.
        from . import desk, jobs, notifications, telegram  # noqa: F401
