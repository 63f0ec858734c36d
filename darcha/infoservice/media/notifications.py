"""Message templates of accreditation (gettext msgids, rendered in the journalist's language), and who is
told: the journalist of each decision, the reminder and the expiry (by e-mail and Telegram where known,
SMS otherwise: the press events' `delivery.addresses_of`); the hokimiyat's commission of a new application
(by e-mail). Registered on import, from the media app's ready(). Sent after the commit."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.core.links import absolute_url
from darcha.notify import services as notify
from darcha.notify.choices import Channel
from darcha.notify.templates import register_template

log = logging.getLogger("darcha.media")

register_template(
    "media_accreditation_submitted",
    _("New accreditation application: %(journalist)s"),
    _("%(journalist)s (%(outlet)s) applies for accreditation at %(organization)s.\nConsider it: %(link)s"),
)
register_template(
    "media_accreditation_approved",
    _("You are accredited at %(organization)s"),
    _(
        "The accreditation commission of %(organization)s has accredited you (%(outlet)s) from %(valid_from)s "
        "to %(valid_until)s.\nDownload your accreditation card in your journalist's account: %(link)s"
    ),
)
register_template(
    "media_accreditation_refused",
    _("Accreditation refused: %(organization)s"),
    _("The accreditation commission of %(organization)s has refused your application.\nReason: %(reason)s\n%(link)s"),
)
register_template(
    "media_accreditation_suspended",
    _("Accreditation suspended: %(organization)s"),
    _("Your accreditation at %(organization)s is suspended.\nReason: %(reason)s\n%(link)s"),
)
register_template(
    "media_accreditation_resumed",
    _("Accreditation in force again: %(organization)s"),
    _(
        "The suspension of your accreditation at %(organization)s is lifted; it is in force until "
        "%(valid_until)s.\n%(link)s"
    ),
)
register_template(
    "media_accreditation_revoked",
    _("Accreditation revoked: %(organization)s"),
    _("Your accreditation at %(organization)s is revoked; the card is no longer valid.\nReason: %(reason)s\n%(link)s"),
)
register_template(
    "media_accreditation_renewal",
    _("Your accreditation ends on %(valid_until)s"),
    _(
        "Your accreditation at %(organization)s ends on %(valid_until)s. To stay accredited, apply for the next "
        "one in your journalist's account: %(link)s"
    ),
)
register_template(
    "media_accreditation_expired",
    _("Your accreditation has ended: %(organization)s"),
    _("Your accreditation at %(organization)s ended on %(valid_until)s. You may apply again: %(link)s"),
)


def _context(accreditation, language: str) -> dict:
    with translation.override(language):
        return {
            "organization": accreditation.organization.name,
            "outlet": accreditation.outlet.name,
            "journalist": str(accreditation.journalist),
            "valid_from": formats.date_format(accreditation.valid_from, "DATE_FORMAT")
            if accreditation.valid_from
            else "",
            "valid_until": formats.date_format(accreditation.valid_until, "DATE_FORMAT")
            if accreditation.valid_until
            else "",
            "reason": accreditation.reason or "—",
            "link": absolute_url(reverse("media:account")),
        }


def tell_journalist(accreditation, template: str) -> None:
    from .events.delivery import addresses_of, journalist_language

    journalist = accreditation.journalist
    language = journalist_language(journalist)
    addresses = addresses_of(journalist)
    if not addresses:
        return
    context = _context(accreditation, language)

    def send():
        for channel, address in addresses:
            try:
                notify.message_send(
                    actor=SYSTEM,
                    channel=channel,
                    address=address,
                    template=template,
                    context=context,
                    language=language,
                    related=accreditation,
                )
            except ValidationError:
                log.warning("%s to journalist %s by %s not sent", template, journalist.pk, channel, exc_info=True)

    transaction.on_commit(send)


def tell_commission(accreditation) -> None:
    """E-mail the commission members of the hokimiyat (those with an address) of a new application."""
    from darcha.core.models import Membership

    members = list(
        Membership.objects.filter(organization_id=accreditation.organization_id, role=Role.ACCREDITATION_COMMISSION)
        .exclude(user__email="")
        .select_related("user")
    )
    if not members:
        return

    def send():
        for member in members:
            language = member.user.language or "uz"
            with translation.override(language):
                context = _context(accreditation, language)
                context["link"] = absolute_url(
                    reverse("media:commission_item", args=[accreditation.organization.code, accreditation.pk])
                )
            try:
                notify.message_send(
                    actor=SYSTEM,
                    channel=Channel.EMAIL.value,
                    address=member.user.email,
                    template="media_accreditation_submitted",
                    context=context,
                    language=language,
                    related=accreditation,
                )
            except ValidationError:
                log.warning("accreditation notice to %s not sent", member.user_id, exc_info=True)

    transaction.on_commit(send)
