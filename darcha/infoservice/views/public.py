"""The public's pages of appeals: the section's landing page, the web form, the author's tracking and
requests, the public archive and the statistics.

    ""                                  home            what an appeal is, the terms, the links (cached)
    new/                                new             choose the hokimiyat: region, city or district (cached)
    new/<hokimiyat>/                    new_form        the phone confirmed by an SMS code, then the form
    new/done/                           new_done        number, access code and due date of the appeal sent
    track/                              track           the form: number and access code
    my/<number>/                        mine            the author's page (?code=… from the SMS opens it)
    my/<number>/letters/<id>.pdf        mine_letter     an approved answer letter (PDF)
    my/<number>/<action>/               mine_<action>   POST: rate, clarify, complain, withdraw
    archive/                            archive         published answers: ?topic= hokimiyat= outcome= page=
    archive/<number>/                   archive_appeal  one published appeal (cached)
    statistics/                         statistics      ?year= hokimiyat= (cached)

Nothing here needs a login. A right number and access code unlock the appeal in this browser's session
(the address then carries no code); wrong ones are limited by `services.track_lookup`, the rule the
Telegram bot follows too, and a wrong number and a wrong code get the same answer. The author's requests
are the services' (`appeal_rate`, `appeal_clarification`, `appeal_complaint`, `appeal_withdraw`) run as
AUTHOR through `attempt()`: refused, the page comes back with the service's message beside that form.

The landing page, the hokimiyats' list, the archive and the statistics are anonymous pages held by the
page cache (content "appeals": core.pagecache) and carry no form token or cookie. The statistics count
what happened before today (`selectors.statistics_cutoff`), so a held page is right all day.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.cases.services import pending_uploads_discard, pending_uploads_keep
from darcha.cases.views import drafts
from darcha.core.calendar import WorkingCalendar
from darcha.core.errors import attempt
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import format_phone
from darcha.core.pagecache import public_page
from darcha.core.throttle import TOO_MANY, ClientLimit, client_address
from darcha.core.uploads import kept_file
from darcha.notify import services as notify

from .. import selectors, services, terms
from ..choices import ANSWER_OUTCOMES, AppealStatus, AppealType, Channel, EventKind, ExtensionKind, Outcome
from ..forms import FollowUpForm, PublicAppealForm, PublicCodeForm, PublicPhoneForm, RateForm, WithdrawForm
from ..letters import answer_number, letter_bytes, verify_path

AUTHOR = services.AUTHOR

LIMITS = {"otp": ClientLimit("appeals-otp", attempts=10, window=3600)}  # SMS codes asked for from one address
OTP_PURPOSE = "appeals.new"
UNLOCKED_SECONDS = 2 * 3600  # an appeal unlocked by its code stays open in the session this long
CONFIRMED_SECONDS = 30 * 60  # a phone confirmed by an SMS code may send appeals this long
ARCHIVE_PAGE = 20

SESSION_UNLOCKED = "appeals_author"  # {number: epoch}: appeals opened here with their access code
SESSION_PENDING = "appeals_new_pending"  # the phone a code was sent to
SESSION_PHONE = "appeals_new_phone"  # {"phone", "at"}: the confirmed phone
SESSION_DONE = "appeals_new_done"  # {"number", "code", "due", "anonymous"}: the appeal just sent

NOT_FOUND = gettext_lazy("No appeal has this number and access code. Check both in the SMS or on the paper.")
FILE_FIELD = "attachments"


# --- helpers --------------------------------------------------------------------------------------
def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template: str, context: dict, status: int = 200):
    return _noindex(render(request, f"infoservice/public/{template}", context, status=status))


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _language() -> str:
    return language_or_default(translation.get_language() or settings.LANGUAGE_CODE)


def masked_phone(phone: str) -> str:
    """+998 90 123 •• 67: enough to recognise one's own number."""
    formatted = format_phone(phone)
    return formatted[:-5].rstrip() + " •• " + formatted[-2:] if len(formatted) > 8 else ("•••" if phone else "")


def _held(request, number: str) -> bool:
    entries = request.session.get(SESSION_UNLOCKED)
    at = entries.get(number) if isinstance(entries, dict) else None
    return isinstance(at, int | float) and time.time() - at <= UNLOCKED_SECONDS


def _hold(request, number: str) -> None:
    entries = request.session.get(SESSION_UNLOCKED)
    entries = dict(entries) if isinstance(entries, dict) else {}
    entries[number] = time.time()
    request.session[SESSION_UNLOCKED] = entries


def _number(value: str) -> str:
    return "".join(str(value or "").split()).upper()[:24]


def _code(value: str) -> str:
    return "".join(str(value or "").split())[:12]


# --- the section's landing page and the choice of hokimiyat ---------------------------------------
@public_page("appeals")
@require_GET
def home(request):
    return render(request, "infoservice/public/home.html", {})


def _regions(hokimiyats) -> list[dict]:
    """Hokimiyats grouped by region: the region's own first, then its cities' and districts'."""
    groups: dict[int | None, dict] = {}
    for office in hokimiyats:
        parent = office.parent
        region = parent if parent is not None and parent.kind == "region" else getattr(parent, "parent", None)
        key = region.pk if region is not None else None
        group = groups.setdefault(key, {"region": region, "own": [], "local": []})
        (group["own"] if region is not None and parent == region else group["local"]).append(office)
    return list(groups.values())


@public_page("appeals")
@require_GET
def new(request):
    return render(request, "infoservice/public/new.html", {"regions": _regions(selectors.public_hokimiyats())})


# --- the web form -----------------------------------------------------------------------------------
def _confirmed_phone(request) -> str | None:
    held = request.session.get(SESSION_PHONE)
    if not isinstance(held, dict) or not held.get("phone"):
        return None
    if time.time() - float(held.get("at", 0)) > CONFIRMED_SECONDS:
        request.session.pop(SESSION_PHONE, None)
        return None
    return held["phone"]


def _phone_page(request, office, *, status=200, errors=(), phone=""):
    pending = request.session.get(SESSION_PENDING)
    context = {
        "office": office,
        "pending": masked_phone(pending) if pending else "",
        "errors": list(errors),
        "phone": phone,
    }
    return _page(request, "new_phone.html", context, status)


def _appeal_form(office, data=None, files=None) -> PublicAppealForm:
    return PublicAppealForm(data, files, initial={"language": _language()}, bodies=selectors.executor_choices(office))


def _form_page(request, office, form, phone, *, status=200, draft="", kept=(), errors=()):
    context = {
        "office": office,
        "form": form,
        "phone": format_phone(phone),
        "draft": draft,
        "kept": list(kept),
        "errors": list(errors),
        "warn_anonymous": form.is_bound and hasattr(form, "cleaned_data") and form.anonymous,
        "max_size": settings.CASES_UPLOAD_MAX_BYTES,
        "location_topics": [topic.pk for topic in form.fields["topic"].queryset if topic.takes_location],
    }
    return _page(request, "new_form.html", context, status)


def _form_url(office) -> str:
    return reverse("infoservice:new_form", args=[office.code])


@never_cache
@require_http_methods(["GET", "POST"])
def new_form(request, code):
    office = selectors.public_hokimiyat(code)
    if office is None:
        raise Http404("no such hokimiyat")
    if request.method == "GET":
        phone = _confirmed_phone(request)
        if phone is None:
            return _phone_page(request, office)
        return _form_page(request, office, _appeal_form(office), phone)
    step = request.POST.get("step", "")
    if step in ("phone", "resend"):
        return _send_code(request, office, step)
    if step == "code":
        return _confirm_code(request, office)
    if step == "change":
        request.session.pop(SESSION_PENDING, None)
        request.session.pop(SESSION_PHONE, None)
        return _see(_form_url(office))
    if step == "submit":
        return _submit(request, office)
    return _phone_page(
        request, office, status=400, errors=[_("Something went wrong with the form. Please start again.")]
    )


def _send_code(request, office, step: str):
    typed = request.POST.get("phone", "") if step == "phone" else request.session.get(SESSION_PENDING, "")
    form = PublicPhoneForm({"phone": typed})
    if not form.is_valid():
        request.session.pop(SESSION_PENDING, None)
        return _phone_page(request, office, status=400, errors=form.errors["phone"], phone=str(typed)[:24])
    phone = form.cleaned_data["phone"]
    if LIMITS["otp"].reached(request):
        return _phone_page(request, office, status=429, errors=[str(TOO_MANY)], phone=format_phone(phone))
    sent = attempt(lambda: notify.otp_send(actor=AUTHOR, phone=phone, purpose=OTP_PURPOSE, language=_language()))
    if not sent.ok:
        status = 429 if getattr(sent.error, "code", "") == "otp_rate" else sent.status
        return _phone_page(request, office, status=status, errors=[sent.message], phone=format_phone(phone))
    LIMITS["otp"].count(request)
    request.session[SESSION_PENDING] = phone
    if step == "resend":
        messages.success(request, _("A new code has been sent."))
    return _see(_form_url(office))


def _confirm_code(request, office):
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return _phone_page(request, office, status=400, errors=[_("Enter your phone number first.")])
    form = PublicCodeForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, office, status=400, errors=form.errors["code"])
    code = form.cleaned_data["code"]
    confirmed = attempt(lambda: notify.otp_verify(actor=AUTHOR, phone=pending, purpose=OTP_PURPOSE, code=code))
    if not confirmed.ok:
        return _phone_page(request, office, status=confirmed.status, errors=[confirmed.message])
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_PHONE] = {"phone": pending, "at": time.time()}
    return _see(_form_url(office))


# The services' field messages → the form's fields (None: the top of the form).
SERVICE_FIELDS = {
    "text": "text",
    "author_email": "author_email",
    "author_phone": None,
    "latitude": "latitude",
    "type": "type",
    "signatories": None,
    "attachments": None,
    "organization": None,
}


def _sent_back(request, office, form, phone, draft, kept, *, status, errors=()):
    """The form again, keeping the files of this post for the next try (cases' kept uploads)."""
    new_files = [(FILE_FIELD, None, upload) for upload in request.FILES.getlist(FILE_FIELD)]
    just_kept, refused = pending_uploads_keep(actor=AUTHOR, draft=draft, uploads=new_files)
    problems = [*errors, *(message for texts in refused.values() for message in texts)]
    return _form_page(
        request, office, form, phone, status=status, draft=draft.token, kept=[*kept, *just_kept], errors=problems
    )


def _submit(request, office):
    phone = _confirmed_phone(request)
    if phone is None:
        return _phone_page(
            request,
            office,
            status=400,
            errors=[_("Confirm your phone number first: the confirmation is kept for 30 minutes.")],
        )
    draft, kept = drafts.resume(request, AUTHOR)
    form = _appeal_form(office, request.POST, request.FILES)
    if not form.is_valid():
        return _sent_back(request, office, form, phone, draft, kept, status=400)
    if form.anonymous and not form.cleaned_data["send_anonymous"]:
        # The law registers it, but it is not considered: the author is told before anything is sent.
        return _sent_back(request, office, form, phone, draft, kept, status=400)
    data = form.cleaned_data
    uploads = [kept_file(row) for row in kept] + list(data["attachments"])
    done = attempt(
        lambda: services.appeal_register(
            actor=AUTHOR,
            organization=office,
            channel=Channel.WEB,
            type=data["type"],
            text=data["text"],
            author_name=data["author_name"],
            author_address=data["author_address"],
            author_phone=phone,
            phone_confirmed=True,
            author_email=data["author_email"],
            language=data["language"],
            topic=data["topic"],
            complained_body=form.complained(),
            signatories=form.signatories(),
            attachments=uploads,
            consent_publish=data["consent_publish"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            location_address=data["location_address"],
        )
    )
    if not done.ok:
        if done.field_errors and "attachments" in done.field_errors:
            # A refused file is not kept for the next try: the author picks another.
            problems = done.field_errors.pop("attachments")
        else:
            problems = []
        for key, texts in done.field_errors.items():
            field = SERVICE_FIELDS.get(key, None)
            if field in form.fields:
                form.add_error(field, texts)
            else:
                problems.extend(texts)
        if not done.field_errors and not problems:
            problems = [done.message]
        return _form_page(
            request, office, form, phone, status=done.status, draft=draft.token, kept=kept, errors=problems
        )
    pending_uploads_discard(actor=AUTHOR, draft=draft)
    appeal = done.value
    request.session.pop(SESSION_PHONE, None)
    request.session[SESSION_DONE] = {
        "number": appeal.number,
        "code": appeal.access_code,
        "due": terms.local_day(appeal.due_at).isoformat(),
        "anonymous": form.anonymous,
        "office": office.pk,
        "phone": masked_phone(phone),
    }
    _hold(request, appeal.number)
    return _see(reverse("infoservice:new_done"))


@never_cache
@require_GET
def new_done(request):
    done = request.session.get(SESSION_DONE)
    if not isinstance(done, dict):
        return _see(reverse("infoservice:new"))
    context = {**done, "due": dt.date.fromisoformat(done["due"])}
    return _page(request, "new_done.html", context)


# --- tracking -----------------------------------------------------------------------------------------
def _track_page(request, *, status=200, errors=(), field_errors=None, number=""):
    context = {"number": number, "errors": list(errors), "field_errors": field_errors or {}}
    return _page(request, "track.html", context, status)


def _lookup(request, number: str, code: str):
    """services.track_lookup under its limits: (appeal or None, the page to answer instead or None)."""
    looked_up = attempt(
        lambda: services.track_lookup(number=number, code=code, client=f"addr:{client_address(request)}")
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


def _mine_url(number: str, name: str = "infoservice:mine") -> str:
    return reverse(name, args=[number])


@never_cache
@require_GET
def track(request):
    """The form; sent (GET), it opens the author's page."""
    if "number" not in request.GET and "code" not in request.GET:
        return _track_page(request, number=_number(request.GET.get("n", "")))
    number, code = _number(request.GET.get("number", "")), _code(request.GET.get("code", ""))
    field_errors = {}
    if not number:
        field_errors["number"] = _("Enter the appeal's registration number.")
    if not code:
        field_errors["code"] = _("Enter the six-digit access code.")
    if field_errors:
        return _track_page(request, status=400, field_errors=field_errors, number=number)
    appeal, refusal = _lookup(request, number, code)
    if refusal:
        return refusal
    _hold(request, appeal.number)
    return _see(_mine_url(appeal.number))


def _to_track(number: str) -> HttpResponseRedirect:
    return _see(reverse("infoservice:track") + "?" + urlencode({"n": number}))


def _author_appeal(request, number: str):
    number = _number(number)
    if not _held(request, number):
        return None
    return selectors.author_appeal(number)


def _public_status(appeal) -> str:
    if appeal.status == AppealStatus.CLOSED and appeal.outcome:
        return str(Outcome(appeal.outcome).label)
    return str(AppealStatus(appeal.status).label)


def author_view(appeal, *, today=None) -> dict:
    """What the author's page shows of an appeal, and which requests are still open to them (the
    services decide: these only say what to offer and until when)."""
    today = today or timezone.localdate()
    working = WorkingCalendar.current()
    answers = list(appeal.approved_answers)
    current = next((a for a in reversed(answers) if getattr(a, "corrected_by", None) is None), None)
    answered = appeal.status == AppealStatus.CLOSED and current is not None and current.outcome in ANSWER_OUTCOMES
    view = {
        "appeal": appeal,
        "status": _public_status(appeal),
        "is_open": appeal.is_open,
        "due": terms.local_day(appeal.due_at),
        "overdue": appeal.is_open and terms.local_day(appeal.due_at) < today,
        "extensions": list(appeal.extensions.all()),
        "events": list(appeal.events.all()),
        "letters": [
            {"answer": answer, "number": answer_number(answer), "replaced": answer is not current}
            for answer in answers  # every approved answer has its letter (rendered when first downloaded)
        ],
        "answer": current,
        "answered": answered,
        "forward": getattr(appeal, "forward", None),
        "may_rate": answered and not appeal.satisfaction,
        "may_withdraw": appeal.is_open,
    }
    if answered:
        sent = terms.local_day(current.sent_at or current.approved_at)
        view["clarify_until"] = terms.correction_until(sent, working)
        view["complain_until"] = terms.complaint_until(sent, working)
        view["may_clarify"] = today <= view["clarify_until"]
        view["may_complain"] = today <= view["complain_until"]
        view["higher_body"] = services.higher_body_of(appeal)
        view["verify_path"] = verify_path(current) if current.code else ""
    return view


def _mine_page(request, appeal, *, status=200, forms=None, errors=None):
    context = author_view(appeal)
    context["rate_form"] = (forms or {}).get("rate") or RateForm()
    context["clarify_form"] = (forms or {}).get("clarify") or FollowUpForm(prefix="clarify")
    context["complain_form"] = (forms or {}).get("complain") or FollowUpForm(prefix="complain")
    context["withdraw_form"] = (forms or {}).get("withdraw") or WithdrawForm()
    context["errors"] = errors or {}
    context["extension_kinds"] = dict(ExtensionKind.choices)
    context["event_kinds"] = dict(EventKind.choices)
    return _page(request, "mine.html", context, status)


@never_cache
@require_GET
def mine(request, number):
    code = _code(request.GET.get("code", ""))
    if code:  # the link in the SMS, or the done page's
        appeal, refusal = _lookup(request, _number(number), code)
        if refusal:
            return refusal
        _hold(request, appeal.number)
        return _see(_mine_url(appeal.number))
    appeal = _author_appeal(request, number)
    if appeal is None:
        return _to_track(_number(number))
    return _mine_page(request, appeal)


@never_cache
@require_GET
def mine_letter(request, number, answer_id):
    appeal = _author_appeal(request, number)
    if appeal is None:
        return _to_track(_number(number))
    answer = next((a for a in appeal.approved_answers if a.pk == answer_id), None)
    if answer is None:
        raise Http404("no such letter")
    response = HttpResponse(letter_bytes(answer), content_type="application/pdf")
    filename = answer_number(answer).replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return _noindex(response)


def _author_action(request, number, name: str, form, run, done_message):
    """One of the author's requests: the form checked, the service run as AUTHOR, the page again."""
    appeal = _author_appeal(request, number)
    if appeal is None:
        return _to_track(_number(number))
    if not form.is_valid():
        return _mine_page(request, appeal, status=400, forms={name: form})
    done = attempt(lambda: run(appeal, form.cleaned_data))
    if not done.ok:
        for key, texts in done.field_errors.items():
            target = key if key in form.fields else None
            form.add_error(target, texts)
        return _mine_page(request, appeal, status=done.status, forms={name: form}, errors={name: done.message})
    messages.success(request, done_message(done.value))
    return _see(_mine_url(appeal.number))


@never_cache
@require_POST
def mine_rate(request, number):
    return _author_action(
        request,
        number,
        "rate",
        RateForm(request.POST),
        lambda appeal, data: services.appeal_rate(
            actor=AUTHOR, appeal=appeal, satisfaction=data["satisfaction"], note=data["note"]
        ),
        lambda appeal: (
            _("Thank you: your rating is recorded.")
            if appeal.satisfaction == "satisfied"
            else _("Your rating is recorded and the head of the hokimiyat is told you are not satisfied.")
        ),
    )


def _follow_up_done(follow) -> str:
    return _("Sent. It is registered under number %(number)s, access code %(code)s, to be answered by %(due)s.") % {
        "number": follow.number,
        "code": follow.access_code,
        "due": formats.date_format(terms.local_day(follow.due_at), "DATE_FORMAT"),
    }


@never_cache
@require_POST
def mine_clarify(request, number):
    return _author_action(
        request,
        number,
        "clarify",
        FollowUpForm(request.POST, prefix="clarify"),
        lambda appeal, data: services.appeal_clarification(actor=AUTHOR, appeal=appeal, text=data["text"]),
        _follow_up_done,
    )


@never_cache
@require_POST
def mine_complain(request, number):
    return _author_action(
        request,
        number,
        "complain",
        FollowUpForm(request.POST, prefix="complain"),
        lambda appeal, data: services.appeal_complaint(actor=AUTHOR, appeal=appeal, text=data["text"]),
        _follow_up_done,
    )


@never_cache
@require_POST
def mine_withdraw(request, number):
    return _author_action(
        request,
        number,
        "withdraw",
        WithdrawForm(request.POST),
        lambda appeal, data: services.appeal_withdraw(actor=AUTHOR, appeal=appeal),
        lambda appeal: _("Your appeal is withdrawn: its consideration is terminated."),
    )


# --- the public archive -------------------------------------------------------------------------------
@public_page("appeals")
@require_GET
def archive(request):
    filters = selectors.ArchiveFilters.from_query(request.GET)
    page = Paginator(selectors.archive_appeals(filters), ARCHIVE_PAGE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "outcomes": [(value, Outcome(value).label) for value in selectors.ARCHIVE_OUTCOMES],
        "query_string": kept.urlencode(),
        **selectors.archive_choices(),
    }
    return render(request, "infoservice/public/archive.html", context)


@public_page("appeals")
@require_GET
def archive_appeal(request, number):
    appeal = selectors.archive_appeal(number)
    if appeal is None:
        raise Http404("not published")
    return render(request, "infoservice/public/archive_appeal.html", {"appeal": appeal})


# --- statistics -----------------------------------------------------------------------------------------
def _with_shares(rows, total: int) -> list[dict]:
    top = max((count for _key, count in rows), default=0)
    return [
        {
            "key": key,
            "count": count,
            "share": round(100 * count / total, 1) if total else 0,
            "bar": round(100 * count / top, 1) if top else 0,
        }
        for key, count in rows
    ]


@public_page("appeals")
@require_GET
def statistics(request):
    years = selectors.statistics_years()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else years[0]
    offices = list(selectors.public_hokimiyats())
    office = next((o for o in offices if o.code == request.GET.get("hokimiyat", "")), None)
    figures = selectors.appeal_statistics_cached(year=year, hokimiyat=office)
    total = figures["total"]
    channels = [(Channel(value).label if value in Channel.values else value, n) for value, n in figures["by_channel"]]
    outcomes = [(Outcome(value).label if value in Outcome.values else value, n) for value, n in figures["by_outcome"]]
    context = {
        **figures,
        # Residents grouped as receipts print numbers (12 345), the rate to two places (0.33 and 0.30 differ).
        "districts": [
            {**row, "residents_shown": f"{row['residents']:,}".replace(",", "\u202f")} for row in figures["districts"]
        ],
        "years": years,
        "offices": offices,
        "office": office,
        "last_day": figures["cutoff"] - dt.timedelta(seconds=1),
        "topics": _with_shares([(t.name if t else _("No topic"), n) for t, n in figures["by_topic"]], total),
        "channels": _with_shares(channels, total),
        "outcomes": _with_shares(outcomes, figures["closed"]),
        "types": AppealType.choices,
    }
    return render(request, "infoservice/public/statistics.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("new/", new, name="new"),
    path("new/done/", new_done, name="new_done"),
    path("new/<slug:code>/", new_form, name="new_form"),
    path("track/", track, name="track"),
    path("my/<str:number>/", mine, name="mine"),
    path("my/<str:number>/letters/<int:answer_id>.pdf", mine_letter, name="mine_letter"),
    path("my/<str:number>/rate/", mine_rate, name="mine_rate"),
    path("my/<str:number>/clarify/", mine_clarify, name="mine_clarify"),
    path("my/<str:number>/complain/", mine_complain, name="mine_complain"),
    path("my/<str:number>/withdraw/", mine_withdraw, name="mine_withdraw"),
    path("archive/", archive, name="archive"),
    path("archive/<str:number>/", archive_appeal, name="archive_appeal"),
    path("statistics/", statistics, name="statistics"),
]
