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

from commonground.membership.models import Offering, PriceDecision
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
    purchases: bool = False  # only priced offerings suggested and held out

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def lift(self) -> float | None:
        """hit@3 of the blend over the baseline's."""
        base = self.hit.get("popular", {}).get("hit@3")
        ours = self.hit.get("blend", {}).get("hit@3")
        return ours / base if base and ours is not None else None


METHODS = {"blend": engine.BLEND, "taken_together": 1.0, "similar_members": 0.0}


def evaluate(association, *, holdout_days: int = HOLDOUT_DAYS, today: date | None = None,
             purchases: bool = False) -> Evaluation:
    """See the module's docstring. ``purchases``: the question for an upsell — only the
    offerings with a price (not free for everyone) are suggested and count as held out;
    the history still holds everything taken."""
    today = today or association_today(association)
    cutoff = today - timedelta(days=holdout_days)
    epoch = date(1970, 1, 1).toordinal()
    cut_day = cutoff.toordinal() - epoch
    t = selectors.taken(association, before=today)
    catalogue = list(Offering.objects.order_by("pk").values_list("pk", "is_active",
                                                                 "price_decision"))
    offering_ids = np.array([pk for pk, _a, _d in catalogue], dtype=np.int64)
    active = np.array([a and (not purchases or d != PriceDecision.FREE)
                       for _pk, a, d in catalogue], dtype=bool)
    known_offering, col = engine.columns_of(t.offering, offering_ids)
    person, first = t.person[known_offering], t.first_day[known_offering]
    before = first < cut_day
    people, rows = np.unique(person[before], return_inverse=True)
    out = Evaluation(as_of=today.isoformat(), cutoff=cutoff.isoformat(), holdout_days=holdout_days,
                     people_before=len(people), cases=0, offerings=int(active.sum()),
                     purchases=purchases)
    if not len(people) or not len(catalogue):
        out.too_few = "No offering was taken before the cutoff: nothing to learn from."
        return out
    X = engine.binary_matrix(rows.ravel(), col[before], (len(people), len(catalogue)))
    # Later take-ups of people with a history: (row of X, column), vectorised.
    later_found, later_rows = engine.columns_of(person[~before], people)
    later_cols = col[~before][later_found]
    held: dict[int, set[int]] = {}
    for r, c in zip(later_rows.tolist(), later_cols.tolist(), strict=True):
        if active[c]:  # a retired (or, for purchases, free) offering is never suggested
            held.setdefault(r, set()).add(c)
    out.cases = len(held)
    if out.cases < MIN_CASES:
        out.too_few = (f"Only {out.cases} people took something new after {cutoff:%-d %b %Y}; "
                       f"at least {MIN_CASES} are needed to tell.")
        return out
    cases = np.array(sorted(held))
    k_max = max(KS)
    # Suggestions use everyone's history before the cutoff; only the cases are scored.
    lists = {"popular": engine.most_popular(X, active=active, top=k_max)[cases]}
    for name, blend in METHODS.items():
        lists[name] = engine.suggest(X, active=active, top=k_max, blend=blend).items[cases]
    truth = [held[c] for c in cases]
    for name, items in lists.items():
        out.hit[name] = {f"hit@{k}": round(_hit(items[:, :k], truth), 4) for k in KS}
    return out


def _hit(items: np.ndarray, truth: list[set[int]]) -> float:
    hits = sum(1 for row, want in zip(items.tolist(), truth, strict=True) if want & set(row))
    return hits / len(truth) if truth else 0.0
