"""A small world for the KPI tests: members on a monthly, an annual and a lifetime plan in
two chapters, with joins, a renewal, lapses and a reinstatement dated in the past,
payments and a refund, prospects, and activities of every kind the catalogue counts.
Built with the services (plus dated transitions written directly, as an import would) in
well under a second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.engagement.models import Contribution, Outcome
from commonground.insight.models import ModelVersion, Prediction
from commonground.membership import services as ms
from commonground.membership.models import Transition
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.planning.models import Goal, Objective, StrategicPlan
from commonground.scoring.models import Score, ScoreSnapshot
from commonground.scoring.services import current_config
from commonground.tenancy.clock import association_today, association_zone


@dataclass
class World:
    today: date
    people: dict[str, Person]
    north: Any
    south: Any
    monthly: Any
    annual: Any
    lifetime: Any
    course: Any
    conference: Any
    web: Any
    goal: Any


def build_world(association) -> World:
    """Call inside the association's scope."""
    today = association_today(association)
    zone = association_zone(association)
    north = ps.chapter_create(association=association, name="North")
    south = ps.chapter_create(association=association, name="South")
    monthly = ms.plan_save(association=association, name="Monthly", price="10", term_months=1)
    annual = ms.plan_save(association=association, name="Annual", price="100", term_months=12)
    lifetime = ms.plan_save(association=association, name="Lifetime", price="500",
                            term_months=0)
    course = ms.offering_save(association=association, name="Budgeting course",
                              category="learning", side="mission")
    conference = ms.offering_save(association=association, name="Annual conference",
                                  category="community", side="business")
    rows = [  # name, chapter, plan, days since joining
        ("Ann", north, annual, 30), ("Bob", north, annual, 200), ("Cat", south, monthly, 10),
        ("Dan", south, monthly, 100), ("Eve", north, lifetime, 300), ("Fay", None, annual, 420),
        ("Ivy", south, annual, 350), ("Gus", south, None, 0), ("Hal", north, None, 0),
    ]
    people: dict[str, Person] = {}
    memberships = {}
    for first, chapter, plan, days in rows:
        people[first] = ps.person_create(association=association, first_name=first,
                                         last_name="Worldly", email=f"{first.lower()}@w.example",
                                         chapter=chapter.pk if chapter else None)
        if plan is not None:
            memberships[first] = ms.membership_join(
                association=association, plan=plan, person=people[first],
                joined_on=today - timedelta(days=days), invoice=plan is annual)
    ms.memberships_advance(association=association, today=today)
    # Dan and Fay joined long ago and lapsed: their story as an import writes it (active
    # from the join, lapsed the day grace ran out), not "lapsed since the join".
    for first in ("Dan", "Fay"):
        m = memberships[first]
        Transition.objects.filter(membership=m, event="joined").update(to_status="active")
        Transition.objects.create(association=association, membership=m, event="lapsed",
                                  from_status="grace", to_status="lapsed", on=m.lapsed_on)
    # Ivy renewed early, five days ago; Dan lapsed and came back two days ago.
    ms.membership_renew(membership=memberships["Ivy"], invoice=False)
    Transition.objects.filter(membership=memberships["Ivy"], event="renewed").update(
        on=today - timedelta(days=5))
    ms.membership_reinstate(membership=memberships["Dan"], on=today - timedelta(days=2),
                            invoice=False)
    for first, paid_days_ago in (("Ann", 29), ("Bob", 199)):
        invoice = memberships[first].invoices.get()
        ms.payment_record(invoice=invoice, amount="100", method="cash",
                          received_on=today - timedelta(days=paid_days_ago))
    ms.payment_refund(invoice=memberships["Bob"].invoices.get(), amount="20", method="cash",
                      refunded_on=today - timedelta(days=150))
    web = source_create(association=association, name="Website", profile="web_analytics")
    n = [0]

    def did(first: str | None, days_ago: int, category: str, kind: str, *, offering=None,
            amount: str | None = None) -> None:
        n[0] += 1
        Activity.objects.create(
            association=association, person=people[first] if first else None,
            anonymous_key="" if first else f"anon:v{n[0]}", source=web, kind=kind,
            category=category, offering=offering, external_id=f"k{n[0]}",
            amount=Decimal(amount) if amount else None, currency="USD" if amount else "",
            occurred_at=datetime.combine(today - timedelta(days=days_ago), time(12), tzinfo=zone))

    for days in (1, 3, 40, 200, 500):
        did("Ann", days, "web", "page_view")
    did(None, 2, "web", "page_view")
    did("Hal", 4, "web", "download")
    did("Bob", 6, "social", "social_like")
    did("Gus", 15, "social", "social_share")
    did("Ann", 7, "marketing", "email_open")
    did("Cat", 8, "marketing", "email_click")
    did("Ann", 5, "community", "event_checkin", offering=conference)
    did("Eve", 45, "community", "event_checkin", offering=conference)
    did("Bob", 20, "commerce", "order_line", offering=course, amount="40")
    did("Eve", 90, "commerce", "order_line", offering=conference, amount="250")
    did("Gus", 11, "advocacy", "petition_signed")
    did("Ivy", 12, "volunteering", "shift_worked")
    for first, kind, status, days_ago in (("Ivy", "volunteering", "verified", 12),
                                          ("Ann", "talk", "verified", 20),
                                          ("Bob", "volunteering", "submitted", 3),
                                          ("Hal", "volunteering", "verified", 300)):
        Contribution.objects.create(association=association, person=people[first], kind=kind,
                                    title="Work", occurred_on=today - timedelta(days=days_ago),
                                    status=status, origin="staff")
    Outcome.objects.create(association=association, person=people["Eve"], kind="promotion",
                           title="Promoted", occurred_on=today - timedelta(days=40),
                           reported_via="member", offering=course)
    config = current_config(association=association)
    now = datetime.combine(today, time(12), tzinfo=zone)
    month = today.replace(day=1) - timedelta(days=40)
    for first, total in (("Ann", 60.0), ("Bob", 20.0), ("Eve", 10.0)):
        common = dict(association=association, person=people[first], config=config,
                      derived=total, created=0, level=0, as_of=today, computed_at=now,
                      components={})
        Score.objects.create(total=total, **common)
        ScoreSnapshot.objects.create(total=total / 2, month=month.replace(day=1), **common)
    version = ModelVersion.objects.create(association=association, kind="lapse", version=1,
                                          method="rules", as_of=today, is_current=True)
    for first, band in (("Bob", "high"), ("Ivy", "high"), ("Ann", "low")):
        Prediction.objects.create(association=association, person=people[first], kind="lapse",
                                  model=version, probability=0.8 if band == "high" else 0.1,
                                  band=band, plan=annual, chapter=people[first].chapter,
                                  scored_at=now)
    goal = Goal.objects.create(
        association=association, deadline=today + timedelta(days=200), title="Grow",
        plan=StrategicPlan.objects.create(association=association, name="Plan",
                                          starts_on=today - timedelta(days=365),
                                          ends_on=today + timedelta(days=365)))
    return World(today=today, people=people, north=north, south=south, monthly=monthly,
                 annual=annual, lifetime=lifetime, course=course, conference=conference,
                 web=web, goal=goal)


def objective(world: World, metric: str, *, filters: dict | None = None, days_back: int = 60,
              days_ahead: int = 120, target: str = "10", **extra) -> Objective:
    return Objective.objects.create(
        association_id=world.goal.association_id, goal=world.goal, title=metric, metric=metric,
        filters=filters or {}, starts_on=world.today - timedelta(days=days_back),
        deadline=world.today + timedelta(days=days_ahead), target=Decimal(target), **extra)
