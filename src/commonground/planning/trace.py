"""Traceability links into the plan from the apps above it (negotiation's meetings,
decisions and action items), so the plan page can show "discussed in …" without planning
importing them: an app registers a provider in its ``ready()``.

A provider is ``fn(association, objective_ids) -> {objective_id: [TraceLink, …]}``; it
runs one query per kind of link for all the objectives on a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TraceLink:
    kind: str       # "meeting", "decision", "action_item"
    label: str      # "Regulation meeting, 12 Sep 2026"
    url: str
    state: str = ""  # "open", "approved", "overdue"…


Provider = Callable[[object, Iterable[int]], dict[int, list[TraceLink]]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links(association, objective_ids: Iterable[int]) -> dict[int, list[TraceLink]]:
    ids = list(objective_ids)
    out: dict[int, list[TraceLink]] = {i: [] for i in ids}
    if not ids:
        return out
    for provider in _providers:
        for oid, found in provider(association, ids).items():
            out.setdefault(oid, []).extend(found)
    return out
