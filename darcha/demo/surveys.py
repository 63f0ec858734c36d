"""The surveys stage of the Namangan demo loader (surveys.toml): the city hokimiyat's press secretary
builds two surveys through the builder's services — the 2010 survey on how citizens get information about
the hokimiyat (closed, every question's results published) and this year's on the information service
(open now, three questions' results published) — and their answers are generated fast: a seeded random
draws each respondent's answers from the weights in the data, following the questions' conditions, and
the rows go in with bulk_create (a few thousand responses in about a second).

Each generated respondent is counted by the same keyed hash a real one would be (of a made-up phone in
the +998 77 0xx xx xx range), so a citizen trying the demo with a real number answers like anyone else.
Loaded with the demo users only, and only for a survey whose address is not taken yet.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from darcha.core.audit import SYSTEM, audit_record
from darcha.core.models import Organization, User
from darcha.infoservice.surveys import logic, services
from darcha.infoservice.surveys.choices import Identity, QuestionKind
from darcha.infoservice.surveys.models import Answer, Question, Response, Survey

LANGUAGES = ("uz", "ru", "en")
RESPONSE_LANGUAGES = (("uz", 62), ("ru", 30), ("uz-cyrl", 8))
BATCH = 2000


@dataclass
class SurveysResult:
    surveys: int = 0
    responses: int = 0
    seconds: float = 0.0


def _texts(base: str, values) -> dict[str, str]:
    return {f"{base}_{lang}": text for lang, text in zip(LANGUAGES, values or ("", "", ""), strict=True)}


def _lines(base: str, items: list[dict]) -> dict[str, str]:
    return {f"{base}_{lang}": "\n".join(item["text"][i] for item in items) for i, lang in enumerate(LANGUAGES)}


def _dates(spec: dict, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if "opens" in spec:
        return spec["opens"], spec["closes"]
    now = timezone.localtime(now)
    start = (now - dt.timedelta(days=spec["opens_days_ago"])).replace(hour=9, minute=0, second=0, microsecond=0)
    return start, (now + dt.timedelta(days=spec["closes_in_days"])).replace(hour=18, minute=0, second=0, microsecond=0)


def _build(spec: dict, press: User, organization: Organization, now: dt.datetime) -> Survey:
    opens, closes = _dates(spec, now)
    survey = services.survey_create(
        actor=press,
        organization=organization,
        data={
            "code": spec["code"],
            "identity": spec["identity"],
            "opens_at": opens,
            "closes_at": closes,
            **_texts("title", spec["title"]),
            **_texts("description", spec.get("description")),
        },
    )
    made: list[Question] = []
    for question in spec["questions"]:
        data = {
            "kind": question["kind"],
            "required": question.get("required", False),
            **_texts("text", question["text"]),
            **_texts("low_label", question.get("low")),
            **_texts("high_label", question.get("high")),
        }
        if question.get("options"):
            data.update(_lines("options", question["options"]))
        if question.get("rows"):
            data.update(_lines("rows", question["rows"]))
        if question.get("show_if"):
            number, option = question["show_if"]
            data["show_if_option"] = made[number - 1].options.order_by("order", "id")[option - 1]
        made.append(services.question_save(actor=press, survey=survey, data=data))
    # Launched the day before it opened (a closed survey was launched in its own time).
    services.survey_launch(actor=press, survey=survey, now=min(now, opens - dt.timedelta(days=1)))
    return survey


def _pick(rng: random.Random, weights: list[int]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def _answers(rng, spec: dict, questions: list[Question]) -> list[tuple]:
    """One respondent's answers: (question, option, row, value, text) drawn from the data's weights."""
    chosen: dict[int, set[int]] = {}
    shown: set[int] = set()
    out = []
    for index, (qspec, question) in enumerate(zip(spec["questions"], questions, strict=True)):
        if qspec.get("show_if"):
            number, option = qspec["show_if"]
            if number - 1 not in shown or option - 1 not in chosen.get(number - 1, set()):
                continue
        shown.add(index)
        options = list(question.options.all())
        kind = question.kind
        if kind == QuestionKind.SINGLE:
            picked = _pick(rng, [o["weight"] for o in qspec["options"]])
            chosen[index] = {picked}
            out.append((question.pk, options[picked].pk, None, None, ""))
        elif kind == QuestionKind.MULTIPLE:
            ticked = {i for i, o in enumerate(qspec["options"]) if rng.random() * 100 < o["weight"]}
            if not ticked:
                ticked = {_pick(rng, [o["weight"] for o in qspec["options"]])}
            chosen[index] = ticked
            out += [(question.pk, options[i].pk, None, None, "") for i in sorted(ticked)]
        elif kind == QuestionKind.SCALE:
            out.append((question.pk, None, None, _pick(rng, qspec["weights"]) + 1, ""))
        elif kind == QuestionKind.MATRIX:
            rows = list(question.rows.all())
            for row, rspec in zip(rows, qspec["rows"], strict=True):
                out.append((question.pk, options[_pick(rng, rspec["weights"])].pk, row.pk, None, ""))
        elif kind == QuestionKind.TEXT and rng.random() < qspec.get("share", 0):
            out.append((question.pk, None, None, None, rng.choice(qspec["answers"])))
    return out


def _moments(rng, count: int, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Submission times over the open period, in the day's waking hours (Tashkent), in order."""
    span = max((end - start).total_seconds(), 3600.0)
    out = []
    for _ in range(count):
        moment = timezone.localtime(start + dt.timedelta(seconds=rng.random() * span))
        if moment.hour < 7 or moment.hour >= 23:
            moment = moment.replace(hour=rng.randint(8, 21))
        out.append(min(max(moment, start), end))
    return sorted(out)


def _generate(rng, spec: dict, survey: Survey, now: dt.datetime) -> int:
    questions = list(survey.questions.order_by("order", "id").prefetch_related("options", "rows"))
    end = min(survey.closes_at, now)
    count = spec["responses"]
    languages, weights = zip(*RESPONSE_LANGUAGES, strict=True)
    phones = rng.sample(range(10_000_000), count)
    responses = []
    drawn = []
    for moment, number in zip(_moments(rng, count, survey.opens_at, end), phones, strict=True):
        phone = f"+99877{number:07d}"
        responses.append(
            Response(
                survey=survey,
                voter_key=logic.voter_key(settings.SECRET_KEY, survey.pk, phone=phone),
                phone=phone if survey.identity == Identity.PHONE else "",
                language=rng.choices(languages, weights=weights)[0],
                submitted_at=moment,
            )
        )
        drawn.append(_answers(rng, spec, questions))
    Response.objects.bulk_create(responses, batch_size=BATCH)
    if any(r.pk is None for r in responses):  # a backend that returns no ids: read them back in order
        ids = list(Response.objects.filter(survey=survey).order_by("submitted_at", "id").values_list("pk", flat=True))
        for response, pk in zip(responses, ids, strict=True):
            response.pk = pk
    rows = [
        Answer(response_id=response.pk, question_id=q, option_id=o, row_id=r, value=v, text=t)
        for response, values in zip(responses, drawn, strict=True)
        for q, o, r, v, t in values
    ]
    Answer.objects.bulk_create(rows, batch_size=BATCH)
    Survey.objects.filter(pk=survey.pk).update(response_count=count)
    audit_record(
        actor=SYSTEM,
        action="survey_demo_responses",
        obj=survey,
        organization=survey.organization_id,
        data={"responses": count, "answers": len(rows)},
    )
    return count


def _publish(spec: dict, survey: Survey, press: User, now: dt.datetime) -> None:
    choice = spec.get("publish")
    if choice == "all":
        services.survey_results_publish(actor=press, survey=survey, published=True, now=min(now, survey.closes_at))
        return
    questions = list(survey.questions.order_by("order", "id"))
    for number in choice or ():
        services.question_results_publish(actor=press, question=questions[number - 1], published=True, now=now)


def load(loader, *, now: dt.datetime) -> SurveysResult | None:
    data = loader.data.get("surveys")
    if not data:
        return None
    started = time.perf_counter()
    result = SurveysResult()
    present = set(Survey.objects.filter(code__in=[s["code"] for s in data["list"]]).values_list("code", flat=True))
    for index, spec in enumerate(data["list"]):
        if spec["code"] in present:
            continue
        press = User.objects.get(username=spec["press"])
        organization = Organization.objects.get(code=spec["organization"])
        rng = random.Random(f"{data['seed']}/{index}/{spec['code']}")  # noqa: S311 — made-up data
        survey = _build(spec, press, organization, now)
        result.responses += _generate(rng, spec, survey, now)
        _publish(spec, survey, press, now)
        # A survey that closed long ago was looked at then: no closing notice at the load.
        Survey.objects.filter(pk=survey.pk, closes_at__lte=now).update(closed_notice_at=survey.closes_at)
        result.surveys += 1
        loader.result.created["surveys"] += 1
        loader.result.created["survey responses"] += spec["responses"]
    result.seconds = time.perf_counter() - started
    return result
