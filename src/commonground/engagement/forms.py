"""Forms for the engagement pages. Services do the validating; forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.membership.models import Offering

from .models import ContributionKind, OutcomeKind, Trait, TraitKind

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


SCALES = {
    TraitKind.MOTIVATION: [("", "Not for me"), ("1", "1 – a little"), ("2", "2"), ("3", "3 – matters"),
                           ("4", "4"), ("5", "5 – a main reason")],
    TraitKind.SKILL: [("", "—"), ("1", "1 – beginner"), ("2", "2"), ("3", "3 – practised"),
                      ("4", "4"), ("5", "5 – expert")],
    TraitKind.INTEREST: [("", "—"), ("1", "1 – a little"), ("2", "2"), ("3", "3 – interested"),
                         ("4", "4"), ("5", "5 – very")],
}
GROUP_TEXT = {
    TraitKind.MOTIVATION: ("Why you belong", "How much does each of these bring you to the association?"),
    TraitKind.SKILL: ("What you are good at", "Your skills and expertise, and how proficient you are."),
    TraitKind.INTEREST: ("What interests you", "Topics you would like to hear about or work on."),
}


class TraitsForm(forms.Form):
    """The survey (portal) and the staff form: one menu per active taxonomy entry, grouped
    by kind; field ``trait_<id>``, empty = not chosen."""

    def __init__(self, *args: Any, traits: list[Trait], initial_strengths: dict[int, int],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[dict[str, Any]] = []
        by_kind: dict[str, list[str]] = {}
        for t in traits:
            name = f"trait_{t.pk}"
            self.fields[name] = forms.ChoiceField(
                label=t.name, choices=SCALES[t.kind], required=False,
                help_text=t.description, initial=str(initial_strengths.get(t.pk, "")))
            by_kind.setdefault(t.kind, []).append(name)
        for kind in (TraitKind.MOTIVATION, TraitKind.SKILL, TraitKind.INTEREST):
            if kind in by_kind:
                title, intro = GROUP_TEXT[kind]
                self.groups.append({"kind": kind, "title": title, "intro": intro,
                                    "fields": [self[n] for n in by_kind[kind]]})
        self.kind_of = {f"trait_{t.pk}": t.kind for t in traits}

    def answers(self) -> dict[str, dict[int, int]]:
        """{kind: {trait id: strength}} of the chosen entries."""
        out: dict[str, dict[int, int]] = {k: {} for k in set(self.kind_of.values())}
        for name, kind in self.kind_of.items():
            value = self.cleaned_data.get(name)
            if value:
                out[kind][int(name.split("_", 1)[1])] = int(value)
        return out


class TraitForm(forms.Form):
    kind = forms.ChoiceField(choices=TraitKind.choices)
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)
    synonyms = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="Other words for it, separated by commas "
                                         "(matching and the inference read them)")
    order = forms.IntegerField(min_value=0, max_value=32767, required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active",
                                   help_text="Inactive entries are no longer offered; those "
                                             "who hold them keep them")

    @staticmethod
    def initial_for(trait: Trait) -> dict[str, Any]:
        return {"kind": trait.kind, "name": trait.name, "description": trait.description,
                "synonyms": ", ".join(trait.synonyms), "order": trait.order,
                "is_active": trait.is_active}


class StaffContributionForm(ContributionForm):
    verified = forms.BooleanField(required=False, label="Verified already",
                                  help_text="You saw it happen: it counts at once")
    goal = forms.CharField(max_length=200, required=False, label="Association goal it serves")

    def service_data(self) -> dict[str, Any]:
        return {**super().service_data(), "goal": self.cleaned_data.get("goal", "")}


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="What did you gain?", choices=OutcomeKind.choices)
    title = forms.CharField(max_length=200, help_text="e.g. “Won a client I met at the "
                                                      "conference”")
    occurred_on = forms.DateField(label="When", **DATE)
    offering = forms.ModelChoiceField(queryset=Offering.objects.none(), required=False,
                                      label="Thanks to (a programme or event, optional)")
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}), label="Details (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.filter(is_active=True).order_by("name")

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "title": d["title"], "occurred_on": d["occurred_on"],
                "offering": d.get("offering"), "description": d.get("description", "")}

    @staticmethod
    def initial_for(outcome) -> dict[str, Any]:
        return {"kind": outcome.kind, "title": outcome.title, "occurred_on": outcome.occurred_on,
                "offering": outcome.offering_id, "description": outcome.description}


class GroupProposeForm(forms.Form):
    name = forms.CharField(max_length=120, label="Group name")
    purpose = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Who is it for and what will you do together?")
    forum = forms.CharField(max_length=120, required=False, label="Forum (optional)",
                            help_text="The forum category where the group talks, if there is one")


class GroupDecideForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Note to the proposer")
    forum = forms.CharField(max_length=120, required=False, label="Forum category")
