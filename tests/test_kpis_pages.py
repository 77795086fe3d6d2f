"""The KPI pages, API and command: the catalogue, the rows behind a metric's figure and an
objective's number (paginated, CSV, a fixed number of queries), bad questions answered
with messages, the snapshot queued over the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from _cli_support import commonground
from _kpis_support import build_world, objective
from commonground.planning.kpis import kpi_snapshots_take
from commonground.planning.models import KpiSnapshot


@pytest.fixture
def world(association):
    with scope(association=association):
        return build_world(association)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_catalogue_page_lists_metrics_filters_and_sides(staff_client, world):
    r = staff_client.get("/a/acme/planning/metrics/")
    assert r.status_code == 200
    body = r.content.decode()
    for text in ("membership.joins", "activity.web", "engagement.volunteers_engaged",
                 "Members by status", "<code title=", "mission", "business"):
        assert text in body


def test_metric_rows_page_and_csv(staff_client, world, django_assert_max_num_queries):
    today = world.today
    q = {"metric": "membership.joins", "start": (today - timedelta(days=365)).isoformat(),
         "end": today.isoformat(), "plan": "annual"}
    with django_assert_max_num_queries(12):
        r = staff_client.get("/a/acme/planning/metrics/rows/", q)
    assert r.status_code == 200
    body = r.content.decode()
    assert "<strong>3</strong>" in body and "Ann Worldly" in body and "/people/" in body
    rows = _csv(staff_client.get("/a/acme/planning/metrics/rows.csv", q))
    assert rows[0][0] == "Member" and len(rows) == 1 + 3
    bad = staff_client.get("/a/acme/planning/metrics/rows/", {**q, "plan": "platinum",
                                                              "colour": "red"})
    assert bad.status_code == 400
    assert "no plan &#x27;platinum&#x27;" in bad.content.decode()
    assert "takes no filter" in bad.content.decode()
    assert staff_client.get("/a/acme/planning/metrics/rows/").status_code == 400


def test_metric_rows_pages_through(staff_client, world):
    with scope(association=world.goal.association):
        from commonground.activity.models import Activity
        for i in range(60):
            Activity.objects.create(association=world.goal.association, source=world.web,
                                    kind="page_view", category="web", external_id=f"p{i}",
                                    anonymous_key=f"anon:{i}",
                                    occurred_at=world.goal.created_at)
    q = {"metric": "activity.web", "start": (world.today - timedelta(days=3)).isoformat(),
         "end": world.today.isoformat()}
    first = staff_client.get("/a/acme/planning/metrics/rows/", q).content.decode()
    assert 'rel="next"' in first
    second = staff_client.get("/a/acme/planning/metrics/rows/", {**q, "page": 2}).content.decode()
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_kpi_rows_page_csv_and_isolation(staff_client, world, other_association,
                                         django_assert_max_num_queries):
    assoc = world.goal.association
    with scope(association=assoc):
        o = objective(world, "membership.members", filters={"chapter": "south"})
        empty = objective(world, "activity.advocacy_actions", filters={"kind": "letter_sent"})
        kpi_snapshots_take(association=assoc, today=world.today)
    with django_assert_max_num_queries(14):
        r = staff_client.get(f"/a/acme/planning/objectives/{o.pk}/rows/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Cat Worldly" in body and "Dan Worldly" in body and "as snapshotted" in body
    rows = _csv(staff_client.get(f"/a/acme/planning/objectives/{o.pk}/rows.csv"))
    assert len(rows) == 1 + 3  # Cat, Dan, Ivy
    r = staff_client.get(f"/a/acme/planning/objectives/{empty.pk}/rows/")
    assert "No rows" in r.content.decode()
    with scope(association=other_association):
        from commonground.planning.models import Goal, Objective, StrategicPlan
        plan = StrategicPlan.objects.create(association=other_association, name="X",
                                            starts_on=world.today, ends_on=world.today)
        goal = Goal.objects.create(association=other_association, plan=plan, title="G",
                                   deadline=world.today)
        theirs = Objective.objects.create(association=other_association, goal=goal, title="T",
                                          metric="membership.joins", starts_on=world.today,
                                          deadline=world.today, target=1)
    assert staff_client.get(f"/a/acme/planning/objectives/{theirs.pk}/rows/").status_code == 404
    assert staff_client.get(f"/a/acme/planning/objectives/{theirs.pk}/rows.csv").status_code == 404


def test_api(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assoc = world.goal.association
    api = ApiClient(make_token(assoc))
    with scope(association=assoc):
        o = objective(world, "membership.joins", days_back=40)
    catalogue = api.get("/planning/metrics").json()
    joins = next(m for m in catalogue if m["key"] == "membership.joins")
    assert {"value": "annual", "label": "Annual"} in joins["filters"][0]["choices"]
    r = api.get("/planning/metrics/value", {"metric": "membership.joins", "plan": "annual",
                                            "start": (world.today - timedelta(days=365)).isoformat(),
                                            "end": world.today.isoformat()})
    assert r.status_code == 200 and r.json()["value"] == "3"
    bad = api.get("/planning/metrics/value", {"metric": "membership.nope", "start": "x"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) >= {"start", "end"}
    bad = api.get("/planning/metrics/value", {"metric": "membership.nope",
                                              "start": "2026-01-01", "end": "2026-02-01"})
    assert bad.status_code == 422 and "metric" in bad.json()["fields"]
    r = api.post("/planning/kpis/snapshot", {"objective_ids": [o.pk]},
                 headers={"Idempotency-Key": "snap-1"})
    assert r.status_code == 202, r.content
    with scope(association=assoc):
        assert KpiSnapshot.objects.filter(objective=o, day=world.today).exists()
    kpi = api.get(f"/planning/objectives/{o.pk}/kpi").json()
    assert kpi["current_value"] == "2.00" and kpi["snapshots"][-1]["day"] == world.today.isoformat()
    rows = api.get(f"/planning/objectives/{o.pk}/rows").json()
    assert rows["headers"][0] == "Member" and len(rows["rows"]) == 2
    assert api.get("/planning/objectives/999999/rows").status_code == 404
    assert api.get(f"/planning/objectives/{o.pk}/rows", {"page": 0}).status_code == 422


def test_command(world):
    assoc = world.goal.association
    with scope(association=assoc):
        o = objective(world, "membership.joins", days_back=40)
    ran = commonground("kpis", "catalogue", "--association", "acme")
    assert ran.code == 0 and "membership.joins" in ran.out
    ran = commonground("kpis", "value", "--association", "acme", "--metric", "membership.joins",
                       "--start", (world.today - timedelta(days=365)).isoformat(),
                       "--filter", "plan=annual")
    assert ran.code == 0 and ran.out.strip().endswith("value=3")
    ran = commonground("kpis", "value", "--association", "acme", "--metric", "membership.joins",
                       "--start", "2026-01-01", "--filter", "plan=platinum")
    assert ran.code == 1 and "no plan 'platinum'" in ran.err
    assert commonground("kpis", "fill", "--association", "acme", "--objective",
                        str(o.pk)).out.strip() == "snapshots=41"
    assert commonground("kpis", "snapshot", "--association", "acme").code == 0
    ran = commonground("kpis", "rows", "--association", "acme", "--objective", str(o.pk))
    assert ran.code == 0 and len(ran.out.strip().splitlines()) == 3
    assert commonground("kpis", "rows", "--association", "acme", "--objective", "999").code == 1
