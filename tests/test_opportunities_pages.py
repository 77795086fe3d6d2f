"""Staff and member pages: post an opportunity, ranked candidates with reasons and gaps,
invite, the member sees it suggested / invited and answers; another association's
opportunity is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from commonground.engagement.models import MemberTrait, Trait
from commonground.opportunities import matching, services
from commonground.opportunities.models import Invitation, Opportunity
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant


@pytest.fixture
def setup(association):
    with scope(association=association):
        vis = Trait.objects.create(association=association, kind="motivation",
                                   slug="visibility_reputation", name="Visibility & reputation")
        skill = Trait.objects.create(association=association, kind="skill", slug="equine-dentistry",
                                     name="Equine dentistry", synonyms=["horse teeth"])
        ann = ps.person_create(association=association, first_name="Ann", last_name="Archer",
                               email="ann@example.org")
        for t, n in ((vis, 5), (skill, 4)):
            MemberTrait.objects.create(association=association, person=ann, trait=t,
                                       source="member", strength=n)
        user, _ = portal_access_grant(association=association, person=ann)
    matching.clear_cache()
    return {"vis": vis, "skill": skill, "ann": ann, "user": user}


def url(name, **kw):
    return reverse(name, kwargs={"association": "acme", **kw})


def test_staff_post_rank_and_invite(staff_client, setup, association):
    response = staff_client.post(url("opportunity_create"), {
        "type": "speaker", "title": "Spring conference talk", "description": "Horse teeth",
        "required_skills": [setup["skill"].pk], "motivations": [setup["vis"].pk],
        "capacity": "1", "status": "open"})
    assert response.status_code == 302
    with scope(association=association):
        opp = Opportunity.objects.get()
    page = staff_client.get(url("opportunity_candidates", opportunity_id=opp.pk)).content.decode()
    assert "Ann Archer" in page and "wants visibility" in page
    assert "no speaking experience yet" in page  # the gap is shown, not hidden
    response = staff_client.post(url("opportunity_invite", opportunity_id=opp.pk),
                                 {"person_id": setup["ann"].pk})
    assert response.status_code == 302
    with scope(association=association):
        inv = Invitation.objects.get()
    assert inv.status == "invited" and "wants visibility" in inv.reasons
    detail = staff_client.get(url("opportunity_detail", opportunity_id=opp.pk)).content.decode()
    assert "Invited" in detail and "Withdraw" in detail
    assert staff_client.get(url("opportunity_list")).status_code == 200
    assert staff_client.get(url("opportunity_edit", opportunity_id=opp.pk)).status_code == 200


def test_staff_form_garbage_shows_field_errors(staff_client, setup):
    response = staff_client.post(url("opportunity_create"), {
        "type": "speaker", "title": "Talk", "capacity": "0", "effort_hours": "lots",
        "status": "open"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "between 1 and 1000" in page and "not a number of hours" in page


def test_member_sees_suggestion_raises_hand_then_accepts(client, setup, association):
    with scope(association=association):
        opp = services.opportunity_save(association=association, type="article",
                                        title="Article on horse teeth",
                                        required_skills=[setup["skill"]],
                                        motivations=[setup["vis"]], status="open")
    client.force_login(setup["user"])
    purl = lambda name, **kw: reverse(f"portal:{name}", kwargs={"association": "acme", **kw})  # noqa: E731
    page = client.get(purl("opportunities")).content.decode()
    assert "Article on horse teeth" in page and "you want visibility" in page
    assert client.post(purl("opportunity_interest", opportunity_id=opp.pk)).status_code == 302
    with scope(association=association):
        assert Invitation.objects.get().status == "interested"
        services.invitation_advance(association=association, opportunity=opp,
                                    person=setup["ann"], event="invite")
    detail = client.get(purl("opportunity_detail", opportunity_id=opp.pk)).content.decode()
    assert "Your answer" in detail
    client.post(purl("opportunity_respond", opportunity_id=opp.pk), {"decision": "accept"})
    with scope(association=association):
        assert Invitation.objects.get().status == "accepted"
    # Garbage answer: a message, nothing changes, never a 500.
    response = client.post(purl("opportunity_respond", opportunity_id=opp.pk),
                           {"decision": "maybe"})
    assert response.status_code == 302


def test_other_associations_opportunity_is_a_404(staff_client, setup, other_association):
    with scope(association=other_association):
        theirs = services.opportunity_save(association=other_association, type="mentor",
                                           title="Theirs", status="open")
    for name in ("opportunity_detail", "opportunity_candidates", "opportunity_edit"):
        assert staff_client.get(url(name, opportunity_id=theirs.pk)).status_code == 404
    assert staff_client.post(url("opportunity_invite", opportunity_id=theirs.pk),
                             {"person_id": setup["ann"].pk}).status_code == 404


def test_profile_panel_lists_invitations(staff_client, setup, association):
    with scope(association=association):
        opp = services.opportunity_save(association=association, type="mentor",
                                        title="Mentor a newcomer", status="open")
        services.invitation_advance(association=association, opportunity=opp,
                                    person=setup["ann"], event="invite")
    page = staff_client.get(url("person_detail", person_id=setup["ann"].pk)).content.decode()
    assert "Mentor a newcomer" in page
