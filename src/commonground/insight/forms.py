"""The at-risk page's filters."""

from __future__ import annotations

from django import forms

from commonground.membership.models import Plan
from commonground.people.models import Chapter

from .models import Band


class AtRiskFilter(forms.Form):
    band = forms.ChoiceField(choices=[("", "Any risk"), *Band.choices], required=False,
                             label="Risk")
    plan = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Plan")
    chapter = forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                     label="Chapter")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "Any plan"), *Plan.objects.order_by("name")
                                       .values_list("id", "name")]
        self.fields["chapter"].choices = [("", "Any chapter"), *Chapter.objects.order_by("name")
                                          .values_list("id", "name")]
