"""``commonground prospects train|score|evaluate|list --association SLUG [--json]``.

``train`` trains a new version of the propensity-to-join model (or the rule-based score
when the history is too short: it says why and what is needed) and scores every prospect
with it; ``score`` rescores with the current version; ``evaluate`` trains in memory only
and prints the time-holdout figures, ``auc=`` last (``auc=n/a`` with the reason when no
model can be trained); ``list`` prints the best prospects with their reasons.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand
from django_scopes import scope

from commonground.insight import selectors as versions
from commonground.insight.models import ModelKind
from commonground.insight.prospects import selectors
from commonground.tenancy.cli import association_named

FIGURES = ("method", "examples", "people", "cutoffs", "first_cutoff", "last_cutoff", "n_train",
           "positives_train", "n_holdout", "positives_holdout", "holdout_from", "holdout_to",
           "base_rate", "pr_auc", "brier", "top_decile_lift", "trees")


class Command(BaseCommand):
    help = "Prospects: train, score, evaluate the propensity-to-join model; list the best prospects."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("train", "Train a new version and score everyone with it"),
                           ("score", "Rescore every prospect with the current version"),
                           ("evaluate", "Train in memory; print the holdout figures, auc= last"),
                           ("list", "The best prospects, with their reasons")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--association", required=True, help="Slug")
            p.add_argument("--json", action="store_true", help="Print JSON")
            if name in ("train", "evaluate", "score"):
                p.add_argument("--today", type=date.fromisoformat,
                               help="Score as of this date (YYYY-MM-DD; default: the association's today)")
            if name == "list":
                p.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action: str, association: str, json: bool = False, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            getattr(self, f"_{action}")(assoc, as_json=json, **options)

    @staticmethod
    def _services():
        # Here, not at the top: `commonground help` loads every command to list it, and the
        # services load LightGBM and scikit-learn.
        from commonground.insight.prospects import services

        return services

    def _emit(self, data, as_json: bool, lines: list[str]) -> None:
        if as_json:
            self.stdout.write(_dumps(data))
        else:
            for line in lines:
                self.stdout.write(line)

    def _train(self, assoc, *, as_json: bool, today=None, **_) -> None:
        version = self._services().prospects_train(association=assoc, today=today)
        card = version.card
        scored = selectors.counts(assoc).total
        data = {"version": version.version, "method": version.method, "scored": scored,
                "auc": card.get("auc"), "why_rules": card.get("why_rules")}
        lines = [f"{assoc.slug}: prospects v{version.version} ({version.get_method_display()}), "
                 f"{scored} prospects scored"]
        if card.get("why_rules"):
            lines.append(f"Rule-based: {card['why_rules']}")
        lines.append(f"auc={_fmt(card.get('auc'))}")
        self._emit(data, as_json, lines)

    def _score(self, assoc, *, as_json: bool, today=None, **_) -> None:
        n = self._services().prospects_score(association=assoc, today=today)
        version = versions.current_version(ModelKind.PROSPECT)
        self._emit({"scored": n, "version": version.version}, as_json,
                   [f"{assoc.slug}: {n} prospects scored with v{version.version}"])

    def _evaluate(self, assoc, *, as_json: bool, today=None, **_) -> None:
        card = self._services().prospects_evaluate(association=assoc, today=today)
        if as_json:
            self.stdout.write(_dumps(card))
            return
        for key in FIGURES:
            if card.get(key) is not None:
                self.stdout.write(f"{key}={card[key]}")
        if card.get("why_rules"):
            self.stdout.write(f"why_rules={card['why_rules']}")
        for row in (card.get("importance") or [])[:5]:
            self.stdout.write(f"importance {row['gain']:.3f} {row['label']}")
        self.stdout.write(f"auc={_fmt(card.get('auc'))}")

    def _list(self, assoc, *, as_json: bool, limit: int = 20, **_) -> None:
        rows = list(selectors.ranked(assoc)[: max(1, min(limit, 1000))])
        data = [{"person_id": p.person_id, "name": str(p.person), "probability": round(p.probability, 4),
                 "band": p.band, "first_year_dues": str(p.value_at_risk),
                 "reasons": [r["text"] for r in p.reasons]} for p in rows]
        lines = [f"{p.probability:6.1%}  {p.band:<6}  {p.value_at_risk:>9}  {p.person}"
                 f"{' — ' + '; '.join(r['text'] for r in p.reasons) if p.reasons else ''}"
                 for p in rows] or ["No prospects scored yet: run `commonground prospects train`"]
        self._emit(data, as_json, lines)


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _dumps(data) -> str:
    return json.dumps(data, default=str, indent=2)
