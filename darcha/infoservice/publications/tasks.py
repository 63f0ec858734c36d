"""Background work of publications (django-tasks); each task calls the service that does the work.

    fanout_publication(publication_id)   a publication just published sent to the immediate subscriptions
                                         (queued when `publication_published` is heard, after the commit)

When the queue refuses the task, the signal's handler runs the fan-out in its own process instead: the
immediate subscriptions get a publication from nowhere else. Run again, it sends nothing twice."""

from __future__ import annotations

from django_tasks import task


@task()
def fanout_publication(publication_id: int) -> int:
    from .services.subscriptions import publication_fanout

    return publication_fanout(publication_id=publication_id)
