"""Engagement API, mounted by ``web.api`` under /api/v1: taxonomies, a person's traits,
outcomes, contributions (with verify/reject) and peer groups."""

from __future__ import annotations

from ninja import Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.membership.models import Offering
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Person
from commonground.tenancy.idempotency import idempotent

from . import selectors, services
from .models import Contribution, Outcome, PeerGroup, ReportedVia, Trait
from .schemas import (
    ContributionIn,
    ContributionKindName,
    ContributionOut,
    ContributionPatch,
    GroupDecisionIn,
    GroupIn,
    GroupMemberIn,
    GroupOut,
    GroupStatusName,
    OriginName,
    OutcomeIn,
    OutcomeKindName,
    OutcomeOut,
    OutcomePatch,
    PersonTraitOut,
    PersonTraitsIn,
    RejectIn,
    StatusName,
    TraitIn,
    TraitKindName,
    TraitOut,
    TraitPatch,
)

router = Router(tags=["engagement"])


def _ref(**kw):
    return Query(None, ge=1, le=MAX_ID, **kw)


def _person(pk: int | None) -> Person | None:
    return get_or_404(Person.objects.filter(erased_at__isnull=True), pk) if pk else None


def _offering(pk: int | None) -> Offering | None:
    return get_or_404(Offering.objects.all(), pk) if pk else None


CURSOR = Query(None, max_length=500)


# ---------------------------------------------------------------- taxonomies

@router.get("/traits", response=Page[TraitOut], tags=["traits"],
            summary="List the taxonomy: motivations, skills, interests")
def list_traits(request, kind: TraitKindName | None = None, active: bool | None = None,
                cursor: str | None = CURSOR, limit: int = 50):
    services.ensure_taxonomy(request.association)
    qs = selectors.taxonomy(kind=kind, active_only=False)
    if active is not None:
        qs = qs.filter(is_active=active)
    return paginate(qs, cursor=cursor, limit=limit)


@router.post("/traits", response={201: TraitOut}, tags=["traits"], summary="Add an entry")
@idempotent
def create_trait(request, payload: TraitIn):
    trait = services.trait_save(association=request.association, actor=request.user,
                                **payload.model_dump())
    return Status(201, trait)


@router.patch("/traits/{trait_id}", response=TraitOut, tags=["traits"],
              summary="Change an entry (name, synonyms, order, active)")
@idempotent
def patch_trait(request, payload: TraitPatch, trait_id: int = path_id()):
    trait = get_or_404(Trait.objects.all(), trait_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    current = {"kind": trait.kind, "name": trait.name, "description": trait.description,
               "synonyms": trait.synonyms, "order": trait.order, "is_active": trait.is_active,
               "framework": trait.framework}
    return services.trait_save(association=request.association, trait=trait, actor=request.user,
                               **{**current, **changes})


@router.get("/people/{person_id}/traits", response=list[PersonTraitOut], tags=["traits"],
            summary="A person's effective traits (the member's own answer wins)")
def person_traits(request, person_id: int = path_id()):
    person = _person(person_id)
    return [{"trait_id": t.trait.pk, "kind": t.trait.kind, "slug": t.trait.slug,
             "name": t.trait.name, "strength": t.strength, "source": t.source,
             "explanation": t.explanation, "evidence": t.evidence}
            for t in selectors.effective_traits(person)]


@router.put("/people/{person_id}/traits", response=list[PersonTraitOut], tags=["traits"],
            summary="Set what staff record for one kind of the person's traits")
@idempotent
def set_person_traits(request, payload: PersonTraitsIn, person_id: int = path_id()):
    person = _person(person_id)
    services.member_traits_set(association=request.association, person=person, source="staff",
                               kind=payload.kind, answers=payload.answers, actor=request.user)
    return person_traits(request, person_id=person_id)


# ---------------------------------------------------------------- outcomes

@router.get("/outcomes", response=Page[OutcomeOut], tags=["outcomes"], summary="List outcomes")
def list_outcomes(request, person: int | None = _ref(description="Person id"),
                  kind: OutcomeKindName | None = None, cursor: str | None = CURSOR,
                  limit: int = 50):
    qs = Outcome.objects.all()
    if person:
        qs = qs.filter(person_id=person)
    if kind:
        qs = qs.filter(kind=kind)
    return paginate(qs, cursor=cursor, limit=limit)


@router.get("/outcomes/{outcome_id}", response=OutcomeOut, tags=["outcomes"],
            summary="Get an outcome")
def get_outcome(request, outcome_id: int = path_id()):
    return get_or_404(Outcome.objects.all(), outcome_id)


@router.post("/outcomes", response={201: OutcomeOut}, tags=["outcomes"],
             summary="Record an outcome (value derived)")
@idempotent
def create_outcome(request, payload: OutcomeIn):
    outcome = services.outcome_create(
        association=request.association, person=_person(payload.person_id), kind=payload.kind,
        title=payload.title, occurred_on=payload.occurred_on, description=payload.description,
        offering=_offering(payload.offering_id), via_person=_person(payload.via_person_id),
        reported_via=ReportedVia.STAFF, actor=request.user)
    return Status(201, outcome)


@router.patch("/outcomes/{outcome_id}", response=OutcomeOut, tags=["outcomes"],
              summary="Change an outcome")
@idempotent
def patch_outcome(request, payload: OutcomePatch, outcome_id: int = path_id()):
    outcome = get_or_404(Outcome.objects.all(), outcome_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("kind", "title", "occurred_on"):
        if field in changes and changes[field] is None:
            raise ValidationFailed("Please correct the highlighted fields",
                                   fields={field: ["may not be null"]})
    offering = _offering(changes["offering_id"]) if "offering_id" in changes else outcome.offering
    via = _person(changes["via_person_id"]) if "via_person_id" in changes else outcome.via_person
    return services.outcome_update(
        association=request.association, outcome=outcome,
        kind=changes.get("kind", outcome.kind), title=changes.get("title", outcome.title),
        occurred_on=changes.get("occurred_on", outcome.occurred_on),
        description=(changes["description"] or "") if "description" in changes
        else outcome.description,
        offering=offering, via_person=via, actor=request.user)


@router.delete("/outcomes/{outcome_id}", response={204: None}, tags=["outcomes"],
               summary="Delete an outcome")
@idempotent
def delete_outcome(request, outcome_id: int = path_id()):
    services.outcome_delete(association=request.association,
                            outcome=get_or_404(Outcome.objects.all(), outcome_id),
                            actor=request.user)
    return Status(204, None)


# ---------------------------------------------------------------- contributions

@router.get("/contributions", response=Page[ContributionOut], tags=["contributions"],
            summary="List contributions (the verification queue with status=submitted)")
def list_contributions(request, status: StatusName | None = None,
                       origin: OriginName | None = None, kind: ContributionKindName | None = None,
                       person: int | None = _ref(description="Person id"),
                       cursor: str | None = CURSOR, limit: int = 50):
    qs = Contribution.objects.all()
    for field, value in (("status", status), ("origin", origin), ("kind", kind),
                         ("person_id", person)):
        if value:
            qs = qs.filter(**{field: value})
    return paginate(qs, cursor=cursor, limit=limit)


@router.get("/contributions/{contribution_id}", response=ContributionOut,
            tags=["contributions"], summary="Get a contribution")
def get_contribution(request, contribution_id: int = path_id()):
    return get_or_404(Contribution.objects.all(), contribution_id)


@router.post("/contributions", response={201: ContributionOut}, tags=["contributions"],
             summary="Record a contribution (value created), verified at once if asked")
@idempotent
def create_contribution(request, payload: ContributionIn):
    data = payload.model_dump()
    contribution = services.contribution_record(
        association=request.association, person=_person(data.pop("person_id")),
        offering=_offering(data.pop("offering_id")), actor=request.user, **data)
    return Status(201, contribution)


@router.patch("/contributions/{contribution_id}", response=ContributionOut,
              tags=["contributions"], summary="Change a contribution")
@idempotent
def patch_contribution(request, payload: ContributionPatch, contribution_id: int = path_id()):
    c = get_or_404(Contribution.objects.all(), contribution_id)
    changes = payload.model_dump(exclude_unset=True)
    for field in ("kind", "title", "occurred_on"):
        if field in changes and changes[field] is None:
            raise ValidationFailed("Please correct the highlighted fields",
                                   fields={field: ["may not be null"]})
    current = {"kind": c.kind, "title": c.title, "occurred_on": c.occurred_on,
               "description": c.description, "hours": c.hours, "goal": c.goal}
    offering = _offering(changes.pop("offering_id")) if "offering_id" in changes else c.offering
    merged = {**current, **{k: ("" if v is None and k in ("description", "goal") else v)
                            for k, v in changes.items()}}
    return services.contribution_update(association=request.association, contribution=c,
                                        offering=offering, actor=request.user, **merged)


@router.post("/contributions/{contribution_id}/verify", response=ContributionOut,
             tags=["contributions"], summary="Verify: from now on it counts")
@idempotent
def verify_contribution(request, contribution_id: int = path_id()):
    return services.contribution_verify(
        association=request.association,
        contribution=get_or_404(Contribution.objects.all(), contribution_id), actor=request.user)


@router.post("/contributions/{contribution_id}/reject", response=ContributionOut,
             tags=["contributions"], summary="Reject with a reason the member reads")
@idempotent
def reject_contribution(request, payload: RejectIn, contribution_id: int = path_id()):
    return services.contribution_reject(
        association=request.association,
        contribution=get_or_404(Contribution.objects.all(), contribution_id),
        reason=payload.reason, actor=request.user)


# ---------------------------------------------------------------- peer groups

@router.get("/groups", response=Page[GroupOut], tags=["groups"], summary="List peer groups")
def list_groups(request, status: GroupStatusName | None = None, cursor: str | None = CURSOR,
                limit: int = 50):
    qs = PeerGroup.objects.all()
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, cursor=cursor, limit=limit)


@router.get("/groups/{group_id}", response=GroupOut, tags=["groups"], summary="Get a group")
def get_group(request, group_id: int = path_id()):
    return get_or_404(PeerGroup.objects.all(), group_id)


@router.post("/groups", response={201: GroupOut}, tags=["groups"],
             summary="Propose a group on a member's behalf")
@idempotent
def create_group(request, payload: GroupIn):
    data = payload.model_dump()
    group = services.group_propose(association=request.association,
                                   person=_person(data.pop("person_id")), actor=request.user,
                                   **data)
    return Status(201, group)


@router.post("/groups/{group_id}/approve", response=GroupOut, tags=["groups"],
             summary="Approve a proposed group")
@idempotent
def approve_group(request, payload: GroupDecisionIn | None = None, group_id: int = path_id()):
    payload = payload or GroupDecisionIn()
    return services.group_decide(association=request.association,
                                 group=get_or_404(PeerGroup.objects.all(), group_id),
                                 approve=True, note=payload.note, forum=payload.forum,
                                 actor=request.user)


@router.post("/groups/{group_id}/decline", response=GroupOut, tags=["groups"],
             summary="Decline a proposed group (a note is required)")
@idempotent
def decline_group(request, payload: GroupDecisionIn, group_id: int = path_id()):
    return services.group_decide(association=request.association,
                                 group=get_or_404(PeerGroup.objects.all(), group_id),
                                 approve=False, note=payload.note, actor=request.user)


@router.post("/groups/{group_id}/members", response={201: GroupOut}, tags=["groups"],
             summary="Add a member to an approved group")
@idempotent
def add_group_member(request, payload: GroupMemberIn, group_id: int = path_id()):
    group = get_or_404(PeerGroup.objects.all(), group_id)
    services.group_join(association=request.association, group=group,
                        person=_person(payload.person_id), actor=request.user)
    return Status(201, group)
