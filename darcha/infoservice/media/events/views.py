"""Pages of press events and embargoed press releases (under /<lang>/press/, names `media:<name>`).

Public (no login; held by the page cache, content "press_events"):
    events/                                events              ?hokimiyat= when=upcoming|past page=
    events/<id>/                           event               what, when, where; afterwards the materials
    events/<id>/event.ics                  event_ics           the event for a calendar (iCalendar)
    events/<id>/files/<material>/          event_material      a material's file

The journalist's account (a journalist's login):
    account/events/                        my_events           events of the hokimiyats they are accredited at
    account/events/<id>/register/          my_event_register   POST
    account/events/<id>/unregister/        my_event_unregister POST
    account/releases/                      my_releases         embargoed releases sent to them
    account/releases/<publication>/        release             one release's full text and embargo time

The press secretary (of the hokimiyat in the address):
    desk/<hokimiyat>/events/               staff_events        the events and the months without one
    desk/<hokimiyat>/events/new/           staff_event_new
    desk/<hokimiyat>/events/<id>/          staff_event         GET the event; POST its edit
    desk/<hokimiyat>/events/<id>/<action>/ staff_event_<action> POST: announce, invite, cancel, material,
                                                               material_remove, link, unlink, notify
    desk/<hokimiyat>/releases/             staff_releases      embargoed press releases and their dispatch
    desk/<hokimiyat>/releases/<id>/send/   staff_release_send  POST: send now (to those not sent it yet)

Each action is one service call through `attempt()`: done, it redirects with a notice; refused, the page
comes back with the message and the status keeps its meaning (400, 403, 409).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.errors import attempt
from darcha.core.i18n import language_or_default
from darcha.core.links import absolute_url
from darcha.core.pagecache import public_page

from ..models_events import PressEventMaterial
from . import embargo, selectors, services
from .choices import PressEventStatus
from .forms import CancelForm, LinkForm, MaterialForm, PressEventForm, RegisterForm

PAGE_SIZE = selectors.PUBLIC_PAGE_SIZE
WHEN = {"upcoming", "past"}


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def _language() -> str:
    return language_or_default(translation.get_language())


# --- public -------------------------------------------------------------------------------------------


@public_page("press_events")
@require_GET
def events(request):
    hokimiyat = None
    code = request.GET.get("hokimiyat", "")
    if code:
        hokimiyat = selectors.public_hokimiyat(code)
        if hokimiyat is None:
            raise Http404("no such hokimiyat")
    when = request.GET.get("when", "")
    when = when if when in WHEN else ""
    now = timezone.now()
    upcoming = list(selectors.public_events(organization=hokimiyat, when="upcoming", now=now)) if when != "past" else []
    past = Paginator(selectors.public_events(organization=hokimiyat, when="past", now=now), PAGE_SIZE)
    page = past.get_page(request.GET.get("page")) if when != "upcoming" else None
    context = {
        "hokimiyat": hokimiyat,
        "hokimiyats": selectors.event_hokimiyats(),
        "when": when,
        "upcoming": upcoming,
        "page": page,
    }
    return render(request, "media/events/public_list.html", context)


def _public_event(pk):
    event = selectors.public_event(pk)
    if event is None:
        raise Http404("no such press event")
    return event


@public_page("press_events")
@require_GET
def event(request, pk: int):
    event = _public_event(pk)
    now = timezone.now()
    publications = [
        (p, embargo.release_texts(p, _language())[0], _publication_url(p)) for p in event.publications.all()
    ]
    context = {
        "event": event,
        "past": event.starts_at <= now,
        "cancelled": event.status == PressEventStatus.CANCELLED,
        "publications": publications,
        "page_url": absolute_url(event.get_absolute_url()),
    }
    return render(request, "media/events/public_event.html", context)


def _publication_url(publication) -> str:
    """The public page of a linked publication (the publications' `item`), "" while it has none."""
    try:
        return reverse("publications:item", args=[publication.organization.code, publication.slug])
    except NoReverseMatch:
        return ""


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@public_page("press_events")
@require_GET
def event_ics(request, pk: int):
    event = _public_event(pk)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Darcha//Press events//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:press-event-{event.pk}@darcha",
        f"DTSTAMP:{_ics_time(event.updated_at)}",
        f"DTSTART:{_ics_time(event.starts_at)}",
        f"DTEND:{_ics_time(event.ends_at)}",
        f"SUMMARY:{_ics_text(str(event.title))}",
        f"LOCATION:{_ics_text(str(event.place))}",
        f"DESCRIPTION:{_ics_text(str(event.description))}",
        f"URL:{absolute_url(event.get_absolute_url())}",
        f"STATUS:{'CANCELLED' if event.status == PressEventStatus.CANCELLED else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="press-event-{event.pk}.ics"'
    return response


@require_GET
def event_material(request, pk: int, material: int):
    event = _public_event(pk)
    found = PressEventMaterial.objects.filter(event=event, pk=material).exclude(file="").first()
    if found is None:
        raise Http404("no such material")
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(found.content_type, "")
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=found.content_type == "application/pdf",
        filename=f"press-event-{event.pk}-{found.pk}{extension}",
        content_type=found.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the journalist's account ---------------------------------------------------------------------------

NOT_JOURNALIST = gettext_lazy("This page is a journalist's: sign up or sign in with a journalist's account.")


def journalist_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else reverse("media:my_events")
            return redirect_to_login(back)
        journalist = selectors.journalist_of(request.user)
        if journalist is None:
            return render(request, "403.html", {"exception": str(NOT_JOURNALIST)}, status=403)
        return view(request, journalist, *args, **kwargs)

    return wrapper


def _my_events_page(request, journalist, *, status=200, errors=None):
    now = timezone.now()
    events = selectors.upcoming_for_journalist(journalist, now=now)
    listed = {event.pk for event in events}
    context = {
        "journalist": journalist,
        "events": events,
        # A refusal about an event not in the list (not accredited there, no longer open) is shown on top.
        "other_errors": [text for key, text in (errors or {}).items() if key not in listed],
        "past": selectors.journalist_past_registrations(journalist, now=now),
        "accredited_at": selectors.accrediting_organizations(journalist, on=timezone.localdate(now)),
        "form": RegisterForm(),
        "errors": errors or {},
    }
    return render(request, "media/events/my_events.html", context, status=status)


@never_cache
@require_GET
@journalist_page
def my_events(request, journalist):
    return _my_events_page(request, journalist)


def _journalist_event(pk):
    event = selectors.public_event(pk)
    if event is None:
        raise Http404("no such press event")
    return event


@never_cache
@require_POST
@journalist_page
def my_event_register(request, journalist, pk: int):
    event = _journalist_event(pk)
    form = RegisterForm(request.POST)
    if not form.is_valid():
        text = " ".join(m for ms in form.errors.values() for m in ms)
        return _my_events_page(request, journalist, status=400, errors={event.pk: text})
    data = form.cleaned_data
    done = attempt(
        lambda: services.press_event_register(
            actor=request.user, event=event, companions=data.get("companions") or 0, note=data.get("note", "")
        )
    )
    if not done.ok:
        return _my_events_page(request, journalist, status=done.status, errors={event.pk: done.message})
    messages.success(request, _("You are registered. A confirmation is on its way."))
    return _see(reverse("media:my_events"))


@never_cache
@require_POST
@journalist_page
def my_event_unregister(request, journalist, pk: int):
    event = _journalist_event(pk)
    done = attempt(lambda: services.press_event_unregister(actor=request.user, event=event))
    if not done.ok:
        return _my_events_page(request, journalist, status=done.status, errors={event.pk: done.message})
    messages.success(request, _("Your registration is cancelled."))
    return _see(reverse("media:my_events"))


@never_cache
@require_GET
@journalist_page
def my_releases(request, journalist):
    rows = []
    for recipient in selectors.journalist_releases(journalist):
        title, lead, _fallback = embargo.release_texts(recipient.dispatch.publication, _language())
        rows.append({"recipient": recipient, "dispatch": recipient.dispatch, "title": title, "lead": lead})
    return render(request, "media/events/my_releases.html", {"journalist": journalist, "rows": rows})


@never_cache
@require_GET
@journalist_page
def release(request, journalist, pk: int):
    recipient = selectors.journalist_release(journalist, pk)
    if recipient is None:
        raise Http404("no such release")
    publication = recipient.dispatch.publication
    try:
        from darcha.infoservice.publications.selectors import publication_text

        text, fallback = publication_text(publication, _language())
    except ImportError:  # pragma: no cover
        text, fallback = publication.texts.filter(language="uz").first(), True
    context = {
        "journalist": journalist,
        "dispatch": recipient.dispatch,
        "publication": publication,
        "text": text,
        "fallback": fallback,
        "attachments": list(publication.attachments.all()) if hasattr(publication, "attachments") else [],
    }
    response = render(request, "media/events/release.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the press secretary ------------------------------------------------------------------------------

PRESS_ONLY = gettext_lazy("Only the hokimiyat's press secretary works at this desk.")


def press_desk(view):
    @wraps(view)
    def wrapper(request, hokimiyat: str, *args, **kwargs):
        if not request.user.is_authenticated:
            back = (
                request.get_full_path() if request.method == "GET" else reverse("media:staff_events", args=[hokimiyat])
            )
            return redirect_to_login(back)
        organization = selectors.public_hokimiyat(hokimiyat)
        if organization is None:
            raise Http404(_("No such hokimiyat."))
        access.require_role(request.user, Role.PRESS_SECRETARY, organization, PRESS_ONLY)
        return view(request, organization, *args, **kwargs)

    return wrapper


@never_cache
@require_GET
@press_desk
def staff_events(request, hokimiyat):
    now = timezone.now()
    page = Paginator(selectors.staff_events(hokimiyat), 30).get_page(request.GET.get("page"))
    context = {
        "hokimiyat": hokimiyat,
        "page": page,
        "months": selectors.month_summary(hokimiyat, now=now),
        "now": now,
    }
    return render(request, "media/events/staff_list.html", context)


def _form_page(request, hokimiyat, form, *, event=None, status=200):
    return render(
        request, "media/events/staff_form.html", {"hokimiyat": hokimiyat, "form": form, "event": event}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
@press_desk
def staff_event_new(request, hokimiyat):
    if request.method == "GET":
        return _form_page(request, hokimiyat, PressEventForm(initial={"duration_minutes": 60}))
    form = PressEventForm(request.POST)
    if not form.is_valid():
        return _form_page(request, hokimiyat, form, status=400)
    data = form.cleaned_data
    done = attempt(
        lambda: services.press_event_create(
            actor=request.user,
            organization=hokimiyat,
            kind=data["kind"],
            texts=form.texts(),
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            seats=data.get("seats"),
        )
    )
    if not done.ok:
        form.add_refusal(done)
        return _form_page(request, hokimiyat, form, status=done.status)
    messages.success(request, _("The draft is saved. Announce it to invite the accredited journalists."))
    return _see(reverse("media:staff_event", args=[hokimiyat.code, done.value.pk]))


def _staff_event(hokimiyat, pk):
    event = selectors.staff_event(hokimiyat, pk)
    if event is None:
        raise Http404("no such press event")
    return event


def _event_page(request, hokimiyat, event, *, status=200, forms=None, error_at="", message=""):
    forms = forms or {}
    now = timezone.now()
    context = {
        "hokimiyat": hokimiyat,
        "event": event,
        "now": now,
        "started": event.starts_at <= now,
        "form": forms.get("edit") or PressEventForm(initial=PressEventForm.initial_of(event)),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "material_form": forms.get("material") or MaterialForm(),
        "registrations": selectors.event_registrations(event),
        "invitations": selectors.event_invitations(event),
        "seats_taken": selectors.seats_taken(event),
        "accredited": len(selectors.accredited_journalists(hokimiyat, on=event.starts_at)),
        "linkable": [(p, embargo.release_texts(p, _language())[0]) for p in selectors.linkable_publications(event)],
        "linked": [(p, embargo.release_texts(p, _language())[0]) for p in event.publications.all()],
        "error_at": error_at,
        "message": message,
    }
    return render(request, "media/events/staff_event.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@press_desk
def staff_event(request, hokimiyat, pk: int):
    event = _staff_event(hokimiyat, pk)
    if request.method == "GET":
        return _event_page(request, hokimiyat, event)
    form = PressEventForm(request.POST)
    if not form.is_valid():
        return _event_page(request, hokimiyat, event, status=400, forms={"edit": form}, error_at="edit")
    data = form.cleaned_data
    done = attempt(
        lambda: services.press_event_update(
            actor=request.user,
            event=event,
            kind=data["kind"],
            texts=form.texts(),
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            seats=data.get("seats"),
        )
    )
    if not done.ok:
        form.add_refusal(done)
        return _event_page(request, hokimiyat, event, status=done.status, forms={"edit": form}, error_at="edit")
    messages.success(request, _("The press event is saved."))
    return _see(reverse("media:staff_event", args=[hokimiyat.code, event.pk]))


def _done(request, hokimiyat, event, done, *, success: str, action: str, forms=None):
    if not done.ok:
        if forms:
            for form in forms.values():
                form.add_refusal(done)
        return _event_page(
            request, hokimiyat, event, status=done.status, forms=forms, error_at=action, message=done.message
        )
    messages.success(request, success)
    return _see(reverse("media:staff_event", args=[hokimiyat.code, event.pk]))


def _announce(request, hokimiyat, event):
    done = attempt(lambda: services.press_event_announce(actor=request.user, event=event))
    invited = done.value or 0
    return _done(
        request,
        hokimiyat,
        event,
        done,
        action="announce",
        success=_("Announced: %(count)d accredited journalists are invited.") % {"count": invited},
    )


def _invite(request, hokimiyat, event):
    done = attempt(lambda: services.press_event_invite(actor=request.user, event=event))
    return _done(
        request,
        hokimiyat,
        event,
        done,
        action="invite",
        success=_("%(count)d more journalists are invited.") % {"count": done.value or 0},
    )


def _cancel(request, hokimiyat, event):
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _event_page(request, hokimiyat, event, status=400, forms={"cancel": form}, error_at="cancel")
    done = attempt(
        lambda: services.press_event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
    )
    return _done(
        request,
        hokimiyat,
        event,
        done,
        action="cancel",
        forms={"cancel": form},
        success=_("The press event is cancelled."),
    )


def _material(request, hokimiyat, event):
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _event_page(request, hokimiyat, event, status=400, forms={"material": form}, error_at="material")
    data = form.cleaned_data
    done = attempt(
        lambda: services.material_add(
            actor=request.user, event=event, title=data["title"], upload=data.get("file"), url=data.get("url") or ""
        )
    )
    return _done(
        request,
        hokimiyat,
        event,
        done,
        action="material",
        forms={"material": form},
        success=_("The material is added."),
    )


def _material_remove(request, hokimiyat, event):
    material = (
        event.materials.filter(pk=request.POST.get("material") or 0).first()
        if str(request.POST.get("material", "")).isdigit()
        else None
    )
    if material is None:
        raise Http404("no such material")
    done = attempt(lambda: services.material_remove(actor=request.user, material=material))
    return _done(request, hokimiyat, event, done, action="material", success=_("The material is removed."))


def _publication(request, hokimiyat, event, *, link: bool):
    from darcha.infoservice.publications.models import Publication

    form = LinkForm(request.POST)
    publication = None
    if form.is_valid():
        publication = Publication.objects.filter(pk=form.cleaned_data["publication"], organization=hokimiyat).first()
    if publication is None:
        return _event_page(
            request,
            hokimiyat,
            event,
            status=400,
            error_at="link",
            message=_("Choose one of the hokimiyat's publications."),
        )
    service = services.publication_link if link else services.publication_unlink
    done = attempt(lambda: service(actor=request.user, event=event, publication=publication))
    success = _("The publication is linked.") if link else _("The publication is no longer linked.")
    return _done(request, hokimiyat, event, done, action="link", success=success)


def _notify(request, hokimiyat, event):
    done = attempt(lambda: services.materials_notify(actor=request.user, event=event))
    return _done(
        request,
        hokimiyat,
        event,
        done,
        action="notify",
        success=_("%(count)d journalists are told the materials are out.") % {"count": done.value or 0},
    )


ACTIONS = {
    "announce": _announce,
    "invite": _invite,
    "cancel": _cancel,
    "material": _material,
    "material_remove": _material_remove,
    "link": lambda request, hokimiyat, event: _publication(request, hokimiyat, event, link=True),
    "unlink": lambda request, hokimiyat, event: _publication(request, hokimiyat, event, link=False),
    "notify": _notify,
}


def _action_view(name: str):
    handler = ACTIONS[name]

    @never_cache
    @require_POST
    @press_desk
    def view(request, hokimiyat, pk: int):
        return handler(request, hokimiyat, _staff_event(hokimiyat, pk))

    view.__name__ = f"staff_event_{name}"
    return view


def _releases_page(request, hokimiyat, *, status=200, message=""):
    now = timezone.now()
    rows = []
    for publication in selectors.staff_releases(hokimiyat, now=now):
        title, _lead, _fallback = embargo.release_texts(publication, _language())
        rows.append(
            {
                "publication": publication,
                "title": title,
                "dispatch": _dispatch_of(publication),
                "sendable": publication.status == selectors.SCHEDULED
                and publication.publish_at is not None
                and publication.publish_at > now,
            }
        )
    context = {
        "hokimiyat": hokimiyat,
        "rows": rows,
        "accredited": len(selectors.accredited_journalists(hokimiyat, on=now)),
        "message": message,
    }
    return render(request, "media/events/staff_releases.html", context, status=status)


def _dispatch_of(publication):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return publication.embargo_dispatch
    except ObjectDoesNotExist:
        return None


@never_cache
@require_GET
@press_desk
def staff_releases(request, hokimiyat):
    return _releases_page(request, hokimiyat)


@never_cache
@require_POST
@press_desk
def staff_release_send(request, hokimiyat, pk: int):
    from darcha.infoservice.publications.models import Publication

    publication = Publication.objects.filter(pk=pk, organization=hokimiyat).first()
    if publication is None:
        raise Http404("no such publication")
    done = attempt(lambda: embargo.embargo_release_send(actor=request.user, publication=publication))
    if not done.ok:
        return _releases_page(request, hokimiyat, status=done.status, message=done.message)
    messages.success(request, _("Sent under embargo to %(count)d journalists.") % {"count": done.value})
    return _see(reverse("media:staff_releases", args=[hokimiyat.code]))


urlpatterns = [
    path("events/", events, name="events"),
    path("events/<int:pk>/", event, name="event"),
    path("events/<int:pk>/event.ics", event_ics, name="event_ics"),
    path("events/<int:pk>/files/<int:material>/", event_material, name="event_material"),
    path("account/events/", my_events, name="my_events"),
    path("account/events/<int:pk>/register/", my_event_register, name="my_event_register"),
    path("account/events/<int:pk>/unregister/", my_event_unregister, name="my_event_unregister"),
    path("account/releases/", my_releases, name="my_releases"),
    path("account/releases/<int:pk>/", release, name="release"),
    path("desk/<slug:hokimiyat>/events/", staff_events, name="staff_events"),
    path("desk/<slug:hokimiyat>/events/new/", staff_event_new, name="staff_event_new"),
    path("desk/<slug:hokimiyat>/events/<int:pk>/", staff_event, name="staff_event"),
    *(
        path(f"desk/<slug:hokimiyat>/events/<int:pk>/{name}/", _action_view(name), name=f"staff_event_{name}")
        for name in ACTIONS
    ),
    path("desk/<slug:hokimiyat>/releases/", staff_releases, name="staff_releases"),
    path("desk/<slug:hokimiyat>/releases/<int:pk>/send/", staff_release_send, name="staff_release_send"),
]
