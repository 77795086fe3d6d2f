"""The balance settings and costs forms (plain Django forms: the pages work without JS)."""

from __future__ import annotations

from django import forms

from commonground.core import metrics
from commonground.membership.models import Offering

from ..models import BalanceSide


def metric_choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.group}: {m.label}" + (f" ({m.side} side)" if m.side != "both" else ""))
            for m in metrics.catalogue()]


def parse_filters(text: str) -> dict[str, str]:
    """``plan=gold, chapter=north`` → ``{"plan": "gold", "chapter": "north"}``."""
    out: dict[str, str] = {}
    for part in (text or "").replace("\n", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise forms.ValidationError(f"“{part.strip()}” is not name=value")
        out[name.strip()] = value.strip()
    return out


class BalanceMetricForm(forms.Form):
    side = forms.ChoiceField(choices=BalanceSide.choices)
    metric = forms.ChoiceField(choices=())
    filters = forms.CharField(required=False, max_length=500,
                              help_text="Optional, e.g. plan=individual, chapter=north")
    label = forms.CharField(required=False, max_length=120,
                            help_text="Optional; the metric's own name otherwise")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()

    def clean_filters(self) -> dict[str, str]:
        return parse_filters(self.cleaned_data.get("filters", ""))


class OfferingCostForm(forms.Form):
    offering = forms.ModelChoiceField(queryset=Offering.objects.none())
    period_start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = Offering.objects.order_by("name")
