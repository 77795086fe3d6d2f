"""The API as a client sees it: auth, errors, pagination, idempotency, money as strings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token, walk
from commonground.membership.models import Membership, Term
from commonground.membership.services import plan_save
from commonground.people.models import Person
from commonground.people.services import person_create
from commonground.tenancy.idempotency import is_idempotent
from commonground.tenancy.models import IdempotencyRecord
from commonground.tenancy.services import api_token_revoke


@pytest.fixture
def token(association):
    return make_token(association)


@pytest.fixture
def api(token):
    return ApiClient(token)


@pytest.fixture
def plan(association):
    with scope(association=association):
        return plan_save(association=association, name="Individual", price="120.00")


# ---------------------------------------------------------------- auth

@pytest.mark.parametrize("header", [None, "Bearer", "Bearer cg_nope", "Token abc", "Basic eDp5"])
def test_missing_or_invalid_token_is_401_json(db, header):
    client = ApiClient(None)
    response = client.get("/people", headers={"Authorization": header} if header else None)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorised"
    assert client.post("/people", {"email": "x@example.org"},
                       headers={"Authorization": header} if header else None).status_code == 401


def test_revoked_token_is_401(association, token, api):
    assert api.get("/people").status_code == 200
    from commonground.tenancy.models import ApiToken
    with scope(association=association):
        t = ApiToken.objects.get(token_hash=ApiToken.hash(token))
        api_token_revoke(association=association, token_id=t.pk)
    assert api.get("/people").status_code == 401


def test_token_endpoints_create_list_revoke(api, association):
    created = api.post("/tokens", {"name": "sync"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("cg_") and body["prefix"] == body["token"][:10]
    second = ApiClient(body["token"])
    assert second.get("/people").status_code == 200
    names = [t["name"] for t in walk(api, "/tokens")]
    assert sorted(names) == ["sync", "tests"]
    assert api.delete(f"/tokens/{body['id']}").status_code == 204
    assert second.get("/people").status_code == 401
    assert api.delete(f"/tokens/{body['id']}").status_code == 204  # revoking again: no-op


def test_token_create_replay_never_reveals_the_secret(api, association):
    first = api.post("/tokens", {"name": "ci"}, headers={"Idempotency-Key": "tok-1"})
    again = api.post("/tokens", {"name": "ci"}, headers={"Idempotency-Key": "tok-1"})
    assert first.json()["token"].startswith("cg_")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["token"] is None and again.json()["id"] == first.json()["id"]
    with scope(association=association):
        stored = str(list(IdempotencyRecord.objects.values_list("response", flat=True)))
    assert first.json()["token"] not in stored


def test_openapi_and_docs_are_served_without_a_token_and_from_local_assets(db, settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = ApiClient(None)
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/people" in paths and "/api/v1/memberships/{membership_id}/renew" in paths
    post = paths["/api/v1/people"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert schema.json()["components"]["securitySchemes"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_every_write_operation_is_idempotent():
    from commonground.web.api import api as ninja_api

    writes = []
    for router_prefix, router in ninja_api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                if set(op.methods) & {"POST", "PATCH", "PUT", "DELETE"}:
                    writes.append((router_prefix + path, op))
    assert len(writes) >= 14
    missing = [p for p, op in writes if not is_idempotent(op)]
    assert not missing, f"write operations without @idempotent: {missing}"


# ---------------------------------------------------------------- people, pagination, filters

def test_people_pagination_walks_every_row_once(api, association):
    with scope(association=association):
        for i in range(53):
            person_create(association=association, first_name=f"P{i:02d}", last_name="Walker",
                          email=f"p{i}@example.org")
    items = walk(api, "/people", limit=7)
    ids = [p["id"] for p in items]
    assert len(ids) == 53 == len(set(ids))
    assert ids == sorted(ids)
    by_updated = walk(api, "/people", {"sort": "updated_at"}, limit=10)
    assert sorted(p["id"] for p in by_updated) == sorted(ids)


def test_limit_is_capped_and_bad_cursor_is_422(api, association):
    with scope(association=association):
        for i in range(3):
            person_create(association=association, last_name=f"L{i}")
    assert len(api.get("/people", {"limit": 10**9}).json()["items"]) == 3
    assert api.get("/people", {"limit": 0}).status_code == 422
    bad = api.get("/people", {"cursor": "not-a-cursor!!"})
    assert bad.status_code == 422 and "cursor" in bad.json()["fields"]
    assert api.get("/people", {"cursor": "WyJ4IiwgIjEiXQ", "sort": "updated_at"}).status_code == 422


def test_people_filters(api, association, plan):
    from commonground.membership.services import membership_join
    from commonground.people.services import chapter_create

    with scope(association=association):
        north = chapter_create(association=association, name="North")
        ada = person_create(association=association, first_name="Ada", last_name="Lovelace",
                            email="ada@example.org", chapter=north)
        person_create(association=association, first_name="Grace", last_name="Hopper",
                      email="grace@example.org")
        membership_join(association=association, plan=plan, person=ada)

    def ids(**params):
        response = api.get("/people", params)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["items"]]

    assert ids(q="love ada") == [ada.pk]
    # A blank search searches for nothing: everyone, not a 422 (a regression once).
    assert len(ids(q="   ")) == 2
    assert ids(email="ADA@example.org") == [ada.pk]
    assert ids(chapter="north") == [ada.pk] == ids(chapter=str(north.pk))
    assert ids(status="active") == [ada.pk]
    assert ids(plan="individual", status="active") == [ada.pk]
    assert ids(status="lapsed") == []
    assert len(ids(updated_since="2000-01-01T00:00:00Z")) == 2
    assert ids(updated_since="2999-01-01T00:00:00Z") == []
    assert api.get("/people", {"status": "sleeping"}).status_code == 422
    assert api.get("/people", {"updated_since": "yesterday"}).status_code == 422


def test_create_and_patch_person_with_field_errors(api, association):
    created = api.post("/people", {"first_name": "Ada", "email": " Ada@Example.ORG ",
                                   "phone": "(503) 555-0100"})
    assert created.status_code == 201, created.content
    person = created.json()
    assert person["email"] == "Ada@example.org" or person["email"].lower() == "ada@example.org"
    assert person["phone"] == "+15035550100"
    bad = api.post("/people", {"email": "not an email", "phone": "12"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) >= {"email", "phone"}
    assert bad.json()["code"] == "validation_failed"
    unknown = api.post("/people", {"first_name": "X", "favourite_colour": "blue"})
    assert unknown.status_code == 422 and "favourite_colour" in unknown.json()["fields"]
    dup = api.post("/people", {"email": "ada@example.org"})
    assert dup.status_code == 409 and "email" in dup.json()["fields"]
    patched = api.patch(f"/people/{person['id']}", {"last_name": "Lovelace"})
    assert patched.status_code == 200 and patched.json()["last_name"] == "Lovelace"
    assert patched.json()["first_name"] == "Ada"
    assert api.patch(f"/people/{person['id']}", {"email": "nope"}).status_code == 422
    assert api.get("/people/999999999").status_code == 404
    assert api.patch("/people/999999999", {"last_name": "X"}).status_code == 404


def test_export_and_erase(api, association):
    person = api.post("/people", {"first_name": "Ada", "email": "ada@example.org"}).json()
    export = api.get(f"/people/{person['id']}/export")
    assert export.status_code == 200
    assert export.json()["person"]["email"] == person["email"]
    erased = api.post(f"/people/{person['id']}/erase")
    assert erased.status_code == 200
    assert erased.json()["email"] == "" and erased.json()["erased_at"]
    assert api.post(f"/people/{person['id']}/erase").status_code == 200


# ---------------------------------------------------------------- idempotency

def test_idempotent_replay_and_key_reuse(api, association):
    headers = {"Idempotency-Key": "create-ada-1"}
    first = api.post("/people", {"first_name": "Ada", "email": "ada@example.org"}, headers=headers)
    again = api.post("/people", {"first_name": "Ada", "email": "ada@example.org"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    with scope(association=association):
        assert Person.objects.count() == 1
    other = api.post("/people", {"first_name": "Grace"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert api.post("/people", {"first_name": "G"}, headers={"Idempotency-Key": "x" * 201}
                    ).status_code == 422


def test_error_responses_are_not_stored(api, association):
    headers = {"Idempotency-Key": "k-err"}
    assert api.post("/people", {"email": "bad"}, headers=headers).status_code == 422
    with scope(association=association):
        assert not IdempotencyRecord.objects.exists()


def test_same_key_in_another_association_is_independent(api, association, other_association):
    other = ApiClient(make_token(other_association, email="api@other.example.org"))
    headers = {"Idempotency-Key": "shared"}
    a = api.post("/people", {"first_name": "A"}, headers=headers)
    b = other.post("/people", {"first_name": "B"}, headers=headers)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"] and "Idempotent-Replayed" not in b


# ---------------------------------------------------------------- membership, money

def test_plan_money_is_a_string_and_patch(api):
    created = api.post("/plans", {"name": "Gold", "price": "250.5", "term_months": 12})
    assert created.status_code == 201, created.content
    assert created.json()["price"] == "250.50"
    plan_id = created.json()["id"]
    bad = api.post("/plans", {"name": "Bad", "price": "1.234", "term_months": 121})
    assert bad.status_code == 422 and {"price", "term_months"} <= set(bad.json()["fields"])
    patched = api.patch(f"/plans/{plan_id}", {"price": 99})
    assert patched.status_code == 200 and patched.json()["price"] == "99.00"
    assert patched.json()["name"] == "Gold"
    assert api.patch(f"/plans/{plan_id}", {"price": None}).status_code == 422
    assert api.get(f"/plans/{plan_id}").json()["price"] == "99.00"
    assert [p["slug"] for p in walk(api, "/plans")] == ["gold"]


def test_join_renew_twice_extends_once_and_pay(api, association, plan):
    person = api.post("/people", {"first_name": "Ada", "email": "ada@example.org"}).json()
    joined = api.post("/memberships", {"plan_id": plan.pk, "person_id": person["id"]})
    assert joined.status_code == 201, joined.content
    m = joined.json()
    retry = api.post("/memberships", {"plan_id": plan.pk, "person_id": person["id"]})
    assert retry.json()["id"] == m["id"]  # joining again returns the live membership
    seen_end = m["ends_on"]
    r1 = api.post(f"/memberships/{m['id']}/renew", {"expected_ends_on": seen_end})
    r2 = api.post(f"/memberships/{m['id']}/renew", {"expected_ends_on": seen_end})
    assert r1.status_code == r2.status_code == 200
    assert r1.json()["ends_on"] == r2.json()["ends_on"] > seen_end
    with scope(association=association):
        assert Term.objects.filter(membership_id=m["id"]).count() == 2
    detail = api.get(f"/memberships/{m['id']}").json()
    assert [t["kind"] for t in detail["terms"]] == ["join", "renewal"]
    assert [t["event"] for t in detail["transitions"]] == ["joined", "renewed"]

    invoices = walk(api, "/invoices", {"membership": m["id"]})
    assert len(invoices) == 2
    invoice = invoices[0]
    assert invoice["amount"] == "120.00" and invoice["balance"] == "120.00"
    paid = api.post(f"/invoices/{invoice['id']}/payments",
                    {"amount": "20.10", "method": "cheque", "reference": "chq 1"})
    assert paid.status_code == 201, paid.content
    assert paid.json()["amount"] == "20.10"
    assert api.get(f"/invoices/{invoice['id']}").json()["balance"] == "99.90"
    too_much = api.post(f"/invoices/{invoice['id']}/payments", {"amount": "1000", "method": "cash"})
    assert too_much.status_code == 422 and "amount" in too_much.json()["fields"]
    refund = api.post(f"/invoices/{invoice['id']}/refunds", {"amount": "0.10", "method": "cheque"})
    assert refund.status_code == 201
    detail = api.get(f"/invoices/{invoice['id']}").json()
    assert detail["balance"] == "100.00" and len(detail["payments"]) == 2
    listed = {i["id"]: i["balance"] for i in walk(api, "/invoices")}
    assert listed[invoice["id"]] == "100.00"
    assert len(walk(api, "/payments", {"invoice": invoice["id"]})) == 2
    assert len(walk(api, "/payments", {"kind": "refund"})) == 1


def test_renew_with_idempotency_key_without_expected_end(api, association, plan):
    person = api.post("/people", {"first_name": "Ada"}).json()
    m = api.post("/memberships", {"plan_id": plan.pk, "person_id": person["id"]}).json()
    h = {"Idempotency-Key": "renew-1"}
    a = api.post(f"/memberships/{m['id']}/renew", headers=h)
    b = api.post(f"/memberships/{m['id']}/renew", headers=h)
    assert a.status_code == 200 and b.content == a.content and b["Idempotent-Replayed"] == "true"
    with scope(association=association):
        assert Term.objects.filter(membership_id=m["id"]).count() == 2


def test_membership_filters_cancel_reinstate(api, association, plan):
    person = api.post("/people", {"first_name": "Ada"}).json()
    old = api.post("/memberships", {"plan_id": plan.pk, "person_id": person["id"],
                                    "joined_on": "2019-01-01", "invoice": False}).json()
    assert old["status"] == "lapsed"
    assert [x["id"] for x in walk(api, "/memberships", {"status": "lapsed"})] == [old["id"]]
    assert walk(api, "/memberships", {"status": "active"}) == []
    soon = (date.today() + timedelta(days=1)).isoformat()
    assert [x["id"] for x in walk(api, "/memberships", {"ends_before": soon})] == [old["id"]]
    assert walk(api, "/memberships", {"ends_after": soon}) == []
    renew = api.post(f"/memberships/{old['id']}/renew")
    assert renew.status_code == 409 and renew.json()["code"] == "transition_not_allowed"
    back = api.post(f"/memberships/{old['id']}/reinstate", {})
    assert back.status_code == 200 and back.json()["status"] == "active"
    cancelled = api.post(f"/memberships/{old['id']}/cancel", {"note": "moved away"})
    assert cancelled.json()["status"] == "cancelled"
    assert [x["id"] for x in walk(api, "/memberships", {"person": person["id"]})] == [old["id"]]
    with scope(association=association):
        assert Membership.objects.get(pk=old["id"]).status == "cancelled"


def test_organisations_chapters_offerings(api):
    org = api.post("/organisations", {"name": "Acme Widgets", "sector": "private"})
    assert org.status_code == 201
    assert api.post("/organisations", {"name": "acme widgets"}).json()["id"] == org.json()["id"]
    assert api.post("/organisations", {"name": "X", "sector": "charity"}).status_code == 422
    assert api.get(f"/organisations/{org.json()['id']}").json()["name"] == "Acme Widgets"
    assert [o["name"] for o in walk(api, "/organisations", {"q": "widg"})] == ["Acme Widgets"]
    chapter = api.post("/chapters", {"name": "North", "region": "Up"})
    assert chapter.status_code == 201 and chapter.json()["slug"] == "north"
    assert [c["slug"] for c in walk(api, "/chapters")] == ["north"]
    offering = api.post("/offerings", {"name": "Conference", "category": "community",
                                       "side": "business", "price_decision": "member_price",
                                       "member_price": "100", "non_member_price": "150.00"})
    assert offering.status_code == 201, offering.content
    assert offering.json()["member_price"] == "100.00"
    assert [o["slug"] for o in walk(api, "/offerings", {"side": "business"})] == ["conference"]
    bad = api.post("/offerings", {"name": "Bad", "category": "community", "side": "business",
                                  "price_decision": "member_price", "member_price": "200",
                                  "non_member_price": "100"})
    assert bad.status_code == 422 and "member_price" in bad.json()["fields"]


def test_pagination_by_updated_at_with_ties_has_no_gaps(api, association):
    from django.utils import timezone

    with scope(association=association):
        for i in range(25):
            person_create(association=association, last_name=f"Tie{i}")
        # Same timestamp on every row: the id tie-breaker must still walk each row once.
        Person.objects.update(updated_at=timezone.now())
    items = walk(api, "/people", {"sort": "updated_at"}, limit=4)
    assert len(items) == 25 == len({p["id"] for p in items})


def test_rows_added_while_walking_do_not_shift_pages(api, association):
    with scope(association=association):
        for i in range(10):
            person_create(association=association, last_name=f"Early{i}")
    first = api.get("/people", {"limit": 5}).json()
    with scope(association=association):
        person_create(association=association, last_name="Late")
    rest = walk(api, "/people", {"cursor": first["next_cursor"]}, limit=5)
    ids = [p["id"] for p in first["items"]] + [p["id"] for p in rest]
    assert len(ids) == 11 == len(set(ids))


def test_token_stops_working_when_its_owner_leaves_the_staff(api, association, token):
    from commonground.tenancy.models import StaffMember
    from commonground.tenancy.selectors import api_token_authenticate

    user = api_token_authenticate(token).user
    with scope(association=association):
        StaffMember.objects.filter(user=user).delete()
    assert api.get("/people").status_code == 401


def test_idempotency_records_are_pruned_after_a_day(api, association):
    from django.utils import timezone

    from commonground.tenancy.services import idempotency_records_prune
    from commonground.tenancy.tasks import prune_idempotency_records

    api.post("/people", {"first_name": "Old"}, headers={"Idempotency-Key": "old-1"})
    api.post("/people", {"first_name": "New"}, headers={"Idempotency-Key": "new-1"})
    with scope(association=association):
        IdempotencyRecord.objects.filter(key="old-1").update(
            created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_prune() == 1
    with scope(association=association):
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new-1"]
    # The daily job runs the same service through the task worker.
    assert prune_idempotency_records.call() == 0
    # A pruned key is simply new again: the retry writes (a day later, by design).
    again = api.post("/people", {"first_name": "Old"}, headers={"Idempotency-Key": "old-1"})
    assert again.status_code == 201
