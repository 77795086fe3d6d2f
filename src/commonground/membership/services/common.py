"""What the membership services share: money parsing and the acting user."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from commonground.core.errors import ValidationFailed

CENT = Decimal("0.01")


def parse_money(value: Any, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """Exact money from user input: a Decimal with at most two places, never a float."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationFailed("Not an amount", fields={field: ["not a number"]}) from None
    if not amount.is_finite():
        raise ValidationFailed("Not an amount", fields={field: ["not a number"]})
    # Before quantize(): a huge exponent ("1E100") makes quantize itself raise.
    if abs(amount) >= Decimal("1e10"):
        raise ValidationFailed("Amount too large", fields={field: ["too large"]})
    if amount != amount.quantize(CENT):
        raise ValidationFailed("Too many decimal places", fields={field: ["at most 2 decimals"]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed("Amount must be positive", fields={field: ["must be positive"]})
    return amount.quantize(CENT)


def actor_user(actor):
    """The user to record as having acted, or None for the system (tasks, imports)."""
    return actor if getattr(actor, "is_authenticated", False) else None
