"""The score model's parameters: defaults, validation, and reading them.

A configuration is plain JSON (stored whole in each ``ScoreConfig`` version, so a score
computed with version 3 is explained by version 3 even after version 7 changed the
weights). Its parts:

* ``categories``: per activity category, its ``side`` (``derived``: what the member gets;
  ``created``: what the member gives; ``ignore``) and ``weight`` (points per event);
* ``kinds``: per activity kind, overrides of the category's side, a weight multiplier and
  a ``cap`` (the most points one kind can add: one kind never floods the score). Kinds the
  association marks ``ignore`` (automated traffic such as ``email_sent``) never count;
* ``contributions`` / ``outcomes``: points per verified contribution (created) and per
  reported outcome (derived), by kind, ``default`` for the rest;
* ``half_life_days`` (recency decay: an event's points halve every half-life),
  ``lookback_days`` (older events count nothing), ``cap_per_kind``, ``breadth_bonus``
  (points per extra category a side draws on), ``saturation`` (the raw points at which a
  sub-score reaches 63 of 100), ``shares`` (derived vs created in the total);
* ``levels``: ``[name, minimum total]`` ascending from 0, and ``demotion_months``: a level
  drops only after the total stayed below it that long (promotion is at once).
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from commonground.activity.models import Category
from commonground.core.errors import ValidationFailed
from commonground.engagement.models import ContributionKind, OutcomeKind

SIDES = ("derived", "created", "ignore")
KIND_RE = re.compile(r"^[a-z0-9_.:-]{1,40}$")

DEFAULT: dict[str, Any] = {
    "half_life_days": 180,
    "lookback_days": 730,
    "cap_per_kind": 30.0,
    "breadth_bonus": 2.0,
    "saturation": {"derived": 40.0, "created": 20.0},
    "shares": {"derived": 0.5, "created": 0.5},
    "categories": {
        "learning": {"side": "derived", "weight": 2.0},
        "knowledge": {"side": "derived", "weight": 1.0},
        "community": {"side": "derived", "weight": 1.0},
        "advocacy": {"side": "created", "weight": 1.5},
        "marketing": {"side": "derived", "weight": 0.1},
        "web": {"side": "derived", "weight": 0.05},
        "social": {"side": "derived", "weight": 0.3},
        "commerce": {"side": "derived", "weight": 0.5},
        "volunteering": {"side": "created", "weight": 3.0},
    },
    "kinds": {
        # Contribution-kind activity: what members give through the feeds.
        "forum_answer": {"side": "created", "weight": 2.0},
        "forum_reply": {"side": "created", "weight": 1.0},
        "talk": {"side": "created", "weight": 5.0},
        "speaker": {"side": "created", "weight": 5.0},
        "volunteer_shift": {"side": "created", "weight": 1.0},
        "shift_worked": {"side": "created", "weight": 1.0},
        "social_share": {"side": "created", "weight": 1.0},
        "course_completed": {"weight": 2.0},
        "event_checkin": {"weight": 2.0},
        # Automated traffic: the association's systems acting, not the member.
        "email_sent": {"side": "ignore"},
        "email_delivered": {"side": "ignore"},
        "email_bounce": {"side": "ignore"},
        "email_bounced": {"side": "ignore"},
        "email_unsubscribe": {"side": "ignore"},
    },
    "contributions": {"default": 8.0, "talk": 10.0, "teaching": 10.0,
                      "chapter_leadership": 12.0, "committee": 10.0, "forum_answer": 2.0},
    "outcomes": {"default": 5.0},
    "levels": [["Newcomer", 0], ["Participant", 15], ["Regular", 35], ["Leader", 60]],
    "demotion_months": 3,
}


def default_params() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT)


def _number(value: Any, path: str, errors: dict[str, list[str]], *, minimum: float = 0.0,
            strict: bool = False, maximum: float | None = None) -> float:
    """A finite number ≥ minimum (> when strict); an error under ``path`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.setdefault(path, []).append("Enter a number.")
        return 0.0
    if not math.isfinite(number):
        errors.setdefault(path, []).append("Enter a finite number.")
        return 0.0
    if (number <= minimum) if strict else (number < minimum):
        errors.setdefault(path, []).append(
            f"Must be {'greater than' if strict else 'at least'} {minimum:g}.")
    if maximum is not None and number > maximum:
        errors.setdefault(path, []).append(f"Must be at most {maximum:g}.")
    return number


def validate(raw: Any) -> dict[str, Any]:
    """The configuration as stored (numbers as floats, every part present), or
    ``ValidationFailed`` with a message per field (``categories.web.weight`` …).

    Refused: anything that would divide by zero (a half-life, look-back or saturation of 0,
    shares summing to 0) or weigh nothing (every weight 0, or a side that has a share but
    nothing that can score on it)."""
    if not isinstance(raw, dict):
        raise ValidationFailed("The configuration must be an object.",
                               fields={"config": ["Must be an object."]})
    errors: dict[str, list[str]] = {}
    base = default_params()
    unknown = set(raw) - set(base)
    for key in sorted(unknown):
        errors.setdefault(key, []).append("Unknown setting.")
    params = {**base, **{k: v for k, v in raw.items() if k in base}}
    out: dict[str, Any] = {}
    out["half_life_days"] = _number(params["half_life_days"], "half_life_days", errors,
                                    strict=True, maximum=36500)
    out["lookback_days"] = int(_number(params["lookback_days"], "lookback_days", errors,
                                       minimum=1, maximum=3650))
    out["cap_per_kind"] = _number(params["cap_per_kind"], "cap_per_kind", errors, strict=True)
    out["breadth_bonus"] = _number(params["breadth_bonus"], "breadth_bonus", errors)
    for part in ("saturation", "shares"):
        value = params[part]
        if not isinstance(value, dict):
            errors.setdefault(part, []).append("Must be an object with derived and created.")
            value = {}
        out[part] = {side: _number(value.get(side, 0), f"{part}.{side}", errors,
                                   strict=part == "saturation")
                     for side in ("derived", "created")}
    if sum(out["shares"].values()) <= 0:
        errors.setdefault("shares", []).append(
            "The derived and created shares sum to 0: the total would divide by zero.")

    categories = params["categories"] if isinstance(params["categories"], dict) else {}
    out["categories"] = {}
    for cat, rule in categories.items():
        path = f"categories.{cat}"
        if cat not in Category.values:
            errors.setdefault(path, []).append("Unknown activity category.")
            continue
        out["categories"][cat] = _rule(rule, path, errors, need_weight=True)
    kinds = params["kinds"] if isinstance(params["kinds"], dict) else {}
    out["kinds"] = {}
    for kind, rule in kinds.items():
        path = f"kinds.{kind}"
        if not isinstance(kind, str) or not KIND_RE.match(kind):
            errors.setdefault(path, []).append("A kind is lower-case letters, digits and _ (≤ 40).")
            continue
        out["kinds"][kind] = _rule(rule, path, errors, need_weight=False)
    for part, choices in (("contributions", ContributionKind.values), ("outcomes", OutcomeKind.values)):
        value = params[part] if isinstance(params[part], dict) else {}
        out[part] = {}
        for kind, weight in value.items():
            path = f"{part}.{kind}"
            if kind != "default" and kind not in choices:
                errors.setdefault(path, []).append("Unknown kind.")
                continue
            out[part][kind] = _number(weight, path, errors)
        out[part].setdefault("default", 0.0)

    out["levels"] = _levels(params["levels"], errors)
    out["demotion_months"] = int(_number(params["demotion_months"], "demotion_months", errors,
                                         maximum=24))
    if not errors:
        _weighs_something(out, errors)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"The score configuration is not valid: {first}", fields=errors)
    return out


def _rule(rule: Any, path: str, errors: dict[str, list[str]], *, need_weight: bool) -> dict[str, Any]:
    if not isinstance(rule, dict):
        errors.setdefault(path, []).append("Must be an object (side, weight, cap).")
        return {}
    out: dict[str, Any] = {}
    unknown = set(rule) - {"side", "weight", "cap"}
    if unknown:
        errors.setdefault(path, []).append(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "side" in rule or need_weight:
        side = rule.get("side", "derived")
        if side not in SIDES:
            errors.setdefault(f"{path}.side", []).append("Choose derived, created or ignore.")
        out["side"] = side
    if "weight" in rule or need_weight:
        out["weight"] = _number(rule.get("weight", 0), f"{path}.weight", errors, maximum=1000)
    if rule.get("cap") not in (None, ""):
        out["cap"] = _number(rule["cap"], f"{path}.cap", errors, strict=True)
    return out


def _levels(raw: Any, errors: dict[str, list[str]]) -> list[list[Any]]:
    if not isinstance(raw, list) or not raw:
        errors.setdefault("levels", []).append("Give at least one level.")
        return []
    out: list[list[Any]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            errors.setdefault("levels", []).append(f"Level {i + 1}: give a name and a minimum.")
            continue
        name = str(item[0]).strip()
        if not name or len(name) > 40:
            errors.setdefault("levels", []).append(f"Level {i + 1}: a name of 1–40 characters.")
        minimum = _number(item[1], "levels", errors, maximum=100)
        out.append([name, minimum])
    if out and out[0][1] != 0:
        errors.setdefault("levels", []).append("The first level starts at 0.")
    if any(b[1] <= a[1] for a, b in zip(out, out[1:], strict=False)):
        errors.setdefault("levels", []).append("Level minimums must rise strictly.")
    if len({n.lower() for n, _ in out}) != len(out):
        errors.setdefault("levels", []).append("Level names must differ.")
    return out


def _weighs_something(cfg: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Each side with a share must have something that can score on it."""
    for side in ("derived", "created"):
        if cfg["shares"][side] <= 0:
            continue
        weights = [w for w, s in _activity_weights(cfg) if s == side]
        if side == "created":
            weights += list(cfg["contributions"].values())
        else:
            weights += list(cfg["outcomes"].values())
        if not any(w > 0 for w in weights):
            errors.setdefault(f"shares.{side}", []).append(
                f"The {side} side has a share but every weight on it is 0: it would weigh nothing.")


def _activity_weights(cfg: dict[str, Any]) -> list[tuple[float, str]]:
    out = [(r["weight"], r["side"]) for r in cfg["categories"].values()]
    for rule in cfg["kinds"].values():
        if "side" in rule and "weight" in rule:
            out.append((rule["weight"], rule["side"]))
    return out


def level_names(cfg: dict[str, Any]) -> list[str]:
    return [name for name, _ in cfg["levels"]]


def level_for(cfg: dict[str, Any], total: float) -> int:
    """The index of the highest level whose minimum the total reaches."""
    index = 0
    for i, (_name, minimum) in enumerate(cfg["levels"]):
        if total >= minimum:
            index = i
    return index
