"""Joint decisions: propose, take positions, approval with its effect, close, reopen.

A decision belongs to both sides: each side whose quorum is above 0 must sign off (AGREE
positions for the same option) before it is approved, and only then is its effect — an
offering's price — applied, exactly once. Every write locks the decision's row first
(``select_for_update``), so two people signing at the same moment are counted one after
the other: the second sees the first's position, and only one of them approves.
``effect_applied_at`` guards the effect besides. While a price decision is open the
offering's price fields are locked (``membership.services.offering_price_lock``): the
decision is the only way they change; closing it without approval unlocks them untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonground.core.cleaning import clean_text
from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.membership import services as membership
from commonground.membership.models import Offering, PriceDecision
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, StaffMember

from .. import selectors_decisions as sel
from ..models import (
    Decision,
    DecisionOption,
    DecisionStatus,
    DecisionType,
    Effect,
    Meeting,
    Position,
    Stance,
)
from .inbox import inbox_send

MAX_OPTIONS = 10
MAX_TEXT = 10_000
CLOSING = (DecisionStatus.REJECTED, DecisionStatus.WITHDRAWN)


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)


def lock_reason(decision: Decision) -> str:
    """What the offering's form shows while the price is being decided."""
    return f"Joint decision #{decision.pk} “{decision.title}” is open"[:200]


def decision_url(association: Association, decision: Decision) -> str:
    return reverse("decision_detail", kwargs={"association": association.slug,
                                              "decision_id": decision.pk})


def _price_label(values: Mapping[str, Any]) -> str:
    if values["price_decision"] == PriceDecision.FREE:
        return "Free"
    if values["price_decision"] == PriceDecision.MEMBER_PRICE:
        return f"Member price {values['member_price']}, non-members {values['non_member_price']}"
    return f"One price: {values['non_member_price']}"


def _options(raw: Iterable[Mapping[str, Any]], *, priced: bool,
             errors: dict[str, list[str]]) -> list[tuple[str, dict]]:
    """(label, values) per option; a price option's values checked with the offering's own
    price rule (``offering_prices``), its errors named ``options.<n>.<field>``."""
    out: list[tuple[str, dict]] = []
    rows = list(raw or [])
    if len(rows) > MAX_OPTIONS:
        errors["options"] = [f"at most {MAX_OPTIONS} options"]
        return out
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[f"options.{i}"] = ["an option with a label"]
            continue
        label = str(row.get("label") or "").strip()
        values: dict[str, str] = {}
        if priced:
            given = row.get("values") if isinstance(row.get("values"), Mapping) else row
            try:
                checked = membership.offering_prices(
                    price_decision=str(given.get("price_decision") or ""),
                    member_price=given.get("member_price"),
                    non_member_price=given.get("non_member_price"),
                    field_prefix=f"options.{i}.")
            except ValidationFailed as exc:
                errors.update(exc.fields)
                continue
            values = {k: str(v) for k, v in checked.items()}
            label = label or _price_label(values)
        if not label:
            errors[f"options.{i}.label"] = ["required"]
        elif len(label) > 200:
            errors[f"options.{i}.label"] = ["at most 200 characters"]
        else:
            out.append((label, values))
    if not errors and len({label.lower() for label, _ in out}) < len(out):
        errors["options"] = ["two options have the same label"]
    return out


def _text(value: str, name: str, errors: dict[str, list[str]], *, required: bool,
          limit: int = MAX_TEXT) -> str:
    return clean_text(value, field=name, errors=errors, max_length=limit, required=required)


def _may_manage(association: Association, decision: Decision, actor: Any) -> None:
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not (permissions.is_admin(roles) or (
            decision.proposed_by_id and decision.proposed_by_id == getattr(actor, "pk", None))):
        raise PermissionDenied("Only the proposer or an administrator can close or reopen "
                               "a decision")


def _side_users(association: Association, sides: Iterable[str], *, exclude: Iterable[int] = ()):
    """The staff who can sign for any of ``sides`` (the board never), as users."""
    q = None
    for side in sides:
        part = permissions.staff_on_side(association=association, side=side)
        q = part if q is None else q | part
    if q is None:
        return []
    ids = set(StaffMember.objects.filter(q).values_list("user_id", flat=True)) - set(exclude)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _notify(association: Association, decision: Decision, sides: list[str], *,
            subject: str, body: str, exclude: Iterable[int] = ()) -> None:
    """An inbox message to the staff of the sides the decision waits for."""
    users = _side_users(association, sides, exclude=exclude)
    if users:
        inbox_send(association=association, users=users, subject=subject[:200], body=body,
                   url=decision_url(association, decision), kind="decision.waiting")


def _waiting_text(sides: list[str]) -> str:
    return " and ".join(sel.SIDE_LABEL[s] for s in sides)


@transaction.atomic
def decision_propose(*, association: Association, type: DecisionType, title: str,  # noqa: A002
                     options: Iterable[Mapping[str, Any]] = (), body: str = "",
                     offering: Offering | None = None, meeting: Meeting | None = None,
                     objective: Any = None, hidden_positions: bool | None = None,
                     closes_on: date | None = None, actor: Any) -> Decision:
    """Put a decision to both sides. A pricing decision names its offering and offers
    price options (checked like the offering's own price); proposing it locks the
    offering's price until the decision closes. Without options a decision has one,
    "As proposed"."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_propose(roles):
        raise PermissionDenied("Only staff on the mission or the business side can propose "
                               "a joint decision (the board comments)")
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", errors, required=True, limit=200)
    body = _text(body, "body", errors, required=False)
    priced = type.effect == Effect.OFFERING_PRICE
    if priced and offering is None:
        errors["offering"] = ["a pricing decision names the offering whose price it sets"]
    if closes_on is not None and closes_on < association_today(association):
        errors["closes_on"] = ["a closing date in the past"]
    choices = _options(options, priced=priced, errors=errors)
    if priced and not choices and "options" not in errors and not any(
            k.startswith("options.") for k in errors):
        errors["options"] = ["a pricing decision needs at least one price option"]
    _fail(errors)
    if not choices:
        choices = [("As proposed", {})]
    quorum = type.quorum()
    decision = Decision.objects.create(
        association=association, type=type, title=title, body=body,
        offering=offering if priced else None, meeting=meeting, objective=objective,
        quorum=quorum,
        hidden_positions=type.hide_positions if hidden_positions is None
        else bool(hidden_positions),
        closes_on=closes_on, proposed_by=actor if getattr(actor, "pk", None) else None)
    DecisionOption.objects.bulk_create([
        DecisionOption(association=association, decision=decision, label=label, values=values,
                       position=i) for i, (label, values) in enumerate(choices)])
    if priced:
        # Inside this transaction: a price another open decision already holds refuses
        # the whole proposal (nothing half-made).
        membership.offering_price_lock(association=association, offering=offering,
                                       reason=lock_reason(decision), actor=actor)
    audit.record(association=association, action="decision.proposed", obj=decision,
                 actor=actor, data={"type": type.key, "title": title, "quorum": quorum,
                                    "options": [label for label, _ in choices],
                                    "offering_id": offering.pk if priced else None,
                                    "meeting_id": getattr(meeting, "pk", None),
                                    "hidden_positions": decision.hidden_positions})
    required = [s for s, n in quorum.items() if n > 0]
    _notify(association, decision, required, exclude=[getattr(actor, "pk", 0)],
            subject=f"Your side's sign-off is asked: {title}",
            body=f"A joint decision waits for the {_waiting_text(required)}.")
    return decision


def _option_for(decision: Decision, option: Any, stance: str,
                errors: dict[str, list[str]]) -> DecisionOption | None:
    options = list(decision.options.all())
    if option in (None, ""):
        if stance == Stance.AGREE:
            if len(options) == 1:
                return options[0]
            errors["option"] = ["choose the option you sign off"]
        return None
    oid = getattr(option, "pk", option)
    found = next((o for o in options if str(o.pk) == str(oid)), None)
    if found is None:
        errors["option"] = ["not an option of this decision"]
    return found


@transaction.atomic
def position_submit(*, association: Association, decision: Decision, actor: Any, side: str,
                    stance: str, reason: str, option: Any = None) -> Position:
    """One person's position for one side in the current round, always with a reason.
    Staff on that side only (not the board), once per person per round. The position that
    completes every required side's quorum for one option (and no block) approves the
    decision and applies its effect."""
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required=True)
    if stance not in Stance.values:
        errors["stance"] = [f"one of {', '.join(Stance.values)}"]
    if side not in permissions.BOTH_SIDES:
        errors["side"] = ["mission or business"]
    _fail(errors)
    roles = permissions.staff_roles_of(association=association, user=actor)
    if permissions.is_board_only(roles):
        raise PermissionDenied("The board reads and comments; it does not sign joint decisions",
                               fields={"side": ["the board does not sign"]})
    if not permissions.may_sign(roles, side):
        raise PermissionDenied(f"You are not on the {side} side: only {side}-side staff can "
                               f"sign for it", fields={"side": [f"you are not on the {side} side"]})
    # The lock that serialises every position on this decision (see the module docstring).
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != DecisionStatus.OPEN:
        raise ValidationFailed(f"This decision is {decision.get_status_display().lower()}: "
                               "reopen it to take positions again",
                               fields={"stance": ["the decision is closed"]})
    if int(decision.quorum.get(side, 0) or 0) == 0:
        raise ValidationFailed(f"This decision does not ask the {side} side",
                               fields={"side": [f"the {side} side is not asked"]})
    if decision.closes_on and decision.closes_on < association_today(association):
        raise ValidationFailed(f"The decision closed for positions on {decision.closes_on}",
                               fields={"stance": ["the closing date has passed"]})
    earlier = sel.signed_this_round(decision, actor)
    if earlier is not None:
        raise ValidationFailed(
            f"You already signed this round ({earlier.get_stance_display().lower()} for the "
            f"{earlier.side} side): one position per person per round",
            fields={"stance": ["already signed"]})
    chosen = _option_for(decision, option, stance, errors)
    _fail(errors)
    try:
        with transaction.atomic():
            position = Position.objects.create(
                association=association, decision=decision, round=decision.round, user=actor,
                side=side, stance=stance, option=chosen, reason=reason)
    except IntegrityError:  # the unique constraint, if a caller skipped the lock
        raise ValidationFailed("You already signed this round: one position per person per "
                               "round", fields={"stance": ["already signed"]}) from None
    audit.record(association=association, action="decision.position_taken", obj=decision,
                 actor=actor, data={"position_id": position.pk, "round": decision.round,
                                    "side": side, "stance": stance,
                                    "option": chosen.label if chosen else None})
    t = sel.tally(decision)
    winner = t.approved_option()
    if winner is not None:
        _approve(association, decision, winner, t, actor)
    elif _side_just_signed_off(t, position) and t.waiting_for and not t.blocked:
        _notify(association, decision, t.waiting_for, exclude=_signed_ids(decision),
                subject=f"Waiting for your side: {decision.title}",
                body=f"The {sel.SIDE_LABEL[side]} signed off; the decision waits for the "
                     f"{_waiting_text(t.waiting_for)}.")
    return position


def _side_just_signed_off(t: sel.Tally, position: Position) -> bool:
    """Did this position complete its side's quorum (so the other side is told once)?"""
    side = t.sides[position.side]
    if position.stance != Stance.AGREE or not side.reached:
        return False
    before = dict(side.agree)
    before[position.option_id] -= 1
    return max(before.values(), default=0) < side.quorum


def _signed_ids(decision: Decision) -> list[int]:
    return list(Position.objects.filter(decision=decision, round=decision.round)
                .values_list("user_id", flat=True))


def _approve(association: Association, decision: Decision, option_id: int, t: sel.Tally,
             actor: Any) -> None:
    option = DecisionOption.objects.get(pk=option_id, decision=decision)
    now = timezone.now()
    positions = sel.positions_of(decision)
    decision.status = DecisionStatus.APPROVED
    decision.chosen_option = option
    decision.closed_at = now
    decision.outcome = decision.outcome or f"Approved in round {decision.round}: {option.label}."
    fields = ["status", "chosen_option", "closed_at", "outcome"]
    applied = False
    if decision.type.effect == Effect.OFFERING_PRICE and decision.effect_applied_at is None \
            and decision.offering_id:
        v = option.values
        membership.offering_price_apply(
            association=association, offering=decision.offering,
            price_decision=v.get("price_decision", ""), member_price=v.get("member_price"),
            non_member_price=v.get("non_member_price"),
            decided_by=f"Joint decision #{decision.pk} “{decision.title}”", actor=actor)
        decision.effect_applied_at = now
        fields.append("effect_applied_at")
        applied = True
    decision.save(update_fields=fields)
    decision.dissent_ids = [p.pk for p in sel.dissent(decision, positions)]
    audit.record(association=association, action="decision.approved", obj=decision,
                 actor=actor, data={"round": decision.round, "option": option.label,
                                    "signed": {s.side: s.agree.get(option.pk, 0)
                                               for s in t.required},
                                    "quorum": decision.quorum,
                                    "dissent_position_ids": decision.dissent_ids,
                                    "effect_applied": applied})


@transaction.atomic
def decision_close(*, association: Association, decision: Decision, status: str,
                   outcome: str, actor: Any) -> Decision:
    """Reject or withdraw an open decision (the proposer or an administrator), with the
    reason as its outcome. Nothing takes effect: a price stays as it was and is unlocked."""
    errors: dict[str, list[str]] = {}
    if status not in CLOSING:
        errors["status"] = ["rejected or withdrawn"]
    outcome = _text(outcome, "outcome", errors, required=True)
    _fail(errors)
    _may_manage(association, decision, actor)
    decision = Decision.objects.select_for_update().select_related("type").get(pk=decision.pk)
    if decision.status != DecisionStatus.OPEN:
        raise ValidationFailed(f"This decision is already {decision.get_status_display().lower()}",
                               fields={"status": ["the decision is not open"]})
    decision.status, decision.outcome, decision.closed_at = status, outcome, timezone.now()
    decision.save(update_fields=["status", "outcome", "closed_at"])
    if decision.offering_id and decision.type.effect == Effect.OFFERING_PRICE:
        membership.offering_price_unlock(association=association, offering=decision.offering,
                                         actor=actor)
    audit.record(association=association, action=f"decision.{status}", obj=decision,
                 actor=actor, data={"round": decision.round, "outcome": outcome})
    return decision


@transaction.atomic
def decision_reopen(*, association: Association, decision: Decision, reason: str,
                    actor: Any) -> Decision:
    """A new round (the proposer or an administrator): of a rejected or withdrawn
    decision, or of an open one (say, after a block). Earlier rounds' positions stay on
    the record; the quorum is the type's today. An approved decision stays decided (its
    effect was applied): propose a new one to change it."""
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", errors, required=True)
    _fail(errors)
    _may_manage(association, decision, actor)
    decision = Decision.objects.select_for_update().select_related("type").get(pk=decision.pk)
    if decision.status == DecisionStatus.APPROVED:
        raise ValidationFailed("An approved decision stays decided: propose a new decision to "
                               "change it", fields={"status": ["approved"]})
    if decision.offering_id and decision.type.effect == Effect.OFFERING_PRICE:
        membership.offering_price_lock(association=association, offering=decision.offering,
                                       reason=lock_reason(decision), actor=actor)
    before = {"status": decision.status, "round": decision.round, "outcome": decision.outcome}
    decision.round += 1
    decision.status = DecisionStatus.OPEN
    decision.quorum = decision.type.quorum()
    decision.outcome, decision.closed_at, decision.chosen_option = "", None, None
    decision.save(update_fields=["round", "status", "quorum", "outcome", "closed_at",
                                 "chosen_option"])
    audit.record(association=association, action="decision.reopened", obj=decision,
                 actor=actor, data={"from": before, "round": decision.round,
                                    "reason": reason, "quorum": decision.quorum})
    required = [s for s, n in decision.quorum.items() if n > 0]
    _notify(association, decision, required, exclude=[getattr(actor, "pk", 0)],
            subject=f"Reopened for your sign-off: {decision.title}",
            body=f"Round {decision.round}: {reason}")
    return decision
