"""Scoring people with a fitted model, and wording why."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from .features import FeatureSet, matrix

if TYPE_CHECKING:
    from .fitting import Fitted

# The band edges are relative to the base rate the model was trained on: "high" is at
# least twice as likely as a typical decision, "low" at most half as likely (the same
# words then mean the same thing in an association with 5 % and one with 30 % lapses).
HIGH_RATIO = 2.0
LOW_RATIO = 0.5


def predict(fitted: Fitted, frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(probability, contributions)`` for each row of ``frame``.

    The probability is calibrated; contributions are per feature (columns in
    ``fitted.feature_names`` order), in log-odds before calibration — LightGBM's exact
    ``pred_contrib`` for a trained model, the rule points for a rule-based one.
    """
    x = matrix(frame, fitted.feature_names)
    if not len(x):
        return np.zeros(0), np.zeros((0, len(fitted.feature_names)))
    return fitted.predict_matrix(x)


def reasons(fitted: Fitted, features: FeatureSet, frame: pl.DataFrame,
            contributions: np.ndarray, *, k: int = 3,
            min_effect: float = 0.02) -> list[list[dict[str, Any]]]:
    """Per row, the ``k`` features that raised the probability most, worded for staff:
    ``[{"text", "effect", "feature"}]`` strongest first (``effect`` in log-odds).
    Features that lowered it or moved it by less than ``min_effect`` are not reasons, nor
    missing values, nor values on the good side of typical (``Feature.direction``)."""
    names = fitted.feature_names
    x = matrix(frame, names)
    out: list[list[dict[str, Any]]] = []
    if not len(x):
        return out
    # A few more candidates than k: some are passed over (missing, good side of typical).
    top = np.argsort(-contributions, axis=1, kind="stable")[:, : k + 4]
    for i in range(len(x)):
        row: list[dict[str, Any]] = []
        for j in top[i]:
            effect = float(contributions[i, j])
            if effect < min_effect:
                break
            feature = features.get(names[j])
            value = float(x[i, j])
            if feature is None or math.isnan(value):
                continue
            typical = fitted.typical.get(names[j])
            if typical is not None and not math.isnan(typical) and (
                    (feature.direction == "low" and value >= typical)
                    or (feature.direction == "high" and value <= typical)):
                continue
            text = feature.describe(value, float("nan") if typical is None else typical)
            if text:
                row.append({"text": text, "effect": round(effect, 3), "feature": names[j]})
            if len(row) == k:
                break
        out.append(row)
    return out


def band_of(probability: np.ndarray | float, base_rate: float) -> list[str] | str:
    """``high`` / ``medium`` / ``low`` against the base rate (see the ratios above)."""
    base = max(min(base_rate, 0.95), 0.01)
    high, low = min(base * HIGH_RATIO, 0.9), base * LOW_RATIO

    def one(p: float) -> str:
        return "high" if p >= high else "low" if p <= low else "medium"

    if np.ndim(probability) == 0:
        return one(float(probability))
    return [one(float(p)) for p in probability]
