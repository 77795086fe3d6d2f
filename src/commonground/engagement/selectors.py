"""Engagement reads. Never a write."""

from __future__ import annotations

from django.db.models import QuerySet

from commonground.people.models import Person

from .models import Contribution, ContributionStatus, Notice


def person_notices(*, person: Person, limit: int = 100) -> list[Notice]:
    return list(Notice.objects.filter(person=person).order_by("-created_at", "-id")[:limit])


def unread_notice_count(*, person: Person) -> int:
    return Notice.objects.filter(person=person, read_at__isnull=True).count()


def person_contributions(*, person: Person) -> QuerySet[Contribution]:
    return Contribution.objects.filter(person=person).select_related("offering") \
        .order_by("-occurred_on", "-id")


def contribution_queue(*, status: str = ContributionStatus.SUBMITTED,
                       origin: str | None = None) -> QuerySet[Contribution]:
    """The verification queue, oldest first so nothing waits forever."""
    qs = Contribution.objects.filter(status=status).select_related("person", "offering")
    if origin:
        qs = qs.filter(origin=origin)
    return qs.order_by("created_at", "id")
