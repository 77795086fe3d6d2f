"""Scoring's fields of the person-filter language (``people.filters``): the engagement
score (total, derived, created) and its level.

A person without a score row has done nothing the score counts, so they count as 0:
"total < 10" includes them, "total ≥ 10" does not.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django_scopes import get_scope

from commonground.people.filters import FilterField, register_filter
from commonground.people.filters.builders import choice_q, number_q

from .models import Score
from .selectors import level_names

GROUP = "Engagement"


def _holds(op: str, value: Any, x: float) -> bool:
    if op == "between":
        return value[0] <= x <= value[1]
    return {"eq": x == value, "lt": x < value, "lte": x <= value, "gt": x > value,
            "gte": x >= value}[op]


def _score(column: str):
    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        q = Q(pk__in=Score.objects.filter(number_q(column, op, value)).values("person_id"))
        if _holds(op, value, 0.0):
            q |= ~Q(pk__in=Score.objects.values("person_id"))
        return q

    return build


def _levels() -> list[tuple[str, str]]:
    return [(str(i), name) for i, name in enumerate(level_names(get_scope().get("association")))]


def _level(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    levels = [int(v) for v in ([value] if isinstance(value, str) else value)]
    q = Q(pk__in=Score.objects.filter(choice_q("level", "in", levels)).values("person_id"))
    if 0 in levels:  # the first level is where everyone without a score stands
        q |= ~Q(pk__in=Score.objects.values("person_id"))
    return q if op in ("is", "in") else ~q


for key, label, order, help_text in (
        ("score.total", "Engagement score", 10, "The total: what was done, decayed, plus "
                                                "what was created."),
        ("score.derived", "Engagement from activity", 20, "The part earned by activity."),
        ("score.created", "Engagement from contributions", 30,
         "The part earned by verified contributions and outcomes.")):
    register_filter(FilterField(key=key, label=label, type="number", group=GROUP, order=order,
                                build=_score(key.split(".")[1]), related=True, help=help_text))
register_filter(FilterField(
    key="score.level", label="Engagement level", type="choice", group=GROUP, order=40,
    build=_level, choices=_levels, related=True))
