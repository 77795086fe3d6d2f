"""Reads of the recognition app: rule candidates, queues, a person's badges, the public
page and the expert directory. Never a write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet

from commonground.engagement.models import Contribution, ContributionStatus, Trait, TraitKind
from commonground.people.models import Person

from .models import (
    Award,
    ExpertProfile,
    MemberRecognition,
    Nomination,
    NominationStatus,
    Tier,
    VettingStatus,
)


@dataclass(frozen=True)
class Candidate:
    person_id: int
    contributions: int
    kinds: int
    required: int

    @property
    def evidence(self) -> dict[str, int]:
        return {"contributions": self.contributions, "kinds": self.kinds,
                "required_kind_contributions": self.required}

    @property
    def summary(self) -> str:
        text = (f"{self.contributions} verified contribution{'s' if self.contributions != 1 else ''}"
                f" of {self.kinds} kind{'s' if self.kinds != 1 else ''}")
        if self.required:
            text += f", {self.required} of them leadership"
        return text


def tier_candidates(*, tier: Tier, today: date) -> list[Candidate]:
    """People whose verified contributions in the tier's window meet its rule: one grouped
    query over the contributions (association, status, date), never a loop per person."""
    since = today - relativedelta(months=tier.window_months)
    rows = (Contribution.objects
            .filter(status=ContributionStatus.VERIFIED, occurred_on__gt=since,
                    occurred_on__lte=today, person__erased_at__isnull=True)
            .values("person_id")
            .annotate(n=Count("id"), kinds=Count("kind", distinct=True),
                      required=Count("id", filter=Q(kind__in=tier.required_kinds or ["-"])))
            .filter(n__gte=tier.min_contributions, kinds__gte=tier.min_kinds)
            .order_by("person_id"))
    if tier.required_kinds:
        rows = rows.filter(required__gte=1)
    return [Candidate(r["person_id"], r["n"], r["kinds"], r["required"] if tier.required_kinds
                      else 0) for r in rows]


def people_by_id(ids: list[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=ids, erased_at__isnull=True)}


def tier_list() -> QuerySet[Tier]:
    return Tier.objects.annotate(
        holders=Count("awards", filter=Q(awards__revoked_at__isnull=True), distinct=True),
        pending=Count("nominations", filter=Q(nominations__status=NominationStatus.PENDING),
                      distinct=True))


def nomination_queue() -> QuerySet[Nomination]:
    return (Nomination.objects.filter(status=NominationStatus.PENDING)
            .select_related("tier", "person", "nominated_by_person").order_by("created_at", "id"))


def award_list(*, tier: Tier | None = None, person: Person | None = None,
               include_revoked: bool = True) -> QuerySet[Award]:
    qs = Award.objects.select_related("tier", "person")
    if tier is not None:
        qs = qs.filter(tier=tier)
    if person is not None:
        qs = qs.filter(person=person)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs


def award_by_uuid(value: str) -> Award | None:
    """The award with this uuid (text from a URL), or None for anything else."""
    import uuid as uuidlib  # noqa: PLC0415 — only this parser needs it

    try:
        key = uuidlib.UUID(str(value))
    except (ValueError, AttributeError):
        return None
    return Award.objects.select_related("tier", "person").filter(uuid=key).first()


def person_recognition(*, person: Person) -> dict[str, Any]:
    """One person's badges, nominations, public-page choice and expert profile."""
    setting = MemberRecognition.objects.filter(person=person).first()
    return {
        "awards": list(award_list(person=person)),
        "nominations": list(Nomination.objects.filter(person=person).select_related("tier")),
        "public": bool(setting and setting.public),
        "headline": setting.headline if setting else "",
        "expert": ExpertProfile.objects.filter(person=person)
        .prefetch_related("specialties__trait").first(),
    }


def public_roll() -> list[dict[str, Any]]:
    """The public recognition page: members who opted in, with their current badges."""
    settings = {s.person_id: s for s in MemberRecognition.objects.filter(
        public=True, person__erased_at__isnull=True)}
    awards = (Award.objects.filter(revoked_at__isnull=True, person_id__in=list(settings))
              .select_related("tier", "person").order_by("tier__order", "person__last_name",
                                                         "person__first_name", "id"))
    people: dict[int, dict[str, Any]] = {}
    for award in awards:
        entry = people.setdefault(award.person_id, {
            "person": award.person, "headline": settings[award.person_id].headline,
            "awards": []})
        entry["awards"].append(award)
    return sorted(people.values(), key=lambda e: (-max(a.tier.order for a in e["awards"]),
                                                  e["person"].last_name, e["person"].first_name))


def skill_traits() -> QuerySet[Trait]:
    return Trait.objects.filter(kind=TraitKind.SKILL, is_active=True).order_by("order", "name")


def expert_search(*, text: str = "", specialty: int | None = None,
                  status: str | None = VettingStatus.VETTED,
                  available_only: bool = False) -> QuerySet[ExpertProfile]:
    """Experts matching every word (in the headline, bio, other specialties, a specialty's
    name or the person's name) and the specialty; vetted ones unless ``status`` says."""
    qs = (ExpertProfile.objects.filter(person__erased_at__isnull=True)
          .select_related("person").prefetch_related("specialties__trait"))
    if status:
        qs = qs.filter(status=status)
    if available_only:
        qs = qs.exclude(availability="unavailable")
    if specialty:
        qs = qs.filter(specialties__trait_id=specialty)
    for word in text.split()[:8]:
        qs = qs.filter(Q(headline__icontains=word) | Q(bio__icontains=word)
                       | Q(other_specialties__icontains=word)
                       | Q(specialties__trait__name__icontains=word)
                       | Q(person__first_name__icontains=word)
                       | Q(person__last_name__icontains=word))
    return qs.distinct().order_by("person__last_name", "person__first_name", "id")
