"""What joint decisions plug in: the plan's traceability links (an objective → the decisions
that name it) and the agenda source "decisions waiting for one side"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse


def decision_links(association, objective_ids: Iterable[int]) -> dict[int, list]:
    """The decisions of each objective (one query for all of them)."""
    from commonground.planning.trace import TraceLink

    from .models import Decision

    out: dict[int, list] = {}
    rows = (Decision.objects.filter(objective_id__in=list(objective_ids))
            .order_by("opened_at", "id").values_list("pk", "objective_id", "title", "status"))
    for pk, objective_id, title, status in rows:
        out.setdefault(objective_id, []).append(TraceLink(
            kind="decision", label=title, state=status,
            url=reverse("decision_detail", kwargs={"association": association.slug,
                                                   "decision_id": pk})))
    return out


def waiting_decisions(*, association: Any, meeting: Any, today: date) -> Iterable:
    """Open decisions one side signed off and the other has not: the meeting should hear
    why the other side hesitates."""
    from . import selectors_decisions as sel
    from .agenda import AgendaProposal

    for decision, side in sel.waiting_for_one_side(association):
        done = [s for s in decision.tally.required if s.side != side]
        yield AgendaProposal(
            origin_key=f"decision:{decision.pk}",
            title=f"Decision waiting for the {side} side: {decision.title}"[:300],
            body=(f"The {' and '.join(s.label for s in done)} signed; "
                  f"the {sel.SIDE_LABEL[side]} has not yet."
                  + (f" Positions close on {decision.closes_on}." if decision.closes_on
                     else "")),
            objective_id=decision.objective_id, decision_id=decision.pk)


def register() -> None:
    from commonground.planning import trace

    from .agenda import register_source

    trace.register(decision_links)
    register_source("decisions_waiting", waiting_decisions,
                    label="Decisions waiting for one side", order=40)
