"""The demo's consortia part of collaboration (see ``collaboration_seed``): the "Health
Professions Alliance" coordinated by the demo association with both allies active
(invited and accepted through the services, as their administrators would), at the
coordination level with its governance, each association's own assessment of the six
characteristics (they differ), a joint conference with an event-attendance objective
computed in each one's own data (three monthly snapshots: a burn-up) and contributions of
every kind, and a joint social enterprise whose revenues are split by contribution."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django_scopes import scope

from commonground.collaboration.crossing import initiatives as cross
from commonground.collaboration.services import consortia as cs
from commonground.collaboration.services import initiatives as ins

from .steps import staff_email

NAME = "Health Professions Alliance"
# Each association's view of how well they work together (1–5), by characteristic.
SCORES = {
    0: {"values": 5, "trust": 4, "transparency": 4, "knowledge": 3, "stakeholders": 4,
        "governance": 4},
    1: {"values": 4, "trust": 3, "transparency": 2, "knowledge": 4, "stakeholders": 3,
        "governance": 3},
    2: {"values": 4, "trust": 4, "transparency": 3, "knowledge": 2, "stakeholders": 2,
        "governance": 3},
}
EVIDENCE = {
    "transparency": "Budgets are shared only at the quarterly meeting.",
    "knowledge": "The joint programme committee shares its notes with every member.",
}


def _user(association, local: str):
    return get_user_model().objects.get(email__iexact=staff_email(association.slug, local))


def derive(state: Any) -> dict[str, int]:
    demo, allies, today = state.demo, state.allies, state.today
    everyone = [demo, *allies]
    director = {a.pk: _user(a, "director") for a in everyone}  # an administrator
    staff = {a.pk: _user(a, "marketing") for a in everyone}  # staff on a side
    with scope(association=demo):
        consortium = cs.consortium_create(
            association=demo, name=NAME, level="coordination", decision_rule="majority",
            purpose="Three health-professions associations pooling events, email and "
                    "programmes for their members.",
            governance="A steering group of one executive per association meets quarterly; "
                       "decisions by majority, one vote each; the coordinator prepares them.",
            started_on=today - timedelta(days=200), review_on=today + timedelta(days=165),
            actor=director[demo.pk])
        for ally in allies:
            cs.consortium_invite(association=demo, consortium=consortium, invitee=ally.slug,
                                 actor=director[demo.pk])
    for ally in allies:
        with scope(association=ally):
            cs.consortium_answer(association=ally, consortium_id=consortium.pk, accept=True,
                                 actor=director[ally.pk])
    assessments = 0
    for i, association in enumerate(everyone):
        with scope(association=association):
            for key, score in SCORES[i].items():
                if i == 1 and key in ("trust", "transparency"):  # an earlier, lower view
                    cs.assessment_record(association=association, consortium=consortium,
                                         characteristic=key, score=max(1, score - 1),
                                         assessed_on=today - timedelta(days=120),
                                         actor=staff[association.pk])
                    assessments += 1
                cs.assessment_record(association=association, consortium=consortium,
                                     characteristic=key, score=score,
                                     evidence=EVIDENCE.get(key, "") if i else "",
                                     assessed_on=today - timedelta(days=10),
                                     actor=staff[association.pk])
                assessments += 1
    with scope(association=demo):
        cs.consortium_govern(association=demo, consortium=consortium,
                             governance="A steering group of one executive per association "
                                        "meets quarterly; decisions by majority, one vote "
                                        "each; the coordinator prepares them and keeps the "
                                        "minutes.", actor=director[demo.pk])
        conference = ins.initiative_create(
            association=demo, consortium=consortium, name="Joint spring conference",
            purpose="One conference for the three memberships instead of three small ones.",
            starts_on=today - timedelta(days=90), ends_on=today + timedelta(days=150),
            split_method="fixed", participants=[a.slug for a in allies],
            percents={demo.slug: 50, allies[0].slug: 30, allies[1].slug: 20},
            actor=staff[demo.pk])
        ins.initiative_change(association=demo, initiative=conference, status="active",
                              actor=staff[demo.pk])
        ins.initiative_objective_add(
            association=demo, initiative=conference, name="Event attendance across the alliance",
            metric_key="activity.event_attendance", filters={"source": "event-check-ins"},
            target=_target(state, conference), actor=staff[demo.pk])
        for days in (60, 30, 0):
            ins.initiative_snapshot(association=demo, initiative=conference,
                                    on=today - timedelta(days=days), actor=staff[demo.pk])
    contributions = [
        (demo, "money", "Venue deposit", None, "12000.00"),
        (demo, "staff_time", "Events team: programme and logistics", "160", "9600.00"),
        (allies[0], "staff_time", "Speakers' programme", "80", "4800.00"),
        (allies[0], "money", "Catering", None, "3500.00"),
        (allies[1], "in_kind", "Registration desk and volunteers", None, "2500.00"),
    ]
    for association, kind, description, hours, value in contributions:
        with scope(association=association):
            ins.contribution_record(association=association, initiative=conference, kind=kind,
                                    description=description, hours=hours, value=value,
                                    contributed_on=today - timedelta(days=45),
                                    actor=staff[association.pk])
    with scope(association=demo):
        ins.revenue_record(association=demo, initiative=conference,
                           description="Exhibitor stands (early booking)", amount="18450.00",
                           received_on=today - timedelta(days=20), actor=staff[demo.pk])
        shop = ins.initiative_create(
            association=demo, consortium=consortium, kind="social_enterprise",
            name="Clinical skills shop",
            purpose="Course kits and study guides sold to members of all three; the surplus "
                    "goes back to each in proportion to what it put in.",
            starts_on=today - timedelta(days=150), split_method="contribution",
            participants=[a.slug for a in allies], actor=staff[demo.pk])
        ins.initiative_change(association=demo, initiative=shop, status="active",
                              actor=staff[demo.pk])
    for association, kind, description, hours, value in [
            (demo, "money", "Start-up stock", None, "5000.00"),
            (allies[0], "staff_time", "Course-kit authoring", "120", "7200.00"),
            (allies[1], "in_kind", "Storage and dispatch", None, "1800.00")]:
        with scope(association=association):
            ins.contribution_record(association=association, initiative=shop, kind=kind,
                                    description=description, hours=hours, value=value,
                                    contributed_on=today - timedelta(days=140),
                                    actor=staff[association.pk])
    with scope(association=demo):
        for days, amount in ((90, "2333.33"), (30, "4100.00")):
            ins.revenue_record(association=demo, initiative=shop,
                               description=f"Shop surplus, {(today - timedelta(days=days)):%B}",
                               amount=amount, received_on=today - timedelta(days=days),
                               actor=staff[demo.pk])
    state.made["consortium"] = consortium
    state.made["initiatives"] = [conference, shop]
    state.say(f"Consortium '{NAME}': 3 members, {assessments} assessments, 2 joint initiatives")
    return {"consortia": 1, "consortium_assessments": assessments, "joint_initiatives": 2,
            "initiative_contributions": len(contributions) + 3, "initiative_revenues": 3}


def _target(state: Any, conference) -> int:
    """A target the alliance reaches at a little above its current pace: the check-ins of
    the three over the initiative so far, scaled to its whole length, plus a tenth."""
    probe = SimpleNamespace(metric_key="activity.event_attendance",
                            filters={"source": "event-check-ins"},
                            starts_on=conference.starts_on, deadline=conference.ends_on)
    so_far = sum(cross.metric_values(probe, state.all, state.today).values())
    elapsed = max((state.today - conference.starts_on).days, 1)
    whole = (conference.ends_on - conference.starts_on).days
    return max(10, int(so_far * whole / elapsed * 11 / 10))
