"""The plan's API as a client uses it: a plan, the board's answers in versions, goals,
objectives with a KPI and their progress, comments; refusals by side are 403, bad KPI
definitions 422 with the field, other tenants' ids 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from _api_support import ApiClient
from _plan_support import FLOW, build_world
from commonground.planning.models import Objective
from commonground.tenancy.services import api_token_create


@pytest.fixture
def world(scoped):
    return build_world(scoped)


def client_for(world, user) -> ApiClient:
    with scope(association=world.association):
        return ApiClient(api_token_create(association=world.association, user=user,
                                          name="tests"))


def test_plan_answers_goals_objectives_and_comments(world):
    w = world
    admin, board, business = (client_for(w, u) for u in (w.admin, w.board, w.business))
    plans = admin.get("/planning/plans").json()["items"]
    assert [p["name"] for p in plans] == ["Plan 2027"]
    pid = plans[0]["id"]
    for text in ("To train nurses.", "To train and represent nurses."):
        r = board.post(f"/planning/plans/{pid}/answers", {"question": "founded", "text": text})
        assert r.status_code == 201, r.content
    assert r.json()["version"] == 2
    versions = admin.get(f"/planning/plans/{pid}/answers", {"question": "founded"}).json()
    assert [v["version"] for v in versions] == [2, 1]

    assert business.post("/planning/goals", {"strategic_plan_id": pid, "title": "x",
                                             "deadline": str(w.today)}).status_code == 403
    goal = admin.post("/planning/goals", {"strategic_plan_id": pid, "title": "Volunteers",
                                          "deadline": str(w.today + timedelta(days=90))},
                      headers={"Idempotency-Key": "g1"})
    assert goal.status_code == 201
    again = admin.post("/planning/goals", {"strategic_plan_id": pid, "title": "Volunteers",
                                           "deadline": str(w.today + timedelta(days=90))},
                       headers={"Idempotency-Key": "g1"})
    assert again.json()["id"] == goal.json()["id"]
    gid = goal.json()["id"]

    body = {"goal_id": gid, "title": "New people", "metric": FLOW.key, "target": "20",
            "deadline": str(w.today + timedelta(days=60)),
            "owners": [{"email": w.mission.email, "side": "mission"},
                       {"email": w.business.email, "side": "business"}]}
    created = business.post("/planning/objectives", body)
    assert created.status_code == 201, created.content
    o = created.json()
    assert o["sides"] == ["business", "mission"] and o["progress"]["state"] == "not_started"
    assert o["metric_label"] == "People added (test)" and len(o["owners"]) == 2
    patched = business.patch(f"/planning/objectives/{o['id']}", {"target": "30"})
    assert patched.status_code == 200 and patched.json()["target"] == "30.00"
    assert patched.json()["owners"] == o["owners"]

    tree = board.get("/planning/plans/current").json()
    assert tree["answers"][0]["text"] == "To train and represent nurses."
    assert [g["title"] for g in tree["goals"]] == ["+10 % members", "Volunteers"]
    assert tree["goals"][1]["objectives"][0]["title"] == "New people"
    assert board.patch(f"/planning/objectives/{o['id']}", {"title": "x"}).status_code == 403

    c = board.post("/planning/comments", {"subject": "objective", "subject_id": o["id"],
                                          "body": "Why only 30?"})
    assert c.status_code == 201 and c.json()["author"] == w.board.email
    listed = admin.get("/planning/comments", {"subject": "objective",
                                              "subject_id": o["id"]}).json()["items"]
    assert [x["body"] for x in listed] == ["Why only 30?"]
    assert board.post("/planning/comments", {"subject": "goal", "subject_id": 999_999,
                                             "body": "x"}).status_code == 404

    done = business.post(f"/planning/objectives/{o['id']}/status", {"status": "dropped"})
    assert done.json()["status"] == "dropped"
    assert admin.delete(f"/planning/goals/{gid}").status_code == 422  # it has an objective


def test_bad_kpi_definitions_are_422_with_the_field(world):
    w = world
    api = client_for(w, w.business)
    base = {"goal_id": w.goal.pk, "title": "Joins", "metric": FLOW.key, "target": "5",
            "deadline": str(w.today + timedelta(days=30)), "sides": ["business"]}
    for change, field, words in [
            ({"metric": "nope.nothing"}, "metric", "unknown metric"),
            ({"filters": {"colour": "red"}}, "filters.colour", "takes no filter"),
            ({"filters": {"chapter": "Mars"}}, "filters.chapter", "Mars"),
            ({"deadline": str(w.today - timedelta(days=1))}, "deadline", "in the past"),
            ({"owners": [{"email": w.board.email, "side": "business"}]}, "owners",
             "not on the business side")]:
        r = api.post("/planning/objectives", {**base, **change})
        assert r.status_code == 422, (change, r.content)
        assert words in " ".join(r.json()["fields"][field]), r.json()
    assert api.post("/planning/objectives", {**base, "target": "abc"}).status_code == 422
    assert not Objective.objects.exists()
    flagged = api.get("/planning/objectives/flagged")
    assert flagged.status_code == 200 and flagged.json() == []
