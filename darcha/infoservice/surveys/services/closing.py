"""The press secretaries told when a survey closes at its time, once per survey, with its count of answers
and the link to its results (to look at them and publish them question by question)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from darcha.core.audit import SYSTEM, audit_record
from darcha.core.choices import Role
from darcha.core.links import absolute_url
from darcha.core.models import User
from darcha.notify import services as notify
from darcha.notify.choices import Channel as NotifyChannel

from ..models import Survey

log = logging.getLogger("darcha.surveys")


def _press_secretaries(organization_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__organization_id=organization_id, memberships__role=Role.PRESS_SECRETARY
        )
        .distinct()
        .order_by("username")
    )


def _tell(user: User, context: dict, survey: Survey) -> None:
    def send():
        try:
            sent = notify.message_send_preferred(
                actor=SYSTEM,
                phone=user.phone,
                email=user.email,
                template="survey_closed",
                context=context,
                language=user.language,
                related=survey,
            )
            if sent is None:
                notify.message_send(
                    actor=SYSTEM,
                    channel=NotifyChannel.CONSOLE,
                    address=user.get_username(),
                    template="survey_closed",
                    context=context,
                    language=user.language,
                    related=survey,
                )
        except ValidationError:
            log.warning("survey_closed notice to %s not sent", user.get_username(), exc_info=True)

    transaction.on_commit(send)


def surveys_notify_closed(*, now: dt.datetime | None = None) -> int:
    """Every launched survey whose closing time has passed and whose press secretaries were not told yet:
    told now (each survey in its own transaction). How many surveys."""
    now = now or timezone.now()
    due = list(
        Survey.objects.filter(launched_at__isnull=False, closes_at__lte=now, closed_notice_at__isnull=True)
        .order_by("closes_at")
        .values_list("pk", flat=True)
    )
    told = 0
    for pk in due:
        with transaction.atomic():
            survey = (
                Survey.objects.select_for_update(of=("self",))
                .filter(pk=pk, closed_notice_at__isnull=True)
                .select_related("organization")
                .first()
            )
            if survey is None or survey.closes_at > now:
                continue
            survey.closed_notice_at = now
            survey.save(update_fields=["closed_notice_at"])
            with translation.override(None):
                link = absolute_url(reverse("surveys:staff_results", args=[survey.code]))
            users = _press_secretaries(survey.organization_id)
            for user in users:
                title = Survey.title.value(survey, user.language)  # in the addressee's language
                _tell(user, {"title": title, "count": survey.response_count, "url": link}, survey)
            audit_record(
                actor=SYSTEM,
                action="survey_closed_notice",
                obj=survey,
                organization=survey.organization_id,
                data={"told": [u.get_username() for u in users], "responses": survey.response_count},
            )
            told += 1
    return told
