"""The engagement API: taxonomies, traits, outcomes, contributions (verify/reject), groups —
field messages for garbage, 404 across associations, idempotent writes."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.engagement import services
from commonground.engagement.models import Contribution, Outcome
from commonground.people import services as ps


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


@pytest.fixture
def ann(association):
    with scope(association=association):
        return ps.person_create(association=association, first_name="Ann", email="ann@example.org")


@pytest.fixture
def stranger(other_association):
    with scope(association=other_association):
        return ps.person_create(association=other_association, first_name="Zed",
                                email="zed@example.org")


def test_traits_list_create_patch_and_person_traits(api, ann):
    listed = api.get("/traits", {"kind": "motivation", "limit": 200}).json()["items"]
    slugs = {t["slug"] for t in listed if t["framework"] == "seed003"}
    assert "giving_back" in slugs and len(slugs) == 7
    made = api.post("/traits", {"kind": "skill", "name": "Equine dentistry",
                                "synonyms": ["Horse teeth"]})
    assert made.status_code == 201 and made.json()["synonyms"] == ["horse teeth"]
    tid = made.json()["id"]
    assert api.post("/traits", {"kind": "hobby", "name": "x"}).status_code == 422
    put = api.send("PUT", f"/people/{ann.pk}/traits", {"kind": "skill", "answers": {str(tid): 4}})
    assert put.status_code == 200, put.content
    assert [(t["slug"], t["strength"], t["source"]) for t in put.json()] == [
        ("equine_dentistry", 4, "staff")]
    # Deactivated: no longer offered, but those who hold it keep it.
    assert api.patch(f"/traits/{tid}", {"is_active": False}).json()["is_active"] is False
    again = api.send("PUT", f"/people/{ann.pk}/traits", {"kind": "skill",
                                                         "answers": {str(tid): 3}})
    assert again.status_code == 200 and again.json()[0]["strength"] == 3
    bad = api.send("PUT", f"/people/{ann.pk}/traits", {"kind": "skill", "answers": {"x": 9}})
    assert bad.status_code == 422 and bad.json()["fields"]


def test_outcomes_crud_and_garbage(api, ann, association):
    body = {"person_id": ann.pk, "kind": "client_won", "title": "Won Acme Corp",
            "occurred_on": "2026-01-10"}
    made = api.post("/outcomes", body, headers={"Idempotency-Key": "o1"})
    again = api.post("/outcomes", body, headers={"Idempotency-Key": "o1"})
    assert made.status_code == 201 and again.json()["id"] == made.json()["id"]
    with scope(association=association):
        assert Outcome.objects.count() == 1
    oid = made.json()["id"]
    assert api.patch(f"/outcomes/{oid}", {"title": "Won Acme"}).json()["title"] == "Won Acme"
    assert api.patch(f"/outcomes/{oid}", {"title": None}).status_code == 422
    for garbage in ({**body, "kind": "lottery"}, {**body, "occurred_on": "2026-13-40"},
                    {**body, "occurred_on": "2999-01-01"}, {**body, "title": ""},
                    {**body, "person_id": "x"}, {**body, "via_person_id": ann.pk}):
        r = api.post("/outcomes", garbage)
        assert r.status_code == 422, (garbage, r.content)
        assert r.json()["fields"]
    assert api.get("/outcomes", {"person": ann.pk}).json()["items"][0]["id"] == oid
    assert api.delete(f"/outcomes/{oid}").status_code == 204


def test_contributions_verify_reject_and_queue(api, ann, association):
    made = api.post("/contributions", {"person_id": ann.pk, "kind": "talk", "title": "Keynote",
                                       "occurred_on": "2026-02-01", "hours": 1.5})
    assert made.status_code == 201, made.content
    c = made.json()
    assert c["status"] == "submitted" and c["hours"] == "1.50" and c["origin"] == "staff"
    queue = api.get("/contributions", {"status": "submitted"}).json()["items"]
    assert [x["id"] for x in queue] == [c["id"]]
    assert api.post(f"/contributions/{c['id']}/reject", {"reason": ""}).status_code == 422
    v = api.post(f"/contributions/{c['id']}/verify")
    assert v.status_code == 200 and v.json()["status"] == "verified"
    r = api.post(f"/contributions/{c['id']}/reject", {"reason": "Was cancelled"})
    assert r.json()["status"] == "rejected" and r.json()["rejection_reason"] == "Was cancelled"
    assert api.patch(f"/contributions/{c['id']}", {"title": "Opening keynote"}).json()[
        "title"] == "Opening keynote"
    for garbage in ({"hours": "-3"}, {"kind": "juggling"}, {"hours": True}, {"extra": 1}):
        r = api.post("/contributions", {"person_id": ann.pk, "kind": "talk", "title": "x",
                                        "occurred_on": "2026-02-01", **garbage})
        assert r.status_code == 422, (garbage, r.content)
    verified_now = api.post("/contributions", {"person_id": ann.pk, "kind": "article",
                                               "title": "Article", "occurred_on": "2026-02-01",
                                               "verified": True})
    assert verified_now.json()["status"] == "verified"


def test_a_staff_member_cannot_verify_their_own_via_api(association):
    token = make_token(association, email="ann@example.org")
    api = ApiClient(token)
    with scope(association=association):
        ann = ps.person_create(association=association, first_name="Ann", email="ann@example.org")
        from django.contrib.auth import get_user_model
        ann.user = get_user_model().objects.get(email="ann@example.org")
        ann.save()
        c = services.contribution_create(association=association, person=ann, kind="talk",
                                         title="My talk", occurred_on="2026-01-01",
                                         origin="member")
    r = api.post(f"/contributions/{c.pk}/verify")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    with scope(association=association):
        services.contribution_verify(association=association, contribution=c)  # the system
    # Nor may they touch it once verified.
    assert api.patch(f"/contributions/{c.pk}", {"title": "My keynote"}).status_code == 409
    with scope(association=association):
        assert Contribution.objects.get(pk=c.pk).title == "My talk"


def test_other_associations_rows_are_404(api, stranger, other_association):
    with scope(association=other_association):
        c = services.contribution_create(association=other_association, person=stranger,
                                         kind="talk", title="Theirs", occurred_on="2026-01-01",
                                         origin="member")
        g = services.group_propose(association=other_association, person=stranger,
                                   name="Their group", purpose="x")
    assert api.get(f"/contributions/{c.pk}").status_code == 404
    assert api.post(f"/contributions/{c.pk}/verify").status_code == 404
    assert api.get(f"/people/{stranger.pk}/traits").status_code == 404
    assert api.post("/outcomes", {"person_id": stranger.pk, "kind": "other", "title": "x",
                                  "occurred_on": "2026-01-01"}).status_code == 404
    assert api.post(f"/groups/{g.pk}/approve").status_code == 404


def test_groups_propose_approve_join(api, ann, association):
    made = api.post("/groups", {"person_id": ann.pk, "name": "Equine vets",
                                "purpose": "Horses, mostly"})
    assert made.status_code == 201 and made.json()["status"] == "proposed"
    gid = made.json()["id"]
    assert api.post(f"/groups/{gid}/decline", {"note": ""}).status_code == 422
    ok = api.post(f"/groups/{gid}/approve", {"forum": "Equine"})
    assert ok.json()["status"] == "approved" and ok.json()["forum"] == "Equine"
    with scope(association=association):
        bob = ps.person_create(association=association, first_name="Bob", email="bob@example.org")
    assert api.post(f"/groups/{gid}/members", {"person_id": bob.pk}).status_code == 201
    assert api.get("/groups", {"status": "approved"}).json()["items"][0]["id"] == gid


def test_a_contribution_without_hours_sent_as_null_is_stored_not_a_500(api, ann):
    # The length limit once applied to a null and raised (found by the API fuzz).
    made = api.post("/contributions", {"person_id": ann.pk, "kind": "talk", "title": "Panel",
                                       "occurred_on": "2026-02-01", "hours": None})
    assert made.status_code == 201, made.content
    assert made.json()["hours"] is None
    too_long = api.post("/contributions", {"person_id": ann.pk, "kind": "talk", "title": "T",
                                           "occurred_on": "2026-02-01", "hours": "1" * 20})
    assert too_long.status_code == 422
