"""Forms for plans, offerings, memberships and payments. Services do the validating."""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.tenancy.models import Side

from .models import OfferingCategory, PaymentMethod, Plan, PlanKind, PriceDecision


class JoinForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), empty_label=None)
    joined_on = forms.DateField(label="Start date", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Leave empty for today")

    def __init__(self, *args: Any, person=None, organisation=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = PlanKind.INDIVIDUAL if organisation is None else PlanKind.ORGANISATIONAL
        self.fields["plan"].queryset = Plan.objects.filter(is_active=True, kind=kind).order_by("name")


class RenewForm(forms.Form):
    # The end date the user saw: a second submit of the same form renews nothing more.
    expected_ends_on = forms.DateField(widget=forms.HiddenInput())


class CancelForm(forms.Form):
    note = forms.CharField(max_length=200, required=False, label="Reason (optional)")


class PaymentForm(forms.Form):
    amount = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    received_on = forms.DateField(label="Date received", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="Leave empty for today")
    reference = forms.CharField(max_length=120, required=False,
                                help_text="Cheque number, bank reference …")


class RefundForm(forms.Form):
    amount = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(max_length=120, required=False)


class PlanForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=PlanKind.choices)
    term_months = forms.CharField(label="Term (months)", max_length=4, initial="12",
                                  widget=forms.NumberInput(attrs={"min": 1, "max": 120}))
    price = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(max_length=3, required=False,
                               help_text="Three-letter code; empty for the association's currency")
    grace_days = forms.CharField(label="Grace period (days)", max_length=4, initial="30",
                                 widget=forms.NumberInput(attrs={"min": 0, "max": 365}))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="Open for new members", required=False, initial=True)

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        return {f: getattr(plan, f) for f in ("name", "kind", "term_months", "price", "currency",
                                               "grace_days", "description", "is_active")}


class OfferingForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=OfferingCategory.choices)
    side = forms.ChoiceField(choices=Side.choices,
                             help_text="Mission (serve) or business (sell), or both")
    price_decision = forms.ChoiceField(label="Price decision", choices=PriceDecision.choices,
                                       widget=forms.RadioSelect)
    member_price = forms.CharField(max_length=20, required=False, initial="0")
    non_member_price = forms.CharField(label="Price (non-members)", max_length=20, required=False,
                                       initial="0")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    @staticmethod
    def initial_for(offering) -> dict[str, Any]:
        return {f: getattr(offering, f) for f in ("name", "category", "side", "price_decision",
                                                   "member_price", "non_member_price",
                                                   "description", "is_active")}
