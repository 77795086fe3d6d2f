"""Duplicates, merge and notes over the API: shapes, idempotency, errors as 4xx."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.activity.models import Activity, Source
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


@pytest.fixture
def pair(association):
    with scope(association=association):
        ada = ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                               email="ada.lovelace@gmail.com")
        dup = ps.person_create(association=association, first_name="Ada", last_name="King",
                               email="adalovelace+x@gmail.com", phone="+14155550132")
        source = Source.objects.create(association=association, slug="web", name="Web")
        Activity.objects.create(association=association, source=source, person=dup,
                                kind="page_view", category="web",
                                occurred_at="2024-05-01T10:00:00Z", external_id="r1")
        return ada, dup


def test_list_duplicates_with_reasons_and_dismiss(api, pair):
    ada, dup = pair
    body = api.get("/people/duplicates").json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["id"] == f"{ada.pk}-{dup.pk}" and item["codes"][0] == "email"
    assert item["person_a"]["email"] == "ada.lovelace@gmail.com" and item["score"] >= 90
    assert item["reasons"][0].startswith("Same mailbox")
    assert api.get("/people/duplicates", {"min_score": 100}).json()["items"] == []
    response = api.post("/people/duplicates/dismissals", {"person_ids": [dup.pk, ada.pk]})
    assert response.status_code == 201, response.content
    assert (response.json()["person_a"], response.json()["person_b"]) == (ada.pk, dup.pk)
    assert api.get("/people/duplicates").json()["items"] == []


def test_duplicates_are_paged_with_a_cursor(api, association):
    with scope(association=association):
        for i in range(3):
            for j in range(2):
                ps.person_create(association=association, first_name=f"P{i}{j}",
                                 last_name=f"Q{i}{j}", phone=f"+1415555010{i}")
    first = api.get("/people/duplicates", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = api.get("/people/duplicates", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert api.get("/people/duplicates", {"cursor": "garbage"}).status_code == 422


def test_merge_over_the_api_is_idempotent(api, pair, association):
    ada, dup = pair
    response = api.post(f"/people/{ada.pk}/merge",
                        {"remove_id": dup.pk, "field_choices": {"last_name": "remove"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"]["last_name"] == "King" and body["person"]["phone"] == "+14155550132"
    assert body["removed_id"] == dup.pk and body["moved"]["activity.Activity.person"] == 1
    assert body["identities_added"] == ["adalovelace+x@gmail.com"]
    assert body["already_merged"] is False
    again = api.post(f"/people/{ada.pk}/merge", {"remove_id": dup.pk})
    assert again.status_code == 200 and again.json()["already_merged"] is True
    assert api.get(f"/people/{dup.pk}").status_code == 404
    with scope(association=association):
        assert AuditEntry.objects.filter(action="person.merged").count() == 1
        assert Activity.objects.get().person_id == ada.pk


def test_merge_errors_are_4xx_with_fields(api, pair, other_association):
    ada, dup = pair
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="Zed")
    self_merge = api.post(f"/people/{ada.pk}/merge", {"remove_id": ada.pk})
    assert self_merge.status_code == 422 and self_merge.json()["code"] == "self_merge"
    assert "remove_id" in self_merge.json()["fields"]
    assert api.post(f"/people/{ada.pk}/merge", {"remove_id": stranger.pk}).status_code == 404
    assert api.post(f"/people/{stranger.pk}/merge", {"remove_id": ada.pk}).status_code == 404
    bad = api.post(f"/people/{ada.pk}/merge", {"remove_id": dup.pk,
                                               "field_choices": {"shoe": "keep"}})
    assert bad.status_code == 422 and any("field_choices" in k for k in bad.json()["fields"])
    assert api.post(f"/people/{ada.pk}/merge", {}).status_code == 422
    with scope(association=other_association):
        assert Person.objects.filter(pk=stranger.pk).exists()


def test_notes_over_the_api(api, pair):
    ada, _ = pair
    created = api.post(f"/people/{ada.pk}/notes", {"body": "Met at the AGM", "pinned": True})
    assert created.status_code == 201, created.content
    assert created.json()["author"] == "api@acme.example.org" and created.json()["pinned"]
    listed = api.get(f"/people/{ada.pk}/notes").json()
    assert [n["body"] for n in listed["items"]] == ["Met at the AGM"]
    assert api.post(f"/people/{ada.pk}/notes", {"body": ""}).status_code == 422
    assert api.post(f"/people/{ada.pk}/notes", {"body": "x", "extra": 1}).status_code == 422
    assert api.get("/people/999999/notes").status_code == 404
