"""The person-filter field of next-best offering: "recommended offering is X" (segments,
the member list and the API read people through ``people.filters``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from commonground.membership.models import Offering
from commonground.people.filters import FilterField, register_filter

from .selectors import SHOWN, people_recommended


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue  # an id that is no offering matches no one
    return out


def _build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    q = Q(pk__in=people_recommended(_ids(value)))
    return ~q if op in ("is_not", "not_in") else q


def _choices():
    return [(str(pk), name) for pk, name in
            Offering.objects.filter(is_active=True).order_by("name").values_list("pk", "name")]


register_filter(FilterField(
    key="recommendations.offering", label="Recommended offering", type="choice", build=_build,
    group="Next-best offering", choices=_choices, related=True,
    help=f"The offering is among the person's top {SHOWN} personal suggestions"))
