"""Files kept between the tries of an intake form: a form sent back (bad input, a refusal) keeps the
scans that came with it, so the operator or the citizen does not attach them again.

A draft is a random token in a hidden field of the form, bound to whoever sent it — the signed-in
user, or the visitor's session (`Draft.holder`) — and a kept file is found only by both: a token
copied into another session or account finds nothing there. Kept files pass the same checks as any
upload (content type by content, size, the caps on one application) and are stored like documents,
outside the web root. The application they were kept for takes them when it is registered
(`application_submit` with `Intake.draft`: the files become its documents and the kept rows go, in
its transaction); what is left is deleted with its files after CASES_PENDING_UPLOAD_HOURS
(`pending_uploads_expire`, the `cases.pending_uploads` job).

Not audited, on purpose: the audit chain is the register's history (applications, their documents
and decisions) and each entry must be worth proving later. A kept file belongs to no application, is
seen only by the person who sent it, and either becomes a document by an audited
`application_submit` (its entry counts the files) or disappears within a day — an entry for each
try of a form would fill a center's chain with noise, and for an anonymous visitor would name nobody.
The writes are still atomic service calls, and the job logs how many it deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from darcha.catalog.models import RequiredDocument
from darcha.core.uploads import check_batch, check_upload

from ..models import PendingUpload

log = logging.getLogger("darcha.cases")
DEFAULT_HOURS = 24
# Drafts with kept files one holder may have at a time (each within one application's caps): keeping the
# files of another drops the oldest. Two intakes open side by side are fine; a visitor posting broken
# forms over and over cannot pile up files until the job runs.
DRAFTS_PER_HOLDER = 3
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True)
class Draft:
    """One form being filled in: its token (from the hidden field) and who holds it."""

    holder: str
    token: str

    @classmethod
    def resume(cls, holder: str, token: str | None) -> Draft:
        """The draft of this token for this holder, or a new one when the token is missing or malformed.
        (Whether anything is kept under it is asked with the holder too: another's token finds nothing.)"""
        token = str(token or "")
        return cls(holder, token if _TOKEN.fullmatch(token) else secrets.token_urlsafe(24))


def pending_hours() -> int:
    return int(getattr(settings, "CASES_PENDING_UPLOAD_HOURS", DEFAULT_HOURS))


def _delete_files(names: list[str]) -> None:
    """After the commit (a rolled-back deletion keeps its files): the stored files of deleted rows."""
    if not names:
        return
    storage = PendingUpload._meta.get_field("file").storage

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                log.warning("kept upload %s: file not deleted", name, exc_info=True)

    transaction.on_commit(delete)


def discard_rows(rows) -> int:
    """Delete kept uploads and, once committed, their files. Inside the caller's transaction."""
    rows = list(rows)
    if not rows:
        return 0
    PendingUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
    _delete_files([row.file.name for row in rows if row.file])
    return len(rows)


def _of(draft: Draft):
    return PendingUpload.objects.filter(draft=draft.token, holder=draft.holder)


def pending_uploads_keep(
    *,
    actor,
    draft: Draft,
    uploads: list[tuple[str, RequiredDocument | None, object]],
    now: dt.datetime | None = None,
) -> tuple[list[PendingUpload], dict[str, list[str]]]:
    """Keep the files of a form sent back: `uploads` are (form field, checklist item or None, file).

    Each file is checked as at registration; one refused is not kept and its messages come back under
    its field. What the draft already keeps counts towards the caps on one application (files, total
    size): beyond them nothing new is kept (messages under "files"). Returns the rows kept now.
    """
    now = now or timezone.now()
    uploads = [(field, required, upload) for field, required, upload in uploads if upload]
    if not uploads:
        return [], {}
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        held = list(_of(draft).select_for_update())

        try:
            # What the draft keeps counts by its size (all the batch check reads of a file).
            check_batch([*(SimpleNamespace(size=row.size) for row in held), *(u for _f, _r, u in uploads)])
        except ValidationError as error:
            return [], {"files": error.messages}
        kept, stored = [], []
        try:
            for field, required, upload in uploads:
                try:
                    checked = check_upload(upload)
                except ValidationError as error:
                    errors.setdefault(field, []).extend(error.messages)
                    continue
                row = PendingUpload(
                    draft=draft.token,
                    holder=draft.holder,
                    field=field[:64],
                    required=required,
                    original_name=checked.name[:255],
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    created_at=now,
                )
                row.file.save("upload", checked.file, save=False)
                stored.append(row.file.name)
                row.save()
                kept.append(row)
            if kept:
                _drop_old_drafts(draft)
        except BaseException:
            # Nothing of this call stays: the rows roll back, the files written are removed now.
            storage = PendingUpload._meta.get_field("file").storage
            for name in stored:
                storage.delete(name)
            raise
    if kept:
        who = getattr(actor, "pk", None) or draft.holder.split(":", 1)[0]  # a user's id, or "session"
        log.info("draft of %s: kept %d file(s)", who, len(kept))
    return kept, errors


def _drop_old_drafts(draft: Draft) -> None:
    """The holder's drafts beyond DRAFTS_PER_HOLDER, oldest first (by their newest file), this one never."""
    newest = {}
    for token, at in PendingUpload.objects.filter(holder=draft.holder).values_list("draft", "created_at"):
        newest[token] = max(at, newest.get(token, at))
    others = sorted((at, token) for token, at in newest.items() if token != draft.token)
    stale = [token for _at, token in others[: max(0, len(others) - (DRAFTS_PER_HOLDER - 1))]]
    if stale:
        discard_rows(PendingUpload.objects.select_for_update().filter(holder=draft.holder, draft__in=stale))


def pending_uploads_discard(*, actor, draft: Draft, ids=None, fields=None) -> int:
    """Drop kept files of a draft: those of `ids` (the "remove" boxes ticked), those of `fields`
    (replaced by a new file), or all of it when neither is given. Another holder's files are never
    touched, whatever ids are sent."""
    with transaction.atomic():
        rows = _of(draft)
        if ids is not None or fields is not None:
            wanted = [int(i) for i in (ids or ()) if str(i).isdigit()]
            rows = rows.filter(Q(pk__in=wanted) | Q(field__in=list(fields or ())))
        return discard_rows(rows.select_for_update())


def pending_uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete kept files older than CASES_PENDING_UPLOAD_HOURS, with their stored files (the job)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=pending_hours())
    with transaction.atomic():
        deleted = discard_rows(PendingUpload.objects.select_for_update().filter(created_at__lt=cutoff))
    if deleted:
        log.info("kept uploads: %d older than %d h deleted", deleted, pending_hours())
    return deleted
