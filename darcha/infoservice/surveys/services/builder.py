"""The press secretary's survey builder: a survey, its questions (with options, matrix rows and a
condition), launching, closing early and publishing results question by question.

Only the hokimiyat's press secretary (or a superuser) may; anyone else is refused (403). The questions are
frozen once the first response is in (409): answers always mean what was asked.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core import access
from darcha.core.audit import audit_record
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, Refused
from darcha.core.i18n import CONTENT_LANGUAGES
from darcha.core.pagecache import content_changed

from ..choices import CHOICE_KINDS, OPTION_KINDS, Identity, QuestionKind, SurveyRefusal, SurveyState
from ..models import MatrixRow, Option, Question, Survey

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
RESERVED_CODES = frozenset({"desk", "manage", "api"})  # the staff pages' addresses under /surveys/
SURVEY_TEXTS = ("title", "description")
QUESTION_TEXTS = ("text", "help", "low_label", "high_label")
MAX_OPTIONS = 30
MAX_ROWS = 30


def _may(actor, organization) -> None:
    if not access.has_role(actor, Role.PRESS_SECRETARY, organization):
        raise Forbidden(_("Only the hokimiyat's press secretary may build its surveys."), SurveyRefusal.FORBIDDEN)


def _changed() -> None:
    content_changed(kind="surveys")


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update(of=("self",)).select_related("organization").get(pk=survey.pk)


def _unlocked(survey: Survey) -> None:
    if survey.responses.exists():
        raise Refused(_("The survey already has answers: its questions can no longer change."), SurveyRefusal.LOCKED)


def _texts(data: dict, bases: tuple[str, ...]) -> dict[str, str]:
    return {
        f"{base}_{suffix}": str(data.get(f"{base}_{suffix}", "") or "").strip()
        for base in bases
        for suffix in CONTENT_LANGUAGES
    }


def _survey_fields(data: dict, *, creating: bool) -> dict:
    errors: dict[str, list[str]] = {}
    fields = _texts(data, SURVEY_TEXTS)
    if not fields["title_uz"]:
        errors["title_uz"] = [_("The title in Uzbek (Latin) is required.")]
    for name, value in fields.items():
        if name.startswith("title_") and len(value) > 255:
            errors[name] = [_("At most 255 characters.")]
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens_at, dt.datetime):
        errors["opens_at"] = [_("Enter when the survey opens.")]
    if not isinstance(closes_at, dt.datetime):
        errors["closes_at"] = [_("Enter when the survey closes.")]
    elif isinstance(opens_at, dt.datetime) and closes_at <= opens_at:
        errors["closes_at"] = [_("The survey must close after it opens.")]
    identity = data.get("identity", Identity.PHONE)
    if identity not in Identity.values:
        errors["identity"] = [_("Choose how a respondent is counted once.")]
    fields.update(opens_at=opens_at, closes_at=closes_at, identity=identity)
    if creating:
        code = str(data.get("code", "") or "").strip().lower()
        if not CODE.match(code) or code in RESERVED_CODES:
            errors["code"] = [_("Use 3–64 small Latin letters, digits and hyphens.")]
        elif Survey.objects.filter(code=code).exists():
            errors["code"] = [_("Another survey has this address.")]
        fields["code"] = code
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def survey_create(*, actor, organization, data: dict) -> Survey:
    _may(actor, organization)
    if organization.kind != OrganizationKind.HOKIMIYAT:
        raise Refused(_("Surveys are run by a hokimiyat."), SurveyRefusal.FORBIDDEN)
    fields = _survey_fields(data, creating=True)
    survey = Survey.objects.create(
        organization=organization, created_by=actor if getattr(actor, "pk", None) else None, **fields
    )
    audit_record(actor=actor, action="survey_create", obj=survey, organization=organization, data={"code": survey.code})
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, data: dict) -> Survey:
    _may(actor, survey.organization)
    survey = _lock(survey)
    fields = _survey_fields(data, creating=False)
    if fields["identity"] != survey.identity:
        _unlocked(survey)
    if fields["closes_at"] != survey.closes_at:
        survey.closed_notice_at = None  # a new closing time gets its own notice
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save()
    audit_record(actor=actor, action="survey_update", obj=survey, organization=survey.organization_id)
    _changed()
    return survey


def _lines(data: dict, base: str, limit: int) -> list[dict[str, str]]:
    """Options (or rows) typed one per line in each language: line i is the same option everywhere."""
    per_language = {
        suffix: [line.strip() for line in str(data.get(f"{base}_{suffix}", "") or "").splitlines() if line.strip()]
        for suffix in CONTENT_LANGUAGES
    }
    latin = per_language["uz"]
    errors = []
    if len(latin) > limit:
        errors.append(_("At most %(limit)d lines.") % {"limit": limit})
    for lines in per_language.values():
        if lines and len(lines) != len(latin):
            errors.append(_("Each language needs as many lines as Uzbek (Latin), in the same order."))
            break
    if any(len(line) > 255 for lines in per_language.values() for line in lines):
        errors.append(_("At most 255 characters a line."))
    if errors:
        raise ValidationError({f"{base}_uz": errors})
    return [
        {f"text_{suffix}": (lines[i] if lines else "") for suffix, lines in per_language.items()}
        for i in range(len(latin))
    ]


def _replace(model, question: Question, items: list[dict[str, str]]) -> None:
    """Keep the existing options (rows) by position — a condition pointing at one stays — update their
    texts, add the new ones, delete what is left over."""
    existing = list(model.objects.filter(question=question).order_by("order", "id"))
    for index, texts in enumerate(items):
        if index < len(existing):
            item = existing[index]
            for name, value in texts.items():
                setattr(item, name, value)
            item.order = index
            item.save()
        else:
            model.objects.create(question=question, order=index, **texts)
    for item in existing[len(items) :]:
        item.delete()


@transaction.atomic
def question_save(*, actor, survey: Survey, data: dict, question: Question | None = None) -> Question:
    """Add a question (question=None) or change one; `data` holds the texts per language (text_uz, …),
    kind, required, options_<lang> and rows_<lang> (one per line) and show_if_option (an Option or None)."""
    _may(actor, survey.organization)
    survey = _lock(survey)
    _unlocked(survey)
    if question is not None and question.survey_id != survey.pk:
        raise Refused(_("This question is not in this survey."), SurveyRefusal.FORBIDDEN)
    errors: dict[str, list[str]] = {}
    kind = data.get("kind", "")
    if kind not in QuestionKind.values:
        errors["kind"] = [_("Choose the kind of question.")]
    texts = _texts(data, QUESTION_TEXTS)
    if not texts["text_uz"]:
        errors["text_uz"] = [_("The question in Uzbek (Latin) is required.")]
    options: list[dict] = []
    rows: list[dict] = []
    try:
        if kind in OPTION_KINDS:
            options = _lines(data, "options", MAX_OPTIONS)
            if len(options) < 2:
                errors.setdefault("options_uz", []).append(_("Give at least two answers, one per line."))
        if kind == QuestionKind.MATRIX:
            rows = _lines(data, "rows", MAX_ROWS)
            if not rows:
                errors.setdefault("rows_uz", []).append(_("Give the matrix's rows, one per line."))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    condition = data.get("show_if_option")
    if condition is not None:
        parent = condition.question
        position = question.order if question is not None else None
        if (
            parent.survey_id != survey.pk
            or parent.kind not in CHOICE_KINDS
            or (question is not None and parent.pk == question.pk)
            or (position is not None and (parent.order, parent.pk) >= (position, question.pk))
        ):
            errors["show_if_option"] = [_("A question can depend only on an answer to an earlier choice question.")]
    if errors:
        raise ValidationError(errors)
    creating = question is None
    if creating:
        last = survey.questions.aggregate(last=Max("order"))["last"]
        question = Question(survey=survey, order=0 if last is None else last + 1)
    question.kind = kind
    question.required = bool(data.get("required"))
    question.show_if_option = condition
    for name, value in texts.items():
        setattr(question, name, value)
    question.save()
    _replace(Option, question, options)
    _replace(MatrixRow, question, rows)
    if not creating:
        # A question that no longer offers choices cannot be the condition of another one.
        if kind not in CHOICE_KINDS:
            Question.objects.filter(show_if_option__question=question).update(show_if_option=None)
    audit_record(
        actor=actor,
        action="survey_question_add" if creating else "survey_question_change",
        obj=question,
        organization=survey.organization_id,
        data={"survey": survey.code, "kind": kind},
    )
    _changed()
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    survey = question.survey
    _may(actor, survey.organization)
    survey = _lock(survey)
    _unlocked(survey)
    Question.objects.filter(show_if_option__question=question).update(show_if_option=None)
    audit_record(
        actor=actor,
        action="survey_question_delete",
        obj=question,
        organization=survey.organization_id,
        data={"survey": survey.code, "text": question.text_uz},
    )
    question.delete()
    _changed()


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> None:
    """Swap the question with the one before (up) or after it. A question never moves above the one its
    condition depends on (nor that one below it)."""
    survey = question.survey
    _may(actor, survey.organization)
    survey = _lock(survey)
    _unlocked(survey)
    ordered = list(survey.questions.order_by("order", "id").select_related("show_if_option"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    first, second = sorted((ordered[index], ordered[other]), key=lambda q: (q.order, q.pk))
    if second.show_if_option_id and second.show_if_option.question_id == first.pk:
        raise Refused(
            _("A question shown for an answer must stay after the question it depends on."), SurveyRefusal.LOCKED
        )
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        if item.order != position:
            Question.objects.filter(pk=item.pk).update(order=position)
    audit_record(
        actor=actor,
        action="survey_question_move",
        obj=question,
        organization=survey.organization_id,
        data={"survey": survey.code, "up": up},
    )


@transaction.atomic
def survey_launch(*, actor, survey: Survey, now: dt.datetime | None = None) -> Survey:
    """Draft → launched: open from `opens_at` (at once if that has passed) until `closes_at`."""
    _may(actor, survey.organization)
    now = now or timezone.now()
    survey = _lock(survey)
    if survey.launched_at is not None:
        raise Refused(_("The survey has already been launched."), SurveyRefusal.NOT_DRAFT)
    if not survey.questions.exists():
        raise Refused(_("Add at least one question before launching the survey."), SurveyRefusal.NO_QUESTIONS)
    if survey.closes_at <= now:
        raise Refused(_("The closing time has passed: set a later one first."), SurveyRefusal.CLOSED)
    survey.launched_at = now
    survey.save(update_fields=["launched_at", "updated_at"])
    audit_record(actor=actor, action="survey_launch", obj=survey, organization=survey.organization_id)
    _changed()
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey, now: dt.datetime | None = None) -> Survey:
    """Close an open survey now (before its closing time)."""
    _may(actor, survey.organization)
    now = now or timezone.now()
    survey = _lock(survey)
    if survey.state(now) != SurveyState.OPEN:
        raise Refused(_("Only an open survey can be closed."), SurveyRefusal.NOT_CLOSABLE)
    survey.closes_at = max(now, survey.opens_at + dt.timedelta(seconds=1))
    survey.closed_notice_at = now  # the press secretary closed it: no notice needed
    survey.save(update_fields=["closes_at", "closed_notice_at", "updated_at"])
    audit_record(actor=actor, action="survey_close", obj=survey, organization=survey.organization_id)
    _changed()
    return survey


@transaction.atomic
def question_results_publish(*, actor, question: Question, published: bool, now: dt.datetime | None = None) -> Question:
    """Publish one question's results to the public (or take them back)."""
    survey = question.survey
    _may(actor, survey.organization)
    survey = _lock(survey)
    if survey.launched_at is None:
        raise Refused(_("A draft survey has no results to publish."), SurveyRefusal.NOT_OPEN)
    stamp = (now or timezone.now()) if published else None
    Question.objects.filter(pk=question.pk).update(results_published_at=stamp)
    question.results_published_at = stamp
    audit_record(
        actor=actor,
        action="survey_results_publish" if published else "survey_results_withdraw",
        obj=question,
        organization=survey.organization_id,
        data={"survey": survey.code},
    )
    _changed()
    return question


@transaction.atomic
def survey_results_publish(*, actor, survey: Survey, published: bool, now: dt.datetime | None = None) -> int:
    """Publish (or take back) every question's results at once; how many changed."""
    _may(actor, survey.organization)
    survey = _lock(survey)
    if survey.launched_at is None:
        raise Refused(_("A draft survey has no results to publish."), SurveyRefusal.NOT_OPEN)
    if published:
        changed = survey.questions.filter(results_published_at__isnull=True).update(
            results_published_at=now or timezone.now()
        )
    else:
        changed = survey.questions.filter(results_published_at__isnull=False).update(results_published_at=None)
    audit_record(
        actor=actor,
        action="survey_results_publish" if published else "survey_results_withdraw",
        obj=survey,
        organization=survey.organization_id,
        data={"questions": changed},
    )
    _changed()
    return changed


@transaction.atomic
def survey_delete(*, actor, survey: Survey) -> None:
    """Delete a draft (never launched, so never answered)."""
    _may(actor, survey.organization)
    survey = _lock(survey)
    if survey.launched_at is not None:
        raise Refused(_("Only a draft survey can be deleted; close a launched one."), SurveyRefusal.NOT_DRAFT)
    audit_record(
        actor=actor,
        action="survey_delete",
        obj=survey,
        organization=survey.organization_id,
        data={"code": survey.code, "title": survey.title_uz},
    )
    survey.delete()
    _changed()
