"""Value created: contributions, from submission to verification.

The status machine (``TRANSITIONS``): submitted → verified | rejected; a verified one may
be rejected after all and a rejected one verified on second thought. Asking for the state a
contribution is already in changes nothing (a double click, a retried request). Nobody
verifies or rejects their own contribution, staff included; a member edits only their own,
and only while it waits for verification (or after a rejection, which resubmits it).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from .. import signals
from ..models import Contribution, ContributionKind, ContributionOrigin, ContributionStatus
from .common import (
    actor_user,
    check_person,
    clean_choice,
    clean_date,
    clean_hours,
    clean_text,
    raise_if,
)
from .notices import notice_send

S = ContributionStatus
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.VERIFIED, S.REJECTED},
    S.VERIFIED: {S.REJECTED},
    S.REJECTED: {S.VERIFIED},
}
# Origins that name what produced them: they need an origin_ref, which makes them idempotent.
REF_PREFIX = {ContributionOrigin.INFERRED: "activity:", ContributionOrigin.OPPORTUNITY: "opportunity:",
              ContributionOrigin.GROUP: "group:"}


def _value_changed(association: Association, person_ids: list[int]) -> None:
    signals.value_changed.send(sender=Contribution, association=association,
                               person_ids=sorted(set(person_ids)))


def _clean_fields(*, association: Association, kind: Any, title: Any, occurred_on: Any,
                  description: Any, hours: Any, offering: Offering | None, goal: Any,
                  errors: dict[str, list[str]]) -> dict[str, Any]:
    data = {
        "kind": clean_choice(kind, field="kind", choices=ContributionKind, errors=errors),
        "title": clean_text(title, field="title", errors=errors, max_length=200),
        "occurred_on": clean_date(occurred_on, field="occurred_on", errors=errors,
                                  association=association),
        "description": clean_text(description, field="description", errors=errors,
                                  max_length=5000, required=False),
        "hours": clean_hours(hours, field="hours", errors=errors),
        "goal": clean_text(goal, field="goal", errors=errors, max_length=200, required=False),
        "offering": offering,
    }
    if offering is not None and offering.association_id != association.pk:
        errors.setdefault("offering", []).append("no such offering")
    return data


@transaction.atomic
def contribution_create(*, association: Association, person: Person, kind: str, title: str,
                        occurred_on: date | str, origin: str, origin_ref: str = "",
                        offering: Offering | None = None, description: str = "",
                        hours: Decimal | str | float | None = None, goal: str = "",
                        actor: Any = None) -> Contribution:
    """Record a contribution waiting for verification.

    ``origin_ref`` ("activity:<id>", "opportunity:<id>", "group:<id>:<yyyy-mm>") is unique
    per association: creating again with the same ref returns the existing contribution
    unchanged, so inference and completion can run twice safely.
    """
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    origin = clean_choice(origin, field="origin", choices=ContributionOrigin, errors=errors)
    origin_ref = clean_text(origin_ref, field="origin_ref", errors=errors, max_length=80,
                            required=origin in REF_PREFIX)
    prefix = REF_PREFIX.get(origin)
    if origin_ref and prefix and not origin_ref.startswith(prefix):
        errors.setdefault("origin_ref", []).append(f"starts with {prefix!r} for origin {origin}")
    data = _clean_fields(association=association, kind=kind, title=title,
                         occurred_on=occurred_on, description=description, hours=hours,
                         offering=offering, goal=goal, errors=errors)
    raise_if(errors)
    if origin_ref:
        existing = Contribution.objects.filter(origin_ref=origin_ref).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin may win the unique key
            contribution = Contribution.objects.create(
                association=association, person=person, origin=origin, origin_ref=origin_ref,
                status=S.SUBMITTED, submitted_by=actor_user(actor), **data)
    except IntegrityError:
        existing = Contribution.objects.filter(origin_ref=origin_ref).first() if origin_ref \
            else None
        if existing is None:
            raise
        return existing
    audit.record(association=association, action="contribution.submitted", obj=contribution,
                 actor=actor, data={"person": person.pk, "kind": contribution.kind,
                                    "origin": origin, "origin_ref": origin_ref})
    return contribution


def _refuse_own(contribution: Contribution, actor: Any, what: str) -> None:
    user = actor_user(actor)
    if user is not None and contribution.person.user_id == user.pk:
        raise PermissionDenied(f"You cannot {what} your own contribution",
                               fields={"contribution": [f"someone else must {what} it"]})


def _decide(*, association: Association, contribution: Contribution, to: str, actor: Any,
            reason: str = "") -> Contribution:
    contribution = Contribution.objects.select_for_update().select_related("person").get(
        pk=contribution.pk)
    what = "verify" if to == S.VERIFIED else "reject"
    _refuse_own(contribution, actor, what)
    if contribution.status == to:
        return contribution  # already decided so: a retry or a double click
    if to not in TRANSITIONS[contribution.status]:
        raise TransitionNotAllowed(f"A {contribution.get_status_display().lower()} contribution "
                                   f"cannot be {to}")
    before = contribution.status
    contribution.status = to
    contribution.verified_by = actor_user(actor)
    contribution.verified_at = timezone.now()
    contribution.rejection_reason = reason if to == S.REJECTED else ""
    contribution.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason",
                                     "updated_at"])
    audit.record(association=association, action=f"contribution.{to}", obj=contribution,
                 actor=actor, data={"from": before, "reason": reason} if reason
                 else {"from": before})
    url = reverse("portal:contributions", kwargs={"association": association.slug})
    if to == S.VERIFIED:
        notice_send(association=association, person=contribution.person,
                    subject=f"Your contribution was verified: {contribution.title}"[:200],
                    body="Thank you. It now counts toward your engagement and recognition.",
                    url=url)
    else:
        notice_send(association=association, person=contribution.person,
                    subject=f"Your contribution was not verified: {contribution.title}"[:200],
                    body=f"Reason: {reason}\n\nYou can correct it and submit it again.",
                    url=url)
    if S.VERIFIED in (before, to):  # only verified contributions count toward the score
        _value_changed(association, [contribution.person_id])
    return contribution


@transaction.atomic
def contribution_verify(*, association: Association, contribution: Contribution,
                        actor: Any = None) -> Contribution:
    """Staff confirm the contribution happened: from now on it counts."""
    return _decide(association=association, contribution=contribution, to=S.VERIFIED,
                   actor=actor)


@transaction.atomic
def contribution_reject(*, association: Association, contribution: Contribution, reason: str,
                        actor: Any = None) -> Contribution:
    """Staff decline the contribution, saying why (the member reads the reason)."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, field="reason", errors=errors, max_length=300)
    raise_if(errors)
    return _decide(association=association, contribution=contribution, to=S.REJECTED,
                   actor=actor, reason=reason)


@transaction.atomic
def contribution_update(*, association: Association, contribution: Contribution,
                        kind: str, title: str, occurred_on: date | str,
                        description: str = "", hours: Decimal | str | float | None = None,
                        offering: Offering | None = None, goal: str = "",
                        as_member: Person | None = None, actor: Any = None) -> Contribution:
    """Change a contribution. ``as_member``: the portal's member, who may change only their
    own and only while it is not verified (a rejected one goes back to the queue). Staff
    may change any but their own (those follow the member's rule); a verified one changed
    by staff stays verified and the score follows."""
    contribution = Contribution.objects.select_for_update().select_related("person").get(
        pk=contribution.pk)
    user = actor_user(actor)
    if as_member is None and user is not None and contribution.person.user_id == user.pk:
        as_member = contribution.person  # staff changing their own: the member's rules
    if as_member is not None:
        if contribution.person_id != as_member.pk:
            raise PermissionDenied("You can only change your own contributions")
        if contribution.status == S.VERIFIED:
            raise TransitionNotAllowed("A verified contribution can no longer be changed; "
                                       "please contact the association")
    errors: dict[str, list[str]] = {}
    data = _clean_fields(association=association, kind=kind, title=title,
                         occurred_on=occurred_on, description=description, hours=hours,
                         offering=offering, goal=goal, errors=errors)
    raise_if(errors)
    changed = [f for f, v in data.items() if getattr(contribution, f) != v]
    for field, value in data.items():
        setattr(contribution, field, value)
    fields = [*data, "updated_at"]
    if as_member is not None and contribution.status == S.REJECTED:
        contribution.status = S.SUBMITTED
        contribution.rejection_reason = ""
        fields += ["status", "rejection_reason"]
    contribution.save(update_fields=fields)
    audit.record(association=association, action="contribution.changed", obj=contribution,
                 actor=actor, data={"fields": changed})
    if contribution.status == S.VERIFIED and changed:
        _value_changed(association, [contribution.person_id])
    return contribution


@transaction.atomic
def contribution_withdraw(*, association: Association, contribution: Contribution,
                          as_member: Person | None = None, actor: Any = None) -> None:
    """Delete a contribution: a member their own unverified one; staff any."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if as_member is not None:
        if contribution.person_id != as_member.pk:
            raise PermissionDenied("You can only withdraw your own contributions")
        if contribution.status == S.VERIFIED:
            raise TransitionNotAllowed("A verified contribution cannot be withdrawn")
    was_verified = contribution.status == S.VERIFIED
    audit.record(association=association, action="contribution.withdrawn", obj=contribution,
                 actor=actor, data={"person": contribution.person_id, "title": contribution.title})
    person_id = contribution.person_id
    contribution.delete()
    if was_verified:
        _value_changed(association, [person_id])


def ensure_valid_status(value: str) -> str:
    if value not in S.values:
        raise ValidationFailed("Unknown status", fields={"status": list(S.values)})
    return value


@transaction.atomic
def contribution_record(*, association: Association, person: Person, kind: str, title: str,
                        occurred_on: date | str, verified: bool = False,
                        offering: Offering | None = None, description: str = "",
                        hours: Decimal | str | float | None = None, goal: str = "",
                        actor: Any = None) -> Contribution:
    """Staff record a contribution (origin "staff"), verified at once if they saw it
    happen — unless it is their own, which someone else must verify."""
    contribution = contribution_create(association=association, person=person, kind=kind,
                                       title=title, occurred_on=occurred_on,
                                       origin=ContributionOrigin.STAFF, offering=offering,
                                       description=description, hours=hours, goal=goal,
                                       actor=actor)
    if verified:
        contribution = contribution_verify(association=association, contribution=contribution,
                                           actor=actor)
    return contribution
