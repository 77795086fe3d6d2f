"""Reading the planning forms' values the same way in services, views and the CLI: text
with a limit, ISO dates, decimals; each mistake as a field message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from commonground.core.cleaning import clean_text
from commonground.core.errors import ValidationFailed

MAX_TITLE = 200
MAX_TEXT = 10_000


def fail(errors: dict[str, list[str]], message: str = "Please correct the highlighted fields"):
    if errors:
        raise ValidationFailed(message, fields=errors)


def text(errors: dict[str, list[str]], name: str, value: str | None, *, required: bool = True,
          limit: int = MAX_TITLE) -> str:
    return clean_text(value, field=name, errors=errors, max_length=limit, required=required)


def parse_date(errors: dict[str, list[str]], name: str, value: date | str | None, *,
          required: bool = True) -> date | None:
    """A date from a date or an ISO string (forms and the CLI send text)."""
    if isinstance(value, date):
        return value
    if value in (None, ""):
        if required:
            errors[name] = ["required"]
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = ["a date as YYYY-MM-DD"]
        return None


def parse_decimal(errors: dict[str, list[str]], name: str, value: Any, *,
                  required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[name] = ["required"]
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors[name] = ["a number, e.g. 1200 or 12.5"]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e13"):
        errors[name] = ["a number below 10,000,000,000,000"]
        return None
    return number.quantize(Decimal("0.01"))
