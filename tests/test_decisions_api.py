"""The decisions and forms API: propose, sign with each side's token, the price applied;
clear 4xx messages; hidden positions masked; forms need both inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from _api_support import ApiClient
from _decisions_support import PRICE_OPTIONS, course, people
from commonground.tenancy.services import api_token_create


@pytest.fixture
def world(association):
    with scope(association=association):
        staff = people(association)
        offering = course(association)
        tokens = {k: api_token_create(association=association, user=getattr(staff, k))
                  for k in ("mission", "business", "board", "mission2")}
    return staff, offering, {k: ApiClient(t) for k, t in tokens.items()}


def _pricing(api) -> int:
    types = api.get("/decision-types").json()["items"]
    return next(t["id"] for t in types if t["key"] == "pricing")


def test_propose_and_sign_over_the_api(association, world):
    staff, offering, api = world
    body = {"decision_type_id": _pricing(api["business"]), "title": "Course price",
            "offering_id": offering.pk, "options": PRICE_OPTIONS}
    made = api["business"].post("/decisions", body, headers={"Idempotency-Key": "p-1"})
    assert made.status_code == 201, made.content
    again = api["business"].post("/decisions", body, headers={"Idempotency-Key": "p-1"})
    assert again.json()["id"] == made.json()["id"]  # replayed, not a second lock
    d = made.json()
    assert d["waiting_for"] == ["mission", "business"] and d["status"] == "open"
    one_price = next(o["id"] for o in d["options"] if o["label"] == "One price")
    path = f"/decisions/{d['id']}/positions"
    wrong = api["business"].post(path, {"side": "mission", "stance": "agree",
                                        "option_id": one_price, "reason": "x"})
    assert wrong.status_code == 403 and "not on the mission side" in wrong.json()["detail"]
    board = api["board"].post(path, {"side": "business", "stance": "agree",
                                     "option_id": one_price, "reason": "x"})
    assert board.status_code == 403
    no_reason = api["business"].post(path, {"side": "business", "stance": "agree",
                                            "option_id": one_price, "reason": " "})
    assert no_reason.status_code == 422 and no_reason.json()["fields"] == {"reason": ["required"]}
    ok = api["business"].post(path, {"side": "business", "stance": "agree",
                                     "option_id": one_price, "reason": "Covers the costs"})
    assert ok.status_code == 201
    twice = api["business"].post(path, {"side": "business", "stance": "agree",
                                        "option_id": one_price, "reason": "again"})
    assert twice.status_code == 422 and "already signed" in twice.json()["detail"]
    waiting = api["mission"].get("/decisions", {"status": "open"}).json()["items"]
    assert waiting[0]["waiting_for"] == ["mission"]
    api["mission"].post(path, {"side": "mission", "stance": "agree", "option_id": one_price,
                               "reason": "Fair"})
    done = api["mission"].get(f"/decisions/{d['id']}").json()
    assert done["status"] == "approved" and done["chosen_option_id"] == one_price
    assert done["effect_applied_at"] is not None
    offering.refresh_from_db()
    assert (offering.price_decision, offering.non_member_price) == ("non_member_price",
                                                                     Decimal("60.00"))
    reopen = api["business"].post(f"/decisions/{d['id']}/reopen", {"reason": "again"})
    assert reopen.status_code == 422


def test_bad_proposals_name_the_fields(association, world):
    _, offering, api = world
    bad = api["business"].post("/decisions", {
        "decision_type_id": _pricing(api["business"]), "title": "Course price",
        "offering_id": offering.pk,
        "options": [{"label": "Cheap", "price_decision": "member_price", "member_price": "99",
                     "non_member_price": "10"}]})
    assert bad.status_code == 422 and "options.0.member_price" in bad.json()["fields"]
    missing = api["business"].post("/decisions", {"decision_type_id": 10**9, "title": "X"})
    assert missing.status_code == 404


def test_hidden_positions_are_masked_and_close_unlocks(association, world):
    staff, offering, api = world
    d = api["business"].post("/decisions", {
        "decision_type_id": _pricing(api["business"]), "title": "Course price",
        "offering_id": offering.pk, "options": PRICE_OPTIONS, "hidden_positions": True}).json()
    api["mission"].post(f"/decisions/{d['id']}/positions", {
        "side": "mission", "stance": "disagree", "reason": "Volunteers teach it"})
    seen = api["mission2"].get(f"/decisions/{d['id']}/positions").json()
    assert seen[0]["stance"] is None and seen[0]["reason"] is None
    own = api["mission"].get(f"/decisions/{d['id']}/positions").json()
    assert own[0]["reason"] == "Volunteers teach it"
    summary = api["mission2"].get(f"/decisions/{d['id']}").json()
    assert [s["signed"] for s in summary["sides"]] == [1, 0]
    assert summary["sides"][0]["signed_off"] is None
    closed = api["business"].post(f"/decisions/{d['id']}/close",
                                  {"status": "rejected", "outcome": "Not now"})
    assert closed.status_code == 200 and closed.json()["status"] == "rejected"
    offering.refresh_from_db()
    assert offering.price_locked_by == "" and offering.member_price == Decimal("40.00")
    revealed = api["mission2"].get(f"/decisions/{d['id']}/positions").json()
    assert revealed[0]["reason"] == "Volunteers teach it"


def test_types_and_forms_over_the_api(association, world):
    staff, _, api = world
    t = api["business"].post("/decision-types", {"name": "Hiring", "quorum_mission": 2})
    assert t.status_code == 201 and t.json()["quorum_mission"] == 2
    assert api["mission"].post("/decision-types", {"name": "Nope"}).status_code == 403
    patched = api["business"].patch(f"/decision-types/{t.json()['id']}", {"quorum_business": 0})
    assert patched.json()["quorum_business"] == 0
    f = api["business"].post("/forms", {"kind": "schedule", "title": "Spring rota",
                                        "period_start": "2027-03-01",
                                        "period_end": "2027-05-31"})
    assert f.status_code == 201, f.content
    fid = f.json()["id"]
    early = api["business"].post(f"/forms/{fid}/complete", {"summary": "Agreed"})
    assert early.status_code == 422 and "Waiting for the mission" in early.json()["detail"]
    api["business"].post(f"/forms/{fid}/inputs", {"side": "business", "body": "Supervisors",
                                                  "data": {"slots": ["Mon 9-12"]}})
    api["mission"].post(f"/forms/{fid}/inputs", {"side": "mission", "body": "Counsellors"})
    done = api["mission"].post(f"/forms/{fid}/complete", {"summary": "Agreed rota"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert [i["side"] for i in done.json()["inputs"]] == ["business", "mission"]
    bad = api["business"].post("/forms", {"kind": "appraisal", "title": "A",
                                          "subject_user_email": "nobody@example.org"})
    assert bad.status_code == 422 and "subject_user_email" in bad.json()["fields"]
