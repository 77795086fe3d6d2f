"""The opportunities API: post, page, patch, ranked candidates, invite and move on, garbage
answered with field messages, idempotent writes, another association's ids are 404s."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token, walk
from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.opportunities import matching
from commonground.people.services import person_create


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


@pytest.fixture
def data(association):
    with scope(association=association):
        skill = Trait.objects.create(association=association, kind="skill", slug="surgery",
                                     name="Surgery")
        mot = Trait.objects.create(association=association, kind="motivation",
                                   slug="giving_back", name="Giving back")
        ann = person_create(association=association, first_name="Ann", email="ann@example.org")
        MemberTrait.objects.create(association=association, person=ann, trait=skill,
                                   source="member", strength=5)
        MemberTrait.objects.create(association=association, person=ann, trait=mot,
                                   source="member", strength=4)
    matching.clear_cache()
    return {"skill": skill, "mot": mot, "ann": ann}


def test_post_rank_invite_complete(api, data, association):
    body = {"type": "mentor", "title": "Mentor a surgeon", "required_skills": [data["skill"].pk],
            "motivations": [data["mot"].pk], "status": "open", "effort_hours": "4.5"}
    r = api.post("/opportunities", body, headers={"Idempotency-Key": "k1"})
    assert r.status_code == 201, r.content
    opp = r.json()
    assert opp["required_skills"] == [data["skill"].pk] and opp["effort_hours"] == "4.50"
    again = api.post("/opportunities", body, headers={"Idempotency-Key": "k1"})
    assert again.json()["id"] == opp["id"] and again["Idempotent-Replayed"] == "true"
    assert [o["id"] for o in walk(api, "/opportunities")] == [opp["id"]]
    r = api.patch(f"/opportunities/{opp['id']}", {"capacity": 2})
    assert r.status_code == 200 and r.json()["capacity"] == 2
    assert r.json()["required_skills"] == [data["skill"].pk]  # untouched fields stay

    cands = api.get(f"/opportunities/{opp['id']}/candidates", {"limit": 5}).json()
    top = cands["candidates"][0]
    assert top["person_id"] == data["ann"].pk and "wants to give back" in top["reasons"]
    assert "no mentoring experience yet" in top["gaps"]

    r = api.post(f"/opportunities/{opp['id']}/invitations", {"person_id": data["ann"].pk})
    assert r.status_code == 201 and r.json()["status"] == "invited"
    inv = r.json()["id"]
    assert api.post(f"/invitations/{inv}", {"action": "complete"}).status_code == 409
    assert api.post(f"/invitations/{inv}", {"action": "accept"}).json()["status"] == "accepted"
    done = api.post(f"/invitations/{inv}", {"action": "complete"}).json()
    assert done["status"] == "completed"
    with scope(association=association):
        c = Contribution.objects.get(pk=done["contribution_id"])
    assert (c.status, c.origin_ref) == ("submitted", f"opportunity:{inv}")
    listed = api.get(f"/opportunities/{opp['id']}/invitations").json()["items"]
    assert [i["status"] for i in listed] == ["completed"]


def test_garbage_is_a_422_with_field_messages(api, data):
    r = api.post("/opportunities", {"type": "juggler", "title": "x" * 300, "capacity": 0,
                                    "surprise": 1})
    assert r.status_code == 422
    assert {"type", "title", "capacity", "surprise"} <= set(r.json()["fields"])
    r = api.post("/opportunities", {"type": "mentor", "title": "T", "effort_hours": "lots",
                                    "motivations": [data["skill"].pk]})
    assert r.status_code == 422 and {"effort_hours", "motivations"} <= set(r.json()["fields"])
    assert api.post("/opportunities", raw="{not json").status_code == 400
    assert api.get("/opportunities", {"cursor": "garbage"}).status_code == 422
    assert api.post("/invitations/1", {"action": "teleport"}).status_code == 422


def test_other_associations_ids_are_404(api, data, other_association):
    with scope(association=other_association):
        from commonground.opportunities.services import opportunity_save  # in their scope

        theirs = opportunity_save(association=other_association, type="mentor", title="Theirs",
                                  status="open")
        stranger = person_create(association=other_association, first_name="Zed")
    assert api.get(f"/opportunities/{theirs.pk}").status_code == 404
    assert api.get(f"/opportunities/{theirs.pk}/candidates").status_code == 404
    mine = api.post("/opportunities", {"type": "mentor", "title": "Mine", "status": "open"}).json()
    r = api.post(f"/opportunities/{mine['id']}/invitations", {"person_id": stranger.pk})
    assert r.status_code == 404
