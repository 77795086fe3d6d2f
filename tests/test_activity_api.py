"""Activity sources over the API: create, map, ingest rows idempotently, rejects."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.activity.models import Activity
from commonground.people.services import person_create

ROWS = [
    {"Email Address": "jane@example.org", "Action": "open", "Timestamp": "2024-05-01 10:00:00",
     "Campaign": "May"},
    {"Email Address": "nobody@example.org", "Action": "click", "Timestamp": "2024-05-01 10:01:00"},
    {"Email Address": "jane@example.org", "Action": "dance", "Timestamp": "2024-05-01 10:02:00"},
]


@pytest.fixture
def api(association):
    with scope(association=association):
        person_create(association=association, first_name="Jane", email="jane@example.org")
    return ApiClient(make_token(association))


def test_source_lifecycle_and_batch_ingest(api, association):
    created = api.post("/sources", {"name": "Newsletter", "profile": "email"})
    assert created.status_code == 201, created.content
    source = created.json()
    assert len(source["webhook_secret"]) == 64
    assert "webhook_secret" not in api.get(f"/sources/{source['id']}").json()
    url = f"/sources/{source['id']}/activities"
    first = api.post(url, ROWS).json()
    assert (first["created"], first["unmatched"], first["rejected"]) == (2, 1, 1)
    again = api.post(url, ROWS).json()
    assert (again["created"], again["duplicates"]) == (0, 2)
    with scope(association=association):
        assert Activity.objects.count() == 2
    rejects = api.get(f"/sources/{source['id']}/rejects").json()["items"]
    assert [r["line"] for r in rejects] == [3] and "dance" in rejects[0]["reason"]
    mapping = source["mapping"]
    mapping["kinds"]["dance"] = "email_dance"
    assert api.patch(f"/sources/{source['id']}", {"mapping": mapping}).status_code == 200
    out = api.post(f"/sources/{source['id']}/rejects/reprocess", {}).json()
    assert out["created"] == 1 and out["still_rejected"] == 0
    batches = api.get("/activity-batches", {"source": source["id"]}).json()["items"]
    assert len(batches) == 2 and api.get(f"/activity-batches/{batches[0]['id']}").status_code == 200
    rotated = api.post(f"/sources/{source['id']}/secret").json()["webhook_secret"]
    assert rotated != source["webhook_secret"]


def test_invalid_mapping_is_422_with_fields(api):
    response = api.post("/sources", {"name": "Bad", "mapping": {"fields": {}, "timezone": "Nowhere"}})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "fields.occurred_at" in fields and "timezone" in fields


def test_garbage_rows_are_4xx_or_rejects(api):
    source = api.post("/sources", {"name": "N", "profile": "email"}).json()
    url = f"/sources/{source['id']}/activities"
    assert api.post(url, raw=b"{").status_code == 400
    assert api.post(url, []).status_code == 422
    out = api.post(url, [1, "x", None, {"Timestamp": []}])
    assert out.status_code == 200 and out.json()["rejected"] == 4
