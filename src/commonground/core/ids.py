"""The one bound on database ids.

Every primary key is a 64-bit signed integer (``BigAutoField``), so no row has an id above
``MAX_ID``. Ids from outside (API paths and bodies, query strings, form fields) are checked
against it before they reach the database: a larger number would be an overflow error
there (a 500), where the caller should get "not found" or a field error.
"""

from __future__ import annotations

from ninja import Path

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A positive id from text (a query parameter, a form field); None for anything else:
    blank, signed, non-ASCII digits ("²"), zero, or beyond ``MAX_ID``."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def path_id(**kw):
    """An API path parameter holding an id: positive and within ``MAX_ID``, so a larger
    number is a 422 from the schema rather than an overflow in the database."""
    return Path(..., ge=1, le=MAX_ID, **kw)
