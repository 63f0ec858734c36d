"""Notices to staff members: by SMS or e-mail when they have either, else in the log (console channel), each
in their own language, sent after the caller's commit. One piece for every app that tells its staff."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from darcha.core.audit import SYSTEM

from . import services as notify
from .choices import Channel

log = logging.getLogger("darcha.notify")


def staff_notify(
    users: Iterable,
    template: str,
    context: dict,
    related,
    *,
    tolerate: tuple[type[Exception], ...] = (ValidationError,),
) -> list[str]:
    """Each user told after the commit; an error of the kinds in `tolerate` is logged, never raised (the change
    the notice tells of is already committed). Returns the usernames told."""
    told = []
    for user in users:
        username, phone, email, language = user.get_username(), user.phone, user.email, user.language
        told.append(username)

        def send(username=username, phone=phone, email=email, language=language):
            try:
                sent = notify.message_send_preferred(
                    actor=SYSTEM,
                    phone=phone,
                    email=email,
                    template=template,
                    context=context,
                    language=language,
                    related=related,
                )
                if sent is None:
                    notify.message_send(
                        actor=SYSTEM,
                        channel=Channel.CONSOLE,
                        address=username,
                        template=template,
                        context=context,
                        language=language,
                        related=related,
                    )
            except tolerate:
                log.warning("staff notice %s to %s not sent", template, username, exc_info=True)

        transaction.on_commit(send)
    return told
