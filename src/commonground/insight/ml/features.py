"""Features as staff see them, and the examples frame they are computed into."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

# One row per past decision: ``person_id`` (int), ``cutoff`` (date: every feature is
# computed from data strictly before it), ``label`` (0/1; lapse: did not renew, prospect:
# joined), optionally ``outcome_on`` (date the label became known — a training row whose
# outcome lies inside the holdout period is not trained on), then one Float64 column per
# feature. Rows to score have the same columns without ``label``.
Examples = pl.DataFrame

KEYS = ("person_id", "cutoff", "label", "outcome_on")


@dataclass(frozen=True)
class Feature:
    """One numeric input of a model.

    ``describe(value, typical)`` words a value that raised the risk as a reason a staff
    member reads ("No event in 9 months", "Stopped opening email in March") — never the
    raw name; ``typical`` is the median value among the training examples, for
    comparisons ("2 events, members typically attend 5"). ``rule`` is the rule-based
    score's points (log-odds) for a value — positive raises the probability, 0 for none;
    features without a rule do not take part in the rule-based score.

    ``direction`` says which values are the warning sign — ``"low"`` (few events) or
    ``"high"`` (many months since the last): a value on the other side of the typical one
    is never given as a reason, even where the model's contribution is positive (it would
    read "attends more than most" as why someone is at risk). ``""``: no side (a plan).
    Missing values are never reasons either.
    """

    name: str
    label: str
    group: str
    describe: Callable[[float, float], str]
    rule: Callable[[float], float] | None = None
    direction: str = ""


class FeatureSet:
    """The ordered features of one model kind (a registry: ``add`` as a decorator-free
    call from the kind's feature module)."""

    def __init__(self, kind: str, features: Iterable[Feature] = ()) -> None:
        self.kind = kind
        self._by_name: dict[str, Feature] = {}
        for f in features:
            self.add(f)

    def add(self, feature: Feature) -> Feature:
        self._by_name[feature.name] = feature
        return feature

    def __iter__(self) -> Iterator[Feature]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __getitem__(self, name: str) -> Feature:
        return self._by_name[name]

    def get(self, name: str) -> Feature | None:
        return self._by_name.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    def subset(self, names: Iterable[str]) -> FeatureSet:
        return FeatureSet(self.kind, [self._by_name[n] for n in names if n in self._by_name])


def check_examples(examples: Examples, features: FeatureSet, *, labelled: bool = True) -> None:
    """Raise ``ValueError`` naming what is missing — a programming error in a builder,
    never a user's (their data problems go through ``too_small``)."""
    need = ["person_id", "cutoff", *(["label"] if labelled else []), *features.names]
    missing = [c for c in need if c not in examples.columns]
    if missing:
        raise ValueError(f"examples lack columns {missing}")


def matrix(frame: pl.DataFrame, names: list[str]):
    """The float64 feature matrix (nulls become NaN, which LightGBM reads as missing)."""
    if not len(frame):
        return np.zeros((0, len(names)))
    return frame.select([pl.col(n).cast(pl.Float64) for n in names]).to_numpy()
