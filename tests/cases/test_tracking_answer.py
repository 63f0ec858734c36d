"""The tracking API's answer is written out (cases.api.track_answer) rather than walked by TrackSerializer:
the two must give the same, for a history with every kind of entry a citizen sees."""

import pytest
from django.utils import translation

from darcha.cases import selectors
from darcha.cases import services as cases
from darcha.cases.api import track_answer
from darcha.cases.choices import TaskStatus
from darcha.cases.models import Task
from darcha.cases.serializers import TrackSerializer
from darcha.catalog.choices import Action

pytestmark = pytest.mark.django_db


def open_task(application) -> Task:
    return application.tasks.get(status=TaskStatus.OPEN)


def serialized(application, view) -> dict:
    body = {
        "number": application.number,
        "service": application.service.code,
        "service_name": str(application.service.name),
        "status": application.status,
        "status_label": str(view["status"]),
        "current_steps": [str(task.step.citizen_label) for task in view["current"]],
        "due_at": view["due_at"],
        "clock_stopped": view["clock_stopped"],
        "needed": view["needed"],
        "result_ready": view["result_ready"],
        "timeline": view["timeline"],
    }
    return TrackSerializer(body).data


@pytest.mark.parametrize("language", ["uz", "ru", "uz-cyrl"])
def test_the_written_out_answer_is_the_serializers(application, operator, land_clerk, language):
    cases.task_act(actor=land_clerk, task=open_task(application), action=Action.REQUEST_DOCUMENTS, comment="Pasport")
    looked_up = selectors.track(application.number, application.access_code)
    with translation.override(language):
        view = selectors.tracking_view(looked_up)
        answer = track_answer(looked_up, view)
        assert answer == serialized(looked_up, view)
    assert answer["needed"] and answer["clock_stopped"] and len(answer["timeline"]) >= 3
