"""The KPI catalogue over a small world: each metric's figure, its drill-down rows and its
one-query series agree; definitions are checked with clear messages; snapshots are
idempotent; a new objective's history is filled from its start."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Avg, Sum
from django.test.utils import CaptureQueriesContext

from _kpis_support import build_world, objective
from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.core.metrics import MetricQuery
from commonground.planning.kpis import (
    kpi_check,
    kpi_history_fill,
    kpi_rows,
    kpi_snapshots_take,
    kpi_value,
)
from commonground.planning.models import KpiSnapshot, Objective
from commonground.tenancy.models import AuditEntry

D = Decimal


@pytest.fixture
def world(scoped):
    return build_world(scoped)


def _rows_figure(metric, drilldown) -> Decimal:
    if metric.unit == "score":
        value = drilldown.queryset.aggregate(v=Avg("total"))["v"] or 0
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if metric.unit == "money":
        field = "signed" if metric.key == "membership.dues_revenue" else "amount"
        return D(drilldown.queryset.aggregate(v=Sum(field))["v"] or 0)
    return D(drilldown.queryset.count())


def _filters_for(world, metric) -> list[dict]:
    """No filter, then each filter the metric takes with a value from the world."""
    values = {"plan": world.annual.slug, "chapter": world.north.slug, "status": "lapsed",
              "offering": world.conference.slug, "side": "mission", "kind": "page_view",
              "category": "web", "source": world.web.slug}
    if metric.key == "engagement.value_created":
        values["kind"] = "volunteering"
    if metric.key == "engagement.value_derived":
        values["kind"] = "promotion"
    return [{}] + [{f.name: values[f.name]} for f in metric.filters if f.name in values]


def test_every_metric_figure_rows_and_series_agree(world):
    """Monthly, annual and lifetime periods (a month back, a year back, since the start)."""
    today = world.today
    keys = [m.key for m in metrics.catalogue()]
    for app in ("membership.", "people.", "activity.", "engagement.", "scoring.", "insight."):
        assert any(k.startswith(app) for k in keys), app
    for metric in metrics.catalogue():
        for raw in _filters_for(world, metric):
            for start in (today - timedelta(days=30), today - timedelta(days=365),
                          today - timedelta(days=800)):
                _, query = metrics.validate(association=world.goal.association, metric_key=metric.key,
                                            filters=raw, start=start, end=today)
                assoc = world.goal.association
                value = metric.compute(assoc, query)
                assert _rows_figure(metric, metric.rows(assoc, query)) == value, (metric.key, raw)
                if metric.series is None:
                    continue
                days = [today - timedelta(days=n) for n in (20, 6, 2, 0)]
                series = metric.series(assoc, query, days)
                for day in days:
                    if day not in series:  # a current-only figure has no past
                        assert metric.key.startswith("insight.") and day < today
                        continue
                    one = metric.compute(assoc, MetricQuery(start, day, query.filters))
                    assert series[day] == one, (metric.key, raw, start, day)


def test_figures_on_the_world(world):
    assoc, today = world.goal.association, world.today

    def value(key, days=30, **filters):
        _, q = metrics.validate(association=assoc, metric_key=key, filters=filters,
                                start=today - timedelta(days=days), end=today)
        return metrics.get(key).compute(assoc, q)

    assert value("membership.joins") == 2                     # Ann, Cat
    assert value("membership.joins", days=365, plan="annual") == 3  # Ann, Bob, Ivy
    assert value("membership.joins", days=365, chapter="south") == 3  # Cat, Dan, Ivy
    assert value("membership.renewals") == 1                  # Ivy
    assert value("membership.reinstatements") == 1            # Dan
    assert value("membership.lapses", days=120) == 2          # Dan, Fay
    assert value("membership.members") == 6                   # all but Fay (lapsed)
    assert value("membership.members", status="lapsed") == 1
    assert value("membership.members", plan="lifetime") == 1
    assert value("membership.dues_revenue", days=365) == D("180.00")
    assert value("membership.dues_revenue", days=100) == D("100.00")  # Ann's; not Bob's refund
    assert value("people.prospects_identified") == 2          # Gus, Hal
    assert value("activity.web") == 4 and value("activity.web", days=365) == 6
    assert value("activity.activities", kind="page_view") == 3
    assert value("activity.people_active") == 6   # Ann, Bob, Cat, Gus, Hal, Ivy
    assert value("activity.event_attendance", offering="annual-conference") == 1
    assert value("activity.revenue", days=365, side="business") == D("250")
    assert value("activity.revenue", days=365, offering="budgeting-course") == D("40")
    assert value("activity.email") == 2 and value("activity.social") == 2
    assert value("activity.advocacy_actions") == 1
    assert value("engagement.value_created") == 2              # Ivy, Ann (Bob's unverified)
    assert value("engagement.value_derived", days=60, offering="budgeting-course") == 1
    assert value("engagement.volunteers_engaged") == 1         # Ivy (shift + contribution)
    assert value("engagement.volunteers_engaged", days=365) == 2  # and Hal
    assert value("scoring.average_score") == D("30.00")
    assert value("scoring.average_score", plan="annual") == D("40.00")
    assert value("insight.high_lapse_risk") == 2
    assert value("insight.high_lapse_risk", chapter="south") == 1


def test_compute_all_batches_a_family_and_agrees(world):
    assoc, today = world.goal.association, world.today
    items = []
    for key, filters in (("activity.web", {}), ("activity.people_active", {"category": "web"}),
                         ("activity.revenue", {"side": "business"}), ("activity.activities",
                                                                       {"kind": "email_open"})):
        items.append(metrics.validate(association=assoc, metric_key=key, filters=filters,
                                      start=today - timedelta(days=400), end=today))
    one_by_one = [m.compute(assoc, q) for m, q in items]
    with CaptureQueriesContext(connection) as captured:
        together = metrics.compute_all(assoc, items)
    assert together == one_by_one
    reads = [q["sql"] for q in captured.captured_queries if '"activity_activity"' in q["sql"]]
    assert len(reads) == 2  # people by the category index, then one grouped pass for the rest


def test_kpi_check_messages(world):
    assoc, today = world.goal.association, world.today
    ok = dict(association=assoc, starts_on=today, deadline=today + timedelta(days=30))
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="membership.nope", filters={}, **ok)
    assert "unknown metric" in e.value.fields["metric"][0]
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="membership.joins", filters={"colour": "red"}, **ok)
    assert "takes no filter 'colour'" in e.value.fields["filters.colour"][0]
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="membership.joins", filters={"plan": "platinum"}, **ok)
    assert "no plan 'platinum'" in e.value.fields["filters.plan"][0]
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="activity.activities", filters={"category": "nonsense"}, **ok)
    assert "no category 'nonsense'" in e.value.fields["filters.category"][0]
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="membership.joins", filters={}, association=assoc, starts_on=today,
                  deadline=today - timedelta(days=1))
    assert e.value.fields["deadline"] == ["the deadline is before the start"]
    with pytest.raises(ValidationFailed) as e:
        kpi_check(metric="membership.joins", filters=["plan"], **ok)
    assert "filters" in e.value.fields
    metric, query = kpi_check(metric="membership.joins", filters={"plan": str(world.annual.pk)},
                              **ok)
    assert query.filters == {"plan": world.annual.pk}


def test_another_associations_plan_names_nothing(world, other_association):
    from django_scopes import scope

    from commonground.membership import services as ms
    with scope(association=other_association):
        ms.plan_save(association=other_association, name="Platinum", price="1")
    with pytest.raises(ValidationFailed) as e:
        kpi_check(association=world.goal.association, metric="membership.joins",
                  filters={"plan": "platinum"}, starts_on=world.today, deadline=world.today)
    assert "no plan 'platinum'" in e.value.fields["filters.plan"][0]


def test_kpi_value_and_rows_of_an_objective(world):
    assoc, today = world.goal.association, world.today
    joins = objective(world, "membership.joins", filters={"plan": "monthly"}, days_back=50)
    assert kpi_value(assoc, joins, today) == 1                               # Cat
    assert kpi_value(assoc, joins, today - timedelta(days=60)) == 0         # before the start
    assert kpi_rows(assoc, joins, today).queryset.count() == 1
    members = objective(world, "membership.members", filters={"plan": "annual"})
    assert kpi_value(assoc, members, today) == 3                             # Ann, Bob, Ivy
    # A past deadline: the value is read on the deadline.
    past = objective(world, "membership.joins", days_back=400, days_ahead=-100)
    assert kpi_value(assoc, past, today) == 4                        # Ivy, Eve, Bob, Dan


def test_snapshots_are_idempotent_and_copied_to_the_objective(world):
    assoc, today = world.goal.association, world.today
    made = [objective(world, key, filters=f) for key, f in (
        ("membership.members", {"plan": "monthly"}), ("membership.members", {"plan": "lifetime"}),
        ("membership.joins", {"plan": "annual"}), ("activity.web", {}),
        ("activity.people_active", {}), ("people.prospects_identified", {}))]
    objective(world, "membership.joins", status="dropped")
    later = objective(world, "membership.joins", days_back=-10)  # not started yet
    assert kpi_snapshots_take(association=assoc, today=today) == len(made)
    assert kpi_snapshots_take(association=assoc, today=today) == len(made)
    assert KpiSnapshot.objects.count() == len(made)
    for o in Objective.objects.filter(pk__in=[o.pk for o in made]):
        assert o.current_on == today and o.current_value == kpi_value(assoc, o, today)
    assert not KpiSnapshot.objects.filter(objective=later).exists()
    assert AuditEntry.objects.filter(action="kpi.snapshots_taken").count() == 2
    assert kpi_snapshots_take(association=assoc, today=today, objective_ids=[made[0].pk]) == 1


def test_a_broken_definition_is_skipped(world):
    assoc = world.goal.association
    good = objective(world, "membership.joins")
    objective(world, "membership.joins", filters={"plan": "gone"})
    assert kpi_snapshots_take(association=assoc, today=world.today) == 1
    assert KpiSnapshot.objects.get().objective_id == good.pk


def test_history_fill_from_the_start(world):
    assoc, today = world.goal.association, world.today
    flow = objective(world, "membership.joins", days_back=60)
    stock = objective(world, "membership.members", filters={"chapter": "south"}, days_back=120)
    assert kpi_history_fill(association=assoc, objective=flow, through=today) == 61
    assert kpi_history_fill(association=assoc, objective=stock, through=today) == 121
    snaps = dict(KpiSnapshot.objects.filter(objective=stock).values_list("day", "value"))
    for days_ago in (120, 99, 30, 2, 0):
        day = today - timedelta(days=days_ago)
        assert snaps[day] == kpi_value(assoc, stock, day), day
    flow_snaps = dict(KpiSnapshot.objects.filter(objective=flow).values_list("day", "value"))
    assert flow_snaps[today - timedelta(days=60)] == 0 and flow_snaps[today] == 2
    flow.refresh_from_db()
    assert flow.current_on == today and flow.current_value == 2
    # A long lifetime objective is filled at a coarser step; filling again changes nothing.
    long = objective(world, "activity.web", days_back=1500)
    assert kpi_history_fill(association=assoc, objective=long, through=today) <= 401
    before = KpiSnapshot.objects.count()
    kpi_history_fill(association=assoc, objective=long, through=today)
    assert KpiSnapshot.objects.count() == before


def test_daily_job_and_history_task(world, settings, django_capture_on_commit_callbacks):
    from commonground.core import schedule
    from commonground.planning import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert any(j.name.endswith("kpi_snapshots_all_associations") and j.every == "day"
               for j in schedule.jobs())
    o = objective(world, "membership.joins", days_back=10)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_history(o.association_id, o.pk)
    assert KpiSnapshot.objects.filter(objective=o).count() == 11
    assert tasks.kpi_snapshots_all_associations.call() >= 1
    assert KpiSnapshot.objects.get(objective=o, day=world.today).value == 1  # Cat
