"""PDF documents (receipts, results) from HTML templates through WeasyPrint.

Fonts come from the project's static/fonts (Noto Sans with Latin and Cyrillic), never from the
machine or the network, so the same PDF comes out on every server and offline.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

from darcha.core.links import absolute_url
from darcha.core.qr import qr_svg

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


def _font_css() -> str:
    faces = [("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700)]
    return "".join(
        f"@font-face{{font-family:'Darcha Sans';font-weight:{weight};src:url('{(FONTS / name).as_uri()}')}}"
        for name, weight in faces
    )


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render a template in `language` to PDF bytes."""
    import weasyprint  # imported here: it loads Pango, which only PDF work needs

    with translation.override(language):
        html = render_to_string(template, {**context, "font_css": _font_css(), "LANGUAGE_CODE": language})
    return weasyprint.HTML(string=html, base_url=str(FONTS)).write_pdf()


def qr(path: str, label: str = ""):
    """The QR code of a page's absolute address (darcha.core.links: the path alone is useless on paper)."""
    return qr_svg(absolute_url(path), label=label)


class Unreadable(Exception):
    """pypdf cannot read this PDF (a damaged body, a broken cross-reference table, …)."""


class Encrypted(Unreadable):
    """The PDF is encrypted: its pages cannot be copied without the password."""


def _reader(source):
    """A PdfReader of `source` (bytes or a binary file, read where it is, not copied into memory)."""
    from pypdf import PdfReader

    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        reader = PdfReader(stream)
    except Exception as error:  # pypdf raises many kinds on a broken file; all mean unreadable
        raise Unreadable(str(error)) from error
    if reader.is_encrypted:
        raise Encrypted()
    return reader


def _copy(sources, out) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    try:
        for source in sources:
            for page in _reader(source).pages:
                writer.add_page(page)
        writer.write(out)
    except Unreadable:
        raise
    except Exception as error:  # as in _reader
        raise Unreadable(str(error)) from error


def page_count(source, *, trial: bool = False) -> int:
    """The number of pages of a PDF; `trial`: also copy every page into a new PDF (written nowhere), as
    `append_pages` will. Raises Unreadable (Encrypted for an encrypted PDF)."""
    reader = _reader(source)
    try:
        count = len(reader.pages)
    except Exception as error:  # as in _reader
        raise Unreadable(str(error)) from error
    if trial:
        if hasattr(source, "seek"):
            source.seek(0)
        _copy([source], _Discard())
    return count


class _Discard:
    """A stream that keeps nothing, only its position (pypdf asks where it is)."""

    def __init__(self):
        self.position = 0

    def write(self, data) -> int:
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass


def append_pages(first: bytes, extra: bytes) -> bytes:
    """The pages of `first` followed by those of `extra` (an uploaded result and its verification page).
    Raises Unreadable when either cannot be read."""
    out = io.BytesIO()
    _copy([first, extra], out)
    return out.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
