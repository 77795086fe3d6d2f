"""Every write of the prospects model: train a version, score everyone with it.

``prospects_train`` builds the point-in-time examples (``features``), trains the
calibrated model on a time split through the kernel (``insight.ml``) — or, where the
history is too short, the rule-based score, with the reason on its card — stores the
version, and scores every prospect with it. ``prospects_score`` rescores with the current
version (daily: activity moves). Predictions of a new version replace the old ones and
the version becomes current in one transaction, so nobody is ever without a score while a
retraining runs. ``prospects_evaluate`` trains in memory only: the figures, nothing stored.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from commonground.activity.models import Activity
from commonground.core.errors import Conflict
from commonground.insight.ml import Fitted, band_of, fit, fit_rules, predict, reasons, too_small
from commonground.insight.models import Method, ModelKind, ModelVersion, Prediction, VersionStatus
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import features
from .wording import FEATURES, rules_card

KIND = ModelKind.PROSPECT
# The share of prospects who join within six months in a typical association: the
# rule-based score's starting point when the association has no history of its own.
PRIOR = 0.03
WHAT = ("joins", "prospects who did not join")
WRITE_BATCH = 2000
# Prospect-months a training uses at most: a random sample of whole people beyond it (the
# 100,000-member benchmark has 360,000; the fit's time and memory grow with them, its AUC
# barely does). The card says when a sample was used.
MAX_EXAMPLES = 150_000


@dataclass
class Training:
    """The examples a training saw, and the span they came from."""

    examples: pl.DataFrame
    cutoffs: list[date]
    today: date
    total: int = 0  # examples before sampling


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def training_examples(association: Association, *, today: date,
                      horizon_days: int = features.HORIZON_DAYS) -> Training:
    """Monthly cutoffs from the first recorded activity (or person) to ``today`` minus the
    horizon — every label complete — and the prospects at each with their features."""
    first_activity = Activity.objects.filter(person__isnull=False).aggregate(m=Min("occurred_at"))["m"]
    first_person = Person.objects.aggregate(m=Min("created_at"))["m"]
    starts = [d.date() for d in (first_activity, first_person) if d is not None]
    last = today - timedelta(days=horizon_days)
    cutoffs = features.monthly_cutoffs(min(starts), last) if starts else []
    if not cutoffs:
        empty = features.features_at(features.History(
            people=pl.DataFrame(schema={"person_id": pl.Int64, "created": pl.Date}),
            terms=pl.DataFrame(schema=features.TERM_SCHEMA),
            org_terms=pl.DataFrame(schema={"person_id": pl.Int64, "starts_on": pl.Date,
                                           "covers_until": pl.Date}),
            days=pl.DataFrame(schema=features.DAY_SCHEMA)), [])
        return Training(examples=empty, cutoffs=[], today=today)
    history = features.load(association, first_cutoff=cutoffs[0], last_cutoff=cutoffs[-1],
                            cutoffs=cutoffs)
    examples = features.features_at(history, cutoffs, horizon_days=horizon_days)
    del history
    total = examples.height
    if total > MAX_EXAMPLES:
        people = examples.get_column("person_id").unique().sort()
        keep = people.sample(fraction=MAX_EXAMPLES / total, seed=42)
        examples = examples.filter(pl.col("person_id").is_in(keep.implode()))
    return Training(examples=examples, cutoffs=cutoffs, today=today, total=total)


def _fit(training: Training, *, seed: int) -> tuple[Fitted, str | None]:
    # A feature nobody has a value for (no former members: "days since the membership
    # ended" is all missing) makes numpy's nan-statistics warn about an empty slice; the
    # kernel handles the NaN itself, the warning says nothing to anyone.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, message=".*(slice|Degrees)")
        why = too_small(training.examples, FEATURES, what=WHAT)
        if why:
            return fit_rules(training.examples, FEATURES, why=why, prior=PRIOR, what=WHAT), why
        return fit(training.examples, FEATURES, seed=seed), None


def _card(fitted: Fitted, training: Training, horizon_days: int) -> dict[str, Any]:
    card = {**fitted.card, "kind": KIND.value, "horizon_days": horizon_days,
            "cutoffs": len(training.cutoffs),
            "first_cutoff": str(training.cutoffs[0]) if training.cutoffs else None,
            "last_cutoff": str(training.cutoffs[-1]) if training.cutoffs else None,
            "examples": training.examples.height,
            **({"sampled": True, "sample_limit": training.examples.height,
                "examples_total": training.total}
               if training.total > training.examples.height else {}),
            "people": training.examples.get_column("person_id").n_unique(),
            "label": f"Joined within {horizon_days} days of the cutoff",
            "what": list(WHAT), "decisions": "prospect-months",
            "cutoff_rule": (f"One example per person who was a prospect on the first of a month, "
                            f"labelled by whether they joined in the {horizon_days} days after; "
                            "features from before that day only. The latest months are held "
                            "out to test the model."),
            "signals": ("Signals: visits to the website and to the membership pages, email "
                        "received, opened and clicked, unsubscribes, events attended, purchases "
                        "and spend at non-member prices, courses, other activity, over 3 and 12 "
                        "months with recency and trend; how long the person has been known, a "
                        "former membership and how long ago it ended, an employer that is a "
                        "member."),
            "population": ("People the association knew before the cutoff, not members on it "
                           "(grace included), with activity tied to them in the year before "
                           "it")}
    if fitted.method == "rules":
        card["rules"] = rules_card()
        card["rules_note"] = ("Points per signal, added to the base rate's log-odds: a ranking "
                              "of who looks closest to joining, not a measured probability.")
    return card


def prospects_evaluate(*, association: Association, today: date | None = None,
                       seed: int = 42, horizon_days: int = features.HORIZON_DAYS,
                       training: Training | None = None) -> dict[str, Any]:
    """Train in memory and return the card (holdout AUC, PR-AUC, Brier, lift…, or why
    only the rule-based score is possible). Nothing is stored. ``training``: the examples
    when the caller has built them already (the benchmark reads them too)."""
    today = today or association_today(association)
    if training is None:
        training = training_examples(association, today=today, horizon_days=horizon_days)
    fitted, _why = _fit(training, seed=seed)
    return _card(fitted, training, horizon_days)


def prospects_train(*, association: Association, actor: Any = None, today: date | None = None,
                    seed: int = 42, horizon_days: int = features.HORIZON_DAYS,
                    score: bool = True) -> ModelVersion:
    """Train a new version (a model, or the rule-based score when the history is too
    short: the card says why and what is needed) and, by default, score everyone with it
    — which makes it current. A failure leaves the version ``failed`` with the error and
    the current version (and its scores) in place."""
    today = today or association_today(association)
    with transaction.atomic():
        Association.objects.select_for_update().filter(pk=association.pk).first()
        number = (ModelVersion.objects.filter(kind=KIND).aggregate(v=Max("version"))["v"] or 0) + 1
        version = ModelVersion.objects.create(association=association, kind=KIND, version=number,
                                              method=Method.MODEL, status=VersionStatus.TRAINING,
                                              as_of=today, trained_by=_user(actor))
    try:
        training = training_examples(association, today=today, horizon_days=horizon_days)
        fitted, why = _fit(training, seed=seed)
    except Exception as exc:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    card = _card(fitted, training, horizon_days)
    version.method = Method.RULES if fitted.method == "rules" else Method.MODEL
    version.card = card
    version.artifact = fitted.dumps()
    version.status = VersionStatus.READY
    version.finished_at = timezone.now()
    if fitted.method == "model":
        version.train_from = date.fromisoformat(card["train_from"])
        version.holdout_from = date.fromisoformat(card["holdout_from"])
        version.holdout_to = date.fromisoformat(card["holdout_to"])
        version.n_train, version.n_holdout = card["n_train"], card["n_holdout"]
        version.positives_train = card["positives_train"]
        version.positives_holdout = card["positives_holdout"]
    else:
        version.n_train = training.examples.height
        version.positives_train = int(training.examples.get_column("label").sum()) \
            if training.examples.height else 0
    version.save()
    audit.record(association=association, action="prediction_model.trained", obj=version,
                 actor=actor, data={"kind": KIND.value, "version": number,
                                    "method": version.method, "auc": card.get("auc"),
                                    "why_rules": why})
    if score:
        prospects_score(association=association, version=version, today=today, actor=actor)
    return version


ABSENCE_FEATURES = frozenset({*features.COUNT_FEATURES, "former_member", "past_terms", "org_member",
                              "days_since_member", "days_since_activity", "email_rate_365d"})
REASONS = 3


def _reasons(fitted: Fitted, frame: pl.DataFrame, contributions) -> list[list[dict[str, Any]]]:
    """The kernel's reasons, less those that are an absence ("No email opened",
    "Never a member"): a model may learn that people who never opened an email joined
    more often, but marketing cannot act on "did nothing" as a reason to call someone."""
    rows = reasons(fitted, FEATURES, frame, contributions, k=REASONS + 5)
    values = frame.select([c for c in fitted.feature_names]).to_dicts()
    out = []
    for row, value in zip(rows, values, strict=True):
        kept = [r for r in row if not (r["feature"] in ABSENCE_FEATURES
                                       and not value.get(r["feature"]))]
        out.append(kept[:REASONS])
    return out


def current_version(association: Association) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=KIND, is_current=True).first()


def prospects_score(*, association: Association, version: ModelVersion | None = None,
                    today: date | None = None, actor: Any = None) -> int:
    """Score everyone who is a prospect today with ``version`` (default: the current
    one; none yet: train one first). Replaces every prospect prediction and makes the
    version current, in one transaction. Returns the people scored."""
    today = today or association_today(association)
    version = version or current_version(association)
    if version is None:
        version = prospects_train(association=association, actor=actor, today=today, score=False)
    if version.status != VersionStatus.READY or not version.artifact:
        raise Conflict(f"Version {version.version} is {version.get_status_display().lower()}: "
                       "only a ready version can score")
    fitted = Fitted.loads(version.artifact, FEATURES)
    history = features.load(association, first_cutoff=today, last_cutoff=today)
    frame = features.features_at(history, [today])
    probability, contributions = predict(fitted, frame)
    why = _reasons(fitted, frame, contributions)
    bands = band_of(probability, fitted.base_rate) if len(probability) else []
    ids = frame.get_column("person_id").to_list()
    dues = features.first_year_dues(association, history, ids, today=today)
    now = timezone.now()
    rows = [Prediction(association=association, person_id=pid, kind=KIND, model=version,
                       probability=float(p), band=b, reasons=r, decision_on=None,
                       value_at_risk=dues[pid], scored_at=now)
            for pid, p, b, r in zip(ids, probability.tolist(), bands, why, strict=True)]
    with transaction.atomic():
        Association.objects.select_for_update().filter(pk=association.pk).first()
        Prediction.objects.filter(kind=KIND).delete()
        Prediction.objects.bulk_create(rows, batch_size=WRITE_BATCH)
        ModelVersion.objects.filter(kind=KIND, is_current=True).exclude(pk=version.pk) \
            .update(is_current=False)
        ModelVersion.objects.filter(pk=version.pk).update(is_current=True)
        version.is_current = True
        audit.record(association=association, action="prediction.scored", obj=version, actor=actor,
                     data={"kind": KIND.value, "version": version.version, "people": len(rows),
                           "as_of": today.isoformat()})
    return len(rows)
