"""Staff pages for Member 360: the timeline and summaries, source health, unmatched queue.

The timeline is embedded in the member profile (a profile panel, see ``hooks``) and has a
page of its own, ``people/<id>/activity/``, which is where the filter form and "Load
more" go without JavaScript; with HTMX the same URL answers with just the list (filters)
or just the next days (load more), swapped in place.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from commonground.core import charts
from commonground.core.errors import DomainError, ValidationFailed
from commonground.core.ids import parse_id
from commonground.core.pagination import encode_cursor, read_cursor
from commonground.people.models import Person
from commonground.people.selectors import person_list
from commonground.tenancy.clock import association_zone
from commonground.tenancy.decorators import staff_view

from . import render_360, selectors, selectors_quality, services
from .models import Category, IdentityKind


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def timeline_filters(params: Any) -> selectors.TimelineFilters:
    """Filters from a query string; anything unreadable is ignored (the form shows it unset)."""
    category = params.get("category", "")
    source = params.get("source", "")
    return selectors.TimelineFilters(
        category=category if category in Category.values else "",
        source=parse_id(source),
        since=_date(params.get("since")), until=_date(params.get("until")))


PROFILE_PAGE = 25  # the profile shows the latest; "Load more" continues 50 at a time


def timeline_context(request: HttpRequest, person_id: int,
                     limit: int = selectors.TIMELINE_PAGE) -> dict[str, Any]:
    zone = association_zone(request.association)
    filters = timeline_filters(request.GET)
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.person_timeline(person_id=person_id, filters=filters, zone=zone,
                                         cursor=cursor, limit=limit)
    except ValidationFailed:  # a mangled cursor: start from the newest
        cursor = None
        page = selectors.person_timeline(person_id=person_id, filters=filters, zone=zone,
                                         limit=limit)
    for day in page.days:
        day.html = SafeString("".join(render_360.timeline_item(row) for row in day.items))
    url = reverse("person_timeline", kwargs={"association": request.association.slug,
                                             "person_id": person_id})
    params = filters.as_params()
    more = urlencode({**params, "cursor": page.next_cursor}) if page.next_cursor else ""
    return {
        "page": page, "filters": filters, "cursor": cursor, "timeline_url": url,
        "next_url": f"{url}?{more}" if more else None,
        "newest_url": f"{url}?{urlencode(params)}" if params else url,
        "category_choices": Category.choices,
        # Called by the template only when it draws the form (not for "Load more").
        "source_choices": selectors.source_choices,
        "zone": zone.key,
    }


def summary_context(request: HttpRequest, person_id: int) -> dict[str, Any]:
    summary = selectors.person_activity_summary(
        association=request.association, person_id=person_id,
        zone=association_zone(request.association))
    chart = monthly_chart(summary)
    timeline = reverse("person_timeline", kwargs={"association": request.association.slug,
                                                  "person_id": person_id})
    summary["chart"] = (chart.with_csv_url(charts.csv_href(request, chart.name, path=timeline))
                        .with_image_url(charts.image_href(request, chart, path=timeline)).render())
    return {"summary": summary}


def monthly_chart(summary: dict[str, Any]) -> charts.Chart:
    """Activities per month stacked by category, with the total per month in the table.

    An image chart (``image=True``): it differs for every person, so the cache seldom has
    it, and drawing it (~10 ms) would be a third of the profile's time; the profile shows
    an <img> of it that the timeline URL answers (``?format=svg``), with the table inline."""
    categories, months = summary["categories"], summary["months"]
    rows = []
    for i, month in enumerate(months):
        counts = [c["monthly"][i] for c in categories]
        rows.append((month, *counts, sum(counts)))
    peak = max([0] + [r[-1] for r in rows])
    return charts.bar(
        "activity-by-month", title=f"Activities per month by category, last {len(months)} months",
        description=(f"Stacked bars, one per month; the busiest month has {peak} activities, "
                     f"{sum(r[-1] for r in rows)} in all. The figures are in the data table."),
        x=charts.Column("month", "Month", "month"),
        series=[charts.Column(c["category"], c["label"], colour=c["colour"]) for c in categories],
        extra=[charts.Column("all", "All")], rows=rows, height=170,
        css_class="m360-chart", filename="activity-by-month.csv", image=True)


def member360_context(request: HttpRequest, person: Person,
                      limit: int = PROFILE_PAGE) -> dict[str, Any]:
    """What the profile's Member 360 block needs: summaries and the first timeline page."""
    return {"person": person, "request": request, **summary_context(request, person.pk),
            **timeline_context(request, person.pk, limit=limit)}


@staff_view
def person_timeline(request: HttpRequest, person_id: int) -> HttpResponse:
    if charts.requested_chart(request) is not None or charts.requested_chart(request, "svg") is not None:
        # The chart's CSV, or its image for the profile's <img>.
        if not Person.objects.filter(pk=person_id).exists():
            raise Http404("No such person")
        summary = selectors.person_activity_summary(
            association=request.association, person_id=person_id,
            zone=association_zone(request.association))
        chart = [monthly_chart(summary)]
        return charts.csv_for(request, chart) or charts.svg_for(request, chart)
    if request.htmx:
        # Fragments need only to know the person is ours: one indexed lookup.
        if not Person.objects.filter(pk=person_id).exists():
            raise Http404("No such person")
        context = timeline_context(request, person_id)
        template = ("activity/_timeline_days.html" if context["cursor"]
                    else "activity/_timeline_panel.html")
        return render(request, template, context)
    person = Person.objects.filter(pk=person_id).only("id", "first_name", "last_name", "email",
                                                      "erased_at").first()
    if person is None:
        raise Http404("No such person")
    return render(request, "activity/timeline.html",
                  member360_context(request, person, limit=selectors.TIMELINE_PAGE))


# ---------------------------------------------------------------- source health

@staff_view
def source_health(request: HttpRequest) -> HttpResponse:
    zone = association_zone(request.association)
    rows = selectors_quality.sources_health(zone=zone)
    sparks = [rows_per_day_chart(r) for r in rows]
    if response := charts.csv_for(request, sparks):
        return response
    for r, chart in zip(rows, sparks, strict=True):
        r["spark"] = chart.with_csv_url(charts.csv_href(request, chart.name)).render()
    return render(request, "activity/health.html", {
        "rows": rows, "zone": zone.key,
        "spark_days": selectors_quality.SPARK_DAYS,
        "stale_factor": selectors_quality.STALE_FACTOR,
        "stale_floor_hours": int(selectors_quality.STALE_FLOOR.total_seconds() // 3600)})


def rows_per_day_chart(row: dict[str, Any]) -> charts.Chart:
    """A source's rows landed per day, oldest first, as a sparkline."""
    source, days = row["source"], row["days"]
    total, peak = sum(days), max(days, default=0)
    return charts.sparkline(
        f"source-{source.pk}", title=f"Rows landed per day for {source.name}",
        description=(f"Rows landed per day over the last {len(days)} days: {total} in all, "
                     f"at most {peak} in one day."),
        note=f"{total:,} rows in the last {len(days)} days (busiest day {peak:,})",
        x=charts.Column("day", "Day", "date"), y=charts.Column("rows", "Rows landed"),
        rows=[(row["first_day"] + timedelta(days=i), n) for i, n in enumerate(days)],
        filename=f"{source.slug or source.pk}-rows-per-day.csv")


# ---------------------------------------------------------------- unmatched queue

def _after(token: str | None) -> str | None:
    cursor = read_cursor(token, size=2)
    value = cursor.key[0] if cursor else None
    return value if isinstance(value, str) else None


@staff_view
def unmatched_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in IdentityKind.values else ""
    q = request.GET.get("q", "").strip()[:100]
    after = _after(request.GET.get("after"))
    page = selectors_quality.unmatched_groups(kind=kind, q=q, after=after)
    kept = {k: v for k, v in (("kind", kind), ("q", q)) if v}
    nxt = page["next_after"]
    return render(request, "activity/unmatched.html", {
        **page, "kind": kind, "q": q, "paged": bool(after),
        "kind_choices": IdentityKind.choices,
        "first_url": f"?{urlencode(kept)}",
        "next_url": f"?{urlencode({**kept, 'after': encode_cursor([nxt, 0])})}" if nxt else None,
    })


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    return redirect("unmatched_list", association=request.association.slug)


@staff_view  # outermost: another association's URL is a 404 before anything else
@require_POST
def unmatched_prospect(request: HttpRequest) -> HttpResponse:
    key = request.POST.get("key", "")[:254]
    try:
        person, moved = services.unmatched_create_prospect(
            association=request.association, key=key, actor=request.user)
    except DomainError as exc:
        detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
        messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
        return _back_to_queue(request)
    messages.success(request, f"{person} was added as a prospect; {moved} activities moved to "
                              "their timeline.")
    return redirect("person_detail", association=request.association.slug, person_id=person.pk)


@staff_view
def unmatched_attach(request: HttpRequest) -> HttpResponse:
    """Choose an existing person for an unmatched identity (search, then attach)."""
    data = request.POST if request.method == "POST" else request.GET
    key = data.get("key", "")[:254]
    group = next(iter(selectors_quality.unmatched_groups(exact=key, limit=1)
                      ["groups"]), None) if key else None
    if group is None:
        messages.error(request, "Nothing is waiting for this identity any more.")
        return _back_to_queue(request)
    if request.method == "POST":
        person_id = data.get("person_id", "")
        pk = parse_id(person_id)  # the picker lists no erased people; nor does it take one
        person = Person.objects.filter(pk=pk, erased_at__isnull=True).first() if pk else None
        if person is None:
            messages.error(request, "Choose a person to attach to.")
        else:
            try:
                moved = services.unmatched_attach(association=request.association, key=key,
                                                      person=person, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{moved} activities moved to {person}'s timeline.")
                return redirect("person_detail", association=request.association.slug,
                                person_id=person.pk)
    q = request.GET.get("q", "").strip()[:100]
    people = []
    if q:
        people = person_list(search=q, limit=10).rows
    return render(request, "activity/unmatched_attach.html",
                  {"group": group, "key": key, "q": q, "people": people})
