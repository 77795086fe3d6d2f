"""``commonground lapse train|score|evaluate --association SLUG [--json]``.

``train`` makes a new lapse-risk version from the association's own history (a trained
model, or the rule-based score when the history is too short — it says why) and scores
every member with it; ``score`` rescores with the current version; ``evaluate`` measures
a model on the time holdout without storing anything and prints its figures, ``auc=``
last. All three read only what the import commands bring in (people, memberships with
their dated terms, invoices and payments, activities), so they work on any association.
"""

from __future__ import annotations

import json as jsonlib
import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.insight import ml, services
from commonground.insight.models import Prediction
from commonground.tenancy.cli import association_named
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

FIGURES = ("n_train", "positives_train", "n_holdout", "positives_holdout", "base_rate",
           "brier", "pr_auc", "top_decile_lift", "auc")


class Command(BaseCommand):
    help = "Lapse risk: train, score, evaluate."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("train", "Train a new version and score every member with it"),
                           ("score", "Rescore every member with the current version"),
                           ("evaluate", "Measure on the time holdout; store nothing")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--association", required=True, help="Slug")
            p.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args, action: str, association: str, json: bool = False, **_) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                out = getattr(self, f"_{action}")(assoc)
            except DomainError as exc:
                raise CommandError(exc.message) from None
        if json:
            self.stdout.write(jsonlib.dumps(out, default=str, indent=2))
            return
        for line in out.pop("_lines", []):
            self.stdout.write(line)
        for key in [k for k in out if k not in FIGURES] + [k for k in FIGURES if k in out]:
            value = out[key]
            if isinstance(value, (dict, list)):
                continue
            self.stdout.write(f"{key}={'n/a' if value is None else value}")

    def _train(self, assoc: Association) -> dict:
        started = time.monotonic()
        v = services.lapse_train(association=assoc)
        out = _figures(v.card)
        out.update(version=v.version, method=v.method, scored=_scored(),
                   seconds=round(time.monotonic() - started, 1))
        if v.method == "rules":
            out["_lines"] = [f"Rule-based score: {v.card.get('why_rules')}"]
        return out

    def _score(self, assoc: Association) -> dict:
        started = time.monotonic()
        n = services.lapse_score(association=assoc)
        v = services.current_version()
        return {"version": v.version, "method": v.method, "scored": n,
                "seconds": round(time.monotonic() - started, 1)}

    def _evaluate(self, assoc: Association) -> dict:
        started = time.monotonic()
        today = association_today(assoc)
        ex = services.lapse_examples(assoc, today=today, seed=42)
        if ex.why:
            # No meaningful AUC: say why, and print auc=n/a (as prospects does), never a figure.
            return {"_lines": [f"No model can be trained: {ex.why}"],
                    "decisions": ex.decided_total, "method": "rules", "auc": None}
        fitted = ml.fit(ex.examples, ex.features, seed=42, refit=False)
        out = _figures(fitted.card)
        out.update(decisions=ex.decided_total, method="model", features=len(ex.features),
                   seconds=round(time.monotonic() - started, 1))
        top = ", ".join(f"{i['label']} ({i['gain']:.0%})" for i in fitted.card["importance"][:5])
        out["_lines"] = [f"Holdout {fitted.card['holdout_from']} to {fitted.card['holdout_to']}; "
                         f"strongest signals: {top}"]
        out["calibration"] = fitted.card["calibration"]
        return out


def _figures(card: dict) -> dict:
    return {k: card.get(k) for k in ("train_from", "holdout_from", "holdout_to", *FIGURES)
            if k in card}


def _scored() -> int:
    return Prediction.objects.filter(kind="lapse").count()
