"""The plan's pages as staff and the board use them: the plan with its answers and goals,
the objective page with its burn-up (table and CSV), the forms, the trace page, comments,
and the buttons each reader sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from _plan_support import FLOW, build_world, objective
from commonground.planning import services
from commonground.planning.models import Comment, KpiSnapshot, Objective, WhyAnswer


@pytest.fixture
def world(scoped):
    return build_world(scoped)


def url(name: str, **kw) -> str:
    return reverse(name, kwargs={"association": "acme", **kw})


def test_plan_page_shows_answers_goals_and_live_numbers(client, world):
    w = world
    services.why_answer_write(association=w.association, plan=w.plan, question="founded",
                              text="To train nurses.", actor=w.board)
    o = objective(w, title="Web and social traffic", target="100")
    KpiSnapshot.objects.create(association=w.association, objective=o,
                               day=w.today - timedelta(days=7), value=2)
    Objective.objects.filter(pk=o.pk).update(current_value=3)
    client.force_login(w.mission)
    page = client.get(url("plan_home")).content.decode()
    assert "To train nurses." in page and "Web and social traffic" in page
    assert "What is the future we want to avoid?" in page and "Not answered yet." in page
    assert "state-off_track" in page and "1 objective off pace" in page
    assert f"objective-{o.pk}-trend" in page  # the sparkline, as an image with its table
    assert "Add an objective" in page and "Add a goal" not in page  # not an administrator
    svg = client.get(url("plan_home"), {"format": "svg", "chart": f"objective-{o.pk}-trend"})
    assert svg["Content-Type"].startswith("image/svg+xml")
    csv = client.get(url("plan_home"), {"format": "csv", "chart": f"objective-{o.pk}-trend"})
    assert csv.content.decode("utf-8-sig").splitlines()[0] == "Day,Web and social traffic"


def test_board_reads_and_comments_but_sees_no_edit_buttons(client, world):
    w = world
    o = objective(w)
    client.force_login(w.board)
    page = client.get(url("plan_home")).content.decode()
    assert "reading as the board" in page and "Answer it" in page
    assert "Add an objective" not in page and "Edit the plan" not in page
    detail = client.get(url("objective_detail", objective_id=o.pk)).content.decode()
    assert "Edit the objective" not in detail and "Add the comment" in detail
    r = client.post(url("objective_comment", objective_id=o.pk), {"body": "Why so low?"})
    assert r.status_code == 302
    assert Comment.objects.get().body == "Why so low?"
    assert "Why so low?" in client.get(url("objective_detail", objective_id=o.pk)).content.decode()
    r = client.post(url("why_write", strategic_plan_id=w.plan.pk),
                    {"question": "field", "text": "Digital training."})
    assert r.status_code == 302 and WhyAnswer.objects.get().question == "field"
    r = client.post(url("objective_edit", objective_id=o.pk),
                    {"title": "x", "metric": FLOW.key, "deadline": o.deadline, "target": "5",
                     "direction": "up"})
    assert r.status_code == 200 and Objective.objects.get().title == "New people"


def test_objective_page_has_burnup_table_csv_and_pace(client, world):
    w = world
    o = objective(w)
    client.force_login(w.business)
    page = client.get(url("objective_detail", objective_id=o.pk)).content.decode()
    assert "Burn-up of New people" in page and "per 30 days from now" in page
    assert "Edit the objective" in page and "People added (test)" in page
    csv = client.get(url("objective_detail", objective_id=o.pk),
                     {"format": "csv", "chart": f"objective-{o.pk}-burnup"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Day,Actual,Pace to the target" and len(lines) == 4


def test_objective_form_creates_with_a_kpi_and_shows_mistakes(client, world):
    w = world
    client.force_login(w.business)
    new = url("objective_new", goal_id=w.goal.pk)
    form = client.get(new).content.decode()
    assert "People added (test)" in form and "Filter: chapter" in form
    assert f'value="{w.mission.pk}:mission"' in form
    bad = client.post(new, {"title": "Joins", "metric": FLOW.key, "filter_chapter": "Mars",
                            "deadline": (w.today - timedelta(days=2)).isoformat(),
                            "target": "10", "direction": "up"}).content.decode()
    assert "is in the past" in bad
    bad = client.post(new, {"title": "Joins", "metric": FLOW.key, "filter_chapter": "Mars",
                            "deadline": (w.today + timedelta(days=20)).isoformat(),
                            "target": "10", "direction": "up", "sides": ["business"]})
    assert "Mars" in bad.content.decode()
    r = client.post(new, {"title": "Joins", "metric": FLOW.key,
                          "deadline": (w.today + timedelta(days=20)).isoformat(),
                          "target": "10", "direction": "up",
                          "owners": [f"{w.mission.pk}:mission", f"{w.business.pk}:business"]})
    o = Objective.objects.get()
    assert r.status_code == 302 and r["Location"] == url("objective_detail", objective_id=o.pk)
    assert o.sides == ["business", "mission"] and o.owners.count() == 2


def test_goal_trace_page_and_why_history(client, world):
    w = world
    o = objective(w, title="Lapsed renewed")
    for text in ("First.", "Second."):
        services.why_answer_write(association=w.association, plan=w.plan, question="ask_now",
                                  text=text, actor=w.board)
    client.force_login(w.admin)
    trace = client.get(url("goal_detail", goal_id=w.goal.pk)).content.decode()
    assert "Lapsed renewed" in trace and "Meetings" in trace and "Action items" in trace
    history = client.get(url("plan_why", strategic_plan_id=w.plan.pk),
                         {"question": "ask_now"}).content.decode()
    assert history.index("Second.") < history.index("First.") and "Version 2" in history
    r = client.post(url("goal_delete", goal_id=w.goal.pk))
    assert r.status_code == 302 and Objective.objects.filter(pk=o.pk).exists()


def test_admin_starts_a_plan_and_a_goal(client, world):
    w = world
    client.force_login(w.admin)
    r = client.post(url("strategic_plan_new"), {"name": "Plan 2028", "starts_on": w.today.isoformat(),
                                      "ends_on": (w.today + timedelta(days=365)).isoformat(),
                                      "status": "draft"})
    assert r.status_code == 302
    plan = type(w.plan).objects.get(name="Plan 2028")
    r = client.post(url("goal_new", strategic_plan_id=plan.pk),
                    {"title": "Volunteers", "deadline": (w.today + timedelta(days=9)).isoformat()})
    assert r.status_code == 302 and plan.goals.get().title == "Volunteers"
    assert "Plan 2028" in client.get(url("strategic_plan_list")).content.decode()
