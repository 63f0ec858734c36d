"""Writing a publication: its settings, its texts per language (uz required; uz-cyrl/ru/en optional),
the uz-cyrl offered by transliteration for the editor to check, removing a translation (which unpublishes
it), images (checked, resized, alt text required) and attachments, the decision's signed PDF.

`texts` is `{language: {"title", "lead", "body", "checked"}}`; a language left out (or blank) is not
touched. Bodies are sanitised (publications.sanitize): markup outside the allow-list is dropped, but a
body holding code (a script, an event attribute, a `javascript:` link) is refused with a message, so the
editor sees what was wrong rather than a silently changed text.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from darcha.core import uploads
from darcha.core.audit import actor_user, audit_record
from darcha.core.errors import Forbidden, Refused
from darcha.core.i18n import LANGUAGE_CODES, LANGUAGES
from darcha.core.translit import cyrillic_to_latin, latin_to_cyrillic

from .. import images, sanitize
from ..choices import EDITABLE_STATUSES, PublicationKind, PublicationRefusal, PublicationStatus
from ..models import Category, Publication, PublicationAttachment, PublicationImage, PublicationText, Tag
from ._common import changed, is_editor, locked, require_writer

DEFAULT = settings.LANGUAGE_CODE
NATIVE = {language.code: language.native for language in LANGUAGES}
TITLE_MAX = 300
META_FIELDS = ("kind", "category", "tags", "decision_number", "decision_date", "decision_subject", "embargo")


def _require_may_edit(actor, publication: Publication) -> None:
    require_writer(actor, publication.organization)
    if publication.status not in EDITABLE_STATUSES and not is_editor(actor, publication.organization):
        raise Refused(_("A withdrawn publication is changed by the press secretary only."), PublicationRefusal.STATE)
    if publication.status != PublicationStatus.DRAFT and not is_editor(actor, publication.organization):
        raise Forbidden(
            _("Once sent for review, the publication is changed by the press secretary."), PublicationRefusal.FORBIDDEN
        )


# --- texts -------------------------------------------------------------------------------------
def _field(language: str, name: str) -> str:
    """The name of a text's field in forms and in error messages: title_uz, body_uz_cyrl, …"""
    return f"{name}_{language.replace('-', '_')}"


def clean_body(value: str, field: str) -> str:
    if sanitize.has_unsafe_markup(value):
        raise ValidationError(
            {
                field: _(
                    "The text holds code (a script, a style or an event handler), which a publication may not "
                    "carry. Remove it and save again."
                )
            }
        )
    return sanitize.clean_html(value)


def clean_texts(texts: dict, *, existing: dict[str, PublicationText], require_default: bool) -> dict[str, dict]:
    """The texts to store, by language; ValidationError naming each wrong field (nothing is stored)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict] = {}
    for language in LANGUAGE_CODES:
        given = texts.get(language) or {}
        title = str(given.get("title") or "").strip()
        lead = str(given.get("lead") or "").strip()
        body = str(given.get("body") or "").strip()
        current = existing.get(language)
        blank = not (title or lead or sanitize.plain_text(body))
        if blank:
            if language == DEFAULT and (require_default or current is not None):
                errors.setdefault(_field(language, "title"), []).append(
                    _("The text in %(language)s, the default language, is required: write at least its title.")
                    % {"language": NATIVE[language]}
                )
            elif current is not None and current.is_published and language in texts:
                errors.setdefault(_field(language, "title"), []).append(
                    _("Give the title, or remove this translation with its own button.")
                )
            continue
        if not title:
            errors.setdefault(_field(language, "title"), []).append(_("Give the title."))
            continue
        if len(title) > TITLE_MAX:
            errors.setdefault(_field(language, "title"), []).append(
                _("A title may be at most %(max)d characters.") % {"max": TITLE_MAX}
            )
            continue
        try:
            body = clean_body(body, _field(language, "body"))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            continue
        cleaned[language] = {"title": title, "lead": lead, "body": body, "checked": bool(given.get("checked"))}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _store_texts(publication: Publication, cleaned: dict[str, dict], existing: dict[str, PublicationText]) -> list[str]:
    stored = []
    for language, values in cleaned.items():
        text = existing.get(language) or PublicationText(publication=publication, language=language)
        still_unchecked = text.pk is not None and text.transliterated and not values["checked"]
        same = (
            text.pk is not None
            and (text.title, text.lead, text.body) == (values["title"], values["lead"], values["body"])
            and (text.is_published or still_unchecked)
        )
        if same:
            continue
        text.title, text.lead, text.body = values["title"], values["lead"], values["body"]
        # A transliteration stays unchecked (and unpublished) until the editor ticks it as checked.
        text.transliterated = still_unchecked
        text.is_published = not text.transliterated
        text.save()
        stored.append(language)
    return stored


# --- settings --------------------------------------------------------------------------------------
def _clean_meta(data: dict, publication: Publication | None) -> dict:
    errors: dict[str, str] = {}
    kind = data.get("kind", publication.kind if publication else PublicationKind.NEWS)
    if kind not in PublicationKind.values:
        errors["kind"] = _("Choose the kind of publication.")
    category = data.get("category")
    if category is not None and not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first()
        if category is None:
            errors["category"] = _("Choose a category from the list.")
    number = str(data.get("decision_number") or "").strip()[:40]
    subject = str(data.get("decision_subject") or "").strip()[:500]
    date = data.get("decision_date") or None
    if date is not None and not isinstance(date, dt.date):
        errors["decision_date"] = _("Enter the date of the decision.")
    elif date is not None and date > timezone.localdate() + dt.timedelta(days=1):
        errors["decision_date"] = _("A decision's date cannot be in the future.")
    embargo = bool(data.get("embargo"))
    if embargo and kind != PublicationKind.PRESS_RELEASE:
        errors["embargo"] = _("Only a press release is sent to journalists under embargo.")
    if errors:
        raise ValidationError(errors)
    meta = {"kind": kind, "category": category, "embargo": embargo}
    if kind == PublicationKind.DECISION:
        meta.update(decision_number=number, decision_subject=subject, decision_date=date)
    else:
        meta.update(decision_number="", decision_subject="", decision_date=None)
    return meta


def _clean_signed_pdf(upload):
    checked = uploads.check_upload(upload, allowed=("application/pdf",))
    return checked.file


def _slug_base(title: str) -> str:
    base = slugify(cyrillic_to_latin(title).replace("ʻ", "").replace("'", "").replace("’", ""))
    return base[:80].strip("-") or "publication"


def unique_slug(organization, title: str, *, exclude_pk: int | None = None) -> str:
    base = _slug_base(title)
    taken = set(
        Publication.objects.filter(organization=organization, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    pattern = re.compile(re.escape(base) + r"-(\d+)$")
    numbers = [int(m.group(1)) for m in map(pattern.match, taken) if m]
    return f"{base}-{max(numbers, default=1) + 1}"


def _audit_data(publication: Publication, languages: list[str], **extra) -> dict:
    return {"kind": publication.kind, "status": publication.status, "languages": languages, **extra}


def publication_create(*, actor, organization, data: dict, texts: dict, signed_pdf=None, now=None) -> Publication:
    """A new draft of the organization, written by `actor`; the uz text is required."""
    with transaction.atomic():
        require_writer(actor, organization)
        meta = _clean_meta(data, None)
        cleaned = clean_texts(texts, existing={}, require_default=True)
        pdf = _clean_signed_pdf(signed_pdf) if signed_pdf else None
        tags = _clean_tags(data.get("tags"))
        publication = Publication(
            organization=organization,
            author=actor_user(actor),
            slug=unique_slug(organization, cleaned[DEFAULT]["title"]),
            **meta,
        )
        if pdf is not None:
            publication.signed_pdf.save(pdf.name, pdf, save=False)
        publication.save()
        publication.tags.set(tags)
        languages = _store_texts(publication, cleaned, {})
        audit_record(
            actor=actor, action="publication_create", obj=publication, data=_audit_data(publication, languages)
        )
    return publication


def _clean_tags(values) -> list[Tag]:
    if not values:
        return []
    if all(isinstance(value, Tag) for value in values):
        return list(values)
    ids = [int(value) for value in values if str(value).isdigit()]
    tags = list(Tag.objects.filter(pk__in=ids))
    if len(tags) != len(set(ids)):
        raise ValidationError({"tags": _("Choose tags from the list.")})
    return tags


def publication_update(*, actor, publication: Publication, data: dict, texts: dict, signed_pdf=None) -> Publication:
    """Change the settings and texts. A published publication may be corrected by the press secretary
    (its pages change at once); a changed uz title does not change the address."""
    with transaction.atomic():
        publication = locked(publication)
        _require_may_edit(actor, publication)
        meta = _clean_meta(data, publication)
        existing = {text.language: text for text in publication.texts.all()}
        cleaned = clean_texts(texts, existing=existing, require_default=True)
        pdf = _clean_signed_pdf(signed_pdf) if signed_pdf else None
        tags = _clean_tags(data.get("tags")) if "tags" in data else None
        for name, value in meta.items():
            setattr(publication, name, value)
        if pdf is not None:
            publication.signed_pdf.save(pdf.name, pdf, save=False)
        publication.save()
        if tags is not None:
            publication.tags.set(tags)
        languages = _store_texts(publication, cleaned, existing)
        audit_record(
            actor=actor,
            action="publication_update",
            obj=publication,
            data=_audit_data(publication, languages, signed_pdf=pdf is not None),
        )
        changed()
    return publication


def text_transliterate(*, actor, publication: Publication, language: str = "uz-cyrl") -> PublicationText:
    """Offer the uz-cyrl text made from the uz one, for the editor to check: stored as transliterated
    (not published) until saved as checked. An existing checked uz-cyrl text is not overwritten."""
    with transaction.atomic():
        publication = locked(publication)
        _require_may_edit(actor, publication)
        if language != "uz-cyrl":
            raise ValidationError(_("Only the Uzbek Cyrillic text is made by transliteration."))
        source = publication.texts.filter(language=DEFAULT).first()
        if source is None:
            raise Refused(_("Write the text in Oʻzbekcha first."), PublicationRefusal.DEFAULT_LANGUAGE)
        text = publication.texts.filter(language=language).first()
        if text is not None and text.is_published and not text.transliterated:
            raise Refused(
                _("The Cyrillic text is already written and checked; change it by hand."), PublicationRefusal.STATE
            )
        text = text or PublicationText(publication=publication, language=language)
        text.title = latin_to_cyrillic(source.title)
        text.lead = latin_to_cyrillic(source.lead)
        text.body = sanitize.clean_html(latin_to_cyrillic(source.body))
        text.transliterated = True
        text.is_published = False
        text.save()
        audit_record(actor=actor, action="publication_text_transliterate", obj=publication, data={"language": language})
        changed()
    return text


def text_remove(*, actor, publication: Publication, language: str) -> PublicationText:
    """Remove a translation: it is no longer published (readers get the uz text, marked as such). The text
    is kept for the history; writing that language again publishes it again. The uz text is not removed:
    withdraw the publication instead."""
    with transaction.atomic():
        publication = locked(publication)
        _require_may_edit(actor, publication)
        if language == DEFAULT:
            raise Refused(
                _("The text in the default language cannot be removed; withdraw the publication instead."),
                PublicationRefusal.DEFAULT_LANGUAGE,
            )
        text = publication.texts.select_for_update().filter(language=language).first()
        if text is None or not (text.is_published or text.transliterated):
            raise Refused(_("There is no such translation to remove."), PublicationRefusal.STATE)
        text.is_published = False
        text.transliterated = False
        text.save(update_fields=["is_published", "transliterated", "updated_at"])
        audit_record(actor=actor, action="publication_text_remove", obj=publication, data={"language": language})
        changed()
    return text


# --- images and attachments --------------------------------------------------------------------------
def image_add(*, actor, publication: Publication, upload, alt_texts: dict) -> PublicationImage:
    """An image, stored resized (PUBLICATIONS_IMAGE_MAX_PX) without its metadata; the uz alt text is required."""
    with transaction.atomic():
        publication = locked(publication)
        _require_may_edit(actor, publication)
        alts = {code: str(alt_texts.get(code) or "").strip()[:300] for code in LANGUAGE_CODES}
        errors = {}
        if not alts[DEFAULT]:
            errors["alt_text_uz"] = _(
                "Describe the image in Oʻzbekcha (its alternative text, read aloud to those who cannot see it)."
            )
        if upload is None:
            errors["file"] = _("Choose the image file.")
        if errors:
            raise ValidationError(errors)
        try:
            resized = images.prepare_image(upload)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        order = (publication.images.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        image = PublicationImage(
            publication=publication,
            order=order,
            **{f"alt_text_{code.replace('-', '_')}": value for code, value in alts.items()},
        )
        image.file.save(resized.file.name, resized.file, save=False)
        image.width, image.height = resized.width, resized.height
        image.save()
        audit_record(
            actor=actor,
            action="publication_image_add",
            obj=publication,
            data={"image": image.pk, "width": image.width, "height": image.height},
        )
        changed()
    return image


def image_remove(*, actor, image: PublicationImage) -> None:
    with transaction.atomic():
        publication = locked(image.publication)
        _require_may_edit(actor, publication)
        image_id, name = image.pk, image.file.name
        PublicationImage.objects.filter(pk=image_id).delete()
        audit_record(actor=actor, action="publication_image_remove", obj=publication, data={"image": image_id})
        storage = image.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        changed()


def attachment_add(*, actor, publication: Publication, upload, title: str) -> PublicationAttachment:
    with transaction.atomic():
        publication = locked(publication)
        _require_may_edit(actor, publication)
        title = str(title or "").strip()[:300]
        errors = {}
        if not title:
            errors["title"] = _("Give the attachment a title.")
        if upload is None:
            errors["file"] = _("Choose the file.")
        if errors:
            raise ValidationError(errors)
        try:
            checked = uploads.check_upload(upload)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        order = (publication.attachments.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        attachment = PublicationAttachment(publication=publication, title=title, order=order)
        attachment.file.save(checked.name, checked.file, save=False)
        attachment.save()
        audit_record(
            actor=actor,
            action="publication_attachment_add",
            obj=publication,
            data={"attachment": attachment.pk, "sha256": checked.sha256, "size": checked.size},
        )
        changed()
    return attachment


def attachment_remove(*, actor, attachment: PublicationAttachment) -> None:
    with transaction.atomic():
        publication = locked(attachment.publication)
        _require_may_edit(actor, publication)
        pk, name = attachment.pk, attachment.file.name
        PublicationAttachment.objects.filter(pk=pk).delete()
        audit_record(actor=actor, action="publication_attachment_remove", obj=publication, data={"attachment": pk})
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        changed()
