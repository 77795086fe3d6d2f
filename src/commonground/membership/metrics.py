"""Membership's metrics for the KPI catalogue (``core.metrics``), and the filters on its
objects that the apps above reuse: ``PLAN_FILTER``, ``OFFERING_FILTER``, ``SIDE_FILTER``.

Members by status is a **stock**: on today it is the memberships' current status (what
the member list shows); on a past day it is the status the membership's transitions had
reached by then (``Transition`` is the membership's own dated story). Joins, renewals,
reinstatements and lapses are **flows** over the same dated facts the dashboard counts:
the join date, and the renewed / reinstated / lapsed transitions. Dues revenue is the
money received on membership invoices in the period, refunds taken off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, OuterRef, Subquery, Sum, When
from django_scopes import scope

from commonground.core.metrics import Drilldown, FilterSpec, Metric, MetricQuery, register_metric
from commonground.core.metrics.filters import one_of, slug_or_id
from commonground.core.metrics.periods import as_decimal, running_total
from commonground.people.metrics import CHAPTER_FILTER, person_link
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Side

from . import lifecycle
from .models import Membership, Offering, Payment, PaymentKind, Plan, Status, Transition

GROUP = "Membership"

_plan, _plans = slug_or_id("plan", Plan)
PLAN_FILTER = FilterSpec(name="plan", label="Plan", resolve=_plan, choices=_plans,
                         help="A membership plan's slug, e.g. gold")
_offering, _offerings = slug_or_id("offering", Offering)
OFFERING_FILTER = FilterSpec(name="offering", label="Offering", resolve=_offering,
                             choices=_offerings, help="An offering's slug")
_side, _sides = one_of("side", [(Side.MISSION, "Mission"), (Side.BUSINESS, "Business")])
SIDE_FILTER = FilterSpec(name="side", label="Side", resolve=_side, choices=_sides,
                         help="mission or business: the offering's side")
_status, _statuses = one_of("status", [*Status.choices, ("live", "Current (active, due or in grace)")])
STATUS_FILTER = FilterSpec(name="status", label="Status", resolve=_status, choices=_statuses,
                           help="Without it: current members (active, renewal due, in grace)")


def _statuses_of(query: MetricQuery) -> list[str]:
    status = query.filters.get("status", "live")
    return sorted(lifecycle.LIVE) if status == "live" else [status]


def _on_membership(rows, query: MetricQuery, prefix: str = ""):
    """The plan and chapter filters on rows that are (or lead to) a membership."""
    if "plan" in query.filters:
        rows = rows.filter(**{f"{prefix}plan_id": query.filters["plan"]})
    if "chapter" in query.filters:
        rows = rows.filter(**{f"{prefix}person__chapter_id": query.filters["chapter"]})
    return rows


def _member_columns():
    return [("Member", lambda m: str(m.member)), ("Plan", lambda m: m.plan.name),
            ("Joined", "joined_on"), ("Term ends", "ends_on")]


# -- members by status (stock) -------------------------------------------------------------

def _members(association: Any, query: MetricQuery):
    """The memberships counted on ``query.end``."""
    rows = _on_membership(Membership.objects.filter(association=association), query)
    statuses = _statuses_of(query)
    if query.end >= association_today(association):
        return rows.filter(status__in=statuses)
    latest = (Transition.objects.filter(membership=OuterRef("pk"), on__lte=query.end)
              .order_by("-on", "-id").values("to_status")[:1])
    return rows.annotate(status_then=Subquery(latest)).filter(status_then__in=statuses)


def _members_compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        return Decimal(_members(association, query).count())


def _members_series(association: Any, query: MetricQuery,
                    days: Sequence[date]) -> dict[date, Decimal]:
    """Each past day from one ordered read of the transitions: a membership counts from
    a transition into a counted status until its next transition."""
    days = sorted(set(days))
    if not days:
        return {}
    today = association_today(association)
    wanted = set(_statuses_of(query))
    delta: dict[date, int] = {}
    with scope(association=association):
        rows = _on_membership(Transition.objects.filter(association=association,
                                                        on__lte=days[-1]),
                              query, prefix="membership__")
        current, counted = None, False
        for membership_id, on, to_status in (rows.order_by("membership_id", "on", "id")
                                             .values_list("membership_id", "on", "to_status")
                                             .iterator(chunk_size=20_000)):
            if membership_id != current:
                current, counted = membership_id, False
            now_counted = to_status in wanted
            if now_counted != counted:
                delta[on] = delta.get(on, 0) + (1 if now_counted else -1)
            counted = now_counted
        out = running_total(delta.items(), date.min, days)
        for day in days:
            if day >= today:
                out[day] = _members_compute(association, MetricQuery(query.start, day,
                                                                     query.filters))
    return out


def _members_rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(queryset=_members(association, query)
                     .select_related("person", "organisation", "plan").order_by("-joined_on", "-id"),
                     columns=_member_columns(), link=person_link(association), noun="members")


register_metric(Metric(
    key="membership.members", label="Members by status", kind="stock",
    compute=_members_compute, rows=_members_rows, series=_members_series, side="business",
    group=GROUP, order=10, filters=(STATUS_FILTER, PLAN_FILTER, CHAPTER_FILTER),
    help="Memberships in a status on the day (current members without a status filter)."))


# -- joins (flow) --------------------------------------------------------------------------

def _joins(association: Any, query: MetricQuery, end: date | None = None):
    return _on_membership(Membership.objects.filter(
        association=association, joined_on__gte=query.start,
        joined_on__lte=end or query.end), query)


def _joins_compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        return Decimal(_joins(association, query).count())


def _joins_series(association: Any, query: MetricQuery,
                  days: Sequence[date]) -> dict[date, Decimal]:
    if not days:
        return {}
    with scope(association=association):
        per_day = (_joins(association, query, max(days)).values_list("joined_on")
                   .annotate(n=Count("id")).order_by())
        return running_total(per_day, query.start, days)


def _joins_rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(queryset=_joins(association, query)
                     .select_related("person", "organisation", "plan").order_by("-joined_on", "-id"),
                     columns=_member_columns(), link=person_link(association), noun="new members")


register_metric(Metric(
    key="membership.joins", label="New members (joins)", kind="flow", compute=_joins_compute,
    rows=_joins_rows, series=_joins_series, side="business", group=GROUP, order=20,
    filters=(PLAN_FILTER, CHAPTER_FILTER), help="Memberships that began in the period."))


# -- renewals, reinstatements, lapses (flows over transitions) -----------------------------

def _transition_metric(key: str, label: str, event: str, order: int, help: str) -> Metric:
    def events(association: Any, query: MetricQuery, end: date | None = None):
        return _on_membership(Transition.objects.filter(
            association=association, event=event, on__gte=query.start,
            on__lte=end or query.end), query, prefix="membership__")

    def compute(association: Any, query: MetricQuery) -> Decimal:
        with scope(association=association):
            return Decimal(events(association, query).count())

    def series(association: Any, query: MetricQuery, days: Sequence[date]) -> dict[date, Decimal]:
        if not days:
            return {}
        with scope(association=association):
            per_day = (events(association, query, max(days)).values_list("on")
                       .annotate(n=Count("id")).order_by())
            return running_total(per_day, query.start, days)

    def rows(association: Any, query: MetricQuery) -> Drilldown:
        return Drilldown(
            queryset=events(association, query).select_related(
                "membership__person", "membership__organisation", "membership__plan")
            .order_by("-on", "-id"),
            columns=[("Member", lambda t: str(t.membership.member)),
                     ("Plan", lambda t: t.membership.plan.name), ("On", "on"),
                     ("From", "from_status"), ("To", "to_status")],
            link=person_link(association, "membership"),
            noun=label.lower())

    return register_metric(Metric(
        key=key, label=label, kind="flow", compute=compute, rows=rows, series=series,
        side="business", group=GROUP, order=order, filters=(PLAN_FILTER, CHAPTER_FILTER),
        help=help))


_transition_metric("membership.renewals", "Renewals", "renewed", 30,
                   "Memberships renewed in the period (the day the renewal was taken).")
_transition_metric("membership.reinstatements", "Lapsed members renewed (reinstatements)",
                   "reinstated", 40, "Lapsed or cancelled memberships brought back in the period.")
_transition_metric("membership.lapses", "Lapses", "lapsed", 50,
                   "Memberships that lapsed in the period (the day grace ran out).")


# -- dues revenue (flow, money) ------------------------------------------------------------

_SIGNED = Case(When(kind=PaymentKind.REFUND, then=-F("amount")), default=F("amount"),
               output_field=DecimalField(max_digits=14, decimal_places=2))


def _dues(association: Any, query: MetricQuery, end: date | None = None):
    rows = Payment.objects.filter(association=association, invoice__membership__isnull=False,
                                  received_on__gte=query.start, received_on__lte=end or query.end)
    if "plan" in query.filters:
        rows = rows.filter(invoice__membership__plan_id=query.filters["plan"])
    return rows


def _dues_compute(association: Any, query: MetricQuery) -> Decimal:
    with scope(association=association):
        return as_decimal(_dues(association, query).aggregate(v=Sum(_SIGNED))["v"])


def _dues_series(association: Any, query: MetricQuery,
                 days: Sequence[date]) -> dict[date, Decimal]:
    if not days:
        return {}
    with scope(association=association):
        per_day = (_dues(association, query, max(days)).values_list("received_on")
                   .annotate(v=Sum(_SIGNED)).order_by())
        return running_total(per_day, query.start, days)


def _dues_rows(association: Any, query: MetricQuery) -> Drilldown:
    return Drilldown(
        queryset=_dues(association, query).select_related("invoice__membership__plan")
        .annotate(signed=_SIGNED)
        .order_by("-received_on", "-id"),
        columns=[("Invoice", lambda p: p.invoice.number), ("Received", "received_on"),
                 ("Plan", lambda p: p.invoice.membership.plan.name),
                 ("Amount", lambda p: p.signed), ("Currency", "currency")],
        link=person_link(association, "invoice"),
        noun="payments")


register_metric(Metric(
    key="membership.dues_revenue", label="Dues revenue", kind="flow", unit="money",
    compute=_dues_compute, rows=_dues_rows, series=_dues_series, side="business",
    group=GROUP, order=60, filters=(PLAN_FILTER,),
    help="Money received on membership invoices in the period, less refunds."))
