"""Routing suggested from the text: which topic an appeal is about and which executor usually answers it.

A model learns from past appeals that have a topic and a main executor (`Appeal.topic`, `Appeal.executor`,
set by `appeal_assign`; forwarded appeals are left out, their executor was not the competent one). The
officer always decides: the suggestion is shown on the appeal's page and an Assignment records whether it
was followed (`suggested`) and how sure the model was (`confidence`).

Text is folded to one script first (`fold`): `core.translit.search_key`, the folding search and the
repeated-appeal check use — lower case, Uzbek Cyrillic to Latin, apostrophes dropped (oʻ, o', ў → o) —
and runs of digits to one "0" (house numbers and phones say nothing of the topic). Russian goes through
the same table into Latin rather than staying Cyrillic: Russian and Uzbek Cyrillic share letters, so
keeping Russian apart would need a language guess per word, and a wrong guess would split one word into
two features; one deterministic table gives every word one form, and the loanwords both languages use
(kanalizatsiya / канализация, gaz, elektr, svetofor) meet on the same features.

Features: TF-IDF of words (1–2 grams) and of characters (2–5 grams within words, which catch Uzbek
suffixes: suv, suvni, suvning), then a multinomial logistic regression (probabilities without a separate
calibration). The executor model adds the hokimiyat as a one-hot feature, and its probabilities are
restricted to the executors that hokimiyat has given appeals to, renormalised: one model for every
hokimiyat, yet a suggestion never names another hokimiyat's department. A hokimiyat with no history gets
its topic's usual executor (`Topic.default_executor`) when it may give appeals to it.

`train()` measures accuracy on a held-out part (stratified by topic), then fits again on every appeal and
stores the pickled scikit-learn objects in a `RoutingModel` row, marked current. `suggest()` loads the
current row once per process and again only when another row becomes current.
"""

from __future__ import annotations

import logging
import pickle
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from darcha.core.audit import SYSTEM, audit_record
from darcha.core.errors import Refused
from darcha.core.translit import search_key

from .choices import AppealRefusal, Outcome

log = logging.getLogger(__name__)

# The layout of the pickled dictionary; a blob of another layout is not loaded (retrain instead).
FORMAT = 1
MAX_CHARS = 4000  # the start of a long appeal says what it is about; the rest only costs time
DEFAULT_SEED = 2026
WORDS = r"(?u)\b[^\W\d_]{2,}\b"  # letters only: numbers were folded to "0" and say nothing
EXPLAIN_WORDS = 5
HOKIMIYAT_HISTORY = 10  # appeals of a hokimiyat before its executors are suggested from them

DEFAULT_RETRAIN_HOURS = 24 * 7
DEFAULT_MIN_SAMPLES = 30
DEFAULT_MAX_SAMPLES = 20_000


def retrain_hours() -> int:
    return int(getattr(settings, "APPEALS_ROUTING_RETRAIN_HOURS", DEFAULT_RETRAIN_HOURS))


def min_samples() -> int:
    return int(getattr(settings, "APPEALS_ROUTING_MIN_SAMPLES", DEFAULT_MIN_SAMPLES))


def max_samples() -> int:
    return int(getattr(settings, "APPEALS_ROUTING_MAX_SAMPLES", DEFAULT_MAX_SAMPLES))


_DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """The text in one plain Latin form (see the module's docstring): what the features are made of."""
    return _DIGITS.sub("0", search_key(str(text or "")[:MAX_CHARS]))


# --- the model on plain values (no database) ----------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One past appeal as the model learns from it."""

    text: str
    organization_id: int  # the hokimiyat
    topic_id: int
    executor_id: int


@dataclass(frozen=True)
class Prediction:
    topic_id: int
    topic_confidence: float
    topic_words: tuple[str, ...]
    # The hokimiyat's executors, most likely first, with their probabilities (empty: no history there).
    executors: tuple[tuple[int, float], ...]
    executor_words: tuple[str, ...]


def _vectorizers(samples: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    # On a small history a word seen once is all there is; on a big one it is mostly a name or a typo.
    min_df = 2 if samples >= 200 else 1
    words = TfidfVectorizer(
        token_pattern=WORDS, ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, max_features=40_000
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=min_df, sublinear_tf=True, max_features=60_000
    )
    return words, chars


def _classifier():
    from sklearn.linear_model import LogisticRegression

    # C above 1: TF-IDF rows are unit vectors, and the default regularisation underfits them; 5 was as
    # accurate as 20 on the benchmark's appeals in a third of the time.
    return LogisticRegression(C=5.0, max_iter=200)


def _topic_pipeline(samples: int):
    from sklearn.pipeline import FeatureUnion, Pipeline

    words, chars = _vectorizers(samples)
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])), ("classifier", _classifier())])


def _executor_pipeline(samples: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    words, chars = _vectorizers(samples)
    features = ColumnTransformer(
        [("words", words, 0), ("chars", chars, 0), ("hokimiyat", OneHotEncoder(handle_unknown="ignore"), [1])],
        sparse_threshold=1.0,
    )
    return Pipeline([("features", features), ("classifier", _classifier())])


def _executor_rows(folded: Sequence[str], organizations: Sequence[int]):
    import numpy as np

    rows = np.empty((len(folded), 2), dtype=object)
    rows[:, 0] = list(folded)
    rows[:, 1] = [str(pk) for pk in organizations]
    return rows


@dataclass
class _Fitted:
    """A fitted pipeline, or the one class there was (a classifier needs two)."""

    pipeline: object | None
    classes: tuple[int, ...]
    _words: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def words(self):
        """The word vectorizer (its features come first) and its feature names, made once."""
        if self._words is None:
            features = self.pipeline.named_steps["features"]
            if hasattr(features, "transformer_list"):
                vectorizer = features.transformer_list[0][1]
            else:
                vectorizer = features.named_transformers_["words"]
            self._words = (vectorizer, vectorizer.get_feature_names_out())
        return self._words

    @classmethod
    def fit(cls, make, rows, labels: Sequence[int]) -> _Fitted:
        classes = tuple(sorted(set(labels)))
        if len(classes) < 2:
            return cls(None, classes)
        pipeline = make()
        pipeline.fit(rows, list(labels))
        classifier = pipeline.named_steps["classifier"]
        # Half the stored size (weights per class × feature: a region's hundred executors make it tens of
        # MB); single precision changes no probability that matters.
        classifier.coef_ = classifier.coef_.astype("float32")
        classifier.intercept_ = classifier.intercept_.astype("float32")
        return cls(pipeline, tuple(int(c) for c in classifier.classes_))

    def probabilities(self, rows):
        import numpy as np

        if self.pipeline is None:
            return np.ones((len(rows), 1))
        return self.pipeline.predict_proba(rows)


def _explain(fitted: _Fitted, rows, class_index: int, limit: int = EXPLAIN_WORDS) -> tuple[str, ...]:
    """The words (word features, not character n-grams: people read words) that pushed the row towards
    the class the most: feature value × the class's weight, the largest positive first."""
    if fitted.pipeline is None:
        return ()
    classifier = fitted.pipeline.named_steps["classifier"]
    words, names = fitted.words()
    column = rows[:, 0] if hasattr(rows, "ndim") and rows.ndim == 2 else rows
    vector = words.transform(column).tocsr()
    coef = classifier.coef_
    # Two classes: scikit-learn keeps one row of weights, for the second class.
    weights = coef[0] if coef.shape[0] == 1 else coef[class_index]
    if coef.shape[0] == 1 and class_index == 0:
        weights = -weights
    indices, values = vector.indices, vector.data
    scored = sorted(
        ((float(values[i] * weights[j]), names[j]) for i, j in enumerate(indices)), key=lambda item: -item[0]
    )
    return tuple(name for score, name in scored[:limit] if score > 0)


@dataclass
class Predictor:
    """The topic and executor models, and which executors each hokimiyat gives appeals to."""

    topic: _Fitted
    executor: _Fitted
    executors_of: dict[int, tuple[int, ...]]

    def _ranked(self, probabilities, organization_id: int | None) -> tuple[tuple[int, float], ...]:
        """The hokimiyat's executors by probability, renormalised over them (empty: no history there)."""
        known = self.executors_of.get(organization_id, ()) if organization_id is not None else ()
        position = {pk: i for i, pk in enumerate(self.executor.classes)}
        ranked = [(pk, float(probabilities[position[pk]])) for pk in known if pk in position]
        total = sum(p for _, p in ranked) or 1.0
        return tuple(sorted(((pk, p / total) for pk, p in ranked), key=lambda item: (-item[1], item[0])))

    def predict(self, text: str, organization_id: int | None) -> Prediction:
        folded = [fold(text)]
        topic_p = self.topic.probabilities(folded)[0]
        topic_index = int(topic_p.argmax())
        topic_id, topic_confidence = self.topic.classes[topic_index], float(topic_p[topic_index])
        topic_words = _explain(self.topic, folded, topic_index)
        if not self.executors_of.get(organization_id):
            return Prediction(topic_id, topic_confidence, topic_words, (), ())
        rows = _executor_rows(folded, [organization_id])
        ranked = self._ranked(self.executor.probabilities(rows)[0], organization_id)
        executor_words = _explain(self.executor, rows, self.executor.classes.index(ranked[0][0])) if ranked else ()
        return Prediction(topic_id, topic_confidence, topic_words, ranked, executor_words)

    def first_choices(self, texts: Sequence[str], organizations: Sequence[int]) -> list[tuple[int, int | None]]:
        """(topic, executor) named first for each text, in one pass over all of them (no explanations)."""
        folded = [fold(text) for text in texts]
        topics = self.topic.probabilities(folded).argmax(axis=1)
        executors = self.executor.probabilities(_executor_rows(folded, organizations))
        choices = []
        for topic_index, probabilities, organization_id in zip(topics, executors, organizations, strict=True):
            ranked = self._ranked(probabilities, organization_id)
            choices.append((self.topic.classes[int(topic_index)], ranked[0][0] if ranked else None))
        return choices

    # Only scikit-learn objects and plain values go into the pickle (not this class), so renaming code
    # here never makes a stored model unreadable, only its FORMAT changing does.
    def dumps(self) -> bytes:
        state = {
            "format": FORMAT,
            "topic": (self.topic.pipeline, self.topic.classes),
            "executor": (self.executor.pipeline, self.executor.classes),
            "executors_of": self.executors_of,
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes) -> Predictor:
        # Safe to unpickle only because the blob is our own: written by dumps() into our database's
        # RoutingModel row, never taken from an upload, a request or another system.
        state = pickle.loads(blob)  # noqa: S301
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ValueError("routing model of another format")
        return cls(
            topic=_Fitted(*state["topic"]), executor=_Fitted(*state["executor"]), executors_of=state["executors_of"]
        )


@dataclass(frozen=True)
class Fit:
    predictor: Predictor
    samples: int
    topic_accuracy: float
    executor_accuracy: float
    seconds: float
    held_out: int


def split(samples: Sequence[Sample], held_out: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """Training and held-out appeals, stratified by topic: each topic gives `held_out` of its appeals (a
    topic with a single appeal keeps it for training); reproducible from `seed`."""
    rng = random.Random(seed)  # noqa: S311 — a reproducible split, not a secret
    by_topic: dict[int, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_topic[sample.topic_id].append(sample)
    train_part, test_part = [], []
    for topic_id in sorted(by_topic):
        group = by_topic[topic_id]
        rng.shuffle(group)
        count = min(len(group) - 1, round(len(group) * held_out)) if len(group) > 1 else 0
        test_part += group[:count]
        train_part += group[count:]
    return train_part, test_part


def _fit_all(samples: Sequence[Sample]) -> Predictor:
    folded = [fold(s.text) for s in samples]
    n = len(samples)
    topic = _Fitted.fit(lambda: _topic_pipeline(n), folded, [s.topic_id for s in samples])
    rows = _executor_rows(folded, [s.organization_id for s in samples])
    executor = _Fitted.fit(lambda: _executor_pipeline(n), rows, [s.executor_id for s in samples])
    executors_of: dict[int, set[int]] = defaultdict(set)
    history: dict[int, int] = defaultdict(int)
    for s in samples:
        executors_of[s.organization_id].add(s.executor_id)
        history[s.organization_id] += 1
    # A hokimiyat with a handful of appeals would get its one or two executors "for sure": it gets the
    # topic's usual executor instead until its history is long enough.
    return Predictor(
        topic,
        executor,
        {org: tuple(sorted(ids)) for org, ids in executors_of.items() if history[org] >= HOKIMIYAT_HISTORY},
    )


def accuracy(predictor: Predictor, samples: Sequence[Sample]) -> tuple[float, float]:
    """Share of the appeals whose topic, and whose executor, the predictor names first."""
    if not samples:
        return 0.0, 0.0
    choices = predictor.first_choices([s.text for s in samples], [s.organization_id for s in samples])
    topics = sum(topic == s.topic_id for (topic, _), s in zip(choices, samples, strict=True))
    executors = sum(executor == s.executor_id for (_, executor), s in zip(choices, samples, strict=True))
    return topics / len(samples), executors / len(samples)


def fit(samples: Sequence[Sample], *, held_out: float = 0.2, seed: int = DEFAULT_SEED) -> Fit:
    """Measure on the held-out part, then fit on every sample (the stored model learns from all of them)."""
    if not 0 < held_out < 1:
        raise ValueError("held_out is a share between 0 and 1")
    started = time.perf_counter()
    train_part, test_part = split(samples, held_out, seed)
    topic_accuracy, executor_accuracy = accuracy(_fit_all(train_part), test_part)
    predictor = _fit_all(samples)
    seconds = time.perf_counter() - started
    return Fit(predictor, len(samples), topic_accuracy, executor_accuracy, seconds, len(test_part))


# --- the database: learning from past appeals, the current model ----------------------------------------


def training_samples(limit: int | None = None) -> list[Sample]:
    """The latest appeals with a topic and a main executor (at most `limit`, APPEALS_ROUTING_MAX_SAMPLES):
    routing changes as departments do, so the recent history counts."""
    from .models import Appeal

    rows = (
        Appeal.objects.filter(topic__isnull=False, executor__isnull=False)
        .exclude(outcome=Outcome.FORWARDED)
        .order_by("-received_at", "-id")
        .values_list("text", "organization_id", "topic_id", "executor_id")
    )
    limit = max_samples() if limit is None else limit
    return [Sample(*row) for row in rows[:limit].iterator(chunk_size=2000)]


def trainable(samples: Sequence[Sample]) -> str | None:
    """Why these appeals are too few to learn from (a translated message), or None."""
    if len(samples) < min_samples():
        return _("Too few appeals with a topic and an executor to learn from: %(count)s, at least %(least)s.") % {
            "count": len(samples),
            "least": min_samples(),
        }
    if len({s.topic_id for s in samples}) < 2:
        return _("The appeals learnt from must have at least two topics.")
    return None


def train(
    *,
    now=None,
    held_out: float = 0.2,
    seed: int = DEFAULT_SEED,
    actor=SYSTEM,
    samples: Sequence[Sample] | None = None,
):
    """Learn from the past appeals (`training_samples()` unless given) and make the model current.
    Refused (nothing stored) when they are too few (`trainable`)."""
    from .models import RoutingModel

    now = now or timezone.now()
    samples = training_samples() if samples is None else list(samples)
    reason = trainable(samples)
    if reason:
        raise Refused(reason, AppealRefusal.ROUTING_TOO_FEW)
    result = fit(samples, held_out=held_out, seed=seed)
    blob = result.predictor.dumps()
    with transaction.atomic():
        RoutingModel.objects.filter(is_current=True).update(is_current=False)
        model = RoutingModel.objects.create(
            trained_at=now,
            samples=result.samples,
            topic_accuracy=result.topic_accuracy,
            executor_accuracy=result.executor_accuracy,
            seconds=result.seconds,
            blob=blob,
            is_current=True,
        )
        data = {
            "samples": result.samples,
            "held_out": result.held_out,
            "topic_accuracy": round(result.topic_accuracy, 4),
            "executor_accuracy": round(result.executor_accuracy, 4),
            "seconds": round(result.seconds, 3),
            "bytes": len(blob),
            "seed": seed,
        }
        audit_record(actor=actor, action="routing_model_train", obj=model, data=data)
    log.info("routing model %s trained on %s appeals in %.1f s", model.pk, result.samples, result.seconds)
    return model


def current_model():
    """The current RoutingModel row without its blob, or None."""
    from .models import RoutingModel

    return RoutingModel.objects.filter(is_current=True).defer("blob").order_by("-trained_at", "-pk").first()


_lock = threading.Lock()
_loaded: tuple[int, Predictor] | None = None


def _predictor() -> tuple[int, Predictor] | None:
    """The current model, unpickled once per process (again when another row is current); None if there is
    none or it cannot be read."""
    global _loaded
    from .models import RoutingModel

    current = RoutingModel.objects.filter(is_current=True).order_by("-trained_at", "-pk").values_list("pk").first()
    if current is None:
        return None
    loaded = _loaded
    if loaded is not None and loaded[0] == current[0]:
        return loaded
    with _lock:
        if _loaded is not None and _loaded[0] == current[0]:
            return _loaded
        blob = RoutingModel.objects.filter(pk=current[0]).values_list("blob", flat=True).first()
        if blob is None:
            return None
        try:
            _loaded = (current[0], Predictor.loads(bytes(blob)))
        except Exception:  # a model of an older format or scikit-learn: no suggestion until retrained
            log.warning("routing model %s cannot be loaded", current[0], exc_info=True)
            return None
        return _loaded


def forget() -> None:
    """Drop the model this process keeps (tests; the next suggest() reads the current one)."""
    global _loaded
    with _lock:
        _loaded = None


@dataclass(frozen=True)
class Suggestion:
    """What the model suggests for an appeal; the officer decides."""

    topic: object  # Topic
    topic_confidence: float
    executor: object | None  # Organization; None when the hokimiyat has no history and the topic no usual executor
    executor_confidence: float | None
    topic_words: tuple[str, ...] = ()
    executor_words: tuple[str, ...] = ()
    model_id: int | None = None

    @property
    def confidence(self) -> float | None:
        """How sure the model is of the executor (what an Assignment records)."""
        return self.executor_confidence

    @property
    def words(self) -> tuple[str, ...]:
        """The words that drove the suggestion (folded to plain Latin), the executor's first."""
        return tuple(dict.fromkeys(self.executor_words + self.topic_words))


def suggest(appeal_or_text, organization=None) -> Suggestion | None:
    """The topic and executor the current model suggests for an appeal (or a text to the `organization`
    hokimiyat); None when no model is trained or the topic it names is no longer active."""
    from darcha.core.models import Organization

    from .models import Appeal, Topic
    from .services.routing import may_execute

    if isinstance(appeal_or_text, Appeal):
        text, organization = appeal_or_text.text, organization or appeal_or_text.organization
    else:
        text = str(appeal_or_text or "")
    if not text.strip():
        return None
    loaded = _predictor()
    if loaded is None:
        return None
    model_id, predictor = loaded
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    prediction = predictor.predict(text, organization_id)
    topic = Topic.objects.filter(pk=prediction.topic_id, is_active=True).select_related("default_executor").first()
    if topic is None:
        return None
    hokimiyat = organization if isinstance(organization, Organization) else None
    if hokimiyat is None and organization_id is not None:
        hokimiyat = Organization.objects.filter(pk=organization_id).select_related("parent").first()
    executor = confidence = None
    if prediction.executors and hokimiyat is not None:
        candidates = Organization.objects.in_bulk([pk for pk, _ in prediction.executors])
        for pk, probability in prediction.executors:
            candidate = candidates.get(pk)
            if candidate is not None and may_execute(hokimiyat, candidate):
                executor, confidence = candidate, probability
                break
    if executor is None and hokimiyat is not None and topic.default_executor is not None:
        if may_execute(hokimiyat, topic.default_executor):
            # The topic's usual executor: as sure as the topic is.
            executor, confidence = topic.default_executor, prediction.topic_confidence
    return Suggestion(
        topic=topic,
        topic_confidence=prediction.topic_confidence,
        executor=executor,
        executor_confidence=confidence,
        topic_words=prediction.topic_words,
        executor_words=prediction.executor_words if executor is not None else (),
        model_id=model_id,
    )
