"""What the engagement services share: input parsing and the checks every write makes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from commonground.core.errors import ValidationFailed
from commonground.people.models import Person
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association


def actor_user(actor: Any):
    """The user to record as having acted, or None for the system (tasks, commands)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)


def clean_text(value: Any, *, field: str, errors: dict[str, list[str]], max_length: int,
               required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.setdefault(field, []).append("required")
    elif len(text) > max_length:
        errors.setdefault(field, []).append(f"at most {max_length} characters")
    elif "\x00" in text:
        errors.setdefault(field, []).append("contains a NUL character")
    return text


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
