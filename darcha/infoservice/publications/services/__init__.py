"""Every write of publications; callers keep `from darcha.infoservice.publications import services`.

    editing     publication_create, publication_update, text_transliterate, text_remove, image_add,
                image_remove, attachment_add, attachment_remove
    workflow    publication_submit_review, publication_send_back, publication_approve,
                publication_schedule, publication_unschedule, publication_publish, publication_withdraw,
                publish_due (the scheduler), missed_alert, readiness, is_missed
    _common     who writes and edits, locking, notices after commit, the page cache, the signal

Each function takes keyword arguments and an `actor`, runs in one transaction, writes an AuditEntry in the
organization's chain, calls pagecache.content_changed(kind="publications") when what the public sees
changes and sends `signals.publication_published` after the commit of a publishing.
"""

from ._common import EDITOR_ROLES, SCHEDULER, WRITER_ROLES, is_editor, is_writer
from .editing import (
    attachment_add,
    attachment_remove,
    image_add,
    image_remove,
    publication_create,
    publication_update,
    text_remove,
    text_transliterate,
    unique_slug,
)
from .workflow import (
    is_missed,
    missed_alert,
    publication_approve,
    publication_publish,
    publication_schedule,
    publication_send_back,
    publication_submit_review,
    publication_unschedule,
    publication_withdraw,
    publish_due,
    readiness,
)

__all__ = [
    "EDITOR_ROLES",
    "SCHEDULER",
    "WRITER_ROLES",
    "attachment_add",
    "attachment_remove",
    "image_add",
    "image_remove",
    "is_editor",
    "is_missed",
    "is_writer",
    "missed_alert",
    "publication_approve",
    "publication_create",
    "publication_publish",
    "publication_schedule",
    "publication_send_back",
    "publication_submit_review",
    "publication_unschedule",
    "publication_update",
    "publication_withdraw",
    "publish_due",
    "readiness",
    "text_remove",
    "text_transliterate",
    "unique_slug",
]
