"""Reads for opportunities and invitations (never a write)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from commonground.engagement.models import Trait, TraitKind
from commonground.people.models import Person

from . import states
from .models import Invitation, InvitationStatus, Opportunity, OpportunityStatus, TraitRole


def opportunity_list(*, status: str | None = None) -> QuerySet[Opportunity]:
    """Opportunities with their pipeline counts, newest first."""
    qs = Opportunity.objects.select_related("chapter").annotate(
        n_invited=Count("invitations", filter=Q(invitations__status=InvitationStatus.INVITED)),
        n_interested=Count("invitations",
                           filter=Q(invitations__status=InvitationStatus.INTERESTED)),
        n_taken=Count("invitations", filter=Q(invitations__status__in=states.TAKING_PLACE)),
        n_completed=Count("invitations",
                          filter=Q(invitations__status=InvitationStatus.COMPLETED)),
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def opportunity_traits(opportunity: Opportunity) -> dict[str, list[Trait]]:
    """The taxonomy entries the opportunity names, by role."""
    out: dict[str, list[Trait]] = {r.value: [] for r in TraitRole}
    for ot in opportunity.traits.select_related("trait").order_by("trait__kind", "trait__name"):
        out[ot.role].append(ot.trait)
    return out


def opportunity_pipeline(opportunity: Opportunity) -> list[Invitation]:
    return list(opportunity.invitations.select_related("person", "contribution")
                .order_by("status", "-updated_at"))


def trait_choices(kind: str) -> list[tuple[int, str]]:
    return list(Trait.objects.filter(kind=kind, is_active=True).order_by("order", "name")
                .values_list("pk", "name"))


def taxonomy_choices() -> dict[str, list[tuple[int, str]]]:
    return {k: trait_choices(k) for k in (TraitKind.SKILL, TraitKind.MOTIVATION,
                                          TraitKind.INTEREST)}


def person_invitations(person: Person) -> list[Invitation]:
    """A member's invitations, open ones first."""
    order = {s: i for i, s in enumerate((InvitationStatus.INVITED, InvitationStatus.ACCEPTED,
                                         InvitationStatus.INTERESTED, InvitationStatus.SUGGESTED,
                                         InvitationStatus.COMPLETED, InvitationStatus.DECLINED,
                                         InvitationStatus.WITHDRAWN))}
    rows = list(Invitation.objects.filter(person=person).select_related("opportunity"))
    return sorted(rows, key=lambda i: (order.get(i.status, 9), -i.pk))


def open_opportunities() -> list[Opportunity]:
    return list(Opportunity.objects.filter(status=OpportunityStatus.OPEN)
                .select_related("chapter").order_by("-created_at", "-id"))


def portal_opportunity(*, person: Person, opportunity_id: int) -> Opportunity:
    """An opportunity a member may see: open, or one they have an invitation to."""
    return Opportunity.objects.filter(
        Q(status=OpportunityStatus.OPEN) | Q(invitations__person=person),
        pk=opportunity_id).distinct().get()


def invitation_of(*, opportunity: Opportunity, person: Person) -> Invitation | None:
    return Invitation.objects.filter(opportunity=opportunity, person=person).first()


def find_traits(words: list[str], *, kind: str | None = None) -> tuple[list[int], list[str]]:
    """Taxonomy entries by slug or name (case-insensitive); and the words that found none."""
    ids, missing = [], []
    qs = Trait.objects.all() if kind is None else Trait.objects.filter(kind=kind)
    for word in words:
        w = word.strip()
        if not w:
            continue
        t = qs.filter(Q(slug__iexact=w) | Q(name__iexact=w)).first()
        if t is None:
            missing.append(w)
        else:
            ids.append(t.pk)
    return ids, missing


def opportunity_row(o: Opportunity) -> dict[str, Any]:
    traits = opportunity_traits(o)
    return {"id": o.pk, "type": o.type, "title": o.title, "status": o.status,
            "capacity": o.capacity, "remote": o.remote, "location": o.location,
            "chapter": o.chapter.name if o.chapter_id else None,
            "starts_on": o.starts_on.isoformat() if o.starts_on else None,
            "ends_on": o.ends_on.isoformat() if o.ends_on else None,
            "effort_hours": str(o.effort_hours) if o.effort_hours is not None else None,
            "required_skills": [t.slug for t in traits[TraitRole.REQUIRED]],
            "nice_skills": [t.slug for t in traits[TraitRole.NICE]],
            "motivations": [t.slug for t in traits[TraitRole.MOTIVATION]],
            "interests": [t.slug for t in traits[TraitRole.INTEREST]],
            "required_text": o.required_text, "nice_text": o.nice_text}
