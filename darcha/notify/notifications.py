"""The notify app's own message template: the one-time confirmation code of `otp_send`, registered
from NotifyConfig.ready(). Other apps register theirs from their own ready()."""

from django.utils.translation import gettext_lazy as _

from .templates import register_template

register_template(
    "otp",
    _("Confirmation code"),
    _("Your confirmation code: %(code)s. It is valid for %(minutes)s minutes. Do not tell it to anyone."),
    secret=("code",),
    one_time=True,
    defaults={"minutes": 5},
)
