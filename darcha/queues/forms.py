"""Forms of the queue screens. They check the shape of the input; the rules (is the service
provided, is it served at this center, is the phone Uzbek) are the services', whose refusals
`add_attempt_error` puts back on the right field."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.catalog.models import Service
from darcha.core.errors import Attempt

from .choices import Priority


def add_attempt_error(form: forms.Form, result: Attempt, fields: dict[str, str]) -> None:
    """A refused service call's reason on the form: next to the field its code names in `fields`
    (the field the citizen has to change), else above the form."""
    field = fields.get(str(getattr(result.error, "code", None) or ""))
    error = result.error if isinstance(result.error, ValidationError) else result.message
    form.add_error(field if field in form.fields else None, error)


# Error codes of services.ticket_issue → the field the citizen or the operator has to change.
ISSUE_ERROR_FIELDS = {
    "inactive_service": "service",
    "no_counter": "service",
    "priority": "priority",
    "phone_format": "phone",
}


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name


class TicketIssueForm(forms.Form):
    """A ticket for one service: at the kiosk (service by code in a hidden field) or by an operator."""

    service = ServiceChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        to_field_name="code",
        empty_label=_("Choose a service"),
        error_messages={
            "required": _("Choose a service."),
            "invalid_choice": _("This service is not in the catalog. Choose a service from the list."),
        },
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Unknown priority group.")},
    )
    phone = forms.CharField(
        label=_("Phone for an SMS when your turn is near (optional)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "+998 90 123 45 67"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the SMS"),
        choices=settings.LANGUAGES,
        required=False,
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Service.objects.select_related("category") if services is None else services
        self.fields["service"].queryset = queryset

    def clean_phone(self) -> str:
        """Spaces, dashes and brackets dropped; nine digits typed on the kiosk keypad get +998.
        Whether the number is a valid Uzbek one is checked by the service function."""
        raw = re.sub(r"[\s\-()]", "", self.cleaned_data.get("phone", ""))
        if re.fullmatch(r"\d{9}", raw):
            return "+998" + raw
        if re.fullmatch(r"998\d{9}", raw):
            return "+" + raw
        return raw

    def add_issue_error(self, result: Attempt) -> None:
        """The refusal of a `ticket_issue` attempt, shown next to the field it concerns (or above the form)."""
        add_attempt_error(self, result, ISSUE_ERROR_FIELDS)


class OperatorServiceChoiceField(ServiceChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.category.name} — {obj.name}"


class OperatorIssueForm(TicketIssueForm):
    """The same ticket, issued at a counter: drop-down lists instead of the kiosk's touch tiles."""

    service = OperatorServiceChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        to_field_name="code",
        empty_label=_("Choose a service"),
        error_messages=TicketIssueForm.base_fields["service"].error_messages,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        required=False,
        error_messages={"invalid_choice": _("Unknown priority group.")},
    )
    phone = forms.CharField(
        label=_("Citizen's phone for an SMS when the turn is near (optional)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "+998 90 123 45 67"}),
    )


class KioskDeviceForm(forms.Form):
    """A manager names the kiosk terminal this browser runs on (see `kiosks`)."""

    name = forms.CharField(
        label=_("Name of this kiosk"),
        max_length=60,
        help_text=_("Where it stands, e.g. “Entrance, left”: the audit log names the kiosk by it."),
        error_messages={"required": _("Name this kiosk, e.g. by where it stands.")},
    )
