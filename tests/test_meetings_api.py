"""The meetings API: schedule (both sides or a 422), draft the agenda, minutes, circulate,
action items, the caller's inbox and the manual with versions and diffs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from _api_support import ApiClient
from _meetings_support import build_world, schedule
from commonground.negotiation import services
from commonground.tenancy.services import api_token_create


@pytest.fixture
def w(association):
    with scope(association=association):
        return build_world(association)


@pytest.fixture
def api(w):
    with scope(association=w.association):
        return ApiClient(api_token_create(association=w.association, user=w.business, name="t"))


def test_meeting_lifecycle_over_the_api(w, api, django_capture_on_commit_callbacks):
    day = (w.today - timedelta(days=1)).isoformat()
    body = {"title": "Regulation meeting", "starts_at": f"{day}T10:00:00",
            "participants": [{"user_id": w.business.pk, "side": "business"}]}
    refused = api.post("/meetings", body)
    assert refused.status_code == 422
    assert refused.json()["fields"]["participants"] == [
        "a meeting needs both sides: add someone from the mission side"]
    body["participants"].append({"user_id": w.mission.pk, "side": "mission"})
    made = api.post("/meetings", body, headers={"Idempotency-Key": "m1"})
    assert made.status_code == 201
    again = api.post("/meetings", body, headers={"Idempotency-Key": "m1"})
    assert again.json()["id"] == made.json()["id"]
    mid = made.json()["id"]
    drafted = api.post(f"/meetings/{mid}/agenda/draft")
    assert drafted.status_code == 200
    assert [i["origin_key"] for i in drafted.json()["added"]] == [f"objective:{w.behind.pk}"]
    assert api.post(f"/meetings/{mid}/agenda/draft").json()["added"] == []
    item = api.post(f"/meetings/{mid}/agenda", {"title": "Course pricing"}).json()
    assert item["origin"] == "manual"
    action = api.post("/action-items", {"title": "Ask the chapters", "owner_id": w.mission.pk,
                                        "due_on": w.today.isoformat(), "meeting_id": mid})
    assert action.status_code == 201, action.content
    assert api.post("/action-items", {"title": "x", "owner_id": w.board.pk,
                                      "due_on": w.today.isoformat()}).status_code == 422
    minutes = api.post(f"/meetings/{mid}/minutes", {"minutes": "Agreed to disagree.",
                                                     "notes": {str(item["id"]): "Later."}})
    assert minutes.status_code == 200 and minutes.json()["status"] == "held"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/meetings/{mid}/circulate").json() == {"sent": 3}
    assert api.post(f"/meetings/{mid}/circulate").json() == {"sent": 0}
    detail = api.get(f"/meetings/{mid}").json()
    assert detail["status"] == "circulated" and len(detail["agenda"]) == 2
    assert detail["action_items"][0]["title"] == "Ask the chapters"
    assert api.get("/meetings", {"when": "past"}).json()["items"][0]["id"] == mid
    inbox = api.get("/inbox", {"unread": True}).json()["items"]
    assert [m["kind"] for m in inbox] == ["minutes"]
    assert api.post("/inbox/read", {}).json() == {"marked": 1}
    done = api.post(f"/action-items/{action.json()['id']}/done")
    assert done.json()["status"] == "done"
    assert api.get("/action-items").json()["items"] == []


def test_manual_over_the_api(w, api):
    page = api.post("/manual", {"title": "Pricing new offerings"})
    assert page.status_code == 201
    pid = page.json()["id"]
    assert api.post(f"/manual/{pid}/revisions", {"body": "One.\nTwo."}).status_code == 201
    refused = api.post(f"/manual/{pid}/revisions", {"body": "One.\nThree.", "summary": "x"})
    assert refused.status_code == 422 and "meeting" in refused.json()["fields"]
    with scope(association=w.association):
        held = schedule(w, days=-2)
        services.minutes_record(association=w.association, meeting=held, minutes="Yes",
                                actor=w.business)
    ok = api.post(f"/manual/{pid}/revisions", {"body": "One.\nThree.", "summary": "Three",
                                               "meeting_id": held.pk})
    assert ok.status_code == 201 and ok.json()["version"] == 2
    diff = api.get(f"/manual/{pid}/diff").json()
    assert {"op": "-", "text": "Two."} in diff and {"op": "+", "text": "Three."} in diff
    assert api.get(f"/manual/{pid}/diff", {"from": 9}).status_code == 422
    assert api.get(f"/manual/{pid}").json()["current"]["meeting_id"] == held.pk
