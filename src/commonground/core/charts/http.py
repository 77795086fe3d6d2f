"""One CSV mechanism for every chart: the page's own URL with ``?format=csv&chart=<name>``
answers that chart's rows as a download, so a page needs no extra URL pattern. Charts
declared ``image=True`` are answered the same way as SVG, ``?format=svg&chart=<name>``,
which is what the page's ``<img>`` of the chart loads."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import urlencode

from .base import Chart, RenderedChart


def requested_chart(request: HttpRequest, kind: str = "csv") -> str | None:
    """The chart whose CSV (or, ``kind="svg"``, image) this request asks for, if any."""
    if request.GET.get("format") != kind:
        return None
    return request.GET.get("chart", "")


def _href(request: HttpRequest, path: str | None, **params: str) -> str:
    kept = {k: v for k, v in request.GET.items() if k not in ("format", "chart", "v")} if path is None else {}
    return f"{path or request.path}?{urlencode({**kept, **params})}"


def csv_href(request: HttpRequest, name: str, *, path: str | None = None) -> str:
    """The link that downloads chart ``name`` from the current page (or from ``path``),
    keeping the page's other query parameters (filters decide the rows)."""
    return _href(request, path, format="csv", chart=name)


def image_href(request: HttpRequest, chart: Chart, *, path: str | None = None) -> str:
    """Where the page's <img> of ``chart`` loads it from: like :func:`csv_href`, with
    ``format=svg`` and the chart's digest, so the URL changes whenever the figures do and
    the browser may keep the image (see :func:`chart_svg_response`)."""
    return _href(request, path, format="svg", chart=chart.name, v=chart.digest[:16])


def chart_csv_response(chart: Chart | RenderedChart, filename: str = "") -> HttpResponse:
    """The chart's rows as a CSV download (UTF-8 with a BOM, so spreadsheets read accents)."""
    if isinstance(chart, RenderedChart):
        chart = chart.chart
    name = filename or chart.filename or f"{chart.name}.csv"
    response = HttpResponse("\ufeff" + chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chart_svg_response(chart: Chart, version: str = "") -> HttpResponse:
    """The chart as an SVG image. When ``version`` is the chart's current digest (the page
    that linked it showed these figures) the browser may keep it for an hour; an outdated
    link gets the current figures, never to be kept under the old URL."""
    response = HttpResponse(chart.image_svg(), content_type="image/svg+xml; charset=utf-8")
    fresh = version == chart.digest[:16]
    response["Cache-Control"] = "private, max-age=3600" if fresh else "private, no-store"
    # Opened on its own the SVG is a document: it may not run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def csv_for(request: HttpRequest, charts: Iterable[Chart]) -> HttpResponse | None:
    """The CSV response when the request asks for one of ``charts`` (404 for an unknown
    name), else None and the view renders its page."""
    name = requested_chart(request)
    if name is None:
        return None
    return chart_csv_response(_named(charts, name))


def svg_for(request: HttpRequest, charts: Iterable[Chart]) -> HttpResponse | None:
    """The SVG response when the request asks for the image of one of ``charts`` declared
    ``image=True`` (404 for any other name), else None."""
    name = requested_chart(request, "svg")
    if name is None:
        return None
    chart = _named(charts, name)
    if not chart.image:  # only image charts are served on their own
        raise Http404("No such chart image on this page")
    return chart_svg_response(chart, request.GET.get("v", ""))


def _named(charts: Iterable[Chart], name: str) -> Chart:
    for chart in charts:
        if chart.name == name:
            return chart
    raise Http404("No such chart on this page")
