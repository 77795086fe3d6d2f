"""Consortia from the command line.

    commonground consortia list --association SLUG [--json]
    commonground consortia show ID --association SLUG [--json]
    commonground consortia create --association SLUG --by EMAIL --name TEXT
        [--level cooperation|coordination|collaboration] [--decision-rule RULE]
        [--governance TEXT] [--purpose TEXT] [--json]
    commonground consortia invite ID --association SLUG --by EMAIL --invitee SLUG [--votes N]
    commonground consortia accept|decline ID --association SLUG --by EMAIL
    commonground consortia leave ID --association SLUG --by EMAIL
    commonground consortia govern ID --association SLUG --by EMAIL [--level L]
        [--decision-rule R] [--governance TEXT] [--name TEXT]
    commonground consortia assess ID --association SLUG --by EMAIL --characteristic KEY
        --score 1..5 [--evidence TEXT]

``--association`` is the association acting (the coordinator invites; the invited one
answers); ``--by`` the staff member acting, whose roles decide what they may do.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError, NotFound
from commonground.tenancy.cli import association_named, refused, staff_named

from ... import crossing
from ... import selectors_consortia as sel
from ...models import Characteristic, DecisionRule, Level
from ...services import consortia as services


def visible(assoc, consortium_id: int):
    try:
        return crossing.consortium_visible(association=assoc, consortium_id=consortium_id)
    except NotFound:
        raise CommandError(f"No consortium {consortium_id} that {assoc.slug} is a member of "
                           "(see `commonground consortia list`)") from None


class Command(BaseCommand):
    help = "Consortia: form, invite by slug, accept/decline, leave, governance, assessments."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Consortia you take part in or are invited to")
        show = sub.add_parser("show", help="Members, governance, the characteristics side by side")
        create = sub.add_parser("create", help="Form a consortium (you coordinate it)")
        create.add_argument("--name", required=True)
        create.add_argument("--purpose", default="")
        create.add_argument("--level", choices=Level.values, default=Level.COOPERATION)
        create.add_argument("--decision-rule", choices=DecisionRule.values,
                            default=DecisionRule.CONSENSUS)
        create.add_argument("--governance", default="")
        invite = sub.add_parser("invite", help="Invite an association by its slug")
        invite.add_argument("--invitee", required=True)
        invite.add_argument("--votes", type=int, default=1)
        accept = sub.add_parser("accept", help="Accept your association's invitation")
        decline = sub.add_parser("decline", help="Decline your association's invitation")
        leave = sub.add_parser("leave", help="Leave a consortium")
        govern = sub.add_parser("govern", help="Change the governance (the coordinator)")
        govern.add_argument("--name")
        govern.add_argument("--level", choices=Level.values)
        govern.add_argument("--decision-rule", choices=DecisionRule.values)
        govern.add_argument("--governance")
        assess = sub.add_parser("assess", help="Your assessment of one characteristic")
        assess.add_argument("--characteristic", required=True, choices=Characteristic.values)
        assess.add_argument("--score", required=True)
        assess.add_argument("--evidence", default="")
        for p in (show, invite, accept, decline, leave, govern, assess):
            p.add_argument("consortium", type=int)
        for p in (lst, show, create, invite, accept, decline, leave, govern, assess):
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
                raise refused(exc) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _list(self, assoc, *, as_json=False, **_: Any) -> None:
        rows = sel.consortium_rows(assoc)
        data = [{"id": r.consortium.pk, "name": r.consortium.name, "status": r.status,
                 "coordinator": r.consortium.association.slug, "level": r.consortium.level,
                 "members": r.members} for r in rows]
        lines = [f"{d['id']:>6}  {d['status']:<8} {d['level']:<13} {d['name']} "
                 f"(coordinator {d['coordinator']})" for d in data] or ["No consortia."]
        self._say(data, "\n".join(lines), as_json)

    def _show(self, assoc, *, consortium, as_json=False, **_: Any) -> None:
        c = visible(assoc, consortium)
        page = sel.consortium_page(assoc, c)
        data = {"id": c.pk, "name": c.name, "coordinator": c.association.slug,
                "level": c.level, "decision_rule": c.decision_rule, "governance": c.governance,
                "members": [{"association": m.association.slug, "status": m.status,
                             "votes": m.votes} for m in page.members],
                "scores": {key: {m.association.slug: cell.latest.score if cell.latest else None
                                 for m, cell in zip(page.matrix.participants, cells,
                                                    strict=True)}
                           for key, _, cells in page.matrix.rows},
                "initiatives": [{"id": i.pk, "name": i.name} for i in page.initiatives]}
        names = [m.association.name for m in page.matrix.participants]
        lines = [f"{c.name} — coordinated by {c.association.name}; {c.get_level_display()}; "
                 f"{c.get_decision_rule_display()}",
                 "Members: " + ", ".join(f"{m.association.name} ({m.status})"
                                         for m in page.members),
                 f"{'Characteristic':<40}" + "".join(f"{n[:18]:>20}" for n in names)]
        for _, label, cells in page.matrix.rows:
            lines.append(f"{label[:40]:<40}" + "".join(
                f"{(cell.latest.score if cell.latest else '—')!s:>20}" for cell in cells))
        lines += [f"Initiative {i.pk}: {i.name}" for i in page.initiatives]
        self._say(data, "\n".join(lines), as_json)

    def _create(self, assoc, *, actor, name, purpose, level, decision_rule, governance,
                as_json=False, **_: Any) -> None:
        c = services.consortium_create(association=assoc, name=name, purpose=purpose,
                                       level=level, decision_rule=decision_rule,
                                       governance=governance, actor=actor)
        self._say({"id": c.pk, "name": c.name}, f"Consortium {c.pk} formed: {c.name}.", as_json)

    def _invite(self, assoc, *, actor, consortium, invitee, votes, as_json=False,
                **_: Any) -> None:
        m = services.consortium_invite(association=assoc, consortium=visible(assoc, consortium),
                                       invitee=invitee, votes=votes, actor=actor)
        self._say({"consortium": consortium, "invitee": invitee, "status": m.status},
                  f"Invited {invitee}: its administrators answer with "
                  f"`commonground consortia accept {consortium} --association {invitee}`.",
                  as_json)

    def _answer(self, assoc, actor, consortium: int, accept: bool, as_json: bool) -> None:
        try:
            m = services.consortium_answer(association=assoc, consortium_id=consortium,
                                           accept=accept, actor=actor)
        except NotFound:
            raise CommandError(f"No invitation of {assoc.slug} to consortium {consortium}") \
                from None
        self._say({"consortium": consortium, "status": m.status},
                  f"{'Joined' if accept else 'Declined'} consortium {consortium}.", as_json)

    def _accept(self, assoc, *, actor, consortium, as_json=False, **_: Any) -> None:
        self._answer(assoc, actor, consortium, True, as_json)

    def _decline(self, assoc, *, actor, consortium, as_json=False, **_: Any) -> None:
        self._answer(assoc, actor, consortium, False, as_json)

    def _leave(self, assoc, *, actor, consortium, as_json=False, **_: Any) -> None:
        services.consortium_leave(association=assoc, consortium=visible(assoc, consortium),
                                  actor=actor)
        self._say({"consortium": consortium, "status": "left"},
                  f"Left consortium {consortium}.", as_json)

    def _govern(self, assoc, *, actor, consortium, name=None, level=None, decision_rule=None,
                governance=None, as_json=False, **_: Any) -> None:
        c = services.consortium_govern(association=assoc, consortium=visible(assoc, consortium),
                                       name=name, level=level, decision_rule=decision_rule,
                                       governance=governance, actor=actor)
        self._say({"id": c.pk, "level": c.level, "decision_rule": c.decision_rule},
                  f"Governance of {c.name} saved.", as_json)

    def _assess(self, assoc, *, actor, consortium, characteristic, score, evidence,
                as_json=False, **_: Any) -> None:
        a = services.assessment_record(association=assoc, consortium=visible(assoc, consortium),
                                       characteristic=characteristic, score=score,
                                       evidence=evidence, actor=actor)
        self._say({"id": a.pk, "characteristic": a.characteristic, "score": a.score},
                  f"Assessed {a.get_characteristic_display().lower()}: {a.score}.", as_json)
