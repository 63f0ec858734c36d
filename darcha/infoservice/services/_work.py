"""What the work on an appeal shares (routing, terms, answers, the author's side): locking the appeal,
the state guards, who counts as the author, the staff told of a step, and a notice to the author that
an extension or a letter records.

Private to the package.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import SYSTEM, SystemActor
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.models import User
from darcha.notify import services as notify
from darcha.notify.models import Message
from darcha.notify.staff import staff_notify

from ..choices import AppealRefusal
from ..models import Appeal
from ._common import AUTHOR

log = logging.getLogger("darcha.infoservice")


def locked(appeal: Appeal) -> Appeal:
    """The appeal's row, locked until the transaction ends (two officers never act on it at once)."""
    return Appeal.objects.select_for_update(of=("self",)).select_related("organization").get(pk=appeal.pk)


def require_open(appeal: Appeal, statuses: Iterable[str] | None = None) -> None:
    if not appeal.is_open:
        raise Refused(_("The appeal is closed."), AppealRefusal.STATE)
    if statuses is not None and appeal.status not in set(statuses):
        raise Refused(
            _("Not possible while the appeal is “%(status)s”.") % {"status": appeal.get_status_display()},
            AppealRefusal.STATE,
        )


def require_officer(actor, appeal: Appeal) -> None:
    access.require_role(
        actor, Role.APPEALS_OFFICER, appeal.organization, _("Only the hokimiyat's appeals officer may do this.")
    )


def require_head(actor, appeal: Appeal) -> None:
    access.require_role(actor, Role.HOKIM, appeal.organization, _("Only the hokim or a deputy may do this."))


def is_main_executor(actor, appeal: Appeal) -> bool:
    return appeal.executor_id is not None and access.has_role(actor, Role.APPEALS_EXECUTOR, appeal.executor)


def require_author(actor, appeal: Appeal) -> None:
    """The author acting for themselves (a page that checked the number and the access code), or the
    hokimiyat's appeals officer recording what the author said or wrote."""
    if isinstance(actor, SystemActor) and actor.label == AUTHOR.label:
        return
    if access.has_role(actor, Role.APPEALS_OFFICER, appeal.organization):
        return
    raise Forbidden(_("Only the author of the appeal may do this."))


def clean_text(value, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def staff(organization_id: int, role: str) -> list[User]:
    """Active users holding `role` at the organization itself."""
    return list(
        User.objects.filter(is_active=True, memberships__organization_id=organization_id, memberships__role=role)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def notify_staff(users: Iterable[User], template: str, context: dict, related) -> list[str]:
    """Staff told after the commit (darcha.notify.staff). Returns the usernames told."""
    return staff_notify(users, template, context, related)


def notice_to_author(appeal: Appeal, template: str, context: dict) -> Message | None:
    """A written notice to the author, queued in the caller's transaction so the change can keep it (an
    extension's `notice`): delivered only once the change commits, gone with it if it rolls back. None when
    the appeal gave no phone or e-mail, or the address is unusable: the notice then goes by post. The
    Telegram chats following the appeal get a copy after the commit."""
    from .subscriptions import chats_notify

    chats_notify(appeal, template, {"number": appeal.number, **context})
    if not appeal.author_phone and not appeal.author_email:
        return None
    try:
        with transaction.atomic():
            return notify.message_send_preferred(
                actor=SYSTEM,
                phone=appeal.author_phone,
                email=appeal.author_email,
                template=template,
                context={"number": appeal.number, **context},
                language=appeal.language,
                related=appeal,
            )
    except ValidationError:
        log.warning("appeal %s: notice %s not queued", appeal.number, template, exc_info=True)
        return None


# A notice's value written when the message is: notify renders each message's context in its language.
_in_message_language = lazy(lambda make: make(), str)


def day_text(moment: dt.datetime | dt.date):
    """A due day as its reader's language writes it ("15 dekabr 2026", "15 декабря 2026")."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return _in_message_language(lambda: formats.date_format(day, "DATE_FORMAT"))


def name_text(obj):
    """An organization's (or a topic's) name in the reader's language."""
    return _in_message_language(lambda: str(obj))


def register_following(
    appeal: Appeal,
    *,
    actor,
    organization,
    text: str,
    type: str,  # noqa: A002 (appeal_register's name)
    complained_body=None,
    signatories=(),
    now: dt.datetime,
) -> Appeal:
    """A new appeal by the same author following this one (a clarification, a complaint to the higher
    body, the appeal as the competent body receives it), registered as every appeal is: its own number,
    access code, term and acknowledgement."""
    from .intake import appeal_register

    return appeal_register(
        actor=actor,
        organization=organization,
        text=text,
        channel=appeal.channel,
        type=type,
        kind=appeal.kind,
        author_name=appeal.author_name,
        author_address=appeal.author_address,
        author_phone=appeal.author_phone,
        phone_confirmed=appeal.phone_confirmed,
        author_email=appeal.author_email,
        person=appeal.person,
        language=appeal.language,
        topic=appeal.topic,
        signatories=signatories,
        is_collective=appeal.is_collective,
        complained_body=complained_body,
        consent_publish=appeal.consent_publish,
        media_outlet=appeal.media_outlet,
        follows=appeal,
        received_at=now,
        now=now,
    )
