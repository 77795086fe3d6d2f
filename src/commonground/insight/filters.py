"""Insight's fields of the person-filter language (``people.filters``): lapse risk band,
lapse probability, prospect band — so segments can say "high risk, annual plan"."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from commonground.people.filters import FilterField, register_filter

from .models import Band, ModelKind, Prediction


def _has(kind: str, **where: Any) -> Exists:
    return Exists(Prediction.objects.filter(person_id=OuterRef("pk"), kind=kind, **where))


def _band(kind: str):
    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        values = [value] if isinstance(value, str) else list(value)
        q = Q(_has(kind, band__in=values))
        return ~q if op in ("is_not", "not_in") else q
    return build


def _probability(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    # Probabilities are stored 0–1; the language takes percentages (people say "over 60 %").
    if op == "between":
        low, high = value
        return Q(_has(ModelKind.LAPSE, probability__gte=low / 100, probability__lte=high / 100))
    lookup = {"eq": "exact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}[op]
    return Q(_has(ModelKind.LAPSE, **{f"probability__{lookup}": value / 100}))


def _choices():
    return list(Band.choices)


# Sub-query fields: the segments evaluator's FilterField marks them ``related`` (the member
# list then never offers them as a menu); the foundation's FilterField has no such flag.
_RELATED = {"related": True} if "related" in FilterField.__dataclass_fields__ else {}


register_filter(FilterField(
    key="insight.lapse_band", label="Lapse risk", type="choice", build=_band(ModelKind.LAPSE),
    group="Insight", choices=_choices, order=10,
    help="The member's risk of not renewing at their next renewal date", **_RELATED))
register_filter(FilterField(
    key="insight.lapse_probability", label="Chance of not renewing (%)", type="number",
    build=_probability, group="Insight", order=20,
    help="0–100: the lapse model's probability for the next renewal", **_RELATED))
register_filter(FilterField(
    key="insight.prospect_band", label="Propensity to join", type="choice",
    build=_band(ModelKind.PROSPECT), group="Insight", choices=_choices, order=30,
    help="Non-members' likelihood of joining (the prospect model)", **_RELATED))
