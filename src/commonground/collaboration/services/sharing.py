"""Data-sharing agreements: propose, approve, revoke; members' consents.

Either side proposes (an administrator: it commits the association); the grantor is the
association holding the data, the recipient one it takes part with in an active
consortium. The proposer's side approves by proposing; the other side's administrator
approves on its own pages, and only then is the agreement in force. Either side revokes
at once. Every change is audited in both associations. Reading what an agreement shares
is ``crossing.sharing.shared_rows`` (the one audited read path), never here.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.people.models import Person
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .. import sharing as registry
from ..crossing import sharing as crossing
from ..models import AgreementStatus, SharingAgreement, SharingConsent

MAX_TITLE, MAX_PURPOSE, MAX_REASON = 200, 5_000, 2_000
MAX_YEARS = 10


def _govern(association: Association, actor, what: str) -> None:
    if not permissions.may_govern_collaboration(
            permissions.staff_roles_of(association=association, user=actor)):
        raise PermissionDenied(f"Only an administrator of {association.name} can {what}")


def _date(errors: dict, name: str, value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    if value in (None, ""):
        errors.setdefault(name, []).append("required")
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(name, []).append("a date as YYYY-MM-DD")
        return None


def _both(agreement: SharingAgreement, *, action: str, actor, data: dict) -> None:
    facts = {"agreement_id": agreement.pk, "grantor": agreement.association.slug,
             "recipient": agreement.recipient.slug, **data}
    audit.record_for_each(associations=(agreement.association, agreement.recipient),
                          action=action, obj=agreement, actor=actor, data=facts)


def _partner(association: Association, partner: Association | str | None, errors: dict):
    slug = partner.slug if isinstance(partner, Association) else str(partner or "").strip()
    if not slug:
        errors.setdefault("partner", []).append("required")
        return None, None
    for other, consortium in crossing.partners_of(association):
        if other.slug == slug:
            return other, consortium
    errors.setdefault("partner", []).append(
        "not an association you take part with in an active consortium")
    return None, None


@transaction.atomic
def agreement_propose(*, association: Association, partner: Association | str,
                      direction: str = "grant", title: str, purpose: str,
                      record_kind: str = "members", fields: list[str] | str,
                      row_filter: dict | None = None, consent_required: bool = True,
                      starts_on: date | str | None = None, expires_on: date | str,
                      actor) -> SharingAgreement:
    """Propose an agreement with ``partner`` (an association sharing an active consortium,
    by slug or row). ``direction`` "grant": ``association`` shares its data with the
    partner; "request": it asks the partner for the partner's data. The proposing side's
    approval is recorded with the proposal; the other side's administrator approves."""
    _govern(association, actor, "propose a data-sharing agreement")
    errors: dict[str, list[str]] = {}
    if direction not in ("grant", "request"):
        errors["direction"] = ["grant (we share our data) or request (we ask for theirs)"]
    other, consortium = _partner(association, partner, errors)
    title = clean_text(title, field="title", errors=errors, max_length=MAX_TITLE)
    purpose = clean_text(purpose, field="purpose", errors=errors, max_length=MAX_PURPOSE)
    kind, fields = registry.checked_fields(record_kind, fields, errors)
    today = association_today(association)
    start = today if starts_on in (None, "") else _date(errors, "starts_on", starts_on)
    end = _date(errors, "expires_on", expires_on)
    if start and end:
        if end < start:
            errors.setdefault("expires_on", []).append("before the agreement starts")
        elif end < today:
            errors.setdefault("expires_on", []).append("in the past")
        elif (end - start).days > 366 * MAX_YEARS:
            errors.setdefault("expires_on", []).append(f"at most {MAX_YEARS} years after the start")
    if start and start < today:
        errors.setdefault("starts_on", []).append("in the past: an agreement shares nothing "
                                                  "before it is approved")
    if row_filter is not None and not isinstance(row_filter, dict):
        errors.setdefault("row_filter", []).append("a person-filter definition (an object)")
        row_filter = None
    raise_if(errors)
    grantor, recipient = ((association, other) if direction == "grant"
                          else (other, association))
    try:
        checked = crossing.row_filter_checked(grantor=grantor, definition=row_filter)
    except ValidationFailed as exc:
        raise ValidationFailed("The row filter has mistakes: see the marked rules.",
                               fields={f"row_filter.{k}" if k else "row_filter": v
                                       for k, v in exc.fields.items()}) from None
    now, user = timezone.now(), actor_user(actor)
    agreement = SharingAgreement.objects.create(
        association=grantor, recipient=recipient, consortium=consortium, title=title,
        purpose=purpose, record_kind=kind.key, fields=fields, row_filter=checked,
        consent_required=bool(consent_required), starts_on=start, expires_on=end,
        proposed_by_grantor=direction == "grant", created_by=user,
        **({"grantor_approved_at": now, "grantor_approved_by": user} if direction == "grant"
           else {"recipient_approved_at": now, "recipient_approved_by": user}))
    _both(agreement, action="collaboration.agreement.proposed", actor=actor, data={
        "by": association.slug, "title": title, "record_kind": kind.key, "fields": fields,
        "row_filter": checked, "consent_required": bool(consent_required),
        "starts_on": str(start), "expires_on": str(end)})
    return agreement


def _side(agreement: SharingAgreement, association: Association) -> str:
    if agreement.association_id == association.pk:
        return "grantor"
    if agreement.recipient_id == association.pk:
        return "recipient"
    raise NotFound("No such agreement")


@transaction.atomic
def agreement_approve(*, association: Association, agreement: SharingAgreement,
                      actor) -> SharingAgreement:
    """The other side's approval: with both, the agreement is in force from its start."""
    side = _side(agreement, association)
    _govern(association, actor, "approve a data-sharing agreement")
    agreement = crossing.agreement_visible(association=association, agreement_id=agreement.pk,
                                           lock=True)
    now = crossing.state(agreement)
    if now in ("revoked", "expired"):
        raise Conflict(f"This agreement is {crossing.STATE_LABELS[now].lower()}: it can't be "
                       "approved")
    approved_at = (agreement.grantor_approved_at if side == "grantor"
                   else agreement.recipient_approved_at)
    if approved_at is not None:
        if agreement.status == AgreementStatus.ACTIVE:
            return agreement  # approving again changes nothing
        raise Conflict(f"{association.name} has approved it already: it waits for the "
                       "other side")
    stamp, user = timezone.now(), actor_user(actor)
    if side == "grantor":
        agreement.grantor_approved_at, agreement.grantor_approved_by = stamp, user
    else:
        agreement.recipient_approved_at, agreement.recipient_approved_by = stamp, user
    if agreement.grantor_approved_at and agreement.recipient_approved_at:
        agreement.status = AgreementStatus.ACTIVE
    agreement.save(update_fields=["grantor_approved_at", "grantor_approved_by",
                                  "recipient_approved_at", "recipient_approved_by", "status"])
    _both(agreement, action="collaboration.agreement.approved", actor=actor,
          data={"by": association.slug, "side": side, "status": agreement.status})
    return agreement


@transaction.atomic
def agreement_revoke(*, association: Association, agreement: SharingAgreement, reason: str,
                     actor) -> SharingAgreement:
    """Either side ends the agreement (or declines a proposal) at once: the next read is
    refused. Revoking a revoked agreement changes nothing."""
    side = _side(agreement, association)
    _govern(association, actor, "revoke a data-sharing agreement")
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, field="reason", errors=errors, max_length=MAX_REASON)
    raise_if(errors)
    agreement = crossing.agreement_visible(association=association, agreement_id=agreement.pk,
                                           lock=True)
    if agreement.status == AgreementStatus.REVOKED:
        return agreement
    agreement.status = AgreementStatus.REVOKED
    agreement.revoked_at, agreement.revoked_by = timezone.now(), actor_user(actor)
    agreement.revoke_reason = reason
    agreement.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    _both(agreement, action="collaboration.agreement.revoked", actor=actor,
          data={"by": association.slug, "side": side, "reason": reason})
    return agreement


# ---------------------------------------------------------------- consent


def _consentable(association: Association, agreement: SharingAgreement) -> None:
    if agreement.association_id != association.pk:
        raise NotFound("No such agreement")
    if not agreement.consent_required:
        raise Conflict("This agreement does not ask for members' consent")
    now = crossing.state(agreement)
    if now in ("revoked", "expired"):
        raise Conflict(f"This agreement is {crossing.STATE_LABELS[now].lower()}: consent "
                       "no longer applies")


@transaction.atomic
def consent_give(*, association: Association, agreement: SharingAgreement, person: Person,
                 via: str = "portal", actor=None) -> SharingConsent:
    """The member's yes to the agreement (in the portal, or recorded by staff: ``via``
    "staff"). Giving it again keeps the first date; after a withdrawal it is given anew."""
    _consentable(association, agreement)
    if person.association_id != association.pk or person.erased_at is not None:
        raise NotFound("No such person")
    if via == "staff" and not permissions.may_work_collaboration(
            permissions.staff_roles_of(association=association, user=actor)):
        raise PermissionDenied("Only staff can record a member's consent")
    via = via if via in ("portal", "staff", "import") else "portal"
    consent = SharingConsent.objects.filter(agreement=agreement, person=person).first()
    if consent is not None and consent.withdrawn_at is None:
        return consent
    now = timezone.now()
    if consent is None:
        consent = SharingConsent.objects.create(association=association, agreement=agreement,
                                                person=person, given_at=now, via=via)
    else:
        consent.given_at, consent.withdrawn_at, consent.via = now, None, via
        consent.save(update_fields=["given_at", "withdrawn_at", "via"])
    audit.record(association=association, action="collaboration.consent.given", obj=consent,
                 actor=actor, data={"agreement_id": agreement.pk, "person_id": person.pk,
                                    "via": via})
    return consent


@transaction.atomic
def consent_withdraw(*, association: Association, agreement: SharingAgreement,
                     person: Person, via: str = "portal", actor=None) -> SharingConsent | None:
    """The member takes the yes back: from the next read their row is not shared."""
    if agreement.association_id != association.pk:
        raise NotFound("No such agreement")
    if via == "staff" and not permissions.may_work_collaboration(
            permissions.staff_roles_of(association=association, user=actor)):
        raise PermissionDenied("Only staff can record a member's consent")
    consent = SharingConsent.objects.filter(agreement=agreement, person=person,
                                            withdrawn_at__isnull=True).first()
    if consent is None:
        return None
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit.record(association=association, action="collaboration.consent.withdrawn",
                 obj=consent, actor=actor, data={"agreement_id": agreement.pk,
                                                 "person_id": person.pk, "via": via})
    return consent
