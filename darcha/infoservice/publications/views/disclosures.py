"""Mandatory disclosures' pages.

    disclosures/                        disclosures_index   the hokimiyats, each with what it has overdue (cached)
    disclosures/<hokimiyat>/            disclosures         each category: its legal basis, period, last
                                                            publication and state (cached)
    desk/<organization>/disclosures/    staff_disclosures   the press secretary's: the same, the most urgent
                                                            first, with the publications to mark (POST mark,
                                                            unmark; editors only)

The public pages are held by the page cache (content "publications"; a held page is keyed by the day too,
so "overdue" turns on the day it becomes so)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from darcha.core.errors import Forbidden, attempt
from darcha.core.pagecache import public_page

from .. import selectors, services
from ..choices import PublicationRefusal
from ..forms_subscriptions import MarkForm
from ..models_disclosures import Disclosure, DisclosureCategory
from ..selectors_disclosures import (
    disclosure_counts,
    disclosure_organization,
    disclosure_organizations,
    disclosure_rows,
    staff_entries,
)
from ..services.disclosures import disclosure_mark, disclosure_unmark
from .staff import staff_page


@require_GET
@public_page("publications")
def disclosures_index(request):
    now = timezone.now()
    offices = [(office, disclosure_counts(disclosure_rows(office, now))) for office in disclosure_organizations()]
    return render(request, "publications/disclosures/index.html", {"offices": offices})


@require_GET
@public_page("publications")
def disclosures(request, code: str):
    office = disclosure_organization(code)
    if office is None:
        raise Http404("no such hokimiyat")
    rows = disclosure_rows(office)
    return render(
        request,
        "publications/disclosures/office.html",
        {"office": office, "rows": rows, "counts": disclosure_counts(rows), "language": request.LANGUAGE_CODE},
    )


@staff_page
@require_http_methods(["GET", "POST"])
def staff_disclosures(request, code: str):
    organization = selectors.staff_organization(code)
    if organization is None:
        raise Http404("no such organization")
    if not services.is_writer(request.user, organization):
        raise Forbidden(
            _("Only the organization's press secretary and staff open its disclosures."), PublicationRefusal.FORBIDDEN
        )
    status, message = 200, ""
    if request.method == "POST":
        form = MarkForm(request.POST)
        if not form.is_valid():
            status, message = 400, _("Choose a publication and a category.")
        else:
            publication = selectors.staff_publication(form.cleaned_data["publication"])
            category = DisclosureCategory.objects.filter(pk=form.cleaned_data["category"]).first()
            if publication is None or category is None or publication.organization_id != organization.pk:
                status, message = 400, _("Choose a publication and a category.")
            elif request.POST.get("action") == "unmark":
                disclosure = Disclosure.objects.filter(publication=publication, category=category).first()
                done = attempt(lambda: disclosure and disclosure_unmark(actor=request.user, disclosure=disclosure))
                if done.ok:
                    messages.success(request, _("The mark was taken off."))
                    return HttpResponseRedirect(request.path, status=303)
                status, message = done.status, done.message
            else:
                done = attempt(lambda: disclosure_mark(actor=request.user, publication=publication, category=category))
                if done.ok:
                    messages.success(
                        request, _("The publication is marked: “%(category)s”.") % {"category": category.name}
                    )
                    return HttpResponseRedirect(request.path, status=303)
                status, message = done.status, done.message
    rows, entries = staff_entries(organization)
    language = request.LANGUAGE_CODE
    for entry in entries:
        entry["marked"] = [(d, selectors.publication_text(d.publication, language)[0]) for d in entry["marked"]]
        entry["candidates"] = [(p, selectors.publication_text(p, language)[0]) for p in entry["candidates"]]
    return render(
        request,
        "publications/disclosures/staff.html",
        {
            "organization": organization,
            "entries": entries,
            "counts": disclosure_counts(rows),
            "can_mark": services.is_editor(request.user, organization),
            "message": message,
            "language": language,
            "public_url": reverse("publications:disclosures", args=[organization.code])
            if disclosure_organization(organization.code)
            else "",
        },
        status=status,
    )


urlpatterns = [
    path("disclosures/", disclosures_index, name="disclosures_index"),
    path("disclosures/<slug:code>/", disclosures, name="disclosures"),
    path("desk/<slug:code>/disclosures/", staff_disclosures, name="staff_disclosures"),
]
