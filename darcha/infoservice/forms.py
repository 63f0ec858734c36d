"""Forms of the information service's pages. They only read and shape the input; every rule (who may
act, the law's terms, a forward never to the body complained about, files checked by content) is the
services', whose field messages the views put back beside the fields.

Staff part: registering a written or oral appeal, and one form per action on an appeal's page.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from darcha.core.i18n import LANGUAGE_CHOICES

from .choices import (
    SATISFACTION_ANSWERS,
    AppealType,
    Channel,
    ExtensionKind,
    NotConsideredGround,
    Outcome,
    RequestKind,
    TerminationGround,
)
from .models import Topic

TEXT_MAX = 20_000
NOTE_MAX = 4_000

# --- staff: registering an appeal -------------------------------------------------------------------

# The channels staff register appeals from by hand (the others come in by themselves).
STAFF_CHANNELS = [
    (Channel.LETTER, Channel.LETTER.label),
    (Channel.RECEPTION, Channel.RECEPTION.label),
    (Channel.HOTLINE, Channel.HOTLINE.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name; their content is checked by the service, not here."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def _text(label, *, required=True, max_length=NOTE_MAX, rows=3, help_text="", mandatory=False):
    """A text area. `mandatory`: the service requires it (and says so in its own words, beside the other
    fields' messages), so the form lets it through empty but does not call it optional."""
    field = forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    field.mandatory = mandatory
    return field


class RegisterForm(forms.Form):
    """A written appeal brought or posted (with its scan), or an oral one at the hokim's reception or by
    the hotline, as the officer or operator writes it down."""

    channel = forms.ChoiceField(label=_("How it came"), choices=STAFF_CHANNELS)
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestKind.choices, initial=RequestKind.APPEAL)
    type = forms.ChoiceField(label=_("Type"), choices=AppealType.choices, initial=AppealType.APPLICATION)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    text = _text(_("What the appeal says"), required=False, mandatory=True, max_length=TEXT_MAX, rows=8)
    author_name = forms.CharField(label=_("Author's full name"), required=False, max_length=255)
    author_address = forms.CharField(label=_("Author's residence"), required=False, max_length=255)
    author_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    author_email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language of the answer"), choices=LANGUAGE_CHOICES, initial="uz")
    signatories = _text(
        _("Other signatories (collective appeal)"),
        required=False,
        rows=3,
        help_text=_("One a line: name; residence; phone."),
    )
    media_outlet = forms.CharField(label=_("Media outlet (media requests)"), required=False, max_length=255)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("Empty: now. A letter that arrived earlier is registered from the day it arrived."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    scan = forms.FileField(label=_("Scan of the written appeal"), required=False)
    attachments = MultipleFileField(label=_("Other files"))
    consent_publish = forms.BooleanField(label=_("The author agrees to publish the answer"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)

    def signatory_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for line in (self.cleaned_data.get("signatories") or "").splitlines():
            parts = [part.strip() for part in line.split(";")]
            if any(parts):
                rows.append(tuple((parts + ["", "", ""])[:3]))
        return rows


# --- staff: the actions on an appeal -----------------------------------------------------------------


class AssignForm(forms.Form):
    executor = forms.ModelChoiceField(label=_("Main executor"), queryset=None)
    official = forms.ModelChoiceField(label=_("Official there"), queryset=None, required=False)
    co_executors = forms.ModelMultipleChoiceField(
        label=_("Co-executors"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confidence = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, executors, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = executors
        self.fields["co_executors"].queryset = executors
        self.fields["official"].queryset = officials
        self.fields["official"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class ResolutionForm(forms.Form):
    text = _text(_("Instruction"))
    due_date = forms.DateField(
        label=_("Term"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d"]
    )
    executors = forms.ModelMultipleChoiceField(
        label=_("Executors"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )

    def __init__(self, *args, executors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executors"].queryset = executors

    def due_at(self) -> dt.datetime:
        """The end of the term's day in Tashkent (terms are whole days)."""
        day = self.cleaned_data["due_date"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time.max), timezone.get_default_timezone())


class ForwardForm(forms.Form):
    to_organization = forms.ModelChoiceField(label=_("To a body in Darcha"), queryset=None, required=False)
    to_name = forms.CharField(label=_("Or a body outside Darcha"), required=False, max_length=255)
    ground = _text(_("Ground: why that body is competent"), required=False, mandatory=True)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = bodies


class ReturnForm(forms.Form):
    reasons = _text(_("What is missing from the appeal"), required=False, mandatory=True)


class ExtendForm(forms.Form):
    kind = forms.ChoiceField(label=_("Extension"), choices=ExtensionKind.choices)
    reason = _text(_("Reason, as the author will read it"), required=False, mandatory=True)
    until = forms.DateField(
        label=_("New term (empty: as far as the law allows)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(value, label) for value, label in ExtensionKind.choices if value in kinds]


class StudyNoticeForm(forms.Form):
    reason = _text(_("What needs more study, as the author will read it"), required=False, mandatory=True)


class DraftForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o, o.label) for o in (Outcome.SATISFIED, Outcome.EXPLAINED, Outcome.REFUSED)],
    )
    text = _text(_("Text of the answer"), required=False, mandatory=True, max_length=TEXT_MAX, rows=8)


CONCLUSION_GROUNDS = [
    (_("Not considered"), [(f"{Outcome.NOT_CONSIDERED}:{v}", label) for v, label in NotConsideredGround.choices]),
    (_("Terminated"), [(f"{Outcome.TERMINATED}:{v}", label) for v, label in TerminationGround.choices]),
]


class ConclusionForm(forms.Form):
    """Not considered (anonymous, false data, unsigned, no authority) or terminated, with its ground."""

    ground = forms.ChoiceField(label=_("Ground"), choices=CONCLUSION_GROUNDS)
    text = _text(_("Conclusion"), required=False, mandatory=True, max_length=TEXT_MAX, rows=5)

    def outcome_and_ground(self) -> tuple[str, str]:
        outcome, _sep, ground = self.cleaned_data["ground"].partition(":")
        return outcome, ground


class SendBackForm(forms.Form):
    comment = _text(_("What to change"), required=False, mandatory=True)


class PublishForm(forms.Form):
    published_text = _text(
        _("Text to publish, with the personal data removed"),
        required=False,
        mandatory=True,
        max_length=TEXT_MAX,
        rows=6,
    )


# --- public (a-public): the web form, tracking and the author's requests -------------------------------

SIGNATORY_ROWS = 12  # rows of a collective appeal's other signatories on the web form (more: a signed list)
COMPLAINED_OTHER = "other"


class PublicPhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=24)

    def clean_phone(self):
        from darcha.core.identifiers import validate_phone

        return validate_phone(self.cleaned_data["phone"])


class PublicCodeForm(forms.Form):
    code = forms.CharField(label=_("Confirmation code"), max_length=12)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code is the digits from the SMS."))
        return code


class PublicAppealForm(forms.Form):
    """The citizen's appeal on the website, after the phone is confirmed. The name and the residence are
    not required here: the law registers an appeal without them, and it is then not considered; the page
    warns of that and asks for `send_anonymous` before sending one."""

    author_name = forms.CharField(label=_("Your full name"), required=False, max_length=255)
    author_address = forms.CharField(label=_("Where you live (address)"), required=False, max_length=255)
    author_email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    language = forms.ChoiceField(label=_("Language of the answer"), choices=LANGUAGE_CHOICES, initial="uz")
    type = forms.ChoiceField(
        label=_("Type of appeal"), choices=AppealType.choices, initial=AppealType.APPLICATION, widget=forms.RadioSelect
    )
    complained_body = forms.ChoiceField(label=_("The body whose decision or action you complain about"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    text = _text(_("Your appeal"), max_length=TEXT_MAX, rows=10)
    attachments = MultipleFileField(label=_("Files (PDF, JPEG or PNG)"))
    location_address = forms.CharField(label=_("Address of the problem"), required=False, max_length=255)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, max_digits=9, decimal_places=6
    )
    consent_publish = forms.BooleanField(
        label=_("I agree that the answer may be published in the archive without my personal data"), required=False
    )
    send_anonymous = forms.BooleanField(
        label=_("Send it without my name or residence: I know it will be registered but not considered"),
        required=False,
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)
        self.bodies = {str(body.pk): body for body in bodies}
        self.fields["complained_body"].choices = [
            ("", _("Choose the body")),
            *((pk, body.name) for pk, body in self.bodies.items()),
            (COMPLAINED_OTHER, _("Another body (name it in the text)")),
        ]
        for index in range(1, SIGNATORY_ROWS + 1):
            self.fields[f"signer_{index}_name"] = forms.CharField(label=_("Name"), required=False, max_length=255)
            self.fields[f"signer_{index}_address"] = forms.CharField(
                label=_("Residence"), required=False, max_length=255
            )
            self.fields[f"signer_{index}_phone"] = forms.CharField(label=_("Phone"), required=False, max_length=24)

    def signer_rows(self) -> list[dict]:
        """The signatory rows as the page lays them out (bound fields), numbered."""
        return [
            {
                "index": index,
                "name": self[f"signer_{index}_name"],
                "address": self[f"signer_{index}_address"],
                "phone": self[f"signer_{index}_phone"],
            }
            for index in range(1, SIGNATORY_ROWS + 1)
        ]

    def signatories(self) -> list[tuple[str, str, str]]:
        """The other signatories typed in (rows left empty are not signatories)."""
        rows = []
        for index in range(1, SIGNATORY_ROWS + 1):
            row = tuple(
                self.cleaned_data.get(f"signer_{index}_{part}", "").strip() for part in ("name", "address", "phone")
            )
            if any(row):
                rows.append(row)
        return rows

    def clean(self):
        data = super().clean()
        if data.get("type") == AppealType.COMPLAINT and not data.get("complained_body"):
            self.add_error("complained_body", _("Say which body's decision or action you complain about."))
        return data

    def complained(self):
        """The body complained about (None: another body, or not a complaint)."""
        if self.cleaned_data.get("type") != AppealType.COMPLAINT:
            return None
        return self.bodies.get(self.cleaned_data.get("complained_body") or "")

    @property
    def anonymous(self) -> bool:
        """No name or no residence: the appeal would be registered and not considered."""
        data = getattr(self, "cleaned_data", {})
        return not (data.get("author_name") or "").strip() or not (data.get("author_address") or "").strip()


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Does the answer satisfy you?"),
        choices=SATISFACTION_ANSWERS,
        widget=forms.RadioSelect,
    )
    note = _text(_("Why (optional)"), required=False)


class FollowUpForm(forms.Form):
    """A clarification request, or a complaint to the higher body: the author's words."""

    text = _text(_("Your words"), max_length=TEXT_MAX, rows=6)


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, withdraw my appeal: its consideration ends"))
