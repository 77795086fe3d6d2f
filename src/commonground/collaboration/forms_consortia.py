"""The forms of the consortia and joint-initiative pages (plain HTML forms; the services
check everything again and their messages land on these fields)."""

from __future__ import annotations

from django import forms

from .models import (
    Characteristic,
    ContributionKind,
    DecisionRule,
    InitiativeKind,
    InitiativeStatus,
    Level,
    SplitMethod,
)

DATE = forms.DateInput(attrs={"type": "date"})


class ConsortiumForm(forms.Form):
    name = forms.CharField(max_length=200)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    level = forms.ChoiceField(choices=Level.choices,
                              help_text="Cooperation: informal, short, low risk. Coordination: "
                                        "planned, formal mechanisms. Collaboration: long-term, "
                                        "shared resources.")
    decision_rule = forms.ChoiceField(choices=DecisionRule.choices, label="Who decides")
    governance = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 help_text="Who decides what, how often they meet")
    started_on = forms.DateField(widget=DATE, required=False, help_text="Today if left empty")
    review_on = forms.DateField(widget=DATE, required=False)


class GovernanceForm(forms.Form):
    name = forms.CharField(max_length=200)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    level = forms.ChoiceField(choices=Level.choices)
    decision_rule = forms.ChoiceField(choices=DecisionRule.choices, label="Who decides")
    governance = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    review_on = forms.DateField(widget=DATE, required=False)


class InviteForm(forms.Form):
    invitee = forms.CharField(max_length=100, label="Association (its slug)",
                              help_text="The short name in its addresses, e.g. allied-health")
    votes = forms.IntegerField(min_value=1, max_value=100, initial=1,
                               help_text="Counts under a weighted majority")


class AssessmentForm(forms.Form):
    characteristic = forms.ChoiceField(choices=Characteristic.choices)
    score = forms.TypedChoiceField(choices=[(i, str(i)) for i in range(1, 6)], coerce=int,
                                   help_text="1 absent … 5 strong")
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    assessed_on = forms.DateField(widget=DATE, required=False, help_text="Today if left empty")


class InitiativeForm(forms.Form):
    """Participants are checkboxes of the consortium's active members; under a fixed split
    one percentage field per member (``percent_<slug>``)."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=InitiativeKind.choices)
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    starts_on = forms.DateField(widget=DATE, required=False, help_text="Today if left empty")
    ends_on = forms.DateField(widget=DATE, required=False)
    split_method = forms.ChoiceField(choices=SplitMethod.choices, label="Revenue split")
    participants = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple,
                                             required=False,
                                             help_text="Your association takes part anyway")

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["participants"].choices = [(a.slug, a.name) for a in self.members]
        for a in self.members:
            self.fields[f"percent_{a.slug}"] = forms.DecimalField(
                required=False, min_value=0, max_value=100, decimal_places=3,
                label=f"{a.name}: percentage", help_text="Fixed split only; total 100")

    def percents(self) -> dict[str, object]:
        return {a.slug: self.cleaned_data[f"percent_{a.slug}"] for a in self.members
                if self.cleaned_data.get(f"percent_{a.slug}") is not None}


class InitiativeChangeForm(forms.Form):
    status = forms.ChoiceField(choices=InitiativeStatus.choices)
    split_method = forms.ChoiceField(choices=SplitMethod.choices, label="Revenue split")

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for a in self.members:
            self.fields[f"percent_{a.slug}"] = forms.DecimalField(
                required=False, min_value=0, max_value=100, decimal_places=3,
                label=f"{a.name}: percentage", help_text="Fixed split only; total 100")

    def percents(self) -> dict[str, object]:
        return {a.slug: self.cleaned_data[f"percent_{a.slug}"] for a in self.members
                if self.cleaned_data.get(f"percent_{a.slug}") is not None}


class ObjectiveForm(forms.Form):
    name = forms.CharField(max_length=200)
    metric_key = forms.ChoiceField(label="Metric")
    filters = forms.CharField(required=False, max_length=500,
                              help_text="Optional, as name=value pairs separated by commas "
                                        "(each must exist in every participant), "
                                        "e.g. kind=conference")
    baseline = forms.DecimalField(max_digits=16, decimal_places=2, initial=0, required=False)
    target = forms.DecimalField(max_digits=16, decimal_places=2)
    direction = forms.ChoiceField(choices=[("up", "Up (more is better)"),
                                           ("down", "Down (less is better)")])
    starts_on = forms.DateField(widget=DATE, required=False,
                                help_text="The initiative's start if left empty")
    deadline = forms.DateField(widget=DATE, required=False,
                               help_text="The initiative's end if left empty")

    def __init__(self, *args, metric_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric_key"].choices = list(metric_choices)

    def clean_filters(self) -> dict[str, str]:
        raw = self.cleaned_data.get("filters") or ""
        out: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in raw.split(","))):
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise forms.ValidationError("name=value pairs separated by commas")
            out[name.strip()] = value.strip()
        return out


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(choices=ContributionKind.choices)
    description = forms.CharField(max_length=250)
    hours = forms.DecimalField(max_digits=8, decimal_places=2, required=False,
                               help_text="Staff time: required")
    value = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0,
                               help_text="Its worth in money (used by a split by contribution)")
    contributed_on = forms.DateField(widget=DATE, required=False, help_text="Today if empty")


class RevenueForm(forms.Form):
    description = forms.CharField(max_length=250)
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    received_on = forms.DateField(widget=DATE, required=False, help_text="Today if empty")
