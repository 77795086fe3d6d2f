"""Writes of the partnership itself (D9, seed 004): the charter, the stakeholders and the
common ground drawn from them, the parties with their contacts (approvers), roles and
responsibilities, the assets each brings, due diligence, the trust record, the exchange
(cost-benefit) case, clauses, objectives with accountability standards, and the stage.

Joint products and their approvals are ``services_products`` (helper "approvals").

Every write is ``<entity>_<verb>(*, association, …, actor)``: validated (a mistake is a
``ValidationFailed`` naming the field, nothing written), one audit entry per change
(``partnership.<what>``). Who may write: staff on a side or administrators
(``permissions.may_manage_partnerships``); the board reads. No actor is the system (the
demo, a command without ``--by``), which may.

A public body can't commit to an exclusive relationship: an exclusivity clause binding a
public party — or binding every party (no party named) of a partnership with a public one
— is refused; so is adding a public partner under such a clause, and changing a partner's
sector to public while such a clause binds it (``partner_sector_change`` here, and
``guard_public_exclusivity``, connected to ``Organisation``'s ``pre_save`` for any other
path).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django_scopes import scope

from commonground.core import metrics
from commonground.core.cleaning import actor_user, clean_text, raise_if
from commonground.core.errors import Conflict, PermissionDenied, ValidationFailed
from commonground.core.normalise import normalise_email
from commonground.people.models import Organisation, Sector
from commonground.people.services import organisation_create
from commonground.planning.inputs import parse_date, parse_decimal
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, StaffMember

from .models import (
    AssetKind,
    Clause,
    ClauseKind,
    DiligenceRisk,
    ExchangeItem,
    ExchangeKind,
    PartnerAsset,
    PartnerContact,
    Partnership,
    PartnershipObjective,
    PartnershipParty,
    PartnershipStatus,
    Relationship,
    ResourceKind,
    Responsibility,
    RiskStatus,
    Stage,
    StageChange,
    Stakeholder,
    StakeholderKind,
    TrustEvent,
    TrustKind,
)

MAX_NAME, MAX_TEXT, MAX_LINE = 200, 20_000, 250
STAGES = [Stage.OBLIGATIONAL.value, Stage.PROMOTIONAL.value, Stage.SYSTEMIC.value]
OBJECTIVE_STATUSES = ("open", "met", "missed")
PUBLIC_EXCLUSIVITY = "a public body can't commit to an exclusive relationship"


def _require(association: Association, actor: Any, what: str) -> None:
    user = actor_user(actor)
    if user is None:
        return
    roles = permissions.staff_roles_of(association=association, user=user)
    if not permissions.may_manage_partnerships(roles):
        raise PermissionDenied(f"Only staff on the mission or the business side can {what}; "
                               "the board reads partnerships")


def _one_of(errors: dict[str, list[str]], field: str, value: Any, choices: Iterable[str]
            ) -> str:
    choices = list(choices)
    if value not in choices:
        errors.setdefault(field, []).append(f"one of {', '.join(choices)}")
    return value


def _int(errors: dict[str, list[str]], field: str, value: Any, low: int, high: int
         ) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(f"a whole number from {low} to {high}")
        return None
    if not low <= number <= high:
        errors.setdefault(field, []).append(f"from {low} to {high}")
        return None
    return number


def _staff_user(association: Association, user: Any, errors: dict[str, list[str]],
                field: str):
    """``user`` (a user or id) if it is staff of the association, else a field message."""
    if user in (None, ""):
        return None
    uid = getattr(user, "pk", user)
    try:
        uid = int(uid)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("a staff user")
        return None
    if not StaffMember.objects.filter(association=association, user_id=uid).exists():
        errors.setdefault(field, []).append(f"user {uid} is not staff here")
        return None
    return get_user_model().objects.get(pk=uid)


def _own(obj: Any, association: Association, errors: dict[str, list[str]], field: str,
         noun: str):
    if obj is not None and getattr(obj, "association_id", None) != association.pk:
        errors.setdefault(field, []).append(f"no such {noun} here")
        return None
    return obj


def _open(partnership: Partnership) -> None:
    if partnership.status == PartnershipStatus.ENDED:
        raise Conflict(f"“{partnership.name}” has ended; reopen it (status) to change it",
                       fields={"status": ["ended"]})


# ---------------------------------------------------------------- the exclusivity rule


def _public_exclusivity_clauses(organisation: Organisation):
    """The exclusivity clauses that would bind ``organisation`` (named as its party, or
    binding every party of a partnership it is in)."""
    return Clause.objects.filter(kind=ClauseKind.EXCLUSIVITY).filter(
        Q(party__organisation=organisation)
        | Q(party__isnull=True, partnership__parties__organisation=organisation)
    ).select_related("partnership").distinct()


def guard_public_exclusivity(sender, instance: Organisation, **kwargs: Any) -> None:
    """``pre_save`` of ``Organisation``: becoming public while an exclusivity clause binds
    it is refused, whichever code saves it (one query, only for a public one)."""
    if instance.pk is None or instance.sector != Sector.PUBLIC:
        return
    with scope(association=instance.association_id):
        clause = _public_exclusivity_clauses(instance).first()
    if clause is not None:
        raise ValidationFailed(
            f"{instance.name} is bound by an exclusivity clause in “{clause.partnership.name}”",
            fields={"sector": [f"{PUBLIC_EXCLUSIVITY}: remove the clause first"]})


# ---------------------------------------------------------------- partnerships


def _charter(errors: dict[str, list[str]], *, starts_on, ends_on, review_on
             ) -> tuple[date | None, date | None, date | None]:
    start = parse_date(errors, "starts_on", starts_on)
    end = parse_date(errors, "ends_on", ends_on, required=False)
    review = parse_date(errors, "review_on", review_on, required=False)
    if start and end and end < start:
        errors.setdefault("ends_on", []).append("before it starts")
    if start and review and review < start:
        errors.setdefault("review_on", []).append("before it starts")
    if end and review and review > end:
        errors.setdefault("review_on", []).append("after it ends")
    return start, end, review


@transaction.atomic
def partnership_create(*, association: Association, name: str, why: str,
                       starts_on: date | str, ends_on: date | str | None = None,
                       review_on: date | str | None = None,
                       partners: Sequence[Organisation] = (), our_role: str = "",
                       our_approver=None, manager=None, actor=None) -> Partnership:
    """A partnership with its charter (why we are in this together, from when, for how
    long, when we look at it again), the association's own party (``is_us``, the lead,
    with ``our_approver`` — a staff user — signing joint products) and a party for each
    of ``partners`` (the association's organisations). It starts obligational."""
    _require(association, actor, "start partnerships")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    why = clean_text(why, field="why", errors=errors, max_length=MAX_TEXT)
    our_role = clean_text(our_role, field="our_role", errors=errors, max_length=MAX_NAME,
                          required=False)
    start, end, review = _charter(errors, starts_on=starts_on, ends_on=ends_on,
                                  review_on=review_on)
    approver = _staff_user(association, our_approver, errors, "our_approver")
    boss = _staff_user(association, manager, errors, "manager") if manager else actor_user(actor)
    orgs: list[Organisation] = []
    for org in partners:
        if _own(org, association, errors, "partners", "organisation") is None:
            continue
        if org.pk in {o.pk for o in orgs}:
            errors.setdefault("partners", []).append(f"{org.name} is named twice")
            continue
        orgs.append(org)
    if name and Partnership.objects.filter(association=association, name=name).exists():
        errors.setdefault("name", []).append("another partnership has this name")
    raise_if(errors)
    today = association_today(association)
    partnership = Partnership.objects.create(
        association=association, name=name, why=why, starts_on=start, ends_on=end,
        review_on=review, manager=boss)
    formed = min(start, today)
    StageChange.objects.create(association=association, partnership=partnership, from_stage="",
                               to_stage=Stage.OBLIGATIONAL, changed_on=formed,
                               reason="The partnership was formed", changed_by=actor_user(actor))
    PartnershipParty.objects.create(association=association, partnership=partnership,
                                    is_us=True, is_lead=True, role=our_role or "Convenor",
                                    joined_on=formed, approver_user=approver)
    for org in orgs:
        PartnershipParty.objects.create(association=association, partnership=partnership,
                                        organisation=org, joined_on=formed)
    audit.record(association=association, action="partnership.created", obj=partnership,
                 actor=actor_user(actor),
                 data={"name": name, "starts_on": str(start), "partners": [o.pk for o in orgs]})
    return partnership


_UNSET: Any = object()


@transaction.atomic
def partnership_update(*, association: Association, partnership: Partnership,
                       name: str = _UNSET, why: str = _UNSET, starts_on: Any = _UNSET,
                       ends_on: Any = _UNSET, review_on: Any = _UNSET, status: str = _UNSET,
                       manager: Any = _UNSET, actor=None) -> Partnership:
    """Change the charter or the status; only what is given changes (``""`` clears an
    optional date). Nothing changed writes nothing."""
    _require(association, actor, "change partnerships")
    errors: dict[str, list[str]] = {}
    p = partnership
    new = {"name": p.name, "why": p.why, "status": p.status, "manager_id": p.manager_id}
    if name is not _UNSET:
        new["name"] = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    if why is not _UNSET:
        new["why"] = clean_text(why, field="why", errors=errors, max_length=MAX_TEXT)
    if status is not _UNSET:
        new["status"] = _one_of(errors, "status", status, PartnershipStatus.values)
    if manager is not _UNSET:
        boss = _staff_user(association, manager, errors, "manager")
        new["manager_id"] = boss.pk if boss else None
    start, end, review = _charter(
        errors, starts_on=p.starts_on if starts_on is _UNSET else starts_on,
        ends_on=p.ends_on if ends_on is _UNSET else ends_on,
        review_on=p.review_on if review_on is _UNSET else review_on)
    new.update(starts_on=start, ends_on=end, review_on=review)
    if new["name"] != p.name and Partnership.objects.filter(
            association=association, name=new["name"]).exclude(pk=p.pk).exists():
        errors.setdefault("name", []).append("another partnership has this name")
    raise_if(errors)
    changed = {k: v for k, v in new.items() if getattr(p, k) != v}
    if not changed:
        return p
    for key, value in changed.items():
        setattr(p, key, value)
    p.save()
    audit.record(association=association, action="partnership.changed", obj=p,
                 actor=actor_user(actor),
                 data={k: str(v) if v is not None else None for k, v in changed.items()})
    return p


@transaction.atomic
def partnership_common_ground_write(*, association: Association, partnership: Partnership,
                                    common_ground: str, common_future: str = "",
                                    actor=None) -> Partnership:
    """The common ground and the common future, drawn from the stakeholders' views: at
    least one invited stakeholder must have said they share it ("find the common ground"
    comes after letting everyone talk about their view of the world)."""
    _require(association, actor, "write the common ground")
    errors: dict[str, list[str]] = {}
    ground = clean_text(common_ground, field="common_ground", errors=errors,
                        max_length=MAX_TEXT, required=False)
    future = clean_text(common_future, field="common_future", errors=errors,
                        max_length=MAX_TEXT, required=False)
    if ground and not Stakeholder.objects.filter(partnership=partnership,
                                                 shares_common_ground=True).exists():
        errors.setdefault("common_ground", []).append(
            "no stakeholder shares common ground yet: record their views first")
    if future and not ground:
        errors.setdefault("common_future", []).append("find the common ground first")
    raise_if(errors)
    if (partnership.common_ground, partnership.common_future) == (ground, future):
        return partnership
    partnership.common_ground, partnership.common_future = ground, future
    partnership.save(update_fields=["common_ground", "common_future"])
    audit.record(association=association, action="partnership.common_ground_written",
                 obj=partnership, actor=actor_user(actor),
                 data={"common_ground": len(ground), "common_future": len(future)})
    return partnership


@transaction.atomic
def partnership_stage_change(*, association: Association, partnership: Partnership,
                             stage: str, reason: str = "", on: date | str | None = None,
                             actor=None) -> StageChange:
    """Move the relationship to ``stage`` (obligational → promotional → systemic), dated
    ``on`` (today if not given; never in the future, never before the last change). A step
    back needs a reason; the history keeps every change."""
    _require(association, actor, "change a partnership's stage")
    _open(partnership)
    errors: dict[str, list[str]] = {}
    _one_of(errors, "stage", stage, STAGES)
    reason = clean_text(reason, field="reason", errors=errors, max_length=MAX_TEXT,
                        required=False)
    today = association_today(association)
    day = parse_date(errors, "on", on, required=False) or today
    raise_if(errors)
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    partnership.refresh_from_db(fields=["stage"])
    current = partnership.stage
    if stage == current:
        errors["stage"] = [f"already {partnership.get_stage_display().lower()}"]
    elif STAGES.index(stage) < STAGES.index(current) and not reason:
        errors["reason"] = ["stepping back to an earlier stage needs a reason"]
    last = StageChange.objects.filter(partnership=partnership).order_by(
        "-changed_on", "-id").first()
    if day > today:
        errors["on"] = [f"in the future (today is {today:%-d %b %Y})"]
    elif last is not None and day < last.changed_on:
        errors["on"] = [f"before the last change ({last.changed_on:%-d %b %Y})"]
    raise_if(errors)
    change = StageChange.objects.create(
        association=association, partnership=partnership, from_stage=current, to_stage=stage,
        changed_on=day, reason=reason, changed_by=actor_user(actor))
    partnership.stage = stage
    partnership.save(update_fields=["stage"])
    audit.record(association=association, action="partnership.stage_changed", obj=partnership,
                 actor=actor_user(actor),
                 data={"from": current, "to": stage, "on": str(day), "reason": reason})
    return change


# ---------------------------------------------------------------- parties and contacts


def _blocking_clause(partnership: Partnership) -> Clause | None:
    """An exclusivity clause binding every party of ``partnership``."""
    return Clause.objects.filter(partnership=partnership, kind=ClauseKind.EXCLUSIVITY,
                                 party__isnull=True).first()


@transaction.atomic
def party_add(*, association: Association, partnership: Partnership,
              organisation: Organisation | None = None, organisation_name: str = "",
              sector: str = "", role: str = "", responsibilities: str = "",
              is_lead: bool = False, joined_on: date | str | None = None,
              actor=None) -> PartnershipParty:
    """Add a partner: one of the association's organisations, or a new one (its name and
    sector: public, voluntary or private)."""
    _require(association, actor, "add partners")
    _open(partnership)
    errors: dict[str, list[str]] = {}
    role = clean_text(role, field="role", errors=errors, max_length=MAX_NAME, required=False)
    responsibilities = clean_text(responsibilities, field="responsibilities", errors=errors,
                                  max_length=MAX_TEXT, required=False)
    joined = parse_date(errors, "joined_on", joined_on, required=False) or \
        association_today(association)
    organisation = _own(organisation, association, errors, "organisation", "organisation")
    name = (organisation_name or "").strip()
    if organisation is None and not name and not errors.get("organisation"):
        errors["organisation"] = ["choose an organisation, or name a new one with its sector"]
    elif organisation is not None and name:
        errors["organisation_name"] = ["either an existing organisation or a new one"]
    elif organisation is None and name:
        clean_text(name, field="organisation_name", errors=errors, max_length=MAX_NAME)
        _one_of(errors, "sector", sector, Sector.values)
    raise_if(errors)
    if organisation is None:
        organisation = organisation_create(association=association, name=name, sector=sector,
                                           actor=actor_user(actor))
    if PartnershipParty.objects.filter(partnership=partnership,
                                       organisation=organisation).exists():
        raise ValidationFailed("Please correct the highlighted fields", fields={
            "organisation": [f"{organisation.name} is already a partner in this partnership"]})
    clause = _blocking_clause(partnership)
    if organisation.sector == Sector.PUBLIC and clause is not None:
        raise ValidationFailed(
            f"{organisation.name} is a public body and “{partnership.name}” has an "
            "exclusivity clause binding every party", fields={
                "organisation": [f"{PUBLIC_EXCLUSIVITY}: remove or narrow the clause first"]})
    party = PartnershipParty.objects.create(
        association=association, partnership=partnership, organisation=organisation,
        role=role, responsibilities=responsibilities, is_lead=bool(is_lead), joined_on=joined)
    audit.record(association=association, action="partnership.party_added", obj=party,
                 actor=actor_user(actor),
                 data={"partnership_id": partnership.pk, "organisation_id": organisation.pk,
                       "sector": organisation.sector})
    return party


@transaction.atomic
def party_update(*, association: Association, party: PartnershipParty, role: str = _UNSET,
                 responsibilities: str = _UNSET, is_lead: bool = _UNSET,
                 approver_user: Any = _UNSET, left_on: Any = _UNSET,
                 actor=None) -> PartnershipParty:
    """A party's role, responsibilities, lead flag, the date it left; for our own party,
    the staff user who approves joint products."""
    _require(association, actor, "change partners")
    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    if role is not _UNSET:
        new["role"] = clean_text(role, field="role", errors=errors, max_length=MAX_NAME,
                                 required=False)
    if responsibilities is not _UNSET:
        new["responsibilities"] = clean_text(responsibilities, field="responsibilities",
                                             errors=errors, max_length=MAX_TEXT, required=False)
    if is_lead is not _UNSET:
        new["is_lead"] = bool(is_lead)
    if approver_user is not _UNSET:
        if approver_user not in (None, "") and not party.is_us:
            errors["approver_user"] = ["a partner's approvers are its contacts (mark a "
                                       "contact as approver)"]
        else:
            user = _staff_user(association, approver_user, errors, "approver_user")
            new["approver_user_id"] = user.pk if user else None
    if left_on is not _UNSET:
        left = parse_date(errors, "left_on", left_on, required=False)
        if left and left < party.joined_on:
            errors["left_on"] = [f"before it joined ({party.joined_on:%-d %b %Y})"]
        if left and party.is_us:
            errors["left_on"] = ["the association itself does not leave; end the partnership"]
        new["left_on"] = left
    raise_if(errors)
    changed = {k: v for k, v in new.items() if getattr(party, k) != v}
    if not changed:
        return party
    for key, value in changed.items():
        setattr(party, key, value)
    party.save()
    audit.record(association=association, action="partnership.party_changed", obj=party,
                 actor=actor_user(actor),
                 data={"partnership_id": party.partnership_id,
                       **{k: str(v) if v is not None else None for k, v in changed.items()}})
    return party


@transaction.atomic
def partner_contact_add(*, association: Association, party: PartnershipParty, name: str,
                        email: str, title: str = "", is_approver: bool = False,
                        actor=None) -> PartnerContact:
    """A person at a partner; an approver signs the partnership's joint products for it
    (by an emailed link). Our own party's approver is a staff user instead."""
    _require(association, actor, "add partner contacts")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    title = clean_text(title, field="title", errors=errors, max_length=MAX_NAME, required=False)
    try:
        email = normalise_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    else:
        if not email:
            errors["email"] = ["required"]
    if party.is_us:
        errors["party"] = ["our own approver is a staff user: set it on our party"]
    raise_if(errors)
    if PartnerContact.objects.filter(party=party, email__iexact=email).exists():
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={"email": ["already a contact of this partner"]})
    contact = PartnerContact.objects.create(association=association, party=party, name=name,
                                            email=email, title=title,
                                            is_approver=bool(is_approver))
    audit.record(association=association, action="partnership.contact_added", obj=contact,
                 actor=actor_user(actor),
                 data={"party_id": party.pk, "is_approver": contact.is_approver})
    return contact


@transaction.atomic
def partner_contact_set_approver(*, association: Association, contact: PartnerContact,
                                 is_approver: bool, actor=None) -> PartnerContact:
    _require(association, actor, "change partner contacts")
    if contact.is_approver == bool(is_approver):
        return contact
    contact.is_approver = bool(is_approver)
    contact.save(update_fields=["is_approver"])
    audit.record(association=association, action="partnership.contact_changed", obj=contact,
                 actor=actor_user(actor), data={"is_approver": contact.is_approver})
    return contact


@transaction.atomic
def responsibility_add(*, association: Association, party: PartnershipParty, title: str,
                       description: str = "", actor=None) -> Responsibility:
    """A named responsibility of one party (clear roles and responsibilities)."""
    _require(association, actor, "assign responsibilities")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, field="title", errors=errors, max_length=MAX_NAME)
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_TEXT, required=False)
    raise_if(errors)
    duty = Responsibility.objects.create(association=association, party=party, title=title,
                                         description=description)
    audit.record(association=association, action="partnership.responsibility_added", obj=duty,
                 actor=actor_user(actor), data={"party_id": party.pk, "title": title})
    return duty


# ---------------------------------------------------------------- stakeholders


@transaction.atomic
def stakeholder_save(*, association: Association, partnership: Partnership, name: str,
                     kind: str = StakeholderKind.OTHER, organisation: Organisation | None = None,
                     invited_on: date | str | None = None, took_part: bool = False,
                     view: str = "", shares_common_ground: bool = False,
                     stakeholder: Stakeholder | None = None, actor=None) -> Stakeholder:
    """Invite a stakeholder to the first discussions, or record what they said (``view``,
    in their words) and whether they share the common ground. A view needs them to have
    taken part."""
    _require(association, actor, "invite stakeholders")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    view = clean_text(view, field="view", errors=errors, max_length=MAX_TEXT, required=False)
    _one_of(errors, "kind", kind, StakeholderKind.values)
    organisation = _own(organisation, association, errors, "organisation", "organisation")
    invited = parse_date(errors, "invited_on", invited_on, required=False)
    today = association_today(association)
    if invited and invited > today:
        errors.setdefault("invited_on", []).append("in the future")
    if (view or shares_common_ground) and not took_part:
        errors.setdefault("took_part", []).append(
            "a view or shared ground is recorded for someone who took part")
    raise_if(errors)
    created = stakeholder is None
    s = stakeholder or Stakeholder(association=association, partnership=partnership)
    before = (s.name, s.kind, s.organisation_id, s.invited_on, s.took_part, s.view,
              s.shares_common_ground)
    s.name, s.kind, s.organisation, s.invited_on = name, kind, organisation, invited
    s.took_part, s.view, s.shares_common_ground = bool(took_part), view, bool(shares_common_ground)
    after = (s.name, s.kind, s.organisation_id, s.invited_on, s.took_part, s.view,
             s.shares_common_ground)
    if not created and before == after:
        return s
    s.save()
    audit.record(association=association,
                 action="partnership.stakeholder_" + ("invited" if created else "changed"),
                 obj=s, actor=actor_user(actor),
                 data={"partnership_id": s.partnership_id, "kind": kind,
                       "took_part": s.took_part, "shares_common_ground": s.shares_common_ground})
    return s


# ---------------------------------------------------------------- assets and due diligence


@transaction.atomic
def asset_add(*, association: Association, party: PartnershipParty, kind: str,
              resource: str = "", description: str = "", actor=None) -> PartnerAsset:
    """What a party brings: visibility, credibility or access to a resource (which one:
    sales force, distribution channels, pricing history, promotion, R&D, manufacturing)."""
    _require(association, actor, "record assets")
    errors: dict[str, list[str]] = {}
    _one_of(errors, "kind", kind, AssetKind.values)
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_TEXT, required=False)
    resource = resource or ""
    if kind == AssetKind.RESOURCES:
        if not resource:
            errors["resource"] = ["which resource: " + ", ".join(ResourceKind.values)]
        else:
            _one_of(errors, "resource", resource, ResourceKind.values)
    elif resource:
        errors["resource"] = ["only for access to resources"]
    raise_if(errors)
    asset = PartnerAsset.objects.create(association=association, party=party, kind=kind,
                                        resource=resource, description=description)
    audit.record(association=association, action="partnership.asset_added", obj=asset,
                 actor=actor_user(actor),
                 data={"party_id": party.pk, "kind": kind, "resource": resource})
    return asset


@transaction.atomic
def risk_add(*, association: Association, partnership: Partnership, party: PartnershipParty,
             description: str, likelihood: int | str, impact: int | str,
             asset: PartnerAsset | None = None, relationship: str = "", mitigation: str = "",
             assessed_on: date | str | None = None, actor=None) -> DiligenceRisk:
    """Due diligence: how the partnership may harm one party's asset (its visibility,
    credibility, resources) or relationship (audiences, advocacy groups, regulators,
    peers, competitors…), likelihood × impact on 1–5 scales, and its mitigation."""
    _require(association, actor, "assess risks")
    errors: dict[str, list[str]] = {}
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_TEXT)
    mitigation = clean_text(mitigation, field="mitigation", errors=errors,
                            max_length=MAX_TEXT, required=False)
    lik = _int(errors, "likelihood", likelihood, 1, 5)
    imp = _int(errors, "impact", impact, 1, 5)
    if party.partnership_id != partnership.pk:
        errors["party"] = ["not a party of this partnership"]
    if asset is not None and asset.party_id != party.pk:
        errors["asset"] = ["an asset of another party"]
    relationship = relationship or ""
    if relationship:
        _one_of(errors, "relationship", relationship, Relationship.values)
    if asset is None and not relationship:
        errors.setdefault("asset", []).append("name the asset or the relationship at risk")
    day = parse_date(errors, "assessed_on", assessed_on, required=False) or \
        association_today(association)
    raise_if(errors)
    risk = DiligenceRisk.objects.create(
        association=association, partnership=partnership, party=party, asset=asset,
        relationship=relationship, description=description, likelihood=lik, impact=imp,
        mitigation=mitigation, assessed_on=day, assessed_by=actor_user(actor))
    audit.record(association=association, action="partnership.risk_assessed", obj=risk,
                 actor=actor_user(actor),
                 data={"partnership_id": partnership.pk, "party_id": party.pk,
                       "score": lik * imp})
    return risk


@transaction.atomic
def risk_update(*, association: Association, risk: DiligenceRisk, status: str = _UNSET,
                mitigation: str = _UNSET, likelihood: Any = _UNSET, impact: Any = _UNSET,
                actor=None) -> DiligenceRisk:
    """Reassess a risk: its status (open / mitigated / accepted), mitigation, scales. A
    mitigated risk says how."""
    _require(association, actor, "assess risks")
    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {}
    if status is not _UNSET:
        new["status"] = _one_of(errors, "status", status, RiskStatus.values)
    if mitigation is not _UNSET:
        new["mitigation"] = clean_text(mitigation, field="mitigation", errors=errors,
                                       max_length=MAX_TEXT, required=False)
    if likelihood is not _UNSET:
        new["likelihood"] = _int(errors, "likelihood", likelihood, 1, 5)
    if impact is not _UNSET:
        new["impact"] = _int(errors, "impact", impact, 1, 5)
    if new.get("status", risk.status) == RiskStatus.MITIGATED and \
            not new.get("mitigation", risk.mitigation):
        errors.setdefault("mitigation", []).append("say how it is mitigated")
    raise_if(errors)
    changed = {k: v for k, v in new.items() if getattr(risk, k) != v}
    if not changed:
        return risk
    for key, value in changed.items():
        setattr(risk, key, value)
    risk.save()
    audit.record(association=association, action="partnership.risk_changed", obj=risk,
                 actor=actor_user(actor),
                 data={"partnership_id": risk.partnership_id, **{
                     k: (v if k != "mitigation" else len(v)) for k, v in changed.items()}})
    return risk


# ---------------------------------------------------------------- trust


@transaction.atomic
def trust_event_record(*, association: Association, organisation: Organisation, kind: str,
                       occurred_on: date | str, description: str, effect: int | str = 0,
                       partnership: Partnership | None = None, actor=None) -> TrustEvent:
    """The trust record with a partner organisation (past joint work, incidents,
    commendations), kept per organisation across partnerships. ``effect`` is −1 (hurt
    trust), 0 or +1 (built it); an incident can't build trust, a commendation can't hurt
    it. A partnership named must have the organisation as a party."""
    _require(association, actor, "record trust")
    errors: dict[str, list[str]] = {}
    organisation = _own(organisation, association, errors, "organisation", "organisation")
    _one_of(errors, "kind", kind, TrustKind.values)
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_TEXT)
    day = parse_date(errors, "occurred_on", occurred_on)
    today = association_today(association)
    if day and day > today:
        errors["occurred_on"] = [f"in the future (today is {today:%-d %b %Y})"]
    value = _int(errors, "effect", effect, -1, 1)
    if value is not None and kind == TrustKind.INCIDENT and value > 0:
        errors["effect"] = ["an incident can't build trust (−1 or 0)"]
    if value is not None and kind == TrustKind.COMMENDATION and value < 0:
        errors["effect"] = ["a commendation can't hurt trust (0 or +1)"]
    if partnership is not None and organisation is not None and not \
            PartnershipParty.objects.filter(partnership=partnership,
                                            organisation=organisation).exists():
        errors["partnership"] = [f"{organisation.name} is not a party of “{partnership.name}”"]
    raise_if(errors)
    event = TrustEvent.objects.create(
        association=association, organisation=organisation, partnership=partnership,
        kind=kind, occurred_on=day, description=description, effect=value,
        recorded_by=actor_user(actor))
    audit.record(association=association, action="partnership.trust_recorded", obj=event,
                 actor=actor_user(actor),
                 data={"organisation_id": organisation.pk, "kind": kind, "effect": value,
                       "partnership_id": partnership.pk if partnership else None})
    return event


@transaction.atomic
def partner_sector_change(*, association: Association, organisation: Organisation,
                          sector: str, actor=None) -> Organisation:
    """Correct a partner's sector. Becoming public while an exclusivity clause binds it
    is refused (``PUBLIC_EXCLUSIVITY``), naming the partnership."""
    _require(association, actor, "change a partner's sector")
    errors: dict[str, list[str]] = {}
    _one_of(errors, "sector", sector, Sector.values)
    raise_if(errors)
    if organisation.sector == sector:
        return organisation
    before = organisation.sector
    organisation.sector = sector
    organisation._history_user = actor_user(actor)
    try:
        organisation.save()  # guard_public_exclusivity (pre_save) refuses a bound public body
    except ValidationFailed:
        organisation.sector = before
        raise
    audit.record(association=association, action="organisation.sector_changed",
                 obj=organisation, actor=actor_user(actor),
                 data={"from": before, "to": sector})
    return organisation


# ---------------------------------------------------------------- the exchange case


@transaction.atomic
def exchange_item_add(*, association: Association, partnership: Partnership,
                      party: PartnershipParty, kind: str, description: str,
                      value: Decimal | str | None = None, actor=None) -> ExchangeItem:
    """One line of the cost-benefit case for one party: a cost or a benefit, in money
    where it can be put in money (never negative: a cost is a cost)."""
    _require(association, actor, "write the exchange case")
    errors: dict[str, list[str]] = {}
    _one_of(errors, "kind", kind, ExchangeKind.values)
    description = clean_text(description, field="description", errors=errors,
                             max_length=MAX_LINE)
    amount = parse_decimal(errors, "value", value, required=False)
    if amount is not None and amount < 0:
        errors["value"] = ["not negative: record a cost as a cost"]
    if party.partnership_id != partnership.pk:
        errors["party"] = ["not a party of this partnership"]
    raise_if(errors)
    item = ExchangeItem.objects.create(association=association, partnership=partnership,
                                       party=party, kind=kind, description=description,
                                       value=amount)
    audit.record(association=association, action="partnership.exchange_added", obj=item,
                 actor=actor_user(actor),
                 data={"partnership_id": partnership.pk, "party_id": party.pk, "kind": kind,
                       "value": str(amount) if amount is not None else None})
    return item


@transaction.atomic
def exchange_item_remove(*, association: Association, item: ExchangeItem, actor=None) -> None:
    _require(association, actor, "write the exchange case")
    audit.record(association=association, action="partnership.exchange_removed", obj=item,
                 actor=actor_user(actor),
                 data={"partnership_id": item.partnership_id, "description": item.description})
    item.delete()


# ---------------------------------------------------------------- clauses


@transaction.atomic
def clause_add(*, association: Association, partnership: Partnership, kind: str, text: str,
               party: PartnershipParty | None = None, actor=None) -> Clause:
    """A term of the arrangement, binding one party or (no party) every party. An
    exclusivity clause binding a public body is refused."""
    _require(association, actor, "add clauses")
    _open(partnership)
    errors: dict[str, list[str]] = {}
    _one_of(errors, "kind", kind, ClauseKind.values)
    text = clean_text(text, field="text", errors=errors, max_length=MAX_TEXT)
    if party is not None and party.partnership_id != partnership.pk:
        errors["party"] = ["not a party of this partnership"]
    raise_if(errors)
    if kind == ClauseKind.EXCLUSIVITY:
        bound = [party] if party is not None else list(
            PartnershipParty.objects.filter(partnership=partnership, is_us=False)
            .select_related("organisation"))
        public = [p.organisation.name for p in bound
                  if p.organisation is not None and p.organisation.sector == Sector.PUBLIC]
        if public:
            who = ", ".join(public)
            raise ValidationFailed(
                f"An exclusivity clause can't bind {who}: {PUBLIC_EXCLUSIVITY}",
                fields={"party" if party is not None else "kind": [
                    f"{who} {'is a public body' if len(public) == 1 else 'are public bodies'}"
                    f": {PUBLIC_EXCLUSIVITY}"]})
    clause = Clause.objects.create(association=association, partnership=partnership,
                                   party=party, kind=kind, text=text)
    audit.record(association=association, action="partnership.clause_added", obj=clause,
                 actor=actor_user(actor),
                 data={"partnership_id": partnership.pk, "kind": kind,
                       "party_id": party.pk if party else None})
    return clause


@transaction.atomic
def clause_remove(*, association: Association, clause: Clause, actor=None) -> None:
    _require(association, actor, "remove clauses")
    audit.record(association=association, action="partnership.clause_removed", obj=clause,
                 actor=actor_user(actor),
                 data={"partnership_id": clause.partnership_id, "kind": clause.kind,
                       "text": clause.text[:200]})
    clause.delete()


# ---------------------------------------------------------------- objectives


@transaction.atomic
def objective_add(*, association: Association, partnership: Partnership, name: str,
                  accountability: str = "", owner: PartnershipParty | None = None,
                  metric_key: str = "", filters: dict | None = None,
                  target: Decimal | str | None = None, due_on: date | str | None = None,
                  actor=None) -> PartnershipObjective:
    """An objective with its accountability standard (how it is reported, by whom, how
    often), owned by a party; optionally measured by a catalogue metric (with filters)
    from the partnership's start, then ``target`` is needed."""
    _require(association, actor, "set objectives")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=MAX_NAME)
    accountability = clean_text(accountability, field="accountability", errors=errors,
                                max_length=MAX_TEXT, required=False)
    due = parse_date(errors, "due_on", due_on, required=False)
    goal = parse_decimal(errors, "target", target, required=False)
    if owner is not None and owner.partnership_id != partnership.pk:
        errors["owner"] = ["not a party of this partnership"]
    metric_key = (metric_key or "").strip()
    filters = dict(filters or {})
    if not isinstance(filters, dict):
        errors["filters"] = ["an object of filter: value"]
    if metric_key:
        try:
            metrics.validate(association=association, metric_key=metric_key, filters=filters,
                             start=partnership.starts_on,
                             end=max(due or partnership.starts_on, partnership.starts_on))
        except ValidationFailed as exc:
            for field, msgs in exc.fields.items():
                errors.setdefault("metric_key" if field == "metric" else field, []).extend(msgs)
        if goal is None:
            errors.setdefault("target", []).append("a measured objective needs a target")
    elif filters:
        errors["filters"] = ["filters refine a metric: choose one"]
    raise_if(errors)
    objective = PartnershipObjective.objects.create(
        association=association, partnership=partnership, name=name,
        accountability=accountability, owner=owner, metric_key=metric_key,
        filters={k: v for k, v in filters.items() if v not in (None, "")}, target=goal,
        due_on=due)
    audit.record(association=association, action="partnership.objective_added", obj=objective,
                 actor=actor_user(actor),
                 data={"partnership_id": partnership.pk, "metric": metric_key,
                       "target": str(goal) if goal is not None else None})
    return objective


@transaction.atomic
def objective_set_status(*, association: Association, objective: PartnershipObjective,
                         status: str, actor=None) -> PartnershipObjective:
    _require(association, actor, "set objectives")
    errors: dict[str, list[str]] = {}
    _one_of(errors, "status", status, OBJECTIVE_STATUSES)
    raise_if(errors)
    if objective.status == status:
        return objective
    before = objective.status
    objective.status = status
    objective.save(update_fields=["status"])
    audit.record(association=association, action="partnership.objective_status", obj=objective,
                 actor=actor_user(actor), data={"from": before, "to": status})
    return objective


__all__ = [
    "PUBLIC_EXCLUSIVITY", "STAGES", "asset_add", "clause_add", "clause_remove",
    "exchange_item_add", "exchange_item_remove", "guard_public_exclusivity", "objective_add",
    "objective_set_status", "partner_contact_add", "partner_contact_set_approver",
    "partner_sector_change", "partnership_common_ground_write", "partnership_create",
    "partnership_stage_change", "partnership_update", "party_add", "party_update",
    "responsibility_add", "risk_add", "risk_update", "stakeholder_save", "trust_event_record",
]
