from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from darcha.core.pagecache import public_page

from .models import Category, Service
from .selectors import (
    active_services,
    categories_with_counts,
    fee_today,
    procedure_timeline,
    service_agencies,
    service_detail,
    service_search,
)


@public_page("catalog")
def home(request):
    return render(
        request,
        "catalog/home.html",
        {
            "categories": categories_with_counts(),
            "popular": active_services().filter(online=True)[:6],
            "service_count": active_services().count(),
        },
    )


@public_page("catalog")
def service_list(request):
    query = request.GET.get("q", "").strip()[:200]
    services = service_search(query) if query else active_services()
    audience = request.GET.get("for", "")
    if audience == "individual":
        services = services.filter(for_individuals=True)
    elif audience == "legal":
        services = services.filter(for_legal_entities=True)
    if request.GET.get("online") == "1":
        services = services.filter(online=True)
    page = Paginator(services.order_by("category__position", "code"), 30).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "page": page,
        "audience": audience,
        "online": request.GET.get("online") == "1",
        "categories": categories_with_counts(),
    }
    template = "catalog/_results.html" if request.headers.get("HX-Request") else "catalog/service_list.html"
    response = render(request, template, context)
    # One URL answers with a page or, to htmx, a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@public_page("catalog")
def category_detail(request, code):
    category = get_object_or_404(Category, code=code)
    services = active_services().filter(category=category)
    if not services.exists():
        raise Http404
    return render(
        request,
        "catalog/category_detail.html",
        {
            "category": category,
            "services": services,
            "categories": categories_with_counts(),
        },
    )


def _service_context(code: str) -> dict:
    try:
        service = service_detail(code)
    except Service.DoesNotExist:
        raise Http404 from None
    documents = list(service.documents.all())
    return {
        "service": service,
        "documents_to_bring": [d for d in documents if not d.obtained_by_center],
        "documents_by_center": [d for d in documents if d.obtained_by_center],
        "fee": fee_today(service),
        "today": timezone.localdate(),
        "timeline": procedure_timeline(service),
        "agencies": service_agencies(service),
        "discounts": list(service.discounts.all()),
    }


@public_page("catalog")
def service_page(request, code):
    return render(request, "catalog/service_detail.html", _service_context(code))


@public_page("catalog")
def service_checklist(request, code):
    """A one-page checklist to print: what to bring, what it costs, how long it takes."""
    return render(request, "catalog/service_checklist.html", _service_context(code))
