"""Message templates of press events and embargoed press releases (texts are gettext msgids, rendered in
the journalist's language). Registered on import, from the media app's ready()."""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

# --- press events -----------------------------------------------------------------------------------

register_template(
    "press_event_invitation",
    _("Invitation: %(kind)s “%(title)s”"),
    _(
        "%(organization)s invites you to a %(kind_lower)s: “%(title)s”.\n"
        "When: %(when)s\nWhere: %(place)s\n\n"
        "Register in your journalist's account: %(link)s\nBring your accreditation card."
    ),
)
register_template(
    "press_event_changed",
    _("Changed: %(kind)s “%(title)s”"),
    _(
        "The %(kind_lower)s of %(organization)s “%(title)s” has changed.\n"
        "When: %(when)s\nWhere: %(place)s\n\nDetails: %(link)s"
    ),
)
register_template(
    "press_event_cancelled",
    _("Cancelled: %(kind)s “%(title)s”"),
    _("The %(kind_lower)s of %(organization)s “%(title)s” on %(when)s is cancelled. Reason: %(reason)s\n%(link)s"),
)
register_template(
    "press_event_registered",
    _("You are registered: “%(title)s”"),
    _(
        "You are registered for the %(kind_lower)s of %(organization)s “%(title)s”.\n"
        "When: %(when)s\nWhere: %(place)s\n\nBring your accreditation card. %(link)s"
    ),
)
register_template(
    "press_event_materials",
    _("Materials: “%(title)s”"),
    _("The materials of the %(kind_lower)s of %(organization)s “%(title)s” are published: %(link)s"),
)

# --- embargoed press releases -----------------------------------------------------------------------

register_template(
    "press_release_embargoed",
    _("Embargoed until %(until)s: %(title)s"),
    _(
        "%(organization)s sends you a press release under embargo.\n"
        "NOT FOR PUBLICATION BEFORE %(until)s.\n\n%(title)s\n%(lead)s\n\n"
        "The full text and its files, in your journalist's account: %(link)s"
    ),
)
register_template(
    "press_release_embargo_moved",
    _("Embargo moved to %(until)s: %(title)s"),
    _(
        "The embargo on the press release of %(organization)s “%(title)s” is moved.\n"
        "NOT FOR PUBLICATION BEFORE %(until)s.\n%(link)s"
    ),
)
register_template(
    "press_release_embargo_withdrawn",
    _("Withdrawn, do not publish: %(title)s"),
    _(
        "The press release of %(organization)s “%(title)s”, sent to you under embargo until %(until)s, is "
        "withdrawn. Do not publish it."
    ),
)
