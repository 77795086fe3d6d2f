"""Identity resolution and linking: set-based lookups, first tie wins, backfill."""

from __future__ import annotations

from datetime import UTC, datetime

from commonground.activity.identity.selectors import resolve
from commonground.activity.identity.services import (
    Link,
    email_hash,
    email_hashes_sync,
    identities_link,
)
from commonground.activity.models import Activity, Identity, Source
from commonground.people.services import person_create


def _activity(association, source, key, ext):
    return Activity.objects.create(association=association, source=source, anonymous_key=key,
                                   kind="page_view", category="web", external_id=ext,
                                   occurred_at=datetime(2024, 5, 1, tzinfo=UTC))


def test_link_backfills_unmatched_and_first_tie_wins(scoped):
    jane = person_create(association=scoped, first_name="Jane", email="Jane@Example.org")
    joe = person_create(association=scoped, first_name="Joe", email="joe@example.org")
    web = Source.objects.create(association=scoped, slug="web", name="Web")
    a1 = _activity(scoped, web, "anon:v1", "1")
    a2 = _activity(scoped, web, "anon:v1", "2")
    other = _activity(scoped, web, "anon:v2", "3")
    out = identities_link(association=scoped, links=[Link(jane.pk, "anon", "v1")])
    assert out == {"linked": 1, "backfilled": 2}
    for a in (a1, a2):
        a.refresh_from_db()
        assert a.person_id == jane.pk and a.anonymous_key == ""
    other.refresh_from_db()
    assert other.person_id is None
    # v1 stays Jane's.
    out = identities_link(association=scoped, links=[(joe.pk, "anon", "v1", None)])
    assert out["linked"] == 0
    assert resolve(association=scoped, kind="anon", values=["v1", "v9"]) == {"v1": jane.pk}


def test_ext_ids_are_per_source(scoped):
    jane = person_create(association=scoped, first_name="Jane", email="jane@example.org")
    shop = Source.objects.create(association=scoped, slug="shop", name="Shop")
    forum = Source.objects.create(association=scoped, slug="forum", name="Forum")
    in_shop = _activity(scoped, shop, "ext:123", "o1")
    in_forum = _activity(scoped, forum, "ext:123", "p1")
    identities_link(association=scoped, links=[(jane.pk, "ext", "123", shop.pk)])
    in_shop.refresh_from_db()
    in_forum.refresh_from_db()
    assert in_shop.person_id == jane.pk and in_forum.person_id is None
    assert resolve(association=scoped, kind="ext", values=["123"], source_id=forum.pk) == {}


def test_emails_and_hashes_resolve(scoped):
    jane = person_create(association=scoped, first_name="Jane", email="Jane@Example.org")
    assert resolve(association=scoped, kind="email", values=["jane@example.org"]) == {
        "jane@example.org": jane.pk}
    assert email_hashes_sync(association=scoped) == 1
    assert email_hashes_sync(association=scoped) == 0
    digest = email_hash("jane@example.org")
    assert Identity.objects.get(kind="hash").value == digest
    assert resolve(association=scoped, kind="hash", values=[digest]) == {digest: jane.pk}
