from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "darcha.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.conf.locale import LANG_INFO

        # Django knows Uzbek only in Latin script; the Cyrillic variant needs its own entry
        # for the language switcher and {% get_language_info %}.
        LANG_INFO.setdefault(
            "uz-cyrl", {"bidi": False, "code": "uz-cyrl", "name": "Uzbek (Cyrillic)", "name_local": "Ўзбекча"}
        )
        LANG_INFO["uz"] = {**LANG_INFO.get("uz", {}), "name_local": "Oʻzbekcha"}

        # Desk panels that need only core (the organization card); other apps register theirs.
        from . import desk_panels  # noqa: F401
