"""Staff journeys: log in, find a member by search and filters, open the profile, renew."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from commonground.activity.models import Activity, Source
from commonground.membership import lifecycle
from commonground.membership import services as ms
from commonground.membership.models import Membership
from commonground.people import services as ps

from .conftest import log_in_staff, open_from_nav


@pytest.fixture
def members(association, staff_user):
    """Three people: the one to find is the only active Individual whose name matches."""
    with scope(association=association):
        individual = ms.plan_save(association=association, name="Individual", price="120.00")
        student = ms.plan_save(association=association, name="Student", price="30.00")
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org")
        ms.membership_join(association=association, plan=individual, person=ann)
        # Same plan, same name fragment, but lapsed long ago: the status filter drops her.
        old = ps.person_create(association=association, first_name="Arch", last_name="Oldham",
                               email="arch.old@example.org")
        ms.membership_join(association=association, plan=individual, person=old,
                           joined_on=timezone.localdate() - timedelta(days=800))
        # Matches the search, active, but on another plan: the plan filter drops him.
        bob = ps.person_create(association=association, first_name="Bob", last_name="Archibald",
                               email="bob@example.org")
        ms.membership_join(association=association, plan=student, person=bob)
        ms.memberships_advance(association=association)
        # Some activity, so the profile shows its timeline and per-category charts too.
        web = Source.objects.create(association=association, slug="web", name="Website")
        now = timezone.now()
        for i, (kind, category, amount) in enumerate([
                ("page_view", "web", None), ("download", "web", None),
                ("order", "commerce", Decimal("45.00")), ("event_attended", "community", None)]):
            Activity.objects.create(association=association, person=ann, source=web, kind=kind,
                                    category=category, occurred_at=now - timedelta(days=3 * i + 1),
                                    amount=amount, currency="USD" if amount else "",
                                    external_id=f"w{i}")
    return {"ann": ann}


def test_staff_login_lands_on_the_dashboard(page, axe_check, association, staff_user):
    log_in_staff(page, axe_check)
    expect(page.get_by_role("heading", level=1, name="Acme Society")).to_be_visible()
    expect(page.get_by_role("heading", name="Memberships by status")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for section in ("Members", "Data", "Settings"):
        expect(nav.get_by_text(section, exact=True)).to_be_visible()
    nav.get_by_text("Members", exact=True).click()  # a section opens like a menu
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    axe_check(page)


def test_find_a_member_open_the_profile_and_renew(page, axe_check, association, members):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "People", "People")

    search = page.get_by_role("search", name="Find people")
    results = page.get_by_role("table", name=re.compile("^People"))
    search.get_by_label("Name or email").fill("arch")  # HTMX searches as one types
    expect(results.get_by_role("row")).to_have_count(1 + 3)  # header + three matches
    search.get_by_label("Plan").select_option(label="Individual")
    expect(results.get_by_role("row")).to_have_count(1 + 2)
    search.get_by_label("Status").select_option(label="Active")
    expect(results.get_by_role("row")).to_have_count(1 + 1)
    expect(page.get_by_text("1 person matches")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=arch.*status=active"))  # the filtered list is a link
    axe_check(page)

    results.get_by_role("link", name="Archer, Ann").click()
    expect(page.get_by_role("heading", level=1, name="Ann Archer")).to_be_visible()
    expect(page.get_by_text("Event attended").first).to_be_visible()  # the activity timeline
    axe_check(page)

    with scope(association=association):
        before = Membership.objects.get(person=members["ann"])
    _, new_end = lifecycle.next_term(before.ends_on, before.plan.term_months)
    card = page.get_by_role("article", name=re.compile("^Individual"))
    expect(card).to_contain_text(f"– {before.ends_on:%-d %b %Y}.")
    card.get_by_role("button", name="Renew").click()
    expect(page.get_by_role("status").filter(has_text="Renewed until")).to_contain_text(
        f"Renewed until {new_end:%d %b %Y}")
    card = page.get_by_role("article", name=re.compile("^Individual"))
    expect(card).to_contain_text(f"– {new_end:%-d %b %Y}.")
    expect(card.get_by_role("table", name="Terms").get_by_role("row")).to_have_count(1 + 2)
    axe_check(page)
    with scope(association=association):
        assert Membership.objects.get(pk=before.pk).ends_on == new_end
