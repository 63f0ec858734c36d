"""Public pages for citizens: tracking, result verification, rating, and online applications.

    track/                     the tracking form: number and access code from the receipt
    track/<number>/?code=…     where the application is (the receipt's QR code links here)
    track/unlock/<token>/      unlock a number's tracking locked after wrong codes (the link of the notice)
    verify/<code>/             is a result document genuine? (the result's QR code links here)
    rate/<token>/              rate the service after the result was handed over (link by SMS)
    services/<code>/apply/     apply online: confirm a phone by SMS code, fill the form, upload scans

Nothing here needs a login, so nothing here shows personal data: the tracking and verification
pages name the service, the agencies and the dates, never the applicant. A wrong number and a wrong
access code get the very same answer. Wrong tracking lookups are limited per number and per client
address (services.track_lookup, the rule the API and the bot follow too), so that codes cannot be tried
in bulk; a right one is always answered unless its number is locked. Every write goes through
darcha.cases.services.
"""

from __future__ import annotations

import datetime as dt
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from darcha.catalog.models import RequiredDocument, Service
from darcha.catalog.selectors import fee_today
from darcha.core.choices import PersonKind
from darcha.core.errors import attempt
from darcha.core.i18n import LANGUAGE_CHOICES, language_or_default
from darcha.core.identifiers import format_phone, validate_phone
from darcha.core.models import Organization
from darcha.core.services import person_problems
from darcha.core.throttle import TOO_MANY, ClientLimit, client_address
from darcha.core.uploads import check_upload, kept_file
from darcha.notify import services as notify

from .. import output, selectors
from .. import services as cases
from ..choices import ApplicationStatus, Channel, FeeStatus
from . import drafts

# Per client address, in the shared cache. Tests patch these. (Tracking has its own rule:
# services.track_lookup, with the limits of selectors.tracking_limits.)
LIMITS = {
    # result verification lookups
    "verify": ClientLimit("cases-verify", attempts=20, window=600),
    # SMS codes asked for on the online application (the notify app limits each phone too)
    "otp": ClientLimit("cases-otp", attempts=10, window=3600),
}
OTP_PURPOSE = "cases.apply"
PHONE_CONFIRMED_SECONDS = 30 * 60
# Session keys of the online application.
SESSION_PENDING = "cases_apply_pending"  # the phone a code was sent to, waiting for the code
SESSION_PHONE = "cases_apply_phone"  # {"phone": E.164, "at": epoch seconds}: the confirmed phone
SESSION_DONE = "cases_apply_done"  # {"service", "number", "code"}: the application just filed

NOT_FOUND = gettext_lazy("No application with this number and code. Check the receipt.")


# --- helpers ------------------------------------------------------------------------------------
def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class _AtAddress:
    """The request as a page sees it, but at another address.

    The language switch in the page frame sends the visitor back to the page's own address. A
    tracking answer of "not found" must read the same whichever of the number and code was wrong,
    so it is drawn as if at the tracking form's address, not at one holding what was tried.
    """

    def __init__(self, request, full_path: str):
        self._request = request
        self._full_path = full_path

    def __getattr__(self, name):
        return getattr(self._request, name)

    def get_full_path(self, force_append_slash=False):
        return self._full_path


# --- tracking -----------------------------------------------------------------------------------
def _normalize_number(value: str) -> str:
    """The number as printed (25-0000123), also when typed without the dash or with spaces."""
    typed = "".join(str(value or "").split())[:20]
    digits = "".join(ch for ch in typed if ch.isdigit())
    if "-" not in typed and len(digits) >= 3:
        return f"{digits[:2]}-{digits[2:]}"
    return "".join(ch for ch in typed if ch.isdigit() or ch == "-")


def _normalize_code(value: str) -> str:
    return "".join(str(value or "").split())[:12]


def _track_page(request, *, status=200, errors=(), field_errors=None, number="", code="", page_request=None):
    context = {
        "number": number,
        "code": code,
        "errors": list(errors),
        "field_errors": field_errors or {},
    }
    if page_request is not None:
        context["request"] = page_request
    return _noindex(render(request, "cases/public/track.html", context, status=status))


@never_cache
@require_GET
def track(request):
    """The form. Sent (GET), it goes on to the application's tracking page."""
    if "number" not in request.GET and "code" not in request.GET:
        return _track_page(request)
    typed_number, typed_code = request.GET.get("number", ""), request.GET.get("code", "")
    number, code = _normalize_number(typed_number), _normalize_code(typed_code)
    field_errors = {}
    if not number:
        field_errors["number"] = _("Enter the application number from your receipt.")
    if not code:
        field_errors["code"] = _("Enter the six-digit access code from your receipt.")
    if field_errors:
        return _track_page(
            request, status=400, field_errors=field_errors, number=typed_number[:20], code=typed_code[:12]
        )
    url = reverse("cases:track_detail", args=[number]) + "?" + urlencode({"code": code})
    return HttpResponseRedirect(url, status=303)


@never_cache
@require_GET
def track_detail(request, number):
    code = _normalize_code(request.GET.get("code", ""))
    if not code:
        # Opened without the code: ask for it, the number already filled in.
        return _track_page(request, number=_normalize_number(number))
    looked_up = attempt(lambda: cases.track_lookup(number=number, code=code, client=f"addr:{client_address(request)}"))
    application = looked_up.value
    if application is None:
        # The same page, the same words, the same address in it, whichever part was wrong. The number
        # typed comes back in its field (it tells nothing the visitor did not type; the page reads the
        # same whether such a number exists), the code is typed again, the message beside it.
        page_request = _AtAddress(request, reverse("cases:track"))
        typed = number[:20]
        if not looked_up.ok:  # locked, or too many wrong lookups from here: the message says until when
            response = _track_page(
                request, status=looked_up.status, errors=[looked_up.message], number=typed, page_request=page_request
            )
            response["Retry-After"] = str(looked_up.error.retry_after)
            return response
        return _track_page(
            request, status=404, field_errors={"code": str(NOT_FOUND)}, number=typed, page_request=page_request
        )
    view = selectors.tracking_view(application)
    context = {
        **view,
        "number": application.number,
        "service": application.service,
        "center": application.center,
        "closed": application.status == ApplicationStatus.CLOSED,
        "waiting": application.status == ApplicationStatus.WAITING_CITIZEN,
        "fee_due": application.fee_status == FeeStatus.DUE,
        "fee_amount": application.fee_amount,
        "refused": application.outcome == "refused",
        "timeline": list(reversed(view["timeline"])),
    }
    return _noindex(render(request, "cases/public/track_detail.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def track_unlock(request, token):
    """The link of the lock notice: a button (a link opened by a preview robot changes nothing) that
    unlocks the number's tracking and sends a new access code to the phone on file."""
    target = selectors.tracking_unlock_target(token)
    context = {"valid": target is not None, "errors": []}
    if target is None:
        return _noindex(render(request, "cases/public/track_unlock.html", context, status=404))
    application, since = target
    context["number"] = application.number
    context["locked"] = selectors.tracking_locked_until(application.number) is not None
    if request.method == "GET":
        return _noindex(render(request, "cases/public/track_unlock.html", context))
    done = attempt(lambda: cases.tracking_unlock(actor=cases.CITIZEN, application=application, since=since))
    if not done.ok:
        context["errors"] = [done.message]
        return _noindex(render(request, "cases/public/track_unlock.html", context, status=done.status))
    messages.success(request, _("Tracking is unlocked. A new access code was sent to the phone on file."))
    return HttpResponseRedirect(reverse("cases:track_detail", args=[application.number]), status=303)


# --- verification -------------------------------------------------------------------------------
@never_cache
@require_GET
def verify(request, code):
    if LIMITS["verify"].reached(request):
        response = render(request, "cases/public/verify_not_found.html", {"too_many": str(TOO_MANY)}, status=429)
        return _noindex(response)
    LIMITS["verify"].count(request)
    result = selectors.verify(code)
    if result is None:
        return _noindex(render(request, "cases/public/verify_not_found.html", {}, status=404))
    application = result.application
    context = {
        "result": result,
        "number": application.number,
        "service": application.service,
        "agency": result.agency,
        "issued": result.outcome == "issued",
        "sha256": result.document.sha256,
        "output": output.sections(selectors.output_tasks(application.pk), translation.get_language())
        if result.outcome == "issued"
        else [],
    }
    return _noindex(render(request, "cases/public/verify.html", context))


# --- rating -------------------------------------------------------------------------------------
SCORES = (
    (5, gettext_lazy("Excellent")),
    (4, gettext_lazy("Good")),
    (3, gettext_lazy("Fair")),
    (2, gettext_lazy("Poor")),
    (1, gettext_lazy("Very poor")),
)


def _rate_page(request, application, *, status=200, errors=(), score="", comment="", rating=None):
    context = {
        "application": application,
        "service": application.service,
        "center": application.center,
        "scores": SCORES,
        "score": str(score),
        "comment": comment,
        "errors": list(errors),
        "rating": rating,
    }
    return _noindex(render(request, "cases/public/rate.html", context, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token):
    application = selectors.rating_application(token)
    if application is None:
        return _noindex(render(request, "cases/public/rate_invalid.html", {}, status=404))
    rating = selectors.application_rating(application)
    if request.method == "GET":
        return _rate_page(request, application, rating=rating)
    score, comment = request.POST.get("score", "").strip()[:2], request.POST.get("comment", "")[:2000]
    if rating is not None:
        return _rate_page(
            request, application, status=409, rating=rating, errors=[_("This service has already been rated.")]
        )
    done = attempt(
        lambda: cases.rating_submit(actor=cases.CITIZEN, application=application, score=score, comment=comment)
    )
    if isinstance(done.error, ValidationError):
        return _rate_page(request, application, status=400, errors=done.error.messages, score=score, comment=comment)
    if not done.ok:
        rating = selectors.application_rating(application)
        return _rate_page(request, application, status=done.status, errors=[done.message], rating=rating)
    # The page then thanks the citizen and shows the rating given.
    return HttpResponseRedirect(reverse("cases:rate", args=[token]), status=303)


# --- online application -------------------------------------------------------------------------
# Keys of a refusal by the services → the form field it belongs to (None: the top of the form).
SERVICE_ERROR_FIELDS = {
    "kind": "kind",
    "name": "name",
    "pinfl": "pinfl",
    "passport": "passport",
    "stir": "stir",
    "center": "center",
    "applicant": "kind",
}


class ApplyForm(forms.Form):
    """The applicant, where to collect the result, and a scan of each document the citizen brings."""

    kind = forms.ChoiceField(label=gettext_lazy("I apply as"), choices=PersonKind.choices)
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=255, required=False)
    pinfl = forms.CharField(label=gettext_lazy("PINFL"), max_length=24, required=False)
    passport = forms.CharField(label=gettext_lazy("Passport number"), max_length=16, required=False)
    org_name = forms.CharField(label=gettext_lazy("Organization name"), max_length=255, required=False)
    stir = forms.CharField(label=gettext_lazy("STIR (taxpayer number)"), max_length=16, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language for messages"), choices=LANGUAGE_CHOICES)
    center = forms.ChoiceField(
        label=gettext_lazy("Where you will collect the result"),
        error_messages={
            "required": gettext_lazy("Choose the center where you will collect the result."),
            "invalid_choice": gettext_lazy("Choose the center where you will collect the result."),
        },
    )

    def __init__(self, *args, service: Service, centers: list[Organization], documents: list, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.centers = {str(c.pk): c for c in centers}
        self.documents = documents
        # Scans kept from the earlier tries of this form (views/drafts.py), one per document at most.
        names = {self.file_field(document) for document in documents}
        self.kept = [k for k in kept if k.field in names]
        self.fields["center"].choices = [("", "")] + [(pk, c.name) for pk, c in self.centers.items()]
        kinds = [
            (value, label)
            for value, label in PersonKind.choices
            if (value == PersonKind.INDIVIDUAL and service.for_individuals)
            or (value == PersonKind.LEGAL_ENTITY and service.for_legal_entities)
        ]
        self.fields["kind"].choices = kinds
        self.fields["kind"].error_messages["invalid_choice"] = (
            _("This service is for individuals only.")
            if kinds[0][0] == PersonKind.INDIVIDUAL
            else _("This service is for legal entities only.")
        )
        for document in documents:
            self.fields[self.file_field(document)] = forms.FileField(
                label=document.name,
                # A scan kept from an earlier try is the document's, unless another file replaces it.
                required=document.mandatory and not self.kept_for(document),
                error_messages={"required": _("Attach a scan of this document.")},
            )

    @staticmethod
    def file_field(document: RequiredDocument) -> str:
        return f"document_{document.pk}"

    def file_fields(self):
        return [(document, self[self.file_field(document)], self.kept_for(document)) for document in self.documents]

    def kept_for(self, document: RequiredDocument) -> list:
        return [k for k in self.kept if k.field == self.file_field(document)]

    def new_uploads(self) -> list:
        """The files that came with this post, (field, document, file), but those refused by the checks
        above (their messages are on their fields already)."""
        if not self.files:
            return []
        uploads = []
        for document in self.documents:
            name = self.file_field(document)
            upload = self.files.get(name)
            if upload and not self.errors.get(name):
                uploads.append((name, document, upload))
        return uploads

    def keep(self, kept: list, errors: dict[str, list[str]]) -> list[str]:
        """The scans just kept replace those kept before for the same documents (returned: the ids those
        had); messages of files refused beside their fields."""
        replaced = {k.field for k in kept}
        old = [k for k in self.kept if k.field in replaced]
        self.kept = [*(k for k in self.kept if k.field not in replaced), *kept]
        for field, texts in errors.items():
            if field == "files":  # the caps on one application: the documents' messages (the caller's)
                continue
            new = [m for m in texts if m not in self.errors.get(field, [])]
            if new:
                self.add_error(field if field in self.fields else None, new)
        return [k.pk for k in old]

    @property
    def only_kind(self) -> str:
        kinds = self.fields["kind"].choices
        return kinds[0][0] if len(kinds) == 1 else ""

    def clean(self):
        data = super().clean()
        for document in self.documents:
            name = self.file_field(document)
            upload = data.get(name)
            if upload:
                try:
                    check_upload(upload)
                except ValidationError as error:
                    self.add_error(name, error)
        # Whether the details identify the applicant is person_register's rule, and its messages come
        # back onto these fields; a form refused for something else shows them too, every problem at once.
        if self._errors and data.get("kind"):
            self.add_service_errors(ValidationError(person_problems(**self.applicant())))
        return data

    def applicant(self) -> dict:
        """The applicant's details for person_register, as typed (the service normalises them)."""
        data = self.cleaned_data
        if data["kind"] == PersonKind.LEGAL_ENTITY:
            return {"kind": data["kind"], "name": data.get("org_name", ""), "stir": data.get("stir", "")}
        return {
            "kind": data["kind"],
            "name": data.get("name", ""),
            "pinfl": data.get("pinfl", ""),
            "passport": data.get("passport", ""),
        }

    def add_service_errors(self, error: ValidationError) -> list[str]:
        """Put the services' messages on the form's fields; the documents' ones are returned."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return []
        document_errors: list[str] = []
        for key, texts in error.message_dict.items():
            if key in ("documents", "files"):
                document_errors.extend(texts)
                continue
            field = SERVICE_ERROR_FIELDS.get(key)
            if self.cleaned_data.get("kind") == PersonKind.LEGAL_ENTITY and key == "name":
                field = "org_name"
            self.add_error(field if field in self.fields else None, texts)
        return document_errors

    def cleaned_center(self) -> Organization:
        return self.centers[self.cleaned_data["center"]]

    def uploads(self) -> list:
        """Each document's scan: the one sent now, or the one kept from an earlier try."""
        uploads = []
        for document in self.documents:
            sent = self.cleaned_data.get(self.file_field(document))
            if sent:
                uploads.append((document, sent))
            else:
                uploads.extend((document, kept_file(k)) for k in self.kept_for(document))
        return uploads


def _masked_phone(phone: str) -> str:
    formatted = format_phone(phone)  # +998 90 123 45 67
    return formatted[:-5].rstrip() + " •• " + formatted[-2:] if len(formatted) > 8 else phone


def _confirmed_phone(request) -> str | None:
    held = request.session.get(SESSION_PHONE)
    if not isinstance(held, dict) or not held.get("phone"):
        return None
    if time.time() - float(held.get("at", 0)) > PHONE_CONFIRMED_SECONDS:
        request.session.pop(SESSION_PHONE, None)
        return None
    return held["phone"]


def _apply_url(service: Service) -> str:
    return reverse("cases:apply", args=[service.code])


def _phone_page(request, service: Service, *, status=200, errors=(), phone=""):
    pending = request.session.get(SESSION_PENDING)
    context = {
        "service": service,
        "pending": _masked_phone(pending) if pending else "",
        "errors": list(errors),
        "phone": phone,
        "max_size": settings.CASES_UPLOAD_MAX_BYTES,
    }
    return _noindex(render(request, "cases/public/apply_phone.html", context, status=status))


def _form_page(request, service: Service, form: ApplyForm, phone: str, *, status=200, document_errors=(), draft=""):
    _documents, by_center = selectors.service_checklist(service)
    context = {
        "service": service,
        "form": form,
        "phone": format_phone(phone),
        "by_center": by_center,
        "fee": fee_today(service),
        "document_errors": list(document_errors),
        "max_size": settings.CASES_UPLOAD_MAX_BYTES,
        "draft": draft,
    }
    return _noindex(render(request, "cases/public/apply_form.html", context, status=status))


def _new_form(request, service: Service, data=None, files=None, kept=()) -> ApplyForm:
    documents, _by_center = selectors.service_checklist(service)
    initial = {"language": language_or_default(_language())}
    initial["kind"] = PersonKind.INDIVIDUAL if service.for_individuals else PersonKind.LEGAL_ENTITY
    centers = selectors.intake_centers()
    return ApplyForm(data, files, service=service, centers=centers, documents=documents, initial=initial, kept=kept)


def _sent_back(request, service: Service, form: ApplyForm, phone: str, draft, *, status, document_errors=()):
    """The form again, keeping the scans that came with this post (views/drafts.py): the next try uses them."""
    kept, errors = cases.pending_uploads_keep(actor=cases.CITIZEN, draft=draft, uploads=form.new_uploads())
    replaced = form.keep(kept, errors)
    if replaced:
        cases.pending_uploads_discard(actor=cases.CITIZEN, draft=draft, ids=replaced)
    document_errors = [*document_errors, *(m for m in errors.get("files", []) if m not in document_errors)]
    return _form_page(request, service, form, phone, status=status, document_errors=document_errors, draft=draft.token)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, code):
    service = selectors.online_service(code)
    if service is None:
        raise Http404("no such service online")
    if request.method == "GET":
        done = request.session.get(SESSION_DONE)
        if request.GET.get("done") and isinstance(done, dict) and done.get("service") == service.code:
            context = {**done, "service": service, "due": dt.date.fromisoformat(done["due"])}
            return _noindex(render(request, "cases/public/apply_done.html", context))
        phone = _confirmed_phone(request)
        if phone is None:
            return _phone_page(request, service)
        return _form_page(request, service, _new_form(request, service), phone)

    step = request.POST.get("step", "")
    if step in ("phone", "resend"):
        return _send_code(request, service, step)
    if step == "code":
        return _confirm_code(request, service)
    if step == "change":
        request.session.pop(SESSION_PENDING, None)
        request.session.pop(SESSION_PHONE, None)
        return HttpResponseRedirect(_apply_url(service), status=303)
    if step == "submit":
        return _submit(request, service)
    return _phone_page(
        request, service, status=400, errors=[_("Something went wrong with the form. Please start again.")]
    )


def _send_code(request, service: Service, step: str):
    typed = request.POST.get("phone", "") if step == "phone" else request.session.get(SESSION_PENDING, "")
    checked = attempt(lambda: validate_phone(typed))
    if not checked.ok:
        if step == "phone":
            return _phone_page(request, service, status=400, errors=checked.error.messages, phone=typed[:24])
        request.session.pop(SESSION_PENDING, None)
        return _phone_page(request, service, status=400, errors=[_("Enter your mobile phone number.")])
    phone = checked.value
    if LIMITS["otp"].reached(request):
        return _phone_page(request, service, status=429, errors=[str(TOO_MANY)], phone=typed[:24])
    sent = attempt(lambda: notify.otp_send(actor=cases.CITIZEN, phone=phone, purpose=OTP_PURPOSE, language=_language()))
    if not sent.ok:
        status = 429 if getattr(sent.error, "code", "") == "otp_rate" else sent.status
        return _phone_page(request, service, status=status, errors=[sent.message], phone=typed[:24])
    LIMITS["otp"].count(request)
    request.session[SESSION_PENDING] = phone
    if step == "resend":
        messages.success(request, _("A new code has been sent."))
    return HttpResponseRedirect(_apply_url(service), status=303)


def _confirm_code(request, service: Service):
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return _phone_page(request, service, status=400, errors=[_("Enter your phone number first.")])
    code = _normalize_code(request.POST.get("code", ""))
    if not code:
        return _phone_page(request, service, status=400, errors=[_("Enter the code from the SMS.")])
    confirmed = attempt(lambda: notify.otp_verify(actor=cases.CITIZEN, phone=pending, purpose=OTP_PURPOSE, code=code))
    if not confirmed.ok:
        return _phone_page(request, service, status=confirmed.status, errors=[confirmed.message])
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_PHONE] = {"phone": pending, "at": time.time()}
    return HttpResponseRedirect(_apply_url(service), status=303)


def _submit(request, service: Service):
    phone = _confirmed_phone(request)
    if phone is None:
        return _phone_page(
            request,
            service,
            status=400,
            errors=[_("Confirm your phone number first: the confirmation is kept for 30 minutes.")],
        )
    draft, kept = drafts.resume(request, cases.CITIZEN)
    form = _new_form(request, service, request.POST, request.FILES, kept=kept)
    if not form.is_valid():
        return _sent_back(request, service, form, phone, draft, status=400)
    applicant = form.applicant()
    # An applicant already known keeps their details, phone included (only the application uses the
    # confirmed one): typing someone's PINFL must not rename them.
    done = attempt(
        lambda: cases.application_register(
            actor=cases.CITIZEN,
            person={**applicant, "phone": phone, "language": form.cleaned_data["language"]},
            update_existing=False,
            intake=cases.Intake(
                service=service,
                applicant=None,
                center=form.cleaned_center(),
                uploads=form.uploads(),
                phone=phone,
                language=form.cleaned_data["language"],
                channel=Channel.ONLINE,
                draft=draft,
            ),
        )
    )
    if not done.ok:
        error = done.error if isinstance(done.error, ValidationError) else ValidationError(done.message)
        document_errors = form.add_service_errors(error)
        return _sent_back(request, service, form, phone, draft, status=done.status, document_errors=document_errors)
    application = done.value
    request.session.pop(SESSION_PHONE, None)
    request.session[SESSION_DONE] = {
        "service": service.code,
        "number": application.number,
        "code": application.access_code,
        "phone": _masked_phone(phone),
        "center": str(application.center.name),
        "fee": application.fee_amount,
        "fee_due": application.fee_status == FeeStatus.DUE,
        "due": timezone.localtime(application.due_at).date().isoformat(),
    }
    return HttpResponseRedirect(_apply_url(service) + "?done=1", status=303)


urlpatterns = [
    path("track/", track, name="track"),
    path("track/unlock/<str:token>/", track_unlock, name="track_unlock"),
    path("track/<str:number>/", track_detail, name="track_detail"),
    path("verify/<str:code>/", verify, name="verify"),
    path("rate/<str:token>/", rate, name="rate"),
    path("services/<slug:code>/apply/", apply, name="apply"),
]
