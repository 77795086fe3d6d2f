"""Motivations, skills and interests from the command line.

    commonground traits defaults [--association SLUG]
    commonground traits infer [--association SLUG] [--days N] [--json] [--enqueue]
    commonground traits show PERSON-ID --association SLUG [--json]

``infer`` replaces every person's inferred motivations with what their last ``--days``
(default 365) of activity suggest, and adds the contributions the stream shows (forum
answers, volunteer shifts, talks of the last 90 days; peer groups' monthly work) to the
verification queue. It runs daily from the worker
too. Stated and staff-recorded traits are never touched.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope

from commonground.core.ids import parse_id
from commonground.engagement import inference, selectors, services, tasks
from commonground.people.models import Person

from ._common import associations


class Command(BaseCommand):
    help = "Motivations, skills and interests: install the defaults, infer from activity, show."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("defaults", help="Install the default taxonomies (idempotent)")
        d.add_argument("--association", help="Slug; all associations when omitted")
        i = sub.add_parser("infer", help="Infer motivations and contributions from activity")
        i.add_argument("--association", help="Slug; all associations when omitted")
        i.add_argument("--days", type=int, default=inference.WINDOW_DAYS,
                       help="Activity window in days (default 365)")
        i.add_argument("--json", action="store_true", dest="as_json")
        i.add_argument("--enqueue", action="store_true",
                       help="Hand the work to the task worker (the daily job's task)")
        s = sub.add_parser("show", help="A person's effective traits")
        s.add_argument("person")
        s.add_argument("--association", required=True)
        s.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association=None, **opts) -> None:
        if action == "show":
            return self._show(association, opts["person"], opts["as_json"])
        out = {}
        for assoc in associations(association):
            with scope(association=assoc):
                if action == "defaults":
                    added = services.taxonomy_install_defaults(association=assoc)
                    self.stdout.write(f"{assoc.slug}: {added} entries added")
                    continue
                if not 1 <= opts["days"] <= 3660:
                    raise CommandError("--days: between 1 and 3660")
                if opts["enqueue"]:
                    transaction.on_commit(
                        lambda a=assoc: tasks.infer_from_activity.enqueue(a.pk))
                    self.stdout.write(f"{assoc.slug}: queued")
                    continue
                traits = services.traits_infer(association=assoc, days=opts["days"])
                found = services.contributions_infer(association=assoc,
                                                     days=min(opts["days"], 90))
                groups = services.group_contributions_infer(association=assoc)
                created = found["created"] + groups["created"]
                out[assoc.slug] = {**traits, "contributions_created": created}
                if not opts["as_json"]:
                    self.stdout.write(
                        f"{assoc.slug}: {traits['traits']} inferred motivations for "
                        f"{traits['people']} people; {created} contributions to verify")
        if action == "infer" and opts["as_json"]:
            self.stdout.write(json.dumps(out, indent=2))

    def _show(self, slug: str, person_ref: str, as_json: bool) -> None:
        assoc = associations(slug)[0]
        pid = parse_id(person_ref)
        with scope(association=assoc):
            person = Person.objects.filter(pk=pid).first() if pid else None
            if person is None:
                raise CommandError(f"No person {person_ref!r} in {assoc.slug}")
            rows = [{"kind": t.trait.kind, "trait": t.trait.slug, "name": t.trait.name,
                     "strength": t.strength, "source": t.source, "why": t.explanation}
                    for t in selectors.effective_traits(person)]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for r in rows:
            self.stdout.write(f"{r['kind']:<10} {r['name']:<40} {r['strength']}  {r['why']}")
        if not rows:
            self.stdout.write("No traits known.")
