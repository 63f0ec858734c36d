"""The author's side of an answered appeal: rating it (not satisfied flags it to the head), asking for a
clarification within 10 days (a new appeal following it), complaining to the higher body within a year (a
new appeal at the region's hokimiyat, prepared from the case), withdrawing an appeal; and publishing an
answered appeal in the public archive (the officer, only with the author's consent, with the text redacted).

The actor is `AUTHOR` (a page that checked the number and the access code) or the hokimiyat's appeals
officer recording what the author said or wrote.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from darcha.core.audit import audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Refused
from darcha.core.links import absolute_url
from darcha.core.models import Organization
from darcha.core.pagecache import content_changed

from .. import terms
from ..choices import ANSWER_OUTCOMES, AppealRefusal, AppealStatus, AppealType, EventKind, Outcome, Satisfaction
from ..letters import answer_number, letter_ensure, verify_path
from ..models import Appeal, Assignment, Attachment
from ._common import AUTHOR, calendar, notify_author, record_event
from ._work import (
    clean_text,
    locked,
    notify_staff,
    register_following,
    require_author,
    require_officer,
    require_open,
    staff,
)
from .answers import current_answer

OPEN = (AppealStatus.REGISTERED, AppealStatus.IN_WORK, AppealStatus.ON_APPROVAL)


def _answered(appeal: Appeal):
    """The answer on the merits in force (satisfied, explained, refused), or a refusal: the appeal has none."""
    answer = current_answer(appeal)
    if appeal.is_open or answer is None or answer.outcome not in ANSWER_OUTCOMES:
        raise Refused(_("The appeal has not been answered."), AppealRefusal.STATE)
    return answer


def appeal_rate(*, actor, appeal: Appeal, satisfaction: str, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """The author says whether the answer satisfies them, once; "not satisfied" flags the appeal to the head."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_author(actor, appeal)
        if satisfaction not in Satisfaction.values:
            raise ValidationError({"satisfaction": _("Say whether the answer satisfies you.")})
        _answered(appeal)
        if appeal.satisfaction:
            raise Refused(_("The answer has already been rated."), AppealRefusal.ALREADY_RATED)
        note = str(note or "").strip()
        appeal.satisfaction = satisfaction
        appeal.satisfaction_note = note
        flagged = satisfaction == Satisfaction.NOT_SATISFIED
        appeal.flagged_to_head = appeal.flagged_to_head or flagged
        appeal.save(update_fields=["satisfaction", "satisfaction_note", "flagged_to_head"])
        data = {"satisfaction": satisfaction, "flagged": flagged}
        record_event(appeal, EventKind.RATED, actor=actor, now=now, comment=note, data=data)
        audit_record(actor=actor, action="appeal_rate", obj=appeal, data=data)
        if flagged:
            notify_staff(
                staff(appeal.organization_id, Role.HOKIM), "appeal_not_satisfied", {"number": appeal.number}, appeal
            )
    return appeal


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def appeal_clarification(*, actor, appeal: Appeal, text: str, now: dt.datetime | None = None) -> Appeal:
    """The author asks the hokimiyat to clarify its answer, within 10 days of it: a new appeal following
    this one, at the same hokimiyat, with its own number and term."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_author(actor, appeal)
        answer = _answered(appeal)
        text = clean_text(text, "text", _("Say what in the answer needs clarifying."))
        until = terms.correction_until(terms.local_day(answer.sent_at or answer.approved_at), calendar())
        if terms.local_day(now) > until:
            raise Refused(
                _("A clarification is asked for within 10 days of the answer, by %(day)s.") % {"day": _date(until)},
                AppealRefusal.CLARIFICATION_LATE,
            )
        follow = register_following(
            appeal, actor=actor, organization=appeal.organization, text=text, type=appeal.type, now=now
        )
        data = {"appeal": follow.pk, "number": follow.number}
        record_event(appeal, EventKind.CLARIFICATION, actor=actor, now=now, comment=text, data=data)
        audit_record(actor=actor, action="appeal_clarification", obj=appeal, data=data)
    return follow


def higher_body_of(appeal: Appeal) -> Organization | None:
    """The body above the hokimiyat an appeal was answered by: the region's hokimiyat (a city's or
    district's hokimiyat sits under its city or district, that under the region)."""
    district = appeal.organization.parent
    region = district.parent if district is not None else None
    if region is None or region.kind != OrganizationKind.REGION:
        return None
    return (
        Organization.objects.filter(parent=region, kind=OrganizationKind.HOKIMIYAT, is_active=True)
        .order_by("pk")
        .first()
    )


def complaint_text(appeal: Appeal, answer, text: str) -> str:
    """The complaint as the higher body reads it: the author's words, then the case it is about."""
    with_answer = _(
        "Complaint about the answer of %(organization)s to appeal %(number)s of %(received)s: answer %(answer)s "
        "of %(answered)s (%(outcome)s), the letter: %(link)s"
    ) % {
        "organization": appeal.organization.name,
        "number": appeal.number,
        "received": _date(terms.local_day(appeal.received_at)),
        "answer": answer_number(answer),
        "answered": _date(terms.local_day(answer.approved_at)),
        "outcome": Outcome(answer.outcome).label,
        "link": absolute_url(verify_path(answer)),
    }
    return f"{text}\n\n{with_answer}\n\n{_('The appeal:')}\n{appeal.text}"


def appeal_complaint(
    *, actor, appeal: Appeal, text: str, higher_body: Organization | None = None, now: dt.datetime | None = None
) -> Appeal:
    """The author complains about the answer to the higher body, within a year of it: a new complaint at
    the region's hokimiyat (or `higher_body`), about this hokimiyat (never forwarded back to it), with the
    answer's letter attached and the case quoted."""
    now = now or timezone.now()
    body = higher_body
    with transaction.atomic():
        appeal = locked(appeal)
        require_author(actor, appeal)
        answer = _answered(appeal)
        text = clean_text(text, "text", _("Say why the answer does not settle the matter."))
        until = terms.complaint_until(terms.local_day(answer.sent_at or answer.approved_at), calendar())
        if terms.local_day(now) > until:
            raise Refused(
                _("A complaint goes to the higher body within a year of the answer, by %(day)s.")
                % {"day": _date(until)},
                AppealRefusal.COMPLAINT_LATE,
            )
        body = body or higher_body_of(appeal)
        if body is None or body.kind != OrganizationKind.HOKIMIYAT or body.pk == appeal.organization_id:
            raise ValidationError({"higher_body": _("Choose the higher body to complain to.")})
        complaint = register_following(
            appeal,
            actor=AUTHOR,  # the author's own appeal to the higher body, whoever typed it in
            organization=body,
            text=complaint_text(appeal, answer, text),
            type=AppealType.COMPLAINT,
            complained_body=appeal.organization,
            now=now,
        )
        if letter_ensure(answer).file:
            Attachment.objects.create(
                appeal=complaint,
                file=answer.file.name,  # the same stored letter: a copy would be a second, unverifiable file
                name=f"{answer_number(answer)}.pdf",
                content_type="application/pdf",
                size=answer.file.size,
                created_at=now,
            )
        data = {"appeal": complaint.pk, "number": complaint.number, "to": body.pk}
        record_event(appeal, EventKind.COMPLAINT, actor=actor, now=now, comment=text, data=data)
        audit_record(actor=actor, action="appeal_complaint", obj=appeal, data=data)
    return complaint


def appeal_withdraw(*, actor, appeal: Appeal, now: dt.datetime | None = None) -> Appeal:
    """The author withdraws the appeal before it is answered: its consideration is terminated (ground:
    withdrawn), a draft awaiting approval falls away."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_author(actor, appeal)
        require_open(appeal, OPEN)
        pending = appeal.answers.filter(approved_at__isnull=True, sent_back_at__isnull=True)
        pending.update(sent_back_at=now, sent_back_comment=str(_("Withdrawn by the author")))
        appeal.status = AppealStatus.CLOSED
        appeal.outcome = Outcome.TERMINATED
        appeal.closed_at = now
        appeal.save(update_fields=["status", "outcome", "closed_at"])
        Assignment.objects.filter(appeal=appeal, done_at__isnull=True).update(done_at=now)
        data = {"ground": "withdrawn"}
        record_event(appeal, EventKind.TERMINATED, actor=actor, now=now, data=data)
        audit_record(actor=actor, action="appeal_withdraw", obj=appeal, data=data)
        notify_author(appeal, "appeal_withdrawn", {})
        if appeal.executor_id:
            notify_staff(
                staff(appeal.executor_id, Role.APPEALS_EXECUTOR),
                "appeal_withdrawn_staff",
                {"number": appeal.number},
                appeal,
            )
    return appeal


def appeal_publish(*, actor, appeal: Appeal, published_text: str, now: dt.datetime | None = None) -> Appeal:
    """The officer publishes an answered appeal in the public archive, with the text redacted (no personal
    data), only if the author agreed."""
    now = now or timezone.now()
    with transaction.atomic():
        appeal = locked(appeal)
        require_officer(actor, appeal)
        _answered(appeal)
        if not appeal.consent_publish:
            raise Refused(_("The author did not agree to publish the appeal."), AppealRefusal.NO_CONSENT)
        published_text = clean_text(
            published_text, "published_text", _("Write the text to publish, with the personal data removed.")
        )
        first = appeal.published_at is None
        appeal.published_text = published_text
        appeal.published_at = appeal.published_at or now
        appeal.save(update_fields=["published_text", "published_at"])
        content_changed(kind="appeals")  # the public archive shows the published text
        data = {"republished": not first}
        record_event(appeal, EventKind.PUBLISHED, actor=actor, now=now, data=data)
        audit_record(actor=actor, action="appeal_publish", obj=appeal, data=data)
    return appeal
