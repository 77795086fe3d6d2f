"""The balance page's charts, through ``core.charts``: one chart per side (two charts
side by side, never one combined figure) and the offerings on both axes with the four
quadrants named, each with its data table and CSV.

Several metrics on one side usually have different units (people, money, actions), so
when a side shows more than one they are drawn as an index (100 = the metric's own
average over the window) to share an axis; the raw values are in the table and the CSV.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commonground.core import charts

from .selectors import QUADRANTS, BalanceView, MetricSeries

SIDE_COLOURS = {"mission": ("#2f855a", "#276749", "#38a169", "#22543d", "#68d391", "#1c4532"),
                "business": ("#0b5cad", "#6b46c1", "#0b7285", "#2c5282", "#805ad5", "#2a4365")}
OFFERING_SIDES = (("mission", "Mission-side offering", "#2f855a"),
                  ("business", "Business-side offering", "#0b5cad"),
                  ("both", "Both sides", "#975a16"))
UNIT_KIND = {"money": "money", "count": "int", "percent": "decimal", "score": "decimal"}


def _index(value: Decimal | None, average: Decimal | None) -> Decimal | None:
    if value is None or not average:
        return None
    return (value / average * 100).quantize(Decimal("0.1"))


def side_chart(view: BalanceView, side: str) -> charts.Chart:
    series: list[MetricSeries] = view.sides[side]
    title = view.side_label(side)
    x = charts.Column("month", "Month", "month")
    raw = [charts.Column(s.key, s.label, UNIT_KIND.get(s.unit, "decimal"),
                         places=2 if s.unit == "money" else 1) for s in series]
    colours = SIDE_COLOURS[side]
    indexed = len(series) > 1
    if indexed:
        drawn = [charts.Column(f"{s.key}_i", f"{s.label} (index)", "decimal", places=1,
                               colour=colours[i % len(colours)]) for i, s in enumerate(series)]
        rows = [(p.start, *(_index(s.values[i], s.average) for s in series),
                 *(s.values[i] for s in series)) for i, p in enumerate(view.months)]
        how = ("each metric as an index, 100 being its own average over the months shown "
               "(the values themselves are in the data table)")
    else:
        drawn = [charts.Column(c.key, c.label, c.kind, places=c.places,
                               colour=colours[0]) for c in raw]
        raw = []
        rows = [(p.start, *(s.values[i] for s in series)) for i, p in enumerate(view.months)]
        how = "the metric's value per month"
    if not any(v is not None for r in rows for v in r[1:]):
        rows = []
    names = ", ".join(s.label for s in series) or "no metrics chosen"
    return charts.line(
        side, title=title,
        description=(f"{title} per month from {view.months[0].label} to {view.months[-1].label}: "
                     f"{how}. Metrics: {names}. Shown beside the other side, never added to it."),
        x=x, series=drawn, extra=raw, rows=rows, points=True, width=440, height=220,
        filename=f"balance-{side}.csv")


def offerings_chart(view: BalanceView) -> charts.Chart:
    economic = ("Margin (revenue − recorded cost)" if view.economic == "margin"
                else "Revenue")
    rows = [(o.offering.name, o.reach, o.economic(view.economic), o.offering.side, o.quadrant,
             o.contributions, o.revenue, o.cost if o.has_cost else None, o.margin)
            for o in view.offerings]
    paradox = ", ".join(o.offering.name for o in view.paradox) or "none"
    return charts.Chart(
        name="offerings", title="Offerings on both axes",
        description=(f"Each offering in {_period_words(view)}: social reach (distinct people "
                     "with activity on it) across, "
                     f"{economic.lower()} up. The dashed lines are the medians; the lower right "
                     f"quadrant is the seed's paradox, high social imprint with low economic "
                     f"productivity ({paradox})."),
        columns=(charts.Column("offering", "Offering", "text"),
                 charts.Column("reach", "Social reach (people)"),
                 charts.Column("economic", economic, "money"),
                 charts.Column("side", "Offering's side", "text"),
                 charts.Column("quadrant", "Quadrant", "text"),
                 charts.Column("contributions", "Value-created contributions"),
                 charts.Column("revenue", "Revenue", "money"),
                 charts.Column("cost", "Recorded cost", "money"),
                 charts.Column("margin", "Margin", "money")),
        rows=rows, spec="commonground.planning.balance.charts.quadrant_spec",
        options={"economic_title": economic}, width=900, height=360,
        legend=tuple((label, colour) for _k, label, colour in OFFERING_SIDES),
        filename="balance-offerings.csv")


def _period_words(view: BalanceView) -> str:
    if view.period in view.months:
        return view.period.label
    return f"{view.period.start:%-d %b %Y} to {view.period.end:%-d %b %Y}"


def page_charts(view: BalanceView) -> list[charts.Chart]:
    return [side_chart(view, "mission"), side_chart(view, "business"), offerings_chart(view)]


def quadrant_spec(shape: charts.Shape) -> Any:
    """Points at (reach, economic figure) coloured by the offering's side, labelled with
    the offering's name, dashed median lines and the four quadrants named in the corners."""
    import altair as alt  # imported here: only drawing a chart needs Altair

    base = alt.Chart()
    x = alt.X("reach", type="quantitative", title="Social reach (people)",
              scale=alt.Scale(zero=True, nice=True), axis=alt.Axis(format="~s"))
    y = alt.Y("economic", type="quantitative", title=shape.options["economic_title"],
              scale=alt.Scale(zero=True, nice=True), axis=alt.Axis(format="~s"))
    colour = alt.Color("side", type="nominal", legend=None,
                       scale=alt.Scale(domain=[k for k, _l, _c in OFFERING_SIDES],
                                       range=[c for _k, _l, c in OFFERING_SIDES]))
    points = base.mark_circle(size=90, opacity=0.9).encode(x=x, y=y, color=colour)
    names = base.mark_text(align="left", dx=7, fontSize=10, color="#1b1f24").encode(
        x=x, y=y, text=alt.Text("offering", type="nominal"))
    rule = {"strokeDash": [4, 3], "color": "#4a5560"}
    # Distinct names: Vega-Lite shares a scale's domain across layers by field name.
    across = base.transform_aggregate(median_reach="median(reach)").mark_rule(**rule).encode(
        x=alt.X("median_reach", type="quantitative"))
    up = base.transform_aggregate(median_economic="median(economic)").mark_rule(**rule).encode(
        y=alt.Y("median_economic", type="quantitative"))
    one = base.transform_aggregate(n="count()")
    corners = [
        (QUADRANTS[(False, True)], 6, 12, "left", "#4a5560"),
        (QUADRANTS[(True, True)], shape.width - 6, 12, "right", "#4a5560"),
        (QUADRANTS[(False, False)], 6, shape.height - 8, "left", "#4a5560"),
        (QUADRANTS[(True, False)], shape.width - 6, shape.height - 8, "right", "#9b2c2c"),
    ]
    texts = [one.mark_text(align=align, fontSize=11, fontWeight="bold", color=c).encode(
        x=alt.value(px), y=alt.value(py), text=alt.value(label))
        for label, px, py, align, c in corners]
    return alt.layer(points, names, across, up, *texts, data=alt.Data(name=charts.DATASET)) \
        .properties(width=shape.width, height=shape.height)
