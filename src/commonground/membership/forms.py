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


TERM_CHOICES = [("", "Choose the term …"), ("1", "1 month (monthly)"), ("3", "3 months (quarterly)"),
                ("6", "6 months"), ("12", "12 months (annual)"), ("24", "2 years"),
                ("36", "3 years"), ("0", "Lifetime (never renews)")]


class PlanForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=PlanKind.choices)
    # A choice with no preselection: a monthly plan saved as "12 months" by accident makes
    # every member look due or lapsed. The service reads any term parse_term reads.
    term_months = forms.ChoiceField(label="Term", choices=TERM_CHOICES)
    price = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(max_length=3, required=False,
                               help_text="Three-letter code; empty for the association's currency")
    renewal_window_days = forms.CharField(
        label="Renewal due (days before the term ends)", max_length=4, required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 365}),
        help_text="Empty for the term's default: 7 days of a monthly term, 30 of an annual one")
    grace_days = forms.CharField(
        label="Grace period (days after the term ends)", max_length=4, required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 365}),
        help_text="Empty for the term's default: 7 days for a monthly term, 30 for an annual one")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label="Open for new members", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = self.initial.get("term_months")
        if initial is not None and str(initial) not in dict(TERM_CHOICES):
            # A plan saved elsewhere (CLI, API) with an uncommon term keeps it.
            self.fields["term_months"].choices = [
                *TERM_CHOICES, (str(initial), f"{initial} months")]

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        values = {f: getattr(plan, f) for f in ("name", "kind", "price", "currency",
                                                 "renewal_window_days", "grace_days",
                                                 "description", "is_active")}
        values["term_months"] = str(plan.term_months)
        return values


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

    def __init__(self, *args, offering=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if offering is not None and offering.price_locked_by:
            # A joint decision on the price is open: the price is shown, not editable
            # (disabled fields submit nothing; Django keeps their initial values).
            for name in ("price_decision", "member_price", "non_member_price"):
                self.fields[name].disabled = True
                self.fields[name].help_text = f"Read-only: {offering.price_locked_by}"

    @staticmethod
    def initial_for(offering) -> dict[str, Any]:
        return {f: getattr(offering, f) for f in ("name", "category", "side", "price_decision",
                                                   "member_price", "non_member_price",
                                                   "description", "is_active")}
