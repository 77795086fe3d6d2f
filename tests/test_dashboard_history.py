"""The dashboard agrees with the facts of an imported roster whose answer is known by hand:
status counts, joins and lapses per month, and renewal rates (monthly, annual and
lifetime plans; today is 15 June 2026)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from commonground.membership import services as ms
from commonground.membership.roster.engine import run_batch
from commonground.membership.roster.services import import_prepare

TODAY = date(2026, 6, 15)

# Monthly: window and grace 7 days; annual: 30; lifetime: never due, never lapses.
ROSTER = """Email,Last Name,Membership Level,Member Since,Expiration Date
m1@example.org,M1,Monthly,2025-01-10,2026-07-09
m2@example.org,M2,Monthly,2025-06-01,2026-06-20
m3@example.org,M3,Monthly,2025-11-05,2026-06-12
m4@example.org,M4,Monthly,2024-03-01,2025-08-31
m5@example.org,M5,Monthly,2026-01-20,2026-03-19
a1@example.org,A1,Annual,2020-09-01,2026-08-31
a2@example.org,A2,Annual,2023-07-01,2026-06-30
a3@example.org,A3,Annual,2022-05-01,2025-04-30
a4@example.org,A4,Annual,2024-06-01,2026-05-31
a5@example.org,A5,Annual,2025-02-01,2026-01-31
l1@example.org,L1,Lifetime,2019-04-01,
l2@example.org,L2,Lifetime,2025-12-01,2030-01-01
"""
# By hand:
STATUS = {"Active": 4,        # M1 (24 days left), A1 (77), L1, L2
          "Renewal due": 2,   # M2 (5 days left of 7), A2 (15 of 30)
          "In grace": 2,      # M3 (ended 3 days ago), A4 (15 days ago)
          "Lapsed": 4,        # M4, M5, A3, A5
          "Cancelled": 0}
JOINS = {"2025-01": 1, "2025-02": 1, "2025-06": 1, "2025-11": 1, "2025-12": 1, "2026-01": 1}
# Lapsed the day after grace: M4 31 Aug + 8 = 8 Sep 2025, M5 19 Mar + 8 = 27 Mar 2026,
# A3 30 Apr + 31 = 31 May 2025, A5 31 Jan + 31 = 3 Mar 2026.
LAPSES = {"2025-05": 1, "2025-09": 1, "2026-03": 2}
# Terms that ended in the month and whose grace has passed by today: (due, renewed).
RENEWALS = {
    "2026-06": (0, 0),  # M1's term ending 9 June is still in grace
    "2026-05": (3, 3),  # M1 9 May, M2 31 May, M3 4 May renewed; A4's 31 May still in grace
    "2026-03": (4, 3),  # M1, M2, M3 renewed; M5 19 March did not
    "2026-01": (4, 3),  # M1, M2, M3 renewed; A5 31 January did not
    "2025-08": (4, 3),  # M1, M2, A1 renewed; M4 31 August did not
    "2025-06": (4, 4),  # M1 9 June, M2 30 June (its first term), M4 30 June, A2 30 June
    "2025-04": (3, 2),  # M1 9 April, M4 30 April renewed; A3 30 April did not
}
# The last 12 months (July 2025 – June 2026): M1 11 of 11, M2 11 of 11, M3 6 of 6,
# M4 1 of 2, M5 1 of 2, A1 1 of 1, A5 0 of 1.
DUE_12, RENEWED_12 = 34, 31


@pytest.fixture
def imported(association, staff_user, settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    cache.clear()  # the dashboard's figures are cached per tenant and day
    with scope(association=association):
        for name, months in (("Monthly", 1), ("Annual", 12), ("Lifetime", 0)):
            ms.plan_save(association=association, name=name, price="10", term_months=months)
        path = tmp_path / "roster.csv"
        path.write_text(ROSTER)
        batch, _ = import_prepare(association=association, path=path)
    batch = run_batch(batch_id=batch.pk)
    assert (batch.created, batch.rejected) == (12, 0)
    with scope(association=association):
        assert ms.memberships_advance(association=association) == {}  # nothing left to do
    return association


def _csv(client, chart):
    response = client.get(reverse("dashboard", kwargs={"association": "acme"}),
                          {"format": "csv", "chart": chart})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_dashboard_shows_the_imported_facts(imported, staff_client,
                                                django_assert_max_num_queries):
    url = reverse("dashboard", kwargs={"association": "acme"})
    # Session, user, staff membership, association, then the figures: bounded.
    with django_assert_max_num_queries(16):
        body = staff_client.get(url).content.decode()
    tiles = dict((label, int(n.replace(",", ""))) for n, label in re.findall(
        r'<span class="n">([\d,]+)</span> <span class="l">([^<]+)</span>', body))
    assert {k: tiles[k] for k in STATUS} == STATUS
    assert f"<strong>{RENEWED_12 / DUE_12:.1%}</strong>" in body
    assert f"({RENEWED_12} of {DUE_12} terms" in body
    assert 'aria-labelledby="chart-renewals-t chart-renewals-d"' in body
    assert f'href="{url}?format=csv&amp;chart=renewals" download>Download CSV' in body

    monthly = {r["Month"]: (int(r["Joined"]), int(r["Lapsed"]))
               for r in _csv(staff_client, "joins-lapses")}
    assert len(monthly) == 24 and min(monthly) == "2024-07" and max(monthly) == "2026-06"
    assert {m: j for m, (j, _) in monthly.items() if j} == JOINS
    assert {m: lapsed for m, (_, lapsed) in monthly.items() if lapsed} == LAPSES

    renewals = {r["Month"]: r for r in _csv(staff_client, "renewals")}
    assert list(_csv(staff_client, "renewals")[0]) == [
        "Month", "Renewed", "Not renewed", "Terms ended", "Renewal rate"]
    for month, (due, renewed) in RENEWALS.items():
        row = renewals[month]
        assert (int(row["Terms ended"]), int(row["Renewed"]), int(row["Not renewed"])) == (
            due, renewed, due - renewed), month
        assert row["Renewal rate"] == (f"{renewed / due:.3f}" if due else ""), month
    recent = [renewals[m] for m in sorted(renewals)[-12:]]
    assert sum(int(r["Terms ended"]) for r in recent) == DUE_12
    assert sum(int(r["Renewed"]) for r in recent) == RENEWED_12


# A membership history file (one row per term): consecutive terms renew (a start within
# the previous end's grace too), a gap lapses and reinstates, no next term lapses.
HISTORY = """Email,Membership Type,Membership Start Date,Membership End Date
h1@example.org,Annual,2023-03-01,2024-02-29
h1@example.org,Annual,2024-03-01,2025-02-28
h1@example.org,Annual,2025-03-10,2026-03-09
h2@example.org,Annual,2023-05-01,2024-04-30
h2@example.org,Annual,2024-09-01,2025-08-31
h3@example.org,Monthly,2026-01-01,2026-01-31
h3@example.org,Monthly,2026-02-01,2026-02-28
h3@example.org,Monthly,2026-03-01,2026-03-31
h4@example.org,Annual,2025-07-01,2026-06-30
"""


def test_the_dashboard_shows_an_imported_history(association, staff_user, staff_client, settings,
                                                  tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    noon = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    cache.clear()
    with scope(association=association):
        for name, months in (("Monthly", 1), ("Annual", 12)):
            ms.plan_save(association=association, name=name, price="10", term_months=months)
    path = tmp_path / "history.csv"
    path.write_text(HISTORY)
    call_command("import", "memberships", str(path), "--association", "acme", "--json",
                 "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    with scope(association=association):
        assert ms.memberships_advance(association=association) == {}
    body = staff_client.get(reverse("dashboard", kwargs={"association": "acme"})).content.decode()
    tiles = dict((label, int(n)) for n, label in re.findall(
        r'<span class="n">(\d+)</span> <span class="l">([^<]+)</span>', body))
    assert (tiles["Active"], tiles["Renewal due"], tiles["Lapsed"]) == (0, 1, 3)
    monthly = {r["Month"]: (int(r["Joined"]), int(r["Lapsed"]))
               for r in _csv(staff_client, "joins-lapses")}
    assert {m: j for m, (j, _) in monthly.items() if j} == {"2025-07": 1, "2026-01": 1}
    # h2 lapsed 1 October 2025 (31 August + 31 days), h3 8 April, h1 9 April 2026.
    assert {m: n for m, (_, n) in monthly.items() if n} == {"2025-10": 1, "2026-04": 2}
    renewals = {r["Month"]: (int(r["Terms ended"]), int(r["Renewed"]))
                for r in _csv(staff_client, "renewals")}
    assert {m: v for m, v in renewals.items() if v[0]} == {
        "2025-02": (1, 1),  # h1, renewed 10 days late (within grace)
        "2025-08": (1, 0),  # h2's reinstated term ran out
        "2026-01": (1, 1), "2026-02": (1, 1),  # h3 month by month
        "2026-03": (2, 0)}  # h1 9 March and h3 31 March: neither renewed
    assert "<strong>40.0%</strong> (2 of 5 terms" in body
