"""Exact money splits: a total divided by weights into cents that sum to the total.

``split_to_cents`` is the one splitter of collaboration (a joint initiative's revenue
split, a shared service's allocation). It uses the largest-remainder method on exact
rationals (``fractions.Fraction`` of the Decimal inputs, never floats): every part gets
the floor of its exact share in cents, and the cents left over go one each to the parts
with the largest remainders; equal remainders go to the earlier part (by position), so
the same inputs always give the same split.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from commonground.core.errors import ValidationFailed

CENT = Decimal("0.01")


def _exact(value: Decimal | int, *, field: str) -> Fraction:
    if isinstance(value, (float, bool)):
        raise TypeError(f"{field} must be a Decimal or an int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValidationFailed("Not a number", fields={field: ["not a finite number"]})
    return Fraction(number)


def split_to_cents(total: Decimal | int, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """``total`` split in proportion to ``weights`` (one part per weight, in order), each
    part a Decimal with two places, the parts summing exactly to ``total``.

    ``total`` must be a whole number of cents (it may be negative: a negative total is
    split as its opposite and every part negated, so a correction mirrors the charge).
    Weights must be ≥ 0 with at least one > 0; a zero weight gets exactly 0.00.
    Refusals are ``ValidationFailed`` with a field message (``total`` / ``weights``)."""
    total_exact = _exact(total, field="total")
    cents_exact = total_exact * 100
    if cents_exact.denominator != 1:
        raise ValidationFailed("The total has more than two decimal places",
                               fields={"total": ["at most 2 decimals"]})
    exact_weights = [_exact(w, field="weights") for w in weights]
    if not exact_weights:
        raise ValidationFailed("Nothing to split between", fields={"weights": ["no parts"]})
    if any(w < 0 for w in exact_weights):
        raise ValidationFailed("A weight is negative",
                               fields={"weights": ["every weight must be 0 or more"]})
    weight_sum = sum(exact_weights, Fraction(0))
    if weight_sum == 0:
        raise ValidationFailed("Nothing to split by: every weight is zero",
                               fields={"weights": ["every weight is zero"]})
    cents = int(cents_exact)
    sign = -1 if cents < 0 else 1
    cents = abs(cents)
    shares = [cents * w / weight_sum for w in exact_weights]
    floors = [s.numerator // s.denominator for s in shares]
    left = cents - sum(floors)
    # Largest remainder first; ties by position (the earlier part wins), deterministic.
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(sign * c) * CENT).quantize(CENT) for c in floors]
