"""Every write of insight: training a model version, scoring members with it.

Versions are never edited once ready: retraining makes a new one. Scoring writes the new
version's predictions and flips ``is_current`` in one transaction (``predictions_publish``),
under a lock on the association row, so a reader sees either the old scores or the new
ones — never nobody scored — and a retrain running beside a daily rescoring waits its turn.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from commonground.core.bulk import analyze, commit_unflushed, insert_frame
from commonground.core.errors import Conflict, NotFound
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import ml
from .lapse import dataset
from .lapse.features import feature_set
from .models import Method, ModelKind, ModelVersion, Prediction, VersionStatus

# Training examples at most (a seeded sample beyond): LightGBM's time grows with rows,
# and a hundred thousand decisions already pin the model down (the card says when sampled).
MAX_EXAMPLES = 120_000
LAPSE_PRIOR = 0.15  # a typical association's lapse rate, for a rule score without history
REASONS = 3


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _new_version(association: Association, kind: str, *, today: date, actor: Any) -> ModelVersion:
    with transaction.atomic():
        Association.objects.select_for_update().filter(pk=association.pk).first()
        number = (ModelVersion.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0) + 1
        return ModelVersion.objects.create(association=association, kind=kind, version=number,
                                           method=Method.MODEL, as_of=today,
                                           trained_by=_user(actor))


def lapse_train(*, association: Association, actor: Any = None, today: date | None = None,
                limit: int = MAX_EXAMPLES, seed: int = 42, score: bool = True) -> ModelVersion:
    """Train a new lapse-risk version on the association's past renewal decisions (or, when
    too few, make its rule-based score), then — unless ``score`` is false — score every
    member with it and make it current. A failure marks the version failed with the error
    and leaves the current one serving."""
    today = today or association_today(association)
    version = _new_version(association, ModelKind.LAPSE, today=today, actor=actor)
    started = time.monotonic()
    steps: dict[str, float] = {}  # seconds per step, for the card (and the benchmark)

    def lap(name: str) -> None:
        steps[name] = round(time.monotonic() - started - sum(steps.values()), 2)

    try:
        ex = lapse_examples(association, today=today, limit=limit, seed=seed, lap=lap)
        history, examples, features = ex.history, ex.examples, ex.features
        if ex.why is None:
            fitted = ml.fit(examples, features, seed=seed)
        else:
            fitted = ml.fit_rules(examples, features, why=ex.why, prior=LAPSE_PRIOR)
        lap("fit")
        card = {**fitted.card, **_card_notes(history, examples, decided_total=ex.decided_total,
                                             sampled=ex.sampled, limit=limit)}
        card["train_seconds"] = round(time.monotonic() - started, 1)
        card["steps_seconds"] = steps
        fitted.card = card
    except Exception as exc:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        raise
    _store(version, fitted)
    audit.record(association=association, action="lapse_model.trained", obj=version, actor=actor,
                 data={"version": version.version, "method": version.method,
                       "auc": card.get("auc"), "examples": len(examples)})
    if score:
        lapse_score(association=association, version=version, today=today, actor=actor)
        version.refresh_from_db()
    return version


@dataclass
class LapseExamples:
    """What a training reads: the history, its past decisions with their features (a
    seeded sample past ``limit``), and why no model can be trained, if so."""

    history: dataset.History
    examples: Any
    features: Any
    decided_total: int
    sampled: bool
    why: str | None


def lapse_examples(association: Association, *, today: date, limit: int = MAX_EXAMPLES,
                   seed: int = 42, lap: Callable[[str], None] = lambda _step: None
                   ) -> LapseExamples:
    """The examples a lapse model trains on (``lapse_train``) or is evaluated on (the
    ``lapse evaluate`` command); ``lap`` is told when loading and the features are done."""
    history = dataset.load(association, today=today)
    lap("load")
    decided = dataset.decisions(history)
    sampled = len(decided) > limit
    if sampled:
        decided = decided.sample(limit, seed=seed).sort("cutoff")
    examples = dataset.compute(history, decided)
    lap("features")
    features = feature_set(history.feature_names())
    return LapseExamples(history=history, examples=examples, features=features,
                         decided_total=len(decided), sampled=sampled,
                         why=no_model_why(history) or ml.too_small(examples, features))


def no_model_why(history: dataset.History) -> str | None:
    """What makes a lapse model meaningless before counting decisions: no terms, only
    lifetime plans, no activity at all."""
    terms = history.terms
    if not len(terms):
        return ("No memberships with dated terms are recorded, so there are no past renewals "
                "to learn from. Import memberships with their terms and train again.")
    if (terms.get_column("term_months") == 0).all():
        return "Every membership is on a lifetime plan: there are no renewals to predict."
    if not len(history.activity):
        return ("No activity is recorded for any member (events, email, courses, website…). "
                "Without it a model would only see dues and payment dates, while behaviour is "
                "what tells renewers from lapsers. Import activity and train again.")
    return None


def _card_notes(history: dataset.History, examples: pl.DataFrame, *, decided_total: int,
                sampled: bool, limit: int) -> dict[str, Any]:
    return {
        "decisions": decided_total, "sampled": sampled, "sample_limit": limit if sampled else None,
        "lapses": int(examples.get_column("label").sum()) if len(examples) else 0,
        "cutoff_rule": "Each past renewal decision is seen as it stood on the first of the "
                       "month about two months before the term ended (at the start of "
                       "short terms); nothing recorded on or after that day is used.",
        "auto_renew": "Auto-renewal is not recorded in this system, so the model cannot use it.",
        "activity_buckets": history.buckets,
    }


def _store(version: ModelVersion, fitted: ml.Fitted) -> None:
    card = fitted.card
    fields = {"method": Method.MODEL if fitted.method == "model" else Method.RULES,
              "status": VersionStatus.READY, "card": _jsonable(card),
              "artifact": fitted.dumps(), "finished_at": timezone.now(),
              "n_train": card.get("n_train", card.get("n_examples", 0)),
              "n_holdout": card.get("n_holdout", 0),
              "positives_train": card.get("positives_train", card.get("positives", 0)),
              "positives_holdout": card.get("positives_holdout", 0)}
    for key in ("train_from", "holdout_from", "holdout_to"):
        if card.get(key):
            fields[key] = date.fromisoformat(card[key])
    ModelVersion.objects.filter(pk=version.pk).update(**fields)
    for k, v in fields.items():
        setattr(version, k, v)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def current_version(kind: str = ModelKind.LAPSE) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, is_current=True).first()


def lapse_score(*, association: Association, version: ModelVersion | None = None,
                today: date | None = None, actor: Any = None,
                steps: dict[str, float] | None = None) -> int:
    """Score every current member (active, due or in grace, not lifetime) for their next
    renewal with ``version`` (default: the current one) and publish. Returns the count.
    ``steps`` (a dict) receives the seconds of each step (the benchmark prints them)."""
    version = version or current_version(ModelKind.LAPSE)
    if version is None:
        raise NotFound("No lapse model yet: train one first (commonground lapse train).")
    if version.status != VersionStatus.READY:
        raise Conflict(f"Version {version.version} is {version.get_status_display().lower()}, "
                       "not ready to score with.")
    today = today or association_today(association)
    started = time.monotonic()
    steps = {} if steps is None else steps
    # Activity counted per window in SQL: one row per person and bucket, not per month.
    history = dataset.load(association, today=today, windows=True)
    steps["load"] = round(time.monotonic() - started, 2)
    frame = lapse_frame(history, version, steps=steps)
    mark = time.monotonic()
    n = predictions_publish(association=association, version=version,
                            kind=ModelKind.LAPSE, frame=frame)
    steps["publish"] = round(time.monotonic() - mark, 2)
    audit.record(association=association, action="lapse_model.scored", obj=version, actor=actor,
                 data={"version": version.version, "people": n, "steps_seconds": steps,
                       "seconds": round(time.monotonic() - started, 2)})
    return n


def lapse_frame(history: dataset.History, version: ModelVersion,
                person_ids: list[int] | None = None,
                steps: dict[str, float] | None = None) -> pl.DataFrame:
    """Predictions to write: ``person_id, probability, band, reasons, decision_on,
    value_at_risk`` for the members ``dataset.current`` finds."""
    rows = dataset.current(history, person_ids=person_ids)
    fitted = ml.Fitted.loads(version.artifact, feature_set(_names(version)))
    features = feature_set(fitted.feature_names)
    mark = time.monotonic()
    frame = dataset.compute(history, rows)
    if steps is not None:
        steps["features"] = round(time.monotonic() - mark, 2)
        mark = time.monotonic()
    for name in fitted.feature_names:  # a feature the data no longer has: unknown
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    p, contrib = ml.predict(fitted, frame)
    why = ml.reasons(fitted, features, frame, contrib, k=REASONS)
    if steps is not None:
        steps["predict_and_reasons"] = round(time.monotonic() - mark, 2)
    dues = frame.get_column("price").fill_null(0).to_numpy() * 12 / \
        np.maximum(frame.get_column("term_months").fill_null(12).to_numpy(), 1)
    chapters = frame.select("person_id").join(
        history.people.select("person_id", "chapter_id"), on="person_id", how="left")
    return pl.DataFrame({
        "person_id": frame.get_column("person_id"),
        "probability": np.round(p, 4),
        "band": ml.band_of(p, fitted.base_rate) if len(p) else [],
        "reasons": why,
        "decision_on": frame.get_column("decision_on"),
        # Revenue at risk: the chance of losing the member times a year of their dues.
        "value_at_risk": np.round(p * dues, 2),
        "plan_id": frame.get_column("plan_id"),
        "chapter_id": chapters.get_column("chapter_id"),
    }, schema_overrides={"reasons": pl.Object})


def _names(version: ModelVersion) -> list[str]:
    return [f["name"] for f in version.card.get("features", [])]


def predictions_publish(*, association: Association, version: ModelVersion, kind: str,
                        frame: pl.DataFrame) -> int:
    """Replace ``kind``'s predictions with ``frame`` (``person_id, probability, band,
    reasons, decision_on, value_at_risk``, optionally ``plan_id, chapter_id``) from
    ``version`` and make it the current version — one transaction: readers see the old
    scores until it commits."""
    now = timezone.now()
    out = pl.DataFrame({
        "person_id": frame.get_column("person_id"),
        "probability": frame.get_column("probability").cast(pl.Float64),
        "band": frame.get_column("band"),
        "reasons": [json.dumps(r) for r in frame.get_column("reasons").to_list()],
        "decision_on": frame.get_column("decision_on").cast(pl.Date),
        "value_at_risk": frame.get_column("value_at_risk").cast(pl.Float64).round(2),
        **{c: frame.get_column(c).cast(pl.Int64) for c in ("plan_id", "chapter_id")
           if c in frame.columns},
    }) if len(frame) else None
    with transaction.atomic():
        if len(frame) > 10_000:
            # A bulk rescoring is redone by the next run: its commit need not wait for the
            # WAL flush of 10^5 rows (2 s of publishing them). A crash loses the whole
            # transaction or nothing — readers keep the old version's scores either way.
            commit_unflushed()
        Association.objects.select_for_update().filter(pk=association.pk).first()
        # One DELETE statement: predictions have no dependants and no delete signals, and
        # the ORM's delete() would first fetch every row (100,000 of them) to collect them.
        old = Prediction.objects.filter(kind=kind)
        old._raw_delete(old.db)
        n = 0
        if out is not None:
            n = insert_frame(Prediction, out, {
                "association_id": association.pk, "kind": kind, "model_id": version.pk,
                "scored_at": _stamp(now)})
        ModelVersion.objects.filter(kind=kind, is_current=True).exclude(pk=version.pk) \
            .update(is_current=False, status=VersionStatus.RETIRED)
        counts = dict(Counter(frame.get_column("band").to_list())) if len(frame) else {}
        card = {**(ModelVersion.objects.filter(pk=version.pk).values_list("card", flat=True)
                   .first() or {}), "band_counts": counts, "scored": n}
        ModelVersion.objects.filter(pk=version.pk).update(is_current=True, card=card)
    version.is_current = True
    version.card = card
    if n > 10_000:  # a bulk load: fresh planner statistics, or list pages pick nested loops
        analyze([Prediction])
    return n


def _stamp(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" \
        else value.isoformat()


def value(amount: float) -> Decimal:
    return Decimal(str(round(amount, 2)))


def _prospects_train(*, association: Association, actor: Any = None) -> ModelVersion:
    # Here, not at the top: the prospect model lives in its own package of this app, which
    # imports these services (publishing) — importing it here at load time would be a cycle.
    from commonground.insight.prospects.services import prospects_train

    return prospects_train(association=association, actor=actor)


# The model kinds the model card's "Train now" runs.
TRAINERS: dict[str, Any] = {ModelKind.LAPSE: lapse_train, ModelKind.PROSPECT: _prospects_train}
