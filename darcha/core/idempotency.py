"""Idempotency-Key for API POSTs: a retried request gets the first answer and creates nothing new.

A client (a center's own system, a partner's kiosk, a mobile app) sends `Idempotency-Key: <up to 128
printable characters>` with a POST. Keys are per user; an anonymous caller's (a ticket taken at a
kiosk or in an app) are per client address (`core.throttle.client_address`). Used by the
applications intake (`cases.api`) and the queue's ticket issue (`queues.api`). The rules:

* The first request with a key runs; when it succeeds (2xx) its status and JSON body are stored
  with the key, a fingerprint of the request (method, path and body, uploaded files by their
  SHA-256) and the time.
* A later request with the same key and the same fingerprint does not run: it gets the stored
  status and body again, with the header `Idempotent-Replayed: true`.
* The same key with a different request is a client bug: 422 `{"code": "idempotency_key_reused"}`.
* Only successful answers are stored. A refused request (400 invalid data, 403, 409) changes
  nothing, so nothing is remembered and the client may fix the data and retry with the same key.
  (Stripe likewise saves no result for requests that fail validation.) Server errors (5xx) roll
  the transaction back and are never stored.
* Concurrent duplicates: the key's row is inserted first, in the same transaction as the work.
  The unique index on (user, key) — (client, key) for anonymous callers — makes a second request
  with the key wait for the first one's transaction (PostgreSQL blocks on the index entry; SQLite's
  IMMEDIATE transactions queue at BEGIN). When the first commits, the second sees its row and
  replays it; when the first fails and rolls back, the second runs as if it were first. Two
  requests never both do the work.
* Keys expire after `RETENTION` (24 hours): an expired key is treated as new, and
  `purge_expired()` (a scheduler job, see `register()`) deletes the old rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from .models import IdempotentRequest
from .throttle import client_address

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 128
RETENTION = dt.timedelta(hours=24)
REUSED_CODE = "idempotency_key_reused"


def request_key(request) -> str | None:
    """The request's Idempotency-Key, None when it sent none; a malformed key is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError(
            {HEADER: [_("An idempotency key is 1 to %(max)d printable ASCII characters.") % {"max": KEY_MAX_LENGTH}]}
        )
    return key


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{digest.hexdigest()}"


def request_fingerprint(request) -> str:
    """SHA-256 of the method, path and body; uploaded files count by their content."""
    data = request.data
    if hasattr(data, "getlist"):  # a form (multipart): every value of every field, files by content
        body = {
            name: [_file_digest(v) if isinstance(v, UploadedFile) else str(v) for v in data.getlist(name)]
            for name in data
        }
    else:
        body = data
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _owner(request) -> dict:
    """Whose keys: the signed-in user's, else the client address's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"user": user, "client": ""}
    return {"user": None, "client": client_address(request)[:64]}


def _claim(owner: dict, key: str, endpoint: str, fingerprint: str, now: dt.datetime) -> tuple[IdempotentRequest, bool]:
    """Insert the key's row (ours: True), or return the row a request before us committed (False)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():  # a savepoint: a failed insert leaves the outer transaction usable
                row = IdempotentRequest.objects.create(
                    **owner,
                    key=key,
                    endpoint=endpoint,
                    fingerprint=fingerprint,
                    status_code=0,
                    body={},
                    created_at=now,
                )
            return row, True
        except IntegrityError:
            # On PostgreSQL the insert waited for the other transaction; now its row is committed and visible.
            row = IdempotentRequest.objects.select_for_update().filter(**owner, key=key).first()
            if row is None:  # deleted (purged) meanwhile: try again
                continue
            if row.created_at < now - RETENTION:
                row.delete()
                continue
            return row, False
    raise exceptions.APIException(_("The request could not be recorded; please try again."))


def _jsonable(data) -> object:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def key_reused_response() -> Response:
    return Response(
        {
            "code": REUSED_CODE,
            "detail": _("This Idempotency-Key was already used for a different request."),
            "errors": {HEADER: [_("Use a new key for a new request.")]},
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def idempotent(request, *, handler: Callable[[], Response], now: dt.datetime | None = None) -> Response:
    """Run `handler` at most once per (user or client address, Idempotency-Key); without the header, just run it.

    The handler runs inside this function's transaction; a non-2xx answer or an exception rolls
    back everything, including the key's row.
    """
    key = request_key(request)
    if key is None:
        return handler()
    now = now or timezone.now()
    endpoint = f"{request.method} {request.path}"[:128]
    fingerprint = request_fingerprint(request)
    with transaction.atomic():
        row, ours = _claim(_owner(request), key, endpoint, fingerprint, now)
        if not ours:
            if row.fingerprint != fingerprint or row.endpoint != endpoint:
                return key_reused_response()
            return Response(row.body, status=row.status_code, headers={REPLAYED_HEADER: "true"})
        response = handler()
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)
            return response
        row.status_code = response.status_code
        row.body = _jsonable(response.data)
        row.save(update_fields=["status_code", "body"])
    return response


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than RETENTION; returns how many."""
    now = now or timezone.now()
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted


def register() -> None:
    """Register the hourly purge with the scheduler (call from the app's ready())."""
    from darcha.core.scheduler import register_job

    register_job("core.idempotency_purge", every_seconds=3600, func=purge_expired)
