"""The segments API as a client uses it: fields, ad-hoc counts, save, members, export,
freeze, duplicate, static lists; mistakes as 422 field messages; other tenants' ids 404."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from _segments_data import build_town
from commonground.segments.models import Segment


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


@pytest.fixture
def town(association):
    with scope(association=association):
        return build_town(association)


LAPSED_BUT_ATTENDING = {"op": "and", "rules": [
    {"field": "membership.status", "op": "is", "value": "lapsed"},
    {"field": "activity", "op": "matches", "value": {"category": "community", "last_days": 90}}]}


def test_count_save_members_export_freeze(api, town, association):
    fields = {f["key"]: f for f in api.get("/segments/fields").json()}
    assert [label for _v, label in fields["chapter"]["choices"]] == ["North", "South"]
    assert "custom.sector" in fields and fields["activity"]["inputs"][0]["name"] == "category"

    counted = api.post("/segments/count", {"definition": LAPSED_BUT_ATTENDING}).json()
    assert counted["count"] == 1 and counted["sample"][0]["name"] == "Dan Townsend"

    created = api.post("/segments", {"name": "Lapsed but attending",
                                     "definition": LAPSED_BUT_ATTENDING})
    assert created.status_code == 201, created.content
    seg = created.json()
    assert seg["kind"] == "live" and "Membership status is Lapsed" in seg["words"]
    assert api.get(f"/segments/{seg['id']}/count").json()["count"] == 1
    members = api.get(f"/segments/{seg['id']}/members").json()["items"]
    assert [m["first_name"] for m in members] == ["Dan"]
    export = api.get(f"/segments/{seg['id']}/export", {"format": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200 and "dan@town.example" in body and "ann@" not in body
    xlsx = api.get(f"/segments/{seg['id']}/export", {"format": "xlsx"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"

    frozen = api.post(f"/segments/{seg['id']}/freeze", {"name": "Called in December"}).json()
    assert frozen["kind"] == "static" and frozen["last_count"] == 1
    assert frozen["frozen_from_id"] == seg["id"]
    # The live segment follows the data; the frozen list keeps its people.
    patched = api.patch(f"/segments/{seg['id']}", {"definition": {"op": "and", "rules": []}})
    assert patched.status_code == 200 and patched.json()["words"] == "everyone"
    assert api.get(f"/segments/{seg['id']}/count").json()["count"] == 8
    assert api.get(f"/segments/{frozen['id']}/count").json()["count"] == 1
    copy = api.post(f"/segments/{frozen['id']}/duplicate", {}).json()
    assert copy["kind"] == "static" and copy["name"] == "Copy of Called in December"
    assert api.get(f"/segments/{copy['id']}/count").json()["count"] == 1
    listed = api.get("/segments", {"kind": "static"}).json()["items"]
    assert {s["name"] for s in listed} == {"Called in December", "Copy of Called in December"}
    assert api.delete(f"/segments/{copy['id']}").status_code == 204


def test_static_list_from_ids(api, town, other_association):
    ids = [town.people["Ann"].pk, town.people["Bob"].pk]
    made = api.post("/segments", {"name": "Call list", "person_ids": ids})
    assert made.status_code == 201 and made.json()["last_count"] == 2
    bad = api.post("/segments", {"name": "Call list", "person_ids": [ids[0], 10**9]})
    assert bad.status_code == 422 and "No such person" in bad.json()["fields"]["person_ids"][0]


def test_mistakes_are_422_with_paths(api, town):
    bad = api.post("/segments/count", {"definition": {"op": "and", "rules": [
        {"field": "membership.ends", "op": "before", "value": "tomorrow"},
        {"field": "nope", "op": "is", "value": 1}]}})
    assert bad.status_code == 422
    fields = bad.json()["fields"]
    assert "not a date" in fields["definition.rules.0.value"][0]
    assert "Unknown field" in fields["definition.rules.1.field"][0]
    unnamed = api.post("/segments", {"name": " ", "definition": {}})
    assert unnamed.status_code == 422 and "name" in unnamed.json()["fields"]
    assert api.post("/segments", {"name": "x", "colour": "red"}).status_code == 422


def test_people_api_takes_a_filter(api, town):
    definition = {"op": "or", "rules": [{"field": "city", "op": "is", "value": "Hull"},
                                        {"field": "custom.age", "op": "gt", "value": 50}]}
    found = api.get("/people", {"filter": json.dumps(definition)}).json()["items"]
    assert sorted(p["first_name"] for p in found) == ["Bob", "Eve", "Gus"]
    bad = api.get("/people", {"filter": json.dumps({"rules": [{"field": "x"}]})})
    assert bad.status_code == 422 and "filter.rules.0.field" in bad.json()["fields"]
    assert api.get("/people", {"chapter": "nowhere"}).json()["items"] == []


def test_other_associations_segments_are_404(api, association, other_association):
    with scope(association=other_association):
        theirs = Segment.objects.create(association=other_association, name="Theirs",
                                        slug="theirs")
    for path in ("", "/count", "/members", "/export"):
        assert api.get(f"/segments/{theirs.pk}{path}").status_code == 404
    assert api.post(f"/segments/{theirs.pk}/freeze", {}).status_code == 404


def test_list_reads_a_bounded_number_of_queries(api, town, association):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonground.segments import services

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/segments").status_code == 200
        return len(captured)

    def add(n: int) -> None:
        with scope(association=association):
            for i in range(n):
                services.segment_create(association=association, name=f"Plan {i}", definition={
                    "rules": [{"field": "membership.plan", "op": "is", "value": "gold"},
                              {"field": "chapter", "op": "is", "value": "north"}]})

    add(2)
    queries()  # the token's first use writes its last-used time once
    few = queries()
    add(10)
    assert queries() == few  # the plans' and chapters' names are read once a page
