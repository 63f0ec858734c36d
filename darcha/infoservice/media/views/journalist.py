"""The journalist's pages:

    join/                                   join               sign up: the account, the outlet, the hokimiyat
    account/                                account            accreditations (card, renewal), press requests
                                                               with their due dates, links to events/releases
    account/apply/                          apply              GET/POST the application with its documents
    account/accreditations/<id>/            my_accreditation   one application: its state, steps, reasons
    account/accreditations/<id>/card.pdf    card               the accreditation card (in force or suspended)
    account/accreditations/<id>/withdraw/   withdraw           POST: take back an application not decided
    account/hokimiyats/                     join_hokimiyat     POST: apply at one more hokimiyat
    account/requests/new/                   request_new        GET/POST a media request or request for information
    account/requests/<id>/                  my_request         one request: its number, state, due date, answer

Each write is one service call through `attempt()`; refused, the page comes back with the message and
its status (400, 403, 409)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from darcha.core.errors import attempt
from darcha.core.i18n import language_or_default
from darcha.infoservice.choices import AppealStatus

from .. import card as cards
from .. import selectors
from ..choices import HELD_STATUSES, OutletKind
from ..forms import ApplicationForm, JoinForm, PressRequestForm
from ..models import Outlet
from ..services import accreditation as service
from ..services import journalists, requests

NOT_JOURNALIST = gettext_lazy("This page is a journalist's: sign up or sign in with a journalist's account.")


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def journalist_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path() if request.method == "GET" else reverse("media:account"))
        journalist = selectors.journalist_of(request.user)
        if journalist is None:
            return render(request, "403.html", {"exception": str(NOT_JOURNALIST)}, status=403)
        return _private(view(request, journalist, *args, **kwargs))

    return wrapper


# --- sign-up ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def join(request):
    if request.user.is_authenticated and selectors.journalist_of(request.user) is not None:
        return _see(reverse("media:account"))
    hokimiyats, outlets = selectors.hokimiyats(), selectors.outlet_choices()
    initial = {"language": language_or_default(translation.get_language())}
    form = JoinForm(request.POST or None, hokimiyats=hokimiyats, outlets=outlets, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            outlet = Outlet.objects.filter(pk=data["outlet"], is_active=True).first() if data["outlet"] else None
            organization = selectors.hokimiyat(data["organization"])
            done = attempt(
                lambda: journalists.journalist_sign_up(
                    username=data["username"],
                    password=data["password"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                    email=data["email"],
                    position=data["position"],
                    organization=organization,
                    outlet=outlet,
                    new_outlet=form.outlet_data() if outlet is None else None,
                    language=data["language"],
                )
            )
            if done.ok:
                login(request, done.value.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your journalist's account is made. Now apply for accreditation."))
                return _see(reverse("media:apply"))
            form.add_refusal(done)
            status = done.status
        else:
            status = 400
    return render(request, "media/join.html", {"form": form}, status=status)


# --- the account ----------------------------------------------------------------------------------------


@never_cache
@journalist_page
def account(request, journalist):
    today = timezone.localdate()
    accreditations = selectors.journalist_accreditations(journalist)
    rows = [
        {
            "accreditation": a,
            "valid_today": a.is_valid_on(today),
            "card": a.status in HELD_STATUSES and bool(a.card_code),
            "renewable": selectors.renewable(a, accreditations, today=today),
        }
        for a in accreditations
    ]
    places = selectors.journalist_hokimiyats(journalist)
    context = {
        "journalist": journalist,
        "rows": rows,
        "requests": selectors.journalist_requests(journalist),
        "places": places,
        "other_hokimiyats": [h for h in selectors.hokimiyats() if h.pk not in {p.pk for p in places}],
        "today": today,
    }
    return render(request, "media/account.html", context)


@never_cache
@require_POST
@journalist_page
def join_hokimiyat(request, journalist):
    organization = selectors.hokimiyat(request.POST.get("organization", ""))
    if organization is None:
        messages.error(request, _("Choose the hokimiyat you will apply to."))
        return _see(reverse("media:account"))
    done = attempt(
        lambda: journalists.journalist_join_hokimiyat(
            actor=request.user, journalist=journalist, organization=organization
        )
    )
    if done.ok:
        messages.success(request, _("You may apply for accreditation at %(name)s now.") % {"name": organization.name})
    else:
        messages.error(request, done.message)
    return _see(reverse("media:account"))


def _renewed(journalist, request):
    raw = request.POST.get("renewal_of") or request.GET.get("renew")
    if not raw or not str(raw).isdigit():
        return None
    return selectors.journalist_accreditation(journalist, int(raw))


@never_cache
@require_http_methods(["GET", "POST"])
@journalist_page
def apply(request, journalist):
    places = selectors.journalist_hokimiyats(journalist)
    foreign = journalist.outlet is not None and journalist.outlet.kind == OutletKind.FOREIGN
    renewal = _renewed(journalist, request)
    initial = {
        "contact_phone": journalist.phone,
        "contact_email": journalist.email,
        "renewal_of": renewal.pk if renewal else None,
    }
    if renewal is not None:
        initial.update(
            organization=renewal.organization.code,
            specialisation=renewal.specialisation,
            area=renewal.area,
            correspondent=renewal.correspondent,
            equipment=renewal.equipment,
        )
    form = ApplicationForm(
        request.POST or None, request.FILES or None, hokimiyats=places, foreign=foreign, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            organization = next((p for p in places if p.code == data["organization"]), None)
            done = attempt(
                lambda: service.accreditation_apply(
                    actor=request.user,
                    journalist=journalist,
                    organization=organization,
                    specialisation=data["specialisation"],
                    area=data["area"],
                    correspondent=data["correspondent"],
                    equipment=data["equipment"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    requested_from=data.get("requested_from"),
                    requested_until=data.get("requested_until"),
                    letter=data["letter"],
                    passport=data["passport"],
                    diploma=data["diploma"],
                    photo=data["photo"],
                    renewal_of=renewal,
                )
            )
            if done.ok:
                messages.success(
                    request,
                    _("Your application is submitted. The accreditation commission's decision comes by e-mail."),
                )
                return _see(reverse("media:my_accreditation", args=[done.value.pk]))
            form.add_refusal(done)
            status = done.status
        else:
            status = 400
    context = {"form": form, "journalist": journalist, "foreign": foreign, "renewal": renewal, "places": places}
    return render(request, "media/apply.html", context, status=status)


@never_cache
@journalist_page
def my_accreditation(request, journalist, pk: int):
    accreditation = selectors.journalist_accreditation(journalist, pk)
    if accreditation is None:
        raise Http404(_("No such application."))
    context = {
        "journalist": journalist,
        "accreditation": accreditation,
        "valid_today": accreditation.is_valid_on(timezone.localdate()),
        "card": accreditation.status in HELD_STATUSES and bool(accreditation.card_code),
    }
    return render(request, "media/my_accreditation.html", context)


@never_cache
@journalist_page
def card(request, journalist, pk: int):
    accreditation = selectors.journalist_accreditation(journalist, pk)
    if accreditation is None or not accreditation.card_code or accreditation.status not in HELD_STATUSES:
        raise Http404(_("This accreditation has no card."))
    content = cards.render_card(accreditation, language_or_default(translation.get_language()))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="accreditation-{accreditation.pk}.pdf"'
    return response


@never_cache
@require_POST
@journalist_page
def withdraw(request, journalist, pk: int):
    accreditation = selectors.journalist_accreditation(journalist, pk)
    if accreditation is None:
        raise Http404(_("No such application."))
    done = attempt(lambda: service.accreditation_withdraw(actor=request.user, accreditation=accreditation))
    if done.ok:
        messages.success(request, _("Your application is withdrawn."))
        return _see(reverse("media:account"))
    context = {"journalist": journalist, "accreditation": accreditation, "error": done.message}
    return render(request, "media/my_accreditation.html", context, status=done.status)


# --- press requests -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@journalist_page
def request_new(request, journalist):
    places = selectors.journalist_hokimiyats(journalist)
    initial = {"address": journalist.outlet.address if journalist.outlet else ""}
    form = PressRequestForm(request.POST or None, request.FILES or None, hokimiyats=places, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            organization = next((p for p in places if p.code == data["organization"]), None)
            files = request.FILES.getlist("attachments")
            done = attempt(
                lambda: requests.press_request_file(
                    actor=request.user,
                    journalist=journalist,
                    organization=organization,
                    kind=data["kind"],
                    text=data["text"],
                    address=data["address"],
                    attachments=files,
                    language=translation.get_language(),
                )
            )
            if done.ok:
                appeal = done.value.appeal
                messages.success(
                    request,
                    _("Your request %(number)s is registered; the answer is due by %(due)s.")
                    % {"number": appeal.number, "due": _day(appeal.due_at)},
                )
                return _see(reverse("media:my_request", args=[done.value.pk]))
            form.add_refusal(done)
            status = done.status
        else:
            status = 400
    return render(request, "media/request_new.html", {"form": form, "journalist": journalist}, status=status)


def _day(moment) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


@never_cache
@journalist_page
def my_request(request, journalist, pk: int):
    press_request = selectors.journalist_request(journalist, pk)
    if press_request is None:
        raise Http404(_("No such request."))
    appeal = press_request.appeal
    answer = _answer(appeal)
    context = {
        "journalist": journalist,
        "press_request": press_request,
        "appeal": appeal,
        "answer": answer,
        "overdue": appeal.status != AppealStatus.CLOSED and appeal.due_at < timezone.now(),
    }
    return render(request, "media/my_request.html", context)


def _answer(appeal):
    if appeal.status != AppealStatus.CLOSED:
        return None
    return appeal.answers.filter(approved_at__isnull=False).order_by("-approved_at", "-pk").first()


@never_cache
@journalist_page
def my_request_letter(request, journalist, pk: int):
    from darcha.infoservice.letters import letter_bytes

    press_request = selectors.journalist_request(journalist, pk)
    answer = _answer(press_request.appeal) if press_request is not None else None
    if answer is None:
        raise Http404(_("No answer yet."))
    response = HttpResponse(letter_bytes(answer), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="answer-{press_request.appeal.number}.pdf"'
    return response


urlpatterns = [
    path("join/", join, name="join"),
    path("account/", account, name="account"),
    path("account/apply/", apply, name="apply"),
    path("account/hokimiyats/", join_hokimiyat, name="join_hokimiyat"),
    path("account/accreditations/<int:pk>/", my_accreditation, name="my_accreditation"),
    path("account/accreditations/<int:pk>/card.pdf", card, name="card"),
    path("account/accreditations/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("account/requests/new/", request_new, name="request_new"),
    path("account/requests/<int:pk>/", my_request, name="my_request"),
    path("account/requests/<int:pk>/answer.pdf", my_request_letter, name="my_request_letter"),
]
