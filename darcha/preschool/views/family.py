"""The family's pages: tracking a kindergarten application, the family's page, its edits, leaving the
queue, applying online, and the receipt.

    track/                              the form: queue number and access code from the receipt
    family/<number>/                    the family's page (the receipt's QR code opens it with ?code=…)
    family/<number>/change/             edits: a fresh SMS code to the phone on file first
    family/<number>/change/choices/     the order of kindergartens (the queue date is kept)
    family/<number>/change/leave/       leave the queue, after a confirmation
    family/<number>/change/decline/     decline the referral offered, after a confirmation
    family/<number>/receipt.pdf         the receipt (the family, or the staff of the center or district)
    apply/                              apply online: a phone confirmed by an SMS code, then the form

Nothing here needs a login. A right number and access code unlock the application in this browser's
session (its address then carries no code, so no history or Referer keeps it); wrong ones are limited by
`services.track_lookup`, the rule the Telegram bot follows too, and a wrong number and a wrong code get the
same answer. The access code is printed on paper and may be lost with it, so every change by the family
needs a fresh SMS code sent to the phone on file as well. Every write goes through darcha.preschool.services.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from darcha.cases.services import pending_uploads_discard, pending_uploads_keep
from darcha.cases.views import drafts
from darcha.core.choices import PersonKind
from darcha.core.errors import attempt
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import format_phone
from darcha.core.services import person_register
from darcha.core.throttle import TOO_MANY, ClientLimit, client_address
from darcha.notify import services as notify

from .. import receipts, selectors
from .. import services as preschool
from ..choices import Channel
from ..forms import (
    CodeForm,
    DeclineForm,
    FamilyChoicesForm,
    FamilyContactForm,
    LeaveForm,
    OnlineApplicationForm,
    PhoneForm,
    normalize_code,
    normalize_number,
)

FAMILY = preschool.FAMILY  # the family acting on its own application (a system actor in the audit log)

LIMITS = {
    # SMS codes asked for from one address (the notify app limits each phone too)
    "otp": ClientLimit("preschool-otp", attempts=10, window=3600),
}
OTP_APPLY = "preschool.apply"
OTP_FAMILY = "preschool.family"
OTP_NEW_PHONE = "preschool.phone"
UNLOCKED_SECONDS = 2 * 3600  # an application unlocked by its code stays open in the session this long
CONFIRMED_SECONDS = 30 * 60  # a phone confirmed by an SMS code allows changes this long

# Session keys.
SESSION_UNLOCKED = "preschool_family"  # {number: epoch}: applications opened here with their access code
SESSION_CONFIRMED = "preschool_family_confirmed"  # {number: epoch}: the phone on file confirmed for changes
SESSION_SENT = "preschool_family_sent"  # {number: epoch}: a code was sent to the phone on file
SESSION_NEW_PHONE = "preschool_family_new_phone"  # {number: {"phone", "language"}}: a code sent to a new phone
SESSION_APPLY_PENDING = "preschool_apply_pending"  # the phone a code was sent to
SESSION_APPLY_PHONE = "preschool_apply_phone"  # {"phone", "at"}: the confirmed phone
SESSION_APPLY_DONE = "preschool_apply_done"  # {"number", "code", "phone"}: the application just filed

NOT_FOUND = gettext_lazy("No application with this number and code. Check the receipt.")


# --- helpers ------------------------------------------------------------------------------------
def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template: str, context: dict, status: int = 200):
    return _noindex(render(request, f"preschool/family/{template}", context, status=status))


def masked_phone(phone: str) -> str:
    """+998 90 123 •• 67: enough to recognise one's own number."""
    formatted = format_phone(phone)
    return formatted[:-5].rstrip() + " •• " + formatted[-2:] if len(formatted) > 8 else ("•••" if phone else "")


def _held(request, key: str, number: str, seconds: int) -> bool:
    entries = request.session.get(key)
    at = entries.get(number) if isinstance(entries, dict) else None
    return isinstance(at, int | float) and time.time() - at <= seconds


def _hold(request, key: str, number: str, value=None) -> None:
    entries = request.session.get(key)
    entries = dict(entries) if isinstance(entries, dict) else {}
    entries[number] = time.time() if value is None else value
    request.session[key] = entries


def _drop(request, key: str, number: str) -> None:
    entries = request.session.get(key)
    if isinstance(entries, dict) and number in entries:
        entries = dict(entries)
        entries.pop(number)
        request.session[key] = entries


def _family_url(number: str, name: str = "preschool:family") -> str:
    return reverse(name, args=[number])


def _send_limited(request, phone: str, purpose: str, language: str) -> tuple[int, str]:
    """Send an SMS code under the per-address limit: (0, "") when sent, else (status, message)."""
    if LIMITS["otp"].reached(request):
        return 429, str(TOO_MANY)
    sent = attempt(lambda: notify.otp_send(actor=FAMILY, phone=phone, purpose=purpose, language=language))
    if not sent.ok:
        return (429 if getattr(sent.error, "code", "") == "otp_rate" else sent.status), sent.message
    LIMITS["otp"].count(request)
    return 0, ""


# --- tracking -----------------------------------------------------------------------------------
def _track_page(request, *, status=200, errors=(), field_errors=None, number=""):
    context = {"number": number, "errors": list(errors), "field_errors": field_errors or {}}
    return _page(request, "track.html", context, status)


def _lookup(request, number: str, code: str):
    """services.track_lookup under its limits: (application or None, the page to answer instead or None)."""
    looked_up = attempt(
        lambda: preschool.track_lookup(number=number, code=code, client=f"addr:{client_address(request)}")
    )
    if looked_up.value is not None:
        return looked_up.value, None
    if not looked_up.ok:  # locked, or too many wrong lookups from here
        response = _track_page(request, status=looked_up.status, errors=[looked_up.message], number=number)
        retry_after = getattr(looked_up.error, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return None, response
    return None, _track_page(request, status=404, field_errors={"code": str(NOT_FOUND)}, number=number)


def _unlocked(request, application) -> HttpResponseRedirect:
    """Open the application in this session and go to its page, the code out of the address."""
    _hold(request, SESSION_UNLOCKED, application.number)
    return HttpResponseRedirect(_family_url(application.number), status=303)


@never_cache
@require_GET
def track(request):
    """The form; sent (GET), it opens the family's page."""
    if "number" not in request.GET and "code" not in request.GET:
        return _track_page(request, number=normalize_number(request.GET.get("n", "")))
    number, code = normalize_number(request.GET.get("number", "")), normalize_code(request.GET.get("code", ""))
    field_errors = {}
    if not number:
        field_errors["number"] = _("Enter the queue number from your receipt.")
    if not code:
        field_errors["code"] = _("Enter the six-digit access code from your receipt.")
    if field_errors:
        return _track_page(request, status=400, field_errors=field_errors, number=number)
    application, refusal = _lookup(request, number, code)
    return refusal or _unlocked(request, application)


def _family_application(request, number: str):
    """The application opened in this session, or None (the visitor is sent to the form)."""
    number = normalize_number(number)
    if not _held(request, SESSION_UNLOCKED, number, UNLOCKED_SECONDS):
        return None
    return selectors.family_application(number)


def _to_track(number: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("preschool:track") + "?" + urlencode({"n": number}), status=303)


@never_cache
@require_GET
def family(request, number):
    code = normalize_code(request.GET.get("code", ""))
    if code:  # the receipt's QR code, or the done page's link
        application, refusal = _lookup(request, normalize_number(number), code)
        return refusal or _unlocked(request, application)
    application = _family_application(request, number)
    if application is None:
        return _to_track(normalize_number(number))
    context = selectors.family_view(application)
    context["phone"] = masked_phone(application.phone)
    return _page(request, "page.html", context)


# --- changes by the family ----------------------------------------------------------------------
def _change_page(request, application, *, status=200, errors=(), contact_form=None, code_form=None):
    number = application.number
    new_phone = (request.session.get(SESSION_NEW_PHONE) or {}).get(number)
    context = {
        "application": application,
        "number": number,
        "phone": masked_phone(application.phone),
        "has_phone": bool(application.phone),
        "active": application.is_active,
        "confirmed": _held(request, SESSION_CONFIRMED, number, CONFIRMED_SECONDS),
        "sent": _held(request, SESSION_SENT, number, settings.NOTIFY_OTP_TTL),
        "new_phone": masked_phone(new_phone["phone"]) if new_phone else "",
        "errors": list(errors),
        "offered": selectors.family_seats(application)[0],
        "code_form": code_form or CodeForm(),
        "contact_form": contact_form
        or FamilyContactForm(initial={"phone": format_phone(application.phone), "language": application.language}),
    }
    return _page(request, "change.html", context, status)


@never_cache
@require_http_methods(["GET", "POST"])
def family_change(request, number):
    """Confirm the phone on file by an SMS code; then change the phone and the language of messages."""
    application = _family_application(request, number)
    if application is None:
        return _to_track(normalize_number(number))
    number = application.number
    if request.method == "GET":
        return _change_page(request, application)
    step = request.POST.get("step", "")
    here = _family_url(number, "preschool:family_change")
    if step == "send":
        if not application.phone:
            return _change_page(
                request, application, status=409, errors=[_("No phone is on file: ask at the center to change it.")]
            )
        status, message = _send_limited(request, application.phone, OTP_FAMILY, application.language)
        if status:
            return _change_page(request, application, status=status, errors=[message])
        _hold(request, SESSION_SENT, number)
        return HttpResponseRedirect(here, status=303)
    if step == "code":
        form = CodeForm(request.POST)
        if not form.is_valid():
            return _change_page(request, application, status=400, code_form=form)
        confirmed = attempt(
            lambda: notify.otp_verify(
                actor=FAMILY, phone=application.phone, purpose=OTP_FAMILY, code=form.cleaned_data["code"]
            )
        )
        if not confirmed.ok:
            return _change_page(request, application, status=confirmed.status, errors=[confirmed.message])
        _drop(request, SESSION_SENT, number)
        _hold(request, SESSION_CONFIRMED, number)
        return HttpResponseRedirect(here, status=303)
    if not _held(request, SESSION_CONFIRMED, number, CONFIRMED_SECONDS):
        return _change_page(
            request,
            application,
            status=403,
            errors=[_("Confirm your phone first: we send a code to the phone on file.")],
        )
    if step == "contact":
        return _contact(request, application)
    if step == "new_code":
        return _new_phone_code(request, application)
    return _change_page(
        request, application, status=400, errors=[_("Something went wrong with the form. Please start again.")]
    )


def _contact(request, application):
    form = FamilyContactForm(request.POST)
    if not form.is_valid():
        return _change_page(request, application, status=400, contact_form=form)
    phone, language = form.cleaned_data["phone"], form.cleaned_data["language"]
    number = application.number
    if phone != application.phone:
        # A new phone is confirmed by a code sent to it; the change waits for that code.
        status, message = _send_limited(request, phone, OTP_NEW_PHONE, language)
        if status:
            return _change_page(request, application, status=status, errors=[message])
        _hold(request, SESSION_NEW_PHONE, number, {"phone": phone, "language": language})
        return HttpResponseRedirect(_family_url(number, "preschool:family_change"), status=303)
    done = attempt(lambda: preschool.application_edit(actor=FAMILY, application=application, language=language))
    if not done.ok:
        return _change_page(request, application, status=done.status, errors=[done.message], contact_form=form)
    messages.success(request, _("Saved. Your place in the queue is unchanged."))
    return HttpResponseRedirect(_family_url(number), status=303)


def _new_phone_code(request, application):
    number = application.number
    pending = (request.session.get(SESSION_NEW_PHONE) or {}).get(number)
    if not pending:
        return _change_page(request, application, status=400, errors=[_("Enter the new phone number first.")])
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _change_page(request, application, status=400, code_form=form)
    code = form.cleaned_data["code"]
    confirmed = attempt(
        lambda: notify.otp_verify(actor=FAMILY, phone=pending["phone"], purpose=OTP_NEW_PHONE, code=code)
    )
    if not confirmed.ok:
        return _change_page(request, application, status=confirmed.status, errors=[confirmed.message])
    done = attempt(
        lambda: preschool.application_edit(
            actor=FAMILY, application=application, phone=pending["phone"], language=pending["language"]
        )
    )
    _drop(request, SESSION_NEW_PHONE, number)
    if not done.ok:
        return _change_page(request, application, status=done.status, errors=[done.message])
    messages.success(request, _("Saved. Notices now go to the new phone; your place in the queue is unchanged."))
    return HttpResponseRedirect(_family_url(number), status=303)


def _confirmed_application(request, number):
    """The application opened here with its phone confirmed for changes; else where to send the visitor."""
    application = _family_application(request, number)
    if application is None:
        return None, _to_track(normalize_number(number))
    if not _held(request, SESSION_CONFIRMED, application.number, CONFIRMED_SECONDS):
        return None, HttpResponseRedirect(_family_url(application.number, "preschool:family_change"), status=303)
    return application, None


@never_cache
@require_http_methods(["GET", "POST"])
def family_choices(request, number):
    application, elsewhere = _confirmed_application(request, number)
    if elsewhere:
        return elsewhere
    rules = selectors.family_choice_rules(application.district)
    accepted = selectors.family_district_programs(application.district)
    listed = selectors.family_programs(application.district, application.child.birth_date, rules.school_year, accepted)
    current = [preference.program for preference in application.preferences.all()]
    # A group chosen before stays listed (one the child has outgrown is the services' to refuse, saying why).
    listed = [*listed, *(p for p in current if p not in listed)]
    initial = {f"choice_{rank}": str(program.pk) for rank, program in enumerate(current, start=1)}
    data = request.POST if request.method == "POST" else None
    form = FamilyChoicesForm(
        data,
        initial=initial,
        programs=listed,
        accepted=accepted,
        max_choices=max(rules.max_choices, len(current)),
    )
    context = {"application": application, "number": application.number, "form": form, "rules": rules}
    if request.method == "GET":
        return _page(request, "choices.html", context)
    if not form.is_valid():
        return _page(request, "choices.html", context, status=400)
    chosen = form.cleaned_data["programs"]
    done = attempt(lambda: preschool.application_choices_set(actor=FAMILY, application=application, choices=chosen))
    if not done.ok:
        form.add_error(None, done.message)
        return _page(request, "choices.html", context, status=done.status)
    messages.success(request, _("Your choice of kindergartens is saved. The date you joined the queue is unchanged."))
    return HttpResponseRedirect(_family_url(application.number), status=303)


@never_cache
@require_http_methods(["GET", "POST"])
def family_leave(request, number):
    application, elsewhere = _confirmed_application(request, number)
    if elsewhere:
        return elsewhere
    form = LeaveForm(request.POST if request.method == "POST" else None)
    context = {"application": application, "number": application.number, "form": form}
    if request.method == "GET":
        return _page(request, "leave.html", context)
    if not form.is_valid():
        return _page(request, "leave.html", context, status=400)
    reason = form.cleaned_data["reason"]
    done = attempt(lambda: preschool.application_leave(actor=FAMILY, application=application, reason=reason))
    if not done.ok:
        form.add_error(None, done.message)
        return _page(request, "leave.html", context, status=done.status)
    _drop(request, SESSION_CONFIRMED, application.number)
    messages.success(request, _("Your child has left the kindergarten queue."))
    return HttpResponseRedirect(_family_url(application.number), status=303)


@never_cache
@require_http_methods(["GET", "POST"])
def family_decline(request, number):
    """Say no to the referral offered, after a confirmation: its place goes to the next child now. The
    child stays in the queue of the groups ranked higher."""
    application, elsewhere = _confirmed_application(request, number)
    if elsewhere:
        return elsewhere
    offered, _enrolled = selectors.family_seats(application)
    if offered is None:
        messages.info(request, _("There is no referral to decline."))
        return HttpResponseRedirect(_family_url(application.number), status=303)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    context = {"application": application, "number": application.number, "form": form, "offered": offered}
    if request.method == "GET":
        return _page(request, "decline.html", context)
    if not form.is_valid():
        return _page(request, "decline.html", context, status=400)
    done = attempt(lambda: preschool.placement_decline(actor=FAMILY, placement=offered))
    if not done.ok:
        form.add_error(None, done.message)
        return _page(request, "decline.html", context, status=done.status)
    messages.success(request, _("The referral is declined: the place goes to the next child."))
    return HttpResponseRedirect(_family_url(application.number), status=303)


# --- the receipt --------------------------------------------------------------------------------
@never_cache
@require_GET
def receipt(request, number):
    """The receipt PDF: for the family who opened the application here, or staff who may see it."""
    application = _family_application(request, number)
    if application is None:
        application = selectors.family_application(normalize_number(number))
        if application is None or not selectors.staff_may_see(request.user, application):
            if not request.user.is_authenticated:
                return _to_track(normalize_number(number))
            raise Http404("no such application here")
    response = HttpResponse(receipts.receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{application.number}.pdf"'
    return _noindex(response)


# --- online application -------------------------------------------------------------------------
def _apply_url() -> str:
    return reverse("preschool:apply")


def _confirmed_phone(request) -> str | None:
    held = request.session.get(SESSION_APPLY_PHONE)
    if not isinstance(held, dict) or not held.get("phone"):
        return None
    if time.time() - float(held.get("at", 0)) > CONFIRMED_SECONDS:
        request.session.pop(SESSION_APPLY_PHONE, None)
        return None
    return held["phone"]


def _phone_page(request, *, status=200, errors=(), phone=""):
    pending = request.session.get(SESSION_APPLY_PENDING)
    context = {"pending": masked_phone(pending) if pending else "", "errors": list(errors), "phone": phone}
    return _page(request, "apply_phone.html", context, status)


def _apply_form(request, data=None, files=None, kept=()) -> OnlineApplicationForm:
    districts = selectors.family_districts()
    source = data if data is not None else request.GET
    district = next((d for d in districts if str(d.pk) == str(source.get("district", ""))), None)
    birth_date = _typed_date(source.get("birth_date", ""))
    programs, accepted, max_choices, rules = [], [], settings.PRESCHOOL_MAX_CHOICES, None
    if district is not None:
        rules = selectors.family_choice_rules(district)
        max_choices = rules.max_choices
        accepted = selectors.family_district_programs(district)
        if birth_date is not None:
            programs = selectors.family_programs(district, birth_date, rules.school_year, accepted)
    initial = {"language": language_or_default(_language())}
    if data is None:
        initial.update({key: source.get(key, "") for key in ("district", "birth_date") if source.get(key)})
    form = OnlineApplicationForm(
        data,
        files,
        initial=initial,
        districts=districts,
        programs=programs,
        accepted=accepted,
        max_choices=max_choices,
        benefits=selectors.family_benefits(),
        kept=kept,
    )
    form.rules, form.chosen_district, form.typed_birth_date = rules, district, birth_date
    return form


def _typed_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _chosen(request) -> bool:
    """The first step's answers are there: a district of the list and a date of birth."""
    districts = {str(d.pk) for d in selectors.family_districts()}
    return request.GET.get("district", "") in districts and _typed_date(request.GET.get("birth_date")) is not None


def _form_page(request, form, phone, *, status=200, draft=""):
    context = {
        "asked": "district" in request.GET or "birth_date" in request.GET,
        "form": form,
        "phone": format_phone(phone),
        "max_size": settings.CASES_UPLOAD_MAX_BYTES,
        "draft": draft,
    }
    return _page(request, "apply_form.html", context, status)


def _sent_back(request, form, phone, draft, *, status):
    """The form again, keeping the scans that came with this post for the next try (cases' kept uploads):
    nobody attaches them again. A new scan for a category replaces the one kept for it before."""
    kept, errors = pending_uploads_keep(actor=FAMILY, draft=draft, uploads=form.new_uploads())
    replaced = form.keep(kept, errors)
    if replaced:
        pending_uploads_discard(actor=FAMILY, draft=draft, ids=replaced)
    return _form_page(request, form, phone, status=status, draft=draft.token)


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    if request.method == "GET":
        done = request.session.get(SESSION_APPLY_DONE)
        if request.GET.get("done") and isinstance(done, dict):
            return _page(request, "apply_done.html", {**done, "queue_date": _typed_date(done.get("queue_date"))})
        phone = _confirmed_phone(request)
        if phone is None:
            return _phone_page(request)
        asked = "district" in request.GET or "birth_date" in request.GET
        return _form_page(request, _apply_form(request), phone, status=400 if asked and not _chosen(request) else 200)
    step = request.POST.get("step", "")
    if step in ("phone", "resend"):
        return _apply_send_code(request, step)
    if step == "code":
        return _apply_confirm_code(request)
    if step == "change":
        request.session.pop(SESSION_APPLY_PENDING, None)
        request.session.pop(SESSION_APPLY_PHONE, None)
        return HttpResponseRedirect(_apply_url(), status=303)
    if step == "submit":
        return _apply_submit(request)
    return _phone_page(request, status=400, errors=[_("Something went wrong with the form. Please start again.")])


def _apply_send_code(request, step: str):
    typed = request.POST.get("phone", "") if step == "phone" else request.session.get(SESSION_APPLY_PENDING, "")
    form = PhoneForm({"phone": typed})
    if not form.is_valid():
        request.session.pop(SESSION_APPLY_PENDING, None)
        return _phone_page(request, status=400, errors=form.errors["phone"], phone=request.POST.get("phone", "")[:24])
    phone = form.cleaned_data["phone"]
    status, message = _send_limited(request, phone, OTP_APPLY, _language())
    if status:
        return _phone_page(request, status=status, errors=[message], phone=format_phone(phone))
    request.session[SESSION_APPLY_PENDING] = phone
    if step == "resend":
        messages.success(request, _("A new code has been sent."))
    return HttpResponseRedirect(_apply_url(), status=303)


def _apply_confirm_code(request):
    pending = request.session.get(SESSION_APPLY_PENDING)
    if not pending:
        return _phone_page(request, status=400, errors=[_("Enter your phone number first.")])
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, status=400, errors=form.errors["code"])
    code = form.cleaned_data["code"]
    confirmed = attempt(lambda: notify.otp_verify(actor=FAMILY, phone=pending, purpose=OTP_APPLY, code=code))
    if not confirmed.ok:
        return _phone_page(request, status=confirmed.status, errors=[confirmed.message])
    request.session.cycle_key()
    request.session.pop(SESSION_APPLY_PENDING, None)
    request.session[SESSION_APPLY_PHONE] = {"phone": pending, "at": time.time()}
    return HttpResponseRedirect(_apply_url(), status=303)


# Keys of the services' field messages → the form's fields (None: the top of the form).
SERVICE_FIELDS = {
    "name": "applicant_name",
    "pinfl": "applicant_pinfl",
    "passport": "applicant_pinfl",
    "kind": None,
    "child_name": "child_name",
    "birth_certificate": "birth_certificate",
    "birth_date": "birth_date",
    "child_pinfl": "child_pinfl",
    "district": "district",
    "choices": "choice_1",
    "relation": "relation",
    "phone": None,
    "language": "language",
}


def _register(form, phone):
    """The applicant as a Person and the application, in one transaction: a refusal leaves neither."""
    data = form.cleaned_data
    claims = [
        preschool.BenefitClaim(
            benefit=benefit,
            evidence_reference=reference,
            evidence_file=scan,
            obtained_by_center=benefit.center_obtains,
        )
        for benefit, reference, scan in form.claims()
    ]
    with transaction.atomic():
        # An applicant already known keeps their details: typing someone's PINFL must not rename them.
        applicant = person_register(
            actor=FAMILY,
            kind=PersonKind.INDIVIDUAL,
            name=data["applicant_name"],
            pinfl=data["applicant_pinfl"],
            phone=phone,
            language=data["language"],
            update_existing=False,
        )
        return preschool.application_register(
            actor=FAMILY,
            child_name=data["child_name"],
            birth_date=data["birth_date"],
            birth_certificate=data["birth_certificate"],
            child_pinfl=data["child_pinfl"].strip() or None,
            applicant=applicant,
            relation=data["relation"],
            district=form.cleaned_district(),
            choices=data["programs"],
            phone=phone,
            language=data["language"],
            benefits=claims,
            channel=Channel.ONLINE,
        )


def _add_service_errors(form, error) -> None:
    """The services' messages onto the form: on their fields, the privileges' beside the privileges."""
    if not (isinstance(error, ValidationError) and hasattr(error, "error_dict")):
        messages_ = error.messages if isinstance(error, ValidationError) else [str(getattr(error, "message", error))]
        form.add_error(None, messages_)
        return
    for key, texts in error.message_dict.items():
        if key == "benefits":
            form.benefit_errors.extend(texts)
            continue
        field = SERVICE_FIELDS.get(key)
        form.add_error(field if field in form.fields else None, texts)


def _apply_submit(request):
    phone = _confirmed_phone(request)
    if phone is None:
        return _phone_page(
            request, status=400, errors=[_("Confirm your phone number first: the confirmation is kept for 30 minutes.")]
        )
    draft, kept = drafts.resume(request, FAMILY)
    form = _apply_form(request, request.POST, request.FILES, kept=kept)
    if not form.is_valid():
        return _sent_back(request, form, phone, draft, status=400)
    done = attempt(lambda: _register(form, phone))
    if not done.ok:
        _add_service_errors(form, done.error)
        return _sent_back(request, form, phone, draft, status=done.status)
    # The scans now belong to the application (stored again by the service): the draft's copies go.
    pending_uploads_discard(actor=FAMILY, draft=draft)
    application = done.value
    request.session.pop(SESSION_APPLY_PHONE, None)
    request.session[SESSION_APPLY_DONE] = {
        "number": application.number,
        "code": application.access_code,
        "phone": masked_phone(phone),
        "queue_date": timezone.localtime(application.queue_date).date().isoformat(),
    }
    _hold(request, SESSION_UNLOCKED, application.number)
    return HttpResponseRedirect(_apply_url() + "?done=1", status=303)


urlpatterns = [
    path("track/", track, name="track"),
    path("family/<str:number>/", family, name="family"),
    path("family/<str:number>/change/", family_change, name="family_change"),
    path("family/<str:number>/change/choices/", family_choices, name="family_choices"),
    path("family/<str:number>/change/leave/", family_leave, name="family_leave"),
    path("family/<str:number>/change/decline/", family_decline, name="family_decline"),
    path("family/<str:number>/receipt.pdf", receipt, name="receipt"),
    path("apply/", apply, name="apply"),
]
