"""Subscriptions' pages.

    subscribe/                          subscribe            the form: e-mail, whose publications, kinds, how often
    subscribe/sent/                     subscribe_sent       "check your mailbox" (the same answer for every address)
    subscribe/confirm/<token>/          subscribe_confirm    the confirmation link: GET shows the choice and a
                                                             button, POST confirms (a mail scanner opening the
                                                             link confirms nothing)
    unsubscribe/<token>/                unsubscribe          GET: a button; POST: unsubscribed and the address
                                                             deleted — also the RFC 8058 one-click POST a mail
                                                             client sends (List-Unsubscribe-Post), which carries no
                                                             form token, so this view takes none: the signed link
                                                             is the proof
    desk/<organization>/subscribers/    staff_subscribers    counts of subscribers and the delivery statuses of the
                                                             latest publications (never the addresses)

Requests for a confirmation are limited per client address (SUBSCRIBE_LIMIT) and per e-mail address
(SUBSCRIPTIONS_RESEND_MINUTES, in the service)."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from darcha.core.errors import Forbidden, attempt
from darcha.core.throttle import TOO_MANY, ClientLimit

from .. import selectors, services
from ..choices import PublicationRefusal
from ..forms_subscriptions import SubscribeForm
from ..selectors_subscriptions import recent_deliveries, subscriber_counts
from ..services import subscriptions as subs
from .staff import staff_page

SUBSCRIBE_LIMIT = ClientLimit("publications-subscribe", attempts=10, window=3600)


def _form(request, data=None):
    return SubscribeForm(
        data, organizations=subs.publishing_organizations(), initial={"organization": request.GET.get("o")}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form, status, message = _form(request), 200, ""
    if request.method == "POST":
        form = _form(request, request.POST)
        if SUBSCRIBE_LIMIT.reached(request):
            status, message = 429, str(TOO_MANY)
        elif form.is_valid():
            SUBSCRIBE_LIMIT.count(request)
            data = form.cleaned_data
            done = attempt(
                lambda: subs.email_subscribe(
                    actor=subs.SUBSCRIBER,
                    email=data["email"],
                    organization=data["organization"],
                    kinds=data["kinds"],
                    frequency=data["frequency"],
                    language=request.LANGUAGE_CODE,
                )
            )
            if done.ok:
                return HttpResponseRedirect(reverse("publications:subscribe_sent"), status=303)
            status, message = done.status, done.message
            for name, errors in done.field_errors.items():
                if name in form.fields:
                    for error in errors:
                        form.add_error(name, error)
        else:
            status = 400
    return render(
        request, "publications/subscriptions/subscribe.html", {"form": form, "message": message}, status=status
    )


@require_GET
def subscribe_sent(request):
    return render(request, "publications/subscriptions/sent.html", {"days": subs.confirm_days()})


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request, token: str):
    if request.method == "POST":
        done = attempt(lambda: subs.email_confirm(actor=subs.SUBSCRIBER, token=token))
        if done.ok:
            subscription = done.value
            return render(
                request,
                "publications/subscriptions/confirmed.html",
                {
                    "what": subs.what_text(subscription.organization),
                    "kinds": subs.kinds_text(subscription.kinds),
                    "frequency": subs.frequency_text(subscription.frequency),
                },
            )
        return render(request, "publications/subscriptions/invalid.html", {"message": done.message}, status=done.status)
    shown = attempt(lambda: subs.confirm_preview(token))
    if not shown.ok:
        return render(
            request, "publications/subscriptions/invalid.html", {"message": shown.message}, status=shown.status
        )
    subscription, data = shown.value
    return render(
        request,
        "publications/subscriptions/confirm.html",
        {
            "email": subscription.email,
            "what": subs.what_text(subscription.organization),
            "kinds": subs.kinds_text(data.get("k") or []),
            "frequency": subs.frequency_text(data.get("f")),
        },
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "POST":
        done = attempt(lambda: subs.email_unsubscribe(actor=subs.SUBSCRIBER, token=token))
        if done.ok:
            return render(request, "publications/subscriptions/unsubscribed.html", {"ended": done.value})
        return render(request, "publications/subscriptions/invalid.html", {"message": done.message}, status=done.status)
    shown = attempt(lambda: subs.read_unsubscribe_token(token))
    if not shown.ok:
        return render(
            request, "publications/subscriptions/invalid.html", {"message": shown.message}, status=shown.status
        )
    return render(request, "publications/subscriptions/unsubscribe.html", {})


@staff_page
@require_GET
def staff_subscribers(request, code: str):
    organization = selectors.staff_organization(code)
    if organization is None:
        raise Http404("no such organization")
    if not services.is_writer(request.user, organization):
        raise Forbidden(
            _("Only the organization's press secretary and staff see its subscribers' figures."),
            PublicationRefusal.FORBIDDEN,
        )
    deliveries = [
        (publication, selectors.publication_text(publication, request.LANGUAGE_CODE)[0], statuses)
        for publication, statuses in recent_deliveries(organization)
    ]
    return render(
        request,
        "publications/subscriptions/staff.html",
        {"organization": organization, "counts": subscriber_counts(organization), "deliveries": deliveries},
    )


urlpatterns = [
    path("subscribe/", subscribe, name="subscribe"),
    path("subscribe/sent/", subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", subscribe_confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    path("desk/<slug:code>/subscribers/", staff_subscribers, name="staff_subscribers"),
]
