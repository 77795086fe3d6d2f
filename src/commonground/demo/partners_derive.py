"""The demo's partners part of collaboration (see ``collaboration_seed``): three
partnerships of the demo association at different stages, through the services.

- a public health agency, obligational (a public body: its constraint is recorded; no
  exclusivity),
- a voluntary-sector patient charity, promotional (moved on from obligational),
- a private device maker, systemic (with an exclusivity clause binding the maker, a step
  back and forward again in its history, an incident and past joint work in its trust
  record).

Each has its charter, parties with roles and responsibilities, contacts (approvers),
assets, due-diligence risks, trust, an exchange case, clauses and objectives. They are
left in ``state.made["partnerships"]`` (a list: public, voluntary, private) for the
approvals step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django_scopes import scope

from commonground.partnerships import services as ps
from commonground.partnerships.models import Partnership, PartnershipParty
from commonground.people.services import organisation_create

from .seed import staff_email

PLANS: tuple[dict[str, Any], ...] = (
    {"name": "Heart health screening with the Public Health Agency",
     "why": "Adults who know their blood pressure act on it: together we reach the clinics "
            "the agency runs and the professionals our members are.",
     "org": ("Regional Public Health Agency", "public"), "days": 60, "stages": (),
     "role": "Clinical content and volunteer screeners",
     "contacts": (("Dr Amara Osei", "a.osei@publichealth.example.gov", "Programme lead", True),
                  ("Tom Fielding", "t.fielding@publichealth.example.gov", "Press office",
                   False)),
     "assets": (("credibility", "", "Trusted by clinicians and regulators"),
                ("resources", "distribution", "Screening clinics in every district")),
     "risks": (("regulators", 2, 4, "The agency also regulates device makers: seen as "
                "favouring a brand if one joins", "No brand on shared material"),),
     "exchange": (("cost", "Staff time of the programme team", "18000"),
                  ("benefit", "Screening reach in our members' practices", "30000")),
     "clauses": (("constraint", "The agency cannot commit to an exclusive relationship and "
                  "publishes every joint material it funds."),),
     "objectives": (("New members from screening days", "membership.joins", "60",
                     "Reported each quarter to both boards by the convenor"),),
     "stakeholders": (("Cardiologists' society", "peer", "Screening early saves lives", True),
                      ("Patients' union", "advocacy", "Access matters more than awareness",
                       True),
                      ("Device industry council", "competitor", "", False))},
    {"name": "Living well with heart failure, with the patients' trust",
     "why": "Patients and professionals telling one story: the trust's voice with our "
            "members' expertise.",
     "org": ("Heart & Lung Patients' Trust", "voluntary"), "days": 400,
     "stages": (("promotional", 200, ""),),
     "role": "Patient stories and the helpline",
     "contacts": (("Lena Marsh", "lena.marsh@hlptrust.example.org", "Director", True),),
     "assets": (("visibility", "", "40,000 supporters on its lists"),
                ("resources", "promotion", "Award-winning awareness campaigns")),
     "risks": (("audiences", 3, 3, "Supporters read our members' involvement as a sales "
                "pitch", "Patient stories lead every piece"),),
     "exchange": (("cost", "Helpline hours", "6500"),
                  ("benefit", "Professional review of the trust's leaflets", "9000")),
     "clauses": (("commitment", "Both partners credit each other on every joint piece."),),
     "objectives": (("Members volunteering at the helpline", "", "",
                     "Counted monthly by the community manager"),),
     "stakeholders": (("Carers' network", "audience", "Carers need plain words", True),)},
    {"name": "Home monitoring with Medisense",
     "why": "Home blood-pressure monitors our members trust, in the hands of the patients "
            "who need them, for as long as the programme runs.",
     "org": ("Medisense Devices Ltd", "private"), "days": 900,
     "stages": (("promotional", 700, ""), ("systemic", 400, ""),
                ("promotional", 250, "A recall of one monitor model paused the joint work"),
                ("systemic", 120, "The recall was handled openly; the board renewed it")),
     "role": "Devices, sales force and manufacturing",
     "contacts": (("Kai Brenner", "k.brenner@medisense.example.com", "Partnerships director",
                   True),
                  ("Nora Vidal", "n.vidal@medisense.example.com", "Compliance", True)),
     "assets": (("resources", "sales_force", "A sales force visiting every practice"),
                ("resources", "manufacturing", "Monitors made to our members' specification"),
                ("resources", "rnd", "Validation studies")),
     "risks": (("competitors", 4, 4, "Other makers say we endorse one brand",
                "Open validation criteria any maker can meet"),
               ("advocacy", 2, 5, "Advocacy groups see a conflict of interest", "")),
     "exchange": (("cost", "Member validation panel", "12000"),
                  ("benefit", "Sponsorship of the annual conference", "40000"),
                  ("benefit", "Devices for the screening days", None)),
     "clauses": (("exclusivity", "Medisense is the only monitor maker in the home-monitoring "
                  "campaign while the programme runs."),
                 ("constraint", "No product claims in the association's name.")),
     "objectives": (("Members trained on home monitoring", "", "",
                     "Reported twice a year with the maker's sales data"),),
     "stakeholders": (),
     "trust": (("past_work", 1000, 1, "Sponsored the conference reliably for three years"),
               ("incident", 260, -1, "A monitor recall reached members before we knew"),
               ("commendation", 110, 1, "Handled the recall openly with our members"))},
)


def derive(state: Any) -> dict[str, int]:
    """Make this part through the services; return counts of what was made."""
    association, today = state.demo, state.today
    made: list[Partnership] = []
    counts = {"partnerships": 0, "partner_contacts": 0, "diligence_risks": 0}
    with scope(association=association):
        if Partnership.objects.exists():  # a later start: they are there already
            state.made["partnerships"] = list(Partnership.objects.order_by("starts_on"))
            return {}
        users = get_user_model().objects
        approver = users.get(email=staff_email(association.slug, "marketing"))
        manager = users.get(email=staff_email(association.slug, "community"))
        for plan in PLANS:
            made.append(_one(association, today, plan, approver, manager, counts))
    state.made["partnerships"] = made
    state.say(f"Partnerships: {len(made)} (obligational, promotional, systemic), "
              f"{counts['partner_contacts']} partner contacts, "
              f"{counts['diligence_risks']} risks assessed.")
    return counts


def _one(association, today, plan: dict[str, Any], approver, manager,
         counts: dict[str, int]) -> Partnership:
    name, sector = plan["org"]
    org = organisation_create(association=association, name=name, sector=sector)
    starts = today - timedelta(days=plan["days"])
    p = ps.partnership_create(
        association=association, name=plan["name"], why=plan["why"], starts_on=starts,
        ends_on=starts + timedelta(days=3 * 365), review_on=today + timedelta(days=45),
        partners=[org], our_role="Convenor: members' expertise and the approvals",
        our_approver=approver, manager=manager)
    ps.partnership_update(association=association, partnership=p, status="active")
    party = PartnershipParty.objects.get(partnership=p, organisation=org)
    us = PartnershipParty.objects.get(partnership=p, is_us=True)
    ps.party_update(association=association, party=party, role=plan["role"])
    ps.responsibility_add(association=association, party=us, title="Approve and verify "
                          "every joint product before it is published")
    ps.responsibility_add(association=association, party=party,
                          title="Deliver its part on the agreed dates")
    for contact_name, email, title, is_approver in plan["contacts"]:
        ps.partner_contact_add(association=association, party=party, name=contact_name,
                               email=email, title=title, is_approver=is_approver)
        counts["partner_contacts"] += 1
    assets = [ps.asset_add(association=association, party=party, kind=kind, resource=resource,
                           description=text) for kind, resource, text in plan["assets"]]
    ps.asset_add(association=association, party=us, kind="credibility",
                 description="Our members' professional standing")
    for relationship, likelihood, impact, text, mitigation in plan["risks"]:
        ps.risk_add(association=association, partnership=p, party=party,
                    asset=assets[0] if relationship in ("regulators", "audiences") else None,
                    relationship=relationship, description=text, likelihood=likelihood,
                    impact=impact, mitigation=mitigation, assessed_on=starts)
        counts["diligence_risks"] += 1
    for kind, text, value in plan["exchange"]:
        ps.exchange_item_add(association=association, partnership=p,
                             party=party if kind == "cost" else us, kind=kind,
                             description=text, value=value)
    for kind, text in plan["clauses"]:
        ps.clause_add(association=association, partnership=p, kind=kind, text=text,
                      party=party if kind in ("exclusivity", "constraint") else None)
    for title, metric, target, accountability in plan["objectives"]:
        ps.objective_add(association=association, partnership=p, name=title,
                         accountability=accountability, owner=us, metric_key=metric,
                         target=target or None, due_on=today + timedelta(days=180))
    for s_name, kind, view, shares in plan["stakeholders"]:
        ps.stakeholder_save(association=association, partnership=p, name=s_name, kind=kind,
                            invited_on=starts, took_part=bool(view), view=view,
                            shares_common_ground=shares)
    if any(s[3] for s in plan["stakeholders"]):
        ground = "\n".join(s[2] for s in plan["stakeholders"] if s[3])
        ps.partnership_common_ground_write(
            association=association, partnership=p, common_ground=ground,
            common_future="Every adult knows their blood pressure by 2030")
    for stage, days_ago, reason in plan["stages"]:
        ps.partnership_stage_change(association=association, partnership=p, stage=stage,
                                    reason=reason, on=today - timedelta(days=days_ago))
    for kind, days_ago, effect, text in plan.get("trust", ()):
        ps.trust_event_record(association=association, organisation=org, kind=kind,
                              occurred_on=today - timedelta(days=days_ago), effect=effect,
                              description=text,
                              partnership=p if days_ago < plan["days"] else None)
    counts["partnerships"] += 1
    p.refresh_from_db()
    return p
