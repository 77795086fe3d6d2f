"""Offline check of next-best offering: would it have suggested what people took next?

A time split: everything first taken before the cutoff (``holdout_days`` before today) is
the history the suggestions are computed from; a person is a test case when they had a
history before the cutoff and took at least one offering *new to them* from the cutoff
on. ``hit@k`` is the share of test cases with at least one of those later offerings among
their top ``k`` suggestions. The same test cases get the baseline — the most taken
offerings they lack — so the figures compare like with like. Nothing on or after the
cutoff is read to build either.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from commonground.membership.models import Offering
from commonground.tenancy.clock import association_today

from . import engine, selectors

HOLDOUT_DAYS = 180
KS = (1, 3, 5)
MIN_CASES = 20  # below this a hit rate says little: reported as too few


@dataclass
class Evaluation:
    as_of: str
    cutoff: str
    holdout_days: int
    people_before: int
    cases: int
    offerings: int
    # method → {"hit@1": …, "hit@3": …, "hit@5": …}
    hit: dict[str, dict[str, float]] = field(default_factory=dict)
    too_few: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def lift(self) -> float | None:
        """hit@3 of the blend over the baseline's."""
        base = self.hit.get("popular", {}).get("hit@3")
        ours = self.hit.get("blend", {}).get("hit@3")
        return ours / base if base and ours is not None else None


METHODS = {"blend": engine.BLEND, "taken_together": 1.0, "similar_members": 0.0}


def evaluate(association, *, holdout_days: int = HOLDOUT_DAYS, today: date | None = None
             ) -> Evaluation:
    today = today or association_today(association)
    cutoff = today - timedelta(days=holdout_days)
    epoch = date(1970, 1, 1).toordinal()
    cut_day = cutoff.toordinal() - epoch
    t = selectors.taken(association, before=today)
    catalogue = list(Offering.objects.order_by("pk").values_list("pk", "is_active"))
    col = {pk: i for i, (pk, _a) in enumerate(catalogue)}
    active = np.array([a for _pk, a in catalogue], dtype=bool)
    before = t.first_day < cut_day
    people = np.unique(t.person[before])
    out = Evaluation(as_of=today.isoformat(), cutoff=cutoff.isoformat(), holdout_days=holdout_days,
                     people_before=len(people), cases=0, offerings=len(catalogue))
    if not len(people) or not len(catalogue):
        out.too_few = "No offering was taken before the cutoff: nothing to learn from."
        return out
    row = {int(p): i for i, p in enumerate(people)}
    rows = np.fromiter((row[int(p)] for p in t.person[before]), dtype=np.int64)
    cols = np.fromiter((col[int(o)] for o in t.offering[before]), dtype=np.int64)
    X = engine.binary_matrix(rows, cols, (len(people), len(catalogue)))
    later = ~before
    known = np.isin(t.person, people) & later
    held: dict[int, set[int]] = {}
    for p, o in zip(t.person[known], t.offering[known], strict=True):
        held.setdefault(row[int(p)], set()).add(col[int(o)])
    out.cases = len(held)
    if out.cases < MIN_CASES:
        out.too_few = (f"Only {out.cases} people took something new after {cutoff:%-d %b %Y}; "
                       f"at least {MIN_CASES} are needed to tell.")
        return out
    cases = np.array(sorted(held))
    Xc = X  # the suggestions use everyone's history; only the cases are scored
    k_max = max(KS)
    lists = {"popular": engine.most_popular(Xc, active=active, top=k_max)[cases]}
    for name, blend in METHODS.items():
        lists[name] = engine.suggest(Xc, active=active, top=k_max, blend=blend).items[cases]
    truth = [held[c] for c in cases]
    for name, items in lists.items():
        out.hit[name] = {f"hit@{k}": round(_hit(items[:, :k], truth), 4) for k in KS}
    return out


def _hit(items: np.ndarray, truth: list[set[int]]) -> float:
    hits = sum(1 for row, want in zip(items.tolist(), truth, strict=True) if want & set(row))
    return hits / len(truth) if truth else 0.0
