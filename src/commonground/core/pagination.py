"""Keyset (cursor) pagination: the one cursor codec, and ``paginate`` for API lists.

A cursor is opaque to clients: URL-safe base64 of the JSON ``{"k": [sort values…, id],
"b": 1}`` of the row a page ends at (``b`` only for a cursor that pages backwards, as the
staff member list's "Previous" does). The next page is ``WHERE (key, id) > (values, id)``
— no OFFSET, so page N costs the same as page 1 and rows inserted meanwhile never shift a
page. Every list, API or page, encodes and decodes its cursors here.

A cursor this codec did not write (tampered, truncated, from another list) is
``InvalidCursor``: the API answers 422 with a message on the ``cursor`` field
(``decode_cursor``); a page ignores it and shows the first page (``read_cursor``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from ninja import Schema
from pydantic import Field

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `?cursor=` to get the next page; null on the last page.")


class InvalidCursor(ValidationFailed):
    """A cursor this codec did not write; a 422 on the ``cursor`` field through the API."""

    def __init__(self, reason: str = "not a cursor from this list") -> None:
        super().__init__("Invalid cursor", fields={"cursor": [reason]})


class Cursor(NamedTuple):
    key: list[Any]  # the sort values of the row the page ends at, its id last
    backwards: bool = False


def encode_cursor(key: Sequence[Any], *, backwards: bool = False) -> str:
    """A cursor after (or, ``backwards``, before) the row whose sort key is ``key``: its
    sort values, then its id (an int). Dates and other values are written as text."""
    data: dict[str, Any] = {"k": list(key)}
    if backwards:
        data["b"] = 1
    raw = json.dumps(data, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int | None = None) -> Cursor:
    """The key and direction in ``cursor``; ``InvalidCursor`` for anything this codec did
    not write, or (with ``size``) a key of another length than the list's."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise InvalidCursor() from None
    if not isinstance(data, dict) or set(data) - {"k", "b"}:
        raise InvalidCursor()
    key, backwards = data.get("k"), data.get("b", 0)
    if (type(backwards) is not int or backwards not in (0, 1)
            or not isinstance(key, list) or not key or type(key[-1]) is not int
            or abs(key[-1]) > MAX_ID  # the database would overflow, not just find nothing
            or (size is not None and len(key) != size)):
        raise InvalidCursor()
    return Cursor(key=key, backwards=bool(backwards))


def read_cursor(cursor: str | None, *, size: int | None = None) -> Cursor | None:
    """For pages: the decoded cursor, or None (show the first page) when it is missing or
    is not one of ours — a mangled link is never an error page."""
    if not cursor:
        return None
    try:
        return decode_cursor(cursor, size=size)
    except InvalidCursor:
        return None


def clamp_limit(limit: int | None) -> int:
    """Any limit above MAX_LIMIT is served as MAX_LIMIT; below 1 is refused."""
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1:
        raise ValidationFailed("Invalid limit", fields={"limit": ["must be at least 1"]})
    return min(limit, MAX_LIMIT)


def paginate(qs: QuerySet, *, cursor: str | None, limit: int | None,
             key: str = "id") -> dict[str, Any]:
    """One page of ``qs`` ordered by ``(key, id)`` ascending; ``key`` must be non-null."""
    limit = clamp_limit(limit)
    qs = qs.order_by("id") if key == "id" else qs.order_by(key, "id")
    if cursor:
        value, pk = decode_cursor(cursor, size=2).key
        if key == "id":
            if value != pk:  # an id-ordered list writes [id, id]
                raise InvalidCursor()
            qs = qs.filter(id__gt=pk)
        else:
            field = qs.model._meta.get_field(key)
            try:
                value = field.to_python(value)
            except (DjangoValidationError, TypeError, ValueError):  # e.g. a list for a date
                raise InvalidCursor() from None
            if value is None:
                raise InvalidCursor()
            qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": pk}))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        sort_value = last.pk if key == "id" else getattr(last, key)
        if hasattr(sort_value, "isoformat"):
            sort_value = sort_value.isoformat()
        next_cursor = encode_cursor([sort_value, last.pk])
    return {"items": rows, "next_cursor": next_cursor}
