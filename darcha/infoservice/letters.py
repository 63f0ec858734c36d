"""The answer letter: the PDF the head approves (an answer, the conclusion of an appeal not considered, the
notice of a termination or a return), in the author's language, with a QR code to its verification page.

    answer_letter_issue(answer, now=…)   gives the answer its verification code, renders and stores the letter
    answer_for_code(code)                the approved answer a code names (the verification page's read)
    verify_path(answer)                  the verification page's address, in the author's language

The verification page (`infoservice:verify`, views/verify.py) names the hokimiyat, the appeal's number,
the answer's number and date, its outcome and who approved it, and the letter's SHA-256 digest — never
the author, whose name is on the letter only. A corrected answer's old code still verifies, and says it
was replaced.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from darcha.core import pdf
from darcha.core.links import absolute_url

from .choices import NotConsideredGround, Outcome, TerminationGround
from .models import Answer

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper without doubt
CODE_LENGTH = 12  # about 60 bits: not found by scanning the verification page


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


def answer_letter_issue(answer: Answer, *, now: dt.datetime) -> Answer:
    """Inside the approving transaction, after its guards: the answer's code, its letter rendered and
    stored, its digest."""
    if not answer.code:
        answer.code = new_code()
    content = render_letter(answer)
    answer.sha256 = pdf.sha256(content)
    answer.file.save(f"{answer.appeal.number}-{answer.code}.pdf", ContentFile(content), save=False)
    answer.save(update_fields=["code", "sha256", "file"])
    return answer


def letter_bytes(answer: Answer) -> bytes:
    """The stored letter (for the author's download and the e-mail)."""
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
