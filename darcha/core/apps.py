from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "darcha.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.conf.locale import LANG_INFO
        from django.utils import translation

        from .i18n import LANGUAGES

        # Every language of core.i18n in Django's table, under its own native name, for the
        # language switcher and {% get_language_info %}. Django knows Uzbek only in Latin script:
        # the Cyrillic variant gets an entry of its own (named by its untranslated label).
        for language in LANGUAGES:
            info = LANG_INFO.get(language.code)
            if info is None:
                with translation.override(None):
                    name = str(language.label)
                info = {"bidi": False, "code": language.code, "name": name}
            LANG_INFO[language.code] = {**info, "name_local": language.native}

        # Desk panels that need only core (the organization card), other apps register theirs; the hourly
        # purge of expired Idempotency-Keys (the API POSTs of cases and queues), for `darcha scheduler`.
        from . import desk_panels, idempotency  # noqa: F401
        from .audit import audit_checkpoint_job
        from .scheduler import register_job

        idempotency.register()
        # Every audit chain's head hashed into one root, once a day (core.audit).
        register_job("audit.checkpoint", at="00:05", func=audit_checkpoint_job)
