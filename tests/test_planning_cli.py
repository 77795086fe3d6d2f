"""``commonground planning``: show the plan and its flagged objectives, write a plan,
answers, goals and objectives as a named staff member; refusals and bad KPIs are clear
messages naming the option."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from _cli_support import commonground
from _plan_support import FLOW, build_world


@pytest.fixture
def world(scoped):
    return build_world(scoped)


def test_write_and_show_the_plan(world):
    w = world
    ran = commonground("planning", "why", "--association", "acme", "--question", "founded",
                       "--text", "To train nurses.", "--by", w.board.email)
    assert ran.code == 0 and "version 1" in ran.out
    ran = commonground("planning", "goal", "--association", "acme", "--title", "Volunteers",
                       "--deadline", str(w.today + timedelta(days=60)), "--by", w.admin.email,
                       "--json")
    goal_id = json.loads(ran.out)["id"]
    ran = commonground("planning", "objective", "--association", "acme", "--goal",
                       str(goal_id), "--title", "New people", "--metric", FLOW.key,
                       "--target", "12", "--deadline", str(w.today + timedelta(days=30)),
                       "--owner", f"{w.mission.email}:mission", "--by", w.mission.email)
    assert ran.code == 0, ran.err
    assert "Saved objective" in ran.out and "baseline 0" in ran.out
    shown = commonground("planning", "show", "--association", "acme")
    assert "To train nurses." in shown.out and "New people" in shown.out
    data = json.loads(commonground("planning", "show", "--association", "acme",
                                   "--json").out)
    assert data["goals"][1]["objectives"][0]["owners"] == [[w.mission.email, "mission"]]
    history = commonground("planning", "why", "--association", "acme", "--history")
    assert "founded v1" in history.out
    assert commonground("planning", "flagged", "--association", "acme").out.strip() == \
        "No objective is off pace."


def test_refusals_name_the_option(world):
    w = world
    ran = commonground("planning", "objective", "--association", "acme", "--goal",
                       str(w.goal.pk), "--title", "x", "--metric", "nope.none", "--target", "1",
                       "--deadline", str(w.today - timedelta(days=1)), "--side", "business",
                       "--filter", "chapter=Mars", "--by", w.business.email)
    assert ran.code == 1
    assert "--deadline:" in ran.err and "in the past" in ran.err and "metric" in ran.err
    ran = commonground("planning", "goal", "--association", "acme", "--title", "x",
                       "--deadline", str(w.today), "--by", w.board.email)
    assert ran.code == 1 and "Only an administrator" in ran.err
    ran = commonground("planning", "goal", "--association", "acme", "--title", "x",
                       "--deadline", str(w.today))
    assert ran.code == 1 and "--by EMAIL" in ran.err
