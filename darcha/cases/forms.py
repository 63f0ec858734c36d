"""Forms of the front office: intake, supplement, payment, handover.

They only read and shape the input. Every rule (which documents are required, whether a file is
a real PDF or image, whether the fee is settled, whose identity matches) is checked by
darcha.cases.services and darcha.core.services, whose field-level messages the views put back
on these forms with `add_service_errors`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.catalog.models import RequiredDocument, Service
from darcha.core.choices import PersonKind
from darcha.core.errors import Attempt
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.uploads import kept_file


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Any number of files under one name; their content is checked by the service, not here."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, data):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


class ServiceErrorsMixin:
    """Field-level messages from a service's ValidationError: on the field of that name, or kept
    by section (documents, files, fee, …) for the part of the page that shows them."""

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(self, "section_errors"):
            self.section_errors = {}
        if not hasattr(error, "error_dict"):
            self.section_errors.setdefault("general", []).extend(error.messages)
            return
        for field, errors in error.message_dict.items():
            if field in self.fields:
                for message in errors:
                    self.add_error(field, message)
            else:
                self.section_errors.setdefault(field, []).extend(errors)

    def add_refusal(self, done: Attempt) -> None:
        """A refused service call (`core.errors.attempt`): bad input on the fields, a refusal at the top."""
        if isinstance(done.error, ValidationError):
            self.add_service_errors(done.error)
        else:
            self.add_service_errors(ValidationError(done.message))

    def add_kept_errors(self, errors: dict[str, list[str]]) -> None:
        """The messages of files refused when the form's files were kept (services.pending_uploads_keep):
        beside the file's own field, and no longer repeated in the section above."""
        if not hasattr(self, "section_errors"):
            self.section_errors = {}
        placed = []
        for field, messages in errors.items():
            if field in self.fields:
                new = [m for m in messages if m not in self.errors.get(field, [])]
                if new:
                    self.add_error(field, new)
                placed.extend(messages)
            else:
                self.section_errors.setdefault(field, []).extend(
                    m for m in messages if m not in self.section_errors.get(field, [])
                )
        if "files" in self.section_errors:
            self.section_errors["files"] = [m for m in self.section_errors["files"] if m not in placed]

    @property
    def all_messages(self) -> list[str]:
        """Every message on the form, for the summary at its top."""
        messages = [m for errors in self.errors.values() for m in errors]
        for errors in getattr(self, "section_errors", {}).values():
            messages.extend(errors)
        return list(dict.fromkeys(messages))


class ApplicantForm(ServiceErrorsMixin, forms.Form):
    """Who applies: an individual (PINFL or passport) or a legal entity (STIR)."""

    kind = forms.ChoiceField(
        label=_("Applicant"), choices=PersonKind.choices, initial=PersonKind.INDIVIDUAL, widget=forms.RadioSelect
    )
    pinfl = forms.CharField(label=_("PINFL (14 digits)"), required=False, max_length=32)
    passport = forms.CharField(label=_("Passport number"), required=False, max_length=32)
    stir = forms.CharField(label=_("STIR (taxpayer number, 9 digits)"), required=False, max_length=32)
    name = forms.CharField(label=_("Full name or organization name"), required=False, max_length=255)
    phone = forms.CharField(label=_("Phone for notices"), required=False, max_length=32)
    language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES, initial="uz")

    def person_data(self) -> dict:
        data = self.cleaned_data
        legal = data["kind"] == PersonKind.LEGAL_ENTITY
        return {
            "kind": data["kind"],
            "name": data["name"],
            "pinfl": "" if legal else data["pinfl"],
            "passport": "" if legal else data["passport"],
            "stir": data["stir"] if legal else "",
            "phone": data["phone"],
            "language": data["language"],
        }


class IntakeForm(ApplicantForm):
    """The whole intake of one service: applicant, checklist with scans, fee."""

    presented = forms.ModelMultipleChoiceField(
        label=_("Presented"), queryset=RequiredDocument.objects.none(), required=False
    )
    extra = MultipleFileField(label=_("Other files"))
    discount = forms.ModelChoiceField(label=_("Discount"), queryset=None, required=False, empty_label=_("No discount"))
    payment_reference = forms.CharField(label=_("Payment reference"), required=False, max_length=64)
    waiver_reason = forms.CharField(label=_("Reason the fee is waived"), required=False, max_length=255)

    def __init__(self, *args, service: Service, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.checklist = list(service.documents.order_by("position", "id"))
        self.brought = [d for d in self.checklist if not d.obtained_by_center]
        self.by_center = [d for d in self.checklist if d.obtained_by_center]
        self.fields["presented"].queryset = service.documents.filter(obtained_by_center=False)
        self.fields["discount"].queryset = service.discounts.all()
        for document in self.brought:
            self.fields[self.file_field(document)] = MultipleFileField(label=_("Scans"))
        if not service.for_individuals:
            self.initial.setdefault("kind", PersonKind.LEGAL_ENTITY)
        # Files kept from the earlier tries of this form (models.PendingUpload), of its own fields only.
        self.file_fields = {self.file_field(d): d for d in self.brought} | {"extra": None}
        self.kept = [k for k in kept if k.field in self.file_fields]

    @staticmethod
    def file_field(document: RequiredDocument) -> str:
        return f"file_{document.pk}"

    def new_uploads(self) -> list[tuple[str, RequiredDocument | None, object]]:
        """The files that came with this post: (field, checklist item or None, file)."""
        if not self.files:
            return []
        return [(name, d, f) for name, d in self.file_fields.items() for f in self.files.getlist(name) if f]

    def keep(self, kept: list, errors: dict[str, list[str]]) -> None:
        """The files just kept join those kept before; the refused ones' messages go beside their fields."""
        self.kept = [*self.kept, *kept]
        self.add_kept_errors(errors)

    def uploads(self) -> list[tuple[RequiredDocument | None, object]]:
        """Every file of the intake: those sent now, then those kept from the earlier tries."""
        pairs = [(d, f) for d in self.brought for f in self.cleaned_data.get(self.file_field(d), [])]
        pairs += [(None, f) for f in self.cleaned_data.get("extra", [])]
        pairs += [(self.file_fields[k.field], kept_file(k)) for k in self.kept]
        return pairs

    @property
    def kept_extra(self) -> list:
        return [k for k in self.kept if k.field == "extra"]

    def items(self) -> list[dict]:
        """The checklist as the template lays it out: each document with its inputs and state."""
        ticked = {str(v) for v in (self["presented"].value() or [])}
        return [
            {
                "document": d,
                "field": self[self.file_field(d)],
                "checked": str(d.pk) in ticked,
                "kept": [k for k in self.kept if k.field == self.file_field(d)],
            }
            for d in self.brought
        ]


class SupplementForm(ServiceErrorsMixin, forms.Form):
    files = MultipleFileField(label=_("Scans of the documents brought"))
    comment = forms.CharField(
        label=_("What the applicant brought"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Scans kept from the earlier tries of this form (models.PendingUpload), and its draft's token.
        self.kept = [k for k in kept if k.field == "files"]
        self.draft = ""

    def new_uploads(self) -> list[tuple[str, None, object]]:
        return [("files", None, f) for f in self.files.getlist("files") if f] if self.files else []

    def keep(self, kept: list, errors: dict[str, list[str]], draft: str) -> None:
        self.kept = [*self.kept, *kept]
        self.draft = draft
        self.add_kept_errors(errors)

    def uploads(self) -> list[tuple[None, object]]:
        """The scans sent now, then those kept from the earlier tries."""
        return [(None, f) for f in self.cleaned_data.get("files", [])] + [(None, kept_file(k)) for k in self.kept]


class PaymentForm(ServiceErrorsMixin, forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), required=False, max_length=64)
    waiver_reason = forms.CharField(label=_("or the reason the fee is waived"), required=False, max_length=255)


class HandoverForm(ServiceErrorsMixin, forms.Form):
    identifier = forms.CharField(
        label=_("Number of the identity document shown"),
        help_text=_("Type the PINFL, passport number or STIR from the document the applicant shows you."),
        max_length=32,
        error_messages={"required": _("Type the number of the identity document the applicant shows you.")},
    )
