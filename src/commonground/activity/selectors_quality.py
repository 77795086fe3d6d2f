"""Reads for data quality: how each source is feeding (health) and who did not match
(the unmatched queue). Everything is grouped in the database; pages read bounded rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Min, OuterRef, Subquery, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from .models import Activity, ActivityBatch, ActivityReject, IdentityKind, RejectStatus, Source

SPARK_DAYS = 30
# A source is stale when it has not been fed for this many times its usual interval
# (the median gap between its last batches), and never sooner than STALE_FLOOR, so a
# webhook that fires every minute does not raise a warning over a quiet lunch hour.
STALE_FACTOR = 2
STALE_FLOOR = timedelta(hours=6)
INTERVAL_BATCHES = 11
TOP_REASONS = 5
UNMATCHED_PAGE = 50


def human_span(span: timedelta | None) -> str:
    """'3 days', '5 hours', '12 minutes': the largest unit, rounded down."""
    if span is None:
        return ""
    seconds = max(int(span.total_seconds()), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"


def _usual_intervals() -> dict[int, timedelta]:
    """Median gap between each source's last batches (needs three batches to say)."""
    ranked = (ActivityBatch.objects
              .annotate(rn=Window(RowNumber(), partition_by=[F("source_id")],
                                  order_by=[F("created_at").desc(), F("id").desc()]))
              .filter(rn__lte=INTERVAL_BATCHES)
              .values_list("source_id", "created_at"))
    times: dict[int, list[datetime]] = {}
    for source_id, created in ranked:
        times.setdefault(source_id, []).append(created)
    out = {}
    for source_id, stamps in times.items():
        stamps.sort()
        gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        if len(gaps) >= 2:
            out[source_id] = median(gaps)
    return out


def sources_health(*, zone: ZoneInfo, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per source: feeding figures (totals and last batch), rows landed per day over the
    last 30 days (``days``, from ``first_day``), open rejects by reason, and whether it is
    overdue. Five queries."""
    now = now or timezone.now()
    last_batch = (ActivityBatch.objects.filter(source=OuterRef("pk"))
                  .order_by("-created_at", "-id").values("pk")[:1])
    sources = list(Source.objects.annotate(last_batch_id=Subquery(last_batch))
                   .defer("mapping", "webhook_secret").order_by("name"))
    batches = ActivityBatch.objects.in_bulk([s.last_batch_id for s in sources if s.last_batch_id])
    today = timezone.localtime(now, zone).date()
    first_day = today - timedelta(days=SPARK_DAYS - 1)
    per_day: dict[int, dict[Any, int]] = {}
    for source_id, day, n in (
            ActivityBatch.objects
            .filter(created_at__gte=datetime.combine(first_day, datetime.min.time(), tzinfo=zone))
            .annotate(day=TruncDate("created_at", tzinfo=zone))
            .values("source_id", "day").annotate(n=Sum("created")).order_by()
            .values_list("source_id", "day", "n")):
        per_day.setdefault(source_id, {})[day] = n or 0
    reasons: dict[int, list[tuple[str, int]]] = {}
    open_total: dict[int, int] = {}
    for source_id, reason, n in (
            ActivityReject.objects.filter(status=RejectStatus.OPEN)
            .values("source_id", "reason").annotate(n=Count("id"))
            .order_by("-n", "reason").values_list("source_id", "reason", "n")[:500]):
        open_total[source_id] = open_total.get(source_id, 0) + n
        reasons.setdefault(source_id, []).append((reason, n))
    intervals = _usual_intervals()
    out = []
    for s in sources:
        days = [per_day.get(s.pk, {}).get(first_day + timedelta(days=i), 0)
                for i in range(SPARK_DAYS)]
        usual = intervals.get(s.pk)
        since_fed = now - s.last_fed_at if s.last_fed_at else None
        limit = max(usual * STALE_FACTOR, STALE_FLOOR) if usual else None
        out.append({
            "source": s, "last_batch": batches.get(s.last_batch_id),
            "days": days, "first_day": first_day,
            "reasons": reasons.get(s.pk, [])[:TOP_REASONS],
            "more_reasons": max(len(reasons.get(s.pk, [])) - TOP_REASONS, 0),
            "open_rejects": open_total.get(s.pk, 0),
            "usual_interval": usual, "since_fed": since_fed,
            "usual_text": human_span(usual), "since_text": human_span(since_fed),
            "stale": bool(limit and since_fed and since_fed > limit) and s.is_active,
            "never_fed": s.last_fed_at is None,
        })
    return out


# ---------------------------------------------------------------- unmatched queue

KIND_LABELS = {
    IdentityKind.EMAIL: "Email address", IdentityKind.EXTERNAL: "A source's own id",
    IdentityKind.HASHED_EMAIL: "Hashed email", IdentityKind.ANONYMOUS: "Anonymous visitor",
}


def split_key(key: str) -> tuple[str, str]:
    kind, _, value = (key or "").partition(":")
    return kind, value


def unmatched_reason(key: str, sources: list[str]) -> str:
    kind, value = split_key(key)
    if kind == IdentityKind.EMAIL:
        return f"No person with email {value}"
    if kind == IdentityKind.EXTERNAL:
        where = " or ".join(sources) or "the source"
        return f"No person linked to id {value} in {where}"
    if kind == IdentityKind.HASHED_EMAIL:
        return f"No person whose email hashes to {value[:12]}…"
    if kind == IdentityKind.ANONYMOUS:
        return "Anonymous visitor — links when they identify"
    return "Identity of an unknown kind"


def unmatched_groups(*, kind: str = "", q: str = "", after: str | None = None,
                     exact: str = "", limit: int = UNMATCHED_PAGE) -> dict[str, Any]:
    """Unmatched activities grouped by identity, in key order, keyset-paged by key.

    Walks the partial ``(association, anonymous_key) WHERE person IS NULL`` index, so a
    page costs its own groups only, however long the queue is. Two queries.
    """
    qs = Activity.objects.filter(person__isnull=True).exclude(anonymous_key="")
    if exact:
        qs = qs.filter(anonymous_key=exact)
    if kind:
        qs = qs.filter(anonymous_key__startswith=f"{kind}:")
    if q:
        qs = qs.filter(anonymous_key__icontains=q.strip().lower())
    if after:
        qs = qs.filter(anonymous_key__gt=after)
    groups = list(qs.values("anonymous_key")
                  .annotate(count=Count("id"), first_seen=Min("occurred_at"),
                            last_seen=Max("occurred_at"), newest_id=Max("id"))
                  .order_by("anonymous_key")[: limit + 1])
    more = len(groups) > limit
    groups = groups[:limit]
    keys = [g["anonymous_key"] for g in groups]
    names: dict[str, list[str]] = {}
    ids: dict[str, list[int]] = {}
    if keys:
        for key, source_id, name in (
                Activity.objects.filter(person__isnull=True, anonymous_key__in=keys)
                .values_list("anonymous_key", "source_id", "source__name")
                .distinct().order_by("anonymous_key", "source__name")):
            names.setdefault(key, []).append(name)
            ids.setdefault(key, []).append(source_id)
    for g in groups:
        key = g["key"] = g.pop("anonymous_key")
        g["kind"], g["value"] = split_key(key)
        g["kind_label"] = KIND_LABELS.get(g["kind"], g["kind"])
        g["sources"] = names.get(key, [])
        g["source_ids"] = ids.get(key, [])
        g["reason"] = unmatched_reason(key, g["sources"])
    return {"groups": groups, "next_after": keys[-1] if more and keys else None}
