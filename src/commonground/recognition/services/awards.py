"""Nominations (by the rule, staff or members; approved by staff) and awards (issue,
revoke). One pending nomination and one active award per (tier, person), kept under a
lock on the tier row."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonground.core.errors import Conflict, TransitionNotAllowed
from commonground.engagement.services import notice_send
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import Award, Nomination, NominationSource, NominationStatus, Tier
from .common import clean_text, fail, not_about_themselves, user_of


def identity_hash(email_key: str, salt: str) -> str:
    """The Open Badges 2.0 IdentityHash of an email: "sha256$" + hex(sha256(email + salt))."""
    return "sha256$" + hashlib.sha256((email_key + salt).encode()).hexdigest()


def _lock(tier: Tier) -> Tier:
    return Tier.objects.select_for_update().get(pk=tier.pk)


def _check_person(person: Person) -> None:
    if person.erased_at:
        raise fail(person="this person's record was erased")


@transaction.atomic
def nomination_create(*, association: Association, tier: Tier, person: Person, reason: str,
                      source: str = NominationSource.STAFF,
                      nominated_by_person: Person | None = None, actor=None) -> Nomination:
    """Propose ``person`` for ``tier``. Members nominate someone else, with a reason; the
    nominee must not hold the tier already nor have a nomination waiting for it."""
    if source not in (NominationSource.STAFF, NominationSource.MEMBER):
        raise fail(source="staff or member")
    reason = clean_text(reason, field="reason", max_length=2000, required=True)
    _check_person(person)
    if not tier.is_active:
        raise fail(tier="this tier is not in use")
    if nominated_by_person is not None and nominated_by_person.pk == person.pk:
        raise fail(person="you cannot nominate yourself")
    _lock(tier)
    if Award.objects.filter(tier=tier, person=person, revoked_at__isnull=True).exists():
        raise Conflict(f"{person} already holds {tier.name}",
                       fields={"person": ["already holds this tier"]})
    if Nomination.objects.filter(tier=tier, person=person,
                                 status=NominationStatus.PENDING).exists():
        raise Conflict(f"{person} is already nominated for {tier.name}",
                       fields={"person": ["already nominated; waiting for approval"]})
    nomination = Nomination.objects.create(
        association=association, tier=tier, person=person, source=source, reason=reason,
        nominated_by_person=nominated_by_person, nominated_by_user=user_of(actor))
    audit.record(association=association, action="nomination.created", obj=nomination,
                 actor=actor, data={"tier": tier.slug, "person_id": person.pk, "source": source})
    return nomination


@transaction.atomic
def nomination_decide(*, association: Association, nomination: Nomination, approve: bool,
                      note: str = "", actor=None) -> Nomination:
    """Staff approve (the person is awarded the tier) or decline a pending nomination.
    Nobody decides on their own nomination."""
    note = clean_text(note, field="note", max_length=300)
    nomination = Nomination.objects.select_for_update().select_related("tier", "person").get(
        pk=nomination.pk)
    if nomination.status != NominationStatus.PENDING:
        raise TransitionNotAllowed(f"This nomination was already {nomination.status}",
                                   fields={"status": [f"already {nomination.status}"]})
    not_about_themselves(person=nomination.person, actor=actor, what="decide a nomination")
    if approve:
        award_issue(association=association, tier=nomination.tier, person=nomination.person,
                    actor=actor, nomination=nomination,
                    narrative=nomination.reason if nomination.source != NominationSource.RULE
                    else nomination.reason.removeprefix("Found by the rule: "))
        nomination.refresh_from_db()
    else:
        nomination.status = NominationStatus.DECLINED
    nomination.decided_by = user_of(actor)
    nomination.decided_at = timezone.now()
    nomination.decision_note = note
    nomination.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(association=association, action="nomination.approved" if approve
                 else "nomination.declined", obj=nomination, actor=actor,
                 data={"tier": nomination.tier.slug, "person_id": nomination.person_id,
                       "note": note})
    return nomination


@transaction.atomic
def award_issue(*, association: Association, tier: Tier, person: Person, actor=None,
                nomination: Nomination | None = None, narrative: str = "",
                locked: bool = False) -> Award:
    """Award ``tier`` to ``person``: an Open Badges assertion identified by a salted hash of
    their email (so a badge needs an email on file). A pending nomination for the same tier
    is approved by it."""
    narrative = clean_text(narrative, field="narrative", max_length=2000)
    _check_person(person)
    not_about_themselves(person=person, actor=actor, what="award a badge")
    if not person.email_key:
        raise fail(person="has no email address; a badge identifies its recipient by email")
    if not locked:
        _lock(tier)
    if Award.objects.filter(tier=tier, person=person, revoked_at__isnull=True).exists():
        raise Conflict(f"{person} already holds {tier.name}",
                       fields={"person": ["already holds this tier"]})
    salt = secrets.token_hex(8)
    award = Award.objects.create(
        association=association, tier=tier, person=person, nomination=nomination,
        issued_at=timezone.now(), salt=salt, identity_hash=identity_hash(person.email_key, salt),
        narrative=narrative, issued_by=user_of(actor))
    pending = Nomination.objects.filter(tier=tier, person=person, status=NominationStatus.PENDING)
    pending.update(status=NominationStatus.APPROVED, decided_by=user_of(actor),
                   decided_at=timezone.now())
    audit.record(association=association, action="award.issued", obj=award, actor=actor,
                 data={"tier": tier.slug, "person_id": person.pk, "uuid": str(award.uuid)})
    notice_send(association=association, person=person,
                subject=f"You are recognised: {tier.name}",
                body=f"{association.name} awards you the {tier.name} badge: {tier.description}\n\n"
                     "Add it to your Open Badges backpack or wallet from your recognition page.",
                url=reverse("portal:recognition", kwargs={"association": association.slug}))
    return award


@transaction.atomic
def award_revoke(*, association: Association, award: Award, reason: str, actor=None) -> Award:
    """Revoke a badge: its hosted assertion then answers 410 Gone with the reason."""
    reason = clean_text(reason, field="reason", max_length=300, required=True)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.revoked_at:
        raise TransitionNotAllowed("This badge is already revoked",
                                   fields={"reason": ["already revoked"]})
    award.revoked_at = timezone.now()
    award.revocation_reason = reason
    award.revoked_by = user_of(actor)
    award.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit.record(association=association, action="award.revoked", obj=award, actor=actor,
                 data={"uuid": str(award.uuid), "reason": reason})
    return award
