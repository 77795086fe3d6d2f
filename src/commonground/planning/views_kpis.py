"""Staff pages of the KPI catalogue: what can be measured, and the rows behind a number.

Every number on the plan links here: an objective's rows (``kpi_rows``) on the day of its
latest snapshot, or any metric's rows for a period and filters (``metric_rows``, which
the balance view links to). Pages read one more row than they show instead of counting;
the CSV streams every row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django_scopes import scope

from commonground.core import metrics
from commonground.core.errors import ValidationFailed
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from .kpis import kpi_day, kpi_value
from .kpis import kpi_rows as objective_drilldown
from .kpis.listing import drilldown_csv, drilldown_page
from .kpis.reading import catalogue_data, metric_question, objective_rows_page
from .models import Objective


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def _url(name: str, **kwargs: Any) -> str | None:
    """A sibling page when it exists (the objective page is the plan part's)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _csv_response(association, drilldown, name: str) -> StreamingHttpResponse:
    def lines():
        # Streamed after the view returns: the rows are read inside the scope again.
        with scope(association=association):
            yield "\ufeff"
            yield from drilldown_csv(drilldown)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "rows"}.csv"'
    return response


@staff_view
def metric_catalogue(request: HttpRequest) -> HttpResponse:
    """Every metric KPIs and the balance view can use, by group, with filters and sides."""
    association = request.association
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in catalogue_data(association):
        groups.setdefault(m["group"], []).append(m)
    today = association_today(association)
    return render(request, "planning/kpis/catalogue.html", {
        "slug": association.slug, "groups": groups, "today": today,
        "month_ago": today.replace(day=1), "metrics": metrics.catalogue()})


def _question(request: HttpRequest):
    association = request.association
    try:
        metric, query = metric_question(association, request.GET)
        return metric, query, None
    except ValidationFailed as exc:
        return None, None, exc


@staff_view
def metric_rows(request: HttpRequest) -> HttpResponse:
    """``?metric=&start=&end=&<filter>=…``: the figure and the rows behind it."""
    association = request.association
    metric, query, error = _question(request)
    context: dict[str, Any] = {"slug": association.slug, "error": error,
                               "params": request.GET, "metrics": metrics.catalogue()}
    if error is not None:
        return render(request, "planning/kpis/metric_rows.html", context, status=400)
    value = metric.compute(association, query)
    page = drilldown_page(metric.rows(association, query), page=_page_number(request)) \
        if value else None
    params = request.GET.copy()
    params.pop("page", None)
    context.update(metric=metric, query=query, value=value, page=page,
                   query_string=params.urlencode(),
                   filters=[(metric.filter_spec(k).label, request.GET[k]) for k in query.filters])
    return render(request, "planning/kpis/metric_rows.html", context)


@staff_view
def metric_rows_csv(request: HttpRequest) -> HttpResponse:
    association = request.association
    metric, query, error = _question(request)
    if error is not None:
        return render(request, "planning/kpis/metric_rows.html", {
            "slug": association.slug, "error": error, "params": request.GET,
            "metrics": metrics.catalogue()}, status=400)
    return _csv_response(association, metric.rows(association, query),
                         f"{metric.key}-{query.start}-{query.end}")


def _objective_day(request: HttpRequest, objective: Objective) -> date:
    """The day asked (``?on=``), else the latest snapshot's, else today's (the deadline
    once passed)."""
    raw = request.GET.get("on", "")
    try:
        return kpi_day(objective, date.fromisoformat(raw))
    except ValueError:
        return objective.current_on or kpi_day(objective, association_today(request.association))


@staff_view
def kpi_rows(request: HttpRequest, objective_id: int) -> HttpResponse:
    """The members or activities behind an objective's number."""
    association = request.association
    objective = get_object_or_404(Objective.objects.select_related("goal"), pk=objective_id)
    metric = metrics.get(objective.metric)
    on = _objective_day(request, objective)
    context: dict[str, Any] = {
        "slug": association.slug, "objective": objective, "metric": metric, "on": on,
        "objective_url": _url("objective_detail", association=association.slug,
                              objective_id=objective.pk)}
    try:
        page = objective_rows_page(association, objective, on=on, page=_page_number(request))
    except ValidationFailed as exc:
        context["error"] = exc
        return render(request, "planning/kpis/kpi_rows.html", context, status=400)
    stored = objective.snapshots.filter(day=on).values_list("value", flat=True).first()
    context.update(page=page, value=stored if stored is not None else
                   kpi_value(association, objective, on), stored=stored is not None,
                   filters=sorted((objective.filters or {}).items()),
                   query_string=f"on={on.isoformat()}")
    return render(request, "planning/kpis/kpi_rows.html", context)


@staff_view
def kpi_rows_csv(request: HttpRequest, objective_id: int) -> HttpResponse:
    association = request.association
    objective = get_object_or_404(Objective, pk=objective_id)
    on = _objective_day(request, objective)
    try:
        drilldown = objective_drilldown(association, objective, on)
    except ValidationFailed as exc:
        return HttpResponse(f"{exc.message}: {exc.fields}", status=400,
                            content_type="text/plain; charset=utf-8")
    return _csv_response(association, drilldown, f"{objective.title}-{on}")
