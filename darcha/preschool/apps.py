from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreschoolConfig(AppConfig):
    name = "darcha.preschool"
    label = "preschool"
    verbose_name = _("Kindergarten admission")
