"""Months without a press event (a 2018 government decision: at least one a month), a pure function."""

import datetime as dt

from darcha.infoservice.media.events import months

D = dt.date


def test_a_past_month_without_an_event_is_missed_and_the_current_one_is_due_or_planned():
    summary = months.months_summary(
        held=[D(2026, 1, 20), D(2026, 3, 5), D(2026, 3, 25)],
        planned=[],
        today=D(2026, 4, 10),
        months=4,
    )
    assert [(m.year, m.month, m.held, m.state) for m in summary] == [
        (2026, 1, 1, months.HELD),
        (2026, 2, 0, months.MISSED),
        (2026, 3, 2, months.HELD),
        (2026, 4, 0, months.DUE),
    ]
    assert [m.month for m in months.missed_months(summary)] == [2]

    planned = months.months_summary(held=[], planned=[D(2026, 4, 28)], today=D(2026, 4, 10), months=1)
    assert planned[0].state == months.PLANNED and planned[0].planned == 1


def test_the_window_crosses_the_year_and_starts_at_the_first_event():
    summary = months.months_summary(
        held=[D(2025, 12, 3)], planned=[], today=D(2026, 2, 1), months=12, since=D(2025, 11, 15)
    )
    assert [(m.year, m.month, m.state) for m in summary] == [
        (2025, 11, months.MISSED),
        (2025, 12, months.HELD),
        (2026, 1, months.MISSED),
        (2026, 2, months.DUE),
    ]
    assert months.month_window(D(2026, 1, 31), 3) == [(2025, 11), (2025, 12), (2026, 1)]
