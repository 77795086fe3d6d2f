"""A small world for the meetings tests: staff on each side, the board, a plan with one
objective on pace and one off pace (built with the ORM so these tests do not depend on how
the plan part's services compute baselines), and helpers to schedule a meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from commonground.negotiation import services
from commonground.planning.models import Goal, Objective, ObjectiveOwner, StrategicPlan
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add


@dataclass
class World:
    association: Any
    today: date
    admin: Any
    board: Any
    mission: Any       # community manager
    business: Any      # marketing manager
    volunteers: Any    # volunteer manager (mission), owns the off-pace objective
    behind: Any        # an objective off pace
    on_pace: Any


def build_world(association) -> World:
    """Call inside the association's scope."""
    users = {}
    for name, role in (("admin", "admin"), ("board", "board"), ("community", "community"),
                       ("marketing", "marketing"), ("volunteers", "volunteers")):
        users[name] = staff_add(association=association, email=f"{name}@acme.example.org",
                                role_key=role, password="pw").user
    today = association_today(association)
    plan = StrategicPlan.objects.create(association=association, name="Plan",
                                        starts_on=today - timedelta(days=100),
                                        ends_on=today + timedelta(days=265))
    goal = Goal.objects.create(association=association, plan=plan, title="+10 % members",
                               deadline=today + timedelta(days=100))
    common = {"association": association, "goal": goal, "metric": "test.metric",
              "starts_on": today - timedelta(days=100), "deadline": today + timedelta(days=100),
              "baseline": Decimal(0), "target": Decimal(100), "current_on": today,
              "sides": ["mission", "business"]}
    behind = Objective.objects.create(title="Volunteers engaged", current_value=Decimal(10),
                                      **common)
    on_pace = Objective.objects.create(title="New members closed", current_value=Decimal(60),
                                       **common)
    ObjectiveOwner.objects.create(association=association, objective=behind,
                                  user=users["volunteers"], side="mission")
    return World(association, today, users["admin"], users["board"], users["community"],
                 users["marketing"], users["volunteers"], behind, on_pace)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def schedule(w: World, *, days: int = 7, title: str = "Regulation meeting", **kw):
    return services.meeting_schedule(
        association=w.association, title=title, starts_at=at(w.today + timedelta(days=days)),
        participants=[(w.mission, "mission"), (w.business, "business")],
        actor=w.business, **kw)
