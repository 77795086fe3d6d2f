"""The settings page's form: the score model as fields (``categories__web__weight`` …);
``to_params`` turns it into the configuration ``config.validate`` checks."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from commonground.activity.models import Category

SIDE_CHOICES = [("derived", "Value derived (what members get)"),
                ("created", "Value created (what members give)"), ("ignore", "Ignore")]
NUMBERS = [
    ("half_life_days", "Recency half-life (days)", "An event's points halve every half-life."),
    ("lookback_days", "Look-back (days)", "Older events count nothing."),
    ("cap_per_kind", "Cap per kind (points)", "The most points one kind of activity can add."),
    ("breadth_bonus", "Breadth bonus (points per extra category)", ""),
    ("saturation__derived", "Derived: points for 63 of 100", "Diminishing returns above this."),
    ("saturation__created", "Created: points for 63 of 100", ""),
    ("shares__derived", "Share of value derived in the total", ""),
    ("shares__created", "Share of value created in the total", ""),
    ("contributions__default", "Points per verified contribution (other kinds)", ""),
    ("outcomes__default", "Points per reported outcome (other kinds)", ""),
    ("demotion_months", "Demotion delay (months below a level before it drops)", ""),
]


class ScoreConfigForm(forms.Form):
    note = forms.CharField(label="What changed (for the version history)", max_length=300,
                           required=False)

    def __init__(self, *args: Any, params: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, help_text in NUMBERS:
            self.fields[name] = forms.FloatField(label=label, help_text=help_text,
                                                 initial=_get(params, name))
        for cat in Category.values:
            rule = params["categories"].get(cat, {"side": "derived", "weight": 0})
            self.fields[f"categories__{cat}__side"] = forms.ChoiceField(
                label=f"{Category(cat).label}: side", choices=SIDE_CHOICES, initial=rule["side"])
            self.fields[f"categories__{cat}__weight"] = forms.FloatField(
                label=f"{Category(cat).label}: points per event", initial=rule["weight"])
        self.fields["levels"] = forms.CharField(
            label="Levels (one per line: name, minimum total)", widget=forms.Textarea(attrs={"rows": 5}),
            initial="\n".join(f"{n}, {m:g}" for n, m in params["levels"]))
        self.fields["kinds"] = forms.CharField(
            label="Per kind of activity (JSON: side, weight multiplier, cap)", required=False,
            widget=forms.Textarea(attrs={"rows": 8}), initial=json.dumps(params["kinds"], indent=1))
        self.fields["contributions"] = forms.CharField(
            label="Points per verified contribution by kind (JSON)", required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            initial=json.dumps({k: v for k, v in params["contributions"].items() if k != "default"}))
        self.fields["outcomes"] = forms.CharField(
            label="Points per reported outcome by kind (JSON)", required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=json.dumps({k: v for k, v in params["outcomes"].items() if k != "default"}))
        self.order_fields([*(n for n, _, _ in NUMBERS), *(
            f for c in Category.values for f in (f"categories__{c}__side", f"categories__{c}__weight")),
            "levels", "kinds", "contributions", "outcomes", "note"])

    def clean_levels(self) -> list[list[Any]]:
        out = []
        for i, line in enumerate(self.cleaned_data["levels"].splitlines(), 1):
            if not line.strip():
                continue
            name, sep, minimum = line.rpartition(",")
            try:
                out.append([name.strip(), float(minimum)])
            except ValueError:
                raise forms.ValidationError(f"Line {i}: write a name, a comma and a number.") from None
            if not sep:
                raise forms.ValidationError(f"Line {i}: write a name, a comma and a number.")
        return out

    def _json(self, name: str) -> dict[str, Any]:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Give a JSON object.")
        return value

    def clean_kinds(self) -> dict[str, Any]:
        return self._json("kinds")

    def clean_contributions(self) -> dict[str, Any]:
        return self._json("contributions")

    def clean_outcomes(self) -> dict[str, Any]:
        return self._json("outcomes")

    def to_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params: dict[str, Any] = {"categories": {}, "saturation": {}, "shares": {}}
        for name, _, _ in NUMBERS:
            _set(params, name, data[name])
        for cat in Category.values:
            params["categories"][cat] = {"side": data[f"categories__{cat}__side"],
                                         "weight": data[f"categories__{cat}__weight"]}
        params["levels"] = data["levels"]
        params["kinds"] = data["kinds"]
        params["contributions"] = {**data["contributions"], **params.get("contributions", {})}
        params["outcomes"] = {**data["outcomes"], **params.get("outcomes", {})}
        return params

    def add_config_errors(self, fields: dict[str, list[str]]) -> None:
        """``config.validate``'s messages (dotted paths) on the matching fields."""
        for path, messages in fields.items():
            name = path.replace(".", "__")
            if name not in self.fields:
                name = next((n for n in ("kinds", "contributions", "outcomes", "levels")
                             if path.startswith(n)), None)
            for message in messages:
                self.add_error(name, f"{path}: {message}" if name in (None, "kinds") else message)


def _get(params: dict[str, Any], name: str) -> Any:
    value: Any = params
    for part in name.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set(params: dict[str, Any], name: str, value: Any) -> None:
    parts = name.split("__")
    target = params
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
