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


# ---------------------------------------------------------------- until planning.kpis lands
# helper A writes planning.kpis and planning.tasks; until they are merged these stand-ins
# follow the contract in PLAN.md so the plan's tests run. They go once the real ones exist.

def _install_kpis_stand_in() -> None:
    import sys
    import types

    import commonground.planning as planning_pkg

    try:
        import commonground.planning.kpis  # noqa: F401
    except ImportError:
        from commonground.planning.models import KpiSnapshot, Objective

        kpis = types.ModuleType("commonground.planning.kpis")

        def kpi_check(*, association, metric, filters, starts_on, deadline):
            return metrics.validate(association=association, metric_key=metric,
                                    filters=filters, start=starts_on, end=deadline)

        def kpi_value(association, objective, on):
            m, q = kpi_check(association=association, metric=objective.metric,
                             filters=objective.filters, starts_on=objective.starts_on,
                             deadline=objective.deadline)
            from dataclasses import replace
            return Decimal(m.compute(association, replace(q, end=on)))

        def kpi_snapshots_take(*, association, today, objective_ids=None):
            qs = Objective.objects.filter(status="active")
            if objective_ids is not None:
                qs = qs.filter(pk__in=objective_ids)
            n = 0
            for o in qs:
                v = kpi_value(association, o, today)
                KpiSnapshot.objects.update_or_create(association=association, objective=o,
                                                     day=today, defaults={"value": v})
                Objective.objects.filter(pk=o.pk).update(current_value=v, current_on=today)
                n += 1
            return n

        kpis.kpi_check, kpis.kpi_value, kpis.kpi_snapshots_take = \
            kpi_check, kpi_value, kpi_snapshots_take
        sys.modules["commonground.planning.kpis"] = kpis
        planning_pkg.kpis = kpis
    try:
        import commonground.planning.tasks  # noqa: F401
    except ImportError:
        tasks = types.ModuleType("commonground.planning.tasks")

        class _Task:
            calls: list = []

            def enqueue(self, *args):
                self.calls.append(args)

        tasks.kpi_history_fill_objective = _Task()
        sys.modules["commonground.planning.tasks"] = tasks
        planning_pkg.tasks = tasks


_install_kpis_stand_in()
