"""Background work of the preschool app (django-tasks); each task calls a service.

Enqueued after the commit of the change that asks for it, and never failing that change: a task that
cannot be enqueued is logged, and the scheduler's jobs (preschool.jobs) are the safety net."""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger("darcha.preschool")

# Up to this many messages are handed to notify's delivery task straight from the commit; more (a
# campaign's referrals) through one task of ours, so the commit does not wait on thousands of enqueues.
DIRECT_DELIVERIES = 50


@task()
def run_campaign(campaign_id: int, user_id: int | None) -> str:
    """A main campaign that the department's page started (services.campaign_start)."""
    from .services.campaigns import campaign_execute_queued

    campaign = campaign_execute_queued(campaign_id=campaign_id, user_id=user_id)
    return campaign.status if campaign is not None else "missing"


@task()
def allocate_continuous(district_id: int) -> int:
    """Offer the district's free seats (a seat freed: a referral lapsed or declined, a child left, seats raised)."""
    from .services.campaigns import allocation_continuous

    campaign = allocation_continuous(district=district_id)
    return campaign.pk if campaign is not None else 0


@task()
def deliver_notices(first_id: int, last_id: int) -> int:
    """Hand a campaign's queued notices (messages first_id…last_id) to notify's delivery task."""
    from darcha.notify.choices import MessageStatus
    from darcha.notify.models import Message
    from darcha.notify.tasks import deliver_message

    ids = Message.objects.filter(
        pk__range=(first_id, last_id), status=MessageStatus.QUEUED, template__startswith="preschool_"
    ).values_list("pk", flat=True)
    count = 0
    for message_id in ids.iterator(chunk_size=2000):
        try:
            deliver_message.enqueue(message_id)
        except Exception:  # the message stays queued: notify's requeue job sends it
            log.exception("could not enqueue the delivery of message #%s", message_id)
            continue
        count += 1
    return count


def _enqueue(task_, *args) -> bool:
    try:
        task_.enqueue(*args)
    except Exception:
        log.exception("could not enqueue %s%r", task_.name, args)
        return False
    return True


def campaign_run_enqueue(campaign_id: int, user_id: int | None) -> bool:
    return _enqueue(run_campaign, campaign_id, user_id)


def allocation_continuous_enqueue(district_id: int) -> bool:
    """Call on the commit of a change that frees or adds seats: the seat is offered at once. A run of the
    district already waiting to start will read this seat too, so no second one is queued (a day of lapses
    and declines would otherwise queue a whole-district run for each)."""
    if _continuous_waiting(district_id):
        return True
    return _enqueue(allocate_continuous, district_id)


def _continuous_waiting(district_id: int) -> bool:
    """Is a continuous run of the district queued and not yet started (the database backend's rows; other
    backends cannot tell, and a run that started may have read the district before this change)?"""
    try:
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    return DBTaskResult.objects.filter(
        task_path=allocate_continuous.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__args__0=district_id,
    ).exists()


def notices_deliver_enqueue(message_ids: list[int]) -> None:
    if not message_ids:
        return
    if len(message_ids) <= DIRECT_DELIVERIES:
        from darcha.notify.tasks import deliver_message

        for message_id in message_ids:
            _enqueue(deliver_message, message_id)
        return
    _enqueue(deliver_notices, min(message_ids), max(message_ids))
