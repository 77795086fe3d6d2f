"""A small world for the plan tests: staff on each side, the board, a test-only pair of
metrics (a stock and a flow over people) so the tests do not depend on which apps
registered which metrics, and a plan with a goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from commonground.core import metrics
from commonground.people.models import Chapter, Person
from commonground.planning import services
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add


def _chapter(association, raw: str) -> int:
    found = Chapter.objects.filter(name__iexact=raw).values_list("pk", flat=True).first()
    if found is None:
        raise ValueError(f"no chapter {raw!r}")
    return found


CHAPTER = metrics.FilterSpec(name="chapter", label="Chapter", resolve=_chapter)


def _people(query):
    people = Person.objects.filter(erased_at__isnull=True)
    if "chapter" in query.filters:
        people = people.filter(chapter_id=query.filters["chapter"])
    return people


def _stock(association, query) -> Decimal:
    return Decimal(_people(query).filter(created_at__date__lte=query.end).count())


def _flow(association, query) -> Decimal:
    return Decimal(_people(query).filter(created_at__date__gte=query.start,
                                         created_at__date__lte=query.end).count())


def _rows(association, query) -> metrics.Drilldown:
    return metrics.Drilldown(queryset=_people(query), columns=[("Name", "first_name")],
                             noun="people")


STOCK = metrics.register_metric(metrics.Metric(
    key="testplan.people", label="People on file (test)", kind="stock", compute=_stock,
    rows=_rows, filters=(CHAPTER,), group="Test"))
FLOW = metrics.register_metric(metrics.Metric(
    key="testplan.new_people", label="People added (test)", kind="flow", compute=_flow,
    rows=_rows, filters=(CHAPTER,), group="Test"))


@dataclass
class World:
    association: Any
    today: date
    admin: Any
    board: Any
    mission: Any      # community manager
    business: Any     # marketing manager (not an administrator)
    plan: Any
    goal: Any


def build_world(association) -> World:
    """Call inside the association's scope."""
    users = {}
    for name, role in (("admin", "admin"), ("board", "board"), ("community", "community"),
                       ("marketing", "marketing")):
        users[name] = staff_add(association=association, email=f"{name}@acme.example.org",
                                role_key=role, password="pw").user
    today = association_today(association)
    plan = services.strategic_plan_save(
        association=association, name="Plan 2027", starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=300), actor=users["admin"])
    goal = services.goal_save(association=association, plan=plan, title="+10 % members",
                              deadline=today + timedelta(days=200), actor=users["admin"])
    return World(association, today, users["admin"], users["board"], users["community"],
                 users["marketing"], plan, goal)


def objective(world: World, **kw):
    """A joint objective on the flow metric, owned by both sides, unless ``kw`` says."""
    args = dict(association=world.association, goal=world.goal, title="New people",
                metric=FLOW.key, target="10", deadline=world.today + timedelta(days=90),
                starts_on=world.today - timedelta(days=30),
                owners=[(world.mission, "mission"), (world.business, "business")],
                actor=world.business)
    args.update(kw)
    return services.objective_save(**args)
