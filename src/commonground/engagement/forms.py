"""Forms for the engagement pages. Services do the validating; forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.membership.models import Offering

from .models import ContributionKind

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label="What did you do?", choices=ContributionKind.choices)
    title = forms.CharField(max_length=200, help_text="A short name, e.g. “Talk at the spring "
                                                      "conference”")
    occurred_on = forms.DateField(label="When", **DATE)
    hours = forms.CharField(max_length=12, required=False, label="Hours given (optional)",
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    offering = forms.ModelChoiceField(queryset=Offering.objects.none(), required=False,
                                      label="Programme or event (optional)")
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}), label="Details (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(is_active=True).order_by("name")

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "title": d["title"], "occurred_on": d["occurred_on"],
                "hours": d.get("hours") or None, "offering": d.get("offering"),
                "description": d.get("description", "")}

    @staticmethod
    def initial_for(contribution) -> dict[str, Any]:
        return {"kind": contribution.kind, "title": contribution.title,
                "occurred_on": contribution.occurred_on, "hours": contribution.hours or "",
                "offering": contribution.offering_id, "description": contribution.description}


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason (the member reads it)")
