"""Joint initiatives and joint social enterprises from the command line.

    commonground initiatives list --association SLUG [--consortium ID] [--json]
    commonground initiatives show ID --association SLUG [--json]
    commonground initiatives create --association SLUG --by EMAIL --consortium ID --name TEXT
        [--kind initiative|social_enterprise] [--participant SLUG ...]
        [--split equal|fixed|contribution] [--percent SLUG=N ...] [--ends YYYY-MM-DD] [--json]
    commonground initiatives objective ID --association SLUG --by EMAIL --name TEXT
        --metric KEY --target N [--filter NAME=VALUE ...] [--deadline YYYY-MM-DD]
    commonground initiatives snapshot ID --association SLUG --by EMAIL
    commonground initiatives contribute ID --association SLUG --by EMAIL --kind KIND
        --description TEXT --value AMOUNT [--hours N]
    commonground initiatives revenue ID --association SLUG --by EMAIL --description TEXT
        --amount AMOUNT

The lead association creates it, adds objectives and records revenues (split at once to
the cent); each participant records its own contributions.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError, NotFound
from commonground.tenancy.cli import association_named, refused, staff_named
from commonground.tenancy.clock import association_today

from ... import selectors_consortia as sel
from ...crossing import initiatives as cross
from ...models import ContributionKind, InitiativeKind, SplitMethod
from ...services import initiatives as services
from .consortia import visible


def _pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in values or ():
        name, sep, value = raw.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{flag}: NAME=VALUE, got {raw!r}")
        out[name.strip()] = value.strip()
    return out


def visible_initiative(assoc, initiative_id: int):
    try:
        return cross.initiative_visible(association=assoc, initiative_id=initiative_id)
    except NotFound:
        raise CommandError(f"No initiative {initiative_id} in a consortium {assoc.slug} is a "
                           "member of (see `commonground initiatives list`)") from None


class Command(BaseCommand):
    help = "Joint initiatives: create, objectives, snapshots, contributions, revenue splits."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Initiatives of your consortia")
        lst.add_argument("--consortium", type=int)
        show = sub.add_parser("show", help="Participants, objectives, contributions, revenues")
        create = sub.add_parser("create", help="Start a joint initiative (you lead it)")
        create.add_argument("--consortium", type=int, required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--purpose", default="")
        create.add_argument("--kind", choices=InitiativeKind.values,
                            default=InitiativeKind.INITIATIVE)
        create.add_argument("--participant", action="append", default=[],
                            help="A consortium member's slug (repeat)")
        create.add_argument("--split", choices=SplitMethod.values, default=SplitMethod.EQUAL)
        create.add_argument("--percent", action="append", help="SLUG=N under --split fixed")
        create.add_argument("--starts", type=date.fromisoformat)
        create.add_argument("--ends", type=date.fromisoformat)
        objective = sub.add_parser("objective", help="Add an objective (a catalogue metric)")
        objective.add_argument("--name", required=True)
        objective.add_argument("--metric", required=True)
        objective.add_argument("--target", required=True)
        objective.add_argument("--baseline", default="0")
        objective.add_argument("--filter", action="append", help="NAME=VALUE (repeat)")
        objective.add_argument("--starts", type=date.fromisoformat)
        objective.add_argument("--deadline", type=date.fromisoformat)
        snapshot = sub.add_parser("snapshot", help="Compute the objectives in every "
                                                   "participant's data now")
        contribute = sub.add_parser("contribute", help="Record your contribution")
        contribute.add_argument("--kind", choices=ContributionKind.values, required=True)
        contribute.add_argument("--description", required=True)
        contribute.add_argument("--value", required=True)
        contribute.add_argument("--hours")
        revenue = sub.add_parser("revenue", help="Record a revenue (split by the rule)")
        revenue.add_argument("--description", required=True)
        revenue.add_argument("--amount", required=True)
        for p in (show, objective, snapshot, contribute, revenue):
            p.add_argument("initiative", type=int)
        for p in (lst, show, create, objective, snapshot, contribute, revenue):
            p.add_argument("--association", required=True)
            p.add_argument("--by", help="Email of the staff member acting")
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            actor = staff_named(assoc, options.pop("by", None))
            try:
                getattr(self, f"_{action}")(assoc, actor=actor, **options)
            except DomainError as exc:
                raise refused(exc, options={"metric_key": "--metric",
                                            "split_method": "--split",
                                            "percents": "--percent"}) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _list(self, assoc, *, consortium=None, as_json=False, **_: Any) -> None:
        rows = cross.initiatives_of(assoc, consortium_id=consortium)
        data = [{"id": i.pk, "name": i.name, "kind": i.kind, "lead": i.association.slug,
                 "consortium": i.consortium_id, "status": i.status} for i in rows]
        lines = [f"{d['id']:>6}  {d['status']:<8} {d['kind']:<18} {d['name']} "
                 f"(lead {d['lead']}, consortium {d['consortium']})" for d in data] \
            or ["No initiatives."]
        self._say(data, "\n".join(lines), as_json)

    def _show(self, assoc, *, initiative: int, as_json=False, **_: Any) -> None:
        i = visible_initiative(assoc, initiative)
        page = sel.initiative_page(assoc, i, association_today(assoc))
        slug = {v.participant.association_id: v.participant.association.slug
                for v in page.participants}
        data = {"id": i.pk, "name": i.name, "lead": i.association.slug,
                "split_method": i.split_method,
                "participants": [{"association": v.participant.association.slug,
                                  "contributed": v.contributed, "received": v.received}
                                 for v in page.participants],
                "objectives": [{"name": o.objective.name, "total": o.total,
                                "target": o.objective.target, "state": o.progress.state,
                                "values": {slug.get(k, k): v for k, v in o.values.items()}}
                               for o in page.objectives],
                "revenues": [{"description": r.description, "amount": r.amount,
                              "shares": {slug.get(s.participant_id): s.amount
                                         for s in r.shares.all()}} for r in page.revenues]}
        lines = [f"{i.name} ({i.get_kind_display()}), lead {i.association.name}; split: "
                 f"{i.get_split_method_display().lower()}"]
        lines += [f"  {v.participant.association.name}: contributed {v.contributed}, "
                  f"received {v.received}" for v in page.participants]
        lines += [f"Objective {o.objective.name}: {o.total if o.total is not None else '—'} "
                  f"of {o.objective.target} ({o.progress.label})" for o in page.objectives]
        lines += [f"Revenue {r.received_on} {r.description} {r.amount}: " + ", ".join(
            f"{slug.get(s.participant_id)} {s.amount}" for s in r.shares.all())
            for r in page.revenues]
        self._say(data, "\n".join(lines), as_json)

    def _create(self, assoc, *, actor, consortium, name, purpose, kind, participant, split,
                percent=None, starts=None, ends=None, as_json=False, **_: Any) -> None:
        i = services.initiative_create(
            association=assoc, consortium=visible(assoc, consortium), name=name,
            purpose=purpose, kind=kind, participants=participant, split_method=split,
            percents=_pairs(percent, "--percent"), starts_on=starts, ends_on=ends, actor=actor)
        self._say({"id": i.pk, "name": i.name}, f"Initiative {i.pk} started: {i.name}.",
                  as_json)

    def _objective(self, assoc, *, actor, initiative: int, name, metric, target, baseline,
                   filter=None, starts=None, deadline=None, as_json=False,  # noqa: A002
                   **_: Any) -> None:
        o = services.initiative_objective_add(
            association=assoc, initiative=visible_initiative(assoc, initiative), name=name,
            metric_key=metric, target=target, baseline=baseline,
            filters=_pairs(filter, "--filter"), starts_on=starts, deadline=deadline,
            actor=actor)
        self._say({"id": o.pk, "name": o.name}, f"Objective {o.pk} added: {o.name}.", as_json)

    def _snapshot(self, assoc, *, actor, initiative: int, as_json=False, **_: Any) -> None:
        snaps = services.initiative_snapshot(
            association=assoc, initiative=visible_initiative(assoc, initiative),
            actor=actor)
        self._say({"figures": len(snaps)}, f"Computed {len(snaps)} figures.", as_json)

    def _contribute(self, assoc, *, actor, initiative: int, kind, description, value,
                    hours=None, as_json=False, **_: Any) -> None:
        c = services.contribution_record(
            association=assoc, initiative=visible_initiative(assoc, initiative), kind=kind,
            description=description, value=value, hours=hours, actor=actor)
        self._say({"id": c.pk, "value": c.value}, f"Contribution {c.pk} recorded ({c.value}).",
                  as_json)

    def _revenue(self, assoc, *, actor, initiative: int, description, amount, as_json=False,
                 **_: Any) -> None:
        i = visible_initiative(assoc, initiative)
        r = services.revenue_record(association=assoc, initiative=i, description=description,
                                    amount=amount, actor=actor)
        shares = ", ".join(f"{s.participant_id}: {s.amount}" for s in r.shares.all())
        self._say({"id": r.pk, "amount": r.amount,
                   "shares": {s.participant_id: s.amount for s in r.shares.all()}},
                  f"Revenue {r.pk} of {r.amount} split: {shares}.", as_json)
