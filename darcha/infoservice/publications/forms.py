"""The press secretary's forms: a publication's settings and its texts per language, scheduling, sending
back, withdrawing, an image with its alternative texts, an attachment.

The forms check the shape of what is posted; the services decide (the uz text required, the body's code
refused, the decision's fields): their ValidationError lands on the field it names (ServiceErrors)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.core.errors import Attempt
from darcha.core.i18n import LANGUAGES

from .choices import PublicationKind
from .models import Category, Publication, Tag

DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
ALLOWED_MARKUP = _(
    "Paragraphs, headings, bold and italic, lists, quotes, links and tables are kept; any other markup is "
    "removed, and a script is refused."
)


class ServiceErrors:
    """A service's ValidationError on the fields it names; the rest (and refusals) at the top."""

    def add_refusal(self, done: Attempt) -> None:
        self.top_errors = getattr(self, "top_errors", [])
        error = done.error
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                if name in self.fields:
                    for message in messages:
                        self.add_error(name, message)
                else:
                    self.top_errors.extend(messages)
        else:
            self.top_errors.append(done.message)


class LanguageBlock:
    """One language's fields for the template, with what readers see there."""

    def __init__(self, form, language, text):
        self.language = language
        self.text = text
        self.title = form[f"title_{language.suffix}"]
        self.lead = form[f"lead_{language.suffix}"]
        self.body = form[f"body_{language.suffix}"]
        self.checked = form[f"checked_{language.suffix}"] if f"checked_{language.suffix}" in form.fields else None

    @property
    def is_default(self) -> bool:
        return self.language.code == "uz"

    @property
    def state(self) -> str:
        """present, transliterated (not checked), removed, or missing (readers get the uz text)."""
        if self.text is None:
            return "missing"
        if self.text.transliterated:
            return "transliterated"
        if not self.text.is_published:
            return "removed"
        return "present"

    @property
    def has_errors(self) -> bool:
        return bool(self.title.errors or self.lead.errors or self.body.errors)


class PublicationForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicationKind.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=40, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    decision_subject = forms.CharField(label=_("Decision subject"), max_length=500, required=False)
    signed_pdf = forms.FileField(
        label=_("Signed decision (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    embargo = forms.BooleanField(
        label=_("Under embargo: sent to accredited journalists ahead, public at the scheduled time"), required=False
    )

    def __init__(self, *args, publication: Publication | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.publication = publication
        self.fields["category"].queryset = Category.objects.all()
        self.fields["tags"].queryset = Tag.objects.all()
        texts = {t.language: t for t in publication.texts.all()} if publication else {}
        self.texts = texts
        for language in LANGUAGES:
            suffix = language.suffix
            native = language.native
            default = language.code == "uz"
            self.fields[f"title_{suffix}"] = forms.CharField(
                label=_("Title"), max_length=300, required=False, widget=forms.TextInput(attrs={"lang": language.html})
            )
            self.fields[f"lead_{suffix}"] = forms.CharField(
                label=_("Lead"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "lang": language.html}),
            )
            self.fields[f"body_{suffix}"] = forms.CharField(
                label=_("Body"),
                required=False,
                help_text=ALLOWED_MARKUP,
                widget=forms.Textarea(attrs={"rows": 14, "lang": language.html, "class": "publication-body"}),
            )
            if default:
                self.fields[f"title_{suffix}"].widget.attrs["required"] = True
            text = texts.get(language.code)
            if text is not None and text.transliterated:
                self.fields[f"checked_{suffix}"] = forms.BooleanField(
                    label=_("I have checked this transliterated text (%(language)s)") % {"language": native},
                    required=False,
                )

    @classmethod
    def initial_of(cls, publication: Publication) -> dict:
        initial = {
            "kind": publication.kind,
            "category": publication.category_id,
            "tags": [tag.pk for tag in publication.tags.all()],
            "decision_number": publication.decision_number,
            "decision_date": publication.decision_date,
            "decision_subject": publication.decision_subject,
            "embargo": publication.embargo,
        }
        for text in publication.texts.all():
            if not text.is_published and not text.transliterated:
                continue  # a removed translation: written again, it is published again
            suffix = text.language.replace("-", "_")
            initial.update({f"title_{suffix}": text.title, f"lead_{suffix}": text.lead, f"body_{suffix}": text.body})
        return initial

    @property
    def languages(self) -> list[LanguageBlock]:
        return [LanguageBlock(self, language, self.texts.get(language.code)) for language in LANGUAGES]

    def service_data(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        meta = {
            name: data.get(name)
            for name in ("kind", "category", "decision_number", "decision_date", "decision_subject", "embargo")
        }
        meta["tags"] = list(data.get("tags") or [])
        texts = {}
        for language in LANGUAGES:
            suffix = language.suffix
            texts[language.code] = {
                "title": data.get(f"title_{suffix}", ""),
                "lead": data.get(f"lead_{suffix}", ""),
                "body": data.get(f"body_{suffix}", ""),
                "checked": data.get(f"checked_{suffix}", False),
            }
        return meta, texts


class ScheduleForm(ServiceErrors, forms.Form):
    at = forms.DateTimeField(label=_("Publish at"), widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT))


class SendBackForm(ServiceErrors, forms.Form):
    comment = forms.CharField(label=_("What to change"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(ServiceErrors, forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImageForm(ServiceErrors, forms.Form):
    file = forms.FileField(
        label=_("Image (JPEG, PNG or WebP)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            self.fields[f"alt_text_{language.suffix}"] = forms.CharField(
                label=_("Alternative text (%(language)s)") % {"language": language.native},
                max_length=300,
                required=language.code == "uz",
                widget=forms.TextInput(attrs={"lang": language.html}),
            )

    def alt_texts(self) -> dict:
        return {language.code: self.cleaned_data.get(f"alt_text_{language.suffix}", "") for language in LANGUAGES}


class AttachmentForm(ServiceErrors, forms.Form):
    title = forms.CharField(label=_("Title of the file"), max_length=300)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))
