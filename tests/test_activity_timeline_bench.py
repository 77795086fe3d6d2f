"""The Member 360 benchmark's loader, at toy size: exact counts, skew, realistic rows."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scope

from commonground.activity import selectors
from commonground.activity.models import Activity, Category
from commonground.bench.member360_load import load_activities
from commonground.people import services as ps


def test_loader_tops_up_to_the_total_with_skewed_realistic_rows(association):
    with scope(association=association):
        for i in range(40):
            ps.person_create(association=association, last_name=f"Member {i}")
    added = load_activities(association=association, total=4000, seed=7, say=lambda _m: None)
    assert added == 4000
    with scope(association=association):
        rows = list(Activity.objects.values_list("person_id", "anonymous_key", "category",
                                                 "amount", "occurred_at", "metadata"))
        assert len(rows) == 4000
        per_person = Counter(r[0] for r in rows if r[0])
        anonymous = [r for r in rows if r[0] is None]
        assert 100 <= len(anonymous) <= 140 and all(r[1].startswith("anon:") for r in anonymous)
        counts = sorted(per_person.values())
        assert counts[-1] > 4 * counts[len(counts) // 2]  # a few people do much more
        assert {r[2] for r in rows} == set(Category.values)
        assert all(r[3] is not None for r in rows if r[2] == "commerce")
        assert all(r[3] is None for r in rows if r[2] != "commerce")
        now = timezone.now()
        assert all(now - timedelta(days=3 * 365 + 1) < r[4] <= now for r in rows)
        assert any("page" in r[5] for r in rows) and any("campaign" in r[5] for r in rows)
        busiest, n = per_person.most_common(1)[0]
        zone = ZoneInfo("UTC")
        page = selectors.person_timeline(person_id=busiest, zone=zone,
                                         filters=selectors.TimelineFilters())
        assert page.count == min(n, selectors.TIMELINE_PAGE)
        summary = selectors.person_activity_summary(association=association, person_id=busiest,
                                                    zone=zone)
        last_year = sum(1 for r in rows if r[0] == busiest and r[4] >= now - timedelta(days=365))
        assert summary["totals"][-1]["count"] == last_year
    assert load_activities(association=association, total=4000, seed=7, say=lambda _m: None) == 0
    assert load_activities(association=association, total=4500, seed=7, say=lambda _m: None) == 500
