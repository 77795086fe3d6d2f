"""The journey of issue 12's plan: the board writes an answer, staff add a goal and a joint
objective with a KPI, the plan page shows its live number, and the number opens the rows
behind it (axe-core on every page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from commonground.people.services import person_create
from commonground.planning import services
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add

from .conftest import STAFF_PASSWORD, log_in, log_in_staff, open_from_nav


@pytest.fixture
def plan(association, staff_user):
    """A plan started by the director (an administrator), three prospects, a board member."""
    staff_add(association=association, email="board@acme.example.org", role_key="board",
              password=STAFF_PASSWORD)
    with scope(association=association):
        today = association_today(association)
        for first in ("Ann", "Bob", "Cat"):
            person_create(association=association, first_name=first,
                          email=f"{first.lower()}@prospects.example")
        return services.strategic_plan_save(
            association=association, name="Plan 2027", starts_on=today,
            ends_on=today + timedelta(days=365), actor=staff_user)


def test_board_answer_goal_objective_live_number_rows(page, axe_check, association, plan):
    log_in(page, axe_check, "board@acme.example.org", STAFF_PASSWORD)
    open_from_nav(page, axe_check, "Plan", "Plan 2027")
    expect(page.get_by_role("link", name="Add a goal")).to_have_count(0)  # the board reads
    page.locator('a[href$="?question=future_wanted"]').click()
    page.get_by_label("The board's answer").fill("Every nurse trained, and heard.")
    axe_check(page)
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Every nurse trained, and heard.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)

    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Plan", "Plan 2027")
    page.get_by_role("link", name="Add a goal").first.click()
    page.get_by_label("Title").fill("+10 % members by December")
    page.get_by_label("Deadline").fill(str(plan.ends_on))
    axe_check(page)
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("Goal saved.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Add an objective").click()
    page.get_by_label("Title").fill("New prospects identified")
    page.get_by_label("KPI: metric").select_option("people.prospects_identified")
    page.get_by_label("Deadline").fill(str(plan.ends_on))
    page.get_by_label("Target").fill("50")
    page.get_by_label("Owners").select_option(label="director@acme.example.org — business")
    axe_check(page)
    page.get_by_role("button", name="Save the objective").click()
    expect(page.get_by_role("heading", level=1, name="New prospects identified")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Plan 2027").click()
    row = page.get_by_role("row", name="New prospects identified")
    expect(row.get_by_role("link", name="3")).to_be_visible()  # the live number
    axe_check(page)
    row.get_by_role("link", name="3").click()
    expect(page.get_by_role("link", name="Ann", exact=True)).to_be_visible()
    axe_check(page)
