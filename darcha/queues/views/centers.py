"""The queue's front door: every center, with its hours today and the ways in (book, kiosk, board)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from darcha.core.calendar import WorkingCalendar

from ..selectors import centers_with_counters


def center_list(request):
    today = timezone.localdate()
    calendar = WorkingCalendar.current()
    rows = []
    for center in centers_with_counters():
        hours = next((h for h in center.opening_hours.all() if h.weekday == today.weekday()), None)
        open_today = hours is not None and (calendar.is_working_day(today) or today.weekday() == 5)
        rows.append({"center": center, "hours": hours if open_today else None})
    return render(request, "queues/centers.html", {"rows": rows, "today": today})


urlpatterns = [path("", center_list, name="centers")]
