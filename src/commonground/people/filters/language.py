"""Parse, check and evaluate a definition of the person-filter language.

``parse(definition)`` checks a definition against the registry and returns the tree with
every value parsed to its field's type — or raises ``ValidationFailed`` whose ``fields``
name the place of each mistake by its path (``rules.1.rules.0.value``), so the builder and
the API show the message next to the input. ``person_queryset`` turns it into people.

Shape: a group ``{"op": "and"|"or", "rules": [...]}``, groups nest at most ``MAX_DEPTH``
levels (the top group is the first), at most ``MAX_RULES`` rules in all. ``{}`` and a group
without rules select everyone (erased people are never selected).

Dates and windows are relative to the association's "today": ``in_last_days n`` is
``today - n <= d < today`` and ``in_next_days n`` is ``today <= d <= today + n`` (a
membership ending today is still running today), so ``ends in_next_days 60`` and ``ends
in_last_days 90`` are the member list's "ends within 60 days" and "ended in the last 90".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from commonground.core.errors import ValidationFailed

from .registry import FilterField, filter_field

MAX_DEPTH = 3
MAX_RULES = 50
MAX_DAYS = 36_500  # a hundred years: any longer window is a typo
MAX_TEXT = 200
MAX_CHOICES = 200

OP_LABELS: dict[str, str] = {
    "is": "is", "is_not": "is not", "in": "is any of", "not_in": "is none of",
    "eq": "=", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "between": "between",
    "before": "before", "after": "after", "in_last_days": "in the last … days",
    "in_next_days": "in the next … days", "contains": "contains",
    "is_empty": "is empty", "is_not_empty": "is not empty",
    "matches": "has", "not_matches": "has not",
}

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


@dataclass
class Rule:
    field: FilterField
    op: str
    value: Any  # parsed to the field's type (see the registry's table)
    raw: Any = None  # the JSON value, normalised (what is saved)


@dataclass
class Group:
    op: str = "and"
    rules: list[Rule | Group] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.rules = 0

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path or "definition", []).append(message)


def _at(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# ---------------------------------------------------------------- values

def parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("Give a date as YYYY-MM-DD.")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"“{value[:40]}” is not a date (YYYY-MM-DD).") from None


def parse_days(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("Give a number of days.")
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else value
    except ValueError:
        raise ValueError("Give a number of days.") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError("Give a whole number of days.")
    days = int(number)
    if days < 1:
        raise ValueError("A window of days must be at least 1 day.")
    if days > MAX_DAYS:
        raise ValueError(f"At most {MAX_DAYS:,} days.")
    return days


def parse_number(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError("Give a number.")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError("Give a number.") from None
    if not math.isfinite(number):
        raise ValueError("Give a number.")
    return number


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("Choose yes or no.")


def _pair(value: Any, parse: Any, what: str) -> tuple[Any, Any]:
    if isinstance(value, dict):
        value = [value.get("from"), value.get("to")]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"Give two {what}: from and to.")
    low, high = parse(value[0]), parse(value[1])
    if low > high:
        raise ValueError(f"Impossible window: the start ({value[0]}) is after the end "
                         f"({value[1]}).")
    return low, high


def _choice_values(f: FilterField, value: Any, *, many: bool, check: bool) -> Any:
    items = value if many else [value]
    if many and not isinstance(value, (list, tuple)):
        items = [v for v in str(value).split(",") if v.strip()] if isinstance(value, str) \
            else None
    if not items and many:
        raise ValueError("Choose at least one value.")
    if items is None or len(items) > MAX_CHOICES \
            or any(isinstance(v, (dict, list, bool)) or v is None for v in items):
        raise ValueError("Choose one of the values offered.")
    texts = [str(v).strip()[:MAX_TEXT] for v in items]
    if any(not t for t in texts):
        raise ValueError("Choose one of the values offered.")
    if check and f.choices is not None:
        known = {str(k): str(k) for k, _label in f.choices()}
        if f.aliases is not None:
            known.update({str(a): str(v) for a, v in f.aliases().items()})
        unknown = [t for t in texts if t not in known]
        if unknown:
            raise ValueError(f"No {f.label.lower()} “{unknown[0][:40]}”.")
        texts = [known[t] for t in texts]
    return texts if many else texts[0]


def parse_value(f: FilterField, op: str, value: Any, *, check: bool = True) -> tuple[Any, Any]:
    """``(parsed, normalised JSON)`` of a rule's value, or ``ValueError`` with the message."""
    kind = f.type
    if kind == "choice":
        parsed = _choice_values(f, value, many=op in ("in", "not_in"), check=check)
        return parsed, parsed
    if kind == "number":
        if op == "between":
            low, high = _pair(value, parse_number, "numbers")
            return (low, high), [low, high]
        number = parse_number(value)
        return number, number
    if kind == "date":
        if op in ("in_last_days", "in_next_days"):
            days = parse_days(value)
            return days, days
        if op == "between":
            low, high = _pair(value, parse_date, "dates")
            return (low, high), [low.isoformat(), high.isoformat()]
        day = parse_date(value)
        return day, day.isoformat()
    if kind == "text":
        if op in ("is_empty", "is_not_empty"):
            return "", ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) \
                or not str(value).strip():
            raise ValueError("Give some text.")
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"At most {MAX_TEXT} characters.")
        return text, text
    if kind == "bool":
        flag = parse_bool(value)
        return flag, flag
    if kind == "window":
        if f.parse is None:
            raise ValueError("This field takes no value.")
        parsed = f.parse(value)
        return parsed, _jsonable(parsed)
    raise ValueError(f"Unknown field type {kind}.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- the tree

def _parse_group(raw: Any, prefix: str, depth: int, errors: _Errors, check: bool) -> Group:
    if not isinstance(raw, dict):
        errors.add(prefix, "A group is an object with “op” and “rules”.")
        return Group()
    unknown = set(raw) - {"op", "rules"}
    if unknown:
        errors.add(prefix, f"Unexpected keys: {', '.join(sorted(map(str, unknown)))[:80]}.")
    op = raw.get("op", "and")
    if op not in ("and", "or"):
        errors.add(_at(prefix, "op"), "Choose “and” (all of) or “or” (any of).")
        op = "and"
    rules = raw.get("rules", [])
    if not isinstance(rules, list):
        errors.add(_at(prefix, "rules"), "Rules are a list.")
        return Group(op=op)
    group = Group(op=op)
    for i, item in enumerate(rules):
        path = _at(prefix, f"rules.{i}")
        if isinstance(item, dict) and "rules" in item:
            if depth >= MAX_DEPTH:
                errors.add(path, f"Groups nest at most {MAX_DEPTH} levels deep.")
                continue
            group.rules.append(_parse_group(item, path, depth + 1, errors, check))
            continue
        errors.rules += 1
        if errors.rules > MAX_RULES:
            if errors.rules == MAX_RULES + 1:
                errors.add(path, f"At most {MAX_RULES} rules in a filter.")
            continue
        rule = _parse_rule(item, path, errors, check)
        if rule is not None:
            group.rules.append(rule)
    return group


def _parse_rule(raw: Any, path: str, errors: _Errors, check: bool) -> Rule | None:
    if not isinstance(raw, dict):
        errors.add(path, "A rule is an object with “field”, “op” and “value”.")
        return None
    key = raw.get("field")
    f = filter_field(key) if isinstance(key, str) else None
    if f is None:
        shown = key if isinstance(key, str) else ""
        errors.add(_at(path, "field"), f"Unknown field “{shown[:60]}”." if shown
                   else "Choose a field.")
        return None
    op = raw.get("op")
    if op not in f.operators():
        labels = ", ".join(OP_LABELS.get(o, o) for o in f.operators())
        errors.add(_at(path, "op"), f"“{f.label}” takes: {labels}."
                   + (f" Not “{str(op)[:20]}”." if op else ""))
        return None
    try:
        value, normal = parse_value(f, op, raw.get("value"), check=check)
    except ValueError as exc:
        errors.add(_at(path, "value"), str(exc))
        return None
    return Rule(field=f, op=op, value=value, raw=normal)


def parse(definition: Any, *, check: bool = True) -> Group:
    """The checked tree of ``definition`` (``None`` or ``{}``: everyone).

    ``check`` also checks choice values against the association's (one query per choice
    field used); the member list, whose menus only offer known values, skips it.
    """
    if definition is None or definition == {}:
        return Group()
    errors = _Errors()
    tree = _parse_group(definition, "", 1, errors, check)
    if errors.fields:
        raise ValidationFailed("The filter has mistakes: see the marked rules.",
                               fields=errors.fields)
    return tree


def normalise(tree: Group) -> dict[str, Any]:
    """The JSON of a parsed tree: what a segment saves (values in their canonical form)."""
    return {"op": tree.op, "rules": [
        normalise(r) if isinstance(r, Group) else
        {"field": r.field.key, "op": r.op, "value": r.raw} for r in tree.rules]}


def tree_q(tree: Group, ctx: dict[str, Any]) -> Q:
    """The ``Q`` over ``Person`` of a parsed tree (an empty group: everyone)."""
    parts = [tree_q(r, ctx) if isinstance(r, Group) else r.field.build(r.op, r.value, ctx)
             for r in tree.rules]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if tree.op == "and" else (combined | part)
    return combined


def context(today: date | None = None) -> dict[str, Any]:
    # Imported here: every app's filters.py imports this module at load time, before the
    # app registry is ready, and tenancy's clock imports models.
    from django_scopes import get_scope

    from commonground.tenancy.clock import association_today

    association = get_scope().get("association")
    return {"today": today or association_today(association), "association": association}


def person_queryset(definition: Any, *, today: date | None = None,
                    check: bool = True) -> QuerySet:
    """The people ``definition`` selects in the current association (erased people never),
    unordered. Raises ``ValidationFailed`` with field paths for a bad definition."""
    # Imported here for the same reason as in ``context``: models are not loaded yet when
    # the apps' filters.py modules import the language.
    from ..models import Person

    tree = definition if isinstance(definition, Group) else parse(definition, check=check)
    return Person.objects.filter(erased_at__isnull=True).filter(tree_q(tree, context(today)))


def describe(tree: Group, labels: dict[str, dict[str, str]] | None = None) -> str:
    """The definition in words ("Plan is Gold and Chapter is any of North, South").

    ``labels`` caches each choice field's value labels by key: pass one dict when
    describing many definitions (a list of segments) to read each field's choices once."""
    labels = {} if labels is None else labels

    def words(node: Rule | Group, top: bool) -> str:
        if isinstance(node, Group):
            inner = f" {node.op} ".join(words(r, False) for r in node.rules) or "everyone"
            return inner if top or len(node.rules) < 2 else f"({inner})"
        if node.field.words is not None:
            return node.field.words(node.op, node.value)
        value = node.raw
        if node.field.type == "choice" and node.field.choices is not None:
            if node.field.key not in labels:
                labels[node.field.key] = {str(k): str(v) for k, v in node.field.choices()}
            known = labels[node.field.key]
            value = ", ".join(known.get(v, v) for v in value) if isinstance(value, list) \
                else known.get(value, value)
        elif isinstance(value, list):
            value = " and ".join(map(str, value))
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        op = OP_LABELS.get(node.op, node.op)
        if node.op in ("in_last_days", "in_next_days"):
            return f"{node.field.label} {op.replace('…', str(value))}"
        if node.op in ("is_empty", "is_not_empty"):
            return f"{node.field.label} {op}"
        return f"{node.field.label} {op} {value}"

    return words(tree, True)
