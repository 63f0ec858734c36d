"""A spool folder instead of a provider (NOTIFY_<CHANNEL>_BACKEND=file), for a region without one:
each message becomes one JSON file, `<NOTIFY_SPOOL_DIR>/<channel>/<key>.json`, for a gateway (or a
person) to send and remove. It is an explicit choice, never a fallback: the files hold the real
text, codes included, so the folder is kept like the database (mode 0700, files 0600).

A file is written under a temporary name and renamed, so a reader never sees half a message; its
name is the message's idempotency key, so an attempt after an interrupted one finds the file and
does not write it again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .base import BaseChannel, DeliveryError, Outgoing, Sent


def spool_dir() -> Path:
    configured = getattr(settings, "NOTIFY_SPOOL_DIR", "")
    return Path(configured) if configured else Path(settings.PROJECT_DIR) / "var" / "notify-spool"


class FileChannel(BaseChannel):
    name = "file"
    can_check = True

    def __init__(self, channel: str):
        self.channel = channel

    @property
    def folder(self) -> Path:
        return spool_dir() / self.channel

    def _path(self, outgoing: Outgoing) -> Path:
        return self.folder / f"{outgoing.key or outgoing.message_id}.json"

    def send(self, outgoing: Outgoing) -> Sent:
        path = self._path(outgoing)
        if path.exists():
            return Sent(provider_id=path.name, provider_status="spooled")
        record = {
            "message": outgoing.message_id,
            "key": outgoing.key,
            "channel": self.channel,
            "address": outgoing.address,
            "language": outgoing.language,
            "subject": outgoing.subject,
            "body": outgoing.body,
            "written_at": timezone.now().isoformat(),
        }
        try:
            spool_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
            self.folder.mkdir(mode=0o700, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(record, file, ensure_ascii=False, indent=1)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, path)
        except OSError as error:
            raise DeliveryError(f"spool {self.folder}: {error.strerror or error}", transient=True) from None
        return Sent(provider_id=path.name, provider_status="spooled")

    def find_sent(self, outgoing: Outgoing, *, since: dt.datetime) -> Sent | None:
        path = self._path(outgoing)
        return Sent(provider_id=path.name, provider_status="spooled") if path.exists() else None
