"""Answering an appeal: the executor drafts, the head (Role.HOKIM) approves or sends it back, the approved
letter closes the appeal and goes to the author; a correction within 10 days replaces it.

Outcomes of a draft: satisfied, explained, refused (the text gives the reason) — drafted by the main
executor; not considered (anonymous, false data, unsigned, a representative without authority) and
terminated (repeated without new arguments, the author's death) — drafted by the officer or the executor,
with their ground. Every one is a document the head approves: an appeal is never discarded silently.
(Withdrawal is the author's own act: `author.appeal_withdraw`.)

The letter (letters.py) is sent by the author's channel: a message with the verification link by SMS or
e-mail (notify sends text only, so the PDF itself is downloaded with the number and access code); an
author who gave neither gets it by post (`sent_at` stays empty until the officer posts it). The approval
gives the letter its verification code and queues its rendering (a background task after the commit):
the PDF is stored moments later, or when first downloaded or verified, whichever comes first.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import actor_user, audit_record
from darcha.core.choices import Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.links import absolute_url

from .. import terms
from ..choices import (
    ANSWER_OUTCOMES,
    AppealRefusal,
    AppealStatus,
    EventKind,
    NotConsideredGround,
    Outcome,
    TerminationGround,
)
from ..letters import answer_letter_issue, verify_path
from ..models import Answer, Appeal, Assignment
from ._common import calendar, record_event
from ._work import (
    clean_text,
    is_main_executor,
    locked,
    notice_to_author,
    notify_staff,
    require_head,
    require_open,
    staff,
)

# Outcomes that close an appeal without an answer on its merits, and the grounds each takes.
GROUNDS = {Outcome.NOT_CONSIDERED: NotConsideredGround, Outcome.TERMINATED: TerminationGround}
DRAFT_OUTCOMES = (*ANSWER_OUTCOMES, Outcome.NOT_CONSIDERED, Outcome.TERMINATED)
# The event that records an approval, by outcome.
APPROVAL_EVENTS = {Outcome.NOT_CONSIDERED: EventKind.NOT_CONSIDERED, Outcome.TERMINATED: EventKind.TERMINATED}


def _send_letter(appeal: Appeal, answer: Answer, now: dt.datetime) -> None:
    """The author told the letter is ready, with its verification link, by their channel; `sent_at` then."""
    message = notice_to_author(
        appeal,
        "appeal_answered",
        {"outcome": Outcome(answer.outcome).label, "link": absolute_url(verify_path(answer))},
    )
    if message is not None:
        answer.sent_at = now
        answer.save(update_fields=["sent_at"])


def _close(appeal: Appeal, outcome: str, now: dt.datetime) -> None:
    appeal.status = AppealStatus.CLOSED
    appeal.outcome = outcome
    appeal.closed_at = now
    appeal.save(update_fields=["status", "outcome", "closed_at"])
    Assignment.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)


def issue_letter(appeal: Appeal, outcome: str, text: str, *, actor, now: dt.datetime, ground: str = "") -> Answer:
    """A letter the officer signs at once (a forward's or a return's notice), inside the caller's
    transaction: given its code (its PDF rendered after the commit) and sent by the author's channel by
    the caller's notice."""
    user = actor_user(actor)
    answer = Answer.objects.create(
        appeal=appeal,
        outcome=outcome,
        ground=ground,
        text=text,
        language=appeal.language,
        drafted_by=user,
        drafted_at=now,
        approved_by=user,
        approved_at=now,
        sent_at=now if (appeal.author_phone or appeal.author_email) else None,
    )
    return answer_letter_issue(answer, now=now)


def _clean_ground(outcome: str, ground: str) -> str:
    enum = GROUNDS.get(outcome)
    ground = str(ground or "").strip()
    if enum is None:
        return ""
    if ground not in enum.values:
        raise ValidationError({"ground": _("Choose the ground.")})
    return ground


def answer_draft(
    *, actor, appeal: Appeal, outcome: str, text: str, ground: str = "", now: dt.datetime | None = None
) -> Answer:
    """The executor's draft answer (or the officer's draft conclusion: not considered, terminated), for
    the head to approve. The appeal waits on approval meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        if outcome not in DRAFT_OUTCOMES:
            raise ValidationError({"outcome": _("Choose the outcome of the answer.")})
        on_merits = outcome in ANSWER_OUTCOMES
        if on_merits:
            if not is_main_executor(actor, appeal):
                raise Forbidden(_("Only the main executor drafts the answer."), AppealRefusal.NOT_EXECUTOR)
            require_open(appeal, (AppealStatus.IN_WORK,))
        else:
            officer = access.has_role(actor, Role.APPEALS_OFFICER, appeal.organization)
            if not officer and not is_main_executor(actor, appeal):
                raise Forbidden(
                    _("Only the appeals officer or the main executor drafts a conclusion."),
                    AppealRefusal.NOT_EXECUTOR,
                )
            require_open(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_WORK))
        ground = _clean_ground(outcome, ground)
        if outcome == Outcome.REFUSED:
            text = clean_text(text, "text", _("Give the reason for the refusal."))
        else:
            text = clean_text(text, "text", _("Write the text of the answer."))
        answer = Answer.objects.create(
            appeal=appeal,
            outcome=outcome,
            ground=ground,
            text=text,
            language=appeal.language,
            drafted_by=actor_user(actor),
            drafted_at=now,
        )
        appeal.status = AppealStatus.ON_APPROVAL
        appeal.save(update_fields=["status"])
        data = {"answer": answer.pk, "outcome": outcome, "ground": ground}
        record_event(appeal, EventKind.DRAFTED, actor=actor, now=now, public=False, data=data)
        audit_record(actor=actor, action="answer_draft", obj=appeal, data=data)
        notify_staff(
            staff(appeal.organization_id, Role.HOKIM), "appeal_answer_to_approve", {"number": appeal.number}, appeal
        )
    return answer


def _locked_pending(answer: Answer) -> tuple[Appeal, Answer]:
    appeal = locked(answer.appeal)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    answer.appeal = appeal
    if answer.approved_at is not None or answer.sent_back_at is not None or appeal.status != AppealStatus.ON_APPROVAL:
        raise Refused(_("This draft is no longer awaiting approval."), AppealRefusal.STATE)
    return appeal, answer


def answer_send_back(*, actor, answer: Answer, comment: str, now: dt.datetime | None = None) -> Answer:
    """The head returns the draft to its executor with what to change; the appeal is back in work."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal, answer = _locked_pending(answer)
        require_head(actor, appeal)
        comment = clean_text(comment, "comment", _("Say what to change in the draft."))
        answer.sent_back_at = now
        answer.sent_back_comment = comment
        answer.save(update_fields=["sent_back_at", "sent_back_comment"])
        appeal.status = AppealStatus.IN_WORK if appeal.executor_id else AppealStatus.REGISTERED
        appeal.save(update_fields=["status"])
        data = {"answer": answer.pk}
        record_event(appeal, EventKind.SENT_BACK, actor=actor, now=now, comment=comment, public=False, data=data)
        audit_record(actor=actor, action="answer_send_back", obj=appeal, data=data)
        if answer.drafted_by_id:
            notify_staff([answer.drafted_by], "appeal_answer_sent_back", {"number": appeal.number}, appeal)
    return answer


def answer_approve(*, actor, answer: Answer, now: dt.datetime | None = None) -> Answer:
    """The head approves the draft: the appeal closes with its outcome, the letter gets its verification
    code (its PDF rendered after the commit) and the author is told by their channel."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal, answer = _locked_pending(answer)
        require_head(actor, appeal)
        answer.approved_by = actor_user(actor)
        answer.approved_at = now
        answer.save(update_fields=["approved_by", "approved_at"])
        _close(appeal, answer.outcome, now)
        answer_letter_issue(answer, now=now)
        _send_letter(appeal, answer, now)
        data = {"answer": answer.pk, "outcome": answer.outcome, "ground": answer.ground, "code": answer.code}
        kind = APPROVAL_EVENTS.get(answer.outcome, EventKind.APPROVED)
        record_event(appeal, kind, actor=actor, now=now, data=data)
        audit_record(actor=actor, action="answer_approve", obj=appeal, data=data)  # the digest: at rendering
    return answer


def current_answer(appeal: Appeal) -> Answer | None:
    """The appeal's approved answer in force: the last approved one that no correction replaced."""
    return (
        Answer.objects.filter(appeal=appeal, approved_at__isnull=False, corrected_by__isnull=True)
        .order_by("-approved_at", "-id")
        .first()
    )


def answer_correct(
    *, actor, appeal: Appeal, text: str, outcome: str | None = None, now: dt.datetime | None = None
) -> Answer:
    """The head corrects (or clarifies) the approved answer within 10 days of it: a new letter replacing
    the old (`Answer.replaces`), approved at once and sent again. The old code still verifies, as replaced."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_head(actor, appeal)
        previous = current_answer(appeal)
        if appeal.is_open or previous is None or previous.outcome not in DRAFT_OUTCOMES:
            raise Refused(_("Only an approved answer may be corrected."), AppealRefusal.STATE)
        answered = terms.local_day(previous.sent_at or previous.approved_at)
        until = terms.correction_until(answered, calendar())
        if terms.local_day(now) > until:
            raise Refused(
                _("An answer may be corrected within 10 days of it; this one could be until %(day)s.")
                % {"day": formats.date_format(until, "DATE_FORMAT")},
                AppealRefusal.CORRECTION_LATE,
            )
        outcome = outcome or previous.outcome
        if outcome not in DRAFT_OUTCOMES:
            raise ValidationError({"outcome": _("Choose the outcome of the answer.")})
        text = clean_text(text, "text", _("Write the text of the answer."))
        user = actor_user(actor)
        answer = Answer.objects.create(
            appeal=appeal,
            outcome=outcome,
            ground=previous.ground if outcome == previous.outcome else "",
            text=text,
            language=appeal.language,
            drafted_by=user,
            drafted_at=now,
            approved_by=user,
            approved_at=now,
            replaces=previous,
        )
        if appeal.outcome != outcome:
            appeal.outcome = outcome
            appeal.save(update_fields=["outcome"])
        answer_letter_issue(answer, now=now)
        _send_letter(appeal, answer, now)
        data = {"answer": answer.pk, "replaces": previous.pk, "outcome": outcome, "code": answer.code}
        record_event(appeal, EventKind.CORRECTED, actor=actor, now=now, data=data)
        audit_record(actor=actor, action="answer_correct", obj=appeal, data=data)  # the digest: at rendering
    return answer
