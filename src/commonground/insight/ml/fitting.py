"""Training: the time-based split, the calibrated LightGBM model, the rule-based fallback.

The split follows time, as the model will be used: examples are ordered by cutoff; the
latest ``holdout_share`` of them (whole cutoff dates, never split) are the holdout the card
is measured on; of the rest, the latest fifth is the validation slice for early stopping
and for fitting the calibrator; the model learns from the earliest part only. A training
row whose outcome became known inside the holdout period (``outcome_on``) is left out, so
nothing the model learns comes from the holdout's time. For serving, the model is refitted
on everything except the latest fifth (which calibrates it) with the number of trees
early stopping chose — the card says so.
"""

from __future__ import annotations

import math
import pickle
import time
import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from .features import Examples, FeatureSet, check_examples, matrix
from .metrics import evaluate

if TYPE_CHECKING:
    import lightgbm as lgb

MIN_EACH = 20          # positives and negatives needed in the training window (Novi's rule)
MIN_HOLDOUT_EACH = 5   # of each class in the holdout, or its AUC means nothing
MIN_PERIODS = 2        # distinct cutoff months: one to learn from, a later one to test on
MAX_TREES = 300
EARLY_STOP = 20
ISOTONIC_FROM = 1000   # validation rows from which isotonic calibration beats Platt's
REFIT_BELOW = 50_000   # examples below which the served model is refitted on all of them


@dataclass
class Fitted:
    """A trained (``method="model"``) or rule-based (``method="rules"``) lapse or prospect
    model: what ``predict`` needs, and the card's figures (``card``)."""

    method: str
    feature_names: list[str]
    typical: dict[str, float]
    base_rate: float
    card: dict[str, Any] = field(default_factory=dict)
    booster: lgb.Booster | None = None
    calibrator: Any = None
    rules: dict[str, Any] = field(default_factory=dict)
    # The rule-based score's point functions: code, not data — never pickled; ``loads``
    # takes the feature set to bind them again.
    rule_fns: dict[str, Any] = field(default_factory=dict, repr=False)

    def predict_matrix(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.method == "rules":
            return _rules_predict(self, x)
        threads = 1 if len(x) < 20_000 else 2  # threads cost more than they save on few rows
        raw = self.booster.predict(x, raw_score=True, num_threads=threads)
        contrib = self.booster.predict(x, pred_contrib=True, num_threads=threads)[
            :, : len(self.feature_names)]
        return _calibrate(self.calibrator, raw), np.asarray(contrib)

    def dumps(self) -> bytes:
        state = {"method": self.method, "feature_names": self.feature_names,
                 "typical": self.typical, "base_rate": self.base_rate, "card": self.card,
                 "booster": self.booster.model_to_string() if self.booster else None,
                 "calibrator": self.calibrator, "rules": self.rules}
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes, features: FeatureSet | None = None) -> Fitted:
        """A fitted model from ``dumps``; a rule-based one needs its ``features``."""
        # Only ever our own artifacts from ModelVersion.artifact (never user uploads).
        state = pickle.loads(bytes(blob))  # noqa: S301
        # Here, not at the top: LightGBM costs every CLI start ~0.5 s; only models need it.
        import lightgbm as lgb

        model_str = state.pop("booster", None)
        fitted = cls(booster=lgb.Booster(model_str=model_str) if model_str else None, **state)
        if fitted.method == "rules" and features is not None:
            fitted.rule_fns = {n: features[n].rule for n in fitted.feature_names}
        return fitted


def _cutoffs(examples: Examples) -> pl.Series:
    return examples.get_column("cutoff")


def split_dates(examples: Examples, holdout_share: float) -> date | None:
    """The first holdout cutoff: the latest ``holdout_share`` of examples by cutoff, at a
    cutoff boundary, leaving at least one earlier cutoff to learn from (``None``: one
    cutoff date only — no time split possible)."""
    dates = _cutoffs(examples).sort()
    if dates.n_unique() < 2:
        return None
    at = dates[min(len(dates) - 1, int(len(dates) * (1 - holdout_share)))]
    if at == dates[0]:
        at = dates.filter(dates > at)[0]
    return at


def _train_part(examples: Examples, holdout_from: date) -> Examples:
    train = examples.filter(pl.col("cutoff") < holdout_from)
    if "outcome_on" in train.columns:
        train = train.filter(pl.col("outcome_on").is_null() | (pl.col("outcome_on") < holdout_from))
    return train


def too_small(examples: Examples, features: FeatureSet | None = None, *,
              holdout_share: float = 0.25, what: tuple[str, str] = ("lapses", "renewals"),
              ) -> str | None:
    """Why no model can be trained on these examples and what is needed, or ``None``.

    ``what`` names the positives and negatives in the message ("lapses", "renewals").
    """
    pos_word, neg_word = what
    n = len(examples)
    if not n:
        return (f"There is no history to learn from yet: no past decisions were found. A model "
                f"needs at least {MIN_EACH} {pos_word} and {MIN_EACH} {neg_word}.")
    positives = int(examples.get_column("label").sum())
    if positives == 0 or positives == n:
        seen = neg_word if positives == 0 else pos_word
        return (f"All {n} past decisions were {seen}, so there is nothing to tell apart. A model "
                f"needs at least {MIN_EACH} {pos_word} and {MIN_EACH} {neg_word}.")
    months = _cutoffs(examples).dt.truncate("1mo").n_unique()
    if months < MIN_PERIODS:
        return (f"All {n} past decisions fall in one month, so a model cannot be tested on "
                f"later decisions than it learnt from. At least {MIN_PERIODS} months of "
                f"decisions are needed.")
    if features is not None:
        x = matrix(examples, features.names)
        with warnings.catch_warnings():  # an all-missing column is simply not varied
            warnings.simplefilter("ignore", RuntimeWarning)
            varied = [np.nanstd(x[:, j]) > 0 for j in range(x.shape[1])] if x.size else []
        if not any(varied):
            return ("Every member looks the same on every signal (no activity, one plan, the "
                    "same price), so there is nothing to learn from. Record activity or "
                    "import it, and the model can be trained.")
    holdout_from = split_dates(examples, holdout_share)
    train = _train_part(examples, holdout_from)
    hold = examples.filter(pl.col("cutoff") >= holdout_from)
    tp = int(train.get_column("label").sum())
    tn = len(train) - tp
    if tp < MIN_EACH or tn < MIN_EACH:
        return (f"Too few past decisions to train on: {tp} {pos_word} and {tn} {neg_word} before "
                f"{holdout_from:%B %Y}; a model needs at least {MIN_EACH} of each (the latest "
                f"decisions are kept apart to test it).")
    hp = int(hold.get_column("label").sum())
    hn = len(hold) - hp
    if hp < MIN_HOLDOUT_EACH or hn < MIN_HOLDOUT_EACH:
        return (f"Too few recent decisions to test a model on: {hp} {pos_word} and {hn} "
                f"{neg_word} since {holdout_from:%B %Y}; at least {MIN_HOLDOUT_EACH} of each "
                f"are needed.")
    return None


def _params(n: int, seed: int) -> dict[str, Any]:
    # Small histories: a faster rate and one thread (threads cost more than they save on a
    # few thousand rows); large ones: the usual 0.05 on two threads.
    small = n < 20_000
    # Small trees (15 leaves, depth 4): the per-row reasons (TreeSHAP, pred_contrib) cost
    # trees × leaves × depth² per member — 92 trees of 31 leaves and depth 6 took 16 s per
    # 20,000 members on the bench machine; behaviour-level churn signals need no deep
    # interactions, and boosting makes up with more trees.
    return {"objective": "binary", "learning_rate": 0.1,
            "num_leaves": 15, "max_depth": 4,
            "min_data_in_leaf": max(10, min(100, n // 100)), "feature_fraction": 0.9,
            "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
            "max_bin": 63, "force_col_wise": True,
            "seed": seed, "deterministic": True, "num_threads": 1 if small else 2,
            "verbose": -1}


def _calibrator(raw: np.ndarray, y: np.ndarray):
    # Here, not at the top: scikit-learn costs every CLI start ~1.5 s; only training needs it.
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    if len(y) >= ISOTONIC_FROM:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.001, y_max=0.999)
        iso.fit(raw, y)
        return ("isotonic", iso)
    lr = LogisticRegression(C=1e6)
    lr.fit(raw.reshape(-1, 1), y)
    return ("sigmoid", lr)


def _calibrate(calibrator, raw: np.ndarray) -> np.ndarray:
    how, model = calibrator
    if how == "isotonic":
        return np.clip(model.predict(raw), 0.001, 0.999)
    return np.clip(model.predict_proba(raw.reshape(-1, 1))[:, 1], 0.001, 0.999)


def _last_slice(frame: Examples, share: float = 0.2) -> tuple[Examples, Examples]:
    """``(earlier, latest)``: the latest ``share`` of rows by cutoff (ties by person)."""
    frame = frame.sort(["cutoff", "person_id"])
    cut = max(1, int(len(frame) * (1 - share)))
    return frame.head(cut), frame.slice(cut)


def _booster(x, y, xv, yv, *, params, trees: int | None = None):
    # Here, not at the top: LightGBM costs every CLI start ~0.5 s; only training needs it.
    import lightgbm as lgb

    train = lgb.Dataset(x, label=y, free_raw_data=True)
    if trees is not None:
        return lgb.train(params, train, num_boost_round=max(1, trees))
    valid = lgb.Dataset(xv, label=yv, reference=train)
    return lgb.train(params, train, num_boost_round=MAX_TREES, valid_sets=[valid],
                     callbacks=[lgb.early_stopping(EARLY_STOP, verbose=False)])


def _typical(frame: Examples, names: list[str]) -> dict[str, float]:
    x = matrix(frame, names)
    with warnings.catch_warnings():  # an all-missing column has no typical value
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(x, axis=0) if len(x) else np.full(len(names), np.nan)
    return {n: (None if math.isnan(v) else float(v)) for n, v in zip(names, med, strict=True)}


def fit(examples: Examples, features: FeatureSet, *, holdout_share: float = 0.25,
        seed: int = 42, refit: bool | None = None) -> Fitted:
    """Train, calibrate and measure on the time holdout (see the module docstring).

    Call :func:`too_small` first; this raises ``ValueError`` with its message otherwise.
    """
    check_examples(examples, features)
    why = too_small(examples, features, holdout_share=holdout_share)
    if why:
        raise ValueError(why)
    started = time.monotonic()
    names = features.names
    holdout_from = split_dates(examples, holdout_share)
    hold = examples.filter(pl.col("cutoff") >= holdout_from)
    early, valid = _last_slice(_train_part(examples, holdout_from))
    params = _params(len(early), seed)
    y_early = early.get_column("label").to_numpy()
    y_valid = valid.get_column("label").to_numpy()
    booster = _booster(matrix(early, names), y_early, matrix(valid, names), y_valid,
                       params=params)
    trees = booster.best_iteration or booster.current_iteration()
    calibrator = _calibrator(booster.predict(matrix(valid, names), raw_score=True), y_valid)
    y_hold = hold.get_column("label").to_numpy()
    p_hold = _calibrate(calibrator, booster.predict(matrix(hold, names), raw_score=True))
    figures = evaluate(y_hold, p_hold)
    importance = _importance(booster, features)
    train_rows = len(early) + len(valid)
    card: dict[str, Any] = {
        **figures, "method": "model", "trees": int(trees),
        "calibration_method": calibrator[0], "importance": importance,
        "train_from": str(early.get_column("cutoff").min()),
        "holdout_from": str(holdout_from), "holdout_to": str(hold.get_column("cutoff").max()),
        "n_train": train_rows, "positives_train": int(y_early.sum() + y_valid.sum()),
        "n_holdout": len(hold), "positives_holdout": int(y_hold.sum()),
        "features": [{"name": f.name, "label": f.label, "group": f.group} for f in features],
    }
    serving, serving_cal = booster, calibrator
    if refit is None:  # with this much history the measured model is recent enough
        refit = len(examples) < REFIT_BELOW
    if refit:
        # Serve a model that has also learnt from the latest decisions: everything but the
        # newest fifth, which calibrates it; the card's figures stay those of the holdout.
        rest, latest = _last_slice(examples)
        serving = _booster(matrix(rest, names), rest.get_column("label").to_numpy(), None, None,
                           params=_params(len(rest), seed), trees=trees)
        serving_cal = _calibrator(serving.predict(matrix(latest, names), raw_score=True),
                                  latest.get_column("label").to_numpy())
    card["refit"] = refit
    card["serving_note"] = (
        "Figures are measured on the held-out latest decisions with the model trained "
        "before them; the model in use was then retrained on all decisions with the same "
        "settings." if refit else
        "Figures are measured on the held-out latest decisions; the model in use is the one "
        "measured.")
    card["seconds"] = round(time.monotonic() - started, 2)
    base = float(examples.get_column("label").mean())
    return Fitted(method="model", feature_names=names, typical=_typical(examples, names),
                  base_rate=base, card=card, booster=serving, calibrator=serving_cal)


def _importance(booster: lgb.Booster, features: FeatureSet) -> list[dict[str, Any]]:
    gain = booster.feature_importance(importance_type="gain")
    total = float(gain.sum()) or 1.0
    rows = [{"feature": f.name, "label": f.label, "group": f.group,
             "gain": round(float(g) / total, 4)} for f, g in zip(features, gain, strict=True)]
    return sorted(rows, key=lambda r: -r["gain"])


# --- The rule-based score -----------------------------------------------------------

def fit_rules(examples: Examples, features: FeatureSet, *, why: str, prior: float,
              what: tuple[str, str] = ("lapses", "renewals")) -> Fitted:
    """The transparent score for associations too small to train on: each feature's
    declared ``rule`` gives points (log-odds) for a value; the probability is the base
    rate's log-odds plus the points. The base rate is the association's own when it has
    decisions of both kinds, else ``prior``. ``why`` (from :func:`too_small`) goes on the
    card with the rules in words."""
    ruled = [f for f in features if f.rule is not None]
    names = [f.name for f in ruled]
    n = len(examples)
    positives = int(examples.get_column("label").sum()) if n and "label" in examples.columns else 0
    base = positives / n if n and 0 < positives < n else prior
    card: dict[str, Any] = {
        "method": "rules", "why_rules": why, "base_rate": round(base, 4),
        "base_rate_source": "own history" if base != prior else "a typical association",
        "n_examples": n, "positives": positives, "needed": {"positives": MIN_EACH,
                                                           "negatives": MIN_EACH,
                                                           "what": list(what)},
        "rules": [{"feature": f.name, "label": f.label, "group": f.group} for f in ruled],
        "features": [{"name": f.name, "label": f.label, "group": f.group} for f in ruled],
    }
    fitted = Fitted(method="rules", feature_names=names,
                    typical=_typical(examples, names) if n else dict.fromkeys(names),
                    base_rate=base, card=card, rules={"logit_base": _logit(base)},
                    rule_fns={f.name: f.rule for f in ruled})
    if n and 0 < positives < n:
        # Measured on its own history (not a holdout: nothing was fitted), for honesty.
        p, _ = fitted.predict_matrix(matrix(examples, names))
        card["in_sample"] = evaluate(examples.get_column("label").to_numpy(), p)
    return fitted


def _logit(p: float) -> float:
    p = min(max(p, 0.001), 0.999)
    return math.log(p / (1 - p))


def _rules_predict(fitted: Fitted, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not fitted.rule_fns:
        raise RuntimeError("a rule-based model needs its features: Fitted.loads(blob, features)")
    points = np.zeros_like(x, dtype=float)
    for j, name in enumerate(fitted.feature_names):
        fn = fitted.rule_fns[name]
        points[:, j] = [0.0 if math.isnan(v) else float(fn(v)) for v in x[:, j]]
    logit = fitted.rules["logit_base"] + points.sum(axis=1)
    return 1.0 / (1.0 + np.exp(-logit)), points
