"""Charts of survey results, rendered on the server as SVG (no script, no library, no CDN).

Each chart is an `<svg role="img">` labelled by its `<title>` and described by its `<desc>`, which spells
out every figure, so a screen reader hears the numbers; the pages print the same numbers in a table beside
the chart. Colours are SVG presentation attributes (the Content-Security-Policy allows no inline style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_ROW = 20
BAR = 18
GAP = 12
PALETTE = ("#0b5f7a", "#d99a00", "#3d8f4f", "#b5473a", "#6b5ca5", "#4f7f8f", "#8c6d31", "#a23b72")
INK = "#1d2a33"
TRACK = "#e6edf0"
FONT = "Noto Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float


def _number(value: float, digits: int = 1) -> str:
    return formats.number_format(value, digits, use_l10n=True)


def _count(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="survey-chart" id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" font-family="{FONT}">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(*, chart_id: str, title: str, bars: Sequence[Bar], unit_total: str = "") -> SafeString:
    """Horizontal bars, one per answer, each as wide as its share of 100 %, with the share and the count."""
    desc = "; ".join(f"{bar.label}: {_number(bar.percent)} % ({_count(bar.count)})" for bar in bars)
    if unit_total:
        desc = f"{unit_total}. {desc}"
    step = LABEL_ROW + BAR + GAP
    height = max(step * len(bars) + GAP, 40)
    track = WIDTH - 150
    parts = _open(chart_id, height, title, desc)
    for index, bar in enumerate(bars):
        y = GAP + index * step
        width = round(track * max(0.0, min(bar.percent, 100.0)) / 100.0, 1)
        colour = PALETTE[0]  # one colour: a bar's length carries the figure, its colour nothing
        parts += [
            '<g aria-hidden="true">',
            f'<text x="0" y="{y + 14}" font-size="14" fill="{INK}">{escape(_clip(bar.label))}</text>',
            f'<rect x="0" y="{y + LABEL_ROW}" width="{track}" height="{BAR}" rx="3" fill="{TRACK}"/>',
            f'<rect x="0" y="{y + LABEL_ROW}" width="{width}" height="{BAR}" rx="3" fill="{colour}"/>',
            f'<text x="{track + 8}" y="{y + LABEL_ROW + 14}" font-size="13" fill="{INK}">'
            f"{escape(_number(bar.percent))} % · {escape(_count(bar.count))}</text>",
            "</g>",
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def stacked_chart(
    *, chart_id: str, title: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[Bar]]]
) -> SafeString:
    """A matrix: one bar per row split into its answers' shares (a legend of the answers on top)."""
    desc = " | ".join(
        f"{label}: " + "; ".join(f"{bar.label} {_number(bar.percent)} % ({_count(bar.count)})" for bar in bars)
        for label, bars in rows
    )
    legend_rows = (len(columns) + 2) // 3
    legend = legend_rows * 22 + GAP
    step = LABEL_ROW + BAR + GAP + 6
    height = legend + step * len(rows) + GAP
    parts = _open(chart_id, height, title, desc)
    parts.append('<g aria-hidden="true">')
    for index, column in enumerate(columns):
        x, y = (index % 3) * (WIDTH // 3), GAP + (index // 3) * 22
        parts += [
            f'<rect x="{x}" y="{y}" width="14" height="14" rx="2" fill="{PALETTE[index % len(PALETTE)]}"/>',
            f'<text x="{x + 20}" y="{y + 12}" font-size="13" fill="{INK}">{escape(_clip(column, 28))}</text>',
        ]
    for index, (label, bars) in enumerate(rows):
        y = legend + index * step
        parts.append(f'<text x="0" y="{y + 14}" font-size="14" fill="{INK}">{escape(_clip(label))}</text>')
        parts.append(f'<rect x="0" y="{y + LABEL_ROW}" width="{WIDTH}" height="{BAR}" rx="3" fill="{TRACK}"/>')
        x = 0.0
        for position, bar in enumerate(bars):
            width = WIDTH * max(0.0, min(bar.percent, 100.0)) / 100.0
            if width <= 0:
                continue
            colour = PALETTE[position % len(PALETTE)]
            parts.append(
                f'<rect x="{round(x, 1)}" y="{y + LABEL_ROW}" width="{round(width, 1)}" '
                f'height="{BAR}" fill="{colour}"/>'
            )
            if bar.percent >= 8:
                parts.append(
                    f'<text x="{round(x + 4, 1)}" y="{y + LABEL_ROW + 13}" font-size="12" fill="#ffffff">'
                    f"{escape(_number(bar.percent, 0))} %</text>"
                )
            x += width
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
