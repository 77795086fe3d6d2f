"""Traceability links from the plan's objectives to the decisions that name them."""

from __future__ import annotations


def register() -> None:
    """Register the provider with planning.trace (filled by the decisions work)."""
