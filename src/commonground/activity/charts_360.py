"""Geometry for the Member 360 inline SVGs, computed on the server (no chart library, no JS)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def stacked_months(categories: list[dict[str, Any]], months: Sequence[date], *,
                   width: int = 640, height: int = 190) -> dict[str, Any]:
    """Bars per month, stacked by category (``categories[i]["monthly"]`` aligned with months)."""
    top, bottom, left, right = 12, 34, 36, 6
    plot_h = height - top - bottom
    totals = [sum(c["monthly"][i] for c in categories) for i in range(len(months))]
    peak = max([1, *totals])
    step = (width - left - right) / max(len(months), 1)
    bar_w = max(step * 0.68, 2)
    base_y = top + plot_h
    bars = []
    for i, month in enumerate(months):
        x = left + i * step + (step - bar_w) / 2
        y = base_y
        segments = []
        for c in categories:
            n = c["monthly"][i]
            if not n:
                continue
            h = n / peak * plot_h
            y -= h
            segments.append({"y": round(y, 1), "h": round(h, 1), "colour": c["colour"],
                             "label": c["label"], "n": n})
        bars.append({"x": round(x, 1), "w": round(bar_w, 1), "month": month, "total": totals[i],
                     "segments": segments, "tx": round(x + bar_w / 2, 1),
                     "label": month.strftime("%b"),
                     "year": month.year if month.month == 1 or i == 0 else ""})
    chart = {"width": width, "height": height, "left": left, "top_y": top, "base_y": base_y,
             "peak": peak, "bars": bars, "label_y": base_y + 14, "year_y": base_y + 27,
             "total": sum(totals)}
    chart["bars_svg"] = _bars_svg(chart)
    return chart


def _bars_svg(chart: dict[str, Any]) -> SafeString:
    """The bars as SVG markup, built here: a template loop over ~100 rectangles costs more
    than the database work behind them."""
    parts = []
    for b in chart["bars"]:
        month = f"{b['month']:%B %Y}"
        rects = format_html_join(
            "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} — {}: {}</title></rect>',
            ((b["x"], s["y"], b["w"], s["h"], s["colour"], month, s["label"], s["n"])
             for s in b["segments"]))
        year = (format_html('<text x="{}" y="{}" class="tick year" text-anchor="middle">{}</text>',
                            b["tx"], chart["year_y"], b["year"]) if b["year"] else "")
        parts.append(format_html(
            '<g><title>{}: {} activities</title>{}<text x="{}" y="{}" class="tick" '
            'text-anchor="middle">{}</text>{}</g>',
            month, b["total"], rects, b["tx"], chart["label_y"], b["label"], year))
    return SafeString("".join(parts))


def sparkline(values: Sequence[int], *, width: int = 150, height: int = 30) -> dict[str, Any]:
    """A polyline through ``values`` (oldest first), with the area under it."""
    n = len(values)
    peak = max([1, *values])
    step = width / max(n - 1, 1)
    pad = 2
    pts = [(round(i * step, 1), round(height - pad - v / peak * (height - 2 * pad), 1))
           for i, v in enumerate(values)]
    line = " ".join(f"{x},{y}" for x, y in pts)
    area = f"0,{height} {line} {pts[-1][0] if pts else 0},{height}"
    last = pts[-1] if pts else (0, height)
    return {"width": width, "height": height, "points": line, "area": area,
            "last_x": last[0], "last_y": last[1], "peak": max(values) if values else 0,
            "total": sum(values)}
