"""The journey of a data-sharing agreement (issue 13, helper sharing): the grantor's
director proposes sharing members' first names and emails with a consortium partner, the
partner's administrator approves, reads the rows, the grantor revokes, and the partner is
refused (axe-core on every page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from _sharing_support import consortium_of
from commonground.membership import services as ms
from commonground.people.services import person_create
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add

from .conftest import STAFF_PASSWORD, log_in, log_in_staff, open_from_nav

PARTNER_ADMIN = "admin@other.example.org"


@pytest.fixture
def partners(association, other_association, staff_user):
    """acme (the director is an administrator) and other in one consortium; acme has a
    member, Ann Sharewell."""
    staff_add(association=other_association, email=PARTNER_ADMIN, role_key="admin",
              password=STAFF_PASSWORD)
    consortium_of(association, other_association, name="Nursing alliance")
    with scope(association=association):
        plan = ms.plan_save(association=association, name="Regular", price="80.00")
        ann = person_create(association=association, first_name="Ann", last_name="Sharewell",
                            email="ann@members.example", city="Keptcity")
        ms.membership_join(association=association, plan=plan, person=ann)
        return association_today(association)


def log_out(page, axe_check) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)


def test_propose_approve_read_revoke_refused(page, axe_check, association, partners):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Data sharing", "Data sharing")
    page.get_by_role("link", name="Propose an agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a data-sharing agreement")
    page.get_by_label("Partner association").select_option("other")
    page.get_by_label("Title").fill("Conference invitations")
    page.get_by_label("Purpose").fill("Invitations to the joint conference")
    page.get_by_label("First name", exact=True).check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Only members who consent").uncheck()
    page.get_by_label("Expires on").fill(str(partners + timedelta(days=365)))
    axe_check(page)
    page.get_by_role("button", name="Propose the agreement").click()
    expect(page.get_by_text("Agreement proposed")).to_be_visible()
    expect(page.get_by_text("Waiting for approval")).to_be_visible()
    axe_check(page)
    log_out(page, axe_check)

    log_in(page, axe_check, PARTNER_ADMIN, STAFF_PASSWORD)
    open_from_nav(page, axe_check, "Data sharing", "Data sharing")
    page.get_by_role("link", name="Conference invitations").first.click()
    axe_check(page)
    page.get_by_role("button", name="Approve the agreement").click()
    expect(page.get_by_text("Approved: the agreement is in force.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Read the shared rows").click()
    expect(page.get_by_role("cell", name="ann@members.example")).to_be_visible()
    expect(page.get_by_text("Sharewell")).to_have_count(0)  # not a named field
    expect(page.get_by_text("Keptcity")).to_have_count(0)
    axe_check(page)
    rows_url = page.url
    page.get_by_role("link", name="The agreement").click()
    expect(page.get_by_text("1 read so far")).to_be_visible()
    axe_check(page)
    log_out(page, axe_check)

    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Data sharing", "Data sharing")
    page.get_by_role("link", name="Conference invitations").click()
    expect(page.get_by_role("cell", name=PARTNER_ADMIN)).to_be_visible()  # the access log
    axe_check(page)
    page.get_by_role("link", name="Revoke").click()
    page.get_by_label("Reason").fill("The conference is over")
    axe_check(page)
    page.get_by_role("button", name="Revoke the agreement").click()
    expect(page.get_by_text("Revoked: nothing is shared")).to_be_visible()
    axe_check(page)
    log_out(page, axe_check)

    log_in(page, axe_check, PARTNER_ADMIN, STAFF_PASSWORD)
    page.goto(rows_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing is shared")
    expect(page.get_by_text("This agreement was revoked")).to_be_visible()
    expect(page.get_by_text("ann@members.example")).to_have_count(0)
    axe_check(page)
