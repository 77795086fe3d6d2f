"""Writes for invoices, payments and refunds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from commonground.core.errors import Conflict, ValidationFailed
from commonground.people.models import Organisation, Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from ..models import (
    Invoice,
    InvoiceStatus,
    Membership,
    Payment,
    PaymentKind,
    PaymentMethod,
    Term,
    TermKind,
)
from .common import CENT, actor_user, parse_money


def _next_invoice_number(association: Association, issued_on: date) -> str:
    # Locking the association row serialises numbering per tenant on PostgreSQL;
    # SQLite runs IMMEDIATE transactions, which already serialise writers.
    Association.objects.select_for_update().filter(pk=association.pk).first()
    prefix = f"{issued_on.year}-"
    last = (Invoice.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


def _billed_to(member) -> str:
    if isinstance(member, Person):
        parts = [member.full_name, member.address_line1, member.city, member.country]
    else:
        parts = [member.name, member.city, member.country]
    return ", ".join(p for p in parts if p)


@transaction.atomic
def invoice_create(*, association: Association, member: Person | Organisation, amount: Any,
                   description: str, membership: Membership | None = None,
                   currency: str | None = None, issued_on: date | None = None,
                   due_days: int = 30, actor=None) -> Invoice:
    amount = parse_money(amount)
    issued_on = issued_on or association_today(association)
    invoice = Invoice.objects.create(
        association=association, number=_next_invoice_number(association, issued_on),
        person=member if isinstance(member, Person) else None,
        organisation=member if isinstance(member, Organisation) else None,
        membership=membership, billed_to=_billed_to(member), description=description,
        amount=amount, currency=(currency or association.currency).upper(),
        issued_on=issued_on, due_on=issued_on + timedelta(days=due_days),
        status=InvoiceStatus.PAID if amount == 0 else InvoiceStatus.OPEN,
    )
    audit.record(association=association, action="invoice.issued", obj=invoice, actor=actor,
                 data={"amount": str(amount), "currency": invoice.currency})
    return invoice


def term_invoice(membership: Membership, term: Term, actor) -> None:
    plan = membership.plan
    if plan.price <= 0:
        return
    label = {TermKind.JOIN: "Membership", TermKind.RENEWAL: "Renewal",
             TermKind.REINSTATEMENT: "Reinstatement"}[term.kind]
    term.invoice = invoice_create(
        association=membership.association, member=membership.member, amount=plan.price,
        currency=plan.currency, membership=membership, actor=actor,
        description=f"{label}: {plan.name}, {term.starts_on:%d %b %Y} – {term.ends_on:%d %b %Y}",
    )
    term.save(update_fields=["invoice"])


# ---------------------------------------------------------------- money

def invoice_balance(invoice: Invoice) -> Decimal:
    """Amount still owed: invoice amount minus payments plus refunds."""
    totals = dict(invoice.payments.values_list("kind").annotate(total=Sum("amount")))
    paid = totals.get(PaymentKind.PAYMENT, Decimal("0")) - totals.get(PaymentKind.REFUND,
                                                                      Decimal("0"))
    return (invoice.amount - paid).quantize(CENT)


def _refresh_invoice_status(invoice: Invoice) -> None:
    balance = invoice_balance(invoice)
    refunded = invoice.payments.filter(kind=PaymentKind.REFUND).exists()
    if balance <= 0:
        status = InvoiceStatus.PAID
    elif refunded and balance >= invoice.amount:
        status = InvoiceStatus.REFUNDED
    else:
        status = InvoiceStatus.OPEN
    if invoice.status != status and invoice.status != InvoiceStatus.VOID:
        invoice.status = status
        invoice.save(update_fields=["status"])


@transaction.atomic
def payment_record(*, invoice: Invoice, amount: Any, method: str, received_on: date | None = None,
                   reference: str = "", actor=None) -> Payment:
    """Record money received. Same invoice, amount, method, date and reference twice is
    treated as one payment (a retried form), so retries never double-count."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    errors: dict[str, list[str]] = {}
    try:
        amount = parse_money(amount, allow_zero=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        amount = None
    if method not in PaymentMethod.values:
        errors["method"] = [f"one of {', '.join(PaymentMethod.values)}"]
    if invoice.status == InvoiceStatus.VOID:
        errors["invoice"] = ["this invoice is void"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    received_on = received_on or association_today(invoice.association)
    reference = (reference or "").strip()
    if reference:
        same = invoice.payments.filter(kind=PaymentKind.PAYMENT, amount=amount, method=method,
                                       received_on=received_on, reference=reference).first()
        if same:
            return same
    balance = invoice_balance(invoice)
    if amount > balance:
        raise ValidationFailed(f"That is more than the {balance} {invoice.currency} still owed",
                               fields={"amount": [f"at most {balance}"]})
    payment = Payment.objects.create(
        association=invoice.association, invoice=invoice, kind=PaymentKind.PAYMENT,
        method=method, amount=amount, currency=invoice.currency, received_on=received_on,
        reference=reference, actor=actor_user(actor))
    _refresh_invoice_status(invoice)
    audit.record(association=invoice.association, action="payment.recorded", obj=payment,
                 actor=actor, data={"invoice": invoice.number, "amount": str(amount),
                                    "method": method})
    return payment


@transaction.atomic
def payment_refund(*, invoice: Invoice, amount: Any, method: str, reference: str = "",
                   refunded_on: date | None = None, actor=None) -> Payment:
    """Refund up to what was paid on the invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = parse_money(amount, allow_zero=False)
    if method not in PaymentMethod.values:
        raise ValidationFailed("Unknown method", fields={"method": list(PaymentMethod.values)})
    paid = invoice.amount - invoice_balance(invoice)
    if amount > paid:
        raise ValidationFailed(f"Only {paid} {invoice.currency} was paid",
                               fields={"amount": [f"at most {paid}"]})
    refund = Payment.objects.create(
        association=invoice.association, invoice=invoice, kind=PaymentKind.REFUND, method=method,
        amount=amount, currency=invoice.currency,
        received_on=refunded_on or association_today(invoice.association), reference=reference,
        actor=actor_user(actor))
    _refresh_invoice_status(invoice)
    audit.record(association=invoice.association, action="payment.refunded", obj=refund,
                 actor=actor, data={"invoice": invoice.number, "amount": str(amount)})
    return refund


@transaction.atomic
def invoice_void(*, invoice: Invoice, actor=None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == InvoiceStatus.VOID:
        return invoice
    if invoice.payments.exists() and invoice_balance(invoice) != invoice.amount:
        raise Conflict("Refund the payments before voiding this invoice")
    invoice.status = InvoiceStatus.VOID
    invoice.save(update_fields=["status"])
    audit.record(association=invoice.association, action="invoice.voided", obj=invoice,
                 actor=actor)
    return invoice


def billing_identity_erase(*, association: Association, person: Person) -> int:
    """Blank the billing name/address on a person's invoices; amounts stay for the books."""
    return Invoice.objects.filter(person=person).update(billed_to="")
