"""One charts module for every page: declare a chart, render it to accessible SVG on the
server, and offer its rows as a table and as CSV.

    chart = charts.bar("activity-by-month", title=..., description=...,
                       x=Column("month", "Month", "month"),
                       series=[Column("web", "Website", colour="#4a5568"), ...],
                       rows=[(date(2025, 6, 1), 3, ...), ...])
    if (response := charts.csv_for(request, [chart])):   # ?format=csv&chart=<name>
        return response
    context["chart"] = chart.with_csv_url(charts.csv_href(request, chart.name)).render()
    {% include "core/_chart.html" with chart=chart %}

A chart that differs on nearly every page view (one per person, so its cache rarely has
it) is declared ``image=True`` and shown as an ``<img>`` that loads it from the same page
URL: the page's HTML then pays nothing for drawing it.

    if (response := charts.csv_for(request, [chart]) or charts.svg_for(request, [chart])):
        return response                                   # ?format=svg&chart=<name>&v=…
    chart = chart.with_csv_url(...).with_image_url(charts.image_href(request, chart))

A new kind of chart is a spec builder (``Shape`` → Altair chart) and, if it is used in
more than one place, a constructor here; pages can also declare ``Chart(...)`` directly
with their own builder's dotted path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .base import (
    DATASET,
    DEFAULT_COLOURS,
    VEGALITE_VERSION,
    Chart,
    Column,
    RenderedChart,
    Shape,
    SpecBuilder,
    no_data_spec,
)
from .http import (
    chart_csv_response,
    chart_svg_response,
    csv_for,
    csv_href,
    image_href,
    requested_chart,
    svg_for,
)

__all__ = ["DATASET", "Chart", "Column", "RenderedChart", "Shape", "SpecBuilder", "bar",
           "chart_csv_response", "chart_svg_response", "csv_for", "csv_href", "diverging_bar",
           "image_href", "line", "no_data_spec", "requested_chart", "sparkline", "svg_for", "warm_up"]

_SPECS = "commonground.core.charts.specs."


def _coloured(series: Sequence[Column]) -> tuple[Column, ...]:
    """Every series with a colour (a default where the page named none)."""
    return tuple(c if c.colour else replace(c, colour=DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)])
                 for i, c in enumerate(series))


def _legend(series: Sequence[Column]) -> tuple[tuple[str, str], ...]:
    return tuple((c.label, c.colour) for c in series) if len(series) > 1 else ()


def _series_chart(kind: str, name: str, x: Column, series: Sequence[Column], extra: Sequence[Column],
                  rows: Sequence[Sequence[Any]], options: dict[str, Any], kw: dict[str, Any]) -> Chart:
    """A chart of one or more coloured series over ``x``, rows ``(x, *series, *extra)``."""
    series = _coloured(series)
    kw.setdefault("legend", _legend(series))
    kw.setdefault("width", 640)
    kw.setdefault("height", 200)
    return Chart(name=name, columns=(x, *series, *extra), rows=rows, spec=_SPECS + kind,
                 options={"x": x.key, **options}, **kw)


def bar(name: str, *, x: Column, series: Sequence[Column], rows: Sequence[Sequence[Any]],
        extra: Sequence[Column] = (), stacked: bool = True, **kw: Any) -> Chart:
    """Bars per ``x``; rows are ``(x, *series, *extra)``. ``extra`` columns (a total, say)
    are in the table and the CSV but not drawn. ``kw``: title, description and the other
    :class:`Chart` fields."""
    return _series_chart("bar", name, x, series, extra, rows,
                         {"series": [c.key for c in series], "stacked": stacked}, kw)


def diverging_bar(name: str, *, x: Column, up: Column, down: Column, rows: Sequence[Sequence[Any]],
                  extra: Sequence[Column] = (), **kw: Any) -> Chart:
    """``up`` drawn above the zero line and ``down`` below it; rows are ``(x, up, down, *extra)``."""
    return _series_chart("diverging_bar", name, x, [up, down], extra, rows,
                         {"up": up.key, "down": down.key}, kw)


def line(name: str, *, x: Column, series: Sequence[Column], rows: Sequence[Sequence[Any]],
         extra: Sequence[Column] = (), points: bool = False, **kw: Any) -> Chart:
    """One line per series over a continuous ``x``; rows are ``(x, *series, *extra)``."""
    return _series_chart("line", name, x, series, extra, rows,
                         {"series": [c.key for c in series], "points": points}, kw)


def sparkline(name: str, *, title: str, description: str, x: Column, y: Column,
              rows: Sequence[Sequence[Any]], width: int = 150, height: int = 30, **kw: Any) -> Chart:
    """A word-sized trend without axes, drawn at its pixel size; rows are ``(x, y)``."""
    kw.setdefault("responsive", False)
    kw.setdefault("css_class", "spark")
    return Chart(name=name, title=title, description=description, columns=(x, y), rows=rows,
                 spec=_SPECS + "sparkline", options={"x": x.key, "y": y.key},
                 width=width, height=height, **kw)


def warm_up() -> None:
    """Start vl-convert's JavaScript engine (~0.5 s, once per process) and import Altair
    and the spec builders (~0.2 s) before the first page needs them: a server worker calls
    this after it forks, never the parent (the engine runs on a thread, and threads do not
    survive a fork). Both conversions a drawing uses (Vega-Lite → Vega once per chart
    shape, Vega → SVG per drawing) are run once, so neither pays its first-call cost on a
    page."""
    import vl_convert

    from . import specs  # noqa: F401 — imported for its cost: Altair

    vega = vl_convert.vegalite_to_vega(no_data_spec(Shape(columns=(), options={}, width=10, height=10)),
                                       vl_version=VEGALITE_VERSION)
    vl_convert.vega_to_svg(vega)
