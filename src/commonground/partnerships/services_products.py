"""Joint products and activities of a partnership: the approval and verification workflow
with every partner's approver, versions, timeliness and quality, and the public credit.

The workflow::

    draft ──submit──▶ in_approval ──every party approved──▶ approved ──verify──▶ verified
      ▲                   │ one party asks for changes                             │
      │                   ▼                                                        ▼
      └──── edit ──── changes                                      publish ──▶ published

Submitting asks every party of the partnership (those who have not left) for one
``ProductApproval`` of the current version. Our own party is signed by its staff approver
(``PartnershipParty.approver_user``) in the staff pages; a partner's by one of its
``PartnerContact`` rows marked ``is_approver``: each of them is emailed a single-use link
(``/partners/<association>/approve/<token>/``), and staff may record a decision a contact
gave outside (by phone, at a meeting), naming the contact. Anyone who is not an approver
of THAT party is refused. Changing the content (name, kind, description) of a product
that was submitted bumps its version: a product waiting for or holding approvals is asked
again at once (new links; the old ones die), one with changes requested goes back to
draft. Earlier versions' approvals stay for the record. A published product's content is
fixed (withdraw it first).

The link's token is ``<contact id>.<nonce>.<signature>``: the nonce's sha256 is the
approval's ``token_hash`` (shared by the party's approvers, so the first decision ends
every link of that party and version), the signature (``salted_hmac`` over the contact
and the nonce) stops a holder from swapping the contact id for a colleague's.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify

from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from .models import (
    ApprovalDecision,
    JointProduct,
    PartnerContact,
    Partnership,
    PartnershipParty,
    ProductApproval,
    ProductCredit,
    ProductKind,
    ProductStatus,
    QualityReview,
)

log = logging.getLogger(__name__)

MAX_NAME, MAX_SLUG, MAX_TEXT = 200, 80, 20_000
TOKEN_SALT = "commonground.partnerships.approval-link"
EDITABLE = (ProductStatus.DRAFT, ProductStatus.CHANGES)
ASKING = (ProductStatus.IN_APPROVAL, ProductStatus.APPROVED, ProductStatus.VERIFIED)
DECISIONS = (ApprovalDecision.APPROVED, ApprovalDecision.CHANGES)


# ---------------------------------------------------------------- helpers


def party_label(party: PartnershipParty) -> str:
    """How a party is named on pages and in emails: its organisation, or us."""
    if party.is_us or party.organisation_id is None:
        return party.association.name
    return party.organisation.name


def _actor(association: Association, actor: Any) -> Any:
    """The staff member acting; refused unless they may manage partnerships."""
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied("Name the staff member acting: joint products are signed, "
                               "verified and published by a person")
    roles = permissions.staff_roles_of(association=association, user=user)
    if not permissions.may_manage_partnerships(roles):
        raise PermissionDenied("Only staff on a side manage joint products (the board reads "
                               "them)")
    return user


def _lock(product: JointProduct) -> JointProduct:
    return (JointProduct.objects.select_for_update()
            .select_related("partnership").get(pk=product.pk))


def _audit(association: Association, action: str, obj: Any, actor: Any, **data: Any) -> None:
    audit.record(association=association, action=f"collaboration.{action}", obj=obj,
                 actor=actor_user(actor), data=data)


def _unique_slug(base: str, *, exclude: int | None = None) -> str:
    base = (slugify(base) or "product")[:MAX_SLUG - 4].strip("-") or "product"
    slug, n = base, 2
    taken = JointProduct.objects.filter(slug__startswith=base)
    if exclude:
        taken = taken.exclude(pk=exclude)
    names = set(taken.values_list("slug", flat=True))
    while slug in names:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _kind(value: str, errors: dict[str, list[str]]) -> str:
    value = (value or ProductKind.CAMPAIGN).strip()
    if value not in ProductKind.values:
        errors.setdefault("kind", []).append(f"one of {', '.join(ProductKind.values)}")
    return value


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append("a date as YYYY-MM-DD")
        return None


def asked_parties(partnership: Partnership) -> list[PartnershipParty]:
    """The parties a version is put to: every party that has not left."""
    today = association_today(partnership.association)
    return [p for p in PartnershipParty.objects.filter(partnership=partnership)
            .select_related("organisation", "association", "approver_user")
            if p.left_on is None or p.left_on > today]


def approver_contacts(party: PartnershipParty) -> list[PartnerContact]:
    return list(PartnerContact.objects.filter(party=party, is_approver=True).order_by("name"))


# ---------------------------------------------------------------- links and email


def _sign(contact_id: int, nonce: str) -> str:
    return salted_hmac(TOKEN_SALT, f"{contact_id}.{nonce}").hexdigest()[:32]


def link_token(contact: PartnerContact, nonce: str) -> str:
    return f"{contact.pk}.{nonce}.{_sign(contact.pk, nonce)}"


def read_token(token: str) -> tuple[int, str] | None:
    """(contact id, nonce) of a well-formed, correctly signed token; None otherwise."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12 or not parts[1]:
        return None
    contact_id, nonce, sig = int(parts[0]), parts[1], parts[2]
    if not constant_time_compare(sig, _sign(contact_id, nonce)):
        return None
    return contact_id, nonce


def approval_url(association: Association, token: str) -> str:
    path = reverse("approval_link", kwargs={"association": association.slug, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def _send_all(outgoing: list[tuple[str, str, str]]) -> None:
    """After the commit, one SMTP connection for all the links. A failed send is logged
    (staff can send the links again from the product's page); the others still go."""
    try:
        connection = get_connection()
        connection.open()
    except Exception:  # noqa: BLE001 — any backend failure: the approvals stay pending
        log.exception("approvals: could not connect to send %d link(s)", len(outgoing))
        return
    try:
        for to, subject, body in outgoing:
            try:
                EmailMessage(subject=subject, body=body, to=[to], connection=connection).send()
            except Exception:  # noqa: BLE001 — log and go on with the next approver
                log.exception("approvals: the link to %s failed", to)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            log.debug("approvals: closing the SMTP connection failed", exc_info=True)


def _ask(association: Association, product: JointProduct, approval: ProductApproval,
         party: PartnershipParty, outgoing: list) -> None:
    """Give a partner's approval a fresh nonce and queue each approver's link."""
    nonce = secrets.token_urlsafe(24)
    approval.token_hash = ProductApproval.hash(nonce)
    approval.save(update_fields=["token_hash"])
    for contact in approver_contacts(party):
        url = approval_url(association, link_token(contact, nonce))
        subject = f"Your approval is asked: {product.name} (version {product.version})"
        body = (f"Dear {contact.name},\n\n{association.name} asks {party_label(party)} to "
                f"approve the joint {product.get_kind_display().lower()} “{product.name}” "
                f"of the partnership “{product.partnership.name}” (version {product.version})."
                f"\n\nRead it, then approve it or ask for changes here:\n{url}\n\n"
                "The link works once, for this version only; if the product changes you "
                f"will get a new one.\n\n— {association.name}\n")
        outgoing.append((contact.email, subject[:200], body))


def _flush(outgoing: list) -> None:
    if outgoing:
        queued = list(outgoing)
        transaction.on_commit(lambda: _send_all(queued))


def _open_version(association: Association, product: JointProduct,
                  parties: list[PartnershipParty]) -> list[ProductApproval]:
    outgoing: list = []
    made = []
    for party in parties:
        approval = ProductApproval.objects.create(association=association, product=product,
                                                  party=party, version=product.version)
        if not party.is_us:
            _ask(association, product, approval, party, outgoing)
        made.append(approval)
    _flush(outgoing)
    return made


def _close_links(product: JointProduct, version: int | None = None) -> None:
    qs = ProductApproval.objects.filter(product=product).exclude(token_hash="")
    if version is not None:
        qs = qs.filter(version=version)
    qs.update(token_hash="")


def _check_approvers(parties: list[PartnershipParty]) -> None:
    errors: dict[str, list[str]] = {}
    if len(parties) < 2:
        errors["partnership"] = ["the partnership needs at least one partner beside us"]
    if not any(p.is_us for p in parties):
        errors.setdefault("partnership", []).append("we are not a party of this partnership")
    for p in parties:
        if p.is_us and p.approver_user_id is None:
            errors.setdefault("approvers", []).append(
                f"{party_label(p)} (us): name our approver on the partnership first")
        elif not p.is_us and not PartnerContact.objects.filter(party=p,
                                                               is_approver=True).exists():
            errors.setdefault("approvers", []).append(
                f"{party_label(p)}: no contact is marked as its approver")
    if errors:
        raise ValidationFailed("Every party needs an approver before the product is "
                               "submitted", fields=errors)


# ---------------------------------------------------------------- products


@transaction.atomic
def joint_product_create(*, association: Association, partnership: Partnership, name: str,
                         kind: str = ProductKind.CAMPAIGN, description: str = "",
                         due_on: date | str | None = None, slug: str = "",
                         actor: Any) -> JointProduct:
    """A draft (version 1) of a joint product or activity of the partnership."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    if partnership is None or partnership.association_id != association.pk:
        raise NotFound("No such partnership", fields={"partnership": ["no such partnership"]})
    name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_TEXT, required=False)
    kind = _kind(kind, errors)
    due = _date(due_on, "due_on", errors)
    slug = clean_text(slug, field="slug", errors=errors, max_length=MAX_SLUG, required=False)
    if slug and slugify(slug) != slug:
        errors.setdefault("slug", []).append("lower-case letters, digits and hyphens")
    elif slug and JointProduct.objects.filter(slug=slug).exists():
        errors.setdefault("slug", []).append("another product has this address")
    raise_if(errors)
    product = JointProduct.objects.create(
        association=association, partnership=partnership, name=name, kind=kind,
        description=description, due_on=due, slug=slug or _unique_slug(name))
    _audit(association, "joint_product.created", product, user, name=name, kind=kind,
           partnership=partnership.pk, due_on=str(due) if due else None, slug=product.slug)
    return product


@transaction.atomic
def joint_product_update(*, association: Association, product: JointProduct,
                         name: str | None = None, kind: str | None = None,
                         description: str | None = None, due_on: Any = ...,
                         slug: str | None = None, actor: Any) -> JointProduct:
    """Change a product (only the fields given). A change of its content (name, kind,
    description) after it was submitted is a new version: asked again at once while it
    waits for or holds approvals, back to draft when changes were requested. The due date
    and the address are not content. A published product is fixed."""
    user = _actor(association, actor)
    product = _lock(product)
    if product.status == ProductStatus.PUBLISHED:
        raise Conflict("A published product is on its public credit page: withdraw it before "
                       "changing it", fields={"status": ["published"]})
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if name is not None:
        name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
        if name != product.name:
            changes["name"] = name
    if kind is not None:
        kind = _kind(kind, errors)
        if kind != product.kind:
            changes["kind"] = kind
    if description is not None:
        description = clean_text(description, field="description", errors=errors,
                                 max_length=MAX_TEXT, required=False)
        if description != product.description:
            changes["description"] = description
    tracking: dict[str, Any] = {}
    if due_on is not ...:
        due = _date(due_on, "due_on", errors)
        if due != product.due_on:
            tracking["due_on"] = due
    if slug is not None:
        slug = clean_text(slug, field="slug", errors=errors, max_length=MAX_SLUG)
        if slug and slugify(slug) != slug:
            errors.setdefault("slug", []).append("lower-case letters, digits and hyphens")
        elif slug != product.slug:
            if JointProduct.objects.filter(slug=slug).exclude(pk=product.pk).exists():
                errors.setdefault("slug", []).append("another product has this address")
            tracking["slug"] = slug
    raise_if(errors)
    if not changes and not tracking:
        return product
    for field, value in {**changes, **tracking}.items():
        setattr(product, field, value)
    fields = [*changes, *tracking]
    submitted = ProductApproval.objects.filter(product=product,
                                               version=product.version).exists()
    bumped = bool(changes) and submitted
    before = {"version": product.version, "status": product.status}
    if bumped:
        _close_links(product)
        product.version += 1
        product.verified_at, product.verified_by, product.verification_notes = None, None, ""
        if product.status in ASKING:
            product.status = ProductStatus.IN_APPROVAL
            product.submitted_at = timezone.now()
        else:  # changes requested, or withdrawn: a draft again
            product.status = ProductStatus.DRAFT
        fields += ["version", "status", "submitted_at", "verified_at", "verified_by",
                   "verification_notes"]
    product.save(update_fields=list(dict.fromkeys(fields)))
    _audit(association, "joint_product.updated", product, user,
           fields={k: str(v) if v is not None else None for k, v in {**changes,
                                                                      **tracking}.items()},
           version=product.version, before=before, status=product.status)
    if bumped and product.status == ProductStatus.IN_APPROVAL:
        parties = asked_parties(product.partnership)
        _check_approvers(parties)
        _open_version(association, product, parties)
    return product


@transaction.atomic
def joint_product_submit(*, association: Association, product: JointProduct,
                         actor: Any) -> JointProduct:
    """Put the current version to every party: one approval each; every partner's
    approvers get their link by email once this commits."""
    user = _actor(association, actor)
    product = _lock(product)
    if product.status not in EDITABLE:
        raise Conflict(f"This product is {product.get_status_display().lower()}: only a draft "
                       "is submitted", fields={"status": [product.status]})
    if ProductApproval.objects.filter(product=product, version=product.version).exists():
        # Changes were requested of this version: a new version is what is put again.
        product.version += 1
    parties = asked_parties(product.partnership)
    _check_approvers(parties)
    product.status = ProductStatus.IN_APPROVAL
    product.submitted_at = timezone.now()
    product.save(update_fields=["status", "submitted_at", "version"])
    approvals = _open_version(association, product, parties)
    _audit(association, "joint_product.submitted", product, user, version=product.version,
           parties=[a.party_id for a in approvals])
    return product


def _after_decision(association: Association, product: JointProduct,
                    approval: ProductApproval, actor: Any) -> None:
    if approval.decision == ApprovalDecision.CHANGES:
        _close_links(product, product.version)
        product.status = ProductStatus.CHANGES
        product.save(update_fields=["status"])
        _audit(association, "joint_product.changes_requested", product, actor,
               version=product.version, party=approval.party_id, note=approval.note)
        return
    pending = ProductApproval.objects.filter(product=product, version=product.version) \
        .exclude(decision=ApprovalDecision.APPROVED)
    if not pending.exists():
        product.status = ProductStatus.APPROVED
        product.save(update_fields=["status"])
        _audit(association, "joint_product.approved", product, actor, version=product.version)


def _decidable(product: JointProduct, approval: ProductApproval, decision: str,
               note: str) -> str:
    errors: dict[str, list[str]] = {}
    if decision not in DECISIONS:
        errors["decision"] = ["approved or changes"]
    note = clean_text(note, field="note", errors=errors, max_length=MAX_TEXT,
                      required=decision == ApprovalDecision.CHANGES)
    raise_if(errors)
    if approval.product_id != product.pk:
        raise NotFound("No such approval", fields={"approval": ["not of this product"]})
    if approval.version != product.version:
        raise Conflict(f"This approval was asked for version {approval.version}; the product "
                       f"is at version {product.version} now",
                       fields={"approval": ["an earlier version"]})
    if product.status != ProductStatus.IN_APPROVAL:
        raise Conflict(f"This product is {product.get_status_display().lower()}, not waiting "
                       "for approvals", fields={"status": [product.status]})
    if approval.decision != ApprovalDecision.PENDING:
        raise Conflict(f"{party_label(approval.party)} already decided this version "
                       f"({approval.get_decision_display().lower()})",
                       fields={"decision": ["already decided"]})
    return note


def _record(association: Association, product: JointProduct, approval: ProductApproval, *,
            decision: str, note: str, actor: Any, via: str, contact=None, user=None,
            recorded_by=None) -> ProductApproval:
    approval.decision = decision
    approval.note = note
    approval.contact = contact
    approval.approver_user = user
    approval.recorded_by = recorded_by
    approval.decided_at = timezone.now()
    approval.token_hash = ""
    approval.save(update_fields=["decision", "note", "contact", "approver_user",
                                 "recorded_by", "decided_at", "token_hash"])
    _audit(association, "approval.decided", approval, actor, product=product.pk,
           version=approval.version, party=approval.party_id, decision=decision, via=via,
           contact=getattr(contact, "pk", None), contact_email=getattr(contact, "email", None),
           approver=getattr(user, "email", None), note=note)
    _after_decision(association, product, approval, actor)
    return approval


def _approval_locked(product: JointProduct, approval: ProductApproval | int
                     ) -> tuple[JointProduct, ProductApproval]:
    product = _lock(product)
    found = (ProductApproval.objects.select_related("party__organisation", "party__association")
             .filter(pk=getattr(approval, "pk", approval), product=product).first())
    if found is None:
        raise NotFound("No such approval", fields={"approval": ["not of this product"]})
    return product, found


@transaction.atomic
def approval_decide(*, association: Association, product: JointProduct,
                    approval: ProductApproval | int, decision: str, note: str = "",
                    actor: Any) -> ProductApproval:
    """Our own party's sign-off, by our approver for the partnership (the staff user named
    on our party) and nobody else. Asking for changes needs a note saying which."""
    user = _actor(association, actor)
    product, approval = _approval_locked(product, approval)
    note = _decidable(product, approval, decision, note)
    party = approval.party
    if not party.is_us:
        raise PermissionDenied(
            f"{party_label(party)} signs through its own approvers: record the decision one "
            "of them gave, naming them", fields={"contact": ["name the partner's approver"]})
    if party.approver_user_id != user.pk:
        who = party.approver_user.email if party.approver_user_id else "nobody yet"
        raise PermissionDenied(f"You are not our approver for this partnership ({who} is): "
                               "only they sign for us", fields={"decision": ["not our approver"]})
    return _record(association, product, approval, decision=decision, note=note, actor=user,
                   via="staff", user=user)


@transaction.atomic
def approval_record(*, association: Association, product: JointProduct,
                    approval: ProductApproval | int, contact: PartnerContact | int | None,
                    decision: str, note: str = "", actor: Any) -> ProductApproval:
    """A partner's decision given outside the link (by phone, email or at a meeting),
    recorded by staff naming the partner's contact who gave it. Refused when that contact
    is not an approver of THIS party."""
    user = _actor(association, actor)
    product, approval = _approval_locked(product, approval)
    party = approval.party
    if party.is_us:
        raise PermissionDenied("Our own party signs in the staff pages, by our approver",
                               fields={"contact": ["we sign ourselves"]})
    cid = getattr(contact, "pk", contact)
    found = PartnerContact.objects.select_related("party__organisation").filter(pk=cid).first() \
        if cid else None
    if found is None:
        raise ValidationFailed("Name the partner's approver who gave the decision",
                               fields={"contact": ["required"]})
    _refuse_outsider(found, party)
    note = _decidable(product, approval, decision, note)
    return _record(association, product, approval, decision=decision, note=note, actor=user,
                   via="recorded", contact=found, recorded_by=user)


def _refuse_outsider(contact: PartnerContact, party: PartnershipParty) -> None:
    if contact.party_id != party.pk:
        where = party_label(contact.party) if contact.party_id else "another party"
        raise PermissionDenied(
            f"{contact.name} is not an approver of {party_label(party)} ({contact.name} is a "
            f"contact of {where}): only {party_label(party)}'s own approvers decide for it",
            fields={"contact": [f"not an approver of {party_label(party)}"]})
    if not contact.is_approver:
        raise PermissionDenied(
            f"{contact.name} is a contact of {party_label(party)} but not one of its "
            "approvers: only its approvers decide for it",
            fields={"contact": [f"not an approver of {party_label(party)}"]})


def approval_for_token(token: str) -> tuple[ProductApproval, PartnerContact] | None:
    """The pending approval and the contact an emailed link names (inside the
    association's scope), or None when the link is unknown, used or out of date."""
    read = read_token(token)
    if read is None:
        return None
    contact_id, nonce = read
    approval = (ProductApproval.objects
                .select_related("product__partnership", "party__organisation",
                                "party__association")
                .filter(token_hash=ProductApproval.hash(nonce),
                        decision=ApprovalDecision.PENDING).first())
    if approval is None or approval.version != approval.product.version:
        return None
    contact = PartnerContact.objects.filter(pk=contact_id).select_related("party").first()
    if contact is None:
        return None
    return approval, contact


@transaction.atomic
def approval_decide_by_link(*, association: Association, token: str, decision: str,
                            note: str = "") -> ProductApproval:
    """A partner's approver decides through the emailed link (no login). The link works
    once for the party and version; a contact who is no longer an approver of that party
    is refused."""
    found = approval_for_token(token)
    if found is None:
        raise NotFound("This approval link is not valid any more: it was used, or the "
                       "product changed since (a new link was sent)")
    approval, contact = found
    product, approval = _approval_locked(approval.product, approval)
    if approval.token_hash == "":  # decided by a colleague a moment ago
        raise NotFound("This approval link is not valid any more: it was used")
    _refuse_outsider(contact, approval.party)
    note = _decidable(product, approval, decision, note)
    return _record(association, product, approval, decision=decision, note=note, actor=None,
                   via="link", contact=contact)


def _waiting_partner(product: JointProduct, approval: ProductApproval) -> None:
    if approval.party.is_us or approval.decision != ApprovalDecision.PENDING \
            or approval.version != product.version \
            or product.status != ProductStatus.IN_APPROVAL:
        raise Conflict("Only a partner's approval this version still waits for has a link",
                       fields={"approval": ["not waiting"]})
    if not approver_contacts(approval.party):
        raise ValidationFailed(f"{party_label(approval.party)} has no approver to send to",
                               fields={"approvers": ["no contact is marked as approver"]})


@transaction.atomic
def approval_links_issue(*, association: Association, product: JointProduct,
                         approval: ProductApproval | int, actor: Any
                         ) -> list[tuple[PartnerContact, str]]:
    """New links for a waiting partner's approvers, returned instead of emailed (for staff
    to hand over another way when email fails); the earlier links stop working."""
    user = _actor(association, actor)
    product, approval = _approval_locked(product, approval)
    _waiting_partner(product, approval)
    outgoing: list = []
    _ask(association, product, approval, approval.party, outgoing)
    contacts = {c.email: c for c in approver_contacts(approval.party)}
    links = [(contacts[to], next(w for w in body.split() if "/approve/" in w))
             for to, _, body in outgoing]
    _audit(association, "approval.links_issued", approval, user, product=product.pk,
           version=approval.version, to=[c.email for c, _ in links])
    return links


@transaction.atomic
def approval_resend(*, association: Association, product: JointProduct,
                    approval: ProductApproval | int, actor: Any) -> ProductApproval:
    """Email a waiting partner's approvers a new link (the earlier links stop working)."""
    user = _actor(association, actor)
    product, approval = _approval_locked(product, approval)
    _waiting_partner(product, approval)
    outgoing: list = []
    _ask(association, product, approval, approval.party, outgoing)
    _flush(outgoing)
    _audit(association, "approval.resent", approval, user, product=product.pk,
           version=approval.version, to=[e for e, _, _ in outgoing])
    return approval


@transaction.atomic
def joint_product_verify(*, association: Association, product: JointProduct, notes: str,
                         actor: Any) -> JointProduct:
    """The check before publication, by a named staff member with their notes, once every
    party has approved the current version."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    notes = clean_text(notes, field="notes", errors=errors, max_length=MAX_TEXT)
    raise_if(errors)
    product = _lock(product)
    if product.status != ProductStatus.APPROVED:
        raise Conflict(f"This product is {product.get_status_display().lower()}: it is verified "
                       "once every party has approved it", fields={"status": [product.status]})
    product.status = ProductStatus.VERIFIED
    product.verified_at, product.verified_by, product.verification_notes = \
        timezone.now(), user, notes
    product.save(update_fields=["status", "verified_at", "verified_by", "verification_notes"])
    _audit(association, "joint_product.verified", product, user, version=product.version,
           notes=notes)
    return product


@transaction.atomic
def joint_product_publish(*, association: Association, product: JointProduct,
                          actor: Any) -> JointProduct:
    """Publish a verified product: its public credit page names every party's
    contribution, so each party needs its credit first."""
    user = _actor(association, actor)
    product = _lock(product)
    if product.status != ProductStatus.VERIFIED:
        raise Conflict(f"This product is {product.get_status_display().lower()}: only a "
                       "verified product is published", fields={"status": [product.status]})
    credited = set(ProductCredit.objects.filter(product=product)
                   .values_list("party_id", flat=True))
    missing = [party_label(p) for p in asked_parties(product.partnership)
               if p.pk not in credited]
    if missing:
        raise ValidationFailed("The credit page names every party's contribution: add "
                               f"{', '.join(missing)} first",
                               fields={"credits": [f"no credit for {m}" for m in missing]})
    product.status = ProductStatus.PUBLISHED
    product.published_at = timezone.now()
    product.save(update_fields=["status", "published_at"])
    _audit(association, "joint_product.published", product, user, version=product.version,
           slug=product.slug)
    return product


@transaction.atomic
def joint_product_withdraw(*, association: Association, product: JointProduct, reason: str,
                           actor: Any) -> JointProduct:
    """Stop a product (its public page goes, waiting links die); changing it later makes a
    new draft version."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, field="reason", errors=errors, max_length=MAX_TEXT)
    raise_if(errors)
    product = _lock(product)
    if product.status == ProductStatus.WITHDRAWN:
        raise Conflict("This product is already withdrawn", fields={"status": ["withdrawn"]})
    before = product.status
    _close_links(product)
    product.status = ProductStatus.WITHDRAWN
    product.save(update_fields=["status"])
    _audit(association, "joint_product.withdrawn", product, user, before=before, reason=reason)
    return product


@transaction.atomic
def joint_product_deliver(*, association: Association, product: JointProduct,
                          delivered_on: date | str | None, actor: Any) -> JointProduct:
    """Record when the product was delivered (timeliness: against its due date). Empty
    clears it. Not in the future."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    delivered = _date(delivered_on, "delivered_on", errors)
    if delivered and delivered > association_today(association):
        errors.setdefault("delivered_on", []).append("not in the future")
    raise_if(errors)
    product = _lock(product)
    before = product.delivered_on
    product.delivered_on = delivered
    product.save(update_fields=["delivered_on"])
    _audit(association, "joint_product.delivered", product, user,
           delivered_on=str(delivered) if delivered else None,
           before=str(before) if before else None)
    return product


@transaction.atomic
def product_credit_set(*, association: Association, product: JointProduct,
                       party: PartnershipParty | int, contribution: str, order: int | None = None,
                       actor: Any) -> ProductCredit:
    """What one party contributed, as the public page words it (set or replaced)."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    contribution = clean_text(contribution, field="contribution", errors=errors,
                              max_length=2000)
    raise_if(errors)
    product = _lock(product)
    found = PartnershipParty.objects.filter(pk=getattr(party, "pk", party),
                                            partnership=product.partnership_id).first()
    if found is None:
        raise ValidationFailed("Not a party of this product's partnership",
                               fields={"party": ["not a party of this partnership"]})
    parties = [p.pk for p in PartnershipParty.objects.filter(partnership=product.partnership_id)]
    credit, created = ProductCredit.objects.update_or_create(
        product=product, party=found,
        defaults={"association": association, "contribution": contribution,
                  "order": order if order is not None else parties.index(found.pk)})
    _audit(association, "credit.set", credit, user, product=product.pk, party=found.pk,
           contribution=contribution, created=created)
    return credit


@transaction.atomic
def quality_review_add(*, association: Association, product: JointProduct, score: Any,
                       notes: str = "", reviewed_on: date | str | None = None,
                       actor: Any) -> QualityReview:
    """A quality review (1 poor – 5 excellent) of a delivered product."""
    user = _actor(association, actor)
    errors: dict[str, list[str]] = {}
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5 or isinstance(score, (bool, float)):
        errors["score"] = ["a whole number from 1 (poor) to 5 (excellent)"]
    notes = clean_text(notes, field="notes", errors=errors, max_length=MAX_TEXT,
                       required=False)
    today = association_today(association)
    on = _date(reviewed_on, "reviewed_on", errors) or today
    if on > today:
        errors.setdefault("reviewed_on", []).append("not in the future")
    raise_if(errors)
    product = _lock(product)
    if product.delivered_on is None:
        raise Conflict("Record the delivery first: quality is reviewed on delivered work",
                       fields={"delivered_on": ["not delivered yet"]})
    review = QualityReview.objects.create(association=association, product=product,
                                          score=value, notes=notes, reviewed_on=on,
                                          reviewer=user)
    _audit(association, "joint_product.reviewed", review, user, product=product.pk,
           score=value, reviewed_on=str(on))
    return review


def contacts_approving(parties: Iterable[PartnershipParty]) -> dict[int, list[PartnerContact]]:
    """Per party id, its approver contacts (for the record-a-decision form)."""
    out: dict[int, list[PartnerContact]] = {}
    for c in PartnerContact.objects.filter(party__in=list(parties), is_approver=True) \
            .order_by("name"):
        out.setdefault(c.party_id, []).append(c)
    return out
