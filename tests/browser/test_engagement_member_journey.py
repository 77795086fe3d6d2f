"""The member's engagement journey: say why they belong, report an outcome, submit a
contribution, see a suggested opportunity and raise a hand, then see their badge."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from commonground.engagement.models import Contribution, MemberTrait, Outcome, Trait
from commonground.engagement.services import contribution_verify, taxonomy_install_defaults
from commonground.membership import services as ms
from commonground.opportunities.models import Invitation
from commonground.opportunities.services import opportunity_save
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant
from commonground.recognition.models import Nomination
from commonground.recognition.services import nomination_decide, tiers_evaluate, tiers_install_defaults

from .conftest import log_in, open_from_nav

TALK = "Spring conference keynote on the new standard"


@pytest.fixture
def member(association, staff_user):
    with scope(association=association):
        taxonomy_install_defaults(association=association)
        tiers_install_defaults(association=association)
        plan = ms.plan_save(association=association, name="Individual", price="80")
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org")
        ms.membership_join(association=association, plan=plan, person=ann, invoice=False)
        _, password = portal_access_grant(association=association, person=ann)
        trait = {slug: pk for slug, pk in Trait.objects.values_list("slug", "pk")}
        opportunity_save(association=association, type="speaker", title=TALK, status="open",
                         required_skills=[trait["public_speaking"]],
                         motivations=[trait["visibility_reputation"]], remote=True)
    return {"person": ann, "password": password}


def test_member_says_why_reports_gives_raises_a_hand_and_sees_a_badge(page, axe_check, association,
                                                                     member, staff_user):
    ann = member["person"]
    log_in(page, axe_check, "ann@example.org", member["password"])

    # Why they belong (the survey): a main reason and a skill.
    open_from_nav(page, axe_check, "Why I belong", "Why you belong, and what you bring")
    page.get_by_label("Visibility and reputation").select_option(label="5 – a main reason")
    page.get_by_label("Public speaking").select_option(label="4")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status").filter(has_text="your answers were saved")).to_be_visible()
    axe_check(page)

    # What belonging brought them.
    open_from_nav(page, axe_check, "My outcomes", "What belonging brought you")
    page.get_by_label("What did you gain?").select_option(label="Client or business won")
    page.get_by_label("Title").fill("A client met at the chapter meetup")
    page.get_by_label("When").fill("2026-01-15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="your outcome was saved")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Your outcomes"))).to_contain_text(
        "A client met at the chapter meetup")
    axe_check(page)

    # What they gave: waits for verification.
    open_from_nav(page, axe_check, "My contributions", "My contributions")
    page.get_by_label("What did you do?").select_option(label="Mentoring")
    page.get_by_label("Title").fill("Mentored two students")
    page.get_by_label("When").fill("2026-02-01")
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.get_by_role("status").filter(has_text="waits for verification")).to_be_visible()
    axe_check(page)

    # The opportunity that fits what they just said, with the reason; they raise a hand.
    open_from_nav(page, axe_check, "Opportunities", "Opportunities")
    suggested = page.get_by_role("region", name="Suggested for you")
    expect(suggested).to_contain_text(TALK)
    expect(suggested).to_contain_text("Why we suggest it")
    suggested.get_by_role("button", name=f"I'm interested in {TALK}").click()
    expect(page.get_by_role("status").filter(has_text="staff will be in touch")).to_be_visible()
    axe_check(page)

    # Meanwhile staff verify the contribution and approve the tier the rule found.
    with scope(association=association):
        contribution_verify(association=association,
                            contribution=Contribution.objects.get(person=ann), actor=staff_user)
        tiers_evaluate(association=association)
        nomination_decide(association=association, approve=True, actor=staff_user,
                          nomination=Nomination.objects.get(person=ann, tier__slug="contributor"))

    open_from_nav(page, axe_check, "Recognition", "My recognition")
    badges = page.get_by_role("table", name=re.compile("^Badges you hold"))
    expect(badges).to_contain_text("Contributor")
    expect(badges.get_by_role("link", name="Download credential for Contributor")).to_be_visible()
    axe_check(page)

    with scope(association=association):
        assert MemberTrait.objects.filter(person=ann, source="member").count() == 2
        assert Outcome.objects.get(person=ann).kind == "client_won"
        assert Invitation.objects.get(person=ann).status == "interested"
