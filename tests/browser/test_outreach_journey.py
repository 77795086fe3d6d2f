"""The outreach journey: a static list of members (the at-risk page's selection) becomes
an outreach list with a random holdout; staff record calls and read the effect report."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from _outreach_support import world
from commonground.outreach.models import Group, Outreach

from .conftest import log_in_staff, open_from_nav


@pytest.fixture
def selection(association, staff_user):
    with scope(association=association):
        return world(association, decided=12, pending=2)


def test_a_selection_becomes_an_outreach_list_with_a_holdout(page, axe_check, association,
                                                              selection):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Outreach", "Outreach")
    page.goto(f"/a/{association.slug}/outreach/new/?segment={selection['segment'].pk}")
    expect(page.get_by_role("heading", level=1, name="New outreach list")).to_be_visible()
    axe_check(page)
    expect(page.get_by_label("Name of the list")).to_have_value("Outreach: Due in March")
    page.get_by_label("Hold back (%)").fill("20")
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_role("heading", level=1, name="Outreach: Due in March")).to_be_visible()
    expect(page.get_by_text("held back at random")).to_be_visible()
    axe_check(page)
    with scope(association=association):
        outreach = Outreach.objects.get()
        first = outreach.members.filter(group=Group.CONTACT).select_related("person") \
            .order_by("person__last_name", "person__first_name", "person_id").first()
        assert outreach.members.filter(group=Group.HOLDOUT).count() == 3  # 20 % of 15
    page.get_by_role("button", name=f"Contacted {first.person}", exact=True).click()
    expect(page.get_by_text("1 person recorded as contacted.")).to_be_visible()
    expect(page.get_by_text("Too few to tell")).to_be_visible()
    axe_check(page)
