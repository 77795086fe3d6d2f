"""The registry of the person-filter language: the fields people can be filtered on,
registered by the apps that know them (the parser and evaluator are in ``language``).

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
    # choice fields: other spellings of a value (a plan's slug for its id), as
    # ``{alias: value}``, accepted wherever the value is; evaluated per request like choices.
    aliases: Callable[[], dict[str, str]] | None = None
    # window fields: the inputs the builder shows for the field's dict value.
    inputs: tuple[WindowInput, ...] = ()
    # A field whose build reads another table (a sub-query), not a column of Person: such
    # a rule costs more than the member list's one-table menus (for callers that care).
    related: bool = False
    # The rule in words for ``describe`` ("has community activity in the last 180 days"),
    # given the operator and the parsed value; default: "<label> <operator> <value>".
    words: Callable[[str, Any], str] | None = None

    def operators(self) -> tuple[str, ...]:
        return self.ops or TYPES[self.type]


@dataclass(frozen=True)
class WindowInput:
    """One input of a ``window`` field's value (``{name: value, …}``) in the builder:
    ``type`` is choice, number, date or text; ``choices`` as for a choice field."""

    name: str
    label: str
    type: str = "text"
    choices: Callable[[], Iterable[tuple[str, str]]] | None = None
    help: str = ""


_fields: dict[str, FilterField] = {}
# Families of fields that depend on the association (custom fields): a key prefix, a
# resolver from the rest of the key to a field, and a lister of the association's fields.
_families: dict[str, tuple[Callable[[str], FilterField | None],
                           Callable[[], Iterable[FilterField]]]] = {}


def register_filter(field: FilterField) -> None:
    """Add a field to the language; registering a key again replaces it."""
    if field.type not in TYPES:
        raise ValueError(f"unknown filter type {field.type!r}; one of {sorted(TYPES)}")
    unknown = set(field.operators()) - set(TYPES[field.type])
    if unknown:
        raise ValueError(f"{field.key}: operators {sorted(unknown)} are not {field.type} ones")
    _fields[field.key] = field


def register_family(prefix: str, *, resolve: Callable[[str], FilterField | None],
                    listing: Callable[[], Iterable[FilterField]]) -> None:
    """Fields named ``<prefix>.<name>`` that exist per association (custom fields):
    ``resolve(name)`` gives the field in the current scope (or None), ``listing()`` all of
    them. Both run inside the association's scope."""
    _families[prefix] = (resolve, listing)


def filter_field(key: str) -> FilterField | None:
    if key in _fields:
        return _fields[key]
    prefix, _, rest = key.partition(".")
    family = _families.get(prefix)
    return family[0](rest) if family and rest else None


def filter_fields() -> list[FilterField]:
    """Every field of the current association, grouped and ordered as the builder shows
    them (the families' fields are read in the current scope)."""
    found = list(_fields.values())
    for _resolve, listing in _families.values():
        found.extend(listing())
    return sorted(found, key=lambda f: (f.group, f.order, f.label))


def autodiscover() -> None:
    autodiscover_modules("filters")
