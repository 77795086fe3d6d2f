"""``commonground engagement recompute [--association SLUG] [--background] [--snapshot]`` and
``commonground engagement explain PERSON --association SLUG [--json]`` (PERSON: id or email).

``recompute`` scores every person again as a batch (the nightly job does the same);
``--background`` hands it to the task worker. ``explain`` prints "why N" — the items with
the weights of the configuration version the score was computed with — and the change
since the last monthly snapshot.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.ids import parse_id
from commonground.people.models import Person
from commonground.scoring import selectors, services
from commonground.tenancy.cli import association_named
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association


class Command(BaseCommand):
    help = "Engagement score: recompute, explain."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("recompute", help="Recompute every score (a batch)")
        rec.add_argument("--association", help="Slug; all associations when omitted")
        rec.add_argument("--background", action="store_true", help="Queue for the task worker")
        rec.add_argument("--snapshot", action="store_true",
                         help="Also store this month's snapshot")
        exp = sub.add_parser("explain", help="Why a person's score is what it is")
        exp.add_argument("person", help="Person id or email")
        exp.add_argument("--association", required=True, help="Slug")
        exp.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args, action: str, **options) -> None:
        if action == "recompute":
            self._recompute(**options)
        else:
            self._explain(**options)

    def _associations(self, slug: str | None):
        return [association_named(slug)] if slug else list(Association.objects.all())

    def _recompute(self, *, association=None, background=False, snapshot=False, **_) -> None:
        for assoc in self._associations(association):
            with scope(association=assoc):
                month = association_today(assoc).replace(day=1) if snapshot else None
                run = services.score_recompute_start(association=assoc, background=background,
                                                     snapshot_month=month)
            if background:
                self.stdout.write(f"{assoc.slug}: queued (run {run.pk})")
            else:
                self.stdout.write(f"{assoc.slug}: {run.rows_done} people scored with model "
                                  f"v{run.config.version} as of {run.as_of}")

    def _explain(self, *, person: str, association: str, json: bool = False, **_) -> None:
        assoc = self._associations(association)[0]
        with scope(association=assoc):
            pk = parse_id(person)
            qs = Person.objects.filter(pk=pk) if pk is not None else \
                Person.objects.filter(email_key=person.strip().lower())
            found = qs.first()
            if found is None:
                raise CommandError(f"No person {person!r} in {assoc.slug}")
            score = selectors.score_of(assoc, found)
            if score is None:
                raise CommandError(f"{found} has no score yet: run `commonground engagement recompute`")
            change = selectors.change_since_snapshot(score)
        why = change.now
        if json:
            self.stdout.write(_json({"person_id": found.pk, "total": round(score.total, 1),
                                     "derived": round(score.derived, 1),
                                     "created": round(score.created, 1), "level": why.level,
                                     "config_version": why.version, "items": why.items,
                                     "sides": why.sides, "since_snapshot": change.delta,
                                     "changes": change.items}))
            return
        self.stdout.write(f"{found} — {score.total:.0f} of 100, level {why.level} "
                          f"(derived {score.derived:.0f}, created {score.created:.0f}; "
                          f"model v{why.version}, as of {score.as_of})")
        for item in why.items:
            capped = f" (capped at {item['cap']:g})" if item["capped"] else ""
            self.stdout.write(f"  {item['side']:<8} {item['label']:<40} {item['n']:>6} events → "
                              f"{item['decayed']:>8.1f} after decay × {item['weight']:g} = "
                              f"{item['points']:.1f}{capped}")
        for side, s in why.sides.items():
            self.stdout.write(f"  {side}: {s['raw']:.1f} points incl. breadth {s['breadth']:.1f} "
                              f"→ {s['score']:.0f} of 100 (share {s['share']:g})")
        if change.then is not None:
            self.stdout.write(f"Since {change.then.score.month:%B %Y} ({change.then.score.total:.0f}, "
                              f"model v{change.then.version}): {change.delta:+.1f}")
            for row in change.items[:10]:
                self.stdout.write(f"  {row['delta']:+7.1f}  {row['label']}")


def _json(data) -> str:
    return json.dumps(data, default=str, indent=2)
