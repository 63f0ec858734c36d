"""The public subscription form and the press secretary's disclosure mark."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PublicationKind
from .models_subscriptions import Frequency


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    organization = forms.ModelChoiceField(
        label=_("Whose publications"),
        queryset=None,
        required=False,
        empty_label=_("Every hokimiyat and center"),
        to_field_name="code",
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"),
        choices=PublicationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.IMMEDIATE, widget=forms.RadioSelect
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class MarkForm(forms.Form):
    publication = forms.IntegerField(label=_("Publication"), min_value=1)
    category = forms.IntegerField(label=_("Category"), min_value=1)
