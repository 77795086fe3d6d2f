"""The charts module: a declared chart renders to an accessible SVG on the server, and its
table and CSV carry exactly the rows it was given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from commonground.core import charts
from commonground.core.charts import Column

MONTHS = [date(2025, m, 1) for m in range(1, 7)]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


def joins(rows=None, **kw) -> charts.Chart:
    return charts.diverging_bar(
        "joins", title="Joins & lapses <per month>", description="Joins up, lapses down.",
        x=Column("month", "Month", "month"), up=Column("joined", "Joined", colour="#2e7d4f"),
        down=Column("lapsed", "Lapsed", colour="#c0392b"),
        rows=[(m, 1000 + i, i) for i, m in enumerate(MONTHS)] if rows is None else rows, **kw)


def test_svg_is_an_accessible_image_with_title_and_description():
    svg = str(joins().render().svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="')
    assert 'role="img" aria-labelledby="chart-joins-t chart-joins-d"' in svg
    assert '<title id="chart-joins-t">Joins &amp; lapses &lt;per month&gt;</title>' in svg
    assert '<desc id="chart-joins-d">Joins up, lapses down.</desc>' in svg
    assert svg.count("<svg") == 1 and svg.endswith("</svg>")
    assert "<rect" in svg or "<path" in svg  # marks were drawn
    assert 'width="' not in svg.split(">", 1)[0]  # scales with its container
    assert "Jan 2025" in svg  # axis labels are text
    # The key is HTML beside the image (cheaper to render than a Vega legend).
    assert joins().render().legend == (("Joined", "#2e7d4f"), ("Lapsed", "#c0392b"))


def test_table_and_csv_carry_the_exact_rows():
    chart = joins()
    labels, cells = chart.table()
    assert labels == ["Month", "Joined", "Lapsed"]
    assert cells[0] == ["Jan 2025", "1,000", "0"] and cells[-1] == ["Jun 2025", "1,005", "5"]
    lines = chart.csv().splitlines()
    assert lines[0] == "Month,Joined,Lapsed"
    assert lines[1:] == [f"2025-{i + 1:02d},{1000 + i},{i}" for i in range(6)]
    html = str(chart.render().table_html)
    assert '<th scope="col">Month</th><th scope="col" class="num">Joined</th>' in html
    assert '<tr><th scope="row">Jan 2025</th><td class="num">1,000</td><td class="num">0</td></tr>' in html
    assert '<caption class="visually-hidden">Joins &amp; lapses &lt;per month&gt;</caption>' in html


def test_money_decimals_percent_dates_and_text_are_formatted_for_people_and_machines():
    chart = charts.bar(
        "money", title="Income", description="d", x=Column("day", "Day", "date"),
        series=[Column("amount", "Amount", "money")],
        extra=[Column("rate", "Rate", "percent", places=1), Column("score", "Score", "decimal", places=3),
               Column("who", "Who", "text")],
        rows=[(date(2025, 6, 3), Decimal("1234.5"), Decimal("0.125"), 2.5, "=SUM(A1)"),
              (date(2025, 6, 4), None, Decimal("1"), Decimal("0.0004"), "Zoë")])
    assert chart.table()[1] == [["3 Jun 2025", "1,234.50", "12.5%", "2.500", "=SUM(A1)"],
                                ["4 Jun 2025", "", "100.0%", "0.000", "Zoë"]]
    assert chart.csv().splitlines() == ["Day,Amount,Rate,Score,Who",
                                        "2025-06-03,1234.50,0.125,2.500,'=SUM(A1)",
                                        "2025-06-04,,1.000,0.000,Zoë"]
    assert chart.json_rows()[0] == {"day": "2025-06-03", "amount": 1234.5, "rate": 0.125,
                                    "score": 2.5, "who": "=SUM(A1)"}
    assert "<svg" in chart.render().svg  # None in a series is drawn as a gap, not an error


def test_empty_data_renders_a_no_data_chart_and_table():
    rendered = joins(rows=[]).render()
    assert "No data to show" in rendered.svg and 'role="img"' in rendered.svg
    assert '<td colspan="3" class="muted">No data</td>' in rendered.table_html
    assert rendered.csv() == "Month,Joined,Lapsed\r\n"


def test_all_zero_rows_still_draw_axes():
    svg = joins(rows=[(m, 0, 0) for m in MONTHS]).render().svg
    assert "No data to show" not in svg and "Jan 2025" in svg


@pytest.mark.parametrize("make", [
    lambda: charts.bar("b", title="t", description="d", x=Column("m", "M", "month"),
                       series=[Column("a", "A"), Column("b", "B")], rows=[(MONTHS[0], 1, 2)],
                       stacked=False),
    lambda: charts.line("l", title="t", description="d", x=Column("d", "D", "date"),
                        series=[Column("a", "A", "decimal")], rows=[(MONTHS[0], 1.5), (MONTHS[1], 2)],
                        points=True),
    lambda: charts.bar("c", title="t", description="d", x=Column("k", "Kind", "text"),
                       series=[Column("n", "N")], rows=[("Email", 3), ("Web", 5)]),
])
def test_every_kind_renders(make):
    rendered = make().render()
    assert 'role="img"' in rendered.svg and "<title" in rendered.svg


def test_sparkline_keeps_its_pixel_size():
    spark = charts.sparkline("s", title="Rows per day", description="d",
                             x=Column("day", "Day", "date"), y=Column("n", "Rows"),
                             rows=[(date(2025, 6, d), d) for d in range(1, 31)]).render()
    root = spark.svg.split(">", 1)[0]
    assert 'width="' in root and 'height="' in root and spark.css_class == "spark"


def test_identical_charts_render_once(monkeypatch):
    import vl_convert

    calls = []
    # A drawing is a Vega → SVG call (the spec is compiled from Vega-Lite once per shape).
    real = vl_convert.vega_to_svg
    monkeypatch.setattr(vl_convert, "vega_to_svg", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = joins().render()
    assert joins().render().svg == first.svg and len(calls) == 1
    joins(rows=[(MONTHS[0], 1, 1)]).render()  # other figures, another drawing
    assert len(calls) == 2


def test_csv_mechanism(rf: RequestFactory):
    chart = joins()
    assert charts.csv_for(rf.get("/a/x/"), [chart]) is None
    request = rf.get("/a/x/", {"status": "active", "format": "csv", "chart": "joins"})
    assert charts.csv_href(request, "joins") == "/a/x/?status=active&format=csv&chart=joins"
    assert charts.csv_href(request, "joins", path="/b/") == "/b/?format=csv&chart=joins"
    response = charts.csv_for(request, [chart])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="joins.csv"'
    assert response.content.decode("utf-8-sig") == chart.csv()
    from django.http import Http404

    with pytest.raises(Http404):
        charts.csv_for(rf.get("/a/x/", {"format": "csv", "chart": "other"}), [chart])


def test_a_page_can_declare_its_own_spec_builder():
    def funnel(shape):
        import altair as alt

        return (alt.Chart(alt.Data(name=charts.DATASET)).mark_bar()
                .encode(y=alt.Y("stage:N", sort=None), x="people:Q")
                .properties(width=shape.width, height=shape.height))

    chart = charts.Chart(name="funnel", title="Funnel", description="From visit to member.",
                         columns=(Column("stage", "Stage", "text"), Column("people", "People")),
                         rows=[("Visited", 900), ("Signed up", 120), ("Joined", 40)], spec=funnel)
    rendered = chart.render()
    assert "Signed up" in rendered.svg and ">120<" in rendered.table_html


def test_labels_from_data_are_escaped_in_the_svg_and_table():
    chart = charts.bar("x", title="t", description="d", x=Column("k", "Kind", "text"),
                       series=[Column("n", "<b>N</b>")], rows=[("<script>alert(1)</script>", 3)])
    rendered = chart.render()
    assert "<script>" not in rendered.svg and "<script>" not in rendered.table_html
    assert "&lt;script&gt;" in rendered.svg


def test_formatting_is_part_of_the_cache_key():
    def make(places):
        return charts.bar("p", title="t", description="d", x=Column("k", "K", "text"),
                          series=[Column("v", "V", "decimal", places=places)], rows=[("a", Decimal("1.5"))])

    assert ">1.50<" in make(2).render().table_html and ">1.500<" in make(3).render().table_html


KINDS = [
    joins,
    lambda: charts.bar("b", title="t", description="d", x=Column("m", "M", "month"),
                       series=[Column("a", "A"), Column("b", "B")],
                       rows=[(m, i, 2 * i) for i, m in enumerate(MONTHS)], stacked=False),
    lambda: charts.line("l", title="t", description="d", x=Column("d", "D", "date"),
                        series=[Column("a", "A", "decimal")], rows=[(MONTHS[0], 1.5), (MONTHS[1], 2)],
                        points=True),
    lambda: charts.sparkline("s", title="t", description="d", x=Column("day", "Day", "date"),
                             y=Column("n", "Rows"), rows=[(date(2025, 6, d), d % 7) for d in range(1, 31)]),
]


@pytest.mark.parametrize("make", KINDS)
def test_compiled_once_drawing_equals_vega_lite_drawing(make):
    """The spec compiled to Vega once per shape, with the rows put in its dataset, draws
    exactly what vl-convert draws from the Vega-Lite spec with the rows."""
    import vl_convert

    from commonground.core.charts.base import _INNER_ARIA, VEGALITE_VERSION, _shape_key, _spec_template

    chart = make()
    template, _ = _spec_template(chart.spec, _shape_key(chart.shape))
    direct = vl_convert.vegalite_to_svg({**template, "datasets": {charts.DATASET: chart.json_rows()}},
                                        vl_version=VEGALITE_VERSION)
    drawn = str(chart.render().svg)
    # Less the roles Vega gives its mark groups, which the page's SVG drops (one role=img).
    assert drawn.split("</desc>", 1)[1] == _INNER_ARIA.sub("", direct.split(">", 1)[1])


def test_an_image_chart_is_not_drawn_by_the_page_and_is_served_as_svg(rf: RequestFactory, monkeypatch):
    import vl_convert

    calls = []
    real = vl_convert.vega_to_svg
    monkeypatch.setattr(vl_convert, "vega_to_svg", lambda *a, **k: calls.append(1) or real(*a, **k))
    chart = joins(image=True, width=600, height=180)
    request = rf.get("/a/x/", {"status": "active"})
    src = charts.image_href(request, chart)
    assert src == f"/a/x/?status=active&format=svg&chart=joins&v={chart.digest[:16]}"
    rendered = chart.with_image_url(src).render()
    assert calls == [] and rendered.svg == "" and rendered.image_url == src
    assert rendered.alt == "Joins & lapses <per month>. Joins up, lapses down."
    assert '<th scope="row">Jan 2025</th>' in rendered.table_html  # the table stays on the page
    assert charts.svg_for(request, [chart]) is None  # not an image request: the page renders
    response = charts.svg_for(rf.get(src), [chart])
    svg = response.content.decode()
    assert len(calls) == 1 and response["Content-Type"] == "image/svg+xml; charset=utf-8"
    # Exactly the size the page's <img> reserves, and an accessible image on its own.
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" '
                          'viewBox="0 0 600 180" width="600" height="180" role="img"')
    assert '<desc id="chart-joins-d">Joins up, lapses down.</desc>' in svg and "Jan 2025" in svg
    assert response["Cache-Control"] == "private, max-age=3600"
    assert charts.svg_for(rf.get(src), [chart]).content.decode() == svg and len(calls) == 1  # cached
    other = charts.svg_for(rf.get("/a/x/", {"format": "svg", "chart": "joins", "v": "0" * 16}), [chart])
    assert other["Cache-Control"] == "private, no-store"  # not the figures that URL named
    from django.http import Http404

    with pytest.raises(Http404):  # an inline chart is not served on its own
        charts.svg_for(rf.get("/a/x/", {"format": "svg", "chart": "joins"}), [joins()])
    with pytest.raises(Http404):
        charts.svg_for(rf.get("/a/x/", {"format": "svg", "chart": "other"}), [chart])
    empty = joins(rows=[], image=True, width=600, height=180).image_svg()
    assert "No data to show" in empty and 'viewBox="0 0 600 180" width="600" height="180"' in empty


def test_image_chart_in_the_page_template():
    from django.template.loader import render_to_string

    chart = joins(image=True).with_image_url("/a/x/?format=svg&chart=joins&v=1").render()
    html = render_to_string("core/_chart.html", {"chart": chart})
    assert ('<img class="chart-img fluid" src="/a/x/?format=svg&amp;chart=joins&amp;v=1" '
            'alt="Joins &amp; lapses &lt;per month&gt;. Joins up, lapses down." width="640" height="200"'
            ) in html
    assert "<svg" not in html and 'class="chart-table"' in html


def test_warm_up_runs_both_conversions():
    charts.warm_up()
