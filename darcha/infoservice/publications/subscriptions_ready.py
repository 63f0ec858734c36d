"""What the disclosures and subscriptions add to the publications app at start (imported from
PublicationsConfig.ready): the message templates, the desk panel, the admin, the Telegram commands, the
jobs, the page cache's content and the listener of `publication_published`."""

from __future__ import annotations

import logging

from django.conf import settings

log = logging.getLogger("darcha.publications.subscriptions")


def on_published(sender, publication, **kwargs) -> None:
    """Queue the fan-out of a publication just published (the signal comes after the commit)."""
    from .services.subscriptions import publication_fanout
    from .tasks import fanout_publication

    try:
        fanout_publication.enqueue(publication.pk)
    except Exception:
        log.exception("publications: fan-out of %s not queued; sending in this process", publication.pk)
        try:
            publication_fanout(publication_id=publication.pk)
        except Exception:
            log.exception("publications: fan-out of %s failed", publication.pk)


def digest_job(*, now=None) -> int:
    from .services.subscriptions import digests_send, subscriptions_purge

    subscriptions_purge(now)
    return digests_send(now)


def setup() -> None:
    from darcha.core.pagecache import register_content
    from darcha.core.scheduler import register_job

    from . import admin_subscriptions, desk_disclosures, notifications_subscriptions, signals, telegram  # noqa: F401
    from .models import Publication
    from .models_disclosures import Disclosure, DisclosureCategory

    register_content("publications", DisclosureCategory, Disclosure)
    register_job("publications.digests", at=getattr(settings, "SUBSCRIPTIONS_DIGEST_AT", "08:00"), func=digest_job)
    signals.publication_published.connect(on_published, sender=Publication, dispatch_uid="publications.fanout")
