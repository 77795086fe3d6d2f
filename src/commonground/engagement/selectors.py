"""Engagement reads. Never a write."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from commonground.people.models import Person

from . import inference
from .models import (
    Contribution,
    ContributionStatus,
    GroupMember,
    GroupStatus,
    MemberTrait,
    Notice,
    Outcome,
    PeerGroup,
    Trait,
    TraitKind,
    TraitSource,
)


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


# ---------------------------------------------------------------- traits

PRECEDENCE = {TraitSource.MEMBER: 0, TraitSource.STAFF: 1, TraitSource.INFERRED: 2}


@dataclass(frozen=True)
class EffectiveTrait:
    trait: Trait
    strength: int
    source: str
    evidence: dict
    note: str

    @property
    def explanation(self) -> str:
        if self.source == TraitSource.INFERRED:
            return inference.evidence_text(self.evidence)
        return TraitSource(self.source).label


def taxonomy(*, kind: str | None = None, active_only: bool = True) -> QuerySet[Trait]:
    qs = Trait.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("kind", "order", "name")


def effective_traits_for(person_ids: list[int]) -> dict[int, list[EffectiveTrait]]:
    """Each person's traits with one answer per trait: the member's own wins, then staff's,
    then the inferred one. Where the member answered a kind (e.g. said which motivations
    matter), inferred entries of that kind are dropped: they told us."""
    rows = MemberTrait.objects.filter(person_id__in=person_ids).select_related("trait")
    by_person: dict[int, dict[int, MemberTrait]] = {}
    answered: set[tuple[int, str]] = set()
    for mt in rows:
        if mt.source == TraitSource.MEMBER:
            answered.add((mt.person_id, mt.trait.kind))
        best = by_person.setdefault(mt.person_id, {})
        current = best.get(mt.trait_id)
        if current is None or PRECEDENCE[mt.source] < PRECEDENCE[current.source]:
            best[mt.trait_id] = mt
    out: dict[int, list[EffectiveTrait]] = {pid: [] for pid in person_ids}
    for pid, best in by_person.items():
        chosen = [mt for mt in best.values()
                  if not (mt.source == TraitSource.INFERRED and (pid, mt.trait.kind) in answered)]
        chosen.sort(key=lambda mt: (mt.trait.kind, -mt.strength, mt.trait.order, mt.trait.name))
        out[pid] = [EffectiveTrait(trait=mt.trait, strength=mt.strength, source=mt.source,
                                   evidence=mt.evidence, note=mt.note) for mt in chosen]
    return out


def effective_traits(person: Person) -> list[EffectiveTrait]:
    """One person's traits, member > staff > inferred (see ``effective_traits_for``)."""
    return effective_traits_for([person.pk])[person.pk]


def _top_motivations(source: str, person_ids: list[int] | None) -> dict[int, str]:
    qs = MemberTrait.objects.filter(source=source, trait__kind=TraitKind.MOTIVATION)
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    out: dict[int, tuple[int, float, str]] = {}
    for pid, slug, strength, evidence in qs.values_list("person_id", "trait__slug", "strength",
                                                        "evidence").iterator(chunk_size=5000):
        rank = (strength, float((evidence or {}).get("lift", 0)))
        if pid not in out or rank > out[pid][:2]:
            out[pid] = (*rank, slug)
    return {pid: v[2] for pid, v in out.items()}


def inferred_top_motivations(*, person_ids: list[int] | None = None) -> dict[int, str]:
    """person id → slug of their strongest inferred motivation (by strength, then lift).
    For measuring the inference against what members state (or the demo's hidden truth)."""
    return _top_motivations(TraitSource.INFERRED, person_ids)


def stated_top_motivations(*, person_ids: list[int] | None = None) -> dict[int, str]:
    """person id → slug of the motivation they rated highest in the survey."""
    return _top_motivations(TraitSource.MEMBER, person_ids)


def inferred_top_motivation(person: Person) -> str | None:
    return inferred_top_motivations(person_ids=[person.pk]).get(person.pk)


def person_traits_by_source(*, person: Person, source: str) -> dict[int, int]:
    """{trait id: strength} one source holds for the person (forms' initial values)."""
    return dict(MemberTrait.objects.filter(person=person, source=source)
                .values_list("trait_id", "strength"))


# ---------------------------------------------------------------- outcomes, the profile

def person_outcomes(*, person: Person) -> QuerySet[Outcome]:
    return Outcome.objects.filter(person=person).select_related("offering", "via_person") \
        .order_by("-occurred_on", "-id")


def person_engagement_summary(*, person: Person, limit: int = 5) -> dict:
    """The staff profile panel: effective traits, recent contributions and outcomes."""
    counts = dict(Contribution.objects.filter(person=person).values_list("status")
                  .annotate(n=Count("id")))
    return {
        "traits": effective_traits(person),
        "contributions": list(person_contributions(person=person)[:limit]),
        "contribution_counts": {s: counts.get(s, 0) for s in ContributionStatus.values},
        "outcomes": list(person_outcomes(person=person)[:limit]),
        "outcome_count": Outcome.objects.filter(person=person).count(),
    }


# ---------------------------------------------------------------- peer groups

def groups_for_member(*, person: Person) -> dict:
    mine = dict(GroupMember.objects.filter(person=person).values_list("group_id", "role"))
    approved = list(PeerGroup.objects.filter(status=GroupStatus.APPROVED)
                    .annotate(size=Count("members")).order_by("name"))
    for g in approved:
        g.my_role = mine.get(g.pk)
    proposed = list(PeerGroup.objects.filter(proposed_by=person)
                    .exclude(status=GroupStatus.APPROVED).order_by("-created_at"))
    return {"groups": approved, "proposed": proposed}


def groups_for_staff(*, status: str | None = None) -> QuerySet[PeerGroup]:
    qs = PeerGroup.objects.select_related("proposed_by").annotate(size=Count("members"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "name")


def group_members(*, group: PeerGroup) -> QuerySet[GroupMember]:
    return GroupMember.objects.filter(group=group).select_related("person") \
        .order_by("role", "person__last_name", "person__first_name")
