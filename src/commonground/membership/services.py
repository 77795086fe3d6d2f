"""Writes for plans, memberships (the lifecycle), invoices, payments and offerings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.text import slugify

from commonground.core.errors import Conflict, TransitionNotAllowed, ValidationFailed
from commonground.people.models import Organisation, Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association, Side

from . import lifecycle, sql
from .models import (
    Invoice,
    InvoiceStatus,
    Membership,
    Offering,
    OfferingCategory,
    Payment,
    PaymentKind,
    PaymentMethod,
    Plan,
    PlanKind,
    PriceDecision,
    Status,
    Term,
    TermKind,
    Transition,
)

CENT = Decimal("0.01")


def parse_money(value: Any, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """Exact money from user input: a Decimal with at most two places, never a float."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationFailed("Not an amount", fields={field: ["not a number"]}) from None
    if not amount.is_finite():
        raise ValidationFailed("Not an amount", fields={field: ["not a number"]})
    # Before quantize(): a huge exponent ("1E100") makes quantize itself raise.
    if abs(amount) >= Decimal("1e10"):
        raise ValidationFailed("Amount too large", fields={field: ["too large"]})
    if amount != amount.quantize(CENT):
        raise ValidationFailed("Too many decimal places", fields={field: ["at most 2 decimals"]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed("Amount must be positive", fields={field: ["must be positive"]})
    return amount.quantize(CENT)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


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


# ---------------------------------------------------------------- lifecycle

def _transition(membership: Membership, *, event: str, to: str, on: date, actor=None,
                note: str = "", from_status: str | None = None) -> None:
    previous = membership.status if from_status is None else from_status
    Transition.objects.create(association=membership.association, membership=membership,
                              from_status=previous, to_status=to, event=event, on=on,
                              actor=_actor(actor), note=note)
    audit.record(association=membership.association, action=f"membership.{event}",
                 obj=membership, actor=actor,
                 data={"from": previous, "to": to, "on": on.isoformat()})


def _status_today(association: Association, plan: Plan, ends_on: date, today: date) -> Status:
    return lifecycle.status_on(ends_on=ends_on, today=today,
                               renewal_window_days=association.renewal_window_days,
                               grace_days=plan.grace_days)


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


def _term_invoice(membership: Membership, term: Term, actor) -> None:
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


@transaction.atomic
def membership_join(*, association: Association, plan: Plan, person: Person | None = None,
                    organisation: Organisation | None = None, joined_on: date | None = None,
                    invoice: bool = True, actor=None) -> Membership:
    """Start a membership. Joining again while a live one exists returns that one."""
    if (person is None) == (organisation is None):
        raise ValidationFailed("A membership belongs to a person or an organisation",
                               fields={"member": ["give exactly one of person or organisation"]})
    if plan.kind == PlanKind.ORGANISATIONAL and organisation is None:
        raise ValidationFailed("This plan is for organisations", fields={"plan": ["organisational"]})
    if plan.kind == PlanKind.INDIVIDUAL and person is None:
        raise ValidationFailed("This plan is for individuals", fields={"plan": ["individual"]})
    if person is not None and person.erased_at:
        raise Conflict("This person was erased")
    today = association_today(association)
    member_filter = {"person": person} if person else {"organisation": organisation}
    live = (Membership.objects.select_for_update()
            .filter(**member_filter, status__in=lifecycle.LIVE).first())
    if live is not None:
        if live.plan_id == plan.pk:
            return live  # a retried join
        raise Conflict(f"Already a member on {live.plan.name}; change plan at renewal",
                       fields={"plan": ["already a member"]})
    joined_on = joined_on or today
    ends_on = lifecycle.term_end(joined_on, plan.term_months)
    status = _status_today(association, plan, ends_on, today)
    membership = Membership.objects.create(
        association=association, plan=plan, **member_filter, status=status,
        joined_on=joined_on, starts_on=joined_on, ends_on=ends_on,
        lapsed_on=lifecycle.lapse_date(ends_on, plan.grace_days) if status == Status.LAPSED
        else None,
    )
    term = Term.objects.create(association=association, membership=membership,
                               kind=TermKind.JOIN, starts_on=joined_on, ends_on=ends_on)
    if invoice:
        _term_invoice(membership, term, actor)
    _transition(membership, event="joined", to=status, on=joined_on, actor=actor, from_status="")
    _refresh_member(membership)
    return membership


def _refresh_member(membership: Membership) -> None:
    if membership.person_id:
        member_summary_refresh(association=membership.association,
                               person_ids=[membership.person_id])


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("plan", "association").get(
        pk=membership.pk)


@transaction.atomic
def membership_renew(*, membership: Membership, expected_ends_on: date | None = None,
                     invoice: bool = True, actor=None) -> Membership:
    """Add one term after the current end.

    ``expected_ends_on`` is the end the user saw when they asked; if the membership has
    already moved past it (a double click, a retried request), nothing is added again.
    """
    m = _locked(membership)
    if expected_ends_on is not None and m.ends_on != expected_ends_on:
        if m.ends_on > expected_ends_on:
            return m  # already renewed
        raise Conflict("This membership changed since you looked; reload and try again")
    if not lifecycle.can("renew", m.status):
        hint = " — reinstate it instead" if m.status in (Status.LAPSED, Status.CANCELLED) else ""
        raise TransitionNotAllowed(f"A {m.get_status_display().lower()} membership cannot be "
                                   f"renewed{hint}")
    today = association_today(m.association)
    starts_on, ends_on = lifecycle.next_term(m.ends_on, m.plan.term_months)
    term = Term.objects.create(association=m.association, membership=m, kind=TermKind.RENEWAL,
                               starts_on=starts_on, ends_on=ends_on)
    previous = m.status
    m.starts_on, m.ends_on = starts_on, ends_on
    m.status = _status_today(m.association, m.plan, ends_on, today)
    m._history_user = _actor(actor)
    m.save()
    if invoice:
        _term_invoice(m, term, actor)
    _transition(m, event="renewed", to=m.status, on=today, actor=actor, from_status=previous)
    _refresh_member(m)
    return m


@transaction.atomic
def membership_reinstate(*, membership: Membership, on: date | None = None, invoice: bool = True,
                         actor=None) -> Membership:
    """Bring a lapsed or cancelled membership back with a new term from ``on``."""
    m = _locked(membership)
    if m.status in lifecycle.LIVE:
        return m  # already reinstated (a retried request)
    today = association_today(m.association)
    on = on or today
    if on <= m.ends_on:
        on = m.ends_on + timedelta(days=1)  # never overlap the previous term
    ends_on = lifecycle.term_end(on, m.plan.term_months)
    term = Term.objects.create(association=m.association, membership=m,
                               kind=TermKind.REINSTATEMENT, starts_on=on, ends_on=ends_on)
    previous = m.status
    m.starts_on, m.ends_on = on, ends_on
    m.status = _status_today(m.association, m.plan, ends_on, today)
    m.lapsed_on = None
    m.cancelled_on = None
    m._history_user = _actor(actor)
    m.save()
    if invoice:
        _term_invoice(m, term, actor)
    _transition(m, event="reinstated", to=m.status, on=on, actor=actor, from_status=previous)
    _refresh_member(m)
    return m


@transaction.atomic
def membership_cancel(*, membership: Membership, note: str = "", actor=None) -> Membership:
    m = _locked(membership)
    if m.status == Status.CANCELLED:
        return m
    if not lifecycle.can("cancel", m.status):
        raise TransitionNotAllowed("This membership cannot be cancelled")
    today = association_today(m.association)
    previous = m.status
    m.status = Status.CANCELLED
    m.cancelled_on = today
    m._history_user = _actor(actor)
    m.save()
    _transition(m, event="cancelled", to=Status.CANCELLED, on=today, actor=actor, note=note,
                from_status=previous)
    _refresh_member(m)
    return m


_EVENT_FOR = {Status.ACTIVE: "activated", Status.RENEWAL_DUE: "renewal_due",
              Status.GRACE: "grace", Status.LAPSED: "lapsed"}


@transaction.atomic
def memberships_advance(*, association: Association, today: date | None = None) -> dict[str, int]:
    """Move every live membership to the state its dates call for on ``today``.

    Set-based: one UPDATE per (plan, target state), with transitions and audit entries
    bulk-inserted. Running it twice on the same day changes nothing the second time.
    """
    today = today or association_today(association)
    window = association.renewal_window_days
    counts: dict[str, int] = {}
    moved_people: set[int] = set()
    for plan in Plan.objects.all():
        grace_start = today - timedelta(days=plan.grace_days)  # ends_on >= this → still in grace
        targets = {
            Status.LAPSED: {"ends_on__lt": grace_start},
            Status.GRACE: {"ends_on__lt": today, "ends_on__gte": grace_start},
            Status.RENEWAL_DUE: {"ends_on__gte": today,
                                 "ends_on__lt": today + timedelta(days=window)},
            Status.ACTIVE: {"ends_on__gte": today + timedelta(days=window)},
        }
        for target, date_filter in targets.items():
            # Only move forward by date: e.g. an active membership whose window opened.
            moving = (Membership.objects.filter(plan=plan, status__in=lifecycle.LIVE,
                                                **date_filter).exclude(status=target))
            rows = list(moving.values_list("id", "status", "person_id"))
            if not rows:
                continue
            ids = [r[0] for r in rows]
            update: dict[str, Any] = {"status": target, "updated_at": timezone.now()}
            if target == Status.LAPSED:
                update["lapsed_on"] = ExpressionWrapper(
                    F("ends_on") + timedelta(days=plan.grace_days + 1), output_field=DateField())
            for chunk_start in range(0, len(ids), 5000):
                Membership.objects.filter(id__in=ids[chunk_start:chunk_start + 5000]).update(
                    **update)
            event = _EVENT_FOR[target]
            Transition.objects.bulk_create(
                [Transition(association=association, membership_id=i, from_status=s,
                            to_status=target, event=event, on=today) for i, s, _ in rows],
                batch_size=2000,
            )
            audit.record_many(association=association, action=f"membership.{event}",
                              objects=(("membership", i, {"from": s, "to": target,
                                                          "on": today.isoformat()})
                                       for i, s, _ in rows))
            counts[target] = counts.get(target, 0) + len(rows)
            moved_people.update(r[2] for r in rows if r[2])
    member_summary_refresh(association=association, person_ids=moved_people)
    return counts


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
        reference=reference, actor=_actor(actor))
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
        actor=_actor(actor))
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


# ---------------------------------------------------------------- the person's summary

def member_summary_refresh(*, association: Association, person_ids=None) -> int:
    """Copy each person's current membership onto the person (status, plan, dates).

    Set-based (one UPDATE per 5,000 people, or one for the whole association:
    ``sql.member_summary_refresh``), so bulk paths call it once per batch. Returns how many
    people changed.
    """
    return sql.member_summary_refresh(association_id=association.pk, person_ids=person_ids)
