"""The demo's saved segments: a handful a membership team would keep, so the Segments page
is alive at first start and each shows what the filter language can say. Each is counted
(the list shows the counts); one is frozen into the static list a phone round would use.

Run after the engagement scores exist (two segments read them). Saving the same segment
again is skipped, so running the step twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django_scopes import scope

from commonground.segments import selectors, services
from commonground.segments.models import Segment
from commonground.tenancy.models import Association


def _rule(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


SEGMENTS: list[tuple[str, str, dict[str, Any]]] = [
    ("Lapsed in the last year who still attend events",
     "Former members still showing up: the warmest win-back calls.",
     {"op": "and", "rules": [
         _rule("membership.lapsed", "in_last_days", 365),
         _rule("membership.current", "is", False),
         _rule("activity", "matches", {"category": "community", "last_days": 180})]}),
    ("Expiring in 60 days, low engagement",
     "Renewals at risk: ending soon and the lowest engagement level.",
     {"op": "and", "rules": [
         _rule("membership.ends", "in_next_days", 60),
         _rule("membership.current", "is", True),
         _rule("score.level", "is", "0")]}),
    ("Engaged non-members",
     "People who are not members but did something three times or more this quarter.",
     {"op": "and", "rules": [
         _rule("membership.current", "is", False),
         _rule("activity", "matches", {"last_days": 90, "min_count": 3})]}),
    ("New members this quarter",
     "Joined in the last 90 days: the welcome programme.",
     {"op": "and", "rules": [_rule("membership.joined", "in_last_days", 90)]}),
    ("Members who learn or volunteer",
     "Current members with a course or a volunteer shift in the last year.",
     {"op": "and", "rules": [
         _rule("membership.current", "is", True),
         {"op": "or", "rules": [
             _rule("activity", "matches", {"category": "learning", "last_days": 365}),
             _rule("activity", "matches", {"category": "volunteering", "last_days": 365})]}]}),
]
FROZEN = ("Expiring in 60 days, low engagement", "Renewal calls — expiring, low engagement")


def derive(association: Association, *, today: date,
           say: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    made = 0
    with scope(association=association):
        by_name = {s.name: s for s in Segment.objects.all()}
        for name, description, definition in SEGMENTS:
            if name in by_name:
                continue
            segment = services.segment_create(association=association, name=name,
                                              description=description, definition=definition)
            selectors.segment_count(segment)
            by_name[name] = segment
            made += 1
        source, frozen_name = FROZEN
        if frozen_name not in by_name and source in by_name:
            services.segment_freeze(association=association, segment=by_name[source],
                                    name=frozen_name)
            made += 1
    say(f"segments: {made} saved")
    return {"segments": made}
