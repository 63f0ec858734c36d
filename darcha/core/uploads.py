"""Uploaded files are checked by their content, not by their name or the browser's word.

A file is read in chunks, never whole: Django keeps a large upload in a temporary file (above
FILE_UPLOAD_MAX_MEMORY_SIZE), the check hashes it chunk by chunk, and the stored document is saved
from that file (moved, when it is a temporary file). A PDF must open: pypdf reads its structure and
counts its pages, so a file that only starts like a PDF, or an encrypted one, is refused at upload and
not when an agency approves the result. What one request may bring is capped too: at most
CASES_UPLOAD_MAX_FILES files of CASES_UPLOAD_MAX_BYTES each, CASES_UPLOAD_MAX_TOTAL_BYTES together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import pdf

# (content type, the bytes a file of that type starts with)
_SIGNATURES = (
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
)
ALLOWED_TYPES = tuple(kind for kind, _magic in _SIGNATURES)
DEFAULT_MAX_FILES = 30
DEFAULT_MAX_TOTAL_BYTES = 50 * 1024 * 1024
_TAIL = 2048  # a PDF's end marker is in its last bytes


def max_files() -> int:
    return int(getattr(settings, "CASES_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES))


def max_total_bytes() -> int:
    return int(getattr(settings, "CASES_UPLOAD_MAX_TOTAL_BYTES", DEFAULT_MAX_TOTAL_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: `file` is what is stored (the upload itself, or a ContentFile)."""

    file: File
    content_type: str
    size: int
    sha256: str
    name: str


def sniff(head: bytes) -> str | None:
    for kind, magic in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return None


def too_many_files_message() -> str:
    return _("At most %(count)d files per application.") % {"count": max_files()}


def check_batch(uploads: Iterable) -> None:
    """The files of one request together: at most CASES_UPLOAD_MAX_FILES, CASES_UPLOAD_MAX_TOTAL_BYTES in all.
    Checked before any file is read."""
    uploads = list(uploads)
    if len(uploads) > max_files():
        raise ValidationError(too_many_files_message(), code="too_many_files")
    total = sum(int(getattr(upload, "size", 0) or 0) for upload in uploads)
    limit = max_total_bytes()
    if total > limit:
        raise ValidationError(
            _("The files together are %(size)s; at most %(limit)s may come with one application.")
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)},
            code="files_too_large",
        )


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    upload.seek(0) if hasattr(upload, "seek") else None
    while chunk := upload.read(File.DEFAULT_CHUNK_SIZE):
        yield chunk


def check_upload(upload, *, allowed: tuple[str, ...] = ALLOWED_TYPES, result: bool = False) -> CheckedFile:
    """Check an uploaded file is a PDF, JPEG or PNG of at most the size allowed, reading it in chunks.

    The check looks at the file's first bytes (and, for a PDF, its end marker and its structure: it must
    open, unencrypted, with at least one page), so a renamed executable or a damaged PDF is refused
    whatever its name says. `result`: the PDF will have the verification page appended at approval, so
    that is tried here too.
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
    digest, read, head, tail = hashlib.sha256(), 0, b"", b""
    for chunk in _chunks(upload):
        read += len(chunk)
        if read > limit:
            raise ValidationError(
                _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        digest.update(chunk)
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        tail = (tail + chunk)[-_TAIL:]
    if not read:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    kind = sniff(head)
    if kind is None or kind not in allowed:
        names = ", ".join({"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}[k] for k in allowed)
        raise ValidationError(
            _("“%(name)s” is not a %(types)s file.") % {"name": name, "types": names}, code="file_type"
        )
    if kind == "application/pdf":
        damaged = ValidationError(_("“%(name)s” is a damaged or incomplete PDF.") % {"name": name}, code="file_damaged")
        if b"%%EOF" not in tail:
            raise damaged
        upload.seek(0)
        try:
            pages = pdf.page_count(upload, trial=result)
        except pdf.Encrypted:
            raise ValidationError(
                _("“%(name)s” is protected by a password: upload it without the protection.") % {"name": name},
                code="file_encrypted",
            ) from None
        except pdf.Unreadable:
            raise damaged from None
        if pages < 1:
            raise damaged
    upload.seek(0)
    stored = upload if isinstance(upload, File) else File(upload, name=name)
    return CheckedFile(stored, kind, read, digest.hexdigest(), name)


def kept_file(kept) -> File:
    """A file kept from a form sent back (models.PendingUpload), opened to be checked and stored again
    under the name it came with."""
    handle = kept.file.storage.open(kept.file.name, "rb")
    return File(handle.file if hasattr(handle, "file") else handle, name=kept.original_name)
