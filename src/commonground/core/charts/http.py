"""One CSV mechanism for every chart: the page's own URL with ``?format=csv&chart=<name>``
answers that chart's rows as a download, so a page needs no extra URL pattern."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import urlencode

from .base import Chart, RenderedChart


def requested_chart(request: HttpRequest) -> str | None:
    """The chart whose CSV this request asks for, if it asks for one."""
    if request.GET.get("format") != "csv":
        return None
    return request.GET.get("chart", "")


def csv_href(request: HttpRequest, name: str, *, path: str | None = None) -> str:
    """The link that downloads chart ``name`` from the current page (or from ``path``),
    keeping the page's other query parameters (filters decide the rows)."""
    params = {k: v for k, v in request.GET.items() if k not in ("format", "chart")} if path is None else {}
    params.update(format="csv", chart=name)
    return f"{path or request.path}?{urlencode(params)}"


def chart_csv_response(chart: Chart | RenderedChart, filename: str = "") -> HttpResponse:
    """The chart's rows as a CSV download (UTF-8 with a BOM, so spreadsheets read accents)."""
    if isinstance(chart, RenderedChart):
        chart = chart.chart
    name = filename or chart.filename or f"{chart.name}.csv"
    response = HttpResponse("\ufeff" + chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_for(request: HttpRequest, charts: Iterable[Chart]) -> HttpResponse | None:
    """The CSV response when the request asks for one of ``charts`` (404 for an unknown
    name), else None and the view renders its page."""
    name = requested_chart(request)
    if name is None:
        return None
    for chart in charts:
        if chart.name == name:
            return chart_csv_response(chart)
    raise Http404("No such chart on this page")
