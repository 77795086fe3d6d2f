"""Member journey: log in to the portal, renew, edit one's details."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from commonground.membership import lifecycle
from commonground.membership import services as ms
from commonground.membership.models import Membership
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.portal.services import portal_access_grant

from .conftest import log_in, open_from_nav


@pytest.fixture
def member(association):
    with scope(association=association):
        plan = ms.plan_save(association=association, name="Individual", price="80")
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org")
        membership = ms.membership_join(association=association, plan=plan, person=ann, invoice=False)
        _, password = portal_access_grant(association=association, person=ann)
    return {"person": ann, "membership": membership, "password": password}


def test_member_logs_in_renews_and_edits_their_details(page, axe_check, association, member):
    log_in(page, axe_check, "ann@example.org", member["password"])
    expect(page.get_by_role("heading", level=1, name="Welcome, Ann")).to_be_visible()

    m = member["membership"]
    _, new_end = lifecycle.next_term(m.ends_on, m.plan.term_months)
    yours = page.get_by_role("region", name="Your membership")
    expect(yours).to_contain_text(f"to {m.ends_on:%-d %B %Y}.")
    yours.get_by_role("button", name=re.compile(r"^Renew for another 12 months")).click()
    # Renewing raises an invoice; the portal shows it with how to pay.
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_contain_text(
        f"your membership now runs until {new_end:%d %B %Y}")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Invoice"))).to_be_visible()
    expect(page.get_by_role("region", name="How to pay")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Back to my membership").click()
    expect(page.get_by_role("region", name="Your membership")).to_contain_text(
        f"to {new_end:%-d %B %Y}.")
    expect(page.get_by_role("region", name="Invoices to pay")).to_contain_text("80.00 USD")
    axe_check(page)

    open_from_nav(page, axe_check, "My details", "My details")
    page.get_by_label("Phone").fill("not a phone")
    page.get_by_label("City").fill("Springfield")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted fields")
    expect(page.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    page.get_by_label("Phone").fill("+1 202 555 0143")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("status").filter(has_text="Your details were saved")).to_be_visible()
    expect(page.get_by_label("City")).to_have_value("Springfield")
    axe_check(page)
    with scope(association=association):
        ann = Person.objects.get(pk=member["person"].pk)
        assert (ann.city, ann.phone) == ("Springfield", "+12025550143")
        assert Membership.objects.get(pk=m.pk).ends_on == new_end
