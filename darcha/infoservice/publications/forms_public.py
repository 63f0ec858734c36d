"""The public list's filters (?q= kind= category= tag= organization=), checked: an unknown kind, category,
tag or organization is a translated message and a 400, never a silently different list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import selectors_public as public
from .choices import PublicationKind

QUERY_MAX = 200


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=QUERY_MAX, strip=True)
    kind = forms.ChoiceField(
        label=pgettext_lazy("publication", "Kind"),
        required=False,
        choices=[("", _("Every kind")), *PublicationKind.choices],
        error_messages={"invalid_choice": _("There is no such kind of publication.")},
    )
    category = forms.SlugField(label=_("Category"), required=False, max_length=48)
    tag = forms.SlugField(label=_("Tag"), required=False, max_length=48)
    organization = forms.SlugField(label=_("Organization"), required=False, max_length=64)

    def __init__(self, data=None, *, organization=None, **kwargs):
        # On one organization's list the organization is the address's, not a filter.
        super().__init__(data, **kwargs)
        self.fixed_organization = organization
        if organization is not None:
            del self.fields["organization"]
        for field in ("category", "tag", "organization"):
            if field in self.fields:
                self.fields[field].error_messages["invalid"] = _("This code has letters that no code has.")

    def clean_category(self):
        code = self.cleaned_data["category"]
        if not code:
            return None
        category = public.category_by_code(code)
        if category is None:
            raise forms.ValidationError(_("There is no such category."), code="unknown")
        return category

    def clean_tag(self):
        code = self.cleaned_data["tag"]
        if not code:
            return None
        tag = public.tag_by_code(code)
        if tag is None:
            raise forms.ValidationError(_("There is no such tag."), code="unknown")
        return tag

    def clean_organization(self):
        code = self.cleaned_data["organization"]
        if not code:
            return None
        organization = public.publishing_organization(code)
        if organization is None:
            raise forms.ValidationError(_("No hokimiyat or center has this code."), code="unknown")
        return organization

    def filters(self) -> public.PublicFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return public.PublicFilters(
            organization=self.fixed_organization or data.get("organization"),
            kind=data.get("kind") or "",
            category=data.get("category"),
            tag=data.get("tag"),
            q=data.get("q") or "",
        )
