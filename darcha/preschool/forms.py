"""Forms of the preschool app: the operator's application at the center and the privilege checks (front
office), the family's online application and edits (family pages).

They only read and shape the input. Every rule (the child's age for each program, the district, the
number of choices, evidence for a privilege, a file being a real PDF or image) is checked by
darcha.preschool.services, whose field-level messages the views put back on these forms.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from darcha.cases.forms import ServiceErrorsMixin
from darcha.core.i18n import LANGUAGE_CHOICES
from darcha.core.identifiers import validate_phone
from darcha.core.uploads import check_upload, kept_file

from .choices import Relation
from .models import Benefit, Kindergarten, Program

# --- front office: the operator's application and the privilege checks -------------------------------------


class FrontApplicationForm(ServiceErrorsMixin, forms.Form):
    """The whole application at the center: applicant, child, privileges with evidence, ranked programs.

    Fields built per privileged category: `benefit_<id>` (claimed), `reference_<id>` (the document and its
    number), `evidence_<id>` (a scan); per rank: `choice_<rank>`. Files kept from earlier tries of the form
    (cases.models.PendingUpload, field `evidence_<id>`) stand in for a scan not sent again."""

    pinfl = forms.CharField(label=_("PINFL (14 digits)"), required=False, max_length=32)
    passport = forms.CharField(label=_("Passport number"), required=False, max_length=32)
    name = forms.CharField(label=_("Applicant's full name"), required=False, max_length=255)
    phone = forms.CharField(label=_("Phone for notices"), required=False, max_length=32)
    language = forms.ChoiceField(label=_("Language of notices"), choices=LANGUAGE_CHOICES, initial="uz")
    relation = forms.ChoiceField(
        label=_("Relation to the child"), choices=Relation.choices, initial=Relation.PARENT, widget=forms.RadioSelect
    )
    child_name = forms.CharField(
        label=_("Child's full name"),
        max_length=255,
        error_messages={"required": _("Type the child's full name as in the birth certificate.")},
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Type the child's date of birth."),
            "invalid": _("Type the date of birth as day, month and year."),
        },
    )
    birth_certificate = forms.CharField(
        label=_("Birth certificate number"),
        max_length=32,
        error_messages={"required": _("Type the number of the child's birth certificate.")},
    )
    child_pinfl = forms.CharField(label=_("Child's PINFL (if known)"), required=False, max_length=32)
    together = forms.CharField(
        label=_("Place together with application"),
        required=False,
        max_length=16,
        help_text=_("A twin's or sibling's queue number: placed in one kindergarten, or they wait together."),
    )
    staff_at = forms.ModelChoiceField(
        label=_("The applicant works at"),
        queryset=Kindergarten.objects.none(),
        required=False,
        empty_label=_("Does not work at a kindergarten of the district"),
    )

    def __init__(self, *args, district, benefits, max_choices: int, kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.fields["staff_at"].queryset = Kindergarten.objects.filter(organization__parent=district).select_related(
            "organization"
        )
        # Any active program is accepted here: one of another district is the service's refusal, with its message.
        self.ranks = list(range(1, max_choices + 1))
        for rank in self.ranks:
            self.fields[f"choice_{rank}"] = forms.ModelChoiceField(
                label=_("Choice %(rank)d") % {"rank": rank},
                queryset=Program.objects.filter(is_active=True),
                required=False,
            )
        self.benefits: list[Benefit] = list(benefits)
        for benefit in self.benefits:
            self.fields[f"benefit_{benefit.pk}"] = forms.BooleanField(label=benefit.name, required=False)
            if not benefit.center_obtains:
                self.fields[f"reference_{benefit.pk}"] = forms.CharField(
                    label=_("Document and its number"), required=False, max_length=255
                )
                self.fields[f"evidence_{benefit.pk}"] = forms.FileField(label=_("Scan"), required=False)
        self.file_fields = {f"evidence_{b.pk}": b for b in self.benefits if not b.center_obtains}
        self.kept = [k for k in kept if k.field in self.file_fields]

    def clean_birth_certificate(self) -> str:
        return "".join(self.cleaned_data["birth_certificate"].split()).upper()

    def clean_child_pinfl(self) -> str:
        return "".join(self.cleaned_data["child_pinfl"].split())

    def clean_together(self) -> str:
        return self.cleaned_data["together"].strip().upper()

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"choice_{rank}") for rank in self.ranks]
        seen = set()
        for rank, program in zip(self.ranks, chosen, strict=True):
            if program is None:
                continue
            if program.pk in seen:
                self.add_error(f"choice_{rank}", _("This program is already chosen above."))
            seen.add(program.pk)
        return data

    # --- what the view hands to the services --------------------------------------------------------------
    def person_data(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": "individual",
            "name": data["name"],
            "pinfl": data["pinfl"],
            "passport": data["passport"],
            "phone": data["phone"],
            "language": data["language"],
        }

    def choices(self) -> list[Program]:
        """The programs chosen, first choice first (an empty rank is skipped)."""
        return [p for rank in self.ranks if (p := self.cleaned_data.get(f"choice_{rank}")) is not None]

    def claimed(self) -> list[Benefit]:
        return [b for b in self.benefits if self.cleaned_data.get(f"benefit_{b.pk}")]

    def evidence_file(self, benefit: Benefit):
        """The scan sent now for the category, else the one kept from an earlier try, else None."""
        sent = self.cleaned_data.get(f"evidence_{benefit.pk}")
        if sent:
            return sent
        kept = [k for k in self.kept if k.field == f"evidence_{benefit.pk}"]
        return kept_file(kept[-1]) if kept else None

    def new_uploads(self) -> list[tuple[str, None, object]]:
        """The files that came with this post: (field, None, file), for cases' kept uploads."""
        if not self.files:
            return []
        return [(name, None, f) for name in self.file_fields for f in self.files.getlist(name)[:1] if f]

    def keep(self, kept: list, errors: dict[str, list[str]]) -> None:
        """The files just kept replace those kept before for the same category; refused ones' messages go
        beside their fields."""
        fresh = {k.field for k in kept}
        self.kept = [*(k for k in self.kept if k.field not in fresh), *kept]
        self.add_kept_errors(errors)

    # --- what the template lays out -----------------------------------------------------------------------
    def benefit_rows(self) -> list[dict]:
        rows = []
        for benefit in self.benefits:
            row = {"benefit": benefit, "claimed": self[f"benefit_{benefit.pk}"]}
            if not benefit.center_obtains:
                row["reference"] = self[f"reference_{benefit.pk}"]
                row["evidence"] = self[f"evidence_{benefit.pk}"]
                row["kept"] = [k for k in self.kept if k.field == f"evidence_{benefit.pk}"]
            rows.append(row)
        return rows

    def choice_fields(self) -> list:
        return [self[f"choice_{rank}"] for rank in self.ranks]


class BenefitDecisionForm(ServiceErrorsMixin, forms.Form):
    """Staff's decision on a claimed privilege after looking at its evidence."""

    CONFIRM, REJECT = "confirm", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(CONFIRM, _("Confirm the privilege")), (REJECT, _("Reject the privilege"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the privilege is confirmed or rejected.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        help_text=_("What was checked; when rejecting, why (the family sees it)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("note", "").strip():
            self.add_error("note", _("Say why the privilege is rejected: the family sees it."))
        return data

    @property
    def confirm(self) -> bool:
        return self.cleaned_data["decision"] == self.CONFIRM


# --- family: tracking, SMS codes, the online application, the family's edits ------------------------------


def normalize_number(value: str) -> str:
    """A queue number as printed (M26-0000123), also when typed in lower case or with spaces."""
    return "".join(str(value or "").split()).upper()[:20]


def normalize_code(value: str) -> str:
    return "".join(str(value or "").split())[:12]


def program_label(program: Program) -> str:
    """What a family chooses between: "12-son MTT · 3–4 years · Uzbek · 9 hours"."""
    parts = (
        program.kindergarten.name,
        program.get_age_group_display(),
        program.get_language_display(),
        program.get_regime_display(),
    )
    return " · ".join(str(part) for part in parts)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=24, error_messages={"required": _("Enter your mobile phone number.")}
    )

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=12, error_messages={"required": _("Enter the code from the SMS.")}
    )

    def clean_code(self) -> str:
        return normalize_code(self.cleaned_data["code"])


class _ProgramChoice(forms.ChoiceField):
    """A program from the list shown, or any other the form accepts: the services then say, in their words,
    why it does not fit (too young or too old for the group, another district)."""

    def __init__(self, *, accepted: dict, **kwargs):
        super().__init__(**kwargs)
        self.accepted = accepted

    def valid_value(self, value) -> bool:
        return str(value) in self.accepted


class RankedChoicesMixin:
    """Ranked choices `choice_1` … `choice_N`: the list shows `programs` (those the child may join: the
    district's, of the child's age on the reference date), and any of `accepted` (the district's programs)
    is taken, for the services to explain a refusal; the first is required and no program may come twice.
    N is the district campaign's number of choices."""

    def add_choice_fields(self, programs, max_choices: int, accepted=()) -> None:
        self.programs = {str(program.pk): program for program in (*accepted, *programs)}
        self.listed = list(programs)
        self.ranks = list(range(1, max(1, int(max_choices)) + 1))
        options = [("", "—")] + [(str(program.pk), program_label(program)) for program in programs]
        for rank in self.ranks:
            self.fields[f"choice_{rank}"] = _ProgramChoice(
                accepted=self.programs,
                label=_("Choice %(rank)d") % {"rank": rank},
                choices=options,
                required=rank == 1,
                error_messages={
                    "required": _("Choose at least one kindergarten."),
                    "invalid_choice": _("Choose a kindergarten group from the list."),
                },
            )

    def choice_fields(self) -> list:
        return [self[f"choice_{rank}"] for rank in self.ranks]

    def ranked_programs(self) -> list[Program]:
        """The programs chosen, first choice first (an empty rank is skipped); a repeat is a field error."""
        chosen, seen = [], set()
        for rank in self.ranks:
            value = self.cleaned_data.get(f"choice_{rank}")
            if not value:
                continue
            if value in seen:
                self.add_error(f"choice_{rank}", _("This program is already chosen above."))
                continue
            seen.add(value)
            chosen.append(self.programs[value])
        return chosen


class FamilyChoicesForm(RankedChoicesMixin, forms.Form):
    """The family's new order of kindergartens (the services keep the queue date)."""

    def __init__(self, *args, programs, max_choices: int, accepted=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_choice_fields(programs, max_choices, accepted)

    def clean(self):
        data = super().clean()
        data["programs"] = self.ranked_programs()
        return data


class FamilyContactForm(forms.Form):
    """The phone notices go to and their language."""

    phone = forms.CharField(
        label=_("Mobile phone"), max_length=24, error_messages={"required": _("Enter your mobile phone number.")}
    )
    language = forms.ChoiceField(label=_("Language of notices"), choices=LANGUAGE_CHOICES)

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=255, required=False)
    confirm = forms.BooleanField(
        label=_("Yes, take my child out of the kindergarten queue"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class DeclineForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, decline the referral: the place goes to the next child"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class OnlineApplicationForm(RankedChoicesMixin, forms.Form):
    """The online application: the applicant, the child, privileges with evidence, ranked choices.

    The district and the child's date of birth come first (the page's first step): they decide the
    programs offered, `programs`; `benefits` are the categories in force."""

    applicant_name = forms.CharField(
        label=_("Your full name"), max_length=255, error_messages={"required": _("Type your full name.")}
    )
    applicant_pinfl = forms.CharField(
        label=_("Your PINFL"),
        max_length=32,
        help_text=_("14 digits, on your ID card."),
        error_messages={"required": _("Type your PINFL.")},
    )
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=Relation.choices, initial=Relation.PARENT)
    language = forms.ChoiceField(label=_("Language of notices"), choices=LANGUAGE_CHOICES)
    district = forms.ChoiceField(
        label=_("City or district"),
        error_messages={
            "required": _("Choose the city or district."),
            "invalid_choice": _("Choose the city or district."),
        },
    )
    child_name = forms.CharField(
        label=_("Child's full name"),
        max_length=255,
        error_messages={"required": _("Type the child's full name as in the birth certificate.")},
    )
    birth_certificate = forms.CharField(
        label=_("Birth certificate number"),
        max_length=32,
        error_messages={"required": _("Type the number of the child's birth certificate.")},
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Type the child's date of birth."),
            "invalid": _("Type the date of birth as day, month and year."),
        },
    )
    child_pinfl = forms.CharField(label=_("Child's PINFL (if known)"), required=False, max_length=32)

    def __init__(self, *args, districts, programs, max_choices: int, benefits, accepted=(), kept=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.districts = {str(district.pk): district for district in districts}
        self.fields["district"].choices = [("", "—")] + [(pk, d.name) for pk, d in self.districts.items()]
        self.add_choice_fields(programs, max_choices, accepted)
        self.benefits: list[Benefit] = list(benefits)
        self.benefit_errors: list[str] = []
        for benefit in self.benefits:
            self.fields[f"benefit_{benefit.pk}"] = forms.BooleanField(label=benefit.name, required=False)
            if not benefit.center_obtains:
                self.fields[f"reference_{benefit.pk}"] = forms.CharField(
                    label=_("Document and its number"), required=False, max_length=255
                )
                self.fields[f"evidence_{benefit.pk}"] = forms.FileField(label=_("or a scan of it"), required=False)
        # Scans kept from the earlier tries of this form (cases' kept uploads), one per category at most.
        self.file_fields = {f"evidence_{b.pk}": b for b in self.benefits if not b.center_obtains}
        self.kept = [k for k in kept if k.field in self.file_fields]

    def new_uploads(self) -> list[tuple[str, None, object]]:
        """The scans that came with this post, (field, None, file), for cases' kept uploads; not those of
        categories left unticked, nor those the checks refused (their messages are beside them)."""
        if not self.files:
            return []
        return [
            (name, None, upload)
            for name, benefit in self.file_fields.items()
            if (upload := self.files.get(name)) and self.data.get(f"benefit_{benefit.pk}") and not self.errors.get(name)
        ]

    def keep(self, kept: list, errors: dict[str, list[str]]) -> list[int]:
        """The scans just kept replace those kept before for the same category (returned: the ids those
        had); refused files' messages go beside their fields."""
        fresh = {k.field for k in kept}
        replaced = [k.pk for k in self.kept if k.field in fresh]
        self.kept = [*(k for k in self.kept if k.field not in fresh), *kept]
        for field, texts in errors.items():
            new = [m for m in texts if m not in self.errors.get(field, [])]
            if new:
                self.add_error(field if field in self.fields else None, new)
        return replaced

    def evidence_file(self, benefit: Benefit):
        """The scan sent now for the category, else the one kept from an earlier try, else None."""
        sent = self.cleaned_data.get(f"evidence_{benefit.pk}")
        if sent:
            return sent
        kept = [k for k in self.kept if k.field == f"evidence_{benefit.pk}"]
        return kept_file(kept[-1]) if kept else None

    def clean_birth_certificate(self) -> str:
        return "".join(self.cleaned_data["birth_certificate"].split()).upper()

    def clean_child_pinfl(self) -> str:
        return "".join(self.cleaned_data["child_pinfl"].split())

    def clean(self):
        data = super().clean()
        data["programs"] = self.ranked_programs()
        for benefit in self.benefits:
            scan = data.get(f"evidence_{benefit.pk}")
            if scan and data.get(f"benefit_{benefit.pk}"):
                try:
                    check_upload(scan)
                except ValidationError as error:
                    self.add_error(f"evidence_{benefit.pk}", error)
        return data

    def benefit_rows(self) -> list[dict]:
        rows = []
        for benefit in self.benefits:
            row = {"benefit": benefit, "claimed": self[f"benefit_{benefit.pk}"]}
            if not benefit.center_obtains:
                row["reference"] = self[f"reference_{benefit.pk}"]
                row["evidence"] = self[f"evidence_{benefit.pk}"]
                row["kept"] = [k for k in self.kept if k.field == f"evidence_{benefit.pk}"]
            rows.append(row)
        return rows

    def cleaned_district(self):
        return self.districts[self.cleaned_data["district"]]

    def claims(self) -> list[tuple[Benefit, str, object]]:
        """(category, the evidence's reference, its scan or None) of each category ticked."""
        data = self.cleaned_data
        return [
            (
                benefit,
                data.get(f"reference_{benefit.pk}", "").strip(),
                None if benefit.center_obtains else self.evidence_file(benefit),
            )
            for benefit in self.benefits
            if data.get(f"benefit_{benefit.pk}")
        ]
