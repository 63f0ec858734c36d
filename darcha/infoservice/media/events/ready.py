"""What the press events add to the media app at start (`MediaConfig.ready()` calls `ready()`): message
templates, the scheduler's jobs, the desk panel, the public pages' content, the admin, and the receivers
of the publications' signals (the embargoed releases)."""

from __future__ import annotations


def ready() -> None:
    from darcha.core.models import Organization
    from darcha.core.pagecache import register_content

    from .. import models_events
    from . import admin, desk, embargo, jobs, notifications  # noqa: F401

    jobs.register()
    register_content(
        "press_events",
        Organization,
        models_events.PressEvent,
        models_events.PressEventMaterial,
    )
    try:
        from darcha.infoservice.publications import signals
    except ImportError:  # pragma: no cover - the publications app's signals are the contract's
        return
    signals.publication_published.connect(embargo.on_published, dispatch_uid="media.embargo.on_published")
    scheduled = getattr(signals, "publication_scheduled", None)
    if scheduled is not None:
        scheduled.connect(embargo.on_scheduled, dispatch_uid="media.embargo.on_scheduled")
