"""The queue's front door: every center, with its hours today and the ways in (book, kiosk, board)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization


def center_list(request):
    today = timezone.localdate()
    calendar = WorkingCalendar.current()
    centers = (
        Organization.objects.filter(kind=OrganizationKind.CENTER, is_active=True, counters__isnull=False)
        .distinct()
        .prefetch_related("opening_hours")
        .order_by("path")
    )
    rows = []
    for center in centers:
        hours = next((h for h in center.opening_hours.all() if h.weekday == today.weekday()), None)
        open_today = hours is not None and (calendar.is_working_day(today) or today.weekday() == 5)
        rows.append({"center": center, "hours": hours if open_today else None})
    return render(request, "queues/centers.html", {"rows": rows, "today": today})


urlpatterns = [path("", center_list, name="centers")]
