"""Public pages of accreditation:

verify/<code>/     verify     is this accreditation card genuine and in force today? whose (name, outlet,
                              position), at which hokimiyat, from when until when; never cached, limited
                              per client address so codes cannot be tried in bulk
outlets/           outlets    the outlets' registry (?kind= &q=): name, kind, certificate, country and how
                              many of its journalists are accredited
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from darcha.core.throttle import TOO_MANY, ClientLimit

from .. import selectors
from ..card import accreditation_for_code, card_number
from ..choices import AccreditationStatus, OutletKind

LIMITS = {"verify": ClientLimit("media-verify", attempts=20, window=600)}


def _noindex(response):
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def verify(request, code):
    if LIMITS["verify"].reached(request):
        return _noindex(render(request, "media/verify.html", {"too_many": str(TOO_MANY)}, status=429))
    LIMITS["verify"].count(request)
    accreditation = accreditation_for_code(code)
    if accreditation is None:
        return _noindex(render(request, "media/verify.html", {"missing": True}, status=404))
    today = timezone.localdate()
    context = {
        "accreditation": accreditation,
        "number": card_number(accreditation),
        "valid_today": accreditation.is_valid_on(today),
        "not_yet": accreditation.status == AccreditationStatus.APPROVED
        and accreditation.valid_from is not None
        and accreditation.valid_from > today,
        "ended": accreditation.valid_until is not None and accreditation.valid_until < today,
        "today": today,
    }
    return _noindex(render(request, "media/verify.html", context))


@never_cache
@require_GET
def outlets(request):
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "outlets": selectors.outlets(kind=kind, query=query),
        "kinds": OutletKind.choices,
        "kind": kind,
        "query": query,
    }
    return render(request, "media/outlets.html", context)


urlpatterns = [
    path("verify/<str:code>/", verify, name="verify"),
    path("outlets/", outlets, name="outlets"),
]
