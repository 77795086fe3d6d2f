"""The built-in spec builders, with Altair. Each takes a :class:`Shape` (never rows) and
returns a chart reading its rows from the named dataset; see ``base`` for the contract.

Conventions, so that charts look alike: dates reach the spec as ISO strings and are read
as UTC (``utc…`` time units), so the server's time zone can never move a month; several
series are folded from the wide rows into (series, value) inside the spec, so the rows
stay exactly what the data table and the CSV show; colours come from the columns. Legends
are HTML beside the SVG (``Chart.legend``), not drawn by Vega: that halves a render.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt

from .base import DATASET, DEFAULT_COLOURS, Column, Shape

SERIES, VALUE = "__series", "__value"
TIME_UNITS = {"month": "utcyearmonth", "date": "utcyearmonthdate"}
# Month ticks read "Jan 2025" in January and on the first bar, the bare month elsewhere.
MONTH_LABELS = ("utcFormat(datum.value, '%m') === '01' || datum.index === 0 ? "
                "utcFormat(datum.value, '%b %Y') : utcFormat(datum.value, '%b')")


def _base(shape: Shape) -> alt.Chart:
    return alt.Chart(alt.Data(name=DATASET)).properties(width=shape.width, height=shape.height)


def _x(column: Column, *, band: bool = True, axis: bool = True) -> alt.X:
    """The x channel: one band per row for bars, a continuous scale for lines."""
    if not axis:
        axis_def: Any = None
    elif column.kind == "month":
        axis_def = alt.Axis(labelExpr=MONTH_LABELS, labelAngle=0, title=None, ticks=False,
                            labelOverlap="greedy")
    else:
        axis_def = alt.Axis(labelAngle=0, title=None, labelOverlap="greedy")
    if column.kind in TIME_UNITS and not band and axis_def is not None:
        axis_def = alt.Axis(labelAngle=0, title=None, labelOverlap="greedy",
                            format="%-d %b" if column.kind == "date" else "%b %Y")
    if column.kind in TIME_UNITS:
        return alt.X(column.key, type="ordinal" if band else "temporal",
                     timeUnit=TIME_UNITS[column.kind], axis=axis_def)
    if column.kind == "text":
        return alt.X(column.key, type="nominal", sort=None, axis=axis_def)
    return alt.X(column.key, type="ordinal" if band else "quantitative", axis=axis_def)


def _colours(series: list[Column]) -> alt.Scale:
    return alt.Scale(domain=[c.label for c in series],
                     range=[c.colour or DEFAULT_COLOURS[i % len(DEFAULT_COLOURS)]
                            for i, c in enumerate(series)])


def _fold(chart: alt.Chart, series: list[Column]) -> alt.Chart:
    """Wide rows → (series label, value) pairs, labels instead of keys for the legend."""
    chart = chart.transform_fold([c.key for c in series], as_=[SERIES, VALUE])
    labels = {c.key: c.label for c in series}
    return chart.transform_calculate(**{SERIES: f"{json.dumps(labels)}[datum['{SERIES}']]"})


def _series(shape: Shape) -> list[Column]:
    return [shape.column(k) for k in shape.options["series"]]


def bar(shape: Shape) -> alt.Chart:
    """Bars per x value; several series stack (``stacked``) or stand side by side."""
    x = shape.column(shape.options["x"])
    series = _series(shape)
    stacked = shape.options.get("stacked", True)
    encoding: dict[str, Any] = {
        "x": _x(x),
        "y": alt.Y(VALUE, type="quantitative", stack="zero" if stacked else None,
                   axis=alt.Axis(title=None, tickMinStep=1, format="~s"), title=None),
        "color": alt.Color(SERIES, type="nominal", scale=_colours(series), legend=None,
                           sort=[c.label for c in series]),
        "order": alt.Order(f"{SERIES}_rank:Q"),
    }
    if not stacked and len(series) > 1:
        encoding["xOffset"] = alt.XOffset(SERIES, type="nominal", sort=[c.label for c in series])
    ranks = {c.label: i for i, c in enumerate(series)}
    chart = _fold(_base(shape), series).transform_calculate(
        **{f"{SERIES}_rank": f"{json.dumps(ranks)}[datum['{SERIES}']]"})
    return chart.mark_bar().encode(**encoding)


def diverging_bar(shape: Shape) -> alt.LayerChart:
    """Two series per x value: ``up`` above the zero line, ``down`` below it (joins and
    lapses, income and spending). The axis shows magnitudes on both sides."""
    x = shape.column(shape.options["x"])
    up, down = shape.column(shape.options["up"]), shape.column(shape.options["down"])
    chart = _fold(_base(shape), [up, down]).transform_calculate(
        signed=f"datum['{SERIES}'] === {json.dumps(down.label)} ? -datum['{VALUE}'] : datum['{VALUE}']")
    bars = chart.mark_bar().encode(
        x=_x(x),
        y=alt.Y("signed", type="quantitative", title=None,
                axis=alt.Axis(title=None, tickMinStep=1, labelExpr="format(abs(datum.value), '~s')")),
        color=alt.Color(SERIES, type="nominal", scale=_colours([up, down]),
                        legend=None, sort=[up.label, down.label]))
    zero = alt.Chart().mark_rule(color="#4a5560").encode(y=alt.datum(0))
    return alt.layer(bars, zero, data=alt.Data(name=DATASET)).properties(
        width=shape.width, height=shape.height)


def line(shape: Shape) -> alt.Chart:
    """One line per series over a continuous x (dates, numbers); ``points`` marks each row."""
    x = shape.column(shape.options["x"])
    series = _series(shape)
    return _fold(_base(shape), series).mark_line(
        point=bool(shape.options.get("points")), interpolate="monotone").encode(
        x=_x(x, band=False),
        y=alt.Y(VALUE, type="quantitative", axis=alt.Axis(title=None, format="~s"), title=None),
        color=alt.Color(SERIES, type="nominal", scale=_colours(series), legend=None,
                        sort=[c.label for c in series]))


def sparkline(shape: Shape) -> alt.LayerChart:
    """A small line with the area under it and a dot on the latest value; no axes."""
    x, y = shape.column(shape.options["x"]), shape.column(shape.options["y"])
    colour = y.colour or DEFAULT_COLOURS[0]
    enc = {"x": _x(x, band=False, axis=False),
           "y": alt.Y(y.key, type="quantitative", axis=None, scale=alt.Scale(zero=True))}
    area = alt.Chart().mark_area(color="#dbe8f6").encode(**enc)
    trace = alt.Chart().mark_line(color=colour, strokeWidth=1.5).encode(**enc)
    last = (alt.Chart().transform_window(rank="row_number()", sort=[alt.SortField(x.key, "descending")])
            .transform_filter("datum.rank === 1").mark_circle(color=colour, size=16, opacity=1)
            .encode(**enc))
    return alt.layer(area, trace, last, data=alt.Data(name=DATASET)).properties(
        width=shape.width, height=shape.height, padding=2)
