"""The community manager's journey: post an opportunity, read the ranked candidates and
their reasons, invite one, verify a contribution, and read a member's score explained."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django_scopes import scope
from playwright.sync_api import expect

from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.engagement.services import taxonomy_install_defaults
from commonground.membership import services as ms
from commonground.opportunities.models import Invitation
from commonground.people import services as ps
from commonground.scoring.services import scores_recompute
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add

from .conftest import STAFF_PASSWORD, log_in, open_from_nav

TITLE = "Speaker for the spring conference"


@pytest.fixture
def community(association):
    """Bea says she is here to be seen and speaks well; Carl answered peers' questions and waits
    for that to be verified."""
    with scope(association=association):
        staff_add(association=association, email="community@acme.example.org",
                  role_key="community", password=STAFF_PASSWORD)
        taxonomy_install_defaults(association=association)
        plan = ms.plan_save(association=association, name="Individual", price="80")
        people = {}
        for first, last in (("Bea", "Baker"), ("Carl", "Cole")):
            person = ps.person_create(association=association, first_name=first, last_name=last,
                                      email=f"{first.lower()}@example.org")
            ms.membership_join(association=association, plan=plan, person=person, invoice=False)
            people[first] = person
        trait = {slug: t for slug, t in ((t.slug, t) for t in Trait.objects.all())}
        for slug, strength in (("visibility_reputation", 5), ("public_speaking", 5)):
            MemberTrait.objects.create(association=association, person=people["Bea"],
                                       trait=trait[slug], source="member", strength=strength)
        today = association_today(association)
        Contribution.objects.create(association=association, person=people["Bea"], kind="talk",
                                    title="Chapter meetup talk", status="verified",
                                    origin="member", occurred_on=today - timedelta(days=40))
        Contribution.objects.create(association=association, person=people["Carl"],
                                    kind="forum_answer", title="Answered 12 forum questions",
                                    status="submitted", origin="member",
                                    occurred_on=today - timedelta(days=5))
        scores_recompute(association=association, person_ids=[p.pk for p in people.values()])
    return people


def test_manager_posts_matches_invites_verifies_and_reads_a_score(page, axe_check, association,
                                                                 community):
    log_in(page, axe_check, "community@acme.example.org", STAFF_PASSWORD)

    # Post what the association needs.
    open_from_nav(page, axe_check, "Opportunities", "Opportunities")
    page.get_by_role("link", name="Post an opportunity").click()
    expect(page.get_by_role("heading", level=1, name="Post an opportunity")).to_be_visible()
    axe_check(page)
    page.get_by_label("Type").select_option(label="Speaker")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("group", name="Required skills").get_by_label("Public speaking").check()
    page.get_by_role("group", name="Motivations it serves").get_by_label(
        "Visibility and reputation").check()
    page.get_by_role("button", name="Save opportunity").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    axe_check(page)

    # The ranked candidates, each with the reason; invite the best.
    page.get_by_role("link", name="Ranked candidates", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"Candidates for {TITLE}")).to_be_visible()
    ranked = page.get_by_role("table", name="Ranked candidates with reasons and gaps")
    first = ranked.get_by_role("row").nth(1)
    expect(first).to_contain_text("Bea Baker")
    expect(first).to_contain_text(re.compile("visib", re.I))
    axe_check(page)
    first.get_by_role("button", name="Invite Bea Baker").click()
    expect(page.get_by_role("status").filter(has_text="Bea Baker invited")).to_be_visible()
    axe_check(page)

    # Verify what a member gave.
    open_from_nav(page, axe_check, "Contributions", "Contributions to verify")
    page.get_by_role("button", name="Verify Answered 12 forum questions").click()
    expect(page.get_by_role("status").filter(has_text="Verified")).to_be_visible()
    axe_check(page)

    # Bea's score, explained item by item.
    page.goto(f"/a/{association.slug}/people/{community['Bea'].pk}/")
    score = page.get_by_role("region", name="Engagement score")
    expect(score).to_contain_text("value created")
    expect(score.get_by_role("table", name=re.compile(r"^Why \d+: the items"))).to_contain_text(
        "talk")
    axe_check(page)

    with scope(association=association):
        assert Invitation.objects.get(person=community["Bea"]).status == "invited"
        assert Contribution.objects.get(person=community["Carl"]).status == "verified"
    assert any("bea@example.org" in m.to for m in mail.outbox)
