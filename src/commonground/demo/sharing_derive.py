"""The demo's sharing part of collaboration (see ``collaboration_seed``)."""

from __future__ import annotations

from typing import Any


def derive(state: Any) -> dict[str, int]:
    """Make this part through the services; return counts of what was made."""
    return {}
