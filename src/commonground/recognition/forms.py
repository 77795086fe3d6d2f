"""Forms of the recognition pages. They parse; the services validate and decide."""

from __future__ import annotations

from django import forms

from commonground.engagement.models import ContributionKind

from .models import Availability, Tier


class TierForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=64, required=False,
                           help_text="Part of the badge's public address; from the name if blank")
    description = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    criteria = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="Published with the badge; the rule in words if blank")
    min_contributions = forms.IntegerField(min_value=1, max_value=1000, initial=1,
                                           label="Verified contributions at least")
    min_kinds = forms.IntegerField(min_value=1, max_value=50, initial=1,
                                   label="Of at least this many kinds")
    window_months = forms.IntegerField(min_value=1, max_value=120, initial=12,
                                       label="Within the last (months)")
    required_kinds = forms.MultipleChoiceField(
        choices=ContributionKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple, label="Including one of these kinds")
    colour = forms.CharField(max_length=7, initial="#2f6f4f",
                             widget=forms.TextInput(attrs={"type": "color"}))
    order = forms.IntegerField(min_value=0, max_value=10_000, initial=100,
                               help_text="Higher tiers have a higher number")
    auto_award = forms.BooleanField(required=False,
                                    label="Award candidates directly (no approval step)")
    is_active = forms.BooleanField(required=False, initial=True, label="In use")

    @staticmethod
    def initial_for(tier: Tier) -> dict:
        return {f: getattr(tier, f) for f in (
            "name", "slug", "description", "criteria", "min_contributions", "min_kinds",
            "window_months", "required_kinds", "colour", "order", "auto_award", "is_active")}


class NominateForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.none(), empty_label=None)
    email = forms.EmailField(label="Their email address",
                             help_text="The email of the fellow member you nominate")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             label="Why they deserve it")

    def __init__(self, *args, staff: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(is_active=True)
        if staff:
            del self.fields["email"]


class DecideForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason for revoking",
                             help_text="Published with the revoked badge")


class IssueForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.none(), empty_label=None)
    narrative = forms.CharField(required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                label="What they did (optional, published)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(is_active=True)


class PublicForm(forms.Form):
    public = forms.BooleanField(required=False,
                                label="Show me and my badges on the public recognition page")
    headline = forms.CharField(max_length=160, required=False,
                               label="A line about you (optional, shown publicly)")


class ExpertForm(forms.Form):
    headline = forms.CharField(max_length=160, label="Your expertise in one line")
    specialties = forms.MultipleChoiceField(choices=(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    other_specialties = forms.CharField(max_length=300, required=False,
                                        label="Other specialties (comma separated)")
    bio = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                          max_length=4000, label="About your experience")
    availability = forms.ChoiceField(choices=Availability.choices)

    def __init__(self, *args, skills=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialties"].choices = [(str(t.pk), t.name) for t in skills]


class ExpertSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    specialty = forms.TypedChoiceField(choices=(), required=False, coerce=int, empty_value=None)
    available = forms.BooleanField(required=False, label="Available now only")

    def __init__(self, *args, skills=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "Any specialty")] + [
            (str(t.pk), t.name) for t in skills]


class IssuerForm(forms.Form):
    email = forms.EmailField(help_text="Contact address published with every badge")
    url = forms.URLField(required=False, assume_scheme="https", label="Homepage",
                         help_text="Blank: the public recognition page")
    origin = forms.URLField(required=False, assume_scheme="https", label="Public address of badge URLs",
                            help_text="Blank: this deployment's public URL. Changing it changes "
                                      "every badge's address.")
    description = forms.CharField(max_length=300, required=False)
