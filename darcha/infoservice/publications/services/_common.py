"""What the publications' services share: who may write and who edits, locking, the organization's press
secretaries, notices after the commit, the page cache and the publication_published signal."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from darcha.core import access, pagecache
from darcha.core.audit import SystemActor
from darcha.core.choices import Role
from darcha.core.errors import Forbidden
from darcha.core.models import User
from darcha.notify.staff import staff_notify

from .. import signals
from ..choices import PublicationRefusal
from ..models import Publication

log = logging.getLogger("darcha.publications")

# The scheduler publishing what is due (publish_due) and telling of what was missed.
SCHEDULER = SystemActor("scheduler")

# Editors review, schedule, publish and withdraw: the hokimiyat's press secretary, a center's manager.
EDITOR_ROLES = frozenset({Role.PRESS_SECRETARY, Role.CENTER_MANAGER})
# Writers draft and send drafts for review: the editors and the hokimiyat's staff who prepare texts.
WRITER_ROLES = EDITOR_ROLES | {Role.HOKIM, Role.APPEALS_OFFICER}


def is_editor(actor, organization) -> bool:
    return isinstance(actor, SystemActor) or access.has_role(actor, EDITOR_ROLES, organization)


def is_writer(actor, organization) -> bool:
    return access.has_role(actor, WRITER_ROLES, organization)


def require_writer(actor, organization) -> None:
    if not is_writer(actor, organization):
        raise Forbidden(
            _("Only the organization's press secretary and staff write its publications."), PublicationRefusal.FORBIDDEN
        )


def require_editor(actor, organization) -> None:
    if not is_editor(actor, organization):
        raise Forbidden(
            _("Only the organization's press secretary reviews, schedules, publishes and withdraws its publications."),
            PublicationRefusal.FORBIDDEN,
        )


def locked(publication: Publication) -> Publication:
    return Publication.objects.select_for_update(of=("self",)).select_related("organization").get(pk=publication.pk)


def editors(organization_id: int) -> list[User]:
    """Active users holding an editor's role at the organization itself."""
    return list(
        User.objects.filter(
            is_active=True, memberships__organization_id=organization_id, memberships__role__in=EDITOR_ROLES
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def notify_users(users, template: str, context: dict, related) -> list[str]:
    """Users told after the commit (darcha.notify.staff); a notice must never undo the change it tells of,
    whatever goes wrong in it. Returns the usernames told."""
    return staff_notify(users, template, context, related, tolerate=(Exception,))


def changed() -> None:
    """The public pages and feeds of publications show something else now."""
    pagecache.content_changed(kind="publications")


def announce_published(publication: Publication) -> None:
    """After the commit: the subscriptions and the press releases' embargo hear of it."""
    pk = publication.pk

    def send():
        fresh = Publication.objects.select_related("organization").get(pk=pk)
        signals.publication_published.send(sender=Publication, publication=fresh)

    transaction.on_commit(send)
