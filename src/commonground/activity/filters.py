"""Activity's fields of the person-filter language (``people.filters``): activity of a
category or kind in a date window (at least N times), and an offering taken or not
(activities linked to an offering: orders, registrations, check-ins, completions).

Both are ``window`` fields whose value is a dict::

    {"category": "community", "kind": "event_checkin", "last_days": 180, "min_count": 2}
    {"offering": "12", "from": "2026-01-01", "to": "2026-06-30"}

``last_days`` counts back from the association's today (today included); ``from``/``to``
are inclusive dates in its time zone; neither means "ever". ``matches`` selects the people
with such activity, ``not_matches`` the people without.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q

from commonground.membership.models import Offering
from commonground.people.filters import FilterField, WindowInput, register_filter
from commonground.people.filters.language import parse_date, parse_days
from commonground.tenancy.clock import association_zone

from .models import Activity, Category

MAX_COUNT = 100_000
GROUP = "Activity"


def _categories() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Category.choices]


def _offerings() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Offering.objects.order_by("name")
            .values_list("id", "name")]


def _window(raw: dict[str, Any]) -> dict[str, Any]:
    """The date part of a window: ``last_days`` or ``from``/``to`` (either end optional)."""
    out: dict[str, Any] = {}
    last = raw.get("last_days")
    start, end = raw.get("from"), raw.get("to")
    if last not in (None, ""):
        if start not in (None, "") or end not in (None, ""):
            raise ValueError("Give either “in the last … days” or from/to dates, not both.")
        out["last_days"] = parse_days(last)
        return out
    if start not in (None, ""):
        out["from"] = parse_date(start)
    if end not in (None, ""):
        out["to"] = parse_date(end)
    if "from" in out and "to" in out and out["from"] > out["to"]:
        raise ValueError(f"Impossible window: from {out['from']} is after to {out['to']}.")
    return out


def _dict(raw: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("Give the window as an object, e.g. {\"category\": \"community\", "
                         "\"last_days\": 90}.")
    unknown = set(raw) - allowed
    if unknown:
        raise ValueError(f"Unknown window keys: {', '.join(sorted(map(str, unknown)))[:80]}. "
                         f"Known: {', '.join(sorted(allowed))}.")
    return raw


def parse_activity(raw: Any) -> dict[str, Any]:
    raw = _dict(raw, {"category", "kind", "last_days", "from", "to", "min_count"})
    out: dict[str, Any] = {}
    category = raw.get("category") or ""
    if category:
        if category not in Category.values:
            raise ValueError(f"No activity category “{str(category)[:30]}”; one of "
                             f"{', '.join(Category.values)}.")
        out["category"] = category
    kind = raw.get("kind") or ""
    if kind:
        if not isinstance(kind, str) or len(kind) > 40:
            raise ValueError("An activity kind is a word of at most 40 characters.")
        out["kind"] = kind.strip()
    out.update(_window(raw))
    count = raw.get("min_count")
    if count not in (None, "", 1, "1"):
        try:
            number = int(str(count).strip())
        except ValueError:
            raise ValueError("“At least” takes a whole number.") from None
        if not 1 <= number <= MAX_COUNT:
            raise ValueError(f"“At least” is between 1 and {MAX_COUNT:,}.")
        if number > 1:
            out["min_count"] = number
    return out


def parse_offering(raw: Any) -> dict[str, Any]:
    raw = _dict(raw, {"offering", "last_days", "from", "to"})
    offering = str(raw.get("offering") or "").strip()
    if not offering.isdigit():
        raise ValueError("Choose an offering.")
    if not Offering.objects.filter(pk=int(offering)).exists():
        raise ValueError(f"No offering {offering} in this association.")
    return {"offering": offering, **_window(raw)}


def _bounds(value: dict[str, Any], ctx: dict[str, Any]) -> Q:
    zone = association_zone(ctx.get("association"))

    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone)

    q = Q()
    if "last_days" in value:
        q &= Q(occurred_at__gte=at(ctx["today"] - timedelta(days=value["last_days"])))
    if "from" in value:
        q &= Q(occurred_at__gte=at(value["from"]))
    if "to" in value:
        q &= Q(occurred_at__lt=at(value["to"] + timedelta(days=1)))
    return q


def _people(rows, value: dict[str, Any], op: str) -> Q:
    rows = rows.filter(person__isnull=False)
    if value.get("min_count", 1) > 1:
        ids = (rows.values("person_id").annotate(n=Count("id"))
               .filter(n__gte=value["min_count"]).values("person_id"))
    else:
        ids = rows.values("person_id")
    q = Q(pk__in=ids)
    return q if op == "matches" else ~q


def _activity(op: str, value: dict[str, Any], ctx: dict[str, Any]) -> Q:
    rows = Activity.objects.filter(_bounds(value, ctx))
    if "category" in value:
        rows = rows.filter(category=value["category"])
    if "kind" in value:
        rows = rows.filter(kind=value["kind"])
    return _people(rows, value, op)


def _offering(op: str, value: dict[str, Any], ctx: dict[str, Any]) -> Q:
    rows = Activity.objects.filter(_bounds(value, ctx), offering_id=int(value["offering"]))
    return _people(rows, value, op)


def _when(value: dict[str, Any]) -> str:
    if "last_days" in value:
        return f"in the last {value['last_days']} days"
    if "from" in value and "to" in value:
        return f"from {value['from']} to {value['to']}"
    if "from" in value:
        return f"since {value['from']}"
    if "to" in value:
        return f"until {value['to']}"
    return "ever"


def _activity_words(op: str, value: dict[str, Any]) -> str:
    what = " ".join(filter(None, [str(Category(value["category"]).label).lower()
                                  if "category" in value else "",
                                  f"“{value['kind']}”" if "kind" in value else ""]))
    times = f", at least {value['min_count']} times" if value.get("min_count", 1) > 1 else ""
    verb = "has" if op == "matches" else "has no"
    return f"{verb} {what + ' ' if what else ''}activity {_when(value)}{times}"


def _offering_words(op: str, value: dict[str, Any]) -> str:
    name = Offering.objects.filter(pk=int(value["offering"])).values_list("name", flat=True)
    shown = f"“{name.first() or 'offering ' + value['offering']}”"
    return f"{'took' if op == 'matches' else 'did not take'} {shown} {_when(value)}"


_DATES = (WindowInput("last_days", "In the last … days", "number"),
          WindowInput("from", "From", "date"), WindowInput("to", "To", "date"))

register_filter(FilterField(
    key="activity", label="Activity", type="window", group=GROUP, order=10,
    build=_activity, parse=parse_activity, related=True, words=_activity_words,
    inputs=(WindowInput("category", "Category", "choice", choices=_categories),
            WindowInput("kind", "Kind", "text", help="e.g. event_checkin, email_open"),
            *_DATES, WindowInput("min_count", "At least … times", "number")),
    help="Did something of a category or kind in a window, at least N times."))
register_filter(FilterField(
    key="offering", label="Offering taken", type="window", group=GROUP, order=20,
    build=_offering, parse=parse_offering, related=True, words=_offering_words,
    inputs=(WindowInput("offering", "Offering", "choice", choices=_offerings), *_DATES),
    help="Bought, registered for, attended or completed an offering (or not)."))
