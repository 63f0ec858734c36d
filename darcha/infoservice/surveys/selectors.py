"""Reads of surveys: the hokimiyat's list, the public ones, a survey's questions with their options, rows
and conditions (a fixed number of queries), whether a respondent has answered, and the results tallied
from two grouped queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from darcha.core.models import Organization

from . import charts, logic
from .choices import SCALE_MAX, SCALE_MIN, QuestionKind, SurveyState
from .models import Answer, MatrixRow, Option, Question, Response, Survey


def organization_surveys(organization: Organization) -> list[Survey]:
    return list(
        Survey.objects.filter(organization=organization)
        .annotate(
            question_count=Count("questions", distinct=True),
            published_count=Count("questions", filter=Q(questions__results_published_at__isnull=False), distinct=True),
        )
        .order_by("-opens_at", "-id")
    )


def state_counts(organization: Organization, now=None) -> dict[str, int]:
    """How many of the hokimiyat's surveys are in each state, and the responses of the open ones (1 query)."""
    now = now or timezone.now()
    counts = dict.fromkeys(SurveyState.values, 0)
    counts["responses_open"] = 0
    for survey in Survey.objects.filter(organization=organization).only(
        "launched_at", "opens_at", "closes_at", "response_count"
    ):
        state = survey.state(now)
        counts[state] += 1
        if state == SurveyState.OPEN:
            counts["responses_open"] += survey.response_count
    return counts


def _published_questions():
    return Question.objects.filter(survey=OuterRef("pk"), results_published_at__isnull=False)


def public_surveys(now=None) -> dict[str, list[Survey]]:
    """Launched surveys: those open now, and those with results published (newest first)."""
    now = now or timezone.now()
    surveys = list(
        Survey.objects.filter(launched_at__isnull=False, organization__is_active=True)
        .annotate(has_results=Exists(_published_questions()))
        .select_related("organization")
        .order_by("-opens_at", "-id")
    )
    return {
        "open": [s for s in surveys if s.state(now) == SurveyState.OPEN],
        "results": [s for s in surveys if s.has_results],
        "coming": [s for s in surveys if s.state(now) == SurveyState.SCHEDULED],
    }


def public_survey(code: str) -> Survey | None:
    return (
        Survey.objects.filter(code=code, launched_at__isnull=False, organization__is_active=True)
        .select_related("organization")
        .first()
    )


def staff_survey(code: str) -> Survey | None:
    return Survey.objects.filter(code=code).select_related("organization").first()


def questions(survey: Survey) -> list[Question]:
    """The survey's questions in order with their options, rows and condition (3 queries)."""
    return list(
        survey.questions.order_by("order", "id")
        .select_related("show_if_option")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "id")),
            Prefetch("rows", queryset=MatrixRow.objects.order_by("order", "id")),
        )
    )


def specs(items: list[Question]) -> list[logic.QuestionSpec]:
    return [
        logic.QuestionSpec(
            id=q.pk,
            kind=q.kind,
            required=q.required,
            options=tuple(o.pk for o in q.options.all()),
            rows=tuple(r.pk for r in q.rows.all()),
            show_if=(q.show_if_option.question_id, q.show_if_option_id) if q.show_if_option_id else None,
        )
        for q in items
    ]


def respondent_key(survey: Survey, *, phone: str = "", user=None) -> str:
    return logic.voter_key(
        settings.SECRET_KEY, survey.pk, phone=phone, user_id=user.pk if user is not None and not phone else None
    )


def has_answered(survey: Survey, key: str) -> bool:
    return Response.objects.filter(survey=survey, voter_key=key).exists()


# --- results -------------------------------------------------------------------------------------------
@dataclass
class QuestionResult:
    question: Question
    number: int
    respondents: int = 0
    bars: list[charts.Bar] = field(default_factory=list)
    matrix: list[tuple[str, list[charts.Bar]]] = field(default_factory=list)
    texts: int = 0
    mean: float | None = None
    chart: str = ""
    samples: list[str] = field(default_factory=list)  # the latest written answers (staff only)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def columns(self) -> list[str]:
        return [str(o.text) for o in self.question.options.all()]


def results(survey: Survey, items: list[Question], *, published_only: bool) -> list[QuestionResult]:
    """Each question's figures (published ones only, for the public): counts and shares of options (of
    those who answered the question: a multiple choice adds up to more than 100 %), the scale's spread
    and mean, each matrix row's spread, the number of texts. Two grouped queries, with the SVG charts."""
    numbered = [(index, q) for index, q in enumerate(items, start=1) if q.published or not published_only]
    ids = [q.pk for _, q in numbered]
    counts: dict[tuple, int] = {}
    respondents: dict[int, int] = {}
    if ids:
        for row in (
            Answer.objects.filter(question_id__in=ids)
            .values("question_id", "option_id", "row_id", "value")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[(row["question_id"], row["option_id"], row["row_id"], row["value"])] = row["n"]
        for row in (
            Answer.objects.filter(question_id__in=ids)
            .values("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        ):
            respondents[row["question_id"]] = row["n"]
    out = []
    for number, question in numbered:
        total = respondents.get(question.pk, 0)
        result = QuestionResult(question=question, number=number, respondents=total)
        chart_id = f"chart-q{question.pk}"
        title = f"{number}. {question.text}"
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for option in question.options.all():
                n = counts.get((question.pk, option.pk, None, None), 0)
                result.bars.append(charts.Bar(str(option.text), n, logic.share(n, total)))
        elif question.kind == QuestionKind.SCALE:
            weighted = 0
            for value in range(SCALE_MIN, SCALE_MAX + 1):
                n = counts.get((question.pk, None, None, value), 0)
                weighted += n * value
                label = str(value)
                if value == SCALE_MIN and question.low_label:
                    label = f"{value} — {question.low_label}"
                elif value == SCALE_MAX and question.high_label:
                    label = f"{value} — {question.high_label}"
                result.bars.append(charts.Bar(label, n, logic.share(n, total)))
            result.mean = round(weighted / total, 2) if total else None
        elif question.kind == QuestionKind.MATRIX:
            options = list(question.options.all())
            for row in question.rows.all():
                row_counts = [counts.get((question.pk, o.pk, row.pk, None), 0) for o in options]
                row_total = sum(row_counts)
                bars = [
                    charts.Bar(str(o.text), n, logic.share(n, row_total))
                    for o, n in zip(options, row_counts, strict=True)
                ]
                result.matrix.append((str(row.text), bars))
        elif question.kind == QuestionKind.TEXT:
            result.texts = counts.get((question.pk, None, None, None), 0)
        if result.bars:
            result.chart = charts.bar_chart(chart_id=chart_id, title=title, bars=result.bars)
        elif result.matrix:
            result.chart = charts.stacked_chart(
                chart_id=chart_id, title=title, columns=result.columns, rows=result.matrix
            )
        out.append(result)
    return out


def text_answers(question: Question, limit: int = 200) -> list[str]:
    return list(
        Answer.objects.filter(question=question)
        .exclude(text="")
        .order_by("-response__submitted_at", "-id")
        .values_list("text", flat=True)[:limit]
    )


def export_rows(survey: Survey, items: list[Question]):
    """Every response with its answers, in submission order (one query for responses and their answers,
    streamed in chunks): yields (response, {question id or (question id, row id): [values]})."""
    responses = (
        Response.objects.filter(survey=survey)
        .order_by("submitted_at", "id")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("id")))
    )
    for response in responses.iterator(chunk_size=500):
        values: dict = {}
        for answer in response.answers.all():
            key = (answer.question_id, answer.row_id) if answer.row_id else answer.question_id
            values.setdefault(key, []).append(answer)
        yield response, values


def check(items: list[Question], data) -> logic.Checked:
    """The posted form checked against the survey's questions (logic.check over their specs)."""
    return logic.check(
        specs(items), {name: data.getlist(name) if hasattr(data, "getlist") else _listed(data[name]) for name in data}
    )


def _listed(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
