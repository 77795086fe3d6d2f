"""``commonground offerings recommend --association SLUG [--person ID] [--top N] [--json]`` and
``commonground offerings evaluate --association SLUG [--holdout-days N] [--json]``.

``recommend`` computes everyone's next-best offerings (what the nightly job does) and, with
``--person``, prints that person's suggestions at their price. ``evaluate`` runs the
offline check — suggestions from what was taken before a cutoff, against what people took
new to them after it — and prints hit rates of the method and of the most-popular
baseline, with ``hit@3=`` (of the method) last.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import ValidationFailed
from commonground.core.ids import parse_id
from commonground.people.models import Person
from commonground.recommendations import evaluation, selectors, services
from commonground.tenancy.cli import association_named


class Command(BaseCommand):
    help = "Next-best offering: compute suggestions, evaluate them offline."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("recommend", help="Compute everyone's suggestions")
        rec.add_argument("--association", required=True, help="Slug")
        rec.add_argument("--person", help="Also print this person's (id or email)")
        rec.add_argument("--top", type=int, default=5, help="Suggestions per person (1–10)")
        rec.add_argument("--json", action="store_true", help="Print JSON")
        ev = sub.add_parser("evaluate", help="Hit rate of a held-out later offering vs most popular")
        ev.add_argument("--association", required=True, help="Slug")
        ev.add_argument("--holdout-days", type=int, default=evaluation.HOLDOUT_DAYS,
                        help="Days before today where the held-out period starts")
        ev.add_argument("--purchases", action="store_true",
                        help="Only priced offerings: suggested, and held out")
        ev.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            if action == "recommend":
                self._recommend(assoc, **options)
            else:
                self._evaluate(assoc, **options)

    def _recommend(self, assoc, *, person=None, top=5, json=False, **_) -> None:
        try:
            run = services.recommendations_compute(association=assoc, top=top)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        out = {"people": run.people, "offerings": run.offerings, "interactions": run.interactions,
               "seconds": run.seconds}
        if person:
            found = _person(person)
            if found is None:
                raise CommandError(f"No person {person!r} in {assoc.slug}")
            out["person"] = {"id": found.pk, "is_member": selectors.is_member(found),
                             "suggestions": [
                                 {"rank": s.rank, "offering": s.offering.name,
                                  "price": str(s.price), "currency": s.offering.currency,
                                  "reason": s.reason, "personal": s.personal}
                                 for s in selectors.suggestions_for(found, limit=top)]}
        if json:
            self.stdout.write(_json(out))
            return
        self.stdout.write(f"{assoc.slug}: suggestions for {run.people} people from "
                          f"{run.interactions} offerings taken ({run.offerings} offerings) "
                          f"in {run.seconds:.1f} s")
        for s in out.get("person", {}).get("suggestions", []):
            self.stdout.write(f"  {s['rank']}. {s['offering']} — {s['currency']} {s['price']}: "
                              f"{s['reason']}")

    def _evaluate(self, assoc, *, holdout_days=evaluation.HOLDOUT_DAYS, purchases=False,
                  json=False, **_) -> None:
        if holdout_days < 1:
            raise CommandError("--holdout-days must be at least 1")
        figures = evaluation.evaluate(assoc, holdout_days=holdout_days, purchases=purchases)
        if json:
            self.stdout.write(_json(figures.as_dict()))
            return
        self.stdout.write(f"{assoc.slug}: cutoff {figures.cutoff} ({figures.holdout_days} days "
                          f"held out), {figures.people_before} people with a history before it, "
                          f"{figures.cases} took something new after it"
                          + (" (priced offerings only)" if purchases else ""))
        if figures.too_few:
            self.stdout.write(figures.too_few)
            return
        for method, hits in figures.hit.items():
            self.stdout.write(f"  {method:16} " + "  ".join(f"{k}={v:.3f}" for k, v in hits.items()))
        if figures.lift is not None:
            self.stdout.write(f"lift_over_popular@3={figures.lift:.2f}")
        self.stdout.write(f"popular_hit@3={figures.hit['popular']['hit@3']:.4f}")
        self.stdout.write(f"hit@3={figures.hit['blend']['hit@3']:.4f}")


def _person(value: str):
    pk = parse_id(value)
    qs = Person.objects.filter(pk=pk) if pk is not None else \
        Person.objects.filter(email_key=value.strip().lower())
    return qs.first()


def _json(data) -> str:
    return json.dumps(data, default=str)
