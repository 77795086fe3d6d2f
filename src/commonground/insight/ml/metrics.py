"""How good a probability is on decisions it never saw: the model card's figures."""

from __future__ import annotations

from typing import Any

import numpy as np

BINS = 10


def evaluate(y: np.ndarray, p: np.ndarray, *, bins: int = BINS) -> dict[str, Any]:
    """AUC, PR-AUC, Brier score, top-decile lift, base rate and calibration bins.

    AUC and PR-AUC are ``None`` when the outcomes are all one class (they mean nothing
    then); top-decile lift is the positive rate among the highest-scored tenth divided by
    the overall rate (*Fighting Churn with Data*); calibration bins are equal-count bins
    of the predicted probability with the observed rate in each.
    """
    # Here, not at the top: scikit-learn costs every CLI start ~1.5 s.
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    n = len(y)
    out: dict[str, Any] = {"n": n, "positives": int(y.sum()), "base_rate": None, "auc": None,
                           "pr_auc": None, "brier": None, "top_decile_lift": None,
                           "calibration": []}
    if not n:
        return out
    base = float(y.mean())
    out["base_rate"] = round(base, 4)
    out["brier"] = round(float(brier_score_loss(y, p)), 4)
    if 0 < y.sum() < n:
        out["auc"] = round(float(roc_auc_score(y, p)), 4)
        out["pr_auc"] = round(float(average_precision_score(y, p)), 4)
    if base > 0:
        top = max(1, n // 10)
        order = np.argsort(-p, kind="stable")[:top]
        out["top_decile_lift"] = round(float(y[order].mean() / base), 2)
    order = np.argsort(p, kind="stable")
    for i, idx in enumerate(np.array_split(order, min(bins, n))):
        if len(idx):
            out["calibration"].append({"bin": i + 1, "predicted": round(float(p[idx].mean()), 4),
                                       "observed": round(float(y[idx].mean()), 4),
                                       "n": int(len(idx))})
    return out
