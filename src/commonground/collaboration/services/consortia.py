"""Consortia: form one, invite another association by its slug, answer an invitation,
leave, change the governance (level, decision rule, text: every change audited, which is
its history), and each participant's assessment of the seed-001 characteristics.

The coordinator's administrators commit it (create, invite, govern); the invited
association's administrators answer on its own pages; any active member may leave
(except the coordinator). Writes that concern two associations audit in both.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.planning import inputs
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import crossing
from ..models import (
    Characteristic,
    CharacteristicAssessment,
    Consortium,
    ConsortiumMember,
    DecisionRule,
    Level,
    MemberStatus,
)

MAX_TEXT = 10_000


def _roles(association: Association, actor: Any) -> list:
    return permissions.staff_roles_of(association=association, user=actor)


def _must_govern(association: Association, actor: Any, what: str) -> None:
    if not permissions.may_govern_collaboration(_roles(association, actor)):
        raise PermissionDenied(f"Only an administrator can {what}")


def _must_work(association: Association, actor: Any, what: str) -> None:
    if not permissions.may_work_collaboration(_roles(association, actor)):
        raise PermissionDenied(f"Only staff on a side or an administrator can {what}")


def _must_coordinate(association: Association, consortium: Consortium) -> None:
    if consortium.association_id != association.pk:
        raise PermissionDenied("Only the coordinating association can do this")


def _choice(errors: dict, name: str, value: Any, choices: type) -> str:
    value = "" if value is None else str(value)
    if value not in choices.values:
        errors[name] = [f"one of {', '.join(choices.values)}"]
    return value


def _audit_both(*, consortium: Consortium, other: Association, action: str, actor: Any,
                data: dict) -> None:
    """One entry in the coordinator's trail (the consortium's history) and one in the other
    association's."""
    audit.record(association=consortium.association, action=action, obj=consortium,
                 actor=actor, data=data)
    if other.pk != consortium.association_id:
        audit.record(association=other, action=action, obj=consortium, actor=actor, data=data)


@transaction.atomic
def consortium_create(*, association: Association, name: str, purpose: str = "",
                      level: str = Level.COOPERATION, decision_rule: str = DecisionRule.CONSENSUS,
                      governance: str = "", started_on: date | str | None = None,
                      review_on: date | str | None = None, actor: Any) -> Consortium:
    """A consortium coordinated by ``association``, which becomes its first active member."""
    _must_govern(association, actor, "form a consortium")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=200)
    purpose = clean_text(purpose, field="purpose", errors=errors, max_length=MAX_TEXT,
                         required=False)
    governance = clean_text(governance, field="governance", errors=errors,
                            max_length=MAX_TEXT, required=False)
    level = _choice(errors, "level", level, Level)
    decision_rule = _choice(errors, "decision_rule", decision_rule, DecisionRule)
    today = association_today(association)
    start = inputs.parse_date(errors, "started_on", started_on, required=False) or today
    review = inputs.parse_date(errors, "review_on", review_on, required=False)
    if review and review < start:
        errors["review_on"] = ["the review is before the start"]
    if name and Consortium.objects.filter(association=association, name__iexact=name).exists():
        errors["name"] = ["you already coordinate a consortium of that name"]
    raise_if(errors)
    consortium = Consortium.objects.create(
        association=association, name=name, purpose=purpose, level=level,
        decision_rule=decision_rule, governance=governance, started_on=start,
        review_on=review, created_by=actor_user(actor))
    ConsortiumMember.objects.create(
        association=association, consortium=consortium, status=MemberStatus.ACTIVE,
        is_coordinator=True, invited_by=actor_user(actor), accepted_by=actor_user(actor),
        joined_on=start)
    audit.record(association=association, action="collaboration.consortium.created",
                 obj=consortium, actor=actor,
                 data={"name": name, "level": level, "decision_rule": decision_rule,
                       "governance": governance, "started_on": str(start),
                       "review_on": str(review) if review else None})
    return consortium


@transaction.atomic
def consortium_govern(*, association: Association, consortium: Consortium,
                      name: str | None = None, purpose: str | None = None,
                      level: str | None = None, decision_rule: str | None = None,
                      governance: str | None = None, review_on: date | str | None = None,
                      actor: Any) -> Consortium:
    """Change the consortium's governance (only what is given). Each change is one audit
    entry with the values before and after: the governance history."""
    _must_coordinate(association, consortium)
    _must_govern(association, actor, "change the consortium's governance")
    errors: dict[str, list[str]] = {}
    after: dict[str, Any] = {}
    if name is not None:
        after["name"] = clean_text(name, field="name", errors=errors, max_length=200)
        if after["name"] and Consortium.objects.filter(
                association=association, name__iexact=after["name"]).exclude(
                pk=consortium.pk).exists():
            errors["name"] = ["you already coordinate a consortium of that name"]
    if purpose is not None:
        after["purpose"] = clean_text(purpose, field="purpose", errors=errors,
                                      max_length=MAX_TEXT, required=False)
    if governance is not None:
        after["governance"] = clean_text(governance, field="governance", errors=errors,
                                         max_length=MAX_TEXT, required=False)
    if level is not None:
        after["level"] = _choice(errors, "level", level, Level)
    if decision_rule is not None:
        after["decision_rule"] = _choice(errors, "decision_rule", decision_rule, DecisionRule)
    if review_on is not None:
        after["review_on"] = inputs.parse_date(errors, "review_on", review_on, required=False)
        if after["review_on"] and after["review_on"] < consortium.started_on:
            errors["review_on"] = ["the review is before the start"]
    raise_if(errors)
    changed = {k: v for k, v in after.items() if getattr(consortium, k) != v}
    if not changed:
        return consortium
    before = {k: getattr(consortium, k) for k in changed}
    for k, v in changed.items():
        setattr(consortium, k, v)
    consortium.save(update_fields=list(changed))
    audit.record(association=association, action="collaboration.consortium.governed",
                 obj=consortium, actor=actor,
                 data={"before": {k: str(v) if isinstance(v, date) else v
                                  for k, v in before.items()},
                       "after": {k: str(v) if isinstance(v, date) else v
                                 for k, v in changed.items()}})
    return consortium


@transaction.atomic
def consortium_invite(*, association: Association, consortium: Consortium, invitee: str,
                      votes: int = 1, actor: Any) -> ConsortiumMember:
    """Invite the association whose slug is ``invitee``; its administrators answer on its
    own pages. One who declined or left may be invited again."""
    _must_coordinate(association, consortium)
    _must_govern(association, actor, "invite an association")
    errors: dict[str, list[str]] = {}
    slug = clean_text(invitee, field="invitee", errors=errors, max_length=100).lower()
    other = (Association.objects.filter(slug=slug).first()
             if slug and "invitee" not in errors else None)
    if "invitee" in errors:
        pass
    elif not slug:
        errors["invitee"] = ["required: the association's slug"]
    elif other is None:
        errors["invitee"] = [f"no association {slug!r}"]
    elif other.pk == association.pk:
        errors["invitee"] = ["the coordinator is a member already"]
    if not isinstance(votes, int) or isinstance(votes, bool) or not 1 <= votes <= 100:
        errors["votes"] = ["a whole number from 1 to 100"]
    raise_if(errors)
    row = crossing.member_row(consortium=consortium, association=other)
    if row is not None and row.status in (MemberStatus.INVITED, MemberStatus.ACTIVE):
        raise Conflict(f"{other.name} is {row.get_status_display().lower()} already",
                       fields={"invitee": [f"already {row.status}"]})
    if row is None:
        row = ConsortiumMember(association=other, consortium=consortium)
    row.status, row.votes, row.invited_by = MemberStatus.INVITED, votes, actor_user(actor)
    row.invited_at, row.joined_on, row.left_on, row.accepted_by = timezone.now(), None, None, None
    row.save()
    _audit_both(consortium=consortium, other=other, action="collaboration.consortium.invited",
                actor=actor, data={"invitee": other.slug, "votes": votes})
    return row


@transaction.atomic
def consortium_answer(*, association: Association, consortium_id: int, accept: bool,
                      actor: Any) -> ConsortiumMember:
    """Accept or decline the association's own invitation (its administrators)."""
    member = crossing.invitation_visible(association=association, consortium_id=consortium_id)
    _must_govern(association, actor, "accept or decline an invitation")
    member = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.INVITED:
        raise Conflict("The invitation was answered already")
    today = association_today(association)
    if accept:
        member.status, member.joined_on, member.accepted_by = (
            MemberStatus.ACTIVE, today, actor_user(actor))
    else:
        member.status = MemberStatus.DECLINED
    member.save()
    with crossing.across():
        consortium = Consortium.objects.select_related("association").get(pk=consortium_id)
    _audit_both(consortium=consortium, other=association,
                action="collaboration.consortium.joined" if accept
                else "collaboration.consortium.declined",
                actor=actor, data={"member": association.slug, "on": str(today)})
    member.consortium = consortium
    return member


@transaction.atomic
def consortium_leave(*, association: Association, consortium: Consortium,
                     actor: Any) -> ConsortiumMember:
    """The association leaves (the coordinator cannot: it coordinates)."""
    _must_govern(association, actor, "leave a consortium")
    member = ConsortiumMember.objects.select_for_update().filter(
        association=association, consortium=consortium, status=MemberStatus.ACTIVE).first()
    if member is None:
        raise NotFound("No such consortium")
    if member.is_coordinator:
        raise Conflict("The coordinator cannot leave the consortium it coordinates")
    today = association_today(association)
    member.status, member.left_on = MemberStatus.LEFT, today
    member.save(update_fields=["status", "left_on"])
    _audit_both(consortium=consortium, other=association, action="collaboration.consortium.left",
                actor=actor, data={"member": association.slug, "on": str(today)})
    return member


@transaction.atomic
def assessment_record(*, association: Association, consortium: Consortium,
                      characteristic: str, score: Any, evidence: str = "",
                      assessed_on: date | str | None = None,
                      actor: Any) -> CharacteristicAssessment:
    """The association's rating (1–5) of one characteristic, dated (today unless given,
    never in the future). The latest per characteristic is its current view."""
    if not crossing.is_active_member(association=association, consortium_id=consortium.pk):
        raise NotFound("No such consortium")
    _must_work(association, actor, "assess the consortium")
    errors: dict[str, list[str]] = {}
    characteristic = _choice(errors, "characteristic", characteristic, Characteristic)
    try:
        value = int(str(score).strip())
        if str(value) != str(score).strip() or not 1 <= value <= 5:
            raise ValueError
    except (TypeError, ValueError):
        errors["score"] = ["a whole number from 1 (absent) to 5 (strong)"]
        value = 0
    evidence = clean_text(evidence, field="evidence", errors=errors, max_length=MAX_TEXT,
                          required=False)
    today = association_today(association)
    on = inputs.parse_date(errors, "assessed_on", assessed_on, required=False) or today
    if on > today:
        errors["assessed_on"] = ["in the future"]
    raise_if(errors)
    row = CharacteristicAssessment.objects.create(
        association=association, consortium=consortium, characteristic=characteristic,
        score=value, evidence=evidence, assessed_on=on, assessed_by=actor_user(actor))
    audit.record(association=association, action="collaboration.assessment.recorded", obj=row,
                 actor=actor, data={"consortium_id": consortium.pk,
                                    "characteristic": characteristic, "score": value,
                                    "assessed_on": str(on)})
    return row


def parse_votes(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={"votes": ["a whole number from 1 to 100"]}) from None
