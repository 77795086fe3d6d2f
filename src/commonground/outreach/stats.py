"""The statistics of the effect report: a renewal rate per group and the difference of two
proportions with its 95 % confidence interval.

Wilson's score interval for each rate and Newcombe's hybrid score interval for the
difference (Newcombe 1998, "Interval estimation for the difference between independent
proportions", method 10): unlike the textbook Wald interval it stays inside [-1, 1],
behaves at rates near 0 or 1 and with groups of a few dozen — the size of a typical
holdout — and needs nothing beyond the counts. Pure functions of counts, no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(successes: int, n: int, *, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for ``successes`` out of ``n`` (``(0, 1)`` when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n}")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    low = (centre - spread) / denominator
    high = (centre + spread) / denominator
    # Exact at the edges (the formula leaves ±1e-17 there).
    return (0.0 if successes == 0 else max(0.0, low), 1.0 if successes == n else min(1.0, high))


def newcombe(s1: int, n1: int, s2: int, n2: int, *, z: float = Z95) -> tuple[float, float, float]:
    """The difference ``s1/n1 - s2/n2`` and its hybrid score interval ``(diff, low, high)``."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one outcome")
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson(s1, n1, z=z)
    l2, u2 = wilson(s2, n2, z=z)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, max(-1.0, low), min(1.0, high)


@dataclass(frozen=True)
class Comparison:
    """Contacted against held back: the counts, the rates and what can be said."""

    renewed_contact: int
    decided_contact: int
    renewed_holdout: int
    decided_holdout: int
    minimum: int
    difference: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def enough(self) -> bool:
        return min(self.decided_contact, self.decided_holdout) >= self.minimum

    @property
    def verdict(self) -> str:
        """``too_few`` | ``helped`` | ``hurt`` | ``unclear`` (the interval includes 0)."""
        if self.difference is None or not self.enough:
            return "too_few"
        if self.low > 0:
            return "helped"
        if self.high < 0:
            return "hurt"
        return "unclear"


def compare(*, renewed_contact: int, decided_contact: int, renewed_holdout: int,
            decided_holdout: int, minimum: int) -> Comparison:
    """The comparison; the interval is computed whenever both groups have an outcome, and
    the verdict says "too few to tell" while either group has fewer than ``minimum``."""
    base = {"renewed_contact": renewed_contact, "decided_contact": decided_contact,
            "renewed_holdout": renewed_holdout, "decided_holdout": decided_holdout,
            "minimum": minimum}
    if decided_contact == 0 or decided_holdout == 0:
        return Comparison(**base)
    diff, low, high = newcombe(renewed_contact, decided_contact, renewed_holdout, decided_holdout)
    return Comparison(**base, difference=diff, low=low, high=high)
