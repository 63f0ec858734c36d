"""Front office: the center's operators register applications, print receipts, record what the
applicant brings later, take fees and hand over results.

    front/<center>/applications/                       the center's applications (search, status)
    front/<center>/applications/new/                   intake (?service=<code>, ?ticket=<queue ticket id>)
    front/<center>/applications/<number>/              one application and the actions that apply now
    front/<center>/applications/<number>/receipt.pdf   the receipt (?layout=a4 | 80mm)
    front/<center>/applications/<number>/supplement/   POST: documents the applicant was asked for
    front/<center>/applications/<number>/payment/      POST: the fee paid or waived
    front/<center>/applications/<number>/handover/     POST: the result handed over (identity checked)
    front/<center>/applications/<number>/access-code/  POST: a new access code (unlocks locked tracking)
    applications/<number>/documents/<id>/              a document's file, to anyone who may see it

Every write is one call of darcha.cases.services (application_register registers the applicant with the application).
Bad input re-renders the page with translated messages (400), each beside its field, and changes
nothing in the register; the files that came with it are kept for the next try (views/drafts.py,
services.drafts), listed under their fields with a box to remove each. An action the
application's state does not allow answers 409, one the user may not take 403. Only operators
and managers of the center in the address open its pages; anonymous visitors get the login page.
Intake works as plain form posts without JavaScript; htmx only swaps parts of the same pages.
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from darcha.catalog.selectors import service_search
from darcha.core import access
from darcha.core.choices import OrganizationKind, PersonKind
from darcha.core.errors import attempt
from darcha.core.identifiers import format_phone, validate_passport, validate_pinfl, validate_stir
from darcha.core.models import Organization, Person
from darcha.core.selectors import person_find

from .. import selectors
from ..choices import ApplicationStatus, FeeStatus, TaskStatus
from ..forms import ApplicantForm, HandoverForm, IntakeForm, PaymentForm, SupplementForm
from ..receipts import LAYOUTS, receipt_pdf
from ..services import (
    Fee,
    Intake,
    application_handover,
    application_record_payment,
    application_register,
    application_supplement,
    pending_uploads_keep,
    tracking_unlock,
)
from . import drafts

PAGE_SIZE = 25
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


# --- access -----------------------------------------------------------------------------------
def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _login(request) -> HttpResponse:
    login = redirect_to_login(request.get_full_path())
    if _is_htmx(request):  # an expired session: the whole page goes to the login form
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login["Location"]
        return response
    return login


def center_staff(view):
    """The center of the address, for its operators and managers only (others 403, anonymous → login)."""

    @wraps(view)
    def wrapper(request, center: str, **kwargs):
        if not request.user.is_authenticated:
            return _login(request)
        center_obj = get_object_or_404(Organization, code=center, kind=OrganizationKind.CENTER)
        message = _("Only the operators and managers of this center work with its applications.")
        access.require_role(request.user, access.CENTER_STAFF, center_obj, message)
        return view(request, center_obj, **kwargs)

    return wrapper


def _application(request, center: Organization, number: str):
    """The application with its tasks, documents and history, if the user may see it and it is this center's."""
    application = selectors.application_detail(request.user, number)
    if application is None or application.center_id != center.pk:
        raise Http404(_("No such application at this center."))
    return application


def _see_detail(center: Organization, application) -> HttpResponseRedirect:
    response = HttpResponseRedirect(reverse("cases:front_detail", args=[center.code, application.number]))
    response.status_code = 303  # see the application again, by GET
    return response


# --- the applicant lookup -----------------------------------------------------------------------
def _find_person(kind: str, identifiers: dict[str, str]) -> tuple[Person | None, dict]:
    """The registered applicant with these identifiers (core.selectors.person_find: whom registering
    would update), or None, and messages on malformed ones."""
    if kind == PersonKind.LEGAL_ENTITY:
        checks = {"stir": validate_stir}
    else:
        checks = {"pinfl": validate_pinfl, "passport": validate_passport}
    values, errors = {}, {}
    for field, validator in checks.items():
        raw = str(identifiers.get(field) or "").strip()
        if raw:
            try:
                values[field] = validator(raw)
            except ValidationError as error:
                errors[field] = error.messages
    if not values and not errors:
        field = next(iter(checks))
        errors[field] = [_("Type the PINFL or passport number, or the STIR of a legal entity, to search.")]
    return person_find(kind=kind, **values) if values else None, errors


# --- list -------------------------------------------------------------------------------------
@never_cache
@require_GET
@center_staff
def front_list(request, center: Organization):
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    applications = selectors.application_list(request.user, center=center, status=status, query=query)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/front/list.html",
        {
            "center": center,
            "page": page,
            "query": query,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "now": timezone.now(),
        },
    )


# --- intake -----------------------------------------------------------------------------------
def _choose_service(request, center, *, ticket, status=200, error=""):
    query = request.GET.get("q", "").strip()[:100]
    services = selectors.intake_services()
    if query:
        services = service_search(query, services)
    return render(
        request,
        "cases/front/choose_service.html",
        {"center": center, "services": list(services[:200]), "query": query, "ticket": ticket, "error": error},
        status=status,
    )


def _intake_page(request, center, service, form, *, ticket, status=200, notice="", found=None, lookup=False, draft=""):
    fees, fee_error = selectors.intake_fees(service)
    return render(
        request,
        "cases/front/new.html",
        {
            "center": center,
            "service": service,
            "form": form,
            "ticket": ticket,
            "fees": fees,
            "fee_today": fees[0]["amount"] if fees else None,
            "fee_error": fee_error,
            "errors": getattr(form, "section_errors", {}),
            "notice": notice,
            "found": found,
            "lookup": lookup,
            "draft": draft,
        },
        status=status,
    )


def _sent_back(request, center, service, form, draft, *, ticket, status, **page):
    """The intake page again, keeping the files that came with this post (drafts): the next try uses them."""
    form.keep(*pending_uploads_keep(actor=request.user, draft=draft, uploads=form.new_uploads()))
    return _intake_page(request, center, service, form, ticket=ticket, status=status, draft=draft.token, **page)


@never_cache
@center_staff
def front_new(request, center: Organization):
    source = request.POST if request.method == "POST" else request.GET
    ticket, ticket_error = None, ""
    if source.get("ticket"):
        ticket = selectors.serving_ticket(request.user, center, source.get("ticket"))
        if ticket is None:
            ticket_error = _("This queue ticket is not one you are serving at this center, so it cannot be linked.")
            if request.method == "GET":
                messages.warning(request, ticket_error)
    code = source.get("service", "") or (ticket.service.code if ticket else "")
    service = selectors.intake_service(code)
    if service is None:
        if request.method == "POST":
            return _choose_service(
                request, center, ticket=ticket, status=400, error=_("Choose a service from the list.")
            )
        return _choose_service(request, center, ticket=ticket)

    if request.method == "GET":
        return _intake_page(request, center, service, IntakeForm(service=service), ticket=ticket)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})

    draft, kept = drafts.resume(request, request.user)
    if request.POST.get("find"):
        return _find_applicant(request, center, service, ticket, draft, kept)

    form = IntakeForm(request.POST, request.FILES, service=service, kept=kept)
    if ticket_error:
        form.add_service_errors(ValidationError({"ticket": ticket_error}))
    if not form.is_valid() or ticket_error:
        return _sent_back(request, center, service, form, draft, ticket=ticket, status=400)
    data = form.cleaned_data

    def intake(applicant):
        return Intake(
            service=service,
            applicant=applicant,
            center=center,
            presented=list(data["presented"]),
            uploads=form.uploads(),
            fee=Fee(
                payment_reference=data["payment_reference"],
                waiver_reason=data["waiver_reason"],
                discount=data["discount"],
            ),
            phone=data["phone"],
            language=data["language"],
            ticket=ticket,
            draft=draft,
        )

    done = attempt(lambda: application_register(actor=request.user, person=form.person_data(), intake=intake(None)))
    if not done.ok:
        form.add_refusal(done)
        return _sent_back(request, center, service, form, draft, ticket=ticket, status=done.status)
    application = done.value
    messages.success(
        request,
        _("Application %(number)s is registered; access code %(code)s. Print the receipt for the applicant.")
        % {"number": application.number, "code": application.access_code},
    )
    return _see_detail(center, application)


def _find_applicant(request, center, service, ticket, draft, kept):
    """Look the applicant up by identifier and fill in what is known. Nothing of the application is
    written; files sent with the whole form (no JavaScript) are kept for the submission like any."""
    lookup = ApplicantForm(request.POST)
    lookup.is_valid()
    kind = lookup.cleaned_data.get("kind") or PersonKind.INDIVIDUAL
    person, errors = _find_person(kind, {field: request.POST.get(field, "") for field in ("pinfl", "passport", "stir")})
    data = request.POST.copy()
    data.pop("find", None)
    notice = ""
    if person is not None:
        data["kind"] = person.kind
        data["name"] = person.name
        data["phone"] = format_phone(person.phone) if person.phone else data.get("phone", "")
        data["language"] = person.language
        notice = _("A registered applicant was found. Check the name and phone with the applicant.")
    elif not errors:
        notice = _("No applicant with this number is registered yet. They are registered with the application.")
    form = IntakeForm(data, request.FILES, service=service, kept=kept)
    form.full_clean()
    # The lookup is not a submission: only the identifier's own messages are shown.
    form._errors = ErrorDict()
    for field, field_errors in errors.items():
        form.add_error(field, field_errors)
    return _sent_back(
        request,
        center,
        service,
        form,
        draft,
        ticket=ticket,
        status=400 if errors else 200,
        notice=notice,
        found=person,
        lookup=True,
    )


# --- one application --------------------------------------------------------------------------
def _detail_page(request, center, application, *, status=200, **forms):
    waiting = [t for t in application.tasks.all() if t.status == TaskStatus.WAITING_CITIZEN]
    result = selectors.application_result(application)
    context = {
        "center": center,
        "application": application,
        "applicant": application.applicant,
        "tasks": list(application.tasks.all()),
        "documents": list(application.documents.all()),
        "events": list(application.events.all()),
        "result": result,
        "requested": [t for t in waiting if t.requested],
        "can_supplement": application.status == ApplicationStatus.WAITING_CITIZEN,
        "can_pay": application.fee_status == FeeStatus.DUE,
        "can_hand_over": application.status == ApplicationStatus.READY,
        "supplement_form": forms.get("supplement_form") or SupplementForm(),
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "handover_form": forms.get("handover_form") or HandoverForm(),
        "action_error": forms.get("action_error", ""),
        "now": timezone.now(),
        "layouts": LAYOUTS,
    }
    return render(request, "cases/front/detail.html", context, status=status)


@never_cache
@require_GET
@center_staff
def front_detail(request, center: Organization, number: str):
    return _detail_page(request, center, _application(request, center, number))


def _act(request, center, application, form_name: str, form, run, notice, sent_back=None):
    """Run one service call on a valid form: see the application again, or the page with the refusal
    (bad input on the form's fields, a refusal at the top of the page). `sent_back(form)` runs before
    the page is drawn again (the supplement keeps its scans)."""
    if not form.is_valid():
        if sent_back:
            sent_back(form)
        return _detail_page(request, center, application, status=400, **{form_name: form})
    done = attempt(lambda: run(form.cleaned_data))
    if done.ok:
        messages.success(request, notice(done.value))
        return _see_detail(center, application)
    if sent_back:
        sent_back(form)
    if isinstance(done.error, ValidationError):
        form.add_service_errors(done.error)
        return _detail_page(request, center, application, status=done.status, **{form_name: form})
    return _detail_page(
        request, center, application, status=done.status, action_error=done.message, **{form_name: form}
    )


@require_POST
@center_staff
def supplement(request, center: Organization, number: str):
    application = _application(request, center, number)
    draft, kept = drafts.resume(request, request.user)
    form = SupplementForm(request.POST, request.FILES, kept=kept)

    def run(data):
        return application_supplement(
            actor=request.user,
            application=application,
            uploads=form.uploads(),
            comment=data["comment"],
            draft=draft,
        )

    def sent_back(form):
        kept, errors = pending_uploads_keep(actor=request.user, draft=draft, uploads=form.new_uploads())
        form.keep(kept, errors, draft.token)

    return _act(
        request,
        center,
        application,
        "supplement_form",
        form,
        run,
        lambda done: _("The documents are recorded and the term runs again; the agency is told."),
        sent_back=sent_back,
    )


@require_POST
@center_staff
def payment(request, center: Organization, number: str):
    application = _application(request, center, number)
    form = PaymentForm(request.POST)

    def run(data):
        return application_record_payment(
            actor=request.user,
            application=application,
            payment_reference=data["payment_reference"],
            waiver_reason=data["waiver_reason"],
        )

    def notice(done):
        if done.fee_status == FeeStatus.PAID:
            return _("The fee is recorded as paid.")
        return _("The fee is recorded as waived.")

    return _act(request, center, application, "payment_form", form, run, notice)


@require_POST
@center_staff
def handover(request, center: Organization, number: str):
    application = _application(request, center, number)
    form = HandoverForm(request.POST)
    informed = selectors.applicant_reachable(application)

    def run(data):
        return application_handover(actor=request.user, application=application, identifier=data["identifier"])

    def notice(done):
        if informed:
            return _("The result is handed over and the application closed. A link to rate the service was sent.")
        return _(
            "The result is handed over and the application closed. No phone or Telegram chat is recorded, "
            "so no rating link could be sent."
        )

    return _act(request, center, application, "handover_form", form, run, notice)


@require_POST
@center_staff
def access_code(request, center: Organization, number: str):
    """The applicant, identity checked at the counter, gets a new access code: tracking locked after wrong
    codes is unlocked, the old code (a lost receipt) stops working, the new one is sent to the phone on file."""
    application = _application(request, center, number)
    done = attempt(lambda: tracking_unlock(actor=request.user, application=application))
    if not done.ok:
        return _detail_page(request, center, application, status=done.status, action_error=done.message)
    messages.success(
        request,
        _("New access code %(code)s; tracking is unlocked. Print the receipt again for the applicant.")
        % {"code": done.value.access_code},
    )
    return _see_detail(center, application)


@never_cache
@require_GET
@center_staff
def receipt(request, center: Organization, number: str):
    application = _application(request, center, number)
    layout = request.GET.get("layout", "a4")
    if layout not in LAYOUTS:
        layout = "a4"
    content = receipt_pdf(application, layout)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{application.number}-{layout}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- files ------------------------------------------------------------------------------------
def download_name(document, number: str) -> str:
    """A file name safe in any header and on any disk: the number, the citizen's name in ASCII, the real type."""
    stem = slugify(Path(document.original_name or document.title or "").stem)[:60] or "document"
    extension = EXTENSIONS.get(document.content_type, "")
    return f"{number}-{document.pk}-{stem}{extension}"


@never_cache
@require_GET
def document(request, number: str, document_id: int):
    if not request.user.is_authenticated:
        return _login(request)
    found = selectors.document_for(request.user, number, document_id)
    if found is None:
        raise Http404(_("No such document."))
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No such document.")) from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(found, number),
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


PREFIX = "front/<slug:center>/applications/"
urlpatterns = [
    path(PREFIX, front_list, name="front_list"),
    path(PREFIX + "new/", front_new, name="front_new"),
    path(PREFIX + "<str:number>/", front_detail, name="front_detail"),
    path(PREFIX + "<str:number>/receipt.pdf", receipt, name="receipt"),
    path(PREFIX + "<str:number>/supplement/", supplement, name="supplement"),
    path(PREFIX + "<str:number>/payment/", payment, name="payment"),
    path(PREFIX + "<str:number>/handover/", handover, name="handover"),
    path(PREFIX + "<str:number>/access-code/", access_code, name="access_code"),
    path("applications/<str:number>/documents/<int:document_id>/", document, name="document"),
]
