"""Message templates of publications (registered from PublicationsConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

register_template(
    "publication_to_review",
    _("A publication to review"),
    _("“%(title)s” is sent to you for review. Open your desk to publish or schedule it, or send it back."),
)
register_template(
    "publication_sent_back",
    _("Your draft was sent back"),
    _("The press secretary sent back “%(title)s” with what to change. Open your desk to see the comment."),
)
register_template(
    "publication_missed",
    _("A scheduled publication did not go out"),
    _(
        "“%(title)s” was to be published at %(at)s but is still not out. %(reason)s "
        "Open your desk to publish it now or to schedule it again."
    ),
    defaults={"reason": ""},
)
