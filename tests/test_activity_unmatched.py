"""The unmatched queue: activity nobody matched, grouped by identity with the reason in
words; an email becomes a prospect, any identity can be attached to someone on file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from _api_support import ApiClient
from commonground.activity import selectors_quality
from commonground.activity.models import Activity, Identity, Source
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.tenancy.models import AuditEntry
from commonground.tenancy.services import api_token_create

NOW = timezone.now()


def _add(a, source, key, n, *, days_ago=0, tag=""):
    for i in range(n):
        Activity.objects.create(association=a, source=source, anonymous_key=key, kind="page_view",
                                category="web", occurred_at=NOW - timedelta(days=days_ago + i),
                                external_id=f"{key}-{tag}{i}")


@pytest.fixture
def queue(scoped):
    a = scoped
    web = Source.objects.create(association=a, slug="web", name="Website")
    mail = Source.objects.create(association=a, slug="mail", name="Newsletter")
    _add(a, web, "email:jane@example.org", 2, days_ago=1)
    _add(a, mail, "email:jane@example.org", 1, days_ago=30, tag="m")
    _add(a, web, "anon:visitor-7f3a", 4)
    _add(a, mail, "ext:C-123", 1)
    _add(a, web, "hash:" + "ab" * 32, 1)
    return {"association": a, "web": web, "mail": mail}


def test_groups_with_counts_dates_sources_and_reasons(queue):
    page = selectors_quality.unmatched_groups()
    by_key = {g["key"]: g for g in page["groups"]}
    jane = by_key["email:jane@example.org"]
    assert jane["count"] == 3 and jane["sources"] == ["Newsletter", "Website"]
    assert jane["first_seen"] < jane["last_seen"]
    assert jane["reason"] == "No person with email jane@example.org"
    assert by_key["anon:visitor-7f3a"]["reason"] == "Anonymous visitor — links when they identify"
    assert by_key["ext:C-123"]["reason"] == "No person linked to id C-123 in Newsletter"
    assert by_key["hash:" + "ab" * 32]["reason"].startswith("No person whose email hashes to abab")
    assert [g["key"] for g in selectors_quality.unmatched_groups(kind="email")["groups"]] == [
        "email:jane@example.org"]


def test_keyset_pages_cover_every_group_once(queue):
    a = queue["association"]
    for i in range(9):
        _add(a, queue["web"], f"anon:v{i:02d}", 1)
    keys, after = [], None
    while True:
        page = selectors_quality.unmatched_groups(after=after, limit=4)
        keys += [g["key"] for g in page["groups"]]
        after = page["next_after"]
        if not after:
            break
    assert keys == sorted(set(keys)) and len(keys) == 13


def test_page_lists_groups_and_filters_by_kind(queue, staff_client):
    slug = queue["association"].slug
    html = staff_client.get(f"/a/{slug}/activity/unmatched/").content.decode()
    assert "No person with email jane@example.org" in html and "Create prospect" in html
    assert "Anonymous visitor" in html and "Attach to existing person" in html
    only_anon = staff_client.get(f"/a/{slug}/activity/unmatched/", {"kind": "anon"}).content.decode()
    assert "visitor-7f3a" in only_anon and "jane@example.org" not in only_anon
    assert staff_client.get(f"/a/{slug}/activity/unmatched/", {"kind": "zzz", "after": "%%"}
                            ).status_code == 200


def test_create_prospect_attaches_the_waiting_activities(queue, staff_client):
    a = queue["association"]
    response = staff_client.post(f"/a/{a.slug}/activity/unmatched/prospect/",
                                 {"key": "email:jane@example.org"})
    assert response.status_code == 302
    person = Person.objects.get(email_key="jane@example.org")
    assert response["Location"] == f"/a/{a.slug}/people/{person.pk}/"
    assert Activity.objects.filter(person=person).count() == 3
    assert not Activity.objects.filter(anonymous_key="email:jane@example.org").exists()
    assert AuditEntry.objects.filter(action="activity.prospect_created", object_id=person.pk,
                                     data__activities=3).exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "3 activities moved" in page and "Page view" in page
    # Nothing waits any more: a second click is an error message, not a second person.
    again = staff_client.post(f"/a/{a.slug}/activity/unmatched/prospect/",
                              {"key": "email:jane@example.org"}, follow=True)
    assert "Nothing is waiting" in again.content.decode()
    assert Person.objects.filter(email_key="jane@example.org").count() == 1


def test_only_emails_become_prospects(queue, staff_client):
    a = queue["association"]
    response = staff_client.post(f"/a/{a.slug}/activity/unmatched/prospect/",
                                 {"key": "anon:visitor-7f3a"}, follow=True)
    assert "Only an email address can become a prospect" in response.content.decode()
    assert Activity.objects.filter(anonymous_key="anon:visitor-7f3a").count() == 4
    assert staff_client.get(f"/a/{a.slug}/activity/unmatched/prospect/").status_code == 405


def test_attach_an_anonymous_visitor_to_an_existing_person(queue, staff_client):
    a = queue["association"]
    ada = ps.person_create(association=a, first_name="Ada", last_name="Lovelace",
                           email="ada@example.org")
    url = f"/a/{a.slug}/activity/unmatched/attach/"
    search = staff_client.get(url, {"key": "anon:visitor-7f3a", "q": "lovelace"}).content.decode()
    assert "Anonymous visitor" in search and "Attach to Ada Lovelace" in search
    response = staff_client.post(url, {"key": "anon:visitor-7f3a", "person_id": ada.pk})
    assert response.status_code == 302
    assert Activity.objects.filter(person=ada).count() == 4
    # The identity is remembered: the visitor's future rows match Ada at ingestion.
    assert Identity.objects.filter(person=ada, kind="anon", value="visitor-7f3a").exists()


def test_attach_a_sources_own_id_keeps_it_per_source(queue, staff_client):
    a = queue["association"]
    bob = ps.person_create(association=a, last_name="Bob")
    staff_client.post(f"/a/{a.slug}/activity/unmatched/attach/",
                      {"key": "ext:C-123", "person_id": bob.pk})
    assert Activity.objects.filter(person=bob).count() == 1
    assert Identity.objects.filter(person=bob, kind="ext", value="C-123",
                                   source=queue["mail"]).exists()


def test_attach_refuses_unknown_people_and_other_associations(queue, staff_client,
                                                              other_association):
    a = queue["association"]
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, last_name="Stranger")
    url = f"/a/{a.slug}/activity/unmatched/attach/"
    response = staff_client.post(url, {"key": "anon:visitor-7f3a", "person_id": stranger.pk})
    assert response.status_code == 200 and "Choose a person" in response.content.decode()
    assert Activity.objects.filter(anonymous_key="anon:visitor-7f3a").count() == 4
    gone = staff_client.get(url, {"key": "anon:nobody"}, follow=True).content.decode()
    assert "Nothing is waiting for this identity" in gone


def test_unmatched_api(queue, staff_user):
    api = ApiClient(api_token_create(association=queue["association"], user=staff_user))
    body = api.get("/activities/unmatched", {"kind": "email"}).json()
    assert [g["key"] for g in body["items"]] == ["email:jane@example.org"]
    jane = body["items"][0]
    assert jane["count"] == 3 and jane["kind"] == "email" and jane["value"] == "jane@example.org"
    assert jane["reason"] == "No person with email jane@example.org"
    assert jane["id"] == Activity.objects.filter(anonymous_key=jane["key"]).order_by("-id")[0].pk
    keys, cursor = [], None
    while True:
        page = api.get("/activities/unmatched", {"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        keys += [g["key"] for g in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert len(keys) == 4 == len(set(keys))
    assert api.get("/activities/unmatched", {"kind": "nope"}).status_code == 422
