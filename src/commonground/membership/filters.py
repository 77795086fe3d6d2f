"""Membership's fields of the person-filter language (``people.filters``).

Plan, status, member since and ends read the person's copy of their current membership
(``Person.member_*``, kept by ``services.member_summary_refresh``): one indexed table, as
the member list filters. Joined and lapsed ask every membership the person has had, so
"lapsed in the last year" finds people whose latest membership is a newer one too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from commonground.people.filters import FilterField, register_filter
from commonground.people.filters.builders import date_q, id_or_slug, on_column
from commonground.people.models import NO_MEMBERSHIP

from . import lifecycle
from .models import Membership, Plan, Status

GROUP = "Membership"


def _plans() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Plan.objects.order_by("name")
            .values_list("id", "name")]


def _plan_slugs() -> dict[str, str]:
    return {slug: str(pk) for pk, slug in Plan.objects.values_list("id", "slug")}


def _statuses() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Status.choices]


def _current(op: str, value: Any, ctx: dict[str, Any]) -> Q:
    running = Q(member_status__in=lifecycle.LIVE)
    return running if value else ~running


def _on_memberships(column: str):
    """People with a membership whose ``column`` is in the window (a sub-query of ids)."""

    def build(op: str, value: Any, ctx: dict[str, Any]) -> Q:
        rows = Membership.objects.filter(date_q(column, op, value, ctx["today"]),
                                         person__isnull=False)
        return Q(pk__in=rows.values("person_id"))

    return build


register_filter(FilterField(
    key="membership.plan", label="Plan", type="choice", group=GROUP, order=10,
    build=id_or_slug("member_plan_id", "member_plan"), choices=_plans, aliases=_plan_slugs,
    help="The plan of the current (or most recent) membership."))
register_filter(FilterField(
    key="membership.status", label="Membership status", type="choice", group=GROUP, order=20,
    build=on_column("member_status", "choice"), choices=_statuses,
    help="The status of the current (or most recent) membership."))
register_filter(FilterField(
    key="membership.current", label="Is a current member", type="bool", group=GROUP,
    order=30, build=_current, help="Active, renewal due or in grace.",
    words=lambda op, value: "is a current member" if value else "is not a current member"))
register_filter(FilterField(
    key="membership.ends", label="Membership ends", type="date", group=GROUP, order=40,
    build=on_column("member_until", "date", sentinel=NO_MEMBERSHIP),
    help="The end of the current term: “in the next 60 days” is the expiry window."))
register_filter(FilterField(
    key="membership.since", label="Member since", type="date", group=GROUP, order=50,
    build=on_column("member_since", "date", sentinel=NO_MEMBERSHIP),
    help="The join date of the current (or most recent) membership."))
register_filter(FilterField(
    key="membership.joined", label="Joined", type="date", group=GROUP, order=60,
    build=_on_memberships("joined_on"), related=True,
    help="Any membership the person has had began on that day."))
register_filter(FilterField(
    key="membership.lapsed", label="Lapsed", type="date", group=GROUP, order=70,
    build=_on_memberships("lapsed_on"), related=True,
    help="Any membership the person has had lapsed on that day."))
