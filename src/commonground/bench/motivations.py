"""Motivation inference accuracy: how often the inferred top motivation is the hidden one.

Seeds (or reuses) ``bench-<members>-s<seed>`` — or takes ``--association`` (the demo: its
truth file is beside the database) — runs the engagement app's inference over the activity
stream (``traits_infer``; ``--no-infer`` to read what is stored), and compares each
individual member's inferred top motivation (``inferred_top_motivations``) with the primary
motivation of their hidden profile in the seed's truth file, which no product table holds.

Besides the figure it prints what makes it readable: chance (1/7) and the majority-class
baseline; how often the hidden primary is among the (up to three) inferred motivations; the
match by how clear the hidden primary is (its share minus the runner-up's: a member at
0.31 vs 0.29 barely has one) and by engagement (quiet members leave little evidence); and
a *supervised reference*: a logistic regression on the same signal counts, trained on the
truth with 5-fold cross-validation — roughly what any rule on these signals could reach.
The last line is ``motivation_match=<share of covered members>``.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict

from django_scopes import scope

from commonground.demo.catalogue import MOTIVATIONS
from commonground.demo.seed import seeded, truth_path
from commonground.engagement import inference, selectors
from commonground.engagement.models import MemberTrait
from commonground.engagement.services import traits_infer
from commonground.tenancy.models import Association

from .pages import bench_association

CLARITY = ((0.0, 0.1, "unclear (runner-up within 0.10)"), (0.1, 0.25, "clear (0.10–0.25 ahead)"),
           (0.25, 2.0, "very clear (0.25+ ahead)"))


def add_arguments(parser) -> None:
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--association", help="Measure this seeded association (e.g. demo) instead")
    parser.add_argument("--no-infer", action="store_true",
                        help="Compare what is stored; do not run the inference first")
    parser.add_argument("--no-reference", action="store_true",
                        help="Skip the supervised reference (scikit-learn, a few seconds)")


def _truth(slug: str) -> dict[int, dict]:
    path = truth_path(slug)
    if not path.exists():
        raise SystemExit(f"No truth file for {slug!r} at {path}: only seeded associations have one")
    with path.open() as fh:
        return {int(r["person_id"]): r for r in csv.DictReader(fh) if r["kind"] == "person"}


def _clarity(row: dict) -> float:
    shares = sorted((float(row[f"motivation_{m}"]) for m in MOTIVATIONS), reverse=True)
    return shares[0] - shares[1]


def _share(hits: int, n: int) -> str:
    return f"{hits / n:.3f} ({hits}/{n})" if n else "n/a"


def reference_accuracy(truth: dict[int, dict]) -> float | None:
    """5-fold cross-validated accuracy of a logistic regression on the inference's own signal
    counts (shares of the person's signals, log-scaled), trained on the hidden primaries."""
    import numpy as np  # noqa: PLC0415 - only this optional part needs NumPy and scikit-learn
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415
    from sklearn.model_selection import cross_val_score  # noqa: PLC0415

    keys = [s.key for s in inference.SIGNALS]
    x, y = [], []
    for pid, counts in inference.signal_counts():
        if pid in truth and sum(counts.values()) >= inference.MIN_ROWS:
            v = np.array([counts.get(k, 0) for k in keys], dtype=float)
            x.append(np.log1p(100 * v / v.sum()))
            y.append(truth[pid]["primary_motivation"])
    if len(set(y)) < 2 or min(Counter(y).values()) < 5:
        return None
    model = LogisticRegression(max_iter=2000)
    return float(cross_val_score(model, np.array(x), y, cv=5).mean())


def run(*, members: int, seed: int, association: str | None = None, no_infer: bool = False,
        no_reference: bool = False, stdout, **_options) -> dict:
    w = stdout.write
    if association:
        if not seeded(association):
            raise SystemExit(f"No association {association!r}")
        assoc = Association.objects.get(slug=association)
    else:
        assoc = bench_association(members=members, seed=seed, stdout=stdout)
    truth = _truth(assoc.slug)
    with scope(association=assoc):
        if not no_infer:
            t0 = time.perf_counter()
            done = traits_infer(association=assoc)
            w(f"inference: {done['people']} people, {done['traits']} inferred motivations in "
              f"{time.perf_counter() - t0:.1f}s")
        top = selectors.inferred_top_motivations()
        stated = selectors.stated_top_motivations()
        held: dict[int, set[str]] = defaultdict(set)
        for pid, slug in MemberTrait.objects.filter(source="inferred", trait__kind="motivation") \
                .values_list("person_id", "trait__slug").iterator(chunk_size=5000):
            held[pid].add(slug)
        reference = None if no_reference else reference_accuracy(truth)

    covered = [pid for pid in truth if pid in top]
    hits = [pid for pid in covered if top[pid] == truth[pid]["primary_motivation"]]
    hit_set = set(hits)
    match = len(hits) / len(covered) if covered else 0.0
    primaries = Counter(truth[pid]["primary_motivation"] for pid in covered)
    w(f"members: {len(truth)} individual, {len(covered)} with an inferred motivation "
      f"(coverage {len(covered) / len(truth):.3f}; the rest have too little activity)")
    w(f"chance: {1 / len(MOTIVATIONS):.3f}; majority class "
      f"({primaries.most_common(1)[0][0] if primaries else '-'}): "
      f"{primaries.most_common(1)[0][1] / len(covered) if covered else 0:.3f}")
    among = sum(truth[pid]["primary_motivation"] in held[pid] for pid in covered)
    w(f"hidden primary among the inferred motivations (up to 3): {_share(among, len(covered))}")
    for lo, hi, label in CLARITY:
        group = [pid for pid in covered if lo <= _clarity(truth[pid]) < hi]
        w(f"  {label:<32} {_share(sum(p in hit_set for p in group), len(group))}")
    for level in ("low", "medium", "high"):
        group = [pid for pid in covered if truth[pid]["engagement_level"] == level]
        w(f"  engagement {level:<21} {_share(sum(p in hit_set for p in group), len(group))}")
    by_motivation = Counter(top[p] for p in covered)
    w("inferred top vs hidden primary, by motivation (inferred / hidden / both):")
    for m in MOTIVATIONS:
        both = sum(1 for p in hits if top[p] == m)
        w(f"  {m:<24} {by_motivation[m]:>6} {primaries[m]:>6} {both:>6}")
    said = [pid for pid in truth if pid in stated]
    if said:
        agree = sum(stated[p] == truth[p]["primary_motivation"] for p in said)
        w(f"stated (survey) top vs hidden primary: {_share(agree, len(said))}")
    if reference is not None:
        w(f"supervised reference (logistic regression on the same signals, 5-fold CV): "
          f"{reference:.3f}")
    w(f"motivation_match={match:.3f}")
    return {"motivation_match": match, "coverage": len(covered) / len(truth),
            "reference": reference}
