"""``{% meeting_decisions meeting as found %}``: the decisions of a meeting with their tallies,
for the partial the meeting page includes (so the meetings part needs to pass nothing)."""

from __future__ import annotations

from django import template

from .. import selectors_decisions as sel

register = template.Library()


@register.simple_tag
def meeting_decisions(meeting) -> list:
    if meeting is None or not getattr(meeting, "pk", None):
        return []
    return sel.with_tallies(sel.decision_list(meeting_id=meeting.pk).order_by("opened_at", "id"))
