"""Page forms of joint decisions and dual-input forms. The options editor is N rows of
plain fields (no JavaScript): empty rows are left out; "More option rows" asks for more."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from commonground.core.errors import DomainError
from commonground.membership.models import Offering, PriceDecision

from .models import (
    DecisionStatus,
    DecisionType,
    DualFormKind,
    Effect,
    Meeting,
    Stance,
)

OPTION_ROWS = 4
MAX_ROWS = 10
SIDES = [("mission", "Mission side"), ("business", "Business side")]
_OPTION_FIELD = re.compile(r"^options\.(\d+)\.(\w+)$")


def renamed(exc: DomainError) -> DomainError:
    """The service names option fields ``options.<n>.<field>``; the page ``option_<n>_…``."""
    fields = {}
    for name, msgs in exc.fields.items():
        m = _OPTION_FIELD.match(name)
        fields[f"option_{m[1]}_{m[2]}" if m else name] = msgs
    return type(exc)(exc.message, fields=fields)


class ProposeForm(forms.Form):
    type = forms.ModelChoiceField(queryset=DecisionType.objects.none(), label="Kind of decision",
                                  empty_label=None)
    title = forms.CharField(max_length=200, label="What is to be decided")
    body = forms.CharField(required=False, label="Background",
                           widget=forms.Textarea(attrs={"rows": 4}))
    offering = forms.ModelChoiceField(queryset=Offering.objects.none(), required=False,
                                      label="Offering (for a pricing decision)")
    meeting = forms.ModelChoiceField(queryset=Meeting.objects.none(), required=False,
                                     label="Meeting")
    closes_on = forms.DateField(required=False, label="Positions close on",
                                widget=forms.DateInput(attrs={"type": "date"}))
    hidden_positions = forms.BooleanField(
        required=False, label="Hide positions until the decision closes",
        help_text="Everyone sees how many signed on each side, not who said what")

    def __init__(self, *args: Any, types, rows: int = OPTION_ROWS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types
        self.fields["offering"].queryset = Offering.objects.filter(is_active=True)\
            .order_by("name")
        self.fields["meeting"].queryset = Meeting.objects.order_by("-starts_at")[:50]
        self.rows = max(1, min(rows, MAX_ROWS))
        for i in range(self.rows):
            self.fields[f"option_{i}_label"] = forms.CharField(
                required=False, max_length=200, label=f"Option {i + 1}")
            self.fields[f"option_{i}_price_decision"] = forms.ChoiceField(
                required=False, label=f"Option {i + 1}: price",
                choices=[("", "—"), *PriceDecision.choices])
            self.fields[f"option_{i}_member_price"] = forms.CharField(
                required=False, max_length=20, label=f"Option {i + 1}: member price")
            self.fields[f"option_{i}_non_member_price"] = forms.CharField(
                required=False, max_length=20, label=f"Option {i + 1}: non-member price")

    def main_fields(self):
        return [self[n] for n in ("type", "title", "body", "offering", "meeting", "closes_on",
                                  "hidden_positions")]

    def option_rows(self):
        return [{"n": i + 1, "label": self[f"option_{i}_label"],
                 "price_decision": self[f"option_{i}_price_decision"],
                 "member_price": self[f"option_{i}_member_price"],
                 "non_member_price": self[f"option_{i}_non_member_price"]}
                for i in range(self.rows)]

    def options(self) -> list[dict[str, str]]:
        """The rows filled in, in order (a row counts when any of its fields is)."""
        out = []
        priced = self.cleaned_data["type"].effect == Effect.OFFERING_PRICE
        for i in range(self.rows):
            row = {k: (self.cleaned_data.get(f"option_{i}_{k}") or "").strip()
                   for k in ("label", "price_decision", "member_price", "non_member_price")}
            if any(row.values()) if priced else row["label"]:
                out.append(row)
        return out


class SignForm(forms.Form):
    side = forms.ChoiceField(choices=SIDES, label="Signing for")
    stance = forms.ChoiceField(choices=Stance.choices, label="Your position",
                               widget=forms.RadioSelect)
    option = forms.ChoiceField(required=False, label="Option", widget=forms.RadioSelect)
    reason = forms.CharField(label="Your reason", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, decision, sides: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [c for c in SIDES if c[0] in sides]
        opts = list(decision.options.all())
        self.fields["option"].choices = [(str(o.pk), o.label) for o in opts]
        if len(opts) == 1:
            self.fields["option"].initial = str(opts[0].pk)


class CloseForm(forms.Form):
    status = forms.ChoiceField(choices=[(DecisionStatus.REJECTED, "Reject"),
                                        (DecisionStatus.WITHDRAWN, "Withdraw")],
                               label="Close as", widget=forms.RadioSelect)
    outcome = forms.CharField(label="Outcome: why it closes",
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why a new round",
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecisionTypeForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effect = forms.ChoiceField(choices=Effect.choices)
    quorum_mission = forms.IntegerField(min_value=0, max_value=20,
                                        label="Mission-side sign-offs needed")
    quorum_business = forms.IntegerField(min_value=0, max_value=20,
                                         label="Business-side sign-offs needed")
    hide_positions = forms.BooleanField(required=False,
                                        label="Hide positions until a decision closes")


class DualFormForm(forms.Form):
    kind = forms.ChoiceField(choices=DualFormKind.choices, label="Kind")
    title = forms.CharField(max_length=200)
    subject_user = forms.ChoiceField(required=False, label="Staff member appraised")
    period_start = forms.DateField(required=False, label="Schedule from",
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, label="Schedule to",
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, staff_users, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in staff_users}
        self.fields["subject_user"].choices = [("", "—")] + [
            (k, u.email) for k, u in self.users.items()]

    def subject(self):
        return self.users.get(self.cleaned_data.get("subject_user") or "")


class DualInputForm(forms.Form):
    side = forms.ChoiceField(choices=SIDES, label="Input for")
    body = forms.CharField(label="Your side's input", widget=forms.Textarea(attrs={"rows": 4}))
    rating = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                    label="Rating (appraisal)",
                                    choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)])
    slots = forms.CharField(required=False, label="Slots (schedule), one a line",
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sides: list[str], kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [c for c in SIDES if c[0] in sides]
        if kind == DualFormKind.APPRAISAL:
            del self.fields["slots"]
        else:
            del self.fields["rating"]

    def data_value(self) -> dict:
        if "rating" in self.fields:
            r = self.cleaned_data.get("rating")
            return {"rating": r} if r else {}
        return {"slots": self.cleaned_data.get("slots") or ""}


class CompleteForm(forms.Form):
    summary = forms.CharField(label="The agreed result",
                              widget=forms.Textarea(attrs={"rows": 3}))

