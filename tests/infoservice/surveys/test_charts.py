"""The server-rendered SVG charts: accessible (role, title, description with every figure), escaped, and
bars as wide as their shares."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from darcha.infoservice.surveys.charts import Bar, bar_chart, stacked_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_valid_accessible_svg():
    svg = bar_chart(chart_id="c1", title="1. Source", bars=[Bar("TV", 3, 75.0), Bar("<script>x</script>", 1, 25.0)])
    root = ET.fromstring(str(svg))  # noqa: S314 — our own output; well-formed XML
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "1. Source"
    desc = root.find(f"{SVG}desc").text
    assert "TV: 75.0 % (3)" in desc and "25.0 %" in desc
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    track, first, _track2, second = widths
    assert first == track * 0.75 and second == track * 0.25


def test_a_stacked_chart_splits_each_row():
    svg = stacked_chart(
        chart_id="m",
        title="Rate",
        columns=["Good", "Bad"],
        rows=[
            ("Speed", [Bar("Good", 1, 50.0), Bar("Bad", 1, 50.0)]),
            ("Clarity", [Bar("Good", 0, 0.0), Bar("Bad", 2, 100.0)]),
        ],
    )
    root = ET.fromstring(str(svg))  # noqa: S314 — our own output
    assert (
        "Speed: Good 50.0 % (1); Bad 50.0 % (1) | Clarity: Good 0.0 % (0); Bad 100.0 % (2)"
        == root.find(f"{SVG}desc").text
    )
    assert "style=" not in str(svg)  # the Content-Security-Policy allows no inline style
