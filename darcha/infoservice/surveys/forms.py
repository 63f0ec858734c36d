"""The surveys' forms: the phone and its SMS code, the survey's settings, a question of the builder.

The respondent's answers are not a Django form: the page renders the questions itself and the service
checks what was posted (`logic.check`), so the rules (required, conditions) live in one place."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.core.errors import Attempt
from darcha.core.i18n import LANGUAGES

from .choices import CHOICE_KINDS, Identity, QuestionKind
from .models import Option, Question, Survey

DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


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


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=24)

    def clean_phone(self):
        from darcha.core.identifiers import validate_phone

        return validate_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Confirmation code"), max_length=12)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code is the digits from the SMS."))
        return code


def _per_language(form: forms.Form, base: str, label, field_class, *, required_uz: bool, **kwargs) -> None:
    for language in LANGUAGES:
        name = f"{base}_{language.suffix}"
        form.fields[name] = field_class(
            label=f"{label} ({language.native})",
            required=required_uz and language.suffix == "uz",
            **kwargs,
        )


class SurveyForm(ServiceErrors, forms.Form):
    code = forms.SlugField(
        label=_("Address (Latin letters, digits and hyphens)"),
        max_length=64,
        help_text=_("The survey's page will be /surveys/<address>/."),
    )
    identity = forms.ChoiceField(label=_("One answer per"), choices=Identity.choices, widget=forms.RadioSelect)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT)
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT)
    )

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
        _per_language(self, "title", _("Title"), forms.CharField, required_uz=True, max_length=255)
        _per_language(
            self,
            "description",
            _("Introduction"),
            forms.CharField,
            required_uz=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.languages = [
            (language, self[f"title_{language.suffix}"], self[f"description_{language.suffix}"])
            for language in LANGUAGES
        ]

    @staticmethod
    def initial_of(survey: Survey) -> dict:
        data = {name: getattr(survey, name) for name in ("identity", "opens_at", "closes_at")}
        for language in LANGUAGES:
            for base in ("title", "description"):
                data[f"{base}_{language.suffix}"] = getattr(survey, f"{base}_{language.suffix}")
        return data


class QuestionForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    show_if_option = forms.ModelChoiceField(
        label=_("Show only when an earlier question got this answer"),
        queryset=Option.objects.none(),
        required=False,
        empty_label=_("Always shown"),
    )

    def __init__(self, *args, survey: Survey, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        _per_language(self, "text", _("Question"), forms.CharField, required_uz=True, max_length=500)
        _per_language(self, "help", _("Hint"), forms.CharField, required_uz=False, max_length=500)
        lines = {"rows": 4}
        _per_language(
            self,
            "options",
            _("Answers, one per line (matrix: its columns)"),
            forms.CharField,
            required_uz=False,
            widget=forms.Textarea(attrs=lines),
        )
        _per_language(
            self,
            "rows",
            _("Matrix rows, one per line"),
            forms.CharField,
            required_uz=False,
            widget=forms.Textarea(attrs=lines),
        )
        _per_language(self, "low_label", _("Scale: what 1 means"), forms.CharField, required_uz=False, max_length=80)
        _per_language(self, "high_label", _("Scale: what 5 means"), forms.CharField, required_uz=False, max_length=80)
        earlier = Option.objects.filter(question__survey=survey, question__kind__in=list(CHOICE_KINDS))
        if question is not None:
            earlier = earlier.filter(question__order__lt=question.order) | earlier.filter(
                question__order=question.order, question__id__lt=question.pk
            )
        earlier = earlier.select_related("question").order_by("question__order", "question__id", "order", "id")
        self.fields["show_if_option"].queryset = earlier
        self.fields["show_if_option"].label_from_instance = lambda o: f"«{o.question.text}» → {o.text}"
        self.groups = {
            base: [(language, self[f"{base}_{language.suffix}"]) for language in LANGUAGES]
            for base in ("text", "help", "options", "rows", "low_label", "high_label")
        }

    @staticmethod
    def initial_of(question: Question) -> dict:
        data = {"kind": question.kind, "required": question.required, "show_if_option": question.show_if_option_id}
        options = list(question.options.all())
        rows = list(question.rows.all())
        for language in LANGUAGES:
            suffix = language.suffix
            for base in ("text", "help", "low_label", "high_label"):
                data[f"{base}_{suffix}"] = getattr(question, f"{base}_{suffix}")
            data[f"options_{suffix}"] = "\n".join(getattr(o, f"text_{suffix}") for o in options).strip()
            data[f"rows_{suffix}"] = "\n".join(getattr(r, f"text_{suffix}") for r in rows).strip()
        return data
