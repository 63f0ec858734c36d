"""Background work of the notify app; each task calls a service."""

from django_tasks import task

from . import services


@task()
def deliver_message(message_id: int) -> str:
    """One delivery attempt; a failed attempt enqueues the next one itself (with `run_after`)."""
    message = services.message_deliver(message_id=message_id)
    return message.status if message is not None else "skipped"


@task()
def check_message_status(message_id: int) -> str:
    """Ask the SMS provider whether a sent message was delivered."""
    message = services.message_check_status(message_id=message_id)
    return message.status if message is not None else "skipped"


@task()
def requeue_due_messages() -> int:
    """Safety net for the scheduler: retries that are due, lost tasks, attempts cut off by a dying worker."""
    return services.messages_requeue_due()
