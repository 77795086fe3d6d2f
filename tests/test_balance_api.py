"""The balance view through the API and the command line."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from _api_support import ApiClient, make_token
from _balance_support import TODAY, register, unregister, world
from _cli_support import commonground
from commonground.planning.balance import services
from commonground.planning.models import BalanceMetric, OfferingCost

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _metrics():
    register()
    yield
    unregister()


@pytest.fixture
def api(association):
    with scope(association=association):
        world(association)
        services.balance_snapshots_take(association=association, today=TODAY, months=3)
    return ApiClient(make_token(association))


def test_api_reads_both_sides_apart_and_writes_metrics_and_costs(api, association):
    got = api.get("/planning/balance", {"months": 3}).json()
    assert got["configured"] is True and len(got["months"]) == 3
    assert [s["metric"] for s in got["mission"]][:1] == ["testbal.activities"]
    assert [s["metric"] for s in got["business"]][:1] == ["testbal.people"]
    assert "total" not in got and "score" not in got
    assert api.get("/planning/balance", {"months": 99}).status_code == 422
    assert api.get("/planning/balance", {"period": "garbage"}).status_code == 422

    bad = api.post("/planning/balance/metrics", {"side": "mission", "metric": "no.such"})
    assert bad.status_code == 422 and "metric" in json.dumps(bad.json())
    made = api.post("/planning/balance/metrics",
                    {"side": "mission", "metric": "testbal.activities",
                     "filters": {"kind": "volunteer_shift"}, "label": "Shifts"},
                    headers={"Idempotency-Key": "bal-1"})
    assert made.status_code == 201, made.content
    row_id = made.json()["id"]
    again = api.post("/planning/balance/metrics",
                     {"side": "mission", "metric": "testbal.activities",
                      "filters": {"kind": "volunteer_shift"}, "label": "Shifts"},
                     headers={"Idempotency-Key": "bal-1"})
    assert again.status_code == 201 and again.json()["id"] == row_id  # replayed, not added
    moved = api.patch(f"/planning/balance/metrics/{row_id}", {"side": "business"})
    assert moved.status_code == 200 and moved.json()["side"] == "business"
    listed = api.get("/planning/balance/metrics", {"side": "business"}).json()["items"]
    assert row_id in {m["id"] for m in listed}
    assert api.delete(f"/planning/balance/metrics/{row_id}").status_code == 204

    cost = api.post("/planning/offering-costs", {"offering": "conference", "amount": "400",
                                                 "period_start": "2026-05-01",
                                                 "period_end": "2026-05-31"})
    assert cost.status_code == 201, cost.content
    clash = api.post("/planning/offering-costs", {"offering": "conference", "amount": "1",
                                                  "period_start": "2026-05-10",
                                                  "period_end": "2026-06-10"})
    assert clash.status_code == 422 and "already covers" in json.dumps(clash.json())
    assert [c["id"] for c in api.get("/planning/offering-costs").json()["items"]] == \
        [cost.json()["id"]]
    assert api.post("/planning/balance/snapshot").status_code == 202


def test_cli_shows_both_sides_and_records_costs_and_snapshots(api, association):
    ran = commonground("balance", "cost", "add", "--association", "acme", "--offering",
                       "conference", "--from", "2026-05-01", "--to", "2026-05-31",
                       "--amount", "400")
    assert ran.code == 0, ran.err
    bad = commonground("balance", "cost", "add", "--association", "acme", "--offering",
                       "conference", "--from", "2026-05-02", "--to", "2026-05-03",
                       "--amount", "1")
    assert bad.code == 1 and "--from: a cost of Conference already covers" in bad.err
    neg = commonground("balance", "cost", "add", "--association", "acme", "--offering",
                       "webinar", "--from", "2026-05-02", "--to", "2026-05-03", "--amount", "-1")
    assert neg.code == 1 and "--amount: a cost is not negative" in neg.err
    snap = commonground("balance", "snapshot", "--association", "acme", "--months", "3",
                        "--today", TODAY.isoformat())
    assert snap.out.strip().splitlines()[-1].startswith("snapshots=")
    shown = commonground("balance", "show", "--association", "acme", "--months", "3")
    assert "Social performance (mission):" in shown.out
    assert "Economic productivity (business):" in shown.out
    assert "High social, low economic: the paradox" in shown.out
    add = commonground("balance", "metric", "add", "--association", "acme", "--side",
                       "business", "--metric", "testbal.activities", "--filter", "kind=purchase")
    assert add.code == 0, add.err
    wrong = commonground("balance", "metric", "add", "--association", "acme", "--side",
                         "business", "--metric", "testbal.activities", "--filter", "plan=x")
    assert wrong.code == 1 and "takes no filter 'plan'" in wrong.err
    with scope(association=association):
        pk = BalanceMetric.objects.get(filters={"kind": "purchase"}).pk
    assert commonground("balance", "metric", "move", str(pk), "--association", "acme",
                        "--up").code == 0
    assert commonground("balance", "metric", "remove", str(pk), "--association", "acme").code == 0
    listed = commonground("balance", "metric", "list", "--association", "acme", "--json")
    assert pk not in {m["id"] for m in json.loads(listed.out)}
    with scope(association=association):
        assert OfferingCost.objects.count() == 1
