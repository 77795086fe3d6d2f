"""Member 360 over the API: a person's activities and summary, source health, unmatched."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from pydantic import Field, PlainSerializer

from commonground.core.ids import MAX_ID
from commonground.core.pagination import InvalidCursor, Page, clamp_limit, decode_cursor, encode_cursor
from commonground.membership.schemas import MoneyOut
from commonground.people.models import Person
from commonground.tenancy.clock import association_zone

from . import selectors, selectors_quality
from .models import Category, IdentityKind

router = Router(tags=["activity"])
CategoryName = Literal[tuple(Category.values)]  # type: ignore[valid-type]
KindName = Literal[tuple(IdentityKind.values)]  # type: ignore[valid-type]
Quantity = Annotated[Decimal, PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str)]


class SourceRef(Schema):
    id: int
    slug: str
    name: str


class ActivityOut(Schema):
    id: int
    occurred_at: datetime
    category: str
    kind: str
    source: SourceRef
    quantity: Quantity = Field(description="Decimal string")
    amount: MoneyOut | None = None
    currency: str
    offering_id: int | None = None
    offering: str | None = Field(None, description="The offering's name")
    metadata: dict[str, Any]
    external_id: str = Field(description="The source's own id for the row")

    @staticmethod
    def resolve_offering(obj) -> str | None:
        return obj.offering.name if obj.offering_id and obj.offering else None


class MoneySum(Schema):
    currency: str
    amount: MoneyOut


class CategorySummary(Schema):
    category: str
    label: str
    counts: dict[str, int] = Field(description="Activities in the last 30, 90, 365 days")
    amounts: dict[str, list[MoneySum]] = Field(description="Amounts per window and currency")
    monthly: list[int] = Field(description="Activities per month, aligned with `months`")


class Totals(Schema):
    counts: dict[str, int]
    amounts: dict[str, list[MoneySum]]


class SummaryOut(Schema):
    person_id: int
    as_of: datetime
    windows: list[int]
    months: list[date] = Field(description="First day of each of the last 12 months, oldest first")
    categories: list[CategorySummary]
    totals: Totals


class BatchOut(Schema):
    id: int
    channel: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    created: int
    duplicates: int
    unmatched: int
    rejected: int


class ReasonCount(Schema):
    reason: str
    count: int


class DayCount(Schema):
    day: date
    rows: int


class SourceHealthOut(Schema):
    id: int
    slug: str
    name: str
    is_active: bool
    last_fed_at: datetime | None
    rows_landed: int
    rows_duplicate: int
    rows_unmatched: int
    rows_rejected: int
    last_batch: BatchOut | None
    rows_per_day: list[DayCount] = Field(description="Rows landed per day, last 30 days")
    open_rejects: int
    top_reject_reasons: list[ReasonCount]
    usual_interval_seconds: int | None = Field(description="Median gap between recent batches")
    stale: bool = Field(description="Not fed for more than twice its usual interval")


class UnmatchedOut(Schema):
    id: int = Field(description="The newest unmatched activity carrying this identity")
    key: str
    kind: str
    value: str
    count: int
    first_seen: datetime
    last_seen: datetime
    sources: list[str]
    reason: str


def _person_or_404(person_id: int) -> None:
    if not Person.objects.filter(pk=person_id).exists():
        raise Http404("Not found")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


@router.get("/people/{person_id}/activities", response=Page[ActivityOut],
            summary="A person's activities, newest first")
def person_activities(
    request,
    person_id: int = Path(..., ge=1, le=MAX_ID),
    category: CategoryName | None = Query(None),
    source: int | None = Query(None, ge=1, le=MAX_ID, description="Source id"),
    since: datetime | None = Query(None, description="Occurred at or after (ISO 8601)"),
    until: datetime | None = Query(None, description="Occurred before (ISO 8601)"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, description="Page size; values above 200 are served as 200"),
):
    """Every source on one timeline. Pages go back in time: follow `next_cursor`."""
    _person_or_404(person_id)
    zone = association_zone(request.association)
    qs = selectors.timeline_queryset(
        person_id=person_id, filters=selectors.TimelineFilters(category=category or "",
                                                               source=source),
        zone=zone, since_at=_aware(since), until_at=_aware(until))
    rows, nxt = selectors.timeline_rows(qs, cursor=cursor, limit=clamp_limit(limit))
    return {"items": rows, "next_cursor": nxt}


def _money(pairs) -> list[dict[str, Any]]:
    return [{"currency": cur, "amount": amt} for cur, amt in pairs]


@router.get("/people/{person_id}/activity-summary", response=SummaryOut,
            summary="A person's activity per category (30/90/365 days) and per month")
def person_activity_summary(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    _person_or_404(person_id)
    s = selectors.person_activity_summary(
        association=request.association, person_id=person_id,
        zone=association_zone(request.association))
    return {
        "person_id": person_id, "as_of": s["as_of"], "windows": list(s["windows"]),
        "months": s["months"],
        "categories": [{
            "category": c["category"], "label": c["label"], "monthly": c["monthly"],
            "counts": {str(w["days"]): w["count"] for w in c["windows"]},
            "amounts": {str(w["days"]): _money(w["amounts"]) for w in c["windows"]},
        } for c in s["categories"]],
        "totals": {"counts": {str(t["days"]): t["count"] for t in s["totals"]},
                   "amounts": {str(t["days"]): _money(t["amounts"]) for t in s["totals"]}},
    }


class HealthPage(Schema):
    items: list[SourceHealthOut]
    next_cursor: str | None = Field(None, description="Always null: every source is listed")


@router.get("/sources/health", response=HealthPage, summary="How each source is feeding")
def sources_health(request):
    rows = selectors_quality.sources_health(
        zone=association_zone(request.association))
    items = []
    for r in rows:
        s = r["source"]
        items.append({
            "id": s.pk, "slug": s.slug, "name": s.name, "is_active": s.is_active,
            "last_fed_at": s.last_fed_at, "rows_landed": s.rows_landed,
            "rows_duplicate": s.rows_duplicate, "rows_unmatched": s.rows_unmatched,
            "rows_rejected": s.rows_rejected, "last_batch": r["last_batch"],
            "rows_per_day": [{"day": r["first_day"] + timedelta(days=i), "rows": n}
                             for i, n in enumerate(r["days"])],
            "open_rejects": r["open_rejects"],
            "top_reject_reasons": [{"reason": t, "count": n} for t, n in r["reasons"]],
            "usual_interval_seconds": (int(r["usual_interval"].total_seconds())
                                       if r["usual_interval"] else None),
            "stale": r["stale"],
        })
    return {"items": items, "next_cursor": None}


@router.get("/activities/unmatched", response=Page[UnmatchedOut],
            summary="Unmatched activities grouped by identity")
def unmatched(
    request,
    kind: KindName | None = Query(None, description="email, ext, hash or anon"),
    q: str | None = Query(None, max_length=100, description="Identity contains"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(50, description="Page size; values above 200 are served as 200"),
):
    """In identity order. Each group says why it is waiting, in words."""
    after = None
    if cursor:
        after, _ = decode_cursor(cursor, size=2).key
        if not isinstance(after, str):  # the list writes [identity key, 0]
            raise InvalidCursor()
    page = selectors_quality.unmatched_groups(kind=kind or "", q=q or "", after=after,
                                              limit=clamp_limit(limit))
    items = [{**g, "id": g["newest_id"]} for g in page["groups"]]
    nxt = encode_cursor([page["next_after"], 0]) if page["next_after"] else None
    return {"items": items, "next_cursor": nxt}
