"""The public's survey pages.

    ""                      index       open surveys, coming ones, and those with results (cached)
    <code>/                 survey      GET: the survey (the phone step, or sign-in, then the questions);
                                        POST step=phone|resend|code|change|submit
    <code>/thanks/          thanks      after answering
    <code>/results/         results     the published questions' charts and tables (cached)

One answer per respondent: the phone confirmed by an SMS code (notify's PhoneCode, as the appeals form),
or the signed-in account, as the survey asks. A respondent who has answered is told so at once — after the
code is confirmed, and again by the service if a second answer is posted. Answers after the survey closed
are refused with a translated message (409).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from darcha.core.errors import attempt
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import format_phone
from darcha.core.pagecache import public_page
from darcha.core.throttle import TOO_MANY, ClientLimit
from darcha.notify import services as notify

from .. import selectors, services
from ..choices import Identity, SurveyState
from ..forms import CodeForm, PhoneForm
from ._blocks import blocks

LIMITS = {"otp": ClientLimit("surveys-otp", attempts=10, window=3600)}
OTP_PURPOSE = "surveys.answer"
CONFIRMED_SECONDS = 30 * 60
SESSION_PENDING = "surveys_pending"
SESSION_PHONE = "surveys_phone"
SESSION_DONE = "surveys_done"


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _language() -> str:
    return language_or_default(translation.get_language() or settings.LANGUAGE_CODE)


def masked_phone(phone: str) -> str:
    formatted = format_phone(phone)
    return formatted[:-5].rstrip() + " •• " + formatted[-2:] if len(formatted) > 8 else "•••"


def _survey_or_404(code: str):
    survey = selectors.public_survey(code)
    if survey is None:
        raise Http404("no such survey")
    return survey


@public_page("surveys")
@require_GET
def index(request):
    return render(request, "surveys/public/index.html", {"lists": selectors.public_surveys()})


def _confirmed_phone(request) -> str | None:
    held = request.session.get(SESSION_PHONE)
    if not isinstance(held, dict) or not held.get("phone"):
        return None
    if time.time() - float(held.get("at", 0)) > CONFIRMED_SECONDS:
        request.session.pop(SESSION_PHONE, None)
        return None
    return held["phone"]


def _respondent(request, survey) -> services.Respondent | None:
    if survey.identity == Identity.ACCOUNT:
        return services.Respondent(user=request.user) if request.user.is_authenticated else None
    phone = _confirmed_phone(request)
    return services.Respondent(phone=phone) if phone else None


def _page(request, survey, template: str, context: dict, status: int = 200):
    base = {"survey": survey, "state": survey.state(), "now": timezone.now()}
    response = render(request, f"surveys/public/{template}", {**base, **context}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _phone_page(request, survey, *, status=200, errors=(), phone=""):
    pending = request.session.get(SESSION_PENDING)
    context = {"pending": masked_phone(pending) if pending else "", "errors": list(errors), "phone": phone}
    return _page(request, survey, "phone.html", context, status)


def _answered_page(request, survey, status=200):
    return _page(request, survey, "answered.html", {"message": services.already_answered_message()}, status)


def _form_page(request, survey, respondent, *, posted=None, errors=None, top=(), status=200):
    items = selectors.questions(survey)
    context = {
        "blocks": blocks(items, posted, errors),
        "top_errors": list(top),
        "phone": masked_phone(respondent.phone) if respondent.phone else "",
        "anonymous": survey.identity == Identity.ANONYMOUS,
    }
    return _page(request, survey, "form.html", context, status)


def _closed_page(request, survey, status=200, message=""):
    return _page(request, survey, "closed.html", {"message": message}, status)


def _url(survey) -> str:
    return reverse("surveys:survey", args=[survey.code])


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, code):
    survey = _survey_or_404(code)
    state = survey.state()
    if state != SurveyState.OPEN:
        if request.method == "POST":
            refused = attempt(lambda: services.refuse_unless_open(survey, timezone.now()))
            return _closed_page(request, survey, status=refused.status, message=refused.message)
        return _closed_page(request, survey)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if survey.identity == Identity.ACCOUNT and not request.user.is_authenticated:
        return redirect_to_login(_url(survey))
    if survey.identity != Identity.ACCOUNT:
        if step in ("phone", "resend"):
            return _send_code(request, survey, step)
        if step == "code":
            return _confirm_code(request, survey)
        if step == "change":
            request.session.pop(SESSION_PENDING, None)
            request.session.pop(SESSION_PHONE, None)
            return _see(_url(survey))
    respondent = _respondent(request, survey)
    if respondent is None:
        if step == "submit":
            return _phone_page(
                request,
                survey,
                status=400,
                errors=[_("Confirm your phone number first: the confirmation is kept for 30 minutes.")],
            )
        return _phone_page(request, survey)
    key = services.respondent_key(survey, respondent)
    if step != "submit":
        if request.method == "POST" and step:
            return _phone_page(
                request, survey, status=400, errors=[_("Something went wrong with the form. Please start again.")]
            )
        if selectors.has_answered(survey, key):
            return _answered_page(request, survey)
        return _form_page(request, survey, respondent)
    done = attempt(
        lambda: services.response_submit(
            actor=services.RESPONDENT, survey=survey, respondent=respondent, data=request.POST, language=_language()
        )
    )
    if done.ok:
        request.session[SESSION_DONE] = survey.code
        return _see(reverse("surveys:thanks", args=[survey.code]))
    if done.status == 400:
        return _form_page(
            request,
            survey,
            respondent,
            posted=request.POST,
            errors=done.field_errors,
            status=400,
            top=[_("Some answers need attention: see the messages beside the questions.")],
        )
    code_value = getattr(done.error, "code", "")
    if code_value == services.SurveyRefusal.ALREADY_ANSWERED:
        return _answered_page(request, survey, status=done.status)
    return _closed_page(request, survey, status=done.status, message=done.message)


def _send_code(request, survey, step: str):
    typed = request.POST.get("phone", "") if step == "phone" else request.session.get(SESSION_PENDING, "")
    form = PhoneForm({"phone": typed})
    if not form.is_valid():
        request.session.pop(SESSION_PENDING, None)
        return _phone_page(request, survey, status=400, errors=form.errors["phone"], phone=str(typed)[:24])
    phone = form.cleaned_data["phone"]
    if LIMITS["otp"].reached(request):
        return _phone_page(request, survey, status=429, errors=[str(TOO_MANY)], phone=format_phone(phone))
    sent = attempt(
        lambda: notify.otp_send(actor=services.RESPONDENT, phone=phone, purpose=OTP_PURPOSE, language=_language())
    )
    if not sent.ok:
        status = 429 if getattr(sent.error, "code", "") == "otp_rate" else sent.status
        return _phone_page(request, survey, status=status, errors=[sent.message], phone=format_phone(phone))
    LIMITS["otp"].count(request)
    request.session[SESSION_PENDING] = phone
    if step == "resend":
        messages.success(request, _("A new code has been sent."))
    return _see(_url(survey))


def _confirm_code(request, survey):
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return _phone_page(request, survey, status=400, errors=[_("Enter your phone number first.")])
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, survey, status=400, errors=form.errors["code"])
    code = form.cleaned_data["code"]
    confirmed = attempt(
        lambda: notify.otp_verify(actor=services.RESPONDENT, phone=pending, purpose=OTP_PURPOSE, code=code)
    )
    if not confirmed.ok:
        return _phone_page(request, survey, status=confirmed.status, errors=[confirmed.message])
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_PHONE] = {"phone": pending, "at": time.time()}
    return _see(_url(survey))


@never_cache
@require_GET
def thanks(request, code):
    survey = _survey_or_404(code)
    if request.session.get(SESSION_DONE) != survey.code:
        return _see(_url(survey))
    has_results = survey.questions.filter(results_published_at__isnull=False).exists()
    return _page(request, survey, "thanks.html", {"has_results": has_results})


@public_page("surveys")
@require_GET
def results(request, code):
    survey = _survey_or_404(code)
    items = selectors.questions(survey)
    shown = selectors.results(survey, items, published_only=True)
    return render(
        request,
        "surveys/public/results.html",
        {"survey": survey, "state": survey.state(), "results": shown, "total": survey.response_count},
    )


urlpatterns = [
    path("", index, name="index"),
    path("<slug:code>/", survey, name="survey"),
    path("<slug:code>/thanks/", thanks, name="thanks"),
    path("<slug:code>/results/", results, name="results"),
]
