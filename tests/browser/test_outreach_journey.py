"""The journey of issue 11: the members most at risk on the At risk page are put into a
segment, the segment becomes an outreach list with a random holdout, and staff record a
call (axe-core on every page)."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from _outreach_support import world
from commonground.outreach.models import Group, Outreach

from .conftest import log_in_staff, open_from_nav


@pytest.fixture
def scored(association, staff_user):
    """Fifteen members with a lapse prediction each (bands high, medium, low in turn)."""
    with scope(association=association):
        return world(association, decided=12, pending=3, bands=True)


def test_at_risk_selection_to_segment_to_outreach_list(page, axe_check, association, scored):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "At risk", "At risk")
    chosen = scored["people"][:6]
    for person in chosen:
        page.get_by_label(f"Select {person}").check()
    page.get_by_label("Segment name").fill("Calls this week")
    page.get_by_role("button", name="Put selection into a segment").click()
    expect(page.get_by_role("heading", level=1, name="Calls this week")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Start outreach").click()
    expect(page.get_by_role("heading", level=1, name="New outreach list")).to_be_visible()
    axe_check(page)
    expect(page.get_by_label("Name of the list")).to_have_value("Outreach: Calls this week")
    page.get_by_label("Hold back (%)").fill("34")
    page.get_by_role("button", name="Make the list").click()
    expect(page.get_by_role("heading", level=1, name="Outreach: Calls this week")).to_be_visible()
    expect(page.get_by_text("within lapse risk bands")).to_be_visible()
    axe_check(page)
    with scope(association=association):
        outreach = Outreach.objects.get()
        assert set(outreach.members.values_list("person_id", flat=True)) == \
            {p.pk for p in chosen}
        assert outreach.members.filter(group=Group.HOLDOUT).count() == 2  # 34 % of 6
        first = outreach.members.filter(group=Group.CONTACT).select_related("person") \
            .order_by("person__last_name", "person__first_name", "person_id").first()
    page.get_by_role("button", name=f"Contacted {first.person}", exact=True).click()
    expect(page.get_by_text("1 person recorded as contacted.")).to_be_visible()
    expect(page.get_by_text("Too few to tell")).to_be_visible()
    axe_check(page)
    open_from_nav(page, axe_check, "Outreach", "Outreach")
    expect(page.get_by_role("link", name="Outreach: Calls this week")).to_be_visible()
