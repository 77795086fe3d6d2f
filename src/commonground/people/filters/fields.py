"""People's own fields of the filter language: name or email, chapter, email, city,
country, created, and the association's custom fields (``custom.<key>``, typed by their
definition)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)

from ..models import Chapter, CustomFieldDefinition, FieldKind
from .builders import choice_q, date_q, id_or_slug, on_column
from .registry import FilterField, register_family, register_filter

# Person search: a query is cut to MAX_SEARCH_LENGTH characters, then its first
# MAX_SEARCH_WORDS words must all match (each word is one more LIKE on the indexed column).
MAX_SEARCH_LENGTH = 100
MAX_SEARCH_WORDS = 5


def search_terms(q: str | None) -> list[str]:
    """The words of a person search, lower-cased: the one rule for finding people by text
    (this field, ``people.selectors.person_search`` for the export command, the
    prospects page)."""
    return (q or "").strip()[:MAX_SEARCH_LENGTH].lower().split()[:MAX_SEARCH_WORDS]


def _search(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    # Every word on the raw indexed column; words past MAX_SEARCH_WORDS are ignored.
    q = Q()
    for term in search_terms(str(value)):
        q &= Q(search_text__contains=term)
    return q


def _chapters() -> Iterable[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Chapter.objects.order_by("name")
            .values_list("id", "name")]


def _chapter_slugs() -> dict[str, str]:
    return {slug: str(pk) for pk, slug in Chapter.objects.values_list("id", "slug")}


def _created(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    return date_q("created_at__date", op, value, ctx["today"])


register_filter(FilterField(
    key="search", label="Name or email", type="text", ops=("contains",), order=10,
    build=_search, help="Every word must appear in the name or the email address."))
register_filter(FilterField(
    key="chapter", label="Chapter", type="choice", order=20,
    build=id_or_slug("chapter_id", "chapter"),
    choices=_chapters, aliases=_chapter_slugs))
register_filter(FilterField(
    key="email", label="Email address", type="text", order=30,
    ops=("contains", "is_empty", "is_not_empty"), build=on_column("email", "text")))
register_filter(FilterField(
    key="city", label="City", type="text", order=40, build=on_column("city", "text")))
register_filter(FilterField(
    key="country", label="Country", type="text", order=50, ops=("is", "is_empty",
                                                                   "is_not_empty"),
    build=on_column("country", "text"), help="Two-letter code, e.g. US, GB."))
register_filter(FilterField(
    key="created", label="Added on", type="date", order=60, build=_created,
    help="The day the person was added to the database."))


# ---------------------------------------------------------------- custom fields

_NUMBER_OPS = {"eq": Exact, "lt": LessThan, "lte": LessThanOrEqual, "gt": GreaterThan,
               "gte": GreaterThanOrEqual}


def _custom_build(key: str, kind: str):
    path = f"custom__{key}"

    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        if kind == FieldKind.NUMBER:
            # Values are stored as decimal strings (people.customfields.clean_value).
            number = Cast(KT(path), FloatField())
            has = Q(**{f"{path}__isnull": False})
            if op == "between":
                return has & Q(GreaterThanOrEqual(number, value[0])) \
                    & Q(LessThanOrEqual(number, value[1]))
            return has & Q(_NUMBER_OPS[op](number, value))
        if kind == FieldKind.DATE:
            return _custom_date(key, op, value, ctx["today"])
        if kind == FieldKind.BOOLEAN:
            return Q(**{path: value})
        if kind == FieldKind.CHOICE:
            chosen = choice_q(path, "is" if op in ("is", "is_not") else "in", value)
            # "is not" includes people who never had the field set.
            return chosen if op in ("is", "in") else ~chosen | Q(**{f"{path}__isnull": True})
        return _custom_text(key, op, value)

    return build


def _custom_date(key: str, op: str, value: Any, today: date) -> Q:
    text = KT(f"custom__{key}")
    if op == "before":
        return Q(LessThan(text, value.isoformat()))
    if op == "after":
        return Q(GreaterThan(text, value.isoformat()))
    if op == "between":
        low, high = value
    elif op == "in_last_days":
        low, high = today - timedelta(days=value), today - timedelta(days=1)
    else:
        low, high = today, today + timedelta(days=value)
    return Q(GreaterThanOrEqual(text, low.isoformat())) & Q(LessThanOrEqual(text,
                                                                            high.isoformat()))


def _custom_text(key: str, op: str, value: Any) -> Q:
    path = f"custom__{key}"
    if op == "is_empty":
        return Q(**{f"{path}__isnull": True}) | Q(**{path: ""})
    if op == "is_not_empty":
        return Q(**{f"{path}__isnull": False}) & ~Q(**{path: ""})
    return Q(**{f"{path}__{'icontains' if op == 'contains' else 'iexact'}": value})


_KIND_TYPES = {FieldKind.TEXT: "text", FieldKind.URL: "text", FieldKind.NUMBER: "number",
               FieldKind.DATE: "date", FieldKind.BOOLEAN: "bool", FieldKind.CHOICE: "choice"}


def _custom_field(d: CustomFieldDefinition) -> FilterField:
    kind = _KIND_TYPES.get(d.kind, "text")
    choices = None
    if kind == "choice":
        options = [(str(c), str(c)) for c in d.choices]

        def choices() -> list[tuple[str, str]]:
            return options
    return FilterField(key=f"custom.{d.key}", label=d.label, type=kind, group="Custom fields",
                       order=d.position, build=_custom_build(d.key, d.kind), choices=choices,
                       help=d.help_text)


def _resolve(key: str) -> FilterField | None:
    d = CustomFieldDefinition.objects.filter(key=key).first()
    return _custom_field(d) if d is not None else None


def _listing() -> list[FilterField]:
    return [_custom_field(d) for d in CustomFieldDefinition.objects.all()]


register_family("custom", resolve=_resolve, listing=_listing)
