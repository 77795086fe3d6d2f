"""Source health: when each source was fed, what its rows became, rejects by reason, and an
overdue warning when a source is later than its usual rhythm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from _api_support import ApiClient
from commonground.activity.models import ActivityBatch, ActivityReject, Source
from commonground.tenancy.services import api_token_create

NOW = timezone.now()


def _batches(association, source, *, every: timedelta, count: int, last_at, created: int = 10):
    for i in range(count):
        b = ActivityBatch.objects.create(association=association, source=source, status="done",
                                         created=created, duplicates=2, unmatched=1, rejected=0)
        ActivityBatch.objects.filter(pk=b.pk).update(created_at=last_at - every * (count - 1 - i))
    return b


@pytest.fixture
def sources(scoped):
    a = scoped
    daily = Source.objects.create(association=a, slug="newsletter", name="Newsletter",
                                  last_fed_at=NOW - timedelta(days=3), rows_landed=1200,
                                  rows_duplicate=30, rows_unmatched=45, rows_rejected=6)
    _batches(a, daily, every=timedelta(days=1), count=8, last_at=NOW - timedelta(days=3))
    last = ActivityBatch.objects.filter(source=daily).order_by("-created_at").first()
    ActivityBatch.objects.filter(pk=last.pk).update(created=77, duplicates=5, unmatched=4,
                                                    rejected=3, file_name="march.csv")
    hourly = Source.objects.create(association=a, slug="web", name="Website",
                                   last_fed_at=NOW - timedelta(hours=2), rows_landed=5)
    _batches(a, hourly, every=timedelta(hours=1), count=5, last_at=NOW - timedelta(hours=2))
    fresh = Source.objects.create(association=a, slug="store", name="Store")
    for reason, n in (("Timestamp: not a date", 3), ("Email Address: missing", 1)):
        for i in range(n):
            ActivityReject.objects.create(association=a, source=daily, line=i + 2, reason=reason,
                                          raw={"Timestamp": "x"})
    ActivityReject.objects.create(association=a, source=daily, line=99, reason="Old problem",
                                  raw={}, status="dismissed")
    return {"daily": daily, "hourly": hourly, "fresh": fresh}


def test_health_page_shows_figures_rejects_and_staleness(sources, staff_client, scoped):
    html = staff_client.get(f"/a/{scoped.slug}/activity/health/").content.decode()

    def card(source) -> str:
        return html.split(f'id="src-{source.pk}-h"')[1].split("</section>")[0]

    daily = card(sources["daily"])
    assert "1,200" in daily and "45" in daily and ">6<" in daily
    assert "march.csv" in daily and "77 landed, 5 duplicates, 4 unmatched, 3 rejected" in daily
    assert "overdue" in daily and "Not fed for 3 days; it usually delivers every 1 day" in daily
    assert "Timestamp: not a date" in daily and "Email Address: missing" in daily
    assert f'href="/a/{scoped.slug}/sources/{sources["daily"].pk}/rejects/"' in daily
    assert "Old problem" not in daily  # dismissed rejects are not open
    # All 8 daily batches fall in the 30-day window: 7 × 10 rows, and 77 in the last one.
    assert "147 rows in the last 30 days" in daily
    hourly = card(sources["hourly"])
    assert "overdue" not in hourly  # 2 hours late on an hourly rhythm is under the 6-hour floor
    assert "usually every 1 hour" in hourly
    fresh = card(sources["fresh"])
    assert "Never fed yet" in fresh and "No open rejects" in fresh


def test_health_sparkline_offers_rows_per_day_as_table_and_csv(sources, staff_client, scoped):
    url = f"/a/{scoped.slug}/activity/health/"
    daily = sources["daily"]
    html = staff_client.get(url).content.decode()
    card = html.split(f'id="src-{daily.pk}-h"')[1].split("</section>")[0]
    assert f'aria-labelledby="chart-source-{daily.pk}-t chart-source-{daily.pk}-d"' in card
    assert "147 in all" in card and "<summary>Data table" in card
    assert f'href="{url}?format=csv&amp;chart=source-{daily.pk}" download' in card
    response = staff_client.get(url, {"format": "csv", "chart": f"source-{daily.pk}"})
    assert response["Content-Disposition"] == 'attachment; filename="newsletter-rows-per-day.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Day,Rows landed" and len(lines) == 31
    assert sum(int(line.split(",")[1]) for line in lines[1:]) == 147
    assert staff_client.get(url, {"format": "csv", "chart": "source-0"}).status_code == 404


def test_health_page_is_reachable_from_the_navigation(staff_client, scoped):
    html = staff_client.get(f"/a/{scoped.slug}/").content.decode()
    assert f'href="/a/{scoped.slug}/activity/health/"' in html
    assert f'href="/a/{scoped.slug}/activity/unmatched/"' in html
    empty = staff_client.get(f"/a/{scoped.slug}/activity/health/").content.decode()
    assert "No sources yet" in empty


def test_health_api(sources, scoped, staff_user):
    api = ApiClient(api_token_create(association=scoped, user=staff_user))
    body = api.get("/sources/health").json()
    assert body["next_cursor"] is None
    by_slug = {s["slug"]: s for s in body["items"]}
    daily = by_slug["newsletter"]
    assert daily["stale"] is True and daily["usual_interval_seconds"] == 86400
    assert daily["rows_landed"] == 1200 and daily["open_rejects"] == 4
    assert daily["top_reject_reasons"][0] == {"reason": "Timestamp: not a date", "count": 3}
    assert daily["last_batch"]["created"] == 77 and len(daily["rows_per_day"]) == 30
    assert sum(d["rows"] for d in daily["rows_per_day"]) == 147
    assert by_slug["web"]["stale"] is False
    assert by_slug["store"]["last_fed_at"] is None and by_slug["store"]["last_batch"] is None
