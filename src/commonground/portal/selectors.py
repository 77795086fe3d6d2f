"""Reads for the member portal. Everything is filtered to the logged-in member's person."""

from __future__ import annotations

from decimal import Decimal

from django_scopes import scopes_disabled

from commonground.membership.models import Invoice, InvoiceStatus, Membership, PaymentKind
from commonground.people.models import Person
from commonground.tenancy.models import Association


def portal_associations(*, user) -> list[Association]:
    """Associations where this login is linked to a (not erased) person record."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        ids = Person.objects.filter(user=user, erased_at__isnull=True).values_list(
            "association_id", flat=True)
        return list(Association.objects.filter(id__in=ids))


def _with_balance(invoices: list[Invoice]) -> list[Invoice]:
    for inv in invoices:
        paid = sum(((p.amount if p.kind == PaymentKind.PAYMENT else -p.amount)
                    for p in inv.payments.all()), start=Decimal("0"))
        inv.paid, inv.balance = paid, inv.amount - paid
    return invoices


def portal_overview(*, person: Person) -> dict:
    memberships = list(Membership.objects.filter(person=person).select_related("plan")
                       .prefetch_related("terms", "transitions").order_by("-ends_on", "-id"))
    invoices = _with_balance(list(Invoice.objects.filter(person=person)
                                  .prefetch_related("payments").order_by("-issued_on", "-id")))
    return {
        "person": person,
        "memberships": memberships,
        "current": memberships[0] if memberships else None,
        "open_invoices": [i for i in invoices if i.status == InvoiceStatus.OPEN],
        "invoices": invoices,
    }


def portal_invoice(*, person: Person, invoice_id: int) -> Invoice:
    """One of the member's own invoices (Invoice.DoesNotExist for anyone else's)."""
    invoice = Invoice.objects.prefetch_related("payments").get(pk=invoice_id, person=person)
    return _with_balance([invoice])[0]
