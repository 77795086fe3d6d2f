"""Recognition through the API and the CLI: tiers, evaluation, nominations, awards,
experts; garbage gets field messages (never a 500); another association's ids are 404."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from _cli_support import commonground
from _recognition_support import contribute, member
from commonground.recognition import services
from commonground.recognition.models import Award


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


@pytest.fixture
def people(association):
    with scope(association=association):
        services.tiers_install_defaults(association=association)
        ann, bob = member(association, "Ann"), member(association, "Bob")
        contribute(association, ann, ["talk", "article", "talk", "mentoring", "talk"])
    return {"ann": ann, "bob": bob}


def test_tiers_evaluate_nominate_approve_award_revoke(api, people):
    tiers = {t["slug"]: t for t in api.get("/tiers").json()["items"]}
    assert tiers["star"]["required_kinds"] and "including one of" in tiers["star"]["rule_text"]
    evaluation = api.post("/recognition/evaluate").json()
    assert evaluation["per_tier"]["leader"]["candidates"] == 1 and evaluation["nominated"] == 2
    pending = api.get("/nominations", {"status": "pending"}).json()["items"]
    leader = next(n for n in pending if n["tier"] == tiers["leader"]["id"])
    assert leader["source"] == "rule" and leader["evidence"]["contributions"] == 5
    approved = api.post(f"/nominations/{leader['id']}/approve", {"note": "yes"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api.post(f"/nominations/{leader['id']}/decline", {})
    assert again.status_code == 409
    awards = api.get("/awards", {"person": people["ann"].pk}).json()["items"]
    assert len(awards) == 1 and awards[0]["assertion_url"].endswith(awards[0]["uuid"])
    nominated = api.post("/nominations", {"tier": tiers["star"]["id"], "person": people["bob"].pk,
                                          "reason": "Organised the spring conference"})
    assert nominated.status_code == 201 and nominated.json()["source"] == "staff"
    key = {"Idempotency-Key": "award-bob-1"}
    first = api.post("/awards", {"tier": tiers["contributor"]["id"], "person": people["bob"].pk},
                     headers=key)
    replay = api.post("/awards", {"tier": tiers["contributor"]["id"],
                                  "person": people["bob"].pk}, headers=key)
    assert first.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["uuid"] == first.json()["uuid"]
    revoked = api.post(f"/awards/{first.json()['id']}/revoke", {"reason": "Awarded in error"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/awards", {"revoked": "true"}).json()["items"][0]["id"] == first.json()["id"]


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "description": "d", "min_contributions": 0}, "min_contributions"),
    ({"name": "X", "description": "d", "required_kinds": ["juggling"]}, "required_kinds.0"),
    ({"name": "X", "description": "d", "window_months": "soon"}, "window_months"),
    ({"name": "X"}, "description"),
    ({"name": "X", "description": "d", "colour": "red"}, "colour"),
    ({"name": "X", "description": "d", "bogus": 1}, "bogus"),
])
def test_bad_tiers_are_422_with_the_field(api, people, body, field):
    response = api.post("/tiers", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]


def test_garbage_and_other_associations_ids(api, people, other_association):
    assert api.post("/tiers", raw="{not json").status_code == 400
    assert api.post("/awards", {"tier": "x", "person": -1}).status_code == 422
    assert api.post("/awards/99999999/revoke", {"reason": "x"}).status_code == 404
    assert api.post("/nominations", {"tier": 1, "person": 1, "reason": ""}).status_code in (404, 422)
    with scope(association=other_association):
        services.tiers_install_defaults(association=other_association)
        zed = member(other_association, "Zed")
        theirs = services.award_issue(
            association=other_association, person=zed,
            tier=services.tiers_install_defaults(association=other_association)[0])
    assert api.post(f"/awards/{theirs.pk}/revoke", {"reason": "x"}).status_code == 404
    mine = api.get("/tiers").json()["items"][0]["id"]
    assert api.post("/awards", {"tier": mine, "person": zed.pk}).status_code == 404
    nomail = api.post("/awards", {"tier": mine, "person": people["bob"].pk, "narrative": 5})
    assert nomail.status_code == 422


def test_experts_through_the_api(api, people, association):
    with scope(association=association):
        profile = services.expert_profile_save(association=association, person=people["ann"],
                                               headline="Equine dentist",
                                               other_specialties="molars")
    applied = api.get("/experts", {"status": "applied"}).json()["items"]
    assert [e["headline"] for e in applied] == ["Equine dentist"]
    assert api.post(f"/experts/{profile.pk}/vet", {"status": "maybe"}).status_code == 422
    assert api.post(f"/experts/{profile.pk}/vet", {"status": "vetted"}).json()["status"] == "vetted"
    assert api.get("/experts", {"q": "molars", "status": "vetted"}).json()["items"]


def test_cli_evaluate_issue_list_revoke(people, association):
    ran = commonground("recognition", "evaluate", "--association", "acme", "--json")
    assert ran.code == 0 and ran.json()["nominated"] == 2
    assert commonground("recognition", "evaluate", "--json").code == 0  # every association
    issued = commonground("badges", "issue", "bob@example.org", "--tier", "star",
                          "--association", "acme", "--json")
    assert issued.code == 0, issued.err
    uuid = issued.json()["uuid"]
    listed = commonground("badges", "list", "--association", "acme", "--json").json()
    assert uuid in [r["uuid"] for r in listed]
    revoked = commonground("badges", "revoke", uuid, "--reason", "Test", "--association", "acme",
                           "--json")
    assert revoked.code == 0 and revoked.json()["revoked"] is True
    twice = commonground("badges", "revoke", uuid, "--reason", "Test", "--association", "acme")
    assert twice.code == 1 and "already revoked" in twice.err
    assert commonground("badges", "issue", "nobody@x.org", "--tier", "star",
                        "--association", "acme").code == 1
    assert commonground("badges", "issue", "bob@example.org", "--tier", "platinum",
                        "--association", "acme").code == 1
    assert commonground("recognition", "evaluate", "--association", "nope").code == 1
    tiers = commonground("recognition", "tiers", "--association", "acme", "--json").json()
    assert [t["slug"] for t in tiers] == ["contributor", "leader", "star"]
    with scope(association=association):
        assert Award.objects.filter(revoked_at__isnull=True).count() == 0
