"""Spec builders of the dashboards' own charts (see ``core.charts``: a builder takes the
chart's shape, never its rows, and reads the rows from the named dataset)."""

from __future__ import annotations

import altair as alt

from commonground.core.charts import DATASET, Shape


def quadrant(shape: Shape) -> alt.LayerChart:
    """Members binned by two 0–100 sub-scores: one circle per occupied cell, its area the
    number of members, with lines at ``split`` dividing the four quadrants.

    Rows: (x band start, y band start, members); ``band`` is the cell width, so a circle sits
    in the middle of its cell."""
    o = shape.options
    band, split = float(o["band"]), float(o["split"])
    x, y, n = o["x"], o["y"], o["n"]
    scale = alt.Scale(domain=[0, 100], nice=False)
    cells = alt.Chart().transform_calculate(
        cx=f"datum['{x}'] + {band / 2}", cy=f"datum['{y}'] + {band / 2}").mark_circle(
        color=o.get("colour", "#0b5cad"), opacity=0.75, stroke="#1a202c", strokeWidth=0.5).encode(
        x=alt.X("cx:Q", scale=scale, title=o.get("x_title", shape.column(x).label),
                axis=alt.Axis(values=list(range(0, 101, int(band))))),
        y=alt.Y("cy:Q", scale=scale, title=o.get("y_title", shape.column(y).label),
                axis=alt.Axis(values=list(range(0, 101, int(band))))),
        size=alt.Size(f"{n}:Q", legend=None, scale=alt.Scale(range=[30, 1800])))
    vertical = alt.Chart().mark_rule(color="#4a5560", strokeDash=[4, 3]).encode(x=alt.datum(split))
    horizontal = alt.Chart().mark_rule(color="#4a5560", strokeDash=[4, 3]).encode(y=alt.datum(split))
    return alt.layer(cells, vertical, horizontal, data=alt.Data(name=DATASET)).properties(
        width=shape.width, height=shape.height)
