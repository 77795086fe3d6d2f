"""The agenda source registry: what a regulation meeting's agenda is drafted from.

A source looks at the data and proposes items: objectives off pace, a lapse spike in a
chapter, overdue and carried-over action items (``agenda_sources``), decisions waiting
for one side (the decisions part). Each part registers its own, so the drafting service
names none of them::

    from commonground.negotiation.agenda import AgendaProposal, register_source

    def waiting_decisions(*, association, meeting, today):
        for d in ...:
            yield AgendaProposal(origin_key=f"decision:{d.pk}", title=..., decision_id=d.pk)

    register_source("decisions_waiting", waiting_decisions, label="Decisions waiting for
                    one side", order=30)

A source is called inside the association's scope with keyword arguments ``association``,
``meeting`` (the ``Meeting`` being drafted) and ``today`` (the association's date), and
returns an iterable of ``AgendaProposal``. It reads only; ``agenda_draft`` writes. The
``origin_key`` ("objective:12", "lapse_spike:chapter:4", "decision:7", "action:31", at most
80 characters) is what makes drafting idempotent: an item whose key the meeting already has
is not added again, and when two sources propose the same key the first (by ``order``)
wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

ORIGIN_KEY_MAX = 80


@dataclass(frozen=True)
class AgendaProposal:
    origin_key: str
    title: str
    body: str = ""
    # "data" (drafted from the data) or "carried" (open from an earlier meeting).
    origin: str = "data"
    objective_id: int | None = None
    action_item_id: int | None = None
    decision_id: int | None = None


Source = Callable[..., Iterable[AgendaProposal]]


@dataclass(frozen=True)
class AgendaSource:
    key: str
    fn: Source
    label: str
    order: int


_sources: dict[str, AgendaSource] = {}


def register_source(key: str, fn: Source, *, label: str = "", order: int = 100) -> Source:
    """Add a source; registering the same key again replaces it (a reload, a test)."""
    if not key or not callable(fn):
        raise ValueError("an agenda source needs a key and a callable")
    _sources[key] = AgendaSource(key=key, fn=fn, label=label or key, order=order)
    return fn


def unregister_source(key: str) -> None:
    _sources.pop(key, None)


def sources() -> list[AgendaSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


def proposals(*, association: Any, meeting: Any, today: date) -> list[AgendaProposal]:
    """Every source's proposals in source order, one per origin key."""
    seen: set[str] = set()
    out: list[AgendaProposal] = []
    for source in sources():
        for p in source.fn(association=association, meeting=meeting, today=today):
            if not p.origin_key or len(p.origin_key) > ORIGIN_KEY_MAX:
                raise ValueError(f"agenda source {source.key!r}: bad origin key {p.origin_key!r}")
            if p.origin_key in seen:
                continue
            seen.add(p.origin_key)
            out.append(p)
    return out
