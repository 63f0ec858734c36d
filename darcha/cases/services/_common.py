"""What the cases services share: who the citizen is as an actor, the application's history (events),
stored documents, the stopped clock, and notices sent after the commit.

Private to the package: views and other apps call the services re-exported from `darcha.cases.services`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy

from darcha.catalog.models import RequiredDocument
from darcha.core.audit import SYSTEM, SystemActor, actor_user
from darcha.core.calendar import WorkingCalendar
from darcha.core.models import User
from darcha.core.uploads import CheckedFile, check_batch, check_upload
from darcha.notify import services as notify
from darcha.notify.choices import Channel as NotifyChannel
from darcha.notify.staff import staff_notify

from ..models import Application, Document, Event
from ..selectors import organization_staff

log = logging.getLogger("darcha.cases")
CITIZEN = SystemActor("citizen")
CENTER_STAFF_ONLY = _lazy("Only the center's operators and managers may do this.")


def new_verification_code() -> str:
    # 12 characters of an unambiguous alphabet: about 60 bits, not guessable by scanning.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def clock_pause(obj, now: dt.datetime) -> None:
    if obj.paused_at is None:
        obj.paused_at = now


def clock_resume(obj, now: dt.datetime, calendar: WorkingCalendar) -> int:
    """Restart a stopped clock: the deadline moves on by the working days the pause covered."""
    if obj.paused_at is None:
        return 0
    days = calendar.working_days_between(obj.paused_at, now)
    if days:
        obj.due_at = calendar.deadline(obj.due_at, days)
    obj.paused_days += days
    obj.paused_at = None
    return days


def record_event(application, kind, *, actor, now, task=None, action="", comment="", public=True, data=None) -> Event:
    user = actor_user(actor)
    return Event.objects.create(
        application=application,
        task=task,
        kind=kind,
        action=action,
        actor=user,
        actor_label=user.get_username() if user else getattr(actor, "label", "system"),
        comment=comment,
        public=public,
        data=data or {},
        created_at=now,
    )


def store_document(
    application, checked: CheckedFile, *, purpose, actor, now, required=None, task=None, title=""
) -> Document:
    document = Document(
        application=application,
        required=required,
        purpose=purpose,
        title=title or (required.name if required else checked.name),
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        task=task,
        added_by=actor_user(actor),
        added_at=now,
    )
    # From the upload's own file: a temporary file is moved into place, never read into memory.
    document.file.save("upload", checked.file, save=False)
    document.save()
    return document


def check_uploads(uploads) -> list[tuple[RequiredDocument | None, CheckedFile]]:
    """Every file of one request checked (how many and how large together first, before any is read);
    a ValidationError under "files" with every problem found."""
    uploads = list(uploads)
    try:
        check_batch(upload for _required, upload in uploads)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    checked, errors = [], []
    for required, upload in uploads:
        try:
            checked.append((required, check_upload(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def notify_applicant(application: Application, template: str, context: dict) -> None:
    """The applicant through their preferred channel, and every Telegram chat following the application.

    Names (the service, a center passed as the Organization itself) are written in each message's
    language: notify renders model instances and lazy texts in it, so a chat in Russian reads Russian
    names whatever language the staff member who acted works in."""
    values = {"number": application.number, "service": application.service, **context}
    language = application.language
    phone = application.phone
    chats = list(application.telegram_subscriptions.values_list("chat_id", "language"))

    def send():
        try:
            if phone:
                notify.message_send_preferred(
                    actor=SYSTEM, phone=phone, template=template, context=values, language=language, related=application
                )
            for chat_id, chat_language in chats:
                notify.message_send(
                    actor=SYSTEM,
                    channel=NotifyChannel.TELEGRAM,
                    address=chat_id,
                    template=template,
                    context=values,
                    language=chat_language,
                    related=application,
                )
        except ValidationError:
            log.warning("application %s: notice %s not sent", application.number, template, exc_info=True)

    transaction.on_commit(send)


def citizen_path(application: Application, name: str, *args) -> str:
    """A page address for the applicant (printed or texted): in their language, not the staff member's."""
    with translation.override(application.language):
        return reverse(name, args=args)


def notify_staff(users: Iterable[User], template: str, context: dict, related) -> list[str]:
    """Staff are told by SMS or e-mail when they have either, else the notice is only logged."""
    return staff_notify(users, template, context, related)


def staff_of(organization_id: int, role: str) -> list[User]:
    return list(organization_staff(organization_id, role))
