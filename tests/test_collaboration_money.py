"""collaboration.money.split_to_cents: parts sum to the total to the cent, follow the
weights within a cent, are deterministic, and bad input is a field message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.collaboration.money import split_to_cents
from commonground.core.errors import ValidationFailed

totals = st.integers(min_value=-10**9, max_value=10**11).map(lambda c: Decimal(c) / 100)
weights = st.lists(
    st.one_of(st.integers(min_value=0, max_value=10**6),
              st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False,
                          allow_infinity=False)),
    min_size=1, max_size=25).filter(lambda ws: sum(Decimal(w) for w in ws) > 0)


@settings(max_examples=300, deadline=None)
@given(totals, weights)
def test_split_sums_to_total_and_follows_weights(total, ws):
    parts = split_to_cents(total, ws)
    assert len(parts) == len(ws)
    assert sum(parts) == total
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)
    weight_sum = sum(Decimal(w) for w in ws)
    for part, w in zip(parts, ws, strict=True):
        if Decimal(w) == 0:
            assert part == 0
        exact = total * Decimal(w) / weight_sum
        assert abs(part - exact) < Decimal("0.01")  # within one cent of the exact share
        assert (part >= 0) if total >= 0 else (part <= 0)
    assert split_to_cents(total, ws) == parts  # deterministic


def test_examples_and_ties():
    assert split_to_cents(Decimal("100.00"), [1, 1, 1]) == [
        Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert split_to_cents(Decimal("0.02"), [1, 1, 1]) == [
        Decimal("0.01"), Decimal("0.01"), Decimal("0.00")]
    assert split_to_cents(Decimal("-100.00"), [1, 1, 1]) == [
        Decimal("-33.34"), Decimal("-33.33"), Decimal("-33.33")]
    assert split_to_cents(Decimal("10.00"), [Decimal("33.333"), Decimal("66.667")]) == [
        Decimal("3.33"), Decimal("6.67")]
    assert split_to_cents(Decimal("0"), [5, 0]) == [Decimal("0.00"), Decimal("0.00")]
    assert split_to_cents(7, [0, 3, 1]) == [Decimal("0.00"), Decimal("5.25"), Decimal("1.75")]


@pytest.mark.parametrize(("total", "ws", "field"), [
    (Decimal("1.001"), [1], "total"),
    (Decimal("1"), [], "weights"),
    (Decimal("1"), [0, 0], "weights"),
    (Decimal("1"), [1, -1], "weights"),
    (Decimal("NaN"), [1], "total"),
])
def test_refusals_are_field_messages(total, ws, field):
    with pytest.raises(ValidationFailed) as exc:
        split_to_cents(total, ws)
    assert field in exc.value.fields
