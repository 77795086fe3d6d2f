"""Helpers for the recognition tests: people with verified contributions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from commonground.engagement.models import Contribution
from commonground.people.services import person_create


def contribute(association, person, kinds: list[str], *, days_ago: int = 10,
               status: str = "verified") -> None:
    """One contribution per kind given (repeat a kind to count it twice), already verified
    (H1's verification is not what these tests are about)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Contribution.objects.bulk_create([
        Contribution(association=association, person=person, kind=k, title=f"{k} {i}",
                     occurred_on=day, status=status, origin="staff")
        for i, k in enumerate(kinds)])


def member(association, first: str, email: str | None = None):
    return person_create(association=association, first_name=first, last_name="Tester",
                         email=email if email is not None else f"{first.lower()}@example.org")


def merge_world(association, keep, remove, other) -> None:
    """Recognition rows on both people of tests/test_people_merge.py's world: a badge of
    the same tier each, nominations (one made by the removed person), an expert entry and
    a public-page choice each (kept once: see recognition.hooks)."""
    from commonground.recognition import services  # noqa: PLC0415 — keeps this module light

    contributor, leader, _ = services.tiers_install_defaults(association=association)
    services.nomination_create(association=association, tier=contributor, person=other,
                               reason="Helps everyone", source="member",
                               nominated_by_person=remove)
    for person in (keep, remove):
        services.award_issue(association=association, tier=contributor, person=person)
        services.nomination_create(association=association, tier=leader, person=person,
                                   reason="Leads")
        services.expert_profile_save(association=association, person=person,
                                     headline=person.first_name, other_specialties="x")
        services.member_recognition_set(association=association, person=person, public=True)
