"""The press secretary's publication pages (and the writers' of the organization).

    desk/<organization>/            staff_list      the organization's publications by status (?status= q= page=)
    desk/<organization>/new/        staff_new       a new draft
    edit/<pk>/                      staff_edit      settings and texts per language (uz required, the others
                                                    optional, each marked with what readers see), images,
                                                    attachments, the signed PDF, and the actions
    edit/<pk>/preview/<language>/   staff_preview   the text as readers in that language see it (fallback marked)
    edit/<pk>/<action>/             staff_<action>  POST: submit, send_back, approve, schedule, unschedule, publish,
                                                    withdraw, transliterate, remove_text, image_add, image_remove,
                                                    attachment_add, attachment_remove
    files/<kind>/<pk>/              file            a decision's signed PDF, an image, an attachment: to anyone
                                                    once published, before that to the organization's writers

Writers (the press secretary, the hokim and the appeals officers of a hokimiyat; a center's manager) open
their organization's pages; only editors (press secretary, center manager) approve, schedule, publish and
withdraw. Everyone else 403; anonymous visitors the login page. Each action is one service call through
`attempt()`: refused, the editing page comes back with the message and the status keeps its meaning (400
bad input, 409 not possible now, 403 not for this user) and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core.errors import Attempt, Forbidden, attempt
from darcha.core.i18n import LANGUAGE_CODES, LANGUAGES

from .. import selectors, services
from ..choices import PublicationRefusal, PublicationStatus
from ..forms import AttachmentForm, ImageForm, PublicationForm, ScheduleForm, SendBackForm, WithdrawForm
from ..models import Publication, PublicationAttachment, PublicationImage

NOT_YOURS = gettext_lazy("Only the organization's press secretary and staff open its publications.")
STATUS_TABS = [
    (PublicationStatus.IN_REVIEW, gettext_lazy("To review")),
    (PublicationStatus.DRAFT, gettext_lazy("Drafts")),
    (PublicationStatus.SCHEDULED, gettext_lazy("Scheduled")),
    (PublicationStatus.PUBLISHED, gettext_lazy("Published")),
    (PublicationStatus.WITHDRAWN, gettext_lazy("Withdrawn")),
    ("", gettext_lazy("All")),
]


HISTORY_LABELS = {
    "publication_create": gettext_lazy("Draft written"),
    "publication_update": gettext_lazy("Changed"),
    "publication_text_transliterate": gettext_lazy("Cyrillic text made by transliteration"),
    "publication_text_remove": gettext_lazy("Translation removed"),
    "publication_image_add": gettext_lazy("Image added"),
    "publication_image_remove": gettext_lazy("Image removed"),
    "publication_attachment_add": gettext_lazy("File attached"),
    "publication_attachment_remove": gettext_lazy("Attachment removed"),
    "publication_submit_review": gettext_lazy("Sent for review"),
    "publication_send_back": gettext_lazy("Sent back to the writer"),
    "publication_schedule": gettext_lazy("Scheduled"),
    "publication_unschedule": gettext_lazy("Schedule cancelled"),
    "publication_publish": gettext_lazy("Published"),
    "publication_withdraw": gettext_lazy("Withdrawn"),
    "publication_missed_alert": gettext_lazy("Did not go out at its time: the press secretaries were told"),
}


def _see(url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(url, status=303)


def staff_page(view):
    """Signed-in users only (others to the login page, and back here after)."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path() if request.method == "GET" else reverse("core:desk"))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _organization(request, code):
    organization = selectors.staff_organization(code)
    if organization is None:
        raise Http404("no such organization")
    if not services.is_writer(request.user, organization):
        raise Forbidden(str(NOT_YOURS), PublicationRefusal.FORBIDDEN)
    return organization


def _publication(request, pk) -> Publication:
    publication = selectors.staff_publication(pk)
    if publication is None:
        raise Http404("no such publication")
    if not services.is_writer(request.user, publication.organization):
        raise Forbidden(str(NOT_YOURS), PublicationRefusal.FORBIDDEN)
    return publication


def _edit_url(publication) -> str:
    return reverse("publications:staff_edit", args=[publication.pk])


# --- the list ---------------------------------------------------------------------------------------
@staff_page
@require_GET
def staff_list(request, code):
    organization = _organization(request, code)
    status = request.GET.get("status", "")
    status = status if status in PublicationStatus.values else ""
    q = request.GET.get("q", "").strip()[:100]
    paginator = Paginator(selectors.staff_list(organization, status=status or None, q=q), 20)
    page = paginator.get_page(request.GET.get("page"))
    language = request.LANGUAGE_CODE
    rows = [(p, selectors.publication_text(p, language)[0] or _any_text(p), _languages(p)) for p in page]
    return render(
        request,
        "publications/staff/list.html",
        {
            "organization": organization,
            "rows": rows,
            "page": page,
            "status": status,
            "q": q,
            "tabs": STATUS_TABS,
            "counts": selectors.status_counts(organization),
            "is_editor": services.is_editor(request.user, organization),
            "now": timezone.now(),
        },
    )


def _any_text(publication):
    texts = list(publication.texts.all())
    return next((t for t in texts if t.language == "uz"), texts[0] if texts else None)


def _languages(publication) -> list[tuple[str, str]]:
    """(code, state) per language: published, unchecked, removed, or missing (readers get uz)."""
    texts = {t.language: t for t in publication.texts.all()}
    out = []
    for code in LANGUAGE_CODES:
        text = texts.get(code)
        if text is None:
            out.append((code, "missing"))
        elif text.transliterated:
            out.append((code, "transliterated"))
        elif not text.is_published:
            out.append((code, "removed"))
        else:
            out.append((code, "present"))
    return out


# --- creating and editing ---------------------------------------------------------------------------
@staff_page
@require_http_methods(["GET", "POST"])
def staff_new(request, code):
    organization = _organization(request, code)
    context = {"organization": organization, "publication": None}
    if request.method == "GET":
        form = PublicationForm(initial={"kind": request.GET.get("kind", "news")})
        return render(request, "publications/staff/edit.html", {**context, "form": form})
    form = PublicationForm(request.POST, request.FILES)
    if form.is_valid():
        meta, texts = form.service_data()
        done = attempt(
            lambda: services.publication_create(
                actor=request.user,
                organization=organization,
                data=meta,
                texts=texts,
                signed_pdf=form.cleaned_data.get("signed_pdf"),
            )
        )
        if done.ok:
            messages.success(request, _("The draft is saved."))
            return _see(_edit_url(done.value))
        form.add_refusal(done)
        status = done.status
    else:
        status = 400
    return render(request, "publications/staff/edit.html", {**context, "form": form}, status=status)


def _history(publication) -> list[tuple]:
    """(entry, what it was, the scheduled time if any) for the page's history."""
    rows = []
    for entry in selectors.publication_history(publication):
        at = entry.data.get("at") if isinstance(entry.data, dict) else None
        try:
            at = dt.datetime.fromisoformat(at) if at else None
        except ValueError:
            at = None
        rows.append((entry, HISTORY_LABELS.get(entry.action, entry.action), at))
    return rows


def _edit_page(request, publication, *, form=None, status=200, error="", forms_=None):
    publication = selectors.staff_publication(publication.pk)
    organization = publication.organization
    now = timezone.now()
    form = form or PublicationForm(initial=PublicationForm.initial_of(publication), publication=publication)
    forms_ = forms_ or {}
    is_editor = services.is_editor(request.user, organization)
    context = {
        "organization": organization,
        "publication": publication,
        "form": form,
        "error": error,
        "is_editor": is_editor,
        "missing": services.readiness(publication),
        "missed": services.is_missed(publication, now),
        "schedule_form": forms_.get("schedule") or ScheduleForm(initial={"at": publication.publish_at}),
        "send_back_form": forms_.get("send_back") or SendBackForm(),
        "withdraw_form": forms_.get("withdraw") or WithdrawForm(),
        "image_form": forms_.get("image") or ImageForm(),
        "attachment_form": forms_.get("attachment") or AttachmentForm(),
        "languages": LANGUAGES,
        "may_edit": publication.status == PublicationStatus.DRAFT or is_editor,
        "history": _history(publication),
    }
    return render(request, "publications/staff/edit.html", context, status=status)


@staff_page
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    publication = _publication(request, pk)
    if request.method == "GET":
        return _edit_page(request, publication)
    form = PublicationForm(request.POST, request.FILES, publication=publication)
    if form.is_valid():
        meta, texts = form.service_data()
        done = attempt(
            lambda: services.publication_update(
                actor=request.user,
                publication=publication,
                data=meta,
                texts=texts,
                signed_pdf=form.cleaned_data.get("signed_pdf"),
            )
        )
        if done.ok:
            messages.success(request, _("The publication is saved."))
            return _see(_edit_url(publication))
        form.add_refusal(done)
        return _edit_page(request, publication, form=form, status=done.status)
    return _edit_page(request, publication, form=form, status=400)


@staff_page
@require_GET
def staff_preview(request, pk, language):
    publication = _publication(request, pk)
    if language not in LANGUAGE_CODES:
        raise Http404("no such language")
    text, fallback = selectors.publication_text(publication, language)
    native = {lang.code: lang for lang in LANGUAGES}
    return render(
        request,
        "publications/staff/preview.html",
        {
            "organization": publication.organization,
            "publication": publication,
            "text": text,
            "fallback": fallback,
            "language": native[language],
            "shown_language": native[text.language] if text else None,
            "languages": LANGUAGES,
        },
    )


# --- actions ----------------------------------------------------------------------------------------
def _form_action(form_class, key, run, notice):
    """An action whose input is a small form (schedule, send back, withdraw, image, attachment)."""

    def handle(request, publication):
        form = form_class(request.POST, request.FILES)
        if not form.is_valid():
            return _edit_page(request, publication, status=400, forms_={key: form}, error=_("Check the form below."))
        done: Attempt = attempt(lambda: run(request.user, publication, form))
        if done.ok:
            return notice
        form.add_refusal(done)
        on_fields = isinstance(done.error, ValidationError) and hasattr(done.error, "error_dict")
        error = "" if on_fields else done.message
        return _edit_page(request, publication, status=done.status, forms_={key: form}, error=error)

    return handle


def _plain_action(run, notice):
    def handle(request, publication):
        done = attempt(lambda: run(request.user, publication, request.POST))
        if done.ok:
            return notice
        return _edit_page(request, publication, status=done.status, error=done.message)

    return handle


def _image(publication, post) -> PublicationImage:
    image = publication.images.filter(pk=post.get("image") or 0).first()
    if image is None:
        raise Http404("no such image")
    return image


def _attachment(publication, post) -> PublicationAttachment:
    attachment = publication.attachments.filter(pk=post.get("attachment") or 0).first()
    if attachment is None:
        raise Http404("no such attachment")
    return attachment


ACTIONS = {
    "submit": _plain_action(
        lambda user, p, post: services.publication_submit_review(actor=user, publication=p),
        gettext_lazy("The draft is sent to the press secretary for review."),
    ),
    "approve": _plain_action(
        lambda user, p, post: services.publication_approve(actor=user, publication=p),
        gettext_lazy("Approved and published."),
    ),
    "publish": _plain_action(
        lambda user, p, post: services.publication_publish(actor=user, publication=p),
        gettext_lazy("The publication is published."),
    ),
    "unschedule": _plain_action(
        lambda user, p, post: services.publication_unschedule(actor=user, publication=p),
        gettext_lazy("The schedule is cancelled; the publication is a draft again."),
    ),
    "transliterate": _plain_action(
        lambda user, p, post: services.text_transliterate(actor=user, publication=p),
        gettext_lazy("The Cyrillic text is made from the Latin one. Check it, tick “checked” and save."),
    ),
    "remove_text": _plain_action(
        lambda user, p, post: services.text_remove(actor=user, publication=p, language=post.get("language", "")),
        gettext_lazy("The translation is removed; readers in that language now see the Oʻzbekcha text."),
    ),
    "image_remove": _plain_action(
        lambda user, p, post: services.image_remove(actor=user, image=_image(p, post)),
        gettext_lazy("The image is removed."),
    ),
    "attachment_remove": _plain_action(
        lambda user, p, post: services.attachment_remove(actor=user, attachment=_attachment(p, post)),
        gettext_lazy("The attachment is removed."),
    ),
    "schedule": _form_action(
        ScheduleForm,
        "schedule",
        lambda user, p, form: (
            services.publication_approve(actor=user, publication=p, at=form.cleaned_data["at"])
            if p.status == PublicationStatus.IN_REVIEW
            else services.publication_schedule(actor=user, publication=p, at=form.cleaned_data["at"])
        ),
        gettext_lazy("The publication is scheduled."),
    ),
    "send_back": _form_action(
        SendBackForm,
        "send_back",
        lambda user, p, form: services.publication_send_back(
            actor=user, publication=p, comment=form.cleaned_data["comment"]
        ),
        gettext_lazy("The draft is sent back to its writer."),
    ),
    "withdraw": _form_action(
        WithdrawForm,
        "withdraw",
        lambda user, p, form: services.publication_withdraw(
            actor=user, publication=p, reason=form.cleaned_data["reason"]
        ),
        gettext_lazy("The publication is withdrawn from the public pages."),
    ),
    "image_add": _form_action(
        ImageForm,
        "image",
        lambda user, p, form: services.image_add(
            actor=user, publication=p, upload=form.cleaned_data["file"], alt_texts=form.alt_texts()
        ),
        gettext_lazy("The image is added."),
    ),
    "attachment_add": _form_action(
        AttachmentForm,
        "attachment",
        lambda user, p, form: services.attachment_add(
            actor=user, publication=p, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
        ),
        gettext_lazy("The file is attached."),
    ),
}


def _action_view(action: str):
    handle = ACTIONS[action]

    @staff_page
    @require_POST
    def view(request, pk):
        publication = _publication(request, pk)
        result = handle(request, publication)
        if hasattr(result, "status_code"):
            return result
        messages.success(request, str(result))
        return _see(_edit_url(publication))

    view.__name__ = f"staff_{action}"
    return view


# --- files --------------------------------------------------------------------------------------------
FILE_KINDS = ("pdf", "image", "attachment")


@require_GET
def file(request, kind, pk):
    """A decision's signed PDF, an image or an attachment of a publication: public once it is published;
    before, to the organization's writers only (others: not found)."""
    if kind == "pdf":
        publication = Publication.objects.select_related("organization").filter(pk=pk).first()
        stored = publication.signed_pdf if publication and publication.signed_pdf else None
        filename = f"{publication.slug}.pdf" if publication else ""
    elif kind == "image":
        item = PublicationImage.objects.select_related("publication__organization").filter(pk=pk).first()
        publication, stored = (item.publication, item.file) if item else (None, None)
        filename = os.path.basename(item.file.name) if item else ""
    elif kind == "attachment":
        item = PublicationAttachment.objects.select_related("publication__organization").filter(pk=pk).first()
        publication, stored = (item.publication, item.file) if item else (None, None)
        filename = os.path.basename(item.file.name) if item else ""
    else:
        raise Http404("no such kind of file")
    if publication is None or not stored:
        raise Http404("no such file")
    public = publication.status == PublicationStatus.PUBLISHED
    if not public and not services.is_writer(request.user, publication.organization):
        raise Http404("no such file")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing") from None
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=kind == "attachment", filename=filename)
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_url(kind: str, pk: int) -> str:
    return reverse("publications:file", args=[kind, pk])


urlpatterns = [
    path("desk/<slug:code>/", staff_list, name="staff_list"),
    path("desk/<slug:code>/new/", staff_new, name="staff_new"),
    path("edit/<int:pk>/", staff_edit, name="staff_edit"),
    path("edit/<int:pk>/preview/<str:language>/", staff_preview, name="staff_preview"),
    *(path(f"edit/<int:pk>/{action}/", _action_view(action), name=f"staff_{action}") for action in ACTIONS),
    path("files/<str:kind>/<int:pk>/", file, name="file"),
]
