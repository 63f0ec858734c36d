"""Uploaded files are checked by their content, not by their name or the browser's word."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# (content type, the bytes a file of that type starts with)
_SIGNATURES = (
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
)
ALLOWED_TYPES = tuple(kind for kind, _magic in _SIGNATURES)


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    size: int
    sha256: str
    name: str


def sniff(head: bytes) -> str | None:
    for kind, magic in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def check_upload(upload, *, allowed: tuple[str, ...] = ALLOWED_TYPES) -> CheckedFile:
    """Read an uploaded file and check it is a PDF, JPEG or PNG of at most the size allowed.

    The check looks at the file's first bytes (and, for a PDF, its end marker), so a renamed
    executable or a truncated PDF is refused whatever its name says.
    """
    limit = settings.CASES_UPLOAD_MAX_BYTES
    name = str(getattr(upload, "name", "") or "file")[-200:]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    upload.seek(0) if hasattr(upload, "seek") else None
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    kind = sniff(content[:16])
    if kind is None or kind not in allowed:
        names = ", ".join({"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}[k] for k in allowed)
        raise ValidationError(
            _("“%(name)s” is not a %(types)s file.") % {"name": name, "types": names}, code="file_type"
        )
    if kind == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("“%(name)s” is a damaged or incomplete PDF.") % {"name": name}, code="file_damaged")
    return CheckedFile(content, kind, len(content), hashlib.sha256(content).hexdigest(), name)
