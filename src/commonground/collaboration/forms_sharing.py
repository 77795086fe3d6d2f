"""Forms of the data-sharing pages (no JavaScript needed: plain posts)."""

from __future__ import annotations

import json

from django import forms

from . import sharing as registry

ALL_FIELDS = [(f.key, f.label) for f in registry.kind("members").fields]


class ProposeForm(forms.Form):
    partner = forms.ChoiceField(label="Partner association")
    direction = forms.ChoiceField(label="Whose data", widget=forms.RadioSelect, choices=[
        ("grant", "We share our data with them"),
        ("request", "We ask them to share their data with us")], initial="grant")
    title = forms.CharField(max_length=200)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                              help_text="What the data is used for, and only for")
    record_kind = forms.ChoiceField(label="Records", choices=[
        (k.key, f"{k.label}: {k.description}") for k in registry.kinds()], initial="members")
    fields = forms.MultipleChoiceField(label="Fields shared", choices=ALL_FIELDS,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text="Only these columns cross; plan, status and "
                                                 "membership dates exist for members only")
    consent_required = forms.BooleanField(
        label="Only members who consent (in the member portal, or recorded by staff)",
        required=False, initial=True)
    row_filter = forms.CharField(
        label="Which rows (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='A person filter in the grantor\'s data, e.g. {"op": "and", "rules": '
                  '[{"field": "chapter", "op": "is", "value": "north"}]}; empty: all of them')
    starts_on = forms.DateField(label="Starts on", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Empty: as soon as both sides approve")
    expires_on = forms.DateField(label="Expires on",
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [(a.slug, f"{a.name} (in {c.name})")
                                          for a, c in partners]

    def clean_row_filter(self):
        text = (self.cleaned_data.get("row_filter") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError("not a filter: write it as JSON (see the example)")
        if not isinstance(value, dict):
            raise forms.ValidationError("a filter is an object with op and rules")
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="Both associations see it with the agreement")


class ConsentForm(forms.Form):
    person = forms.CharField(label="Member (email or id)", max_length=254)
    answer = forms.ChoiceField(choices=[("give", "Consent given"),
                                        ("withdraw", "Consent withdrawn")],
                               widget=forms.RadioSelect, initial="give")
