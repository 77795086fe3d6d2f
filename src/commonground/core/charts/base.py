"""Declared charts: data, columns and a Vega-Lite spec, rendered on the server to SVG.

A chart is declared as a :class:`Chart`: the rows it shows (tuples aligned with its
columns, one row per x value), how to format each column, and a *spec builder* that turns
the chart's shape (columns, options, size; never its rows) into a Vega-Lite spec reading
the rows from the named dataset ``table``. Rendering (:meth:`Chart.render`) fills the
dataset, converts the spec to SVG with vl-convert (V8 inside the Python process: no
network, no JavaScript in the browser), makes the SVG an accessible image (role, title,
desc) and builds the data table. Every chart offers its rows as an HTML table and as CSV,
from the same rows, so what is drawn, tabled and downloaded never disagree.

Cost: building a spec with Altair takes ~10–20 ms, compiling it from Vega-Lite to Vega
2–7 ms and drawing it 2–12 ms (most of that is vl-convert measuring each axis label, about
0.3 ms a label), so
(1) a spec is built and compiled to Vega once per process per chart shape (the rows are
not part of it); a render only puts the rows into the compiled spec's dataset and draws;
(2) the rendered SVG and table are kept in Django's cache under a hash of spec and rows:
a repeated page view with the same figures renders nothing;
(3) a chart that differs on nearly every page view (one per person) can be declared
``image=True``: the page then shows an ``<img>`` of it (alt text: title and description;
the data table and CSV stay inline) and the browser fetches the SVG as its own request,
in parallel and off the page's critical path (see ``http.image_href`` and ``svg_for``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from django.core.cache import cache
from django.utils.html import escape, format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

DATASET = "table"  # the name spec builders read their rows from: alt.Data(name=DATASET)
CACHE_SECONDS = 24 * 3600  # the key is the content, so a long life is safe
VEGALITE_VERSION = "6.4"

# Series colours when a column names none; each meets 3:1 against the white panel.
DEFAULT_COLOURS = ("#0b5cad", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#0b7285",
                   "#975a16", "#9b2c2c", "#4a5568")

ColumnKind = Literal["text", "int", "decimal", "money", "percent", "date", "month"]


@dataclass(frozen=True)
class Column:
    """One column of a chart's rows: its key in the spec, its label, how it is formatted.

    ``kind`` decides the formatting: in the HTML table for people (``1,234``, ``1,234.50``,
    ``Jun 2025``), in the CSV for machines (``1234``, ``1234.50``, ``2025-06``), and the JSON
    value the spec sees (numbers as numbers, dates as ISO strings, read as UTC by specs).
    ``colour`` is used when the column is drawn as a series.
    """

    key: str
    label: str
    kind: ColumnKind = "int"
    places: int = 2  # decimals for "decimal", "money" and "percent"
    colour: str = ""

    def cell(self, value: Any) -> str:
        """The value as a person reads it in the table."""
        if value is None or value == "":
            return ""
        kind = self.kind
        if kind == "int":
            return f"{int(value):,}"
        if kind in ("decimal", "money"):
            return f"{Decimal(value):,.{self.places}f}"
        if kind == "percent":
            return f"{Decimal(value) * 100:,.{self.places}f}%"
        if kind == "month":
            return f"{value:%b %Y}"
        if kind == "date":
            return f"{value:%-d %b %Y}"
        return str(value)

    def csv(self, value: Any) -> str:
        """The value as a spreadsheet should read it: no separators, ISO dates."""
        if value is None or value == "":
            return ""
        kind = self.kind
        if kind == "int":
            return str(int(value))
        if kind in ("decimal", "money"):
            return f"{Decimal(value):.{self.places}f}"
        if kind == "percent":
            return f"{Decimal(value):.{self.places + 2}f}"
        if kind == "month":
            return f"{value:%Y-%m}"
        if kind == "date":
            return value.isoformat()
        text = str(value)
        # A cell starting like a formula runs as one in a spreadsheet: quote it.
        return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    def json(self, value: Any) -> Any:
        """The value in the spec's dataset."""
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return value


@dataclass(frozen=True)
class Shape:
    """What a spec builder may read: everything about the chart except its rows."""

    columns: tuple[Column, ...]
    options: Mapping[str, Any]
    width: int
    height: int

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SpecBuilder = Callable[[Shape], Any]  # returns an Altair chart or a Vega-Lite dict


@dataclass(frozen=True)
class Chart:
    """A declared chart. ``rows`` are tuples aligned with ``columns``; the first column is
    the row header of the data table (usually the x value).

    ``spec`` is a builder or the dotted path of one (a path keeps Altair unimported until a
    chart is actually drawn). ``options`` are JSON values the builder reads (which columns
    are series, stacking, …). ``csv_url`` is where "Download CSV" points; views fill it in
    with :func:`csv_href` unless the CSV is answered at another URL.
    """

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Sequence[Sequence[Any]]
    spec: str | SpecBuilder
    options: Mapping[str, Any] = field(default_factory=dict)
    width: int = 640
    height: int = 200
    responsive: bool = True  # scale to the container's width; False keeps the pixel size
    css_class: str = ""
    note: str = ""  # a short text shown beside the chart (not part of the image)
    # (label, colour) per series, shown as an HTML key above the chart: drawing the legend
    # inside the SVG doubled vl-convert's render time (text measuring).
    legend: tuple[tuple[str, str], ...] = ()
    csv_url: str = ""
    filename: str = ""
    # Drawn by a request of its own and shown as an <img> (see the module's docstring); its
    # SVG is then exactly width × height (Vega's "fit"), so the page can size the <img>
    # before it loads. ``image_url`` is where the page's <img> loads it from (views fill it
    # in with :func:`image_href`); without it the chart is drawn inline as any other.
    image: bool = False
    image_url: str = ""

    @property
    def shape(self) -> Shape:
        return Shape(columns=tuple(self.columns), options=self.options, width=self.width,
                     height=self.height)

    def with_csv_url(self, url: str) -> Chart:
        return replace(self, csv_url=url)

    def with_image_url(self, url: str) -> Chart:
        return replace(self, image_url=url)

    @property
    def alt(self) -> str:
        """The text an <img> of the chart carries: what its title and description say."""
        return f"{self.title.rstrip('.')}. {self.description}"

    def json_rows(self) -> list[dict[str, Any]]:
        cols = self.columns
        return [{c.key: c.json(v) for c, v in zip(cols, row, strict=True)} for row in self.rows]

    def csv(self) -> str:
        """The rows as CSV: a header of column labels, values formatted for machines."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.label for c in self.columns])
        for row in self.rows:
            writer.writerow([c.csv(v) for c, v in zip(self.columns, row, strict=True)])
        return out.getvalue()

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Column labels and the formatted cells of the data table."""
        return ([c.label for c in self.columns],
                [[c.cell(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows])

    @property
    def digest(self) -> str:
        """A hash of everything the drawing and the table show: spec, rows, formatting,
        texts. Equal digests, equal output; ``image_href`` puts it in the image's URL."""
        shape_key = _shape_key(self.shape)
        _, template_json = _spec_template(self.spec, shape_key, self.image)
        # The table's cells come from the raw rows and the columns' formatting, so both are
        # in the key along with the spec; str() keeps Decimal and date values exact.
        rows_json = json.dumps(self.rows, separators=(",", ":"), default=str)
        return hashlib.sha256("\x1f".join(
            (template_json, shape_key, rows_json, self.name, self.title, self.description,
             str(self.responsive))).encode()).hexdigest()

    def render(self) -> RenderedChart:
        """SVG and data table, from the cache when this spec has been drawn with these rows.
        A chart with an ``image_url`` is not drawn here: the page shows an <img> of it."""
        key = f"chart:{self.digest}"
        if self.image_url:
            table = cache.get(key + ":table")
            if table is None:
                table = _table_html(self)
                cache.set(key + ":table", table, CACHE_SECONDS)
            return RenderedChart(chart=self, svg=SafeString(""), table_html=SafeString(table))
        parts = cache.get(key)
        if parts is None:
            parts = (self._draw(standalone=False), _table_html(self))
            cache.set(key, parts, CACHE_SECONDS)
        return RenderedChart(chart=self, svg=SafeString(parts[0]), table_html=SafeString(parts[1]))

    def image_svg(self) -> str:
        """The chart as an SVG document of its own (what an <img> of it loads), cached."""
        key = f"chart:{self.digest}:image"
        svg = cache.get(key)
        if svg is None:
            svg = self._draw(standalone=True)
            cache.set(key, svg, CACHE_SECONDS)
        return svg

    def _draw(self, *, standalone: bool) -> str:
        vega, index = _vega_template(self.spec, _shape_key(self.shape), self.image)
        return _draw(self, vega, index, self.json_rows(), standalone=standalone)


@dataclass(frozen=True)
class RenderedChart:
    """What the ``core/_chart.html`` include shows: the SVG, the data table, the CSV link."""

    chart: Chart
    svg: SafeString
    table_html: SafeString

    # The declared chart's own fields and texts, read through as if they were this one's.
    FROM_CHART = frozenset({"name", "title", "description", "csv_url", "css_class", "note", "legend",
                            "image_url", "alt", "width", "height", "responsive"})

    def __getattr__(self, name: str) -> Any:
        if name in RenderedChart.FROM_CHART:
            return getattr(self.chart, name)
        raise AttributeError(name)

    @property
    def table(self) -> tuple[list[str], list[list[str]]]:
        return self.chart.table()

    def csv(self) -> str:
        return self.chart.csv()


# ---------------------------------------------------------------- specs


def _shape_key(shape: Shape) -> str:
    return json.dumps({"columns": [c.__dict__ for c in shape.columns], "options": shape.options,
                       "width": shape.width, "height": shape.height}, sort_keys=True, default=str)


# Vega's "fit": the whole drawing, axes included, is exactly the declared width × height.
FIT = {"type": "fit", "contains": "padding"}


@lru_cache(maxsize=256)
def _spec_template(spec: str | SpecBuilder, shape_key: str,
                   fit: bool = False) -> tuple[dict[str, Any], str]:
    """The builder's spec for one shape, built once per process (Altair costs ~10–20 ms)."""
    builder = import_string(spec) if isinstance(spec, str) else spec
    raw = json.loads(shape_key)
    shape = Shape(columns=tuple(Column(**c) for c in raw["columns"]), options=raw["options"],
                  width=raw["width"], height=raw["height"])
    built = builder(shape)
    spec_dict = built if isinstance(built, dict) else built.to_dict(validate=False)
    spec_dict = {**spec_dict, "config": _merged(THEME, spec_dict.get("config", {}))}
    if fit:
        spec_dict["autosize"] = FIT
    spec_dict.pop("datasets", None)
    return spec_dict, json.dumps(spec_dict, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=256)
def _vega_template(spec: str | SpecBuilder, shape_key: str,
                   fit: bool = False) -> tuple[dict[str, Any], int | None]:
    """The shape's spec compiled to Vega once per process (2–7 ms a compile, which every
    drawing paid before), and the index of the Vega dataset the rows go into (None when
    the builder reads no rows from ``DATASET``: then each drawing compiles its own)."""
    import vl_convert  # imported here: only drawing needs the V8 engine

    template, _ = _spec_template(spec, shape_key, fit)
    vega = vl_convert.vegalite_to_vega({**template, "datasets": {DATASET: []}},
                                       vl_version=VEGALITE_VERSION)
    index = next((i for i, d in enumerate(vega.get("data", ()))
                  if d.get("name") == DATASET and "values" in d), None)
    return (vega if index is not None else template), index


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``, nested dictionaries merged key by key."""
    out = dict(base)
    for key, value in over.items():
        out[key] = (_merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict)
                    else value)
    return out


# One look for every chart: the app's text colour and font, no background (the page's
# panel shows through), and no ARIA inside the SVG: the whole SVG is one image with a
# title and a description, and the figures are in the data table beside it.
THEME: dict[str, Any] = {
    "aria": False,
    "background": "transparent",
    "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelColor": "#4a5560", "titleColor": "#4a5560", "domainColor": "#4a5560",
             "tickColor": "#4a5560", "gridColor": "#e3e7eb", "labelFontSize": 11},
    "legend": {"labelColor": "#1b1f24", "titleColor": "#4a5560", "labelFontSize": 12},
}


def no_data_spec(shape: Shape, text: str = "No data to show") -> dict[str, Any]:
    """A chart of the same size that says there is nothing to draw."""
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": shape.width, "height": shape.height, "data": {"values": [{}]},
            "mark": {"type": "text", "fontSize": 13, "color": "#4a5560"},
            "encoding": {"text": {"value": text}}, "config": THEME}


_ROOT = re.compile(r'^<svg\b[^>]*?\swidth="([\d.]+)" height="([\d.]+)" viewBox="([^"]+)"[^>]*>')
# Vega gives its mark groups roles (graphics-object, graphics-symbol) even with aria off; inside
# one role="img" they are noise that screen readers skip and axe flags (svg-img-alt), so they go.
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def _draw(chart: Chart, compiled: dict[str, Any], index: int | None, rows: list[dict[str, Any]],
          *, standalone: bool) -> str:
    """Render through vl-convert and make the root an accessible image. ``compiled`` is the
    shape's Vega spec with the rows to go into its dataset ``index`` (or, where ``index`` is
    None, the Vega-Lite spec). ``standalone``: an SVG document of its own, at its pixel size."""
    import vl_convert  # imported here: only a cache miss needs the V8 engine

    if not rows:
        empty = no_data_spec(chart.shape)
        if chart.image:
            empty["autosize"] = FIT
        svg = vl_convert.vegalite_to_svg(empty, vl_version=VEGALITE_VERSION)
    elif index is None:
        svg = vl_convert.vegalite_to_svg({**compiled, "datasets": {DATASET: rows}},
                                         vl_version=VEGALITE_VERSION)
    else:
        data = list(compiled["data"])  # a copy: the compiled spec is shared by every drawing
        data[index] = {**data[index], "values": rows}
        svg = vl_convert.vega_to_svg({**compiled, "data": data})
    match = _ROOT.match(svg)
    if match is None:  # vl-convert changed its root element: fail loudly in tests
        raise ValueError("Unexpected SVG root from vl-convert")
    width, height, view_box = match.groups()
    ident = f"chart-{chart.name}"
    size = "" if chart.responsive and not standalone else f' width="{width}" height="{height}"'
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="{view_box}"{size} '
            f'role="img" aria-labelledby="{ident}-t {ident}-d" preserveAspectRatio="xMidYMid meet">'
            f'<title id="{ident}-t">{escape(chart.title)}</title>'
            f'<desc id="{ident}-d">{escape(chart.description)}</desc>')
    return root + _INNER_ARIA.sub("", svg[match.end():])


def _table_html(chart: Chart) -> str:
    labels, cells = chart.table()
    numeric = [c.kind not in ("text", "date", "month") for c in chart.columns]
    head = format_html_join("", '<th scope="col"{}>{}</th>',
                            ((mark_safe(' class="num"') if n else "", label)
                             for label, n in zip(labels, numeric, strict=True)))
    if not cells:
        body = format_html('<tr><td colspan="{}" class="muted">No data</td></tr>', len(labels))
    else:
        body = format_html_join("", "<tr>{}</tr>", (
            (format_html_join("", "{}", (
                (format_html('<th scope="row">{}</th>', v) if i == 0 else
                 format_html('<td class="num">{}</td>', v) if numeric[i] else
                 format_html("<td>{}</td>", v),)
                for i, v in enumerate(row))),)
            for row in cells))
    return format_html('<table class="chart-table"><caption class="visually-hidden">{}</caption>'
                       "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
                       chart.title, head, body)
