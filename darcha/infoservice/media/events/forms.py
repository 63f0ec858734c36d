"""Forms of the press events' pages. They check the shape of the input; the rules are the services'
(their field messages come back onto the fields through ServiceErrorsMixin)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from darcha.cases.forms import ServiceErrorsMixin
from darcha.core.i18n import LANGUAGES

from .choices import PressEventKind
from .services import TRANSLATED

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LABELS = {
    "title": _("Title"),
    "place": _("Place"),
    "description": _("What it is about"),
    "speakers": _("Speakers"),
}


class PressEventForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PressEventKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at (Tashkent time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=10, max_value=480, initial=60)
    seats = forms.IntegerField(
        label=_("Seats for journalists"), min_value=1, max_value=1000, required=False, help_text=_("Empty: no limit.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for base in TRANSLATED:
            for language in LANGUAGES:
                name = f"{base}_{language.suffix}"
                required = base in ("title", "place") and language.suffix == "uz"
                if base == "description":
                    field = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
                else:
                    field = forms.CharField(required=required, max_length=500 if base == "speakers" else 255)
                field.label = f"{LABELS[base]} ({language.native})"
                field.widget.attrs["lang"] = language.html  # the text is in this language, whatever the page's
                self.fields[name] = field

    def groups(self):
        """The translated fields by what they are: [(label, [bound fields by language])]."""
        return [(LABELS[base], [self[f"{base}_{language.suffix}"] for language in LANGUAGES]) for base in TRANSLATED]

    def texts(self) -> dict:
        data = self.cleaned_data
        return {
            base: {language.suffix: data.get(f"{base}_{language.suffix}", "") for language in LANGUAGES}
            for base in TRANSLATED
        }

    @classmethod
    def initial_of(cls, event) -> dict:
        initial = {
            "kind": event.kind,
            "starts_at": event.starts_at,
            "duration_minutes": event.duration_minutes,
            "seats": event.seats,
        }
        for base in TRANSLATED:
            for language in LANGUAGES:
                name = f"{base}_{language.suffix}"
                initial[name] = getattr(event, name)
        return initial


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (the journalists are told)"), max_length=500)


class MaterialForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title of the material"), max_length=255)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), required=False)
    url = forms.URLField(
        label=_("or a link (a recording, a photo album)"), required=False, max_length=500, assume_scheme="https"
    )


class LinkForm(forms.Form):
    publication = forms.IntegerField(label=_("Publication"), min_value=1)


class RegisterForm(ServiceErrorsMixin, forms.Form):
    companions = forms.IntegerField(
        label=_("Camera operators and photographers with you"), min_value=0, max_value=5, initial=0, required=False
    )
    note = forms.CharField(label=_("Note to the press service"), max_length=300, required=False)
