"""``commonground export people --association SLUG [--format csv|xlsx] [--output FILE]
[--status S] [--plan SLUG] [--search WORDS]``: write people in the columns ``import people``
reads. ``--search`` finds people as the staff list's search box does."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef
from django_scopes import scope

from commonground.membership.exporting import FORMATS, export_people
from commonground.membership.models import Membership, Plan, Status
from commonground.people.models import Person
from commonground.people.selectors import person_search
from commonground.tenancy.cli import association_named


class Command(BaseCommand):
    help = "Export data to files."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        people = sub.add_parser("people", help="Export people (CSV or XLSX)")
        people.add_argument("--association", required=True, help="Association slug")
        people.add_argument("--format", choices=FORMATS, help="Default: from --output, else csv")
        people.add_argument("--output", "-o", type=Path, help="File to write (default: stdout)")
        people.add_argument("--status", choices=Status.values,
                            help="Only people with a membership in this status")
        people.add_argument("--plan", help="Only people with a membership on this plan (slug)")
        people.add_argument("--search", default="",
                            help="Only people whose name or email contains every word "
                                 "(as the staff list's search)")

    def handle(self, *args, association: str, format=None, output=None, status=None, plan=None,
               search: str = "", **options) -> None:
        assoc = association_named(association)
        fmt = format or ("xlsx" if output and output.suffix.lower() == ".xlsx" else "csv")
        if fmt == "xlsx" and output is None:
            raise CommandError("XLSX needs --output FILE")
        with scope(association=assoc):
            people = person_search(Person.objects.all(), search)
            memberships = Membership.objects.filter(person=OuterRef("pk"))
            if plan:
                plan_obj = Plan.objects.filter(slug=plan).first()
                if plan_obj is None:
                    known = ", ".join(Plan.objects.values_list("slug", flat=True)) or "none"
                    raise CommandError(f"No plan {plan!r}; plans: {known}")
                memberships = memberships.filter(plan=plan_obj)
            if status:
                memberships = memberships.filter(status=status)
            if plan or status:
                people = people.filter(Exists(memberships))
            if output is None:
                count = export_people(association=assoc, people=people, fmt=fmt,
                                      out=sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                with open(output, "wb") as fh:
                    count = export_people(association=assoc, people=people, fmt=fmt, out=fh)
                self.stderr.write(f"Wrote {count} people to {output}")
