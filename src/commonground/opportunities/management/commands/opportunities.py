"""Opportunities from the command line.

    commonground opportunities list --association SLUG [--status open] [--json]
    commonground opportunities create --association SLUG --type speaker --title TITLE
        [--description TEXT] [--required SKILL,…] [--nice SKILL,…] [--motivations SLUG,…]
        [--interests SLUG,…] [--required-text TEXT] [--nice-text TEXT] [--capacity N]
        [--remote] [--location TEXT] [--open] [--json]
    commonground opportunities match ID --association SLUG [--limit N] [--json]

Taxonomy entries are named by slug or name. ``match`` prints the ranked candidates with
their fit, reasons and gaps (``--json``: one object with ``candidates``).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import ValidationFailed
from commonground.engagement.models import TraitKind
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.models import Association

from ... import matching, selectors, services
from ...models import Opportunity, OpportunityStatus, OpportunityType

OPTIONS = {"required_skills": "--required", "nice_skills": "--nice", "motivations": "--motivations",
           "interests": "--interests", "required_text": "--required-text",
           "nice_text": "--nice-text", "effort_hours": "--effort-hours"}




def _list_arg(text: str | None) -> list[str]:
    return [w for w in (text or "").split(",") if w.strip()]


class Command(BaseCommand):
    help = "List and create opportunities; rank members for one (match)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="The association's opportunities")
        lst.add_argument("--association", required=True)
        lst.add_argument("--status", choices=OpportunityStatus.values)
        lst.add_argument("--json", action="store_true", dest="as_json")

        create = sub.add_parser("create", help="Create an opportunity")
        create.add_argument("--association", required=True)
        create.add_argument("--type", required=True, choices=OpportunityType.values)
        create.add_argument("--title", required=True)
        create.add_argument("--description", default="")
        create.add_argument("--required", help="Required skills (slugs or names, comma-separated)")
        create.add_argument("--nice", help="Nice-to-have skills")
        create.add_argument("--motivations", help="Motivations it serves")
        create.add_argument("--interests", help="Interests it touches")
        create.add_argument("--required-text", default="", help="Required skills in free text")
        create.add_argument("--nice-text", default="")
        create.add_argument("--capacity", default="1")
        create.add_argument("--effort-hours")
        create.add_argument("--location", default="")
        create.add_argument("--remote", action="store_true")
        create.add_argument("--open", action="store_true", help="Open it now (default: draft)")
        create.add_argument("--json", action="store_true", dest="as_json")

        m = sub.add_parser("match", help="Rank members for an opportunity, with reasons and gaps")
        m.add_argument("opportunity", help="The opportunity's id")
        m.add_argument("--association", required=True)
        m.add_argument("--limit", type=int, default=20)
        m.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except ValidationFailed as exc:
                raise refused(exc, options=OPTIONS) from None

    def _list(self, assoc: Association, *, status=None, as_json: bool = False, **_: Any) -> None:
        rows = list(selectors.opportunity_list(status=status))
        if as_json:
            self.stdout.write(json.dumps([{**selectors.opportunity_row(o), "taken": o.n_taken,
                                           "invited": o.n_invited} for o in rows]))
            return
        if not rows:
            self.stdout.write("No opportunities yet.")
        for o in rows:
            self.stdout.write(f"{o.pk:>6}  {o.status:<7} {o.type:<18} {o.n_taken}/{o.capacity} "
                              f"taken, {o.n_invited} invited  {o.title}")

    def _traits(self, text: str | None, kind: str | None, option: str) -> list[int]:
        ids, missing = selectors.find_traits(_list_arg(text), kind=kind)
        if missing:
            raise CommandError(f"{option}: no taxonomy entry {', '.join(map(repr, missing))}")
        return ids

    def _create(self, assoc: Association, *, type: str, title: str, description: str,
                required=None, nice=None, motivations=None, interests=None,
                required_text: str = "", nice_text: str = "", capacity="1",
                effort_hours=None, location: str = "", remote: bool = False,
                open: bool = False, as_json: bool = False, **_: Any) -> None:
        opp = services.opportunity_save(
            association=assoc, type=type, title=title, description=description,
            required_skills=self._traits(required, TraitKind.SKILL, "--required"),
            nice_skills=self._traits(nice, None, "--nice"),
            motivations=self._traits(motivations, TraitKind.MOTIVATION, "--motivations"),
            interests=self._traits(interests, None, "--interests"),
            required_text=required_text, nice_text=nice_text, capacity=capacity,
            effort_hours=effort_hours, location=location, remote=remote,
            status=OpportunityStatus.OPEN if open else OpportunityStatus.DRAFT)
        if as_json:
            self.stdout.write(json.dumps(selectors.opportunity_row(opp)))
        else:
            self.stdout.write(f"Created opportunity {opp.pk}: {opp.title} ({opp.status})")

    def _match(self, assoc: Association, *, opportunity: str, limit: int = 20,
               as_json: bool = False, **_: Any) -> None:
        if not opportunity.isdigit():
            raise CommandError("The opportunity is its id (see: commonground opportunities list)")
        opp = Opportunity.objects.filter(pk=int(opportunity)).first()
        if opp is None:
            raise CommandError(f"No opportunity {opportunity} in {assoc.slug}")
        if not 1 <= limit <= 1000:
            raise CommandError("--limit: between 1 and 1000")
        result = matching.match(assoc, opp, limit=limit)
        if as_json:
            self.stdout.write(json.dumps({
                "opportunity": opp.pk, "title": opp.title, "pool": result.pool,
                "excluded_already_invited": result.excluded, "seconds": round(result.seconds, 4),
                "semantic": result.semantic, "weights": result.weights,
                "candidates": [c.as_dict() for c in result.candidates]}))
            return
        self.stdout.write(f"{opp.title}: {len(result.candidates)} of {result.pool} people "
                          f"({result.excluded} already invited left out), "
                          f"{result.seconds:.3f} s{' (with semantic)' if result.semantic else ''}")
        for rank, c in enumerate(result.candidates, 1):
            self.stdout.write(f"{rank:>3}. {c.name} (#{c.person_id}) {c.percent}%")
            self.stdout.write(f"     why: {'; '.join(c.reasons) or '—'}")
            if c.gaps:
                self.stdout.write(f"     gaps: {'; '.join(c.gaps)}")
