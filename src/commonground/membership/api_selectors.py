"""Reads behind the membership API (filtered lists). Scoped by the caller's association."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import MONEY, Invoice, Membership, Offering, Payment, PaymentKind, Plan

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def plans_filter(*, active: bool | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.all()
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def memberships_filter(*, status: str | None = None, plan: int | None = None,
                       person: int | None = None, organisation: int | None = None,
                       ends_before: date | None = None, ends_after: date | None = None
                       ) -> QuerySet[Membership]:
    qs = Membership.objects.all()
    if status:
        qs = qs.filter(status=status)
    if plan:
        qs = qs.filter(plan_id=plan)
    if person:
        qs = qs.filter(person_id=person)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if ends_before:
        qs = qs.filter(ends_on__lt=ends_before)
    if ends_after:
        qs = qs.filter(ends_on__gt=ends_after)
    return qs


def _paid(kind: str) -> Subquery:
    return Coalesce(Subquery(
        Payment.objects.filter(invoice=OuterRef("pk"), kind=kind).order_by()
        .values("invoice").annotate(t=Sum("amount")).values("t")[:1],
        output_field=DecimalField(**MONEY)), _ZERO)


def invoices_with_balance() -> QuerySet[Invoice]:
    """Invoices annotated with ``balance`` (amount − payments + refunds), one query."""
    return Invoice.objects.annotate(
        balance=F("amount") - _paid(PaymentKind.PAYMENT) + _paid(PaymentKind.REFUND))


def invoices_filter(*, status: str | None = None, person: int | None = None,
                    membership: int | None = None) -> QuerySet[Invoice]:
    qs = invoices_with_balance()
    if status:
        qs = qs.filter(status=status)
    if person:
        qs = qs.filter(person_id=person)
    if membership:
        qs = qs.filter(membership_id=membership)
    return qs


def payments_filter(*, invoice: int | None = None, kind: str | None = None) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    if invoice:
        qs = qs.filter(invoice_id=invoice)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def offerings_filter(*, category: str | None = None, side: str | None = None
                     ) -> QuerySet[Offering]:
    qs = Offering.objects.all()
    if category:
        qs = qs.filter(category=category)
    if side:
        qs = qs.filter(side=side)
    return qs
