"""The journey of issue 13's joint products (approvals, H5): staff submit a joint
campaign, the partner's approver opens the emailed link and approves, our approver
approves, a colleague verifies and publishes, and the public credit page shows each
partner's contribution (axe-core on every page)."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from _products_support import PASSWORD, tokens, world
from commonground.partnerships import services_products as svc

from .conftest import log_in, open_from_nav


@pytest.fixture
def campaign(association, settings, app_server):
    settings.SITE_URL = app_server.url  # the emailed links point at this server
    with scope(association=association):
        w = world(association)
        # A partnership of two: us and the device maker (the agency left).
        w.agency.left_on = w.agency.joined_on
        w.agency.save()
        product = svc.joint_product_create(
            association=association, partnership=w.partnership, name="Know your pulse",
            kind="campaign", description="Posters and a week of free checks.", actor=w.other)
    return w, product


def test_submit_partner_approves_by_link_we_approve_verify_publish_credit_page(
        page, axe_check, association, campaign, smtp_server):
    w, product = campaign
    log_in(page, axe_check, w.other.email, PASSWORD)
    open_from_nav(page, axe_check, "Joint products", "Joint products")
    page.get_by_role("link", name="Know your pulse").click()
    expect(page.get_by_role("heading", level=1, name="Know your pulse")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted: every partner's approvers")).to_be_visible()
    axe_check(page)
    link = tokens(smtp_server.wait_for(1))[w.maker_approver.email]
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)

    # The partner's approver, not logged in, opens the emailed link.
    page.goto(f"/partners/{association.slug}/approve/{link}/")
    expect(page.get_by_role("heading", level=1, name="Approve “Know your pulse”")).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Send my decision").click()
    expect(page.get_by_role("heading", level=1, name="Thank you, Max Maker")).to_be_visible()
    axe_check(page)

    # Our approver signs in the staff pages.
    log_in(page, axe_check, w.approver.email, PASSWORD)
    open_from_nav(page, axe_check, "Joint products", "Joint products")
    page.get_by_role("region", name="Waiting for your approval") \
        .get_by_role("link", name="Know your pulse").click()
    axe_check(page)
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_text("Approved by every partner")).to_be_visible()
    axe_check(page)
    page.get_by_label("Verification notes: what you checked").fill("Facts and logos checked")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Verified: it can be published.")).to_be_visible()
    axe_check(page)
    for party, text in (("Acme Society", "Campaign design"),
                        ("Pulse Devices Ltd", "Printing and distribution")):
        page.get_by_label("Party").select_option(label=party)
        page.get_by_label("Their contribution, as the public page says it").fill(text)
        page.get_by_role("button", name="Save the credit").click()
        expect(page.get_by_text("Credit saved.")).to_be_visible()
        axe_check(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: its public credit page is live.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="/credits/know-your-pulse/").click()

    # The public credit page, no login needed.
    expect(page.get_by_role("heading", level=1, name="Know your pulse")).to_be_visible()
    expect(page.get_by_role("row", name="Pulse Devices Ltd")).to_contain_text(
        "Printing and distribution")
    axe_check(page)
