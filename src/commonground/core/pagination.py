"""Keyset (cursor) pagination for API lists.

The cursor is opaque to clients: URL-safe base64 of the JSON ``[sort value, id]`` of the
last row served. The next page is ``WHERE (key, id) > (value, last_id)`` — no OFFSET,
so page N costs the same as page 1 and rows inserted meanwhile never shift a page.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from ninja import Schema
from pydantic import Field

from commonground.core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `?cursor=` to get the next page; null on the last page.")


def encode_cursor(value: Any, pk: int) -> str:
    payload = json.dumps([value, pk], default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        return value, pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed("Invalid cursor", fields={"cursor": ["not a cursor from this API"]})


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
        value, pk = decode_cursor(cursor)
        if key == "id":
            qs = qs.filter(id__gt=pk)
        else:
            field = qs.model._meta.get_field(key)
            try:
                value = field.to_python(value)
            except DjangoValidationError:
                raise ValidationFailed("Invalid cursor", fields={"cursor": ["not a cursor"]})
            if value is None:
                raise ValidationFailed("Invalid cursor", fields={"cursor": ["not a cursor"]})
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
        next_cursor = encode_cursor(sort_value, last.pk)
    return {"items": rows, "next_cursor": next_cursor}
