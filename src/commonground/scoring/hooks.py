"""How scoring plugs into the apps below it, connected in ``ScoringConfig.ready()``: score
updates when activity lands or value changes, the profile panel, the subject-access export,
people merged or erased."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from commonground.activity.models import Activity
from commonground.activity.signals import activities_landed
from commonground.engagement.signals import value_changed
from commonground.people import extensions, signals
from commonground.people.models import Person

from . import services
from .selectors import explain, score_of, snapshots_of
from .tasks import enqueue_people
from .views import profile_context


def on_activities_landed(sender, *, association, batch_id: int, person_ids: list[int], **kwargs) -> None:
    enqueue_people(association.pk, person_ids)


def on_value_changed(sender, *, association, person_ids: list[int], **kwargs) -> None:
    enqueue_people(association.pk, person_ids)


def on_merge_starting(sender, *, association, keep: Person, remove: Person, **kwargs) -> None:
    """Scores are one per person (and snapshot month): the removed person's go before the
    merge moves rows, so they never clash with the kept person's."""
    services.scores_forget(association=association, person_id=remove.pk)


def on_merged(sender, *, association, keep: Person, removed_id: int, **kwargs) -> None:
    """The kept person now holds the merged activity and contributions: score them again."""
    services.scores_recompute(association=association, person_ids=[keep.pk])


def profile_panel(request: HttpRequest, person: Person) -> dict[str, Any]:
    return profile_context(request, person)


def export(person: Person) -> tuple[Any, dict[str, list[int]]]:
    score = score_of(person.association, person)
    data: dict[str, Any] = {"score": None, "snapshots": []}
    if score is not None:
        why = explain(score)
        data["score"] = {"total": round(score.total, 1), "derived": round(score.derived, 1),
                         "created": round(score.created, 1), "level": why.level,
                         "as_of": score.as_of.isoformat(), "config_version": why.version,
                         "items": [{k: i[k] for k in ("label", "side", "n", "points")}
                                   for i in why.items]}
    data["snapshots"] = [{"month": s.month.isoformat(), "total": round(s.total, 1),
                          "derived": round(s.derived, 1), "created": round(s.created, 1)}
                         for s in snapshots_of(person.association, person, months=120)]
    return data, {}


def connect() -> None:
    activities_landed.connect(on_activities_landed, sender=Activity, dispatch_uid="scoring.landed")
    value_changed.connect(on_value_changed, dispatch_uid="scoring.value_changed")
    signals.person_merge_starting.connect(on_merge_starting, sender=Person,
                                          dispatch_uid="scoring.merge_starting")
    signals.person_merged.connect(on_merged, sender=Person, dispatch_uid="scoring.merged")
    extensions.profile_panels.register(extensions.ProfilePanel(
        key="score", template="scoring/_profile_panel.html", order=150, context=profile_panel))
    extensions.data_sections.register(extensions.DataSection(key="engagement_score", export=export,
                                                            order=300))
