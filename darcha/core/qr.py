"""QR codes as inline SVG (segno: pure Python, no image libraries), for tickets, receipts and results.

    qr_svg("https://…/queue/ticket/Ab3…/", label="Live queue position")
    → '<svg viewBox="0 0 37 37" class="qr" role="img" aria-label="…">…</svg>' (safe to put in a template)

The SVG has no fixed size: CSS gives it its width (about 30 mm on an 80 mm ticket). Error
correction level M survives a crease or a smudge of thermal paper; the quiet zone (border) is
the two modules segno's readers need at least, the paper margin adds the rest.
"""

from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str = "", border: int = 2, css_class: str = "qr") -> SafeString:
    """The QR code of `data` as an inline <svg>, scalable, black on transparent."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=border, omitsize=True, svgclass=css_class, lineclass=None, dark="#000")
    attributes = f' role="img" aria-label="{escape(label)}"' if label else ' aria-hidden="true"'
    # segno writes `<svg viewBox=…`; the accessibility attributes go right after the tag name.
    svg = svg.replace("<svg", "<svg" + attributes + ' shape-rendering="crispEdges"', 1)
    return mark_safe(svg)  # noqa: S308 — segno's own markup: the data is encoded as modules, not as text
