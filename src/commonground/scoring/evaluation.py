"""Checking a score model against reality: do high scores renew? (reads only).

For a sample of past renewal decisions (a membership renewed, or lapsed), each person is
scored as they stood at the start of the decision's month — recomputed with the
configuration under test, so the current and a proposed (unsaved) model are compared on
the same decisions. Reported: the renewal rate by score decile and the AUC of the score
as a renewal predictor (0.5: the score says nothing; 1: it ranks every renewer first).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from commonground.membership.models import Transition
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import engine

SAMPLE = 400
MONTHS = 24


@dataclass
class Decile:
    decile: int
    people: int
    renewed: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.renewed / self.people if self.people else 0.0


@dataclass
class Check:
    decisions: int
    renewed: int
    auc: float | None
    deciles: list[Decile] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.renewed / self.decisions if self.decisions else 0.0


def renewal_decisions(association: Association, *, months: int = MONTHS, sample: int = SAMPLE,
                      seed: int = 0) -> list[tuple[int, date, int]]:
    """``(person_id, decided_on, renewed 1 / lapsed 0)``: each person's latest decision in
    the last ``months``, a random sample of at most ``sample`` (the same one every time).
    Organisations' memberships have no person to score: left out."""
    today = association_today(association)
    since = today - timedelta(days=months * 31)
    rows = (Transition.objects.filter(Q(event="renewed") | Q(to_status="lapsed"), on__gte=since,
                                      on__lte=today, membership__person__isnull=False)
            .values_list("membership__person_id", "on", "event").order_by("on", "id"))
    latest: dict[int, tuple[date, int]] = {}
    for pid, on, event in rows.iterator():
        latest[pid] = (on, 1 if event == "renewed" else 0)
    out = sorted((pid, on, label) for pid, (on, label) in latest.items())
    if len(out) > sample:
        out = sorted(random.Random(seed).sample(out, sample))
    return out


def check(association: Association, cfg: dict[str, Any],
          decisions: list[tuple[int, date, int]]) -> Check:
    """Score each decision's person as of the start of its month under ``cfg``."""
    by_month: dict[date, list[int]] = defaultdict(list)
    for pid, on, _ in decisions:
        by_month[on.replace(day=1)].append(pid)
    totals: dict[tuple[int, date], float] = {}
    staff = engine.staff_person_ids(association)
    for month, pids in by_month.items():
        as_of = month - timedelta(days=1)
        items = engine.items_for(association=association, as_of=as_of, cfg=cfg, person_ids=pids)
        frame = engine.score_people(people=pids, items=items, cfg=cfg, staff=staff, priors={},
                                    as_of=as_of)
        for pid, total in frame.select("person_id", "total").iter_rows():
            totals[(pid, month)] = total
    scored = [(totals[(pid, on.replace(day=1))], label) for pid, on, label in decisions
              if (pid, on.replace(day=1)) in totals]
    labels = [label for _, label in scored]
    auc = None
    if 0 < sum(labels) < len(labels):
        # Imported here: scikit-learn costs ~1.5 s at import, and this module is loaded by
        # every process (the profile panel's views), most of which never check a model.
        from sklearn.metrics import roc_auc_score

        auc = float(roc_auc_score(labels, [s for s, _ in scored]))
    scored.sort(key=lambda r: r[0])
    deciles = []
    n = len(scored)
    for d in range(10):
        part = scored[d * n // 10:(d + 1) * n // 10]
        if part:
            deciles.append(Decile(decile=d + 1, people=len(part), renewed=sum(lbl for _, lbl in part),
                                  low=part[0][0], high=part[-1][0]))
    return Check(decisions=n, renewed=sum(labels), auc=auc, deciles=deciles)
