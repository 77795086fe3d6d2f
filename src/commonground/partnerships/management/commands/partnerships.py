"""Partnerships from the command line (the relationship; joint products are `approvals`).

    commonground partnerships list --association SLUG [--stage S] [--json]
    commonground partnerships show PARTNERSHIP --association SLUG [--json]
    commonground partnerships create --association SLUG --name NAME --why TEXT
        --starts YYYY-MM-DD [--ends D] [--review D] [--partner ORG]… [--approver EMAIL]
    commonground partnerships partner PARTNERSHIP --association SLUG (--organisation ORG |
        --new-organisation NAME --sector public|voluntary|private) [--role R] [--lead]
    commonground partnerships contact PARTNERSHIP --association SLUG --organisation ORG
        --name N --email E [--title T] [--approver]
    commonground partnerships stage PARTNERSHIP --association SLUG --to STAGE [--reason R]
        [--on YYYY-MM-DD]
    commonground partnerships clause PARTNERSHIP --association SLUG --kind K --text T
        [--organisation ORG]
    commonground partnerships risk PARTNERSHIP --association SLUG --organisation ORG|us
        --relationship R --description D --likelihood 1-5 --impact 1-5
    commonground partnerships exchange PARTNERSHIP --association SLUG --organisation ORG|us
        --kind cost|benefit --description D [--value 1200.50]
    commonground partnerships trust ORG --association SLUG --kind K --on D --description D
        [--effect -1|0|1] [--partnership P]
    commonground partnerships sector ORG --association SLUG --sector S

PARTNERSHIP is an id or a name; ORG an organisation's id or name. Every write takes
``--by EMAIL`` (a staff member: their roles decide; without it the system acts). A refused
write prints the service's message and each field's (by its option) and exits 1.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.people.models import Organisation, Sector
from commonground.tenancy.cli import association_named, refused, staff_named
from commonground.tenancy.clock import association_today

from ... import selectors, services
from ...models import (
    ClauseKind,
    ExchangeKind,
    Partnership,
    PartnershipParty,
    Relationship,
    Stage,
    TrustKind,
)

OPTIONS = {"starts_on": "--starts", "ends_on": "--ends", "review_on": "--review",
           "partners": "--partner", "our_approver": "--approver", "stage": "--to",
           "organisation": "--organisation", "organisation_name": "--new-organisation",
           "party": "--organisation", "occurred_on": "--on", "on": "--on"}


def _partnership(ref: str) -> Partnership:
    found = Partnership.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    found = found or Partnership.objects.filter(name__iexact=ref.strip()).first()
    if found is None:
        raise CommandError(f"No partnership {ref!r} (see `commonground partnerships list`)")
    return found


def _organisation(ref: str) -> Organisation:
    found = Organisation.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    found = found or Organisation.objects.filter(name_key=ref.strip().lower()).first()
    if found is None:
        raise CommandError(f"--organisation: no organisation {ref!r}")
    return found


def _party(p: Partnership, ref: str) -> PartnershipParty:
    if ref.strip().lower() == "us":
        return PartnershipParty.objects.get(partnership=p, is_us=True)
    org = _organisation(ref)
    party = PartnershipParty.objects.filter(partnership=p, organisation=org).first()
    if party is None:
        raise CommandError(f"--organisation: {org.name} is not a party of “{p.name}”")
    return party


def _summary(p: Partnership) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "stage": p.stage, "status": p.status,
            "starts_on": str(p.starts_on), "ends_on": str(p.ends_on) if p.ends_on else None,
            "review_on": str(p.review_on) if p.review_on else None}


class Command(BaseCommand):
    help = "Partnerships across sectors: charter, partners, stage, clauses, diligence, trust."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Partnerships with their stage and partners")
        lst.add_argument("--stage", choices=Stage.values)
        show = sub.add_parser("show", help="A partnership's page as text")
        create = sub.add_parser("create", help="Start a partnership (its charter)")
        create.add_argument("--name", required=True)
        create.add_argument("--why", required=True)
        create.add_argument("--starts", required=True)
        create.add_argument("--ends")
        create.add_argument("--review")
        create.add_argument("--partner", action="append", default=[],
                            help="An organisation (id or name); repeat for several")
        create.add_argument("--role", default="", help="Our role")
        create.add_argument("--approver", help="Our approver's email (staff)")
        partner = sub.add_parser("partner", help="Add a partner")
        partner.add_argument("--organisation")
        partner.add_argument("--new-organisation", default="")
        partner.add_argument("--sector", choices=Sector.values, default="")
        partner.add_argument("--role", default="")
        partner.add_argument("--lead", action="store_true")
        contact = sub.add_parser("contact", help="Add a contact (an approver) at a partner")
        contact.add_argument("--organisation", required=True)
        contact.add_argument("--name", required=True)
        contact.add_argument("--email", required=True)
        contact.add_argument("--title", default="")
        contact.add_argument("--approver", action="store_true")
        stage = sub.add_parser("stage", help="Move to another stage (back needs --reason)")
        stage.add_argument("--to", required=True, choices=Stage.values)
        stage.add_argument("--reason", default="")
        stage.add_argument("--on")
        clause = sub.add_parser("clause", help="Add a clause (no exclusivity for public)")
        clause.add_argument("--kind", required=True, choices=ClauseKind.values)
        clause.add_argument("--text", required=True)
        clause.add_argument("--organisation", help="The party it binds; default every party")
        risk = sub.add_parser("risk", help="Assess a due-diligence risk")
        risk.add_argument("--organisation", required=True, help="ORG or 'us'")
        risk.add_argument("--relationship", required=True, choices=Relationship.values)
        risk.add_argument("--description", required=True)
        risk.add_argument("--likelihood", required=True)
        risk.add_argument("--impact", required=True)
        risk.add_argument("--mitigation", default="")
        exchange = sub.add_parser("exchange", help="Add a cost or benefit for a party")
        exchange.add_argument("--organisation", required=True, help="ORG or 'us'")
        exchange.add_argument("--kind", required=True, choices=ExchangeKind.values)
        exchange.add_argument("--description", required=True)
        exchange.add_argument("--value")
        for p in (show, partner, contact, stage, clause, risk, exchange):
            p.add_argument("partnership")
        trust = sub.add_parser("trust", help="Add to a partner's trust record")
        trust.add_argument("--kind", required=True, choices=TrustKind.values)
        trust.add_argument("--on", required=True)
        trust.add_argument("--description", required=True)
        trust.add_argument("--effect", default="0")
        trust.add_argument("--partnership")
        sector = sub.add_parser("sector", help="Change a partner's sector")
        sector.add_argument("--sector", required=True, choices=Sector.values)
        for p in (trust, sector):
            p.add_argument("organisation_ref", metavar="ORG")
        for p in (lst, show, create, partner, contact, stage, clause, risk, exchange, trust,
                  sector):
            p.add_argument("--association", required=True)
            p.add_argument("--by", help="Act as this staff member (email)")
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, by=None, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            actor = staff_named(assoc, by)
            try:
                getattr(self, f"_{action}")(assoc, actor=actor, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _list(self, assoc, *, actor, stage=None, as_json=False, **_: Any) -> None:
        rows = list(selectors.partnerships_list(stage=stage or ""))
        payload = [{**_summary(p), "partners": [
            {"name": x.organisation.name, "sector": x.organisation.sector} for x in p.partners],
            "open_risks": p.n_open_risks} for p in rows]
        lines = [f"{p.pk:>6}  {p.stage:<12}  {p.status:<9}  {p.name} — "
                 + (", ".join(f"{x.organisation.name} ({x.organisation.sector})"
                              for x in p.partners) or "no partners")
                 for p in rows] or ["No partnerships."]
        self._say(payload, "\n".join(lines), as_json)

    def _show(self, assoc, *, actor, partnership, as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        page = selectors.partnership_page(p, today=association_today(assoc))

        def name(party) -> str:
            return "us" if party.is_us else party.organisation.name

        payload = {
            **_summary(p), "why": p.why, "common_ground": p.common_ground,
            "parties": [{"name": name(x), "sector": x.organisation.sector if x.organisation
                         else None, "role": x.role, "lead": x.is_lead,
                         "approvers": [c.email for c in x.contacts.all() if c.is_approver]
                         if not x.is_us else ([x.approver_user.email] if x.approver_user
                                              else [])} for x in page.parties],
            "stages": [{"from": c.from_stage, "to": c.to_stage, "on": str(c.changed_on),
                        "reason": c.reason} for c in page.stages],
            "risks": [{"party": name(r.risk.party), "score": r.score, "level": r.level,
                       "status": r.risk.status, "description": r.risk.description}
                      for r in page.risks],
            "exchange": {k: str(v) for k, v in page.exchange_totals.items()},
            "clauses": [{"kind": c.kind, "binds": name(c.party) if c.party else "every party",
                         "text": c.text} for c in page.clauses],
            "objectives": [{"name": o.objective.name, "value": o.value,
                            "target": o.objective.target, "status": o.objective.status}
                           for o in page.objectives],
            "trust": [{"organisation": t.organisation.name, "balance": t.balance,
                       "verdict": t.verdict} for t in page.trust]}
        lines = [f"{p.name} — {p.get_stage_display()}, {p.get_status_display()}",
                 f"  why: {p.why}"]
        lines += [f"  party: {x['name']} ({x['sector'] or 'the association'})"
                  f"{' lead' if x['lead'] else ''}; approvers: {', '.join(x['approvers']) or '—'}"
                  for x in payload["parties"]]
        lines += [f"  stage {c['on']}: {c['from'] or '—'} → {c['to']}"
                  f"{' (' + c['reason'] + ')' if c['reason'] else ''}" for c in payload["stages"]]
        lines += [f"  risk {r['score']:>2} {r['level']:<6} {r['status']:<9} {r['party']}: "
                  f"{r['description']}" for r in payload["risks"]]
        lines += [f"  clause {c['kind']} ({c['binds']}): {c['text']}" for c in payload["clauses"]]
        lines.append("  exchange: costs {costs}, benefits {benefits}, net {net}".format(
            **payload["exchange"]))
        lines += [f"  trust {t['organisation']}: {t['verdict']} ({t['balance']:+d})"
                  for t in payload["trust"]]
        self._say(payload, "\n".join(lines), as_json)

    def _create(self, assoc, *, actor, name, why, starts, ends=None, review=None, partner=(),
                role="", approver=None, as_json=False, **_: Any) -> None:
        p = services.partnership_create(
            association=assoc, name=name, why=why, starts_on=starts, ends_on=ends,
            review_on=review, partners=[_organisation(ref) for ref in partner], our_role=role,
            our_approver=staff_named(assoc, approver, flag="--approver"), actor=actor)
        self._say(_summary(p), f"Partnership {p.pk} “{p.name}” started (obligational).",
                  as_json)

    def _partner(self, assoc, *, actor, partnership, organisation=None, new_organisation="",
                 sector="", role="", lead=False, as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        party = services.party_add(
            association=assoc, partnership=p,
            organisation=_organisation(organisation) if organisation else None,
            organisation_name=new_organisation, sector=sector, role=role, is_lead=lead,
            actor=actor)
        self._say({"party_id": party.pk, "organisation_id": party.organisation_id},
                  f"{party.organisation.name} ({party.organisation.sector}) joined “{p.name}”.",
                  as_json)

    def _contact(self, assoc, *, actor, partnership, organisation, name, email, title="",
                 approver=False, as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        c = services.partner_contact_add(association=assoc, party=_party(p, organisation),
                                         name=name, email=email, title=title,
                                         is_approver=approver, actor=actor)
        self._say({"id": c.pk, "email": c.email, "is_approver": c.is_approver},
                  f"Contact {c.pk} {c.name} <{c.email}>"
                  f"{' (approver)' if c.is_approver else ''}.", as_json)

    def _stage(self, assoc, *, actor, partnership, to, reason="", on=None, as_json=False,
               **_: Any) -> None:
        p = _partnership(partnership)
        c = services.partnership_stage_change(association=assoc, partnership=p, stage=to,
                                              reason=reason, on=on, actor=actor)
        self._say({"from": c.from_stage, "to": c.to_stage, "on": str(c.changed_on)},
                  f"“{p.name}”: {c.from_stage} → {c.to_stage} on {c.changed_on}.", as_json)

    def _clause(self, assoc, *, actor, partnership, kind, text, organisation=None,
                as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        c = services.clause_add(association=assoc, partnership=p, kind=kind, text=text,
                                party=_party(p, organisation) if organisation else None,
                                actor=actor)
        self._say({"id": c.pk, "kind": c.kind, "party_id": c.party_id},
                  f"Clause {c.pk} ({c.kind}) added to “{p.name}”.", as_json)

    def _risk(self, assoc, *, actor, partnership, organisation, relationship, description,
              likelihood, impact, mitigation="", as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        r = services.risk_add(association=assoc, partnership=p, party=_party(p, organisation),
                              relationship=relationship, description=description,
                              likelihood=likelihood, impact=impact, mitigation=mitigation,
                              actor=actor)
        score = r.likelihood * r.impact
        self._say({"id": r.pk, "score": score, "level": selectors.risk_level(score)},
                  f"Risk {r.pk}: score {score} ({selectors.risk_level(score)}).", as_json)

    def _exchange(self, assoc, *, actor, partnership, organisation, kind, description,
                  value=None, as_json=False, **_: Any) -> None:
        p = _partnership(partnership)
        i = services.exchange_item_add(association=assoc, partnership=p,
                                       party=_party(p, organisation), kind=kind,
                                       description=description, value=value, actor=actor)
        self._say({"id": i.pk, "kind": i.kind, "value": i.value},
                  f"{i.get_kind_display()} {i.pk} added: {i.description}"
                  f"{' (' + str(i.value) + ')' if i.value is not None else ''}.", as_json)

    def _trust(self, assoc, *, actor, organisation_ref, kind, on, description, effect="0",
               partnership=None, as_json=False, **_: Any) -> None:
        org = _organisation(organisation_ref)
        e = services.trust_event_record(
            association=assoc, organisation=org, kind=kind, occurred_on=on,
            description=description, effect=effect,
            partnership=_partnership(partnership) if partnership else None, actor=actor)
        record = selectors.trust_records([org])[0]
        self._say({"id": e.pk, "balance": record.balance, "verdict": record.verdict},
                  f"Trust record of {org.name}: {record.verdict} ({record.balance:+d}).",
                  as_json)

    def _sector(self, assoc, *, actor, organisation_ref, sector, as_json=False, **_: Any
                ) -> None:
        org = services.partner_sector_change(association=assoc,
                                             organisation=_organisation(organisation_ref),
                                             sector=sector, actor=actor)
        self._say({"id": org.pk, "sector": org.sector}, f"{org.name} is now {org.sector}.",
                  as_json)

