"""Ready-made ``build`` functions for fields that are one column (or one lookup path) of
``Person``: ``build=on_column("member_until", "date")``. Apps with their own tables build
their ``Q`` themselves (usually ``pk__in`` a sub-query of their rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Q

Build = Callable[[str, Any, dict[str, Any]], Q]


def date_q(path: str, op: str, value: Any, today: Any) -> Q:
    """``in_last_days n``: ``today - n <= d < today``; ``in_next_days n``:
    ``today <= d <= today + n``; ``between`` includes both ends."""
    if op == "before":
        return Q(**{f"{path}__lt": value})
    if op == "after":
        return Q(**{f"{path}__gt": value})
    if op == "between":
        return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
    if op == "in_last_days":
        return Q(**{f"{path}__gte": today - timedelta(days=value), f"{path}__lt": today})
    if op == "in_next_days":
        return Q(**{f"{path}__gte": today, f"{path}__lte": today + timedelta(days=value)})
    raise ValueError(op)


def number_q(path: str, op: str, value: Any) -> Q:
    if op == "between":
        return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
    return Q(**{f"{path}__{'exact' if op == 'eq' else op}": value})


def choice_q(path: str, op: str, value: Any) -> Q:
    q = Q(**{path: value}) if op in ("is", "is_not") else Q(**{f"{path}__in": list(value)})
    return ~q if op in ("is_not", "not_in") else q


def text_q(path: str, op: str, value: Any) -> Q:
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    if op == "is":
        return Q(**{f"{path}__iexact": value})
    empty = Q(**{path: ""}) | Q(**{f"{path}__isnull": True})
    return empty if op == "is_empty" else ~empty


def on_column(path: str, kind: str, *, sentinel: Any = None) -> Build:
    """A build over one lookup path of ``Person``. ``sentinel``: a value the column holds
    for "none" (``NO_MEMBERSHIP`` dates), never matched by a date test."""

    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        if kind == "date":
            q = date_q(path, op, value, ctx["today"])
            # Only the open-ended tests can reach the sentinel (a far-future date).
            if sentinel is not None and op in ("after", "between"):
                q &= ~Q(**{path: sentinel})
            return q
        if kind == "number":
            return number_q(path, op, value)
        if kind == "choice":
            return choice_q(path, op, value)
        if kind == "text":
            return text_q(path, op, value)
        if kind == "bool":
            return Q(**{path: value})
        raise ValueError(kind)

    return build


def id_or_slug(column: str, relation: str) -> Build:
    """A choice over a foreign key whose values are ids, or slugs when not checked against
    the choices first (the API's ``?chapter=north``): ``relation__slug`` then."""

    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        values = [value] if isinstance(value, str) else list(value)
        ids = [int(v) for v in values if str(v).isdigit()]
        slugs = [str(v) for v in values if not str(v).isdigit()]
        q = Q(**{f"{column}__in": ids}) if len(ids) != 1 else Q(**{column: ids[0]})
        if slugs:
            q = (q | Q(**{f"{relation}__slug__in": slugs})) if ids else \
                Q(**{f"{relation}__slug__in": slugs})
        return ~q if op in ("is_not", "not_in") else q

    return build
