"""The press secretary's survey pages.

    desk/<hokimiyat>/                         staff_list        the hokimiyat's surveys
    desk/<hokimiyat>/new/                     staff_new         a new survey (its settings)
    manage/<code>/                            staff_survey      the builder: settings, questions, launch, close
    manage/<code>/edit/                       staff_edit        the survey's settings
    manage/<code>/questions/new/              staff_question_new
    manage/<code>/questions/<id>/             staff_question    change a question
    manage/<code>/questions/<id>/<action>/    staff_question_<action>   POST: delete, up, down, publish, withdraw
    manage/<code>/<action>/                   staff_<action>    POST: launch, close, publish_all, withdraw_all
    manage/<code>/preview/                    staff_preview     the questions as a citizen sees them
    manage/<code>/delete/                     staff_delete      POST: delete a draft
    manage/<code>/results/                    staff_results     every question's results, texts, publishing
    manage/<code>/export.csv | export.xlsx    staff_export_*    every response, one row each

Only the hokimiyat's press secretary (or a superuser): anyone else 403, anonymous visitors the login
page. Each action is one service call through `attempt()`: refused, the page says why with its status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core import access
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden, attempt
from darcha.core.models import Organization

from .. import exports, selectors, services
from ..choices import SurveyRefusal, SurveyState
from ..forms import QuestionForm, SurveyForm
from ..models import Question
from ._blocks import blocks

NOT_YOURS = gettext_lazy("Only the hokimiyat's press secretary may open its surveys.")


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _allowed(request, organization) -> None:
    if not access.has_role(request.user, Role.PRESS_SECRETARY, organization):
        raise Forbidden(str(NOT_YOURS), SurveyRefusal.FORBIDDEN)


def staff_page(view):
    """Signed-in staff only; the survey (or hokimiyat) given by the address, checked for the role."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path() if request.method == "GET" else reverse("core:desk"))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _hokimiyat(request, code):
    organization = Organization.objects.filter(code=code, kind=OrganizationKind.HOKIMIYAT).first()
    if organization is None:
        raise Http404("no such hokimiyat")
    _allowed(request, organization)
    return organization


def _survey(request, code):
    survey = selectors.staff_survey(code)
    if survey is None:
        raise Http404("no such survey")
    _allowed(request, survey.organization)
    return survey


def _manage_url(survey) -> str:
    return reverse("surveys:staff_survey", args=[survey.code])


@staff_page
@require_GET
def staff_list(request, code):
    organization = _hokimiyat(request, code)
    surveys = selectors.organization_surveys(organization)
    now = timezone.now()
    rows = [(s, SurveyState(s.state(now))) for s in surveys]
    return render(request, "surveys/staff/list.html", {"organization": organization, "rows": rows})


def _survey_data(form) -> dict:
    return dict(form.cleaned_data)


@staff_page
@require_http_methods(["GET", "POST"])
def staff_new(request, code):
    organization = _hokimiyat(request, code)
    if request.method == "GET":
        form = SurveyForm(initial={"identity": "phone"})
        return render(request, "surveys/staff/survey_form.html", {"organization": organization, "form": form})
    form = SurveyForm(request.POST)
    if form.is_valid():
        done = attempt(
            lambda: services.survey_create(actor=request.user, organization=organization, data=_survey_data(form))
        )
        if done.ok:
            messages.success(request, _("The survey is created. Now add its questions."))
            return _see(_manage_url(done.value))
        form.add_refusal(done)
        status = done.status
    else:
        status = 400
    return render(
        request, "surveys/staff/survey_form.html", {"organization": organization, "form": form}, status=status
    )


@staff_page
@require_http_methods(["GET", "POST"])
def staff_edit(request, code):
    survey = _survey(request, code)
    context = {"organization": survey.organization, "survey": survey}
    if request.method == "GET":
        form = SurveyForm(initial=SurveyForm.initial_of(survey), creating=False)
        return render(request, "surveys/staff/survey_form.html", {**context, "form": form})
    form = SurveyForm(request.POST, creating=False)
    if form.is_valid():
        done = attempt(lambda: services.survey_update(actor=request.user, survey=survey, data=_survey_data(form)))
        if done.ok:
            messages.success(request, _("The survey's settings are saved."))
            return _see(_manage_url(survey))
        form.add_refusal(done)
        status = done.status
    else:
        status = 400
    return render(request, "surveys/staff/survey_form.html", {**context, "form": form}, status=status)


def _builder(request, survey, *, status=200, error=""):
    items = selectors.questions(survey)
    numbers = {q.pk: i for i, q in enumerate(items, start=1)}
    context = {
        "organization": survey.organization,
        "survey": survey,
        "state": SurveyState(survey.state()),
        "questions": items,
        "numbers": numbers,
        "locked": survey.response_count > 0,
        "error": error,
    }
    return render(request, "surveys/staff/builder.html", context, status=status)


@staff_page
@require_GET
def staff_survey(request, code):
    return _builder(request, _survey(request, code))


def _question_page(request, survey, form, question=None, status=200):
    context = {"organization": survey.organization, "survey": survey, "form": form, "question": question}
    return render(request, "surveys/staff/question_form.html", context, status=status)


def _question_data(form) -> dict:
    return dict(form.cleaned_data)


@staff_page
@require_http_methods(["GET", "POST"])
def staff_question_new(request, code):
    survey = _survey(request, code)
    if request.method == "GET":
        return _question_page(request, survey, QuestionForm(survey=survey, initial={"kind": "single"}))
    form = QuestionForm(request.POST, survey=survey)
    if form.is_valid():
        done = attempt(lambda: services.question_save(actor=request.user, survey=survey, data=_question_data(form)))
        if done.ok:
            messages.success(request, _("The question is added."))
            return _see(_manage_url(survey) + f"#q{done.value.pk}")
        form.add_refusal(done)
        return _question_page(request, survey, form, status=done.status)
    return _question_page(request, survey, form, status=400)


def _question(survey, pk) -> Question:
    question = survey.questions.filter(pk=pk).prefetch_related("options", "rows").first()
    if question is None:
        raise Http404("no such question")
    return question


@staff_page
@require_http_methods(["GET", "POST"])
def staff_question(request, code, pk):
    survey = _survey(request, code)
    question = _question(survey, pk)
    if request.method == "GET":
        form = QuestionForm(survey=survey, question=question, initial=QuestionForm.initial_of(question))
        return _question_page(request, survey, form, question)
    form = QuestionForm(request.POST, survey=survey, question=question)
    if form.is_valid():
        done = attempt(
            lambda: services.question_save(
                actor=request.user, survey=survey, question=question, data=_question_data(form)
            )
        )
        if done.ok:
            messages.success(request, _("The question is saved."))
            return _see(_manage_url(survey) + f"#q{question.pk}")
        form.add_refusal(done)
        return _question_page(request, survey, form, question, status=done.status)
    return _question_page(request, survey, form, question, status=400)


QUESTION_ACTIONS = {
    "delete": (
        lambda user, q: services.question_delete(actor=user, question=q),
        gettext_lazy("The question is deleted."),
    ),
    "up": (lambda user, q: services.question_move(actor=user, question=q, up=True), ""),
    "down": (lambda user, q: services.question_move(actor=user, question=q, up=False), ""),
    "publish": (
        lambda user, q: services.question_results_publish(actor=user, question=q, published=True),
        gettext_lazy("The question's results are published."),
    ),
    "withdraw": (
        lambda user, q: services.question_results_publish(actor=user, question=q, published=False),
        gettext_lazy("The question's results are no longer public."),
    ),
}


def _question_action(action: str):
    run, notice = QUESTION_ACTIONS[action]

    @staff_page
    @require_POST
    def view(request, code, pk):
        survey = _survey(request, code)
        question = _question(survey, pk)
        done = attempt(lambda: run(request.user, question))
        back = request.POST.get("back") == "results"
        if not done.ok:
            if back:
                return _results_page(request, survey, status=done.status, error=done.message)
            return _builder(request, survey, status=done.status, error=done.message)
        if notice:
            messages.success(request, str(notice))
        if back:
            return _see(reverse("surveys:staff_results", args=[survey.code]) + f"#q{question.pk}")
        return _see(_manage_url(survey) + (f"#q{question.pk}" if action != "delete" else ""))

    view.__name__ = f"staff_question_{action}"
    return view


@staff_page
@require_POST
def staff_delete(request, code):
    survey = _survey(request, code)
    organization = survey.organization
    done = attempt(lambda: services.survey_delete(actor=request.user, survey=survey))
    if not done.ok:
        return _builder(request, survey, status=done.status, error=done.message)
    messages.success(request, _("The draft survey is deleted."))
    return _see(reverse("surveys:staff_list", args=[organization.code]))


@staff_page
@require_GET
def staff_preview(request, code):
    """The questions as a citizen will see them (nothing can be sent from here)."""
    survey = _survey(request, code)
    context = {
        "survey": survey,
        "state": survey.state(),
        "blocks": blocks(selectors.questions(survey)),
        "top_errors": [],
        "preview": True,
    }
    return render(request, "surveys/public/form.html", context)


SURVEY_ACTIONS = {
    "launch": (lambda user, s: services.survey_launch(actor=user, survey=s), gettext_lazy("The survey is launched.")),
    "close": (lambda user, s: services.survey_close(actor=user, survey=s), gettext_lazy("The survey is closed.")),
    "publish_all": (
        lambda user, s: services.survey_results_publish(actor=user, survey=s, published=True),
        gettext_lazy("Every question's results are published."),
    ),
    "withdraw_all": (
        lambda user, s: services.survey_results_publish(actor=user, survey=s, published=False),
        gettext_lazy("The results are no longer public."),
    ),
}


def _survey_action(action: str):
    run, notice = SURVEY_ACTIONS[action]

    @staff_page
    @require_POST
    def view(request, code):
        survey = _survey(request, code)
        done = attempt(lambda: run(request.user, survey))
        results_page = action in ("publish_all", "withdraw_all")
        if not done.ok:
            if results_page:
                return _results_page(request, survey, status=done.status, error=done.message)
            return _builder(request, survey, status=done.status, error=done.message)
        messages.success(request, str(notice))
        return _see(reverse("surveys:staff_results", args=[survey.code]) if results_page else _manage_url(survey))

    view.__name__ = f"staff_{action}"
    return view


def _results_page(request, survey, *, status=200, error=""):
    items = selectors.questions(survey)
    shown = selectors.results(survey, items, published_only=False)
    for result in shown:
        if result.kind == "text":
            result.samples = selectors.text_answers(result.question, limit=50)
    context = {
        "organization": survey.organization,
        "survey": survey,
        "state": SurveyState(survey.state()),
        "results": shown,
        "error": error,
        "total": survey.response_count,
    }
    return render(request, "surveys/staff/results.html", context, status=status)


@staff_page
@require_GET
def staff_results(request, code):
    return _results_page(request, _survey(request, code))


@staff_page
@require_GET
def staff_export_csv(request, code):
    survey = _survey(request, code)
    response = HttpResponse(exports.csv_bytes(survey), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.code}.csv"'
    return response


@staff_page
@require_GET
def staff_export_xlsx(request, code):
    survey = _survey(request, code)
    response = HttpResponse(
        exports.xlsx_bytes(survey), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{survey.code}.xlsx"'
    return response


urlpatterns = [
    path("desk/<slug:code>/", staff_list, name="staff_list"),
    path("desk/<slug:code>/new/", staff_new, name="staff_new"),
    path("manage/<slug:code>/", staff_survey, name="staff_survey"),
    path("manage/<slug:code>/edit/", staff_edit, name="staff_edit"),
    path("manage/<slug:code>/questions/new/", staff_question_new, name="staff_question_new"),
    path("manage/<slug:code>/questions/<int:pk>/", staff_question, name="staff_question"),
    *(
        path(
            f"manage/<slug:code>/questions/<int:pk>/{action}/",
            _question_action(action),
            name=f"staff_question_{action}",
        )
        for action in QUESTION_ACTIONS
    ),
    path("manage/<slug:code>/results/", staff_results, name="staff_results"),
    path("manage/<slug:code>/preview/", staff_preview, name="staff_preview"),
    path("manage/<slug:code>/delete/", staff_delete, name="staff_delete"),
    path("manage/<slug:code>/export.csv", staff_export_csv, name="staff_export_csv"),
    path("manage/<slug:code>/export.xlsx", staff_export_xlsx, name="staff_export_xlsx"),
    *(
        path(f"manage/<slug:code>/{action}/", _survey_action(action), name=f"staff_{action}")
        for action in SURVEY_ACTIONS
    ),
]
