"""Traceability links from the plan's objectives to the meetings whose agenda named them
and to their action items (``planning.trace``): two queries for all the objectives on a
page."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min

from commonground.planning import trace
from commonground.tenancy.clock import association_now, association_today

from .models import ActionItem, ActionStatus, AgendaItem
from .selectors_meetings import url_or_blank


def links(association, objective_ids: Iterable[int]) -> dict[int, list[trace.TraceLink]]:
    ids = list(objective_ids)
    out: dict[int, list[trace.TraceLink]] = {}
    slug = association.slug
    # One link per (objective, meeting), however many of its items named the objective.
    rows = (AgendaItem.objects.filter(association=association, objective_id__in=ids)
            .values("objective_id", "meeting_id", "meeting__title", "meeting__starts_at",
                    "meeting__status")
            .annotate(first=Min("id")).order_by("meeting__starts_at", "meeting_id"))
    for r in rows:
        local = association_now(association, at=r["meeting__starts_at"])
        out.setdefault(r["objective_id"], []).append(trace.TraceLink(
            kind="meeting", label=f"{r['meeting__title']}, {local:%-d %b %Y}",
            url=url_or_blank("meeting_detail", association=slug, meeting_id=r["meeting_id"]),
            state=r["meeting__status"]))
    today = association_today(association)
    base = url_or_blank("action_item_list", association=slug)
    for a in (ActionItem.objects.filter(association=association, objective_id__in=ids)
              .only("id", "objective_id", "title", "status", "due_on").order_by("due_on", "id")):
        state = "overdue" if a.status == ActionStatus.OPEN and a.due_on < today else a.status
        out.setdefault(a.objective_id, []).append(trace.TraceLink(
            kind="action_item", label=f"{a.title} (due {a.due_on:%-d %b %Y})",
            url=f"{base}?show=all#action-{a.pk}" if base else "", state=state))
    return out


def register() -> None:
    trace.register(links)
