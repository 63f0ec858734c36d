"""The answer letter: the PDF the head approves (an answer, the conclusion of an appeal not considered, the
notice of a termination or a return), in the author's language, with a QR code to its verification page.

    answer_letter_issue(answer, now=…)   gives the approved answer its verification code; its letter is
                                         rendered after the commit (the `render_letter_task` background task)
    letter_ensure(answer)                the answer with its letter stored: rendered and stored now if it is
                                         not yet (the first download, verification or complaint), once
    letter_bytes(answer)                 the stored letter (rendered first if need be)
    answer_for_code(code)                the approved answer a code names (the verification page's read)
    verify_path(answer)                  the verification page's address, in the author's language

Rendering a letter (WeasyPrint) takes 0.1–0.5 s of CPU, so the head's approval does not wait for it: the
approval gives the answer its code (printed in the QR code, texted to the author) and queues the rendering
on its commit; the worker renders and stores the PDF and its SHA-256 digest moments later. When nobody has
rendered it yet (the worker stopped, the queue away, or an appeal loaded by the demo, which queues nothing:
`letters_on_demand`), whoever needs it first renders it — the author's or the staff's download, the
verification page, a complaint to the higher body — under a lock on the answer, so it is rendered and
stored once and the digest never changes after. Every rendering is audited with its digest. The letter is
made of what the approval fixed (the text, the outcome, the dates, the numbers, the approver).

The verification page (`infoservice:verify`, views/verify.py) names the hokimiyat, the appeal's number,
the answer's number and date, its outcome and who approved it, and the letter's SHA-256 digest — never
the author, whose name is on the letter only. A corrected answer's old code still verifies, and says it
was replaced.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from darcha.core import pdf
from darcha.core.audit import SYSTEM, audit_record
from darcha.core.links import absolute_url

from .choices import NotConsideredGround, Outcome, TerminationGround
from .models import Answer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without doubt
CODE_LENGTH = 12  # about 60 bits: not found by scanning the verification page

log = logging.getLogger(__name__)
# Inside `letters_on_demand()`, approvals queue no rendering: each letter is rendered when first needed.
_ON_DEMAND = contextvars.ContextVar("letters_on_demand", default=False)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verify_path(answer: Answer) -> str:
    """The verification page of the answer, under the author's language prefix (printed and texted to them)."""
    with translation.override(answer.appeal.language):
        return reverse("infoservice:verify", args=[answer.code])


def answer_number(answer: Answer) -> str:
    """The letter's number: the appeal's, and which of its approved letters this is ("…-000123/2" corrects /1)."""
    earlier = Answer.objects.filter(appeal_id=answer.appeal_id, approved_at__isnull=False)
    if answer.approved_at is not None:
        earlier = earlier.filter(approved_at__lte=answer.approved_at)
    position = earlier.exclude(pk=answer.pk).count() + 1
    return f"{answer.appeal.number}/{position}"


def ground_label(answer: Answer) -> str:
    """The ground of a conclusion or a termination, in the current language ("" for other outcomes)."""
    grounds = {Outcome.NOT_CONSIDERED: NotConsideredGround, Outcome.TERMINATED: TerminationGround}
    enum = grounds.get(answer.outcome)
    if enum is None or answer.ground not in enum.values:
        return ""
    return str(enum(answer.ground).label)


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def letter_context(answer: Answer) -> dict:
    appeal = answer.appeal
    return {
        "answer": answer,
        "appeal": appeal,
        "organization": appeal.organization,
        "number": answer_number(answer),
        "outcome": answer.outcome,
        "ground": ground_label(answer),
        "approved_by": person_name(answer.approved_by),
        "approved_at": answer.approved_at,
        "replaces": answer.replaces,
        "replaces_number": answer_number(answer.replaces) if answer.replaces_id else "",
        "forward": getattr(appeal, "forward", None) if answer.outcome == Outcome.FORWARDED else None,
        "code": answer.code,
        "qr": pdf.qr(verify_path(answer)),
        "verify_url": absolute_url(verify_path(answer)),
    }


def render_letter(answer: Answer) -> bytes:
    """The letter as PDF bytes, in the appeal's language (its names, the outcome, the dates)."""
    language = answer.appeal.language
    with translation.override(language):
        context = letter_context(answer)
    return pdf.render_pdf("infoservice/pdf/answer.html", context, language=language)


@contextlib.contextmanager
def letters_on_demand():
    """Approvals inside queue no rendering of their letters (the demo's year of appeals, thousands of
    letters nobody may open): each is rendered when first needed (`letter_ensure`)."""
    token = _ON_DEMAND.set(True)
    try:
        yield
    finally:
        _ON_DEMAND.reset(token)


def answer_letter_issue(answer: Answer, *, now: dt.datetime) -> Answer:
    """Inside the approving transaction, after its guards: the answer's verification code, and its letter's
    rendering queued for after the commit (a background task; `letter_ensure` renders it if none did)."""
    if not answer.code:
        answer.code = new_code()
        answer.save(update_fields=["code"])
    if not _ON_DEMAND.get():
        answer_id = answer.pk
        transaction.on_commit(lambda: render_letter_enqueue(answer_id))
    return answer


def render_letter_enqueue(answer_id: int) -> bool:
    """Queue the rendering of an approved answer's letter; False (logged) when the queue is away — the
    letter is then rendered when first needed."""
    from .tasks import render_answer_letter

    try:
        render_answer_letter.enqueue(answer_id)
    except Exception:
        log.exception("could not queue the rendering of the letter of answer #%s", answer_id)
        return False
    return True


def letter_ensure(answer: Answer) -> Answer:
    """The approved answer with its letter stored (`file`, `sha256`): rendered and stored now when it is not
    yet, under a lock on the answer so that two first requests render it once. The caller's instance is
    updated too. An answer not approved has no letter (returned as it is)."""
    if answer.file or answer.approved_at is None:
        return answer
    with transaction.atomic():
        stored = Answer.objects.select_for_update().get(pk=answer.pk)
        if not stored.file and stored.approved_at is not None:
            content = render_letter(stored)
            stored.sha256 = pdf.sha256(content)
            stored.file.save(f"{stored.appeal.number}-{stored.code}.pdf", ContentFile(content), save=False)
            stored.save(update_fields=["sha256", "file"])
            audit_record(
                actor=SYSTEM,
                action="answer_letter_render",
                obj=stored.appeal,
                data={"answer": stored.pk, "code": stored.code, "sha256": stored.sha256},
            )
    answer.file, answer.sha256 = stored.file.name, stored.sha256
    return answer


def letter_bytes(answer: Answer) -> bytes:
    """The stored letter (for the author's download and the e-mail), rendered first if it is not yet."""
    letter_ensure(answer)
    with answer.file.open("rb") as stored:
        return stored.read()


def answer_for_code(code: str) -> Answer | None:
    """The approved answer a verification code names; None for an unknown code or an unapproved draft."""
    code = str(code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    return (
        Answer.objects.select_related("appeal__organization", "approved_by", "corrected_by")
        .filter(code=code, approved_at__isnull=False)
        .first()
    )
