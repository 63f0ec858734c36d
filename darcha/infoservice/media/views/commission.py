"""The accreditation commission's pages (a member of the hokimiyat's commission):

desk/<hokimiyat>/accreditation/                          commission        applications and accreditations
                                                                           by state (?status= &q=)
desk/<hokimiyat>/accreditation/<id>/                     commission_item   one: the application, its
                                                                           documents, the outlet's quota
desk/<hokimiyat>/accreditation/<id>/files/<document>/    commission_file   a document (letter, passport,
                                                                           diploma, photo)
desk/<hokimiyat>/accreditation/<id>/<action>/            commission_<action>  POST: approve, refuse,
                                                                           suspend, resume, revoke (reason)
desk/<hokimiyat>/outlets/new/                            outlet_new        GET/POST an outlet for the registry
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.errors import attempt

from .. import selectors
from ..choices import AccreditationStatus, DocumentKind
from ..documents import content_type
from ..forms import OutletForm, ReasonForm
from ..services import accreditation as service
from ..services import journalists
from ..services.accreditation import COMMISSION_ONLY


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def commission_desk(view):
    @wraps(view)
    def wrapper(request, hokimiyat: str, *args, **kwargs):
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else reverse("media:commission", args=[hokimiyat])
            return redirect_to_login(back)
        organization = selectors.hokimiyat(hokimiyat)
        if organization is None:
            raise Http404(_("No such hokimiyat."))
        access.require_role(request.user, Role.ACCREDITATION_COMMISSION, organization, COMMISSION_ONLY)
        response = view(request, organization, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


@never_cache
@commission_desk
def commission(request, hokimiyat):
    status = request.GET.get("status", AccreditationStatus.SUBMITTED)
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "hokimiyat": hokimiyat,
        "status": status,
        "query": query,
        "statuses": AccreditationStatus.choices,
        "rows": selectors.commission_list(hokimiyat, status=status, query=query),
        "counts": selectors.commission_counts(hokimiyat),
        "today": timezone.localdate(),
    }
    return render(request, "media/commission/list.html", context)


def _item_page(request, hokimiyat, accreditation, *, status=200, error="", form=None):
    context = {
        "hokimiyat": hokimiyat,
        "accreditation": accreditation,
        "quota": selectors.quota_state(accreditation),
        "documents": [(kind, getattr(accreditation, kind.value)) for kind in DocumentKind],
        "form": form or ReasonForm(),
        "error": error,
        "valid_today": accreditation.is_valid_on(timezone.localdate()),
    }
    return render(request, "media/commission/item.html", context, status=status)


def _item(hokimiyat, pk):
    accreditation = selectors.commission_item(hokimiyat, pk)
    if accreditation is None:
        raise Http404(_("No such application."))
    return accreditation


@never_cache
@commission_desk
def commission_item(request, hokimiyat, pk: int):
    return _item_page(request, hokimiyat, _item(hokimiyat, pk))


@never_cache
@commission_desk
def commission_file(request, hokimiyat, pk: int, document: str):
    accreditation = _item(hokimiyat, pk)
    if document not in DocumentKind.values or not getattr(accreditation, document):
        raise Http404(_("No such document."))
    stored = getattr(accreditation, document)
    kind = content_type(stored)
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(kind, "")
    response = FileResponse(
        stored.open("rb"), content_type=kind, filename=f"accreditation-{accreditation.pk}-{document}{extension}"
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-Type-Options"] = "nosniff"
    return response


SERVICES = {
    "approve": service.accreditation_approve,
    "refuse": service.accreditation_refuse,
    "suspend": service.accreditation_suspend,
    "resume": service.accreditation_resume,
    "revoke": service.accreditation_revoke,
}


def _done_message(action: str) -> str:
    return {
        "approve": _("Accredited: the journalist is told and may download the card."),
        "refuse": _("Refused: the journalist is told the reason."),
        "suspend": _("Suspended: the card does not verify until the suspension is lifted."),
        "resume": _("The suspension is lifted."),
        "revoke": _("Revoked: the card no longer verifies."),
    }[action]


def _action_view(action: str):
    @never_cache
    @require_POST
    @commission_desk
    def view(request, hokimiyat, pk: int):
        accreditation = _item(hokimiyat, pk)
        form = ReasonForm(request.POST)
        reason = form.data.get("reason", "")[:2000]
        done = attempt(lambda: SERVICES[action](actor=request.user, accreditation=accreditation, reason=reason))
        if done.ok:
            messages.success(request, _done_message(action))
            return _see(reverse("media:commission_item", args=[hokimiyat.code, accreditation.pk]))
        form.is_valid()
        return _item_page(request, hokimiyat, _item(hokimiyat, pk), status=done.status, error=done.message, form=form)

    view.__name__ = f"commission_{action}"
    return view


@never_cache
@require_http_methods(["GET", "POST"])
@commission_desk
def outlet_new(request, hokimiyat):
    form = OutletForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            done = attempt(lambda: journalists.outlet_register(actor=request.user, data=form.outlet_data()))
            if done.ok:
                messages.success(request, _("The outlet is in the registry."))
                return _see(reverse("media:outlets"))
            form.add_refusal(done)
            status = done.status
        else:
            status = 400
    return render(request, "media/commission/outlet_new.html", {"form": form, "hokimiyat": hokimiyat}, status=status)


urlpatterns = [
    path("desk/<slug:hokimiyat>/accreditation/", commission, name="commission"),
    path("desk/<slug:hokimiyat>/accreditation/<int:pk>/", commission_item, name="commission_item"),
    path(
        "desk/<slug:hokimiyat>/accreditation/<int:pk>/files/<slug:document>/", commission_file, name="commission_file"
    ),
    *[
        path(
            f"desk/<slug:hokimiyat>/accreditation/<int:pk>/{action}/", _action_view(action), name=f"commission_{action}"
        )
        for action in SERVICES
    ],
    path("desk/<slug:hokimiyat>/outlets/new/", outlet_new, name="outlet_new"),
]
