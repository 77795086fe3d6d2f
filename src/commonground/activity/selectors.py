"""Reads for Member 360: one person's timeline across every source, and their summaries.

Both read through the ``(person, occurred_at)`` index: the timeline walks it
newest first by keyset ``(occurred_at, id)`` (never OFFSET, so page 40 costs what page 1
costs), and the summary is one grouped query bounded to the last 365 days, so a person
with years of history does not make the profile slower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from commonground.core.errors import ValidationFailed
from commonground.core.pagination import decode_cursor, encode_cursor

from . import sql
from .models import Activity, Category, Source

TIMELINE_PAGE = 50
WINDOWS = (30, 90, 365)
CHART_MONTHS = 12

# Shown before a row's kind: a glyph (decorative, hidden from screen readers) per category.
CATEGORY_ICONS = {
    "learning": "🎓", "knowledge": "📚", "community": "💬", "advocacy": "📣",
    "marketing": "✉", "web": "🌐", "social": "👍", "commerce": "🛒", "volunteering": "🤝",
}
# Distinguishable on white and with white text (WCAG AA for the legend swatches' labels).
CATEGORY_COLOURS = {
    "learning": "#2b6cb0", "knowledge": "#6b46c1", "community": "#2f855a",
    "advocacy": "#c05621", "marketing": "#b83280", "web": "#4a5568", "social": "#0b7285",
    "commerce": "#975a16", "volunteering": "#9b2c2c",
}
# Metadata worth a glance on the timeline, in the order they are shown (the shipped
# mapping profiles' keys: page views, campaigns, courses, threads, orders…).
HIGHLIGHT_KEYS = (
    ("page", "Page"), ("campaign", "Campaign"), ("course", "Course"), ("event", "Event"),
    ("thread", "Thread"), ("item", "Item"), ("order", "Order"), ("post", "Post"),
    ("url", "Link"), ("session", "Session"), ("forum", "Forum"), ("platform", "Platform"),
    ("score", "Score"), ("ticket_type", "Ticket"), ("role", "Role"), ("hours", "Hours"),
    ("referrer", "Referrer"), ("text", "Text"),
)
MAX_HIGHLIGHTS = 3
CENT = Decimal("0.01")


CATEGORY_LABELS = dict(Category.choices)


def category_label(value: str) -> str:
    return CATEGORY_LABELS.get(value) or value.title()


def kind_label(kind: str) -> str:
    text = kind.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def highlights(metadata: Any) -> list[dict[str, Any]]:
    """Up to three ``{label, value, href}`` from the row's metadata, known keys first."""
    if not isinstance(metadata, dict):
        return []
    out = []
    for key, label in HIGHLIGHT_KEYS:
        value = metadata.get(key)
        if value in (None, "", [], {}):
            continue
        text = str(value)
        href = text if text.startswith(("https://", "http://")) else None
        out.append({"label": label, "value": text[:120] + ("…" if len(text) > 120 else ""),
                    "href": href})
        if len(out) == MAX_HIGHLIGHTS:
            break
    return out


# ---------------------------------------------------------------- timeline

@dataclass(frozen=True)
class TimelineFilters:
    category: str = ""
    source: int | None = None
    since: date | None = None
    until: date | None = None

    def active(self) -> bool:
        return bool(self.category or self.source or self.since or self.until)

    def as_params(self) -> dict[str, str]:
        out = {"category": self.category, "source": str(self.source or ""),
               "since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in out.items() if v}


@dataclass
class TimelineDay:
    day: date
    continued: bool  # the previous page ended on this day: no second heading
    label: str = ""
    html: str = ""  # the rows' markup, filled by the view (render_360)
    items: list[Activity] = field(default_factory=list)


@dataclass
class TimelinePage:
    days: list[TimelineDay]
    next_cursor: str | None
    count: int


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def timeline_cursor_time(cursor: str) -> tuple[datetime, int]:
    """The ``(occurred_at, id)`` a timeline cursor points after; ValidationFailed if bogus."""
    value, pk = decode_cursor(cursor, size=2).key
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationFailed("Invalid cursor", fields={"cursor": ["not a cursor from this list"]})
    return moment, pk


def timeline_queryset(*, person_id: int, filters: TimelineFilters, zone: ZoneInfo,
                      until_at: datetime | None = None, since_at: datetime | None = None):
    """A person's activities matching the filters (unordered). ``since_at``/``until_at``
    are exact instants (the API); ``filters.since``/``until`` whole days in ``zone``."""
    qs = Activity.objects.filter(person_id=person_id)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.source:
        qs = qs.filter(source_id=filters.source)
    if filters.since:
        qs = qs.filter(occurred_at__gte=_day_start(filters.since, zone))
    if filters.until:
        qs = qs.filter(occurred_at__lt=_day_start(filters.until + timedelta(days=1), zone))
    if since_at:
        qs = qs.filter(occurred_at__gte=since_at)
    if until_at:
        qs = qs.filter(occurred_at__lt=until_at)
    return qs


def timeline_rows(qs, *, cursor: str | None, limit: int) -> tuple[list[Activity], str | None]:
    """One page of ``qs`` newest first, after ``cursor``; returns rows and the next cursor."""
    if cursor:
        moment, pk = timeline_cursor_time(cursor)
        # The plain bound lets the index range end at the cursor; the OR breaks ties on id.
        qs = qs.filter(occurred_at__lte=moment).filter(Q(occurred_at__lt=moment) | Q(id__lt=pk))
    qs = (qs.select_related("source", "offering")
          .only("id", "occurred_at", "category", "kind", "quantity", "amount", "currency",
                "metadata", "external_id", "source__id", "source__name", "offering__id",
                "offering__name")
          .order_by("-occurred_at", "-id"))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([rows[-1].occurred_at.isoformat(), rows[-1].pk]) if more and rows else None
    return rows, nxt


def person_timeline(*, person_id: int, filters: TimelineFilters, zone: ZoneInfo,
                    cursor: str | None = None, limit: int = TIMELINE_PAGE) -> TimelinePage:
    """One page of the person's timeline, grouped by day in the association's time zone."""
    qs = timeline_queryset(person_id=person_id, filters=filters, zone=zone)
    rows, nxt = timeline_rows(qs, cursor=cursor, limit=limit)
    after_day = timezone.localtime(timeline_cursor_time(cursor)[0], zone).date() if cursor else None
    days: list[TimelineDay] = []
    for row in rows:
        local = timezone.localtime(row.occurred_at, zone)
        day = local.date()
        if not days or days[-1].day != day:
            days.append(TimelineDay(day=day, continued=not days and day == after_day,
                                    label=f"{day:%A} {day.day} {day:%B %Y}"))
        # Formatted here: template date filters cost more than the query for 50 rows.
        row.time_label = f"{local:%H:%M}"
        row.iso = local.isoformat()
        row.icon = CATEGORY_ICONS.get(row.category, "•")
        row.colour = CATEGORY_COLOURS.get(row.category, "#4a5568")
        row.category_label = category_label(row.category)
        row.kind_label = kind_label(row.kind)
        row.highlights = highlights(row.metadata)
        days[-1].items.append(row)
    return TimelinePage(days=days, next_cursor=nxt, count=len(rows))


def source_choices() -> list[tuple[int, str]]:
    return list(Source.objects.order_by("name").values_list("id", "name"))


# ---------------------------------------------------------------- summaries

def month_starts(now: datetime, zone: ZoneInfo, months: int = CHART_MONTHS) -> list[datetime]:
    """The first instant of each of the last ``months`` calendar months (oldest first)."""
    local = timezone.localtime(now, zone)
    y, m = local.year, local.month
    out = []
    for _ in range(months):
        out.append(datetime(y, m, 1, tzinfo=zone))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _money(amounts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    return sorted((cur, amt) for cur, amt in amounts.items() if amt)


def _summary_rows(*, association_id: int, person_id: int, now: datetime, starts: list[datetime],
                  since: dict[int, datetime]) -> list[dict[str, Any]]:
    """The grouped rows behind the summary: (month bucket, category, currency) → counts and
    sums per window (one hand-written statement: ``sql.person_summary_rows``)."""
    rows = sql.person_summary_rows(association_id=association_id, person_id=person_id, now=now,
                                   starts=starts, since=since)
    return [{"bucket": b, "category": cat, "currency": cur or "", "n365": n365, "a365": _dec(a365),
             "n90": n90, "a90": _dec(a90), "n30": n30, "a30": _dec(a30)}
            for b, cat, cur, n365, a365, n90, a90, n30, a30 in rows]


def _dec(value: Any) -> Decimal | None:
    # SQLite sums decimals as floats; round back to cents on both backends.
    return None if value is None else Decimal(str(value)).quantize(CENT)


def person_activity_summary(*, association: Any, person_id: int, zone: ZoneInfo,
                            now: datetime | None = None) -> dict[str, Any]:
    """Counts and amounts per category over the last 30/90/365 days and per month for the
    last 12 months, from ONE grouped query over the person's last 365 days (a range of the
    ``(person, occurred_at)`` index, however long their history).

    Months are bucketed with a CASE over the month boundaries (computed here in the
    association's zone), so the database compares instants instead of converting each
    row's time zone — portable, and cheap for people with thousands of rows.
    """
    now = now or timezone.now()
    starts = month_starts(now, zone)
    since = {w: now - timedelta(days=w) for w in WINDOWS}
    rows = _summary_rows(association_id=association.pk, person_id=person_id, now=now,
                         starts=starts, since=since)
    per_cat: dict[str, dict[str, Any]] = {}
    monthly: dict[str, list[int]] = {}
    for r in rows:
        cat = per_cat.setdefault(r["category"], {
            "counts": {w: 0 for w in WINDOWS}, "amounts": {w: {} for w in WINDOWS}})
        for w in WINDOWS:
            cat["counts"][w] += r[f"n{w}"]
            if r[f"a{w}"] is not None:
                money = cat["amounts"][w]
                money[r["currency"]] = money.get(r["currency"], Decimal(0)) + r[f"a{w}"]
        if r["bucket"] >= 0:
            monthly.setdefault(r["category"], [0] * len(starts))[r["bucket"]] += r["n365"]
    order = [c for c in Category.values if c in per_cat] + sorted(set(per_cat) - set(Category.values))
    categories = []
    for c in order:
        data = per_cat[c]
        categories.append({
            "category": c, "label": category_label(c), "icon": CATEGORY_ICONS.get(c, "•"),
            "colour": CATEGORY_COLOURS.get(c, "#4a5568"),
            "windows": [{"days": w, "count": data["counts"][w], "amounts": _money(data["amounts"][w])}
                        for w in WINDOWS],
            "monthly": monthly.get(c, [0] * len(starts)),
        })
    totals = []
    for i, w in enumerate(WINDOWS):
        money: dict[str, Decimal] = {}
        for c in categories:
            for cur, amt in c["windows"][i]["amounts"]:
                money[cur] = money.get(cur, Decimal(0)) + amt
        totals.append({"days": w, "count": sum(c["windows"][i]["count"] for c in categories),
                       "amounts": _money(money)})
    return {"windows": WINDOWS, "categories": categories, "totals": totals,
            "months": [s.date() for s in starts], "as_of": now.astimezone(UTC)}
