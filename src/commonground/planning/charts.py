"""The plan's charts, declared through ``core.charts`` (accessible SVG + data table + CSV):
an objective's burn-up (the actual from its snapshots against the straight line to the
target) and the word-sized sparkline of it on the plan page."""

from __future__ import annotations

from decimal import Decimal

from commonground.core import charts

from .selectors import ObjectiveDetail, ObjectiveNode

ACTUAL, PACE = "#0b5cad", "#4a5568"


def _kind(node_metric) -> str:
    return "money" if node_metric is not None and node_metric.unit == "money" else "decimal"


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "no value yet"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def spark_chart(node: ObjectiveNode) -> charts.Chart:
    """The objective's value week by week, as an image the page loads on its own (the plan
    page's HTML then pays nothing for thirty drawings)."""
    o, rows = node.objective, node.spark
    return charts.sparkline(
        f"objective-{o.pk}-trend", title=f"Trend of {o.title}",
        description=(f"Weekly values since {rows[0][0]:%-d %b %Y}, now {_fmt(o.current_value)} "
                     f"against a target of {_fmt(o.target)} by {o.deadline:%-d %b %Y}."
                     if rows else "No values computed yet."),
        x=charts.Column("day", "Day", "date"),
        y=charts.Column("value", o.title[:60], _kind(node.metric), places=2, colour=ACTUAL),
        rows=rows, width=120, height=28, image=True,
        filename=f"objective-{o.pk}-trend.csv")


def burnup_chart(detail: ObjectiveDetail) -> charts.Chart:
    """Actual against the pace that reaches the target on the deadline."""
    o, p = detail.objective, detail.progress
    kind = _kind(detail.node.metric)
    verb = "reach" if o.direction == "up" else "come down to"
    desc = (f"From {_fmt(o.baseline)} on {o.starts_on:%-d %b %Y} to {verb} {_fmt(o.target)} "
            f"by {o.deadline:%-d %b %Y}; now {_fmt(o.current_value)}"
            f"{f' on {o.current_on:%-d %b %Y}' if o.current_on else ''}, "
            f"where the pace line is at {_fmt(p.expected)}: {p.label.lower()}.")
    return charts.line(
        f"objective-{o.pk}-burnup", title=f"Burn-up of {o.title}", description=desc,
        x=charts.Column("day", "Day", "date"),
        series=[charts.Column("actual", "Actual", kind, colour=ACTUAL),
                charts.Column("pace", "Pace to the target", kind, colour=PACE)],
        rows=detail.burnup_rows(), height=240, filename=f"objective-{o.pk}-burnup.csv")
