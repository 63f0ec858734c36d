"""PDF documents (receipts, results) from HTML templates through WeasyPrint.

Fonts come from the project's static/fonts (Noto Sans with Latin and Cyrillic), never from the
machine or the network, so the same PDF comes out on every server and offline.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

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


def public_url(path: str) -> str:
    """An absolute address for QR codes: PUBLIC_BASE_URL, else the path alone is useless on paper."""
    base = settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
    return f"{base}{path}"


def qr(path: str, label: str = ""):
    return qr_svg(public_url(path), label=label)


def append_pages(first: bytes, extra: bytes) -> bytes:
    """The pages of `first` followed by those of `extra` (an uploaded result and its verification page)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (first, extra):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
