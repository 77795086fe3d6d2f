"""One chunk of whole members: the rows the cleaning rejected, the people (matched or
created, ``people``), then the memberships with their terms, transitions, invoices and
payments (``members``). Everything column-wise; the rejected rows go to the errors file
with their original cells, line and reason."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.utils import timezone

from commonground.membership.roster.newpeople import now_text

from . import members, people


def process(run: Any, rows: pl.DataFrame, errors: list[list]) -> dict[str, int]:
    counts: dict[str, int] = {"rejected": 0, "people_created": 0}

    def reject(frame: pl.DataFrame) -> None:
        for idx, line, reason in frame.select("idx", "line", "reason").iter_rows():
            errors.append([*run.cells(idx), line, reason])
        counts["rejected"] += frame.height

    reject(rows.filter(pl.col("reason").is_not_null()))
    df = rows.filter(pl.col("reason").is_null())
    if df.height == 0:
        return counts
    now = now_text(timezone.now())
    df, counts["people_created"] = people.resolve(run, df, now)
    reject(df.filter(pl.col("reason").is_not_null()))
    df = df.filter(pl.col("reason").is_null())
    if df.height == 0:
        return counts
    rejected, written = members.memberships(run, df, now)
    reject(rejected)
    for key, value in written.items():
        counts[key] = counts.get(key, 0) + value
    return counts
