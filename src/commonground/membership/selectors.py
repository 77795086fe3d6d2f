"""Reads for membership: plan and offering lists, invoice balances, the dashboard figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import lifecycle
from .models import Invoice, Membership, Offering, PaymentKind, Plan, Status, Transition


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


def membership_dashboard(*, today: date | None = None, months: int = 24) -> dict:
    today = today or timezone.localdate()
    by_status = dict(Membership.objects.values_list("status").annotate(n=Count("id")))
    renewals_due = (Membership.objects.filter(status__in=list(lifecycle.LIVE), ends_on__gte=today,
                                              ends_on__lt=today + timedelta(days=30)))
    month_list = _months_back(today, months)
    since = month_list[0]
    joins = dict(Membership.objects.filter(joined_on__gte=since, joined_on__lte=today)
                 .annotate(month=TruncMonth("joined_on")).values_list("month")
                 .annotate(n=Count("id")).order_by())
    lapses = dict(Transition.objects.filter(event="lapsed", on__gte=since, on__lte=today)
                  .annotate(month=TruncMonth("on")).values_list("month")
                  .annotate(n=Count("id")).order_by())

    def _d(value) -> date:
        return value.date() if hasattr(value, "date") and callable(value.date) else value

    joins = {_d(k): v for k, v in joins.items()}
    lapses = {_d(k): v for k, v in lapses.items()}
    return {
        "status_counts": [(s.label, by_status.get(s.value, 0), s.value) for s in Status],
        "total_live": sum(by_status.get(s, 0) for s in lifecycle.LIVE),
        "expiring_30": renewals_due.count(),
        "renewals_due": list(renewals_due.select_related("person", "organisation", "plan")
                             .order_by("ends_on", "id")[:10]),
        "recent_joins": list(Membership.objects.select_related("person", "organisation", "plan")
                             .order_by("-joined_on", "-id")[:10]),
        "recent_lapses": list(Membership.objects.filter(status=Status.LAPSED)
                              .select_related("person", "organisation", "plan")
                              .order_by("-lapsed_on", "-id")[:10]),
        "monthly": [(m, joins.get(m, 0), lapses.get(m, 0)) for m in month_list],
        "plans": Plan.objects.filter(is_active=True),
    }
