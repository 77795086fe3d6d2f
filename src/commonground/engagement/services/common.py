"""What the engagement services share: input parsing and the checks every write makes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

# Re-exported: the services of this app import them from here.
from commonground.core.cleaning import actor_user as actor_user
from commonground.core.cleaning import clean_text as clean_text
from commonground.core.cleaning import raise_if as raise_if
from commonground.people.models import Person
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association


def clean_choice(value: Any, *, field: str, choices: Any, errors: dict[str, list[str]]) -> str:
    text = "" if value is None else str(value).strip()
    if text not in choices.values:
        errors.setdefault(field, []).append(f"one of {', '.join(choices.values)}")
    return text


def clean_date(value: Any, *, field: str, errors: dict[str, list[str]],
               association: Association, future_days: int = 0) -> date | None:
    """A date (or ISO text) no later than today + ``future_days`` and not before 1900."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault(field, []).append("not a date (YYYY-MM-DD)")
            return None
    if not isinstance(value, date):
        errors.setdefault(field, []).append("required" if value is None else "not a date")
        return None
    latest = association_today(association) + timedelta(days=future_days)
    if value > latest:
        errors.setdefault(field, []).append("may not be in the future")
    elif value.year < 1900:
        errors.setdefault(field, []).append("too far in the past")
    return value


def clean_hours(value: Any, *, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append("not a number")
        return None
    if not hours.is_finite() or hours <= 0 or hours > 10000:
        errors.setdefault(field, []).append("a number of hours between 0 and 10000")
        return None
    if hours != hours.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append("at most 2 decimals")
        return None
    return hours.quantize(Decimal("0.01"))


def check_person(person: Person | None, *, association: Association, field: str,
                 errors: dict[str, list[str]], required: bool = True) -> None:
    if person is None:
        if required:
            errors.setdefault(field, []).append("required")
        return
    if person.association_id != association.pk:
        errors.setdefault(field, []).append("no such person")
    elif person.erased_at:
        errors.setdefault(field, []).append("this person was erased")
