"""The center manager's screens: the live board and the queue statistics (with a CSV export).

Who may open them: the center's managers, leadership viewers of an organization above the center,
administrators whose subtree holds it, and superusers. Operators get 403; anonymous users are sent
to log in.
"""

from __future__ import annotations

import csv
import datetime as dt
import math

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from darcha.core import access
from darcha.core.models import Organization

from ..selectors import center_or_404
from ..stats import MAX_RANGE_DAYS, Figures, live_board, queue_stats

REFRESH_SECONDS = 5
MIN_CHART_HOURS = 8


# --- Access ---------------------------------------------------------------------------------
def _center(request, code: str) -> Organization:
    """The center, for its watchers (`access.CENTER_WATCHERS`): its managers, leadership governing it,
    administrators above or at it, superusers."""
    center = center_or_404(code, active=False)
    message = _("Only the center's managers and the leadership above it may open this page.")
    access.require_role(request.user, access.CENTER_WATCHERS, center, message)
    return center


# --- The date range -------------------------------------------------------------------------
class RangeForm(forms.Form):
    """A period of whole days, both ends included; an empty end means today."""

    date_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from is None or date_to is None:
            return data
        if date_from > date_to:
            raise forms.ValidationError(_("The start of the period must not be after its end."), code="order")
        if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("The period may span at most %(days)d days.") % {"days": MAX_RANGE_DAYS}, code="too_long"
            )
        return data


def _range_form(request) -> RangeForm:
    today = timezone.localdate().isoformat()
    params = request.GET.copy()
    for name in ("date_from", "date_to"):
        if not params.get(name, "").strip():
            params[name] = today
    return RangeForm(params)


def _errors(form: RangeForm) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


# --- The live board -------------------------------------------------------------------------
@require_GET
@never_cache
def manager_board(request, center):
    if not request.user.is_authenticated:
        login = redirect_to_login(request.path)
        if request.headers.get("HX-Request"):
            # The board's poll after the session ended: send the whole page to log in, rather
            # than swap the login form into the board.
            response = HttpResponse(status=401)
            response["HX-Redirect"] = login.url
            return response
        return login
    center = _center(request, center)
    board = live_board(center)
    context = {
        "center": center,
        "board": board,
        "refresh_seconds": REFRESH_SECONDS,
        "stream_url": reverse("queues:board_stream", kwargs={"center": center.code}),
    }
    fragment = bool(request.headers.get("HX-Request"))
    template = "queues/manager/_board_live.html" if fragment else "queues/manager/board.html"
    response = render(request, template, context)
    # One URL answers with a page or, to htmx, a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Statistics -----------------------------------------------------------------------------
def _nice_ceiling(value: float) -> int:
    """An axis maximum at or above the value that quarters into whole numbers: 4, 8, 12, 20, 40, 80…"""
    for power in range(9):
        for step in (4, 8, 12, 20):
            if step * 10**power >= value:
                return step * 10**power
    return math.ceil(value)


def _number(value: float) -> str:
    return f"{value:g}"


def hour_chart(hours: list[Figures], target_minutes: int) -> dict | None:
    """Geometry of the per-hour bar chart (tickets issued, mean wait), drawn as SVG by the template.

    Coordinates are strings, so the template never localizes them (a decimal comma breaks SVG)."""
    if not hours:
        return None
    by_hour = {f.key: f for f in hours if f.key is not None}
    first, last = min(by_hour), max(by_hour)
    # A short day still reads as a day, not as two fat bars: the hours after it, or before if late.
    last = min(23, max(last, first + MIN_CHART_HOURS - 1))
    first = max(0, min(first, last - MIN_CHART_HOURS + 1))
    slots = list(range(first, last + 1))
    width, height = 760, 280
    left, right, top, bottom = 44, 52, 18, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    max_tickets = _nice_ceiling(max((f.issued for f in by_hour.values()), default=0))
    waits = [f.mean_wait_minutes or 0 for f in by_hour.values()]
    max_wait = _nice_ceiling(max([*waits, target_minutes]))
    slot = plot_w / len(slots)
    bar = min(slot * 0.34, 26)
    base = top + plot_h

    def y_of(value: float, scale: float) -> float:
        return base - plot_h * value / scale

    bars = []
    for index, hour in enumerate(slots):
        figures = by_hour.get(hour)
        issued = figures.issued if figures else 0
        wait = (figures.mean_wait_minutes if figures else None) or 0
        center_x = left + slot * (index + 0.5)
        tickets_y, wait_y = y_of(issued, max_tickets), y_of(wait, max_wait)
        bars.append(
            {
                "hour": f"{hour:02d}",
                "label_x": f"{center_x:.1f}",
                "tickets": issued,
                "tickets_x": f"{center_x - bar - 1:.1f}",
                "tickets_y": f"{tickets_y:.1f}",
                "tickets_h": f"{base - tickets_y:.1f}",
                "tickets_text_x": f"{center_x - bar / 2 - 1:.1f}",
                "tickets_text_y": f"{tickets_y - 4:.1f}",
                "wait": figures.mean_wait_minutes if figures else None,
                "wait_x": f"{center_x + 1:.1f}",
                "wait_y": f"{wait_y:.1f}",
                "wait_h": f"{base - wait_y:.1f}",
                "over": bool(figures and figures.mean_wait_minutes and figures.mean_wait_minutes > target_minutes),
            }
        )
    ticks = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = base - plot_h * fraction
        ticks.append(
            {"y": f"{y:.1f}", "text_y": f"{y + 4:.1f}", "tickets": _number(max_tickets * fraction),
             "wait": _number(max_wait * fraction)}
        )  # fmt: skip
    target_y = y_of(target_minutes, max_wait)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right_x": width - right,
        "right_text_x": width - right + 6,
        "left_text_x": left - 6,
        "base": f"{base:.1f}",
        "label_y": f"{base + 18:.1f}",
        "axis_label_y": f"{height - 4:.1f}",
        "bar": f"{bar:.1f}",
        "bars": bars,
        "ticks": ticks,
        "target_y": f"{target_y:.1f}",
        "target_text_y": f"{target_y - 5:.1f}",
    }


def _presets(date_from, date_to) -> list[dict]:
    today = timezone.localdate()
    periods = [
        (_("Today"), today, today),
        (_("Yesterday"), today - dt.timedelta(days=1), today - dt.timedelta(days=1)),
        (_("Last 7 days"), today - dt.timedelta(days=6), today),
        (_("Last 30 days"), today - dt.timedelta(days=29), today),
        (_("This month"), today.replace(day=1), today),
    ]
    return [
        {"label": label, "from": start, "to": end, "current": (start, end) == (date_from, date_to)}
        for label, start, end in periods
    ]


@require_GET
@login_required
def stats(request, center):
    center = _center(request, center)
    form = _range_form(request)
    if not form.is_valid():
        return render(
            request,
            "queues/manager/stats.html",
            {"center": center, "form": form, "errors": _errors(form), "presets": _presets(None, None)},
            status=400,
        )
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    result = queue_stats(center, date_from, date_to)
    context = {
        "center": center,
        "form": form,
        "presets": _presets(date_from, date_to),
        "stats": result,
        "chart": hour_chart(result.by_hour, result.target_minutes),
        "csv_query": f"date_from={date_from.isoformat()}&date_to={date_to.isoformat()}",
        "single_day": date_from == date_to,
    }
    return render(request, "queues/manager/stats.html", context)


def _cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@login_required
def stats_csv(request, center):
    center = _center(request, center)
    form = _range_form(request)
    if not form.is_valid():
        return HttpResponse("\n".join(_errors(form)) + "\n", status=400, content_type="text/plain; charset=utf-8")
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    result = queue_stats(center, date_from, date_to)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"queue-{center.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # the byte-order mark makes spreadsheets read Cyrillic and ʻ correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Service code"),
            _("Service"),
            _("Issued"),
            _("Called"),
            _("Served"),
            _("No-shows"),
            _("Not served"),
            _("Mean wait, min"),
            _("90th percentile of wait, min"),
            _("Mean service time, min"),
            _("Called within %(minutes)d min, %%") % {"minutes": result.target_minutes},
        ]
    )
    for row in [*result.by_service, result.total]:
        writer.writerow(
            [
                _cell(row.code),
                _cell(row.label),
                row.issued,
                row.called,
                row.served,
                row.no_shows,
                row.not_served,
                _cell(row.mean_wait_minutes),
                _cell(row.p90_wait_minutes),
                _cell(row.mean_service_minutes),
                _cell(row.share_percent),
            ]
        )
    return response


urlpatterns = [
    path("<slug:center>/manager/", manager_board, name="manager_board"),
    path("<slug:center>/stats/", stats, name="stats"),
    path("<slug:center>/stats.csv", stats_csv, name="stats_csv"),
]
