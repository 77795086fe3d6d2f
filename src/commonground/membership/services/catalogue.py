"""Writes for what an association offers: plans and offerings."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from commonground.core.errors import UnknownPlans, ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association, Side

from .. import lifecycle
from ..models import (
    Offering,
    OfferingCategory,
    Plan,
    PlanKind,
    PriceDecision,
)
from .common import parse_money

# ---------------------------------------------------------------- plans and offerings

NAME_MAX = Plan._meta.get_field("name").max_length
CURRENCY = re.compile(r"[A-Z]{3}")

def _days(value: Any, *, field: str, errors: dict[str, list[str]]) -> int | None:
    """A number of days from 0 to 365, or None ("", "default"): the default for the term."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "default")):
        return None
    try:
        days = int(str(value).strip())
        if not 0 <= days <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors[field] = ["a whole number of days from 0 to 365, or empty for the term's default"]
        return None
    return days


@transaction.atomic
def plan_save(*, association: Association, name: str, price: Any, term_months: Any = 12,
              kind: str = PlanKind.INDIVIDUAL, renewal_window_days: Any = None,
              grace_days: Any = None, currency: str | None = None, description: str = "",
              is_active: bool = True, slug: str | None = None, plan: Plan | None = None,
              actor=None) -> Plan:
    """Create a plan, or update ``plan``. Saving the same plan twice changes nothing.

    ``term_months`` is months (1–120) or 0 / "lifetime"; any spelling ``parse_term`` reads.
    ``renewal_window_days`` and ``grace_days`` left empty follow the term's defaults.
    """
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"at most {NAME_MAX} characters"]
    if kind not in PlanKind.values:
        errors["kind"] = [f"one of {', '.join(PlanKind.values)}"]
    currency = (currency or association.currency).strip().upper()
    if not CURRENCY.fullmatch(currency):
        errors["currency"] = ["a three-letter code such as USD or EUR"]
    try:
        term_months = lifecycle.parse_term(term_months)
    except ValueError as exc:
        errors["term_months"] = [str(exc)]
    window = _days(renewal_window_days, field="renewal_window_days", errors=errors)
    grace = _days(grace_days, field="grace_days", errors=errors)
    if "term_months" not in errors and window is not None and term_months != lifecycle.LIFETIME \
            and window >= term_months * 28:
        # A window as long as the term would make every member due from the first day.
        errors["renewal_window_days"] = ["shorter than the term"]
    try:
        price = parse_money(price, field="price")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    if term_months == lifecycle.LIFETIME:
        window = grace = None  # a lifetime term is never due and never in grace
    values = {"name": name, "price": price, "term_months": term_months, "kind": kind,
              "renewal_window_days": window, "grace_days": grace,
              "currency": currency,
              "description": description, "is_active": is_active}
    if plan is None:
        slug = slugify(slug or name)[:64]
        plan, created = Plan.objects.get_or_create(association=association, slug=slug,
                                                   defaults=values)
        if created:
            audit.record(association=association, action="plan.created", obj=plan, actor=actor)
            return plan
    changed = [k for k, v in values.items() if getattr(plan, k) != v]
    if changed:
        for k in changed:
            setattr(plan, k, values[k])
        plan.save()
        audit.record(association=association, action="plan.updated", obj=plan, actor=actor,
                     data={"fields": changed})
    return plan


def plan_key(text: str) -> str:
    """How a file's plan value is matched: its slug ("Gold Member" and "gold-member" meet)."""
    return slugify(str(text).strip())[:64]


@transaction.atomic
def plans_for_import(*, association: Association, names: Iterable[str],
                     create_term_months: int | None = None, association_slug: str = "",
                     actor=None) -> dict[str, Plan]:
    """The plans a file names (by name or slug, any case), before the file writes anything.

    Unknown names raise ``UnknownPlans`` with one line that names them and how to create
    them — unless ``create_term_months`` is given (``--create-plans --plan-term N``), when
    they are created at price 0 for individuals and audited. Returns name → plan.
    """
    wanted = {n.strip(): plan_key(n) for n in names if n and n.strip()}
    by_key: dict[str, Plan] = {}
    for p in Plan.objects.all():
        by_key.setdefault(plan_key(p.name), p)
        by_key.setdefault(p.slug, p)
    # One spelling per missing plan ("Gold" and "gold" are one plan): the first given.
    first_spelling: dict[str, str] = {}
    for n, key in wanted.items():
        if key not in by_key:
            first_spelling.setdefault(key, n)
    missing = sorted(first_spelling.values(), key=str.lower)
    if missing and create_term_months is None:
        slug = association_slug or association.slug
        first = missing[0]
        more = f" (and {len(missing) - 1} more: {', '.join(missing[1:6])}" \
               f"{' …' if len(missing) > 6 else ''})" if len(missing) > 1 else ""
        raise UnknownPlans(
            f"Unknown plan {first!r}{more}. Create it first: commonground plan create "
            f"--association {slug} --name {shlex.quote(first)} --term 12 --price 0, "
            "or import with --create-plans --plan-term 12", names=missing)
    for name in missing:
        key = wanted[name]
        if key in by_key:  # two spellings of one new plan
            continue
        by_key[key] = plan_save(association=association, name=name, price="0",
                                term_months=create_term_months, slug=key, actor=actor)
    return {n: by_key[key] for n, key in wanted.items()}


PRICE_FIELDS = ("price_decision", "member_price", "non_member_price")


def offering_prices(*, price_decision: str, member_price: Any, non_member_price: Any,
                    field_prefix: str = "") -> dict[str, Any]:
    """The three price fields checked together (the one rule for an offering's price, also
    used for a joint decision's options): ``ValidationFailed`` naming each bad field."""
    errors: dict[str, list[str]] = {}
    p = field_prefix
    if price_decision not in PriceDecision.values:
        errors[f"{p}price_decision"] = [f"one of {', '.join(PriceDecision.values)}"]
    prices: dict[str, Any] = {}
    for field, raw in (("member_price", member_price), ("non_member_price", non_member_price)):
        try:
            prices[field] = parse_money(raw or "0", field=f"{p}{field}")
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not errors:
        if price_decision == PriceDecision.FREE:
            prices = {"member_price": Decimal("0.00"), "non_member_price": Decimal("0.00")}
        elif price_decision == PriceDecision.MEMBER_PRICE and \
                prices["member_price"] > prices["non_member_price"]:
            errors[f"{p}member_price"] = [
                "the member price should not exceed the non-member price"]
        elif prices["non_member_price"] == 0:
            errors[f"{p}non_member_price"] = ["a paid offering needs a price"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    return {"price_decision": price_decision, **prices}


@transaction.atomic
def offering_save(*, association: Association, name: str, category: str, side: str,
                  price_decision: str = PriceDecision.FREE, member_price: Any = "0",
                  non_member_price: Any = "0", description: str = "", is_active: bool = True,
                  offering: Offering | None = None, actor=None) -> Offering:
    """Create or edit an offering. While a joint decision on its price is open
    (``price_locked_by``) the price fields can't change here: the decision sets them."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    if category not in OfferingCategory.values:
        errors["category"] = [f"one of {', '.join(OfferingCategory.values)}"]
    if side not in Side.values:
        errors["side"] = [f"one of {', '.join(Side.values)}"]
    prices: dict[str, Any] = {}
    try:
        prices = offering_prices(price_decision=price_decision, member_price=member_price,
                                 non_member_price=non_member_price)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    values = {"name": name, "category": category, "side": side,
              "description": description, "is_active": is_active,
              "currency": association.currency, **prices}
    if offering is None:
        offering, created = Offering.objects.get_or_create(
            association=association, slug=slugify(name)[:64], defaults=values)
        if created:
            audit.record(association=association, action="offering.created", obj=offering,
                         actor=actor)
            return offering
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    changed = [k for k, v in values.items() if getattr(offering, k) != v]
    locked = [k for k in changed if k in PRICE_FIELDS]
    if locked and offering.price_locked_by:
        raise ValidationFailed(
            f"The price of {offering.name} is being decided: {offering.price_locked_by}",
            fields={k: ["read-only while the joint decision on the price is open"]
                    for k in locked})
    if changed:
        for k in changed:
            setattr(offering, k, values[k])
        offering.save()
        audit.record(association=association, action="offering.updated", obj=offering,
                     actor=actor, data={"fields": changed})
    return offering


@transaction.atomic
def offering_price_lock(*, association: Association, offering: Offering, reason: str,
                        actor=None) -> Offering:
    """Make the price fields read-only while a joint decision on them is open."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk, association=association)
    if offering.price_locked_by and offering.price_locked_by != reason:
        raise ValidationFailed(
            f"The price of {offering.name} is already being decided: {offering.price_locked_by}",
            fields={"offering": ["another open decision already decides this price"]})
    if offering.price_locked_by != reason:
        offering.price_locked_by = reason[:200]
        offering.save(update_fields=["price_locked_by"])
        audit.record(association=association, action="offering.price_locked", obj=offering,
                     actor=actor, data={"reason": reason})
    return offering


@transaction.atomic
def offering_price_unlock(*, association: Association, offering: Offering,
                          actor=None) -> Offering:
    offering = Offering.objects.select_for_update().get(pk=offering.pk, association=association)
    if offering.price_locked_by:
        offering.price_locked_by = ""
        offering.save(update_fields=["price_locked_by"])
        audit.record(association=association, action="offering.price_unlocked", obj=offering,
                     actor=actor)
    return offering


@transaction.atomic
def offering_price_apply(*, association: Association, offering: Offering, price_decision: str,
                         member_price: Any, non_member_price: Any, decided_by: str,
                         actor=None) -> Offering:
    """Set the price an approved joint decision chose, and lift its lock: the only write
    of the price fields while they are locked. ``decided_by`` names the decision."""
    prices = offering_prices(price_decision=price_decision, member_price=member_price,
                             non_member_price=non_member_price)
    offering = Offering.objects.select_for_update().get(pk=offering.pk, association=association)
    before = {k: str(getattr(offering, k)) for k in PRICE_FIELDS}
    for k, v in prices.items():
        setattr(offering, k, v)
    offering.price_locked_by = ""
    offering.save(update_fields=[*PRICE_FIELDS, "price_locked_by"])
    audit.record(association=association, action="offering.price_decided", obj=offering,
                 actor=actor, data={"decided_by": decided_by, "from": before,
                                    "to": {k: str(v) for k, v in prices.items()}})
    return offering
