"""The seeded activity stream: every feed, deterministic, and following the hidden profiles."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope

from commonground.activity.mapping import profile_kinds, profile_mapping
from commonground.activity.models import Activity, Category, Identity, Source
from commonground.demo.seed import seed_association
from commonground.membership import services as membership_services
from commonground.membership.models import Membership
from commonground.people.models import Person

TODAY = date(2026, 6, 15)

pytestmark = pytest.mark.django_db


def _checksum(association) -> tuple[int, str]:
    with scope(association=association):
        rows = Activity.objects.order_by("source__slug", "external_id").values_list(
            "source__slug", "external_id", "kind", "category", "occurred_at", "amount",
            "person__email", "anonymous_key", "metadata", "offering__name")
        digest = hashlib.sha256()
        count = 0
        for row in rows.iterator():
            # Page URLs name the association's own site.
            digest.update(repr(row).replace(association.slug, "SLUG").encode())
            count += 1
    return count, digest.hexdigest()


def test_same_seed_same_activity_and_another_seed_differs():
    a = seed_association(slug="act-a", members=30, seed=5, today=TODAY, activities_per_member=40)
    b = seed_association(slug="act-b", members=30, seed=5, today=TODAY, activities_per_member=40)
    c = seed_association(slug="act-c", members=30, seed=6, today=TODAY, activities_per_member=40)
    first = _checksum(a.association)
    assert first[0] > 30 * 20 and a.activities == first[0]
    assert first == _checksum(b.association)
    assert first != _checksum(c.association)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, worker_id):
    """One seed shared by the read-only tests below (about 20,000 activities)."""
    with django_db_blocker.unblock():
        # Per test worker: the ground-truth file lives in the shared data directory.
        result = seed_association(slug=f"act-shared-{worker_id}", members=200, seed=11, today=TODAY)
    yield result
    with django_db_blocker.unblock():
        from django.db import transaction

        from commonground.tenancy.services import association_purge

        with transaction.atomic():
            association_purge(association_id=result.association.pk)


def test_every_feed_every_category_and_the_profiles_mappings(seeded):
    association = seeded.association
    with scope(association=association):
        sources = {s.profile: s for s in Source.objects.all()}
        assert set(sources) == set(profile_kinds())
        for kind, source in sources.items():
            assert source.mapping == profile_mapping(kind)  # real files fit the seeded feeds
            assert source.rows_landed == Activity.objects.filter(source=source).count() > 0
        assert set(Activity.objects.values_list("category", flat=True).distinct()) == set(Category.values)
        # The idempotency key is unique per feed (the constraint holds; ids are not blank).
        assert not Activity.objects.filter(external_id="").exists()
        per_member = seeded.activities / seeded.members
        assert 70 <= per_member <= 130


def test_orders_carry_decimal_amounts_in_the_currency_and_link_the_catalogue(seeded):
    association = seeded.association
    with scope(association=association):
        orders = list(Activity.objects.filter(source__profile="ecommerce"))
        assert orders
        for order in orders:
            assert isinstance(order.amount, Decimal) and order.amount >= 0
            assert order.currency == association.currency
            assert order.external_id.startswith("#") and order.metadata["customer_id"]
        linked = [o for o in orders if o.offering_id]
        assert {o.offering.name for o in linked} >= {"Annual Conference", "Standards Handbook"}
        conference = next(o for o in linked if o.offering.name == "Annual Conference")
        assert conference.amount in (Decimal("495.00"), Decimal("795.00"))
        checkins = Activity.objects.filter(kind="event_checkin")
        assert checkins.exists() and not checkins.filter(offering__isnull=True).exists()
        assert not Activity.objects.exclude(source__profile="ecommerce").filter(
            amount__isnull=False).exists()


def test_opens_and_clicks_follow_the_campaign_sends(seeded):
    with scope(association=seeded.association):
        sends = {}
        for person, campaign, at in Activity.objects.filter(kind="email_sent", person__isnull=False) \
                .values_list("person_id", "metadata__campaign", "occurred_at"):
            sends[person, campaign] = at
        opens = list(Activity.objects.filter(kind__in=["email_open", "email_click"],
                                             person__isnull=False)
                     .values_list("person_id", "metadata__campaign", "occurred_at"))
        assert opens and len(sends) > len(opens) > len(sends) // 10
        for person, campaign, at in opens:
            assert sends[person, campaign] < at
        # Office hours and weekdays dominate the website's traffic.
        views = Activity.objects.filter(kind="page_view").values_list("occurred_at", flat=True)
        weekdays = Counter(v.weekday() < 5 for v in views)
        assert weekdays[True] > 3 * weekdays[False]


def test_visitors_who_identified_are_attached_and_the_rest_stay_unmatched(seeded):
    with scope(association=seeded.association):
        anon = list(Identity.objects.filter(kind="anon"))
        assert anon
        for identity in anon[:15]:
            visits = Activity.objects.filter(metadata__visitor_id=identity.value)
            assert visits.exists() and not visits.exclude(person_id=identity.person_id).exists()
            assert not Activity.objects.filter(anonymous_key=identity.key).exists()
        unmatched = Activity.objects.filter(person__isnull=True)
        keys = Counter(k.split(":")[0] for k in unmatched.values_list("anonymous_key", flat=True))
        assert keys["anon"] > 100 and keys["email"] > 0 and keys["ext"] > 0
        assert not unmatched.filter(anonymous_key="").exists()
        known = set(Person.objects.values_list("email_key", flat=True))
        addresses = {k.split(":", 1)[1] for k in unmatched.filter(anonymous_key__startswith="email:")
                     .values_list("anonymous_key", flat=True)}
        assert addresses and not addresses & known
        # Prospects: people without a membership, with activity and their visitor history.
        prospects = Person.objects.filter(memberships__isnull=True)
        assert prospects.count() > 0
        assert Activity.objects.filter(person__in=prospects, kind="sign_up").count() == prospects.count()
        assert Identity.objects.filter(kind="anon", person__in=prospects).count() == prospects.count()


def test_feeds_know_people_by_their_own_ids(seeded):
    with scope(association=seeded.association):
        ext = Identity.objects.filter(kind="ext").select_related("source")
        by_source = Counter(i.source.profile for i in ext)
        assert {"ecommerce", "forum", "course_completion", "web_analytics"} <= set(by_source)
        key = {"ecommerce": "customer_id", "forum": "author_id", "course_completion": "learner_id",
               "event_checkin": "attendee_id", "social": "handle", "web_analytics": "user_id"}
        for identity in list(ext)[::25]:
            rows = Activity.objects.filter(source=identity.source, person_id=identity.person_id)
            assert rows.exists()
            # Web visits from before they identified carry the visitor id instead.
            ids = {r.metadata.get(key[identity.source.profile]) for r in rows}
            assert ids - {None} == {identity.value}


def _truth(seeded) -> dict[str, dict]:
    with seeded.truth_path.open() as fh:
        return {r["email"]: r for r in csv.DictReader(fh) if r["kind"] == "person"}


def test_engaged_members_do_more_and_motivation_shapes_the_mix(seeded):
    truth = _truth(seeded)
    with scope(association=seeded.association):
        counts: dict[str, Counter] = defaultdict(Counter)
        for email, category in Activity.objects.filter(person__memberships__isnull=False) \
                .values_list("person__email", "category"):
            counts[email][category] += 1
    by_level: dict[str, list[int]] = defaultdict(list)
    for email, row in truth.items():
        if row["status"] == "active":
            by_level[row["engagement_level"]].append(sum(counts[email].values()))
    mean = {k: sum(v) / len(v) for k, v in by_level.items()}
    assert mean["high"] > 1.5 * mean["medium"] > 1.5 * 1.2 * mean["low"]

    def share(motivation: str, category: str) -> float:
        rows = [counts[e] for e, r in truth.items() if float(r[f"motivation_{motivation}"]) > 0.3]
        return sum(c[category] for c in rows) / max(1, sum(sum(c.values()) for c in rows))

    assert share("competence_development", "learning") > 1.2 * share("community_belonging", "learning")
    assert share("community_belonging", "community") > 1.2 * share("competence_development", "community")
    assert share("giving_back", "advocacy") > 1.2 * share("business_development", "advocacy")


def test_lapsers_fade_in_the_months_before_their_lapse(seeded):
    start = TODAY - timedelta(days=730)
    with scope(association=seeded.association):
        lapses = dict(Membership.objects.filter(
            person__isnull=False, lapsed_on__gte=start + timedelta(days=200),
            lapsed_on__lt=TODAY).values_list("person_id", "lapsed_on"))
        assert len(lapses) >= 10
        early = late = 0
        for person, at in Activity.objects.filter(person_id__in=lapses).exclude(
                category="marketing").values_list("person_id", "occurred_at"):
            before = (lapses[person] - at.date()).days
            early += 120 <= before < 180
            late += 0 <= before < 60
    assert late < 0.6 * early


def test_activity_does_not_touch_memberships_and_can_be_left_out():
    plain = seed_association(slug="act-none", members=25, seed=3, today=TODAY, activities_per_member=0)
    full = seed_association(slug="act-full", members=25, seed=3, today=TODAY, activities_per_member=30)
    assert plain.activities == 0 and full.activities > 0

    def memberships(association):
        with scope(association=association):
            assert membership_services.memberships_advance(association=association, today=TODAY) == {}
            return sorted(Person.objects.filter(memberships__isnull=False).values_list(
                "email", "member_status", "member_since", "member_until"))

    assert memberships(plain.association) == memberships(full.association)
    with scope(association=plain.association):
        assert not Activity.objects.exists() and not Source.objects.exists()


def test_seed_command_takes_the_activity_volume(capsys):
    call_command("seed", "--association", "act-cmd", "--members", "15", "--seed", "2",
                 "--activities-per-member", "20", "--today", TODAY.isoformat())
    assert "Activity:" in capsys.readouterr().out
