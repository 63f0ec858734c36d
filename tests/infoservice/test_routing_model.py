"""The routing model: text folded to one script, training on past appeals (held-out accuracy, the current
row, the audit entry), suggestions (topic and executor with confidences and the words behind them, none
without a model, a newer model picked up), the retraining job and task, and the administrators' page."""

from __future__ import annotations

import itertools
import pickle

import pytest
from django.urls import reverse

from darcha.core.choices import Role
from darcha.core.errors import Refused
from darcha.core.models import AuditEntry
from darcha.core.translit import latin_to_cyrillic
from darcha.infoservice import routing_jobs, routing_model
from darcha.infoservice.choices import AppealRefusal
from darcha.infoservice.models import RoutingModel
from darcha.infoservice.routing_model import Sample, fold
from darcha.infoservice.services import appeal_assign, appeal_forward
from tests.factories import staff
from tests.infoservice.helpers import at, calendar_2026, hokimiyat, register, topic

pytestmark = pytest.mark.django_db

PHRASES = {
    "water": ["suv quvuri yorilgan", "ichimlik suvi kelmayapti", "vodoprovodda suv bosimi past"],
    "roads": ["yoʻl chuqurlari koʻp", "asfalt buzilgan yoʻlni taʼmirlang", "koʻprik yaroqsiz"],
    "power": ["elektr tez-tez oʻchyapti", "transformator kuyib qolgan", "elektr simlari osilib turibdi"],
}
MAHALLAS = ["Navbahor", "Guliston", "Doʻstlik", "Bahor", "Tinchlik"]


@pytest.fixture(autouse=True)
def _no_loaded_model():
    routing_model.forget()
    yield
    routing_model.forget()


def texts(code: str, count: int):
    """`count` appeals about `code`, in Latin and Cyrillic Uzbek, with varying mahallas and requests."""
    phrases = itertools.cycle(PHRASES[code])
    for number in range(count):
        text = f"{MAHALLAS[number % 5]} mahallasi, {number + 1}-uy. {next(phrases)}. Yordam berishingizni soʻraymiz."
        yield latin_to_cyrillic(text) if number % 3 == 0 else text


def synthetic(place, topics, per_topic: int = 15) -> list[Sample]:
    """Plain samples: each topic's appeals answered by its own department of the place's hokimiyat."""
    samples = []
    for (code, row), department in zip(topics.items(), place.departments, strict=False):
        samples += [Sample(text, place.hokimiyat.pk, row.pk, department.pk) for text in texts(code, per_topic)]
    return samples


@pytest.fixture
def place():
    calendar_2026()
    return hokimiyat("chust", departments=3)


@pytest.fixture
def topics():
    return {code: topic(code) for code in PHRASES}


def test_folding_gives_latin_and_cyrillic_the_same_features(place, topics):
    latin = "Koʻchamizdagi suv quvuri yorilgan, 12-uy. Gʻaznachilik yoʻq!"
    cyrillic = latin_to_cyrillic(latin)
    assert cyrillic != latin and "сув" in cyrillic
    assert fold(latin) == fold(cyrillic) == "kochamizdagi suv quvuri yorilgan 0 uy gaznachilik yoq"
    assert fold("Ko'chamizdagi SUV quvuri") == fold("Ko‘chamizdagi suv quvuri")  # any apostrophe, any case

    fitted = routing_model.fit(synthetic(place, topics), held_out=0.2, seed=1)
    features = fitted.predictor.topic.pipeline.named_steps["features"]
    a, b = (features.transform([fold(text)]) for text in (latin, cyrillic))
    assert a.nnz > 0 and (a != b).nnz == 0


def test_train_on_past_appeals_learns_the_mapping_and_becomes_current(place, topics):
    for (code, row), department in zip(topics.items(), place.departments, strict=True):
        for number, text in enumerate(texts(code, 12)):
            appeal = register(place, text=text, topic=row, now=at(2026, 3, 2 + number % 20, 11))
            appeal_assign(actor=place.officer, appeal=appeal, executor=department, now=at(2026, 3, 25))
    register(place, text="suv quvuri yorilgan", now=at(2026, 3, 3))  # no topic or executor: not learnt from
    # Assigned, then forwarded to the competent body: its executor was not the one, not learnt from either.
    wrong = register(place, text="suv quvuri yorilgan", topic=topics["roads"], now=at(2026, 3, 3))
    appeal_assign(actor=place.officer, appeal=wrong, executor=place.departments[1], now=at(2026, 3, 4))
    appeal_forward(actor=place.officer, appeal=wrong, to_name="Suvoqova", ground="Suv taʼminoti", now=at(2026, 3, 5))

    model = routing_model.train(now=at(2026, 4, 1), held_out=0.25, seed=7)

    assert model.is_current and model.samples == 36 and model.seconds > 0
    # Held-out appeals (a quarter of each topic) are answered right well above chance (one in three).
    assert model.topic_accuracy >= 0.8 and model.executor_accuracy >= 0.8
    entry = AuditEntry.objects.get(action="routing_model_train")
    assert entry.actor_label == "system" and entry.data["samples"] == 36 and entry.data["held_out"] == 9

    water = place.departments[0]
    for text in ("Mahallamizda suv quvuri yorilgan", latin_to_cyrillic("Mahallamizda suv quvuri yorilgan")):
        suggestion = routing_model.suggest(text, place.hokimiyat)
        assert suggestion.topic == topics["water"] and suggestion.executor == water
        assert 0.5 < suggestion.topic_confidence <= 1 and 0.5 < suggestion.confidence <= 1
        assert "suv" in suggestion.words and suggestion.model_id == model.pk

    appeal = register(place, text="Transformator kuyib qolgan, elektr yoʻq", now=at(2026, 4, 2))
    suggestion = routing_model.suggest(appeal)
    assert suggestion.topic == topics["power"] and suggestion.executor == place.departments[2]


def test_no_model_or_too_few_appeals_no_suggestion(place, topics):
    assert routing_model.suggest("suv quvuri yorilgan", place.hokimiyat) is None
    with pytest.raises(Refused) as refused:
        routing_model.train(samples=synthetic(place, topics, per_topic=5))  # 15, under the 30 needed
    assert refused.value.code == AppealRefusal.ROUTING_TOO_FEW and "15" in refused.value.message
    assert not RoutingModel.objects.exists()
    assert routing_model.suggest("suv quvuri yorilgan", place.hokimiyat) is None

    # A stored model this code cannot read (another format): no suggestion, no error, until retrained.
    RoutingModel.objects.create(
        trained_at=at(2026, 4, 1), samples=40, topic_accuracy=0.9, executor_accuracy=0.9, seconds=1,
        blob=pickle.dumps({"format": routing_model.FORMAT + 1}), is_current=True,
    )  # fmt: skip
    assert routing_model.suggest("suv quvuri yorilgan", place.hokimiyat) is None


def test_a_newer_current_model_is_picked_up_and_another_hokimiyat_gets_the_usual_executor(place, topics):
    first = routing_model.train(samples=synthetic(place, topics), seed=1)
    assert routing_model.suggest("suv quvuri yorilgan", place.hokimiyat).executor == place.departments[0]

    # The water department changed: its appeals now go to the third department.
    moved = [
        Sample(s.text, s.organization_id, s.topic_id, place.departments[2].pk)
        if s.topic_id == topics["water"].pk
        else s
        for s in synthetic(place, topics)
    ]
    second = routing_model.train(samples=moved, seed=1)
    first.refresh_from_db()
    assert second.is_current and not first.is_current
    suggestion = routing_model.suggest("suv quvuri yorilgan", place.hokimiyat)
    assert suggestion.executor == place.departments[2] and suggestion.model_id == second.pk

    # A hokimiyat the model never saw: the topic, and the topic's usual executor when it may take it.
    other = hokimiyat("pop", departments=1, region=place.region)
    assert routing_model.suggest("suv quvuri yorilgan", other.hokimiyat).executor is None
    topics["water"].default_executor = other.departments[0]
    topics["water"].save()
    suggestion = routing_model.suggest("suv quvuri yorilgan", other.hokimiyat)
    assert suggestion.topic == topics["water"] and suggestion.executor == other.departments[0]
    assert suggestion.confidence == suggestion.topic_confidence


def test_the_job_queues_the_training_once_and_the_task_trains(place, topics, settings):
    from django_tasks_db.models import DBTaskResult

    from darcha.core.scheduler import registered_jobs

    job = next(job for job in registered_jobs() if job.name == "infoservice.routing_retrain")
    assert job.every_seconds == 7 * 24 * 3600

    assert routing_jobs.scheduled_retrain(now=at(2026, 4, 2)) is True
    assert routing_jobs.scheduled_retrain(now=at(2026, 4, 2)) is True  # already queued: not twice
    (queued,) = DBTaskResult.objects.filter(task_path=routing_jobs.TASK_PATH)
    assert queued.args_kwargs["args"] == [None]

    # What the worker does: with too few appeals, nothing is trained and nothing fails.
    assert routing_jobs.retrain.call(None).startswith("not trained")
    assert not RoutingModel.objects.exists()


def test_the_administrators_page_and_retrain_now(client, place, topics, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    url = reverse("infoservice:routing_model")
    assert client.get(url).status_code == 302  # the login page
    client.force_login(place.officer)
    assert client.get(url).status_code == 403
    assert client.post(reverse("infoservice:routing_retrain")).status_code == 403
    assert not DBTaskResult.objects.exists()

    admin = staff("routing-admin", place.region, Role.ADMINISTRATOR)
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "No model is trained yet" in page and "At least 30 appeals" in page

    samples = synthetic(place, topics)
    model = routing_model.train(samples=samples, seed=1)
    monkeypatch.setattr(routing_jobs.routing_model, "training_samples", lambda limit=None: samples)
    monkeypatch.setattr("darcha.infoservice.views.routing._learnable", lambda: len(samples))
    page = client.get(url).content.decode()
    assert f"{round(model.topic_accuracy * 100)} %" in page and "Retrain now" in page
    assert "The model is trained again every 7 days" in page

    # "Retrain now" queues the training as a background task, as the user who asked.
    response = client.post(reverse("infoservice:routing_retrain"))
    assert response.status_code == 303 and response["Location"] == url
    (queued,) = DBTaskResult.objects.filter(task_path=routing_jobs.TASK_PATH)
    assert queued.args_kwargs["args"] == [admin.pk]
    page = client.get(url).content.decode()
    assert "A training is queued or running" in page and "Earlier models" not in page
    desk = client.get(reverse("core:desk")).content.decode()
    assert "Open the routing model" in desk and f"{round(model.executor_accuracy * 100)} %" in desk

    routing_jobs.retrain.call(admin.pk)  # what the worker does
    newest = RoutingModel.objects.get(is_current=True)
    assert newest.pk != model.pk
    assert "Earlier models" in client.get(url).content.decode()
    entry = AuditEntry.objects.filter(action="routing_model_train").latest("pk")
    assert entry.actor_id == admin.pk and entry.object_id == str(newest.pk)
