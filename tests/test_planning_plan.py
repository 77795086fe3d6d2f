"""The plan's writes and reads: why-answers in versions, goals, joint objectives with a
KPI from the catalogue (bad definitions, a target in the past, owners by side), the
permissions by side, and the selectors' progress and flags."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from _plan_support import FLOW, STOCK, build_world, objective
from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.people.services import chapter_create, person_create
from commonground.planning import selectors, services
from commonground.planning.models import KpiSnapshot, Objective, WhyAnswer
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def world(scoped):
    return build_world(scoped)


def test_why_answers_are_versioned_and_dated(world):
    w = world
    first = services.why_answer_write(association=w.association, plan=w.plan,
                                      question="founded", text="To train nurses.",
                                      written_on=w.today - timedelta(days=10), actor=w.board)
    second = services.why_answer_write(association=w.association, plan=w.plan,
                                       question="founded", text="To train and represent.",
                                       actor=w.board)
    assert (first.version, second.version) == (1, 2)
    assert second.written_on == w.today
    same = services.why_answer_write(association=w.association, plan=w.plan,
                                     question="founded", text="To train and represent.",
                                     actor=w.board)
    assert same.pk == second.pk and WhyAnswer.objects.count() == 2
    slots = selectors.answers_of(w.plan)
    assert [s.question for s in slots][:1] == ["founded"] and len(slots) == 5
    assert slots[0].answer.pk == second.pk and slots[0].versions == 2
    assert [a.version for a in selectors.answer_history(w.plan, "founded")] == [2, 1]
    assert AuditEntry.objects.filter(action="plan.answer_written").count() == 2


def test_why_answer_refusals(world):
    w = world
    with pytest.raises(PermissionDenied):
        services.why_answer_write(association=w.association, plan=w.plan, question="field",
                                  text="x", actor=w.mission)
    with pytest.raises(ValidationFailed) as exc:
        services.why_answer_write(association=w.association, plan=w.plan, question="nope",
                                  text="", written_on=w.today + timedelta(days=1),
                                  actor=w.board)
    assert set(exc.value.fields) == {"question", "text", "written_on"}


def test_plan_and_goals_are_for_administrators(world):
    w = world
    with pytest.raises(PermissionDenied):
        services.goal_save(association=w.association, plan=w.plan, title="x",
                           deadline=w.today, actor=w.board)
    with pytest.raises(PermissionDenied):
        services.strategic_plan_save(association=w.association, name="x", starts_on=w.today,
                                     ends_on=w.today, actor=w.mission)
    with pytest.raises(ValidationFailed) as exc:
        services.goal_save(association=w.association, plan=w.plan, title="Old",
                           deadline=w.today - timedelta(days=1), actor=w.admin)
    assert "in the past" in exc.value.fields["deadline"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.strategic_plan_save(association=w.association, name="", starts_on=w.today,
                                     ends_on=w.today - timedelta(days=1), actor=w.admin)
    assert set(exc.value.fields) == {"name", "ends_on"}
    assert selectors.current_plan(w.association, w.today) == w.plan


def test_objective_with_a_kpi_and_owners_on_both_sides(world, django_capture_on_commit_callbacks):
    w = world
    person_create(association=w.association, first_name="Ann", email="ann@x.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        o = objective(w)
    assert o.sides == ["business", "mission"] and o.baseline == 0  # a flow starts at 0
    assert sorted(o.owners.values_list("side", flat=True)) == ["business", "mission"]
    o.refresh_from_db()
    assert o.current_value == Decimal("1") and o.current_on == w.today  # a number at once
    assert len(callbacks) == 1  # the history fill, after the commit
    assert AuditEntry.objects.filter(action="objective.created", object_id=o.pk).exists()


def test_a_stock_baseline_is_its_value_on_the_start_date(world):
    w = world
    person_create(association=w.association, first_name="Ann", email="ann@x.example")
    o = objective(w, metric=STOCK.key, target="5", starts_on=w.today)
    assert o.baseline == Decimal("1")
    with pytest.raises(ValidationFailed) as exc:
        objective(w, metric=STOCK.key, target="1", starts_on=w.today)
    assert "not above the baseline" in exc.value.fields["target"][0]


def test_bad_kpi_definitions_get_clear_messages(world):
    w = world
    with pytest.raises(ValidationFailed) as exc:
        objective(w, metric="membership.nope")
    assert "unknown metric" in exc.value.fields["metric"][0]
    with pytest.raises(ValidationFailed) as exc:
        objective(w, filters={"colour": "red", "chapter": "Atlantis"})
    assert "takes no filter 'colour'" in exc.value.fields["filters.colour"][0]
    assert "Atlantis" in exc.value.fields["filters.chapter"][0]
    with pytest.raises(ValidationFailed) as exc:
        objective(w, deadline=w.today - timedelta(days=1))
    assert "is in the past" in exc.value.fields["deadline"][0]
    assert not Objective.objects.exists()


def test_owners_must_be_staff_on_their_side(world):
    w = world
    with pytest.raises(ValidationFailed) as exc:
        objective(w, owners=[(w.mission, "business"), (w.board, "mission"),
                             ("nobody@x.example", "mission")])
    messages = " | ".join(exc.value.fields["owners"])
    assert "community@acme.example.org is not on the business side" in messages
    assert "board@acme.example.org is not on the mission side" in messages
    assert "no staff member 'nobody@x.example'" in messages
    with pytest.raises(ValidationFailed) as exc:
        objective(w, sides=["mission"], owners=[(w.business, "business")], actor=w.mission)
    assert "does not share it" in exc.value.fields["owners"][0]


def test_who_may_edit_an_objective_follows_its_sides(world):
    w = world
    o = objective(w, sides=["mission"], owners=[(w.mission, "mission")], actor=w.mission)
    with pytest.raises(PermissionDenied):
        services.objective_save(association=w.association, goal=w.goal, objective=o,
                                title="Mine now", metric=o.metric, target="12",
                                deadline=o.deadline, actor=w.business)
    with pytest.raises(PermissionDenied):
        objective(w, actor=w.board)  # the board reads and comments
    changed = services.objective_save(association=w.association, goal=w.goal, objective=o,
                                      title="Volunteers", metric=o.metric, target="12",
                                      deadline=o.deadline, actor=w.admin)
    assert changed.title == "Volunteers" and changed.sides == ["mission"]
    assert changed.owners.count() == 1  # owners=None keeps them
    entry = AuditEntry.objects.get(action="objective.changed", object_id=o.pk)
    assert set(entry.data) == {"goal_id", "title", "target"}


def test_changing_the_kpi_drops_the_old_history(world):
    w = world
    o = objective(w)
    KpiSnapshot.objects.create(association=w.association, objective=o,
                               day=w.today - timedelta(days=3), value=4)
    chapter_create(association=w.association, name="North")
    services.objective_save(association=w.association, goal=w.goal, objective=o,
                            title=o.title, metric=FLOW.key, filters={"chapter": "North"},
                            target="10", deadline=o.deadline, actor=w.business)
    assert list(KpiSnapshot.objects.filter(objective=o).values_list("day", flat=True)) == \
        [w.today]


def test_objectives_flagged_lists_the_ones_off_pace(world):
    w = world
    behind = objective(w, title="Behind", target="100")      # 0 of 100, a third of the way
    ahead = objective(w, title="Ahead", target="1")
    Objective.objects.filter(pk=ahead.pk).update(current_value=5)
    Objective.objects.filter(pk=behind.pk).update(current_value=0)
    flagged = selectors.objectives_flagged(w.association, w.today)
    assert [f.objective.title for f in flagged] == ["Behind"]
    assert flagged[0].state == "off_track" and flagged[0].objective.goal == w.goal
    services.objective_set_status(association=w.association, objective=behind,
                                  status="dropped", actor=w.business)
    assert selectors.objectives_flagged(w.association, w.today) == []


def test_plan_tree_reads_a_fixed_number_of_queries(world):
    w = world

    def tree_queries() -> int:
        plan = type(w.plan).objects.select_related("association").get(pk=w.plan.pk)
        with CaptureQueriesContext(connection) as ctx:
            tree = selectors.plan_tree(plan, w.today)
        return len(ctx.captured_queries), tree

    objective(w, title="One")
    few, _ = tree_queries()
    for i in range(5):
        o = objective(w, title=f"More {i}")
        for d in range(0, 30, 7):
            KpiSnapshot.objects.update_or_create(
                association=w.association, objective=o, day=w.today - timedelta(days=d),
                defaults={"value": d})
    many, tree = tree_queries()
    assert many == few
    node = tree.goals[0].objectives[-1]
    assert len(node.spark) == 5 and node.spark[-1][0] == w.today
    assert [o.title for o in (n.objective for n in tree.objectives)][0] == "One"


def test_objective_detail_burnup_runs_from_start_to_deadline(world):
    w = world
    o = objective(w)
    detail = selectors.objective_detail(o, w.today)
    rows = detail.burnup_rows()
    assert rows[0] == (o.starts_on, None, Decimal("0.00"))
    assert rows[-1] == (o.deadline, None, Decimal("10.00"))
    assert rows[1][0] == w.today and rows[1][1] == 0
