"""Member 360 on the profile: the timeline (filters, day groups, keyset paging) and the
per-category summaries, in the staff UI and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from _api_support import ApiClient
from commonground.activity import selectors
from commonground.activity.models import Activity, Source
from commonground.people import services as ps
from commonground.tenancy.services import api_token_create

NOW = timezone.now().replace(microsecond=0)


def make_source(association, slug: str, name: str) -> Source:
    return Source.objects.create(association=association, slug=slug, name=name)


def add(association, source, person, *, at, category="web", kind="page_view", amount=None,
        metadata=None, n=[0]) -> Activity:  # noqa: B006 — a counter for unique external ids
    n[0] += 1
    return Activity.objects.create(
        association=association, person=person, source=source, kind=kind, category=category,
        occurred_at=at, amount=amount, currency="USD" if amount is not None else "",
        metadata=metadata or {}, external_id=f"x{n[0]}")


@pytest.fixture
def world(scoped):
    association = scoped
    person = ps.person_create(association=association, first_name="Ada", last_name="Lovelace",
                              email="ada@example.org")
    other = ps.person_create(association=association, first_name="Bob", last_name="Other",
                             email="bob@example.org")
    web = make_source(association, "web", "Website")
    store = make_source(association, "store", "Store")
    return {"association": association, "person": person, "other": other, "web": web,
            "store": store}


def _all_ids(person_id: int, filters=None, limit: int = 7) -> list[int]:
    filters = filters or selectors.TimelineFilters()
    seen, cursor = [], None
    while True:
        page = selectors.person_timeline(person_id=person_id, filters=filters,
                                         zone=ZoneInfo("UTC"), cursor=cursor, limit=limit)
        seen += [a.pk for d in page.days for a in d.items]
        cursor = page.next_cursor
        if not cursor:
            return seen


def test_keyset_pages_have_no_duplicates_or_gaps_with_equal_timestamps(world):
    a, p = world["association"], world["person"]
    # 40 rows sharing 8 instants: ties broken by id, across page boundaries of 7.
    made = [add(a, world["web"], p, at=NOW - timedelta(hours=i // 5)) for i in range(40)]
    add(a, world["web"], world["other"], at=NOW)  # someone else's: never on Ada's timeline
    expected = [x.pk for x in sorted(made, key=lambda x: (x.occurred_at, x.pk), reverse=True)]
    assert _all_ids(p.pk) == expected
    assert _all_ids(p.pk, limit=5) == expected  # page size divides a tie group exactly


def test_timeline_groups_by_day_in_the_association_time_zone(world):
    a, p = world["association"], world["person"]
    tokyo = ZoneInfo("Asia/Tokyo")
    # 23:30 UTC on the 1st is the 2nd in Tokyo.
    add(a, world["web"], p, at=datetime(2025, 3, 1, 23, 30, tzinfo=UTC))
    add(a, world["web"], p, at=datetime(2025, 3, 1, 10, 0, tzinfo=UTC))
    page = selectors.person_timeline(person_id=p.pk, filters=selectors.TimelineFilters(), zone=tokyo)
    assert [d.day for d in page.days] == [date(2025, 3, 2), date(2025, 3, 1)]
    # A page that starts inside a day already shown does not repeat its heading.
    page1 = selectors.person_timeline(person_id=p.pk, filters=selectors.TimelineFilters(),
                                      zone=ZoneInfo("UTC"), limit=1)
    page2 = selectors.person_timeline(person_id=p.pk, filters=selectors.TimelineFilters(),
                                      zone=ZoneInfo("UTC"), limit=1, cursor=page1.next_cursor)
    assert page1.days[0].continued is False and page2.days[0].continued is True


def test_filters_by_category_source_and_dates(world):
    a, p = world["association"], world["person"]
    day = datetime(2025, 6, 15, 12, tzinfo=UTC)
    web_old = add(a, world["web"], p, at=day - timedelta(days=10))
    web_new = add(a, world["web"], p, at=day)
    sale = add(a, world["store"], p, at=day, category="commerce", kind="order_line",
               amount=Decimal("25.00"))
    utc = ZoneInfo("UTC")

    def ids(**kw):
        page = selectors.person_timeline(person_id=p.pk, zone=utc,
                                         filters=selectors.TimelineFilters(**kw))
        return {x.pk for d in page.days for x in d.items}

    assert ids(category="commerce") == {sale.pk}
    assert ids(source=world["web"].pk) == {web_old.pk, web_new.pk}
    assert ids(since=date(2025, 6, 15)) == {web_new.pk, sale.pk}
    assert ids(until=date(2025, 6, 14)) == {web_old.pk}
    assert ids(since=date(2025, 6, 5), until=date(2025, 6, 5)) == {web_old.pk}
    assert ids(category="web", since=date(2025, 6, 15)) == {web_new.pk}


def test_summary_counts_and_amounts_per_window_and_month(world):
    a, p = world["association"], world["person"]
    now = datetime(2025, 6, 20, 12, tzinfo=UTC)
    for days in (1, 10, 29):
        add(a, world["web"], p, at=now - timedelta(days=days))
    add(a, world["web"], p, at=now - timedelta(days=60))
    add(a, world["web"], p, at=now - timedelta(days=300))
    add(a, world["web"], p, at=now - timedelta(days=400))  # older than a year: not counted
    add(a, world["web"], p, at=now + timedelta(days=2))  # in the future: not yet
    add(a, world["store"], p, at=now - timedelta(days=5), category="commerce", kind="order_line",
        amount=Decimal("30.00"))
    add(a, world["store"], p, at=now - timedelta(days=80), category="commerce", kind="order_line",
        amount=Decimal("12.50"))
    add(a, world["web"], world["other"], at=now - timedelta(days=3))
    s = selectors.person_activity_summary(association=a, person_id=p.pk, zone=ZoneInfo("UTC"),
                                         now=now)
    by_cat = {c["category"]: c for c in s["categories"]}
    assert [w["count"] for w in by_cat["web"]["windows"]] == [3, 4, 5]
    assert [w["count"] for w in by_cat["commerce"]["windows"]] == [1, 2, 2]
    assert by_cat["commerce"]["windows"][0]["amounts"] == [("USD", Decimal("30.00"))]
    assert by_cat["commerce"]["windows"][1]["amounts"] == [("USD", Decimal("42.50"))]
    assert [t["count"] for t in s["totals"]] == [4, 6, 7]
    assert s["months"][0] == date(2024, 7, 1) and s["months"][-1] == date(2025, 6, 1)
    # June: days 1 and 10 before the 20th (and the sale on the 15th); May: day 29 back.
    assert by_cat["web"]["monthly"][-1] == 2 and by_cat["web"]["monthly"][-2] == 1
    assert by_cat["commerce"]["monthly"][-1] == 1 and by_cat["commerce"]["monthly"][-3] == 1
    # 300 days back is 2024-08-24: the second bar.
    assert by_cat["web"]["monthly"][1] == 1
    assert sum(by_cat["web"]["monthly"]) == 5


def test_profile_shows_summary_and_timeline(world, staff_client, django_assert_max_num_queries):
    a, p = world["association"], world["person"]
    add(a, world["web"], p, at=NOW - timedelta(days=1), metadata={"page": "https://example.org/join",
                                                                  "campaign": "Spring drive"})
    add(a, world["store"], p, at=NOW - timedelta(days=2), category="commerce", kind="order_line",
        amount=Decimal("19.99"))
    response = staff_client.get(f"/a/{a.slug}/people/{p.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    # The chart is an <img> the browser loads on its own (see test_profile_chart_is_an_image…).
    svg = staff_client.get(_chart_src(html)).content.decode()
    assert 'id="member-360"' in html and "Summary by category" in html and "<svg" in svg
    assert "Page view" in html and "https://example.org/join" in html and "Spring drive" in html
    assert "19.99 USD" in html and "Website" in html and "Store" in html
    # The full page and the HTMX fragments: a bounded number of queries.
    url = f"/a/{a.slug}/people/{p.pk}/activity/"
    with django_assert_max_num_queries(10):
        assert staff_client.get(url).status_code == 200
    with django_assert_max_num_queries(7):
        assert staff_client.get(url, {"category": "commerce"}, HTTP_HX_REQUEST="true"
                                ).status_code == 200


def test_profile_chart_has_table_and_csv_of_the_months(world, staff_client):
    a, p = world["association"], world["person"]
    add(a, world["web"], p, at=NOW - timedelta(minutes=1))
    add(a, world["web"], p, at=NOW - timedelta(minutes=2))
    add(a, world["store"], p, at=NOW - timedelta(minutes=3), category="commerce", kind="order_line",
        amount=Decimal("19.99"))
    html = staff_client.get(f"/a/{a.slug}/people/{p.pk}/").content.decode()
    svg = staff_client.get(_chart_src(html)).content.decode()  # the chart, as its <img> loads it
    assert 'aria-labelledby="chart-activity-by-month-t chart-activity-by-month-d"' in svg
    assert "the busiest month has 3 activities, 3 in all" in html
    timeline = f"/a/{a.slug}/people/{p.pk}/activity/"
    assert f'href="{timeline}?format=csv&amp;chart=activity-by-month" download' in html
    month = f"{timezone.localdate():%b %Y}"
    assert (f'<th scope="row">{month}</th><td class="num">2</td><td class="num">1</td>'
            f'<td class="num">3</td>') in html
    response = staff_client.get(timeline, {"format": "csv", "chart": "activity-by-month"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,Web,Commerce,All" and len(lines) == 13
    assert lines[-1] == f"{timezone.localdate():%Y-%m},2,1,3"
    assert staff_client.get(f"/a/{a.slug}/people/999999/activity/",
                            {"format": "csv", "chart": "activity-by-month"}).status_code == 404


def _chart_src(html: str) -> str:
    """The URL the profile's chart <img> loads."""
    img = html.split('<img class="chart-img', 1)[1]
    return img.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_profile_chart_is_an_image_with_alt_text_loaded_on_its_own(world, staff_client):
    """The per-person chart costs the profile's HTML nothing: it is an <img> whose alt text
    is the chart's title and description, its SVG answered by the timeline URL; the data
    table and the CSV link stay on the page."""
    a, p = world["association"], world["person"]
    add(a, world["web"], p, at=NOW - timedelta(minutes=1))
    html = staff_client.get(f"/a/{a.slug}/people/{p.pk}/").content.decode()
    timeline = f"/a/{a.slug}/people/{p.pk}/activity/"
    src = _chart_src(html)
    assert src.startswith(f"{timeline}?format=svg&chart=activity-by-month&v=")
    img = html.split('<img class="chart-img', 1)[1].split(">", 1)[0]
    assert ('alt="Activities per month by category, last 12 months. Stacked bars, one per month; '
            'the busiest month has 1 activities, 1 in all. The figures are in the data table."') in img
    assert 'width="640" height="170"' in img and 'loading="lazy"' in img
    assert "<svg" not in html and 'class="chart-table"' in html
    response = staff_client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=3600"  # the URL names these figures
    assert "default-src 'none'" in response["Content-Security-Policy"]
    svg = response.content.decode()
    # An SVG document of exactly the size the <img> reserves, an accessible image itself.
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 640 170" '
                          'width="640" height="170" role="img"')
    assert '<title id="chart-activity-by-month-t">Activities per month by category' in svg
    # New figures, a new URL; the old one still answers (the current figures, not to be kept).
    add(a, world["web"], p, at=NOW - timedelta(minutes=2))
    assert _chart_src(staff_client.get(f"/a/{a.slug}/people/{p.pk}/").content.decode()) != src
    stale = staff_client.get(src)
    assert stale.status_code == 200 and stale["Cache-Control"] == "private, no-store"
    assert "2 activities, 2 in all" in stale.content.decode()
    assert staff_client.get(f"/a/{a.slug}/people/999999/activity/",
                            {"format": "svg", "chart": "activity-by-month"}).status_code == 404
    assert staff_client.get(timeline, {"format": "svg", "chart": "other"}).status_code == 404


def test_profile_queries_do_not_grow_with_activity(world, staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a, p = world["association"], world["person"]
    url = f"/a/{a.slug}/people/{p.pk}/"
    add(a, world["web"], p, at=NOW - timedelta(days=1))
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for i in range(80):
        add(a, world["web" if i % 2 else "store"], p, at=NOW - timedelta(days=i), category="web",
            metadata={"page": f"/p/{i}"})
    with CaptureQueriesContext(connection) as many:
        staff_client.get(url)
    assert len(many) == len(few)


def test_feed_values_are_escaped_on_the_timeline(world, staff_client):
    a, p = world["association"], world["person"]
    add(a, world["web"], p, at=NOW, kind="<b>bold</b>",
        metadata={"page": "javascript:alert(1)", "campaign": "<script>x()</script>",
                  "url": 'https://example.org/"onmouseover="x'})
    html = staff_client.get(f"/a/{a.slug}/people/{p.pk}/activity/").content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<b>bold" not in html and 'href="javascript:' not in html
    assert 'href="https://example.org/&quot;onmouseover=&quot;x"' in html


def test_timeline_page_filters_and_load_more_without_js(world, staff_client):
    a, p = world["association"], world["person"]
    for i in range(55):
        add(a, world["web"], p, at=NOW - timedelta(minutes=i), kind=f"visit_{i:02d}")
    add(a, world["store"], p, at=NOW - timedelta(days=3), category="commerce", kind="order_line")
    url = f"/a/{a.slug}/people/{p.pk}/activity/"
    first = staff_client.get(url).content.decode()
    assert "Visit 00" in first and "Visit 49" in first and "Visit 50" not in first
    assert 'rel="next"' in first
    nxt = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = staff_client.get(nxt.split("#")[0]).content.decode()
    assert "Visit 50" in second and "Order line" in second and "Visit 49" not in second
    # HTMX "Load more" answers with just the next days and the next button.
    frag = staff_client.get(nxt.split("#")[0], HTTP_HX_REQUEST="true").content.decode()
    assert frag.lstrip().startswith("<li") and "<html" not in frag and "Visit 50" in frag
    # The profile shows the latest 25; its "Load more" continues on the timeline page.
    profile = staff_client.get(f"/a/{a.slug}/people/{p.pk}/").content.decode()
    assert "Visit 24" in profile and "Visit 25" not in profile
    more = profile.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "Visit 25" in staff_client.get(more.split("#")[0]).content.decode()
    filtered = staff_client.get(url, {"category": "commerce"}).content.decode()
    assert "Order line" in filtered and "Visit 00" not in filtered
    # Garbage in the query string is ignored, not a 500.
    assert staff_client.get(url, {"since": "yesterday", "source": "x", "cursor": "%%%"}
                            ).status_code == 200


def test_timeline_of_another_associations_person_is_404(world, other_association, staff_client):
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, last_name="Stranger")
    slug = world["association"].slug
    assert staff_client.get(f"/a/{slug}/people/{stranger.pk}/activity/").status_code == 404
    assert staff_client.get(f"/a/{slug}/people/{stranger.pk}/activity/",
                            HTTP_HX_REQUEST="true").status_code == 404
    assert staff_client.get(f"/a/{slug}/people/{stranger.pk}/activity/",
                            {"format": "svg", "chart": "activity-by-month"}).status_code == 404


# ---------------------------------------------------------------- API

@pytest.fixture
def api(world, staff_user):
    return ApiClient(api_token_create(association=world["association"], user=staff_user))


def test_api_activities_pages_newest_first_with_filters(world, api):
    a, p = world["association"], world["person"]
    made = [add(a, world["web"], p, at=NOW - timedelta(hours=i // 3)) for i in range(12)]
    sale = add(a, world["store"], p, at=NOW - timedelta(days=40), category="commerce",
               kind="order_line", amount=Decimal("5.00"), metadata={"order": "#1001"})
    expected = [x.pk for x in sorted([*made, sale], key=lambda x: (x.occurred_at, x.pk),
                                     reverse=True)]
    got, cursor = [], None
    while True:
        r = api.get(f"/people/{p.pk}/activities", {"limit": 5, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.content
        body = r.json()
        got += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert got == expected
    r = api.get(f"/people/{p.pk}/activities", {"category": "commerce"}).json()
    item = r["items"][0]
    assert item == {**item, "id": sale.pk, "category": "commerce", "kind": "order_line",
                    "amount": "5.00", "currency": "USD", "source": {"id": world["store"].pk,
                                                                  "name": "Store", "slug": "store"},
                    "metadata": {"order": "#1001"}}
    web_only = api.get(f"/people/{p.pk}/activities", {"source": world["web"].pk}).json()["items"]
    assert [x["id"] for x in web_only] == [pk for pk in expected if pk != sale.pk]
    since = (NOW - timedelta(days=41)).isoformat()
    until = (NOW - timedelta(days=39)).isoformat()
    r = api.get(f"/people/{p.pk}/activities", {"since": since, "until": until}).json()
    assert [x["id"] for x in r["items"]] == [sale.pk]
    assert api.get(f"/people/{p.pk}/activities", {"category": "nope"}).status_code == 422
    assert api.get(f"/people/{p.pk}/activities", {"cursor": "garbage"}).status_code == 422


def test_api_summary_shape(world, api):
    a, p = world["association"], world["person"]
    add(a, world["store"], p, at=NOW - timedelta(days=3), category="commerce", kind="order_line",
        amount=Decimal("10.00"))
    body = api.get(f"/people/{p.pk}/activity-summary").json()
    assert body["person_id"] == p.pk
    assert body["windows"] == [30, 90, 365]
    commerce = next(c for c in body["categories"] if c["category"] == "commerce")
    assert commerce["counts"] == {"30": 1, "90": 1, "365": 1}
    assert commerce["amounts"]["30"] == [{"currency": "USD", "amount": "10.00"}]
    assert len(body["months"]) == 12 and len(commerce["monthly"]) == 12
    assert body["totals"]["counts"]["365"] == 1


def test_api_is_404_for_another_associations_person(world, api, other_association):
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, last_name="Stranger")
    assert api.get(f"/people/{stranger.pk}/activities").status_code == 404
    assert api.get(f"/people/{stranger.pk}/activity-summary").status_code == 404
    assert api.get("/people/999999999/activities").status_code == 404
