"""Forms of the accreditation pages: the journalist's sign-up, the application with its documents, a
press request, the commission's decisions, an outlet for the registry. Each only shapes the input; the
services check it and their messages come back on the fields (ServiceErrorsMixin)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from darcha.cases.forms import ServiceErrorsMixin
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.infoservice.choices import RequestKind

from .choices import CorrespondentKind, OutletKind

DATE = forms.DateInput(attrs={"type": "date"})
FILES = "application/pdf,image/jpeg,image/png"


class OutletFieldsMixin:
    def add_outlet_fields(self, *, required: bool):
        self.fields["outlet_name"] = forms.CharField(label=_("Name of the outlet"), max_length=255, required=required)
        self.fields["outlet_kind"] = forms.ChoiceField(
            label=_("Kind of the outlet"), choices=[("", "—"), *OutletKind.choices], required=required
        )
        self.fields["registration_number"] = forms.CharField(
            label=_("Registration certificate number"),
            max_length=64,
            required=False,
            help_text=_("Of the certificate of the outlet's state registration (not for foreign outlets)."),
        )
        self.fields["registration_date"] = forms.DateField(
            label=_("Registration certificate date"), required=False, widget=DATE
        )
        self.fields["country"] = forms.CharField(label=_("Country"), max_length=100, required=False)
        self.fields["outlet_address"] = forms.CharField(label=_("Outlet's address"), max_length=255, required=False)
        self.fields["outlet_phone"] = forms.CharField(label=_("Outlet's phone"), max_length=32, required=False)
        self.fields["outlet_email"] = forms.EmailField(label=_("Outlet's e-mail"), required=False)

    def outlet_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("outlet_name", ""),
            "kind": data.get("outlet_kind", ""),
            "registration_number": data.get("registration_number", ""),
            "registration_date": data.get("registration_date"),
            "country": data.get("country", ""),
            "address": data.get("outlet_address", ""),
            "phone": data.get("outlet_phone", ""),
            "email": data.get("outlet_email", ""),
        }


class JoinForm(ServiceErrorsMixin, OutletFieldsMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=255)
    phone = forms.CharField(label=_("Phone"), max_length=20, help_text=_("+998 90 123 45 67"))
    email = forms.EmailField(label=_("E-mail"))
    organization = forms.ChoiceField(label=_("Hokimiyat you apply to"))
    outlet = forms.ChoiceField(label=_("Media outlet"), required=False)
    position = forms.CharField(label=_("Position"), max_length=255)
    language = forms.ChoiceField(label=_("Language of the notices"), choices=LANGUAGE_CHOICES, initial="uz")
    username = forms.CharField(label=_("Login"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False), strip=False)

    def __init__(self, *args, hokimiyats=(), outlets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—"), *[(h.code, h.name) for h in hokimiyats]]
        self.fields["outlet"].choices = [
            ("", _("— not in the registry: add it below —")),
            *[(str(o.pk), f"{o.name} ({o.get_kind_display()})") for o in outlets],
        ]
        self.add_outlet_fields(required=False)


class ApplicationForm(ServiceErrorsMixin, forms.Form):
    organization = forms.ChoiceField(label=_("Hokimiyat"))
    specialisation = forms.CharField(
        label=_("Specialisation"), max_length=255, help_text=_("The subjects you cover: economy, education, …")
    )
    area = forms.CharField(label=_("Area covered"), max_length=255, help_text=_("The city or districts you cover."))
    correspondent = forms.ChoiceField(label=_("Correspondent"), choices=[("", "—"), *CorrespondentKind.choices])
    equipment = forms.CharField(
        label=_("Equipment"),
        max_length=500,
        required=False,
        help_text=_("Cameras, recorders and other equipment you bring to events."),
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    requested_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    requested_until = forms.DateField(label=_("Until"), required=False, widget=DATE)
    letter = forms.FileField(
        label=_("Letter on the outlet's letterhead"),
        required=False,
        help_text=_("The editor's letter asking to accredit you (PDF, JPEG or PNG)."),
        widget=forms.ClearableFileInput(attrs={"accept": FILES}),
    )
    passport = forms.FileField(
        label=_("Passport"), required=False, widget=forms.ClearableFileInput(attrs={"accept": FILES})
    )
    diploma = forms.FileField(
        label=_("Diploma"), required=False, widget=forms.ClearableFileInput(attrs={"accept": FILES})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("3×4, JPEG or PNG, at least 240×300 pixels: it is printed on the card."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    renewal_of = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, hokimiyats=(), foreign=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(h.code, h.name) for h in hokimiyats]
        if not foreign:
            del self.fields["requested_from"]
            del self.fields["requested_until"]


class PressRequestForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("press request", "Kind"),
        choices=[
            (RequestKind.MEDIA, _("Media request: information or an interview for a story (answered within 7 days)")),
            (RequestKind.INFORMATION, _("Request for information (answered within 15 days)")),
        ],
        widget=forms.RadioSelect,
        initial=RequestKind.MEDIA,
    )
    organization = forms.ChoiceField(label=_("Hokimiyat"))
    text = forms.CharField(label=_("Your request"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    address = forms.CharField(
        label=_("Address"), max_length=255, help_text=_("Yours or the outlet's: the law asks for it.")
    )
    attachments = forms.FileField(
        label=_("Files"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": FILES}),
    )

    def __init__(self, *args, hokimiyats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(h.code, h.name) for h in hokimiyats]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class OutletForm(ServiceErrorsMixin, OutletFieldsMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_outlet_fields(required=True)
