"""Message templates of surveys (texts are gettext msgids, rendered in the addressee's language)."""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

register_template(
    "survey_closed",
    _("A survey has closed"),
    _("The survey «%(title)s» has closed with %(count)s answers. Look at its results and publish them: %(url)s"),
)
