"""Engagement score staff pages: the profile panel, the person's explanation, the settings
page (edit the model, check it against past renewals before saving)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.people.models import Person

from . import selectors


def explanation_context(association: Any, person: Person) -> dict[str, Any]:
    """What "why 72?" and "why +8?" show, for the staff panel and the member's page."""
    score = selectors.score_of(association, person)
    if score is None:
        return {"score": None, "person": person}
    change = selectors.change_since_snapshot(score)
    return {"score": score, "person": person, "why": change.now, "change": change,
            "levels": selectors.level_names(association),
            "trend": selectors.snapshots_of(association, person)}


def profile_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {**explanation_context(request.association, person), "request": request}
