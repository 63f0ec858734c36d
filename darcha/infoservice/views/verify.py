"""The answer letter's verification page (its QR code links here), public and not cached:

    verify/<code>/     is this letter genuine? the hokimiyat, the appeal's and the answer's numbers, the
                       date, the outcome, who approved it, and the PDF's SHA-256 digest

Nothing here names the author (their name is on the letter only). Lookups are limited per client address,
so codes cannot be tried in bulk; an unknown code and a draft's code get the same "no such letter".
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from darcha.core.throttle import TOO_MANY, ClientLimit

from ..letters import answer_for_code, answer_number, ground_label, letter_ensure, person_name

LIMITS = {"verify": ClientLimit("appeals-verify", attempts=20, window=600)}


def _noindex(response):
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def verify(request, code):
    if LIMITS["verify"].reached(request):
        return _noindex(render(request, "infoservice/verify.html", {"too_many": str(TOO_MANY)}, status=429))
    LIMITS["verify"].count(request)
    answer = answer_for_code(code)
    if answer is None:
        return _noindex(render(request, "infoservice/verify.html", {"missing": True}, status=404))
    letter_ensure(answer)  # its digest is shown: the letter rendered now if nobody has asked for it yet
    replaced_by = getattr(answer, "corrected_by", None)
    context = {
        "answer": answer,
        "appeal": answer.appeal,
        "organization": answer.appeal.organization,
        "number": answer_number(answer),
        "ground": ground_label(answer),
        "approved_by": person_name(answer.approved_by),
        "replaced_by": replaced_by,
        "replaced_number": answer_number(replaced_by) if replaced_by is not None else "",
    }
    return _noindex(render(request, "infoservice/verify.html", context))


urlpatterns = [path("verify/<str:code>/", verify, name="verify")]
