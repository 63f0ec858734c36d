"""The routing model's background work: training is a task (CPU for seconds to minutes, so never inside a
request or the scheduler's loop), queued by the scheduler every APPEALS_ROUTING_RETRAIN_HOURS (weekly by
default) and by an administrator's "retrain now" on the model's page.

infoservice.routing_retrain   every APPEALS_ROUTING_RETRAIN_HOURS   queues `retrain` (the worker trains)

Registered from InfoserviceConfig.ready(). Too few appeals to learn from is not a failure: the task says
so and the current model (if any) stays in use.
"""

from __future__ import annotations

import logging

from django_tasks import task

from darcha.core.audit import SYSTEM
from darcha.core.errors import Refused

from . import routing_model

log = logging.getLogger(__name__)
TASK_PATH = "darcha.infoservice.routing_jobs.retrain"


@task()
def retrain(user_id: int | None = None) -> str:
    """Train the routing model on the past appeals and make it current (audited as the user who asked, or
    the system)."""
    from darcha.core.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    try:
        model = routing_model.train(actor=user or SYSTEM)
    except Refused as refusal:
        log.info("routing model not trained: %s", refusal.message)
        return f"not trained: {refusal.message}"
    return f"routing model {model.pk}: {model.samples} appeals"


def retrain_enqueue(user_id: int | None = None) -> bool:
    """Queue a training unless one is already waiting or running; whether one is queued now."""
    if retrain_pending():
        return True
    try:
        retrain.enqueue(user_id)
    except Exception:  # the worker's queue away: the next scheduled run trains instead
        log.exception("could not queue the routing model's training")
        return False
    return True


def retrain_pending() -> bool:
    """Is a training queued or running (the database task backend's rows; other backends cannot tell)?"""
    try:
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    waiting = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=waiting).exists()


def scheduled_retrain(*, now=None) -> bool:
    return retrain_enqueue(None)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job(
        "infoservice.routing_retrain", every_seconds=routing_model.retrain_hours() * 3600, func=scheduled_retrain
    )
