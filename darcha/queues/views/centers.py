"""The queue's front door: every center, with its hours today and the ways in (book, kiosk, board)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from darcha.core import hours as opening_rule
from darcha.core.calendar import WorkingCalendar

from ..selectors import centers_with_counters


def center_list(request):
    now = timezone.now()
    calendar = WorkingCalendar.current()
    rows = []
    for center in centers_with_counters():
        weekly = {row.weekday: (row.opens, row.closes) for row in center.opening_hours.all()}
        # The one rule of the kiosk, the console and the end of the day (core.hours).
        opening = opening_rule.opening(now, weekly, calendar)
        rows.append(
            {
                "center": center,
                "opening": opening,
                "closed_text": "" if opening.is_open else opening_rule.closed_text(opening),
            }
        )
    return render(request, "queues/centers.html", {"rows": rows, "today": timezone.localdate(now)})


urlpatterns = [path("", center_list, name="centers")]
