"""Contributions from the command line.

    commonground contributions list --association SLUG [--status submitted|verified|rejected]
        [--origin member|staff|inferred|opportunity|group] [--limit N] [--json]
    commonground contributions verify ID [ID …] --association SLUG [--by STAFF-EMAIL]
    commonground contributions reject ID [ID …] --association SLUG --reason TEXT [--by EMAIL]

``--by`` records which staff member decided (and refuses their own contributions); without
it the decision is the system's. Each decision notifies the member (portal and email).
A refused id prints its reason and the command exits non-zero after the others ran.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.engagement import selectors, services
from commonground.engagement.models import Contribution, ContributionOrigin, ContributionStatus
from commonground.tenancy.cli import refused

from ._common import associations, staff_user


def row(c: Contribution) -> dict:
    return {"id": c.pk, "person_id": c.person_id, "person": str(c.person), "kind": c.kind,
            "title": c.title, "occurred_on": c.occurred_on.isoformat(), "status": c.status,
            "origin": c.origin, "origin_ref": c.origin_ref,
            "hours": str(c.hours) if c.hours is not None else None,
            "rejection_reason": c.rejection_reason}


class Command(BaseCommand):
    help = "List, verify and reject contributions (value created)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="The verification queue (or decided ones)")
        lst.add_argument("--association", required=True)
        lst.add_argument("--status", choices=ContributionStatus.values,
                         default=ContributionStatus.SUBMITTED)
        lst.add_argument("--origin", choices=ContributionOrigin.values)
        lst.add_argument("--limit", type=int, default=50)
        lst.add_argument("--json", action="store_true", dest="as_json")
        for name in ("verify", "reject"):
            p = sub.add_parser(name, help=f"{name.capitalize()} contributions by id")
            p.add_argument("ids", nargs="+")
            p.add_argument("--association", required=True)
            p.add_argument("--by", help="Email of the staff member deciding")
            if name == "reject":
                p.add_argument("--reason", required=True, help="What the member reads")

    def handle(self, *args, action: str, association: str, **opts) -> None:
        assoc = associations(association)[0]
        with scope(association=assoc):
            if action == "list":
                if not 1 <= opts["limit"] <= 10000:
                    raise CommandError("--limit: between 1 and 10000")
                rows = [row(c) for c in selectors.contribution_queue(
                    status=opts["status"], origin=opts["origin"])[:opts["limit"]]]
                if opts["as_json"]:
                    self.stdout.write(json.dumps(rows, indent=2))
                for r in [] if opts["as_json"] else rows:
                    self.stdout.write(f"{r['id']:>7}  {r['occurred_on']}  {r['person'][:28]:<28} "
                                      f"{r['kind']:<18} {r['origin']:<11} {r['title']}")
                if not rows and not opts["as_json"]:
                    self.stdout.write("No contributions.")
                return
            actor = staff_user(assoc, opts.get("by"))
            failed = []
            for ref in opts["ids"]:
                pid = parse_id(ref)
                c = Contribution.objects.filter(pk=pid).first() if pid else None
                if c is None:
                    failed.append(f"{ref}: no such contribution")
                    continue
                try:
                    if action == "verify":
                        c = services.contribution_verify(association=assoc, contribution=c,
                                                         actor=actor)
                    else:
                        c = services.contribution_reject(association=assoc, contribution=c,
                                                         reason=opts["reason"], actor=actor)
                except DomainError as exc:
                    failed.append(f"{ref}: {refused(exc)}")
                    continue
                self.stdout.write(f"{c.pk}: {c.get_status_display().lower()} — {c.title}")
            if failed:
                raise CommandError("\n".join(failed))
