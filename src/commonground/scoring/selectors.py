"""Reads of the scoring app (never a write): scores, levels, explanations, configs.

Other apps use ``scores_for`` (matching ranks by engagement; dashboards) and
``level_names``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from commonground.people.models import Person
from commonground.tenancy.models import Association

from . import engine
from .config import DEFAULT
from .config import level_names as _level_names
from .models import Score, ScoreConfig, ScoreSnapshot

ITEM_LABELS = {"a": "activity", "c": "verified contributions", "o": "reported outcomes"}


def scores_for(association: Association, person_ids: Iterable[int]) -> dict[int, Score]:
    """``{person_id: Score}`` of those people that have a score (staff never do; people
    not yet scored are missing: count them as 0)."""
    ids = list({int(p) for p in person_ids})
    if not ids:
        return {}
    return {s.person_id: s for s in Score.objects.filter(association=association, person_id__in=ids)
            .select_related("config")}


def latest_config(association: Association) -> ScoreConfig | None:
    return ScoreConfig.objects.filter(association=association).order_by("-version").first()


def level_names(association: Association | None = None) -> list[str]:
    """The level names, lowest first, of the association's current configuration."""
    cfg = latest_config(association) if association is not None else None
    return _level_names(cfg.params if cfg else DEFAULT)


def level_name(score: Score | ScoreSnapshot) -> str:
    names = _level_names(score.config.params)
    return names[min(score.level, len(names) - 1)]


def config_versions(association: Association) -> list[ScoreConfig]:
    return list(ScoreConfig.objects.filter(association=association).order_by("-version"))


@dataclass
class Explanation:
    """"Why 72?": a score's items with the weights of the version it was computed with."""

    score: Score | ScoreSnapshot
    version: int
    level: str
    items: list[dict[str, Any]]
    sides: dict[str, dict[str, Any]]
    total: float
    config: dict[str, Any] = field(repr=False, default_factory=dict)


def _label(item: dict[str, Any]) -> str:
    kind = item["kind"].replace("_", " ")
    if item["source"] == "a":
        return f"{kind} ({item['category']})"
    return f"{kind} — {ITEM_LABELS[item['source']]}"


def explain(score: Score | ScoreSnapshot) -> Explanation:
    cfg = score.config.params
    parts = engine.explain_items(engine.parse_components(score.components), cfg)
    items = []
    for item in parts["items"]:
        items.append({**item, "label": _label(item), "capped": item["raw"] > item["cap"],
                      "points": round(item["points"], 2), "raw": round(item["raw"], 2),
                      "decayed": round(item["decayed"], 2)})
    return Explanation(score=score, version=score.config.version, level=level_name(score),
                       items=items, sides=parts["sides"], total=parts["total"], config=cfg)


@dataclass
class Change:
    """"Why +8 since the last snapshot?": per item, the points then (with the snapshot's
    own version) and now (with the current score's)."""

    now: Explanation
    then: Explanation | None
    delta: float
    items: list[dict[str, Any]]  # key, label, side, then, now, delta — biggest moves first


def change_since_snapshot(score: Score) -> Change:
    snap = (ScoreSnapshot.objects.filter(person_id=score.person_id, month__lte=score.as_of)
            .select_related("config").order_by("-month").first())
    now = explain(score)
    if snap is None:
        return Change(now=now, then=None, delta=0.0, items=[])
    then = explain(snap)
    before = {i["key"]: i for i in then.items}
    after = {i["key"]: i for i in now.items}
    rows = []
    for key in sorted(before.keys() | after.keys()):
        b, a = before.get(key), after.get(key)
        pts_b, pts_a = (b["points"] if b else 0.0), (a["points"] if a else 0.0)
        if abs(pts_a - pts_b) < 0.005:
            continue
        ref = a or b
        rows.append({"key": key, "label": ref["label"], "side": ref["side"], "then": pts_b,
                     "now": pts_a, "delta": round(pts_a - pts_b, 2)})
    rows.sort(key=lambda r: -abs(r["delta"]))
    return Change(now=now, then=then, delta=round(score.total - snap.total, 1), items=rows)


def score_of(association: Association, person: Person) -> Score | None:
    return (Score.objects.filter(association=association, person=person)
            .select_related("config").first())


def snapshots_of(association: Association, person: Person, *, months: int = 12) -> list[ScoreSnapshot]:
    return list(ScoreSnapshot.objects.filter(association=association, person=person)
                .select_related("config").order_by("-month")[:months])[::-1]
