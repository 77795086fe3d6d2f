"""The member list: search, filters, sorting, keyset pagination, counts and query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.core.pagination import encode_cursor, read_cursor
from commonground.membership import services as ms
from commonground.people import selectors
from commonground.people import services as ps

NAMES = [("Ann", "Archer"), ("Bea", "Baker"), ("Cy", "Cole"), ("Di", "Dunn"), ("Ed", "Eve"),
         ("Flo", "Fox"), ("Gus", "Gray"), ("Hal", "Hill"), ("Ivy", "Ives"), ("Jo", "Jones"),
         ("Kit", "Khan"), ("Lu", "Lee"), ("Mo", "Moss"), ("Ned", "Baker")]


@pytest.fixture(autouse=True)
def _fresh_count_cache():
    from django.core.cache import cache

    cache.clear()  # counts are cached per tenant id, which test databases reuse
    yield


@pytest.fixture
def roster(association):
    """14 people: two plans, two chapters, join dates a month apart, one without membership."""
    today = timezone.localdate()
    with scope(association=association):
        north = ps.chapter_create(association=association, name="North")
        south = ps.chapter_create(association=association, name="South")
        gold = ms.plan_save(association=association, name="Gold", price="0")
        silver = ms.plan_save(association=association, name="Silver", price="0")
        people = []
        for i, (first, last) in enumerate(NAMES):
            p = ps.person_create(association=association, first_name=first, last_name=last,
                                 email=f"{first.lower()}@example.org",
                                 chapter=(north if i % 2 else south).pk)
            people.append(p)
            if i == len(NAMES) - 1:
                continue  # Ned has no membership
            # ends spread from ~2 months ago (lapsed) to ~11 months ahead
            joined = today - timedelta(days=420) + timedelta(days=30 * i)
            ms.membership_join(association=association, plan=gold if i < 7 else silver,
                               person=p, joined_on=joined, invoice=False)
        ms.memberships_advance(association=association)
    return {"people": people, "gold": gold, "silver": silver, "north": north, "south": south}


def _names(rows):
    return [p.last_name + "," + p.first_name for p in rows]


def test_search_by_name_email_and_words(scoped, roster):
    assert _names(selectors.person_list(search="BAKER").rows) == ["Baker,Bea", "Baker,Ned"]
    assert _names(selectors.person_list(search="flo@exa").rows) == ["Fox,Flo"]
    assert _names(selectors.person_list(search="ned baker").rows) == ["Baker,Ned"]
    assert _names(selectors.person_list(search="baker ned").rows) == ["Baker,Ned"]
    assert selectors.person_list(search="nobody").rows == []


def test_filters(scoped, roster):
    gold = selectors.person_list(plan=roster["gold"].pk, limit=50)
    assert gold.count == 7 and all(p.current_membership.plan_id == roster["gold"].pk
                                   for p in gold.rows)
    north = selectors.person_list(chapter=roster["north"].pk)
    assert {p.chapter_id for p in north.rows} == {roster["north"].pk} and north.count == 7
    lapsed = selectors.person_list(status="lapsed")
    assert lapsed.rows and all(p.current_membership.status == "lapsed" for p in lapsed.rows)
    today = timezone.localdate()
    soon = selectors.person_list(expiring="60")
    assert soon.rows and all(today <= p.current_membership.ends_on <= today + timedelta(days=60)
                             for p in soon.rows)
    ended = selectors.person_list(expiring="ended90")
    assert ended.rows and all(today - timedelta(days=90) <= p.current_membership.ends_on < today
                              for p in ended.rows)
    both = selectors.person_list(plan=roster["silver"].pk, chapter=roster["north"].pk,
                                 search="o")
    assert all(p.chapter_id == roster["north"].pk and "o" in p.search_text for p in both.rows)


def _walk(sort: str, limit: int, **filters) -> list:
    """All rows page by page forwards; then back again with the previous links."""
    pages = [selectors.person_list(sort=sort, limit=limit, **filters)]
    while pages[-1].next_cursor:
        pages.append(selectors.person_list(sort=sort, limit=limit, cursor=pages[-1].next_cursor,
                                           **filters))
        assert len(pages) < 50
    forward = [p.pk for page in pages for p in page.rows]
    back = [pages[-1]]
    while back[-1].prev_cursor:
        back.append(selectors.person_list(sort=sort, limit=limit, cursor=back[-1].prev_cursor,
                                          **filters))
        assert len(back) < 50
    assert [[p.pk for p in page.rows] for page in reversed(back)] == \
        [[p.pk for p in page.rows] for page in pages]
    assert pages[0].prev_cursor is None
    return forward


@pytest.mark.parametrize("sort", list(selectors.SORTS))
@pytest.mark.parametrize("limit", [1, 3, 5, 50])
def test_keyset_pages_cover_everyone_once_in_order(scoped, roster, sort, limit):
    everyone = selectors.person_list(sort=sort, limit=200).rows
    assert len(everyone) == len(NAMES)
    walked = _walk(sort, limit)
    assert walked == [p.pk for p in everyone]

    def key(p):
        m = p.current_membership
        if sort.lstrip("-") == "name":
            return (p.last_name, p.first_name, p.pk)
        if sort.lstrip("-") == "joined":
            return (m.joined_on if m else timezone.datetime.max.date(), p.pk)
        return (m.ends_on if m else timezone.datetime.max.date(), p.pk)

    expected = sorted(everyone, key=key, reverse=sort.startswith("-"))
    assert [p.pk for p in everyone] == [p.pk for p in expected]


def test_keyset_with_filter(scoped, roster):
    walked = _walk("-expires", 2, plan=roster["silver"].pk)
    assert len(walked) == 6 and len(set(walked)) == 6


def test_count_is_capped(scoped, roster):
    assert selectors.person_count(cap=5) == (5, True)
    assert selectors.person_count(cap=100) == (len(NAMES), False)
    page = selectors.person_list(search="a")
    assert page.count == len(page.rows) and not page.count_capped


@settings(max_examples=60, deadline=None)
@given(cursor=st.one_of(st.text(max_size=40), st.binary(max_size=30).map(lambda b: b.hex())))
def test_garbage_cursors_are_ignored(cursor):
    decoded = read_cursor(cursor)
    assert decoded is None or isinstance(decoded[0], list)


def test_tampered_cursor_on_the_page_is_not_a_500(staff_client, roster):
    url = reverse("person_list", kwargs={"association": "acme"})
    for cursor in ("zzz", encode_cursor(["not-a-date", 3]), encode_cursor([1])):
        response = staff_client.get(url, {"cursor": cursor, "sort": "expires"})
        assert response.status_code == 200


def test_list_page_renders_filters_and_pager(staff_client, roster):
    url = reverse("person_list", kwargs={"association": "acme"})
    response = staff_client.get(url, {"q": "baker", "sort": "-name"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Baker, Ned") < body.index("Baker, Bea")
    assert "<strong>2</strong> people match" in body
    assert 'for="f-q"' in body and 'scope="col"' in body
    assert "export.csv?q=baker" in body
    response = staff_client.get(url, {"status": "lapsed", "plan": "not-a-number", "chapter": "x"})
    assert response.status_code == 200


def test_htmx_request_gets_only_the_results(staff_client, roster):
    url = reverse("person_list", kwargs={"association": "acme"})
    response = staff_client.get(url, {"q": "fox"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Fox, Flo" in body and "<html" not in body


def test_list_page_query_count_does_not_grow_with_rows(staff_client, roster, association,
                                                       django_assert_max_num_queries):
    url = reverse("person_list", kwargs={"association": "acme"})
    staff_client.get(url)  # warm the session
    # session, user, staff lookup, roles, page, memberships of the page, capped count
    # (skipped when the first page holds every match), plans and chapters for the filter menus
    with django_assert_max_num_queries(9):
        response = staff_client.get(url, {"status": "active", "sort": "expires"})
    assert response.status_code == 200
    with scope(association=association):
        for i in range(30):
            p = ps.person_create(association=association, first_name=f"N{i}", last_name="Newby")
            ms.membership_join(association=association, plan=roster["gold"], person=p,
                               invoice=False)
    with django_assert_max_num_queries(9):
        response = staff_client.get(url, {"status": "active", "sort": "expires"})
    assert len(response.context["page"].rows) > 30


def test_export_uses_the_filters(staff_client, roster):
    pytest.importorskip("commonground.membership.exporting")
    url = reverse("person_list_export", kwargs={"association": "acme", "fmt": "csv"})
    response = staff_client.get(url, {"q": "baker"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "bea@example.org" in body and "flo@example.org" not in body
    xlsx = staff_client.get(reverse("person_list_export",
                                    kwargs={"association": "acme", "fmt": "xlsx"}))
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_count_cache_sees_new_people_at_once(scoped, roster, association):
    before = selectors.person_count(search="baker")
    ps.person_create(association=association, first_name="Zed", last_name="Baker",
                     email="zed@example.org")
    assert selectors.person_count(search="baker") == (before[0] + 1, False)
