"""The learning kernel on synthetic examples: time split, calibration, card figures,
reasons in staff words, the small-data explanations and the rule-based fallback."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from commonground.insight import ml

FEATURES = ml.FeatureSet("lapse", [
    ml.Feature("events_recency", "Months since the last event", "Activity",
               lambda v, t: f"No event in {v:.0f} months",
               rule=lambda v: 0.8 if v >= 6 else 0.0),
    ml.Feature("emails_opened", "Emails opened in 3 months", "Email",
               lambda v, t: "Stopped opening email" if v == 0 else f"Opened only {v:.0f} emails",
               rule=lambda v: 0.5 if v == 0 else 0.0),
    ml.Feature("noise", "Noise", "Other", lambda v, t: "noise"),
])


def examples(n: int = 2000, *, seed: int = 1, months: int = 24) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    recency = rng.integers(0, 13, n).astype(float)
    opened = rng.poisson(2, n).astype(float)
    noise = rng.normal(size=n)
    logit = -2.0 + 0.25 * recency - 0.4 * opened
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    start = date(2023, 1, 1)
    cutoff = [start + timedelta(days=int(d)) for d in rng.integers(0, max(1, months * 30), n)]
    return pl.DataFrame({"person_id": np.arange(n), "cutoff": cutoff, "label": label,
                         "outcome_on": [c + timedelta(days=60) for c in cutoff],
                         "events_recency": recency, "emails_opened": opened, "noise": noise})


def test_fit_measures_on_the_latest_decisions_and_calibrates():
    ex = examples()
    assert ml.too_small(ex, FEATURES) is None
    fitted = ml.fit(ex, FEATURES, seed=3, refit=False)
    card = fitted.card
    # The holdout is the latest quarter by cutoff; the model never learnt from it.
    assert card["holdout_from"] > card["train_from"]
    assert 0.70 < card["auc"] < 0.95
    assert card["n_holdout"] == ex.filter(pl.col("cutoff") >= date.fromisoformat(
        card["holdout_from"])).height
    assert card["n_train"] + card["n_holdout"] <= len(ex)
    assert 0 < card["brier"] < 0.25 and card["top_decile_lift"] > 1.5
    # Calibrated: predicted and observed agree within a few points on average.
    gaps = [abs(b["predicted"] - b["observed"]) for b in card["calibration"]]
    assert np.mean(gaps) < 0.08
    assert card["importance"][0]["feature"] == "events_recency"


def test_predict_reasons_and_round_trip():
    ex = examples(1200)
    fitted = ml.fit(ex, FEATURES, seed=1)
    rows = pl.DataFrame({"person_id": [1, 2], "cutoff": [date(2025, 1, 1)] * 2,
                         "events_recency": [12.0, 0.0], "emails_opened": [0.0, 6.0],
                         "noise": [0.0, 0.0]})
    p, contrib = ml.predict(fitted, rows)
    assert p[0] > 0.5 > p[1] and contrib.shape == (2, 3)
    why = ml.reasons(fitted, FEATURES, rows, contrib)
    assert why[0][0]["text"] in {"No event in 12 months", "Stopped opening email"}
    assert all(r["effect"] > 0 for r in why[0]) and "events_recency" not in why[0][0]["text"]
    again = ml.Fitted.loads(fitted.dumps(), FEATURES)
    np.testing.assert_allclose(ml.predict(again, rows)[0], p)
    assert ml.band_of(p, fitted.base_rate) == ["high", "low"]


@pytest.mark.parametrize("make, words", [
    (lambda: examples(0), "no history"),
    (lambda: examples(300).with_columns(label=pl.lit(0)), "All 300 past decisions were renewals"),
    (lambda: examples(300, months=0), "one month"),
    (lambda: examples(30), "Too few past decisions"),
    (lambda: examples(300).with_columns(events_recency=pl.lit(1.0), emails_opened=pl.lit(1.0),
                                        noise=pl.lit(0.0)), "Every member looks the same"),
])
def test_too_small_says_why_and_what_is_needed(make, words):
    why = ml.too_small(make(), FEATURES)
    assert why and words in why
    with pytest.raises(ValueError):
        ml.fit(make(), FEATURES)


def test_rule_based_score_has_the_same_reasons():
    ex = examples(30)
    why = ml.too_small(ex, FEATURES)
    fitted = ml.fit_rules(ex, FEATURES, why=why, prior=0.2)
    assert fitted.method == "rules" and fitted.card["why_rules"] == why
    rows = pl.DataFrame({"person_id": [1], "cutoff": [date(2025, 1, 1)],
                         "events_recency": [9.0], "emails_opened": [0.0], "noise": [1.0]})
    again = ml.Fitted.loads(fitted.dumps(), FEATURES)
    p, contrib = ml.predict(again, rows)
    assert p[0] > fitted.base_rate
    texts = [r["text"] for r in ml.reasons(again, FEATURES, rows, contrib)[0]]
    assert texts == ["No event in 9 months", "Stopped opening email"]
    empty = ml.fit_rules(examples(0), FEATURES, why="none", prior=0.2)
    assert empty.base_rate == 0.2 and empty.card["base_rate_source"] == "a typical association"
