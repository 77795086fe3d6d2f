"""A drill-down as a table: its header, one page of cells with links, and every row for
the CSV. The figure is known already (it is the KPI), so a page never counts the rows:
it reads one more row than it shows to know whether there is a next page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from commonground.core.metrics import Drilldown

PAGE_SIZE = 50
MAX_PAGE = 200  # deeper than 10,000 rows: the CSV has them all


@dataclass(frozen=True)
class Row:
    cells: list[Any]
    link: str


@dataclass(frozen=True)
class Page:
    headers: list[str]
    rows: list[Row]
    number: int
    has_next: bool
    noun: str

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def cell(row: Any, accessor: Any) -> Any:
    """A column's value: a callable on the row, or a field path (``a__b`` or ``a.b``)."""
    if callable(accessor):
        return accessor(row)
    value = row
    for part in str(accessor).replace("__", ".").split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value


def drilldown_page(drilldown: Drilldown, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    page = min(max(int(page or 1), 1), MAX_PAGE)
    start = (page - 1) * size
    objects = list(drilldown.queryset[start:start + size + 1])
    rows = [Row(cells=[cell(o, a) for _, a in drilldown.columns],
                link=drilldown.link(o) if drilldown.link else "") for o in objects[:size]]
    return Page(headers=[h for h, _ in drilldown.columns], rows=rows, number=page,
                has_next=len(objects) > size and page < MAX_PAGE, noun=drilldown.noun)


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | float | int):
        return str(value)
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def drilldown_csv(drilldown: Drilldown, *, chunk: int = 2000) -> Iterator[str]:
    """Every row as CSV lines (header first), streamed a chunk of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([h for h, _ in drilldown.columns])
    yield flush()
    for n, row in enumerate(drilldown.queryset.iterator(chunk_size=chunk), start=1):
        writer.writerow([_text(cell(row, a)) for _, a in drilldown.columns])
        if n % 500 == 0:
            yield flush()
    yield flush()
