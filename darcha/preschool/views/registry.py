"""The public preschool section: what it is and how to apply, the registry of kindergartens with their
free places, and one page per kindergarten with every group's seats, queue, fee and last cutoff.

    preschool/                                 home           the landing page
    preschool/kindergartens/                   kindergartens  the list: filters, search, pages (htmx fragment)
    preschool/kindergartens/<code>/            kindergarten   one kindergarten (its organization's code)

Anonymous, in every language, held by the page cache (content "preschool": core.pagecache) and carrying no
form, token or cookie. Figures come from the selectors in a fixed number of queries
(tests/preschool/query_counts.json).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from darcha.catalog.models import Category
from darcha.core.pagecache import public_page

from ..choices import AgeGroup, KindergartenKind, Regime, TeachingLanguage
from ..models import Kindergarten
from ..selectors import (
    benefits_in_force,
    registry_districts,
    registry_filters,
    registry_kindergarten,
    registry_page_programs,
    registry_search,
    registry_totals,
)

PAGE_SIZE = 20
# The catalog category of the center's "Baxtli bola" preschool desk (its queue category at the kiosk).
DESK_CATEGORY = getattr(settings, "PRESCHOOL_DESK_CATEGORY", "baxtli-bola")


def _reference_day() -> dt.date:
    # Only its day and month are shown ("1 September"): any year does.
    return dt.date(2000, settings.PRESCHOOL_REFERENCE_MONTH, settings.PRESCHOOL_REFERENCE_DAY)


@public_page("preschool")
def home(request):
    benefits = list(benefits_in_force(timezone.localdate()).order_by("tier", "order", "code"))
    return render(
        request,
        "preschool/registry/home.html",
        {
            "totals": registry_totals(),
            "benefits": benefits,
            "several_tiers": len({benefit.tier for benefit in benefits}) > 1,
            "max_choices": settings.PRESCHOOL_MAX_CHOICES,
            "referral_days": settings.PRESCHOOL_REFERRAL_DAYS,
            "reference_day": _reference_day(),
            "desk": Category.objects.filter(code=DESK_CATEGORY, services__is_active=True).distinct().first(),
        },
    )


@public_page("preschool")
def kindergarten_list(request):
    districts = registry_districts()
    filters = registry_filters(request.GET, districts)
    page = Paginator(registry_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    registry_page_programs(page.object_list, filters)
    context = {
        "page": page,
        "filters": filters,
        "districts": list(districts),
        "kinds": KindergartenKind.choices,
        "languages": TeachingLanguage.choices,
        "regimes": Regime.choices,
        "age_groups": AgeGroup.choices,
        "query_string": _without_page(request.GET),
    }
    template = (
        "preschool/registry/_results.html" if request.headers.get("HX-Request") else "preschool/registry/list.html"
    )
    response = render(request, template, context)
    # One URL answers with a page or, to htmx, a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _without_page(params) -> str:
    kept = params.copy()
    kept.pop("page", None)
    return kept.urlencode()


@public_page("preschool")
def kindergarten_page(request, code):
    try:
        garden = registry_kindergarten(code)
    except Kindergarten.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "preschool/registry/kindergarten.html",
        {"garden": garden, "programs": garden.registry_programs},
    )
