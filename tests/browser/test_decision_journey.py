"""The journey of issue 12's joint decisions: the business director schedules a regulation
meeting with both sides, proposes a pricing decision from the meeting's page and signs for
the business side; the community manager, in a browser of their own, finds the decision
waiting in the inbox and signs for the mission side; the offering's price has changed
(axe-core on every page)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from _decisions_support import PASSWORD, course, people
from commonground.membership.models import Offering

from .conftest import BLOCKING, log_in, open_from_nav


@pytest.fixture
def world(association):
    with scope(association=association):
        return people(association), course(association)


def _checker(axe, page):
    """An axe check for a second browser context (the `axe_check` fixture is the first
    page's): serious or critical violations fail the test."""
    def check(p) -> None:
        p.wait_for_load_state("load")
        bad = [v for v in axe.run(p).response["violations"] if v.get("impact") in BLOCKING]
        assert not bad, [(v["id"], v["help"], p.url) for v in bad]

    return check


def test_meeting_to_decision_to_sign_off(browser, page, axe_check, _axe, association, world):
    staff, offering = world
    log_in(page, axe_check, staff.business.email, PASSWORD)
    open_from_nav(page, axe_check, "Meetings", "Meetings")
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_role("heading", level=1, name="Schedule a meeting")).to_be_visible()
    axe_check(page)
    page.get_by_label("Title").fill("Regulation meeting, spring")
    page.get_by_label("Starts").fill("2030-03-12T10:00")
    page.get_by_label(staff.mission.email, exact=False).first.check()
    page.locator("fieldset, div").filter(has_text="Business side").get_by_label(
        staff.business.email, exact=False).first.check()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", level=1, name="Regulation meeting, spring")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Propose a decision here").click()
    expect(page.get_by_role("heading", level=1, name="Propose a decision")).to_be_visible()
    axe_check(page)
    page.get_by_label("Kind of decision").select_option(label="Pricing of an offering")
    page.get_by_label("What is to be decided").fill("Price of the data course")
    page.get_by_label("Offering (for a pricing decision)").select_option(label="Data course")
    page.get_by_label("Option 1: label").fill("Free for all")
    page.get_by_label("Option 1: price").select_option("free")
    page.get_by_label("Option 2: label").fill("Members pay less")
    page.get_by_label("Option 2: price").select_option("member_price")
    page.get_by_label("Option 2: member price").fill("25")
    page.get_by_label("Option 2: non-member price").fill("70")
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Price of the data course")).to_be_visible()
    expect(page.get_by_text("The price is read-only until this decision closes")).to_be_visible()
    axe_check(page)

    page.get_by_label("Agree (sign off)").check()
    page.get_by_label("Members pay less").check()
    page.get_by_label("Your reason").fill("Members keep a discount; the course covers its costs")
    page.get_by_role("button", name="Record my position").click()
    expect(page.get_by_text("Your position is recorded.")).to_be_visible()
    axe_check(page)

    # The mission side, in a browser context of its own.
    other = browser.new_context(base_url=page.url.split("/a/")[0])
    mission = other.new_page()
    try:
        _mission_signs(mission, _checker(_axe, mission), staff)
    finally:
        other.close()

    with scope(association=association):
        fresh = Offering.objects.get(pk=offering.pk)
    assert (fresh.price_decision, fresh.member_price, fresh.non_member_price,
            fresh.price_locked_by) == ("member_price", Decimal("25.00"), Decimal("70.00"), "")


def _mission_signs(page, check, staff) -> None:
    log_in(page, check, staff.mission.email, PASSWORD)
    open_from_nav(page, check, "Inbox", "Inbox")
    waiting = re.compile(r"^Open\W+Waiting for your side: Price of the data course")
    page.get_by_role("button", name=waiting).click()
    expect(page.get_by_role("heading", level=1, name="Price of the data course")).to_be_visible()
    check(page)
    page.get_by_label("Agree (sign off)").check()
    page.get_by_label("Members pay less").check()
    page.get_by_label("Your reason").fill("Volunteers get the member price too")
    page.get_by_role("button", name="Record my position").click()
    expect(page.get_by_text("The decision is approved.")).to_be_visible()
    expect(page.get_by_text("The chosen price was applied")).to_be_visible()
    check(page)
