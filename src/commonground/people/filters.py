"""The person-filter language: the fields people can be filtered on, registered by the apps
that know them.

A filter is a tree: ``{"op": "and" | "or", "rules": [rule | group, …]}`` where a rule is
``{"field": key, "op": operator, "value": …}``. The member list, segments, the API and
outreach all read people through it, so the same words select the same people
everywhere. People registers its own fields (chapter, custom fields…); membership, activity,
scoring, insight and recommendations register theirs in their ``filters.py`` (found by
``autodiscover`` when the app registry is ready, as ``nav.py`` is), so this module names no
app above people.

Each field says which operators it takes and builds a ``Q`` over ``Person`` for an
operator and a value already parsed to the field's type:

========== ============================================ =============================
type       operators                                    value passed to ``build``
========== ============================================ =============================
choice     is, is_not, in, not_in                       str (is/is_not) or list[str]
number     eq, lt, lte, gt, gte, between                float, or (low, high)
date       before, after, between, in_last_days,        date, (date, date) or int days
           in_next_days
text       contains, is, is_empty, is_not_empty         str ("" for the empty tests)
bool       is                                           bool
window     a field-specific dict (e.g. activity of a    dict, validated by the field's
           category or kind in a date window)           own ``parse``
========== ============================================ =============================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.module_loading import autodiscover_modules

TYPES: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in", "not_in"),
    "number": ("eq", "lt", "lte", "gt", "gte", "between"),
    "date": ("before", "after", "between", "in_last_days", "in_next_days"),
    "text": ("contains", "is", "is_empty", "is_not_empty"),
    "bool": ("is",),
    "window": ("matches", "not_matches"),
}


@dataclass(frozen=True)
class FilterField:
    """One field of the language.

    ``build(op, value, ctx)`` returns the ``Q`` over ``Person``; ``ctx`` carries the
    association's "today" (``ctx["today"]``) so windows are relative to its own date.
    ``choices()`` lists ``(value, label)`` for choice fields (evaluated in scope, per
    request). ``parse(raw)`` turns the raw JSON value of a ``window`` field into what
    ``build`` takes, raising ``ValueError`` with a message for the user.
    """

    key: str
    label: str
    type: str
    build: Callable[[str, Any, dict[str, Any]], Q]
    group: str = "Person"
    ops: tuple[str, ...] = ()
    choices: Callable[[], Iterable[tuple[str, str]]] | None = None
    parse: Callable[[Any], Any] | None = None
    help: str = ""
    order: int = 100

    def operators(self) -> tuple[str, ...]:
        return self.ops or TYPES[self.type]


_fields: dict[str, FilterField] = {}


def register_filter(field: FilterField) -> None:
    """Add a field to the language; registering a key again replaces it."""
    if field.type not in TYPES:
        raise ValueError(f"unknown filter type {field.type!r}; one of {sorted(TYPES)}")
    unknown = set(field.operators()) - set(TYPES[field.type])
    if unknown:
        raise ValueError(f"{field.key}: operators {sorted(unknown)} are not {field.type} ones")
    _fields[field.key] = field


def filter_field(key: str) -> FilterField | None:
    return _fields.get(key)


def filter_fields() -> list[FilterField]:
    """Every registered field, grouped and ordered as the filter builder shows them."""
    return sorted(_fields.values(), key=lambda f: (f.group, f.order, f.label))


def autodiscover() -> None:
    autodiscover_modules("filters")
