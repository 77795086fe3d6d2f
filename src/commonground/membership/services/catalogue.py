"""Writes for what an association offers: plans and offerings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association, Side

from ..models import (
    Offering,
    OfferingCategory,
    Plan,
    PlanKind,
    PriceDecision,
)
from .common import parse_money

# ---------------------------------------------------------------- plans and offerings

@transaction.atomic
def plan_save(*, association: Association, name: str, price: Any, term_months: int = 12,
              kind: str = PlanKind.INDIVIDUAL, grace_days: int = 30, currency: str | None = None,
              description: str = "", is_active: bool = True, slug: str | None = None,
              plan: Plan | None = None, actor=None) -> Plan:
    """Create a plan, or update ``plan``. Saving the same plan twice changes nothing."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    if kind not in PlanKind.values:
        errors["kind"] = [f"one of {', '.join(PlanKind.values)}"]
    try:
        term_months = int(term_months)
        if not 1 <= term_months <= 120:
            raise ValueError
    except (TypeError, ValueError):
        errors["term_months"] = ["a whole number of months from 1 to 120"]
    try:
        grace_days = int(grace_days)
        if not 0 <= grace_days <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["grace_days"] = ["a whole number of days from 0 to 365"]
    try:
        price = parse_money(price, field="price")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    values = {"name": name, "price": price, "term_months": term_months, "kind": kind,
              "grace_days": grace_days, "currency": (currency or association.currency).upper(),
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


@transaction.atomic
def offering_save(*, association: Association, name: str, category: str, side: str,
                  price_decision: str = PriceDecision.FREE, member_price: Any = "0",
                  non_member_price: Any = "0", description: str = "", is_active: bool = True,
                  offering: Offering | None = None, actor=None) -> Offering:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    if category not in OfferingCategory.values:
        errors["category"] = [f"one of {', '.join(OfferingCategory.values)}"]
    if side not in Side.values:
        errors["side"] = [f"one of {', '.join(Side.values)}"]
    if price_decision not in PriceDecision.values:
        errors["price_decision"] = [f"one of {', '.join(PriceDecision.values)}"]
    prices = {}
    for field, raw in (("member_price", member_price), ("non_member_price", non_member_price)):
        try:
            prices[field] = parse_money(raw or "0", field=field)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not errors:
        if price_decision == PriceDecision.FREE:
            prices = {"member_price": Decimal("0.00"), "non_member_price": Decimal("0.00")}
        elif price_decision == PriceDecision.MEMBER_PRICE and \
                prices["member_price"] > prices["non_member_price"]:
            errors["member_price"] = ["the member price should not exceed the non-member price"]
        elif prices["non_member_price"] == 0:
            errors["non_member_price"] = ["a paid offering needs a price"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    values = {"name": name, "category": category, "side": side, "price_decision": price_decision,
              "description": description, "is_active": is_active,
              "currency": association.currency, **prices}
    if offering is None:
        offering, created = Offering.objects.get_or_create(
            association=association, slug=slugify(name)[:64], defaults=values)
        if created:
            audit.record(association=association, action="offering.created", obj=offering,
                         actor=actor)
            return offering
    changed = [k for k, v in values.items() if getattr(offering, k) != v]
    if changed:
        for k in changed:
            setattr(offering, k, values[k])
        offering.save()
        audit.record(association=association, action="offering.updated", obj=offering,
                     actor=actor, data={"fields": changed})
    return offering
