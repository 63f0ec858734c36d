"""The subscriptions' message templates (darcha.notify): the double opt-in letter, a publication by e-mail
(with List-Unsubscribe and List-Unsubscribe-Post for one-click unsubscribe, RFC 8058) or in a Telegram
chat, and the daily digests. The links are sealed secrets: kept out of the stored message text."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from darcha.notify.templates import register_template


def unsubscribe_headers(context) -> dict:
    url = context.get("unsubscribe_url", "")
    if not url:
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _footer(context) -> str:
    return _("You get this because you subscribed to %(what)s. Unsubscribe: %(unsubscribe_url)s") % context


def publication_email(context) -> str:
    parts = [f"{context['kind']} · {context['date']}", context["title"]]
    if context.get("lead"):
        parts.append(context["lead"])
    parts += [_("Read it: %(url)s") % context, "--", _footer(context)]
    return "\n\n".join(parts)


def publication_chat(context) -> str:
    parts = [f"{context['organization']}\n{context['kind']} · {context['date']}", context["title"]]
    if context.get("lead"):
        parts.append(context["lead"])
    parts += [context["url"], _("Send /unsubscribe to stop these messages.")]
    return "\n\n".join(parts)


def digest_email(context) -> str:
    return "\n\n".join(
        [
            _("New since the last digest: %(what)s.") % context,
            context["items"],
            "--",
            _footer(context),
        ]
    )


def digest_chat(context) -> str:
    return "\n\n".join(
        [
            _("New since the last digest: %(what)s.") % context,
            context["items"],
            _("Send /unsubscribe to stop these messages."),
        ]
    )


register_template(
    "subscription_confirm",
    gettext_lazy("Confirm your subscription to %(what)s"),
    gettext_lazy(
        "You, or someone who typed your address, asked to receive %(what)s by e-mail: %(kinds)s, %(frequency)s."
        "\n\nTo confirm, open this link within %(days)s days:\n%(confirm_url)s"
        "\n\nIf you did not ask for it, ignore this letter: nothing will be sent and the address will be deleted."
    ),
    secret=("confirm_url",),
)
register_template(
    "publication_email",
    gettext_lazy("%(organization)s: %(title)s"),
    publication_email,
    secret=("unsubscribe_url",),
    headers=unsubscribe_headers,
)
register_template("publication_chat", "", publication_chat)
register_template(
    "publication_digest_email",
    gettext_lazy("New publications, %(date)s"),
    digest_email,
    secret=("unsubscribe_url",),
    headers=unsubscribe_headers,
)
register_template("publication_digest_chat", "", digest_chat)
