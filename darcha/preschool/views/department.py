"""The district preschool department's desk: every kindergarten of the city or district with its seats and
queues, seat changes per group, the campaign settings, running the main campaign with a progress bar, its
report, and the past campaigns and continuous allocation runs.

    desk/district/<district>/                                 department_desk
    desk/district/<district>/seats/<kindergarten>/            department_seats          GET; POST program, seats
    desk/district/<district>/campaigns/new/                   department_campaign_new   POST school_year,
                                                                                        reference_date, max_choices,
                                                                                        district_only
    desk/district/<district>/campaigns/<id>/                  department_campaign
    desk/district/<district>/campaigns/<id>/start/            department_campaign_start POST
    desk/district/<district>/campaigns/<id>/progress/         department_campaign_progress  the bar (htmx, every 1 s)

For the officers of the district's preschool department (their role reaches the whole district); everyone
else 403, anonymous visitors the login page; a kindergarten or campaign of another district is not found.
Running a campaign queues it as a background task (`services.campaign_start`); the page polls the small
progress fragment every second while it runs and reloads itself when it is done, to show the report.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.errors import attempt
from darcha.core.models import Organization

from .. import ages, services
from ..choices import AgeGroup, CampaignKind, CampaignStatus
from ..models import Benefit, Campaign
from ..selectors import (
    desk_district,
    desk_kindergarten,
    desk_program,
    desk_programs,
    district_campaign,
    district_campaigns,
    district_kindergartens,
)
from ..services.campaigns import MAX_CHOICES_LIMIT

POLL_SECONDS = 1
CONTINUOUS_SHOWN = 20


# --- access -------------------------------------------------------------------------------------
def department_access(view):
    """Open the desk of the district in the address to the officers of its preschool department."""

    @wraps(view)
    def wrapper(request, district: str, **kwargs):
        if not request.user.is_authenticated:
            if request.headers.get("HX-Request"):
                # The progress bar's poll after the session ended: send the whole page to log in.
                response = HttpResponse(status=401)
                response["HX-Redirect"] = redirect_to_login(reverse("preschool:department_desk", args=[district])).url
                return response
            return redirect_to_login(reverse("preschool:department_desk", args=[district]))
        place = desk_district(district)
        if place is None:
            raise Http404(_("No such city or district."))
        access.require_role(
            request.user,
            Role.PRESCHOOL_OFFICER,
            place,
            _("Only the officers of this district's preschool department work at its desk."),
        )
        return view(request, place, **kwargs)

    return wrapper


def _see(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # see the page again, by GET
    return response


# --- the campaign's settings -------------------------------------------------------------------------
class CampaignForm(forms.Form):
    """The settings as typed; their limits are the service's to check (campaign_create), so the page and
    the API say the same thing. The browser is told the limits too."""

    school_year = forms.IntegerField(
        label=gettext_lazy("School year starting"),
        help_text=gettext_lazy("e.g. 2027 for 2027/28"),
        widget=forms.NumberInput(attrs={"min": 2000, "max": 2100}),
    )
    reference_date = forms.DateField(
        label=gettext_lazy("Age counted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: the usual day of that year."),
    )
    max_choices = forms.IntegerField(
        label=gettext_lazy("Kindergartens a family may rank"),
        help_text=gettext_lazy("From 1 to 5; with 1, each family has one kindergarten, as before."),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_CHOICES_LIMIT}),
    )
    district_only = forms.BooleanField(label=gettext_lazy("Only this district's kindergartens"), required=False)


def campaign_form(data=None) -> CampaignForm:
    year = ages.school_year_for(timezone.now())
    initial = {
        "school_year": year,
        "reference_date": ages.reference_date(year),
        "max_choices": settings.PRESCHOOL_MAX_CHOICES,
        "district_only": True,
    }
    return CampaignForm(data, initial=initial)


# --- the desk -----------------------------------------------------------------------------------
def desk_context(request, district: Organization, **extra) -> dict:
    rows = district_kindergartens(district)
    main = list(district_campaigns(district, kind=CampaignKind.MAIN))
    for campaign in main:
        campaign.years_label = school_years(campaign.school_year)
    context = {
        "district": district,
        "rows": rows,
        "totals": {
            "kindergartens": len(rows),
            "seats": sum(r.seats for r in rows),
            "held": sum(r.held for r in rows),
            "free": sum(r.free for r in rows),
            "closed": sum(1 for r in rows if r.kindergarten.closed_since),
        },
        "campaigns": main,
        "running": next((c for c in main if c.status == CampaignStatus.RUNNING), None),
        "continuous": list(district_campaigns(district, kind=CampaignKind.CONTINUOUS, limit=CONTINUOUS_SHOWN)),
        "form": campaign_form(),
        "error": "",
    }
    context.update(extra)
    return context


@never_cache
@require_GET
@department_access
def department_desk(request, district: Organization):
    return render(request, "preschool/department/desk.html", desk_context(request, district))


@require_POST
@department_access
def department_campaign_new(request, district: Organization):
    form = campaign_form(request.POST)

    def run():
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        data = form.cleaned_data
        return services.campaign_create(
            actor=request.user,
            district=district,
            school_year=data["school_year"],
            reference_date=data["reference_date"],
            max_choices=data["max_choices"],
            district_only=data["district_only"],
            kind=CampaignKind.MAIN,
        )

    done = attempt(run)
    if done.ok:
        messages.success(
            request,
            _("The campaign for %(year)s is prepared. Check its settings and run it.")
            % {"year": school_years(done.value.school_year)},
        )
        return _see(reverse("preschool:department_campaign", args=[district.code, done.value.pk]))
    for name, field_messages in done.field_errors.items():
        # The service's messages beside the fields they are about (the form's own are there already).
        if name in form.fields and not form.has_error(name):
            form.add_error(name, field_messages)
    context = desk_context(request, district, form=form, error=done.message)
    return render(request, "preschool/department/desk.html", context, status=done.status)


# --- seats per group --------------------------------------------------------------------------------
def _garden(district: Organization, code: str):
    garden = desk_kindergarten(code)
    if garden is None or garden.organization.parent_id != district.pk:
        raise Http404(_("No such kindergarten in this district."))
    return garden


def _seats_page(request, district, garden, *, status: int = 200, **extra):
    context = {
        "district": district,
        "garden": garden,
        "programs": desk_programs(garden),
        "error": "",
        "error_id": None,
        "typed": {},
    }
    context.update(extra)
    return render(request, "preschool/department/seats.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@department_access
def department_seats(request, district: Organization, kindergarten: str):
    garden = _garden(district, kindergarten)
    if request.method == "GET":
        return _seats_page(request, district, garden)
    program = desk_program(garden, request.POST.get("program"))
    if program is None:
        raise Http404(_("No such group at this kindergarten."))
    typed = request.POST.get("seats", "").strip()

    done = attempt(lambda: services.program_seats_set(actor=request.user, program=program, seats=typed))
    if done.ok:
        messages.success(
            request,
            _("%(group)s now has %(seats)d seats.") % {"group": program_label(done.value), "seats": done.value.seats},
        )
        return _see(reverse("preschool:department_seats", args=[district.code, garden.organization.code]))
    return _seats_page(
        request,
        district,
        garden,
        status=done.status,
        error=done.message,
        error_id=program.pk,
        typed={"seats": typed[:9]},
    )


def program_label(program) -> str:
    return " · ".join(
        str(part)
        for part in (program.get_age_group_display(), program.get_language_display(), program.get_regime_display())
    )


# --- one campaign: run, progress, report ------------------------------------------------------------
def school_years(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _campaign(district: Organization, campaign_id: int) -> Campaign:
    campaign = district_campaign(district, campaign_id)
    if campaign is None:
        raise Http404(_("No such campaign in this district."))
    return campaign


def is_under_way(campaign: Campaign) -> bool:
    """Queued or running (campaign_start marks it running at once): the progress bar shows and polls."""
    return campaign.status == CampaignStatus.RUNNING


def may_run(campaign: Campaign) -> bool:
    """In preparation, or failed (nothing of a failed run was kept): the Run button shows."""
    return campaign.kind == CampaignKind.MAIN and campaign.status in (CampaignStatus.DRAFT, CampaignStatus.FAILED)


def report_view(campaign: Campaign) -> dict | None:
    """The stored report (services.campaigns) as the page reads it: totals, and rows by category and by age
    group with their labels in the page's language."""
    report = campaign.report or {}
    if campaign.status != CampaignStatus.DONE or not report:
        return None
    by_category = report.get("by_category") or {}
    benefits = {b.code: b.name for b in Benefit.objects.filter(code__in=[c for c in by_category if c != "general"])}
    labels = {"general": _("General list"), **benefits}
    groups = {**dict(AgeGroup.choices), "none": _("No group")}

    def rows(figures: dict, names: dict) -> list[dict]:
        return [
            {"label": names.get(code, code), "placed": counts.get("placed", 0), "waiting": counts.get("waiting", 0)}
            for code, counts in figures.items()
        ]

    return {
        "applications": report.get("applications", 0),
        "placed": report.get("placed", 0),
        "moved_up": report.get("moved_up", 0),
        "kept": report.get("kept", 0),
        "waiting": report.get("waiting", 0),
        "notices": report.get("notices"),
        "by_category": rows(by_category, labels),
        "by_age_group": rows(report.get("by_age_group") or {}, groups),
        "seed": report.get("seed") or campaign.seed,
    }


def campaign_context(request, district: Organization, campaign: Campaign, **extra) -> dict:
    context = {
        "district": district,
        "campaign": campaign,
        "school_years": school_years(campaign.school_year),
        "under_way": is_under_way(campaign),
        "may_run": may_run(campaign),
        "poll_seconds": POLL_SECONDS,
        "report": report_view(campaign),
        "error": "",
    }
    context.update(extra)
    return context


@never_cache
@require_GET
@department_access
def department_campaign(request, district: Organization, campaign_id: int):
    campaign = _campaign(district, campaign_id)
    return render(request, "preschool/department/campaign.html", campaign_context(request, district, campaign))


@require_POST
@department_access
def department_campaign_start(request, district: Organization, campaign_id: int):
    campaign = _campaign(district, campaign_id)
    done = attempt(lambda: services.campaign_start(actor=request.user, campaign=campaign))
    if done.ok:
        messages.success(request, _("The campaign is running. The bar below shows how far it has got."))
        return _see(reverse("preschool:department_campaign", args=[district.code, campaign.pk]))
    fresh = _campaign(district, campaign_id)
    context = campaign_context(request, district, fresh, error=done.message)
    return render(request, "preschool/department/campaign.html", context, status=done.status)


@never_cache
@require_GET
@department_access
def department_campaign_progress(request, district: Organization, campaign_id: int):
    """The progress bar alone. Polled while the campaign runs; once it is over, htmx reloads the page."""
    campaign = _campaign(district, campaign_id)
    response = render(request, "preschool/department/_progress.html", campaign_context(request, district, campaign))
    if request.headers.get("HX-Request") and not is_under_way(campaign):
        response["HX-Refresh"] = "true"
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("desk/district/<slug:district>/", department_desk, name="department_desk"),
    path("desk/district/<slug:district>/seats/<slug:kindergarten>/", department_seats, name="department_seats"),
    path("desk/district/<slug:district>/campaigns/new/", department_campaign_new, name="department_campaign_new"),
    path("desk/district/<slug:district>/campaigns/<int:campaign_id>/", department_campaign, name="department_campaign"),
    path(
        "desk/district/<slug:district>/campaigns/<int:campaign_id>/start/",
        department_campaign_start,
        name="department_campaign_start",
    ),
    path(
        "desk/district/<slug:district>/campaigns/<int:campaign_id>/progress/",
        department_campaign_progress,
        name="department_campaign_progress",
    ),
]
