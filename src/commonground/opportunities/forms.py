"""Forms for opportunities and invitations. Services do the validating."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.engagement.models import TraitKind
from commonground.people.models import Chapter

from . import selectors
from .models import Opportunity, OpportunityStatus, OpportunityType, TraitRole


class OpportunityForm(forms.Form):
    type = forms.ChoiceField(choices=OpportunityType.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    required_skills = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Required skills")
    required_text = forms.CharField(
        max_length=500, required=False, label="Other required skills (free text)",
        help_text="Skills the taxonomy does not list, e.g. “equine dentistry”")
    nice_skills = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Nice-to-have skills")
    nice_text = forms.CharField(max_length=500, required=False,
                                label="Other nice-to-have skills (free text)")
    motivations = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Motivations it serves", help_text="What a member gets from doing it")
    interests = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label="Interests it touches")
    chapter = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    location = forms.CharField(max_length=200, required=False)
    remote = forms.BooleanField(required=False, label="Can be done remotely")
    capacity = forms.CharField(max_length=5, initial="1", label="People needed",
                               widget=forms.NumberInput(attrs={"min": 1, "max": 1000}))
    starts_on = forms.DateField(required=False, label="From",
                                widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, label="Until",
                              widget=forms.DateInput(attrs={"type": "date"}))
    effort_hours = forms.CharField(max_length=10, required=False, label="Effort (hours)",
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    status = forms.ChoiceField(choices=OpportunityStatus.choices, initial=OpportunityStatus.OPEN)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selectors.taxonomy_choices()
        self.fields["required_skills"].choices = choices[TraitKind.SKILL]
        self.fields["nice_skills"].choices = choices[TraitKind.SKILL] + choices[TraitKind.INTEREST]
        self.fields["motivations"].choices = choices[TraitKind.MOTIVATION]
        self.fields["interests"].choices = choices[TraitKind.INTEREST]
        self.fields["chapter"].choices = [("", "Any / none"), *Chapter.objects.order_by("name")
                                          .values_list("pk", "name")]

    @staticmethod
    def initial_for(o: Opportunity) -> dict[str, Any]:
        traits = selectors.opportunity_traits(o)
        values = {f: getattr(o, f) for f in ("type", "title", "description", "required_text",
                                              "nice_text", "location", "remote", "capacity",
                                              "starts_on", "ends_on", "effort_hours", "status")}
        values["chapter"] = o.chapter_id
        for role, name in ((TraitRole.REQUIRED, "required_skills"), (TraitRole.NICE, "nice_skills"),
                           (TraitRole.MOTIVATION, "motivations"),
                           (TraitRole.INTEREST, "interests")):
            values[name] = [t.pk for t in traits[role]]
        return values


class InviteForm(forms.Form):
    person_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    message = forms.CharField(required=False, max_length=5000, label="Personal message",
                              widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    occurred_on = forms.DateField(required=False, label="Done on",
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="Empty: the opportunity's end, or today")
    hours = forms.CharField(max_length=10, required=False, label="Hours",
                            widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class RespondForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    note = forms.CharField(required=False, max_length=300, label="Note (optional)")
