"""Writes for opportunities and invitations. Each validates, writes, leaves one audit entry.

The invitation's states are ``states``; this module adds what the states alone cannot
know: the opportunity must be open to invite, an acceptance needs a free place (the
opportunity is filled when the last one is taken, and opens again if a place frees up),
invitations and completions reach the member as a notice (portal + email), and completion
records a contribution that waits for staff's verification (engagement).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonground.core.errors import Conflict, PermissionDenied, ValidationFailed
from commonground.engagement.models import ContributionOrigin, Trait, TraitKind
from commonground.people.models import Chapter, Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import adapters, states
from .models import (
    Invitation,
    InvitationStatus,
    Opportunity,
    OpportunityStatus,
    OpportunityTrait,
    OpportunityType,
    TraitRole,
)

# The contribution a completed opportunity becomes.
CONTRIBUTION_KIND = {
    OpportunityType.SPEAKER: "talk",
    OpportunityType.ARTICLE: "article",
    OpportunityType.MENTOR: "mentoring",
    OpportunityType.MODERATOR: "moderating",
    OpportunityType.CHAPTER_HOST: "chapter_leadership",
    OpportunityType.EXPERT_CONSULTANT: "expert_consult",
    OpportunityType.COMMITTEE_SEAT: "committee",
    OpportunityType.COURSE: "teaching",
    OpportunityType.OTHER: "other",
}
# Which taxonomy kinds each role may name.
ROLE_KINDS = {
    TraitRole.REQUIRED: {TraitKind.SKILL},
    TraitRole.NICE: {TraitKind.SKILL, TraitKind.INTEREST},
    TraitRole.MOTIVATION: {TraitKind.MOTIVATION},
    TraitRole.INTEREST: {TraitKind.INTEREST, TraitKind.SKILL},
}
MAX_CAPACITY = 1000


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _trait_ids(values: Iterable[Any] | None, *, role: str, errors: dict[str, list[str]]
               ) -> list[int]:
    ids: list[int] = []
    for v in values or ():
        tid = v.pk if isinstance(v, Trait) else v
        try:
            tid = int(tid)
        except (TypeError, ValueError):
            errors.setdefault(_ROLE_FIELD[role], []).append(f"not a taxonomy entry: {v!r}")
            continue
        if tid not in ids:
            ids.append(tid)
    if not ids:
        return ids
    found = dict(Trait.objects.filter(pk__in=ids).values_list("pk", "kind"))
    for tid in ids:
        if tid not in found:
            errors.setdefault(_ROLE_FIELD[role], []).append(f"no taxonomy entry {tid}")
        elif found[tid] not in ROLE_KINDS[role]:
            errors.setdefault(_ROLE_FIELD[role], []).append(
                f"entry {tid} is a {found[tid]}, not a {' or '.join(sorted(ROLE_KINDS[role]))}")
    return [t for t in ids if t in found]


_ROLE_FIELD = {TraitRole.REQUIRED: "required_skills", TraitRole.NICE: "nice_skills",
               TraitRole.MOTIVATION: "motivations", TraitRole.INTEREST: "interests"}


def _hours(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["effort_hours"] = ["not a number of hours"]
        return None
    if not hours.is_finite() or hours < 0 or hours >= 100_000:
        errors["effort_hours"] = ["between 0 and 99,999 hours"]
        return None
    if hours != hours.quantize(Decimal("0.01")):
        errors["effort_hours"] = ["at most 2 decimals"]
        return None
    return hours


def _capacity(value: Any, errors: dict[str, list[str]]) -> int:
    try:
        capacity = int(str(value).strip())
    except (TypeError, ValueError):
        errors["capacity"] = ["a whole number of people"]
        return 1
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"between 1 and {MAX_CAPACITY}"]
    return capacity


@transaction.atomic
def opportunity_save(*, association: Association, opportunity: Opportunity | None = None,
                     type: str, title: str, description: str = "",
                     required_skills: Iterable[Any] = (), nice_skills: Iterable[Any] = (),
                     motivations: Iterable[Any] = (), interests: Iterable[Any] = (),
                     required_text: str = "", nice_text: str = "",
                     chapter: Chapter | int | None = None, location: str = "",
                     remote: bool = False, capacity: Any = 1, starts_on: date | None = None,
                     ends_on: date | None = None, effort_hours: Any = None,
                     status: str = OpportunityStatus.DRAFT, actor: Any = None) -> Opportunity:
    """Create or change an opportunity, with the taxonomy entries it names."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["required"]
    elif len(title) > 200:
        errors["title"] = ["at most 200 characters"]
    if type not in OpportunityType.values:
        errors["type"] = [f"one of {', '.join(OpportunityType.values)}"]
    if status not in OpportunityStatus.values:
        errors["status"] = [f"one of {', '.join(OpportunityStatus.values)}"]
    for name, value, limit in (("required_text", required_text, 500), ("nice_text", nice_text, 500),
                               ("location", location, 200)):
        if len(value or "") > limit:
            errors[name] = [f"at most {limit} characters"]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = ["before the start"]
    capacity_n = _capacity(capacity, errors)
    hours = _hours(effort_hours, errors)
    chapter_obj = None
    if chapter not in (None, ""):
        chapter_id = chapter.pk if isinstance(chapter, Chapter) else chapter
        chapter_obj = Chapter.objects.filter(pk=chapter_id).first() \
            if str(chapter_id).isdigit() else None
        if chapter_obj is None:
            errors["chapter"] = ["no such chapter"]
    roles = {role: _trait_ids(values, role=role, errors=errors) for role, values in (
        (TraitRole.REQUIRED, required_skills), (TraitRole.NICE, nice_skills),
        (TraitRole.MOTIVATION, motivations), (TraitRole.INTEREST, interests))}
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    created = opportunity is None
    if created:
        opportunity = Opportunity(association=association, created_by=_actor(actor))
    else:
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    before = opportunity.status
    for name, value in (("type", type), ("title", title), ("description", description or ""),
                        ("required_text", (required_text or "").strip()),
                        ("nice_text", (nice_text or "").strip()), ("chapter", chapter_obj),
                        ("location", (location or "").strip()), ("remote", bool(remote)),
                        ("capacity", capacity_n), ("starts_on", starts_on), ("ends_on", ends_on),
                        ("effort_hours", hours), ("status", status)):
        setattr(opportunity, name, value)
    opportunity.save()
    wanted = {(tid, role) for role, ids in roles.items() for tid in ids}
    have = {(ot.trait_id, ot.role): ot.pk for ot in opportunity.traits.all()}
    OpportunityTrait.objects.filter(pk__in=[pk for key, pk in have.items() if key not in wanted]
                                    ).delete()
    OpportunityTrait.objects.bulk_create([
        OpportunityTrait(association=association, opportunity=opportunity, trait_id=tid, role=role)
        for tid, role in sorted(wanted - set(have))])
    audit.record(association=association, action="opportunity.created" if created
                 else "opportunity.changed", obj=opportunity, actor=actor,
                 data={"title": title, "status": status,
                       **({} if created or before == status else {"from": before})})
    return opportunity


@transaction.atomic
def opportunity_set_status(*, association: Association, opportunity: Opportunity, status: str,
                           actor: Any = None) -> Opportunity:
    """Open, close, mark filled or back to draft."""
    if status not in OpportunityStatus.values:
        raise ValidationFailed("Unknown status", fields={"status": [
            f"one of {', '.join(OpportunityStatus.values)}"]})
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opp.status == status:
        return opp
    before, opp.status = opp.status, status
    opp.save(update_fields=["status", "updated_at"])
    audit.record(association=association, action=f"opportunity.{status}", obj=opp, actor=actor,
                 data={"from": before})
    return opp


def places_taken(opportunity: Opportunity) -> int:
    return opportunity.invitations.filter(status__in=states.TAKING_PLACE).count()


def _portal_url(association: Association, opportunity: Opportunity) -> str:
    return reverse("portal:opportunity_detail",
                   kwargs={"association": association.slug, "opportunity_id": opportunity.pk})


def _snapshot(association: Association, opportunity: Opportunity, person: Person
              ) -> dict[str, Any]:
    """The match as it stands, kept on the invitation (why this person was asked)."""
    # Imported here: the engine pulls scikit-learn and SciPy, which only inviting needs.
    from .matching import match

    result = match(association, opportunity, person_ids=[person.pk], include_invited=True)
    if not result.candidates:
        return {}
    c = result.candidates[0]
    return {"fit": round(c.fit, 4), "reasons": c.reasons, "gaps": c.gaps}


@transaction.atomic
def invitation_advance(*, association: Association, opportunity: Opportunity, person: Person,
                       event: str, actor: Any = None, by_member: bool = False,
                       message: str = "", note: str = "", occurred_on: date | None = None,
                       hours: Any = None) -> Invitation:
    """Move ``person``'s invitation to ``opportunity`` by ``event`` (see ``states``).

    ``by_member``: the member acts from the portal, which may only raise a hand, accept or
    decline. A repeated event that changes nothing (a double click, a retry) returns the
    invitation as it is.
    """
    if by_member and event not in states.MEMBER_EVENTS:
        raise PermissionDenied("Only staff can do that", fields={"action": ["staff only"]})
    if person.erased_at:
        raise Conflict("This person was erased")
    if len(message or "") > 5000:
        raise ValidationFailed("Message too long", fields={"message": ["at most 5000 characters"]})
    if len(note or "") > 300:
        raise ValidationFailed("Note too long", fields={"note": ["at most 300 characters"]})
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    invitation = (Invitation.objects.select_for_update()
                  .filter(opportunity=opp, person=person).first())
    current = invitation.status if invitation else states.START
    to = states.next_status(current, event)
    if invitation is not None and to == current:
        return invitation  # nothing to do: the same request again
    if event in ("invite", "interest", "suggest"):
        allowed = (OpportunityStatus.OPEN, OpportunityStatus.DRAFT) if event == "suggest" \
            else (OpportunityStatus.OPEN,)
        if opp.status not in allowed:
            raise Conflict(f"This opportunity is {opp.get_status_display().lower()}",
                           fields={"opportunity": [f"is {opp.status}"]})
    if to == InvitationStatus.ACCEPTED and places_taken(opp) >= opp.capacity:
        raise Conflict("All places are taken", fields={"opportunity": ["full"]})
    now = timezone.now()
    if invitation is None:
        invitation = Invitation(association=association, opportunity=opp, person=person)
    invitation.status = to
    if to == InvitationStatus.INVITED:
        invitation.invited_at = invitation.invited_at or now
        invitation.invited_by = _actor(actor)
        invitation.message = message or invitation.message
        snap = _snapshot(association, opp, person)
        invitation.fit = snap.get("fit")
        invitation.reasons, invitation.gaps = snap.get("reasons", []), snap.get("gaps", [])
    if event in ("accept", "decline"):
        invitation.responded_at = now
        invitation.response_note = note or invitation.response_note
    if to == InvitationStatus.COMPLETED:
        invitation.completed_at = now
    invitation.save()
    if to == InvitationStatus.COMPLETED:
        invitation.contribution = _contribution(association, opp, invitation, actor=actor,
                                                occurred_on=occurred_on, hours=hours)
        invitation.save(update_fields=["contribution", "updated_at"])
    audit.record(association=association, action=f"invitation.{to}", obj=invitation,
                 actor=actor, data={"opportunity": opp.pk, "person": person.pk, "from": current,
                                    "by_member": by_member})
    _follow_capacity(association, opp, actor)
    _tell(association, opp, invitation, to, message)
    return invitation


def _follow_capacity(association: Association, opp: Opportunity, actor: Any) -> None:
    """Filled when the last place is taken; open again when a place frees up."""
    taken = places_taken(opp)
    if opp.status == OpportunityStatus.OPEN and taken >= opp.capacity:
        opportunity_set_status(association=association, opportunity=opp,
                               status=OpportunityStatus.FILLED, actor=actor)
    elif opp.status == OpportunityStatus.FILLED and taken < opp.capacity:
        opportunity_set_status(association=association, opportunity=opp,
                               status=OpportunityStatus.OPEN, actor=actor)


def _contribution(association: Association, opp: Opportunity, invitation: Invitation, *,
                  actor: Any, occurred_on: date | None, hours: Any):
    today = association_today(association)
    on = occurred_on or (opp.ends_on if opp.ends_on and opp.ends_on <= today else today)
    if on > today:
        raise ValidationFailed("A completion cannot be in the future",
                               fields={"occurred_on": ["after today"]})
    errors: dict[str, list[str]] = {}
    hours_d = _hours(hours, errors) if hours not in (None, "") else opp.effort_hours
    if errors:
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={"hours": errors["effort_hours"]})
    return adapters.contribution_create(
        association=association, person=invitation.person, kind=CONTRIBUTION_KIND[opp.type],
        title=f"{opp.get_type_display()}: {opp.title}"[:200], occurred_on=on,
        origin=ContributionOrigin.OPPORTUNITY, origin_ref=f"opportunity:{invitation.pk}",
        hours=hours_d, description=opp.description[:2000], actor=actor)


def _tell(association: Association, opp: Opportunity, invitation: Invitation, status: str,
          message: str) -> None:
    url = _portal_url(association, opp)
    if status == InvitationStatus.INVITED:
        body = (f"{association.name} invites you: {opp.title} ({opp.get_type_display()}).\n"
                + (f"\n{message}\n" if message else "")
                + "\nPlease accept or decline in the member portal.")
        adapters.notice_send(association=association, person=invitation.person,
                             subject=f"You are invited: {opp.title}", body=body, url=url)
    elif status == InvitationStatus.COMPLETED:
        adapters.notice_send(
            association=association, person=invitation.person,
            subject=f"Thank you for {opp.title}",
            body="Your contribution is recorded and waits for verification by staff.", url=url)
