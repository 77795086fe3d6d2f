"""Ready-made ``FilterSpec.resolve``/``choices`` functions for the apps' metrics.

A filter value is what a person typed or an API client sent: a slug (``gold``), an id
(``12``) or a fixed word (``mission``). Resolving it returns what ``compute`` uses (an
id, the word) or raises ``ValueError`` with the message the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django_scopes import scope


def slug_or_id(noun: str, model: Any, *, label: str = "name") -> tuple[
        Callable[[Any, str], int], Callable[[Any], list[tuple[str, str]]]]:
    """``(resolve, choices)`` for a scoped model with ``slug``: "gold" or "12" → its id;
    anything else → "no plan 'gold' (known: …)"."""

    def resolve(association: Any, raw: str) -> int:
        value = raw.strip()
        with scope(association=association):
            rows = model.objects.filter(association=association)
            found = (rows.filter(pk=int(value)) if value.isdigit() else rows.filter(slug=value))
            pk = found.values_list("pk", flat=True).first()
            if pk is None:
                known = ", ".join(rows.order_by("slug").values_list("slug", flat=True)[:12])
                raise ValueError(f"no {noun} {value!r}" + (f" (known: {known})" if known else ""))
        return int(pk)

    def choices(association: Any) -> list[tuple[str, str]]:
        with scope(association=association):
            return [(slug, name) for slug, name in model.objects.filter(association=association)
                    .order_by(label).values_list("slug", label)]

    return resolve, choices


def one_of(noun: str, options: Iterable[tuple[str, str]]) -> tuple[
        Callable[[Any, str], str], Callable[[Any], list[tuple[str, str]]]]:
    """``(resolve, choices)`` for a fixed set of words (statuses, sides, categories)."""
    pairs = [(str(v), str(label)) for v, label in options]
    allowed = [v for v, _ in pairs]

    def resolve(association: Any, raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"no {noun} {raw.strip()!r} (one of: {', '.join(allowed)})")
        return value

    def choices(association: Any) -> list[tuple[str, str]]:
        return list(pairs)

    return resolve, choices
