"""Page forms of joint products: plain fields, every action a POST without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import ApprovalDecision, Partnership, ProductKind

DATE = forms.DateInput(attrs={"type": "date"})
DECISION_CHOICES = [(ApprovalDecision.APPROVED, "Approve"),
                    (ApprovalDecision.CHANGES, "Request changes")]


class ProductForm(forms.Form):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(),
                                         label="Partnership", empty_label=None)
    name = forms.CharField(max_length=200, label="Name")
    kind = forms.ChoiceField(choices=ProductKind.choices, label="Kind")
    description = forms.CharField(required=False, label="What it is",
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text="What every partner's approver reads and signs")
    due_on = forms.DateField(required=False, label="Due on", widget=DATE)
    slug = forms.SlugField(required=False, max_length=80, label="Public address",
                           help_text="Its credit page: /partners/<association>/credits/"
                                     "<address>/ (default: from the name)")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["partnership"]
        else:
            self.fields["partnership"].queryset = Partnership.objects.order_by("name")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISION_CHOICES, label="Your decision",
                                 widget=forms.RadioSelect)
    note = forms.CharField(required=False, label="Note (say which changes, when asking for them)",
                           widget=forms.Textarea(attrs={"rows": 3}))


class RecordForm(forms.Form):
    """A partner's decision given outside the link, naming the contact who gave it."""

    contact = forms.ChoiceField(label="Given by")
    decision = forms.ChoiceField(choices=DECISION_CHOICES, label="Their decision",
                                 widget=forms.RadioSelect)
    note = forms.CharField(required=False, label="Note (how and when it was given)",
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, contacts, prefix: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["contact"].choices = [("", "—")] + [
            (str(c.pk), f"{c.name} <{c.email}> — {c.party_label}") for c in contacts]


class VerifyForm(forms.Form):
    notes = forms.CharField(label="Verification notes: what you checked",
                            widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why it is withdrawn", widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(required=False, label="Delivered on", widget=DATE,
                                   help_text="Empty clears the delivery")


class CreditForm(forms.Form):
    party = forms.ChoiceField(label="Party")
    contribution = forms.CharField(label="Their contribution, as the public page says it",
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, parties, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(str(p.pk), p.label) for p in parties]


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, label="Quality",
                                   choices=[(str(i), f"{i} — {t}") for i, t in
                                            ((5, "excellent"), (4, "good"), (3, "fair"),
                                             (2, "weak"), (1, "poor"))])
    reviewed_on = forms.DateField(required=False, label="Reviewed on", widget=DATE)
    notes = forms.CharField(required=False, label="Notes",
                            widget=forms.Textarea(attrs={"rows": 2}))


class PublicDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISION_CHOICES, label="Your decision",
                                 widget=forms.RadioSelect)
    note = forms.CharField(required=False, label="Note (say which changes, when asking for them)",
                           widget=forms.Textarea(attrs={"rows": 4}))
