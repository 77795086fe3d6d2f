"""Reads for membership: plan and offering lists, invoice balances, the dashboard figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, OuterRef, Q, Subquery
from django_scopes import get_scope

from commonground.people.models import Person
from commonground.tenancy.clock import association_today

from . import lifecycle
from .models import (
    Invoice,
    Membership,
    Offering,
    PaymentKind,
    Plan,
    Status,
    Term,
    TermKind,
    Transition,
)


def plan_list() -> list[Plan]:
    """Plans with the number of live members on each (one grouped query on an index)."""
    return list(Plan.objects.annotate(
        live_members=Count("memberships", filter=Q(memberships__status__in=lifecycle.LIVE)),
    ).order_by("-is_active", "name"))


def offering_list() -> list[Offering]:
    return list(Offering.objects.order_by("-is_active", "category", "name"))


def invoice_with_balance(*, invoice_id: int, **filters) -> Invoice:
    """An invoice (Invoice.DoesNotExist if not visible) with ``paid`` and ``balance`` set."""
    invoice = (Invoice.objects.select_related("person", "organisation")
               .prefetch_related("payments").get(pk=invoice_id, **filters))
    paid = sum(((p.amount if p.kind == PaymentKind.PAYMENT else -p.amount)
                for p in invoice.payments.all()), start=Decimal("0"))
    invoice.paid = paid
    invoice.balance = invoice.amount - paid
    return invoice


def _months_back(today: date, n: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    y, m = first.year, first.month
    for _ in range(n):
        months.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(months))


def _recent(qs, order: tuple[str, ...], n: int = 10) -> list[Membership]:
    """Top ``n`` rows: pick the ids on a narrow query first, then join what is displayed
    (joining first would make the database sort every membership with its person)."""
    ids = list(qs.order_by(*order).values_list("id", flat=True)[:n])
    rows = Membership.objects.filter(id__in=ids).select_related("person", "organisation", "plan")
    return sorted(rows, key=lambda m: ids.index(m.pk))


def _per_month(rows) -> dict[date, int]:
    """Bucket (date, count) rows by month in Python: grouping by the raw date column keeps
    date functions out of the SQL (SQLite would call one per row)."""
    out: dict[date, int] = {}
    for day, n in rows:
        month = day.replace(day=1)
        out[month] = out.get(month, 0) + n
    return out


DASHBOARD_CACHE_SECONDS = 120


def membership_dashboard(*, today: date | None = None, months: int = 24) -> dict:
    """Dashboard figures, cached briefly per tenant: they summarise the whole membership."""
    association = get_scope().get("association")
    today = today or association_today(association)
    key = f"dashboard:{getattr(association, 'pk', None)}:{today.isoformat()}:{months}"
    cached = cache.get(key)
    if cached is None:
        cached = _dashboard(today, months)
        cache.set(key, cached, DASHBOARD_CACHE_SECONDS)
    return cached


def _dashboard(today: date, months: int) -> dict:
    by_status = dict(Membership.objects.values_list("status").annotate(n=Count("id")).order_by())
    due = Membership.objects.filter(status__in=list(lifecycle.LIVE), ends_on__gte=today,
                                    ends_on__lt=today + timedelta(days=30))
    month_list = _months_back(today, months)
    since = month_list[0]
    joins = _per_month(Membership.objects.filter(joined_on__gte=since, joined_on__lte=today)
                       .values_list("joined_on").annotate(n=Count("id")).order_by())
    lapses = _per_month(Transition.objects.filter(event="lapsed", on__gte=since, on__lte=today)
                        .values_list("on").annotate(n=Count("id")).order_by())
    renewals = renewal_rates(today=today, months=month_list)
    recent = renewals[-12:]
    due_12, renewed_12 = sum(r[1] for r in recent), sum(r[2] for r in recent)
    return {
        "renewals": renewals,
        "renewal_due_12": due_12,
        "renewed_12": renewed_12,
        "renewal_rate_12": Decimal(renewed_12) / due_12 if due_12 else None,
        "status_counts": [(s.label, by_status.get(s.value, 0), s.value) for s in Status],
        "total_live": sum(by_status.get(s, 0) for s in lifecycle.LIVE),
        "expiring_30": due.count(),
        "renewals_due": _recent(due, ("ends_on", "id")),
        "recent_joins": _recent(Membership.objects.all(), ("-joined_on", "-id")),
        "recent_lapses": _recent(Membership.objects.filter(status=Status.LAPSED),
                                 ("-lapsed_on", "-id")),
        "monthly": [(m, joins.get(m, 0), lapses.get(m, 0)) for m in month_list],
    }


def renewal_rates(*, today: date, months: list[date]) -> list[tuple[date, int, int]]:
    """``(month, due, renewed)`` per month of ``months`` (first days): of the terms that
    ended in the month and whose grace has passed by ``today`` (the decision is known),
    how many the membership's next term renewed (a reinstatement after a lapse, or no
    next term, is not a renewal). Lifetime terms never end. Two queries: the plans (for
    their grace), and the ended terms grouped by end day, plan and the next term's kind."""
    grace = {p.pk: p.grace for p in Plan.objects.all()}
    if not months or not grace:
        return [(m, 0, 0) for m in months]
    following = (Term.objects.filter(membership=OuterRef("membership"),
                                     starts_on__gt=OuterRef("ends_on"))
                 .order_by("starts_on").values("kind")[:1])
    rows = (Term.objects.filter(ends_on__gte=months[0], ends_on__lt=today)
            .annotate(next_kind=Subquery(following))
            .values_list("ends_on", "membership__plan", "next_kind").annotate(n=Count("id"))
            .order_by())
    due: dict[date, int] = {}
    renewed: dict[date, int] = {}
    for ends_on, plan_id, next_kind, n in rows:
        if lifecycle.lapse_date(ends_on, grace.get(plan_id, 0)) > today:
            continue  # still in grace: it may yet be renewed
        month = ends_on.replace(day=1)
        due[month] = due.get(month, 0) + n
        if next_kind == TermKind.RENEWAL:
            renewed[month] = renewed.get(month, 0) + n
    return [(m, due.get(m, 0), renewed.get(m, 0)) for m in months]


def person_memberships(*, person: Person) -> dict[str, Any]:
    """A person's memberships (with terms and transitions) and invoices (with payments,
    ``paid`` and ``balance`` set), and what they owe on open invoices: four queries."""
    memberships = list(
        Membership.objects.filter(person=person).select_related("plan")
        .prefetch_related("terms", "transitions__actor").order_by("-ends_on", "-id"))
    invoices = list(Invoice.objects.filter(person=person).prefetch_related("payments")
                    .order_by("-issued_on", "-id"))
    for inv in invoices:
        paid = sum((p.amount if p.kind == PaymentKind.PAYMENT else -p.amount)
                   for p in inv.payments.all())
        inv.balance = inv.amount - paid
        inv.paid = paid
    return {
        "memberships": memberships,
        "invoices": invoices,
        "balance": sum((i.balance for i in invoices if i.status == "open"), start=0),
    }


def plan_choices() -> list[tuple[int, str]]:
    """The member list's plan menu."""
    return list(Plan.objects.order_by("name").values_list("id", "name"))
