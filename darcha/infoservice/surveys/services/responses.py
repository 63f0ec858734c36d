"""A respondent's answers: checked against the questions (required ones, conditions, options of the
question), accepted only while the survey is open and only once per respondent.

The respondent is the confirmed phone (an SMS code checked by the page through notify's PhoneCode) or
the signed-in account, as the survey asks. It is counted by a keyed hash (`logic.voter_key`), unique per
survey in the database, so a second response is refused even when two are sent at the same moment; in the
anonymous mode only that hash is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core.audit import SystemActor, audit_record
from darcha.core.errors import Refused
from darcha.core.i18n import language_or_default
from darcha.core.pagecache import content_changed

from .. import selectors
from ..choices import Identity, SurveyRefusal, SurveyState
from ..models import Answer, Response, Survey

RESPONDENT = SystemActor("survey-respondent")


@dataclass(frozen=True)
class Respondent:
    phone: str = ""  # confirmed by an SMS code
    user: object | None = None  # a signed-in account


def already_answered_message() -> str:
    return _("You have already answered this survey. Each person answers once — thank you for taking part.")


def refuse_unless_open(survey: Survey, now: dt.datetime) -> None:
    state = survey.state(now)
    if state == SurveyState.CLOSED:
        raise Refused(
            _("This survey closed on %(date)s; answers are no longer accepted.")
            % {"date": formats.date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")},
            SurveyRefusal.CLOSED,
        )
    if state == SurveyState.SCHEDULED:
        raise Refused(
            _("This survey opens on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(survey.opens_at), "DATETIME_FORMAT")},
            SurveyRefusal.NOT_STARTED,
        )
    if state != SurveyState.OPEN:
        raise Refused(_("This survey is not open."), SurveyRefusal.NOT_OPEN)


def respondent_key(survey: Survey, respondent: Respondent) -> str:
    """The respondent's hash in this survey; refused when not identified as the survey asks."""
    if survey.identity == Identity.ACCOUNT:
        user = respondent.user
        if user is None or not getattr(user, "is_authenticated", False):
            raise Refused(_("Sign in to answer this survey."), SurveyRefusal.IDENTITY)
        return selectors.respondent_key(survey, user=user)
    if not respondent.phone:
        raise Refused(_("Confirm your phone number with the SMS code first."), SurveyRefusal.IDENTITY)
    return selectors.respondent_key(survey, phone=respondent.phone)


def response_submit(
    *,
    actor,
    survey: Survey,
    respondent: Respondent,
    data: Mapping[str, Sequence[str]],
    language: str = "uz",
    now: dt.datetime | None = None,
) -> Response:
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
        refuse_unless_open(survey, now)
        key = respondent_key(survey, respondent)
        if Response.objects.filter(survey=survey, voter_key=key).exists():
            raise Refused(already_answered_message(), SurveyRefusal.ALREADY_ANSWERED)
        items = selectors.questions(survey)
        checked = selectors.check(items, data)
        if not checked.ok:
            raise ValidationError(checked.errors)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    voter_key=key,
                    phone=respondent.phone if survey.identity == Identity.PHONE else "",
                    user=respondent.user if survey.identity == Identity.ACCOUNT else None,
                    language=language_or_default(language),
                    submitted_at=now,
                )
        except IntegrityError:
            raise Refused(already_answered_message(), SurveyRefusal.ALREADY_ANSWERED) from None
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question_id=value.question,
                option_id=value.option,
                row_id=value.row,
                value=value.value,
                text=value.text,
            )
            for value in checked.values
        )
        Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
        # The published figures (pages and API, held by the page cache) count this answer too.
        content_changed(kind="surveys")
        # The entry names the response, never the phone or the account.
        audit_record(
            actor=actor,
            action="survey_response",
            obj=response,
            organization=survey.organization_id,
            data={"survey": survey.code, "answers": len(checked.values)},
        )
    return response
