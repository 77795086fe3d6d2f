"""Writing new people in bulk, shared by the imports that create people (the roster and
the membership history): the person rows from a frame, then their history rows.

The frame has ``pid`` (reserved ids) and ``new_<field>`` columns (``frame.PERSON_GIVEN``,
``new_email_key``, ``new_chapter_id``, ``new_custom``, ``new_search_text``), plus the
member summary columns when the import already knows them.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from commonground.core import bulk
from commonground.people.models import Person

from .frame import PERSON_GIVEN
from .vector import strip

SUMMARY = ("member_status", "member_plan_id", "member_since", "member_until")


def now_text(value) -> str:
    """A datetime as the database takes it in text (bulk writes send text)."""
    if isinstance(value, str):
        return value
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value.isoformat()


def search_text(first: pl.Expr, last: pl.Expr, email: pl.Expr) -> pl.Expr:
    """``Person.make_search_text`` as an expression (exact for ASCII; see ``search_texts``)."""
    return strip(pl.concat_str([first, pl.lit(" "), last, pl.lit(" "), email]).str.to_lowercase())


def search_texts(df: pl.DataFrame, first: str, last: str, email: str) -> pl.Series:
    """``Person.make_search_text`` of each row: the expression, and Python's lower() for
    the rows with non-ASCII text (the reference there)."""
    values = df.select(search_text(pl.col(first), pl.col(last), pl.col(email))).to_series()
    odd = df.select(pl.concat_str([pl.col(first), pl.col(last), pl.col(email)])
                    .str.contains(r"[^\x00-\x7f]")).to_series()
    if not odd.any():
        return values
    out = values.to_list()
    for i in odd.arg_true().to_list():
        row = df.row(i, named=True)
        out[i] = Person.make_search_text(row[first], row[last], row[email])
    return pl.Series(values.name, out, dtype=pl.Utf8)


def person_frame(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(
        id=pl.col("pid"), **{f: pl.col(f"new_{f}") for f in PERSON_GIVEN},
        email_key=pl.col("new_email_key"), chapter_id=pl.col("new_chapter_id"),
        custom=pl.col("new_custom"), search_text=pl.col("new_search_text"),
        **{f: pl.col(f) for f in SUMMARY if f in df.columns})


def history_extra(actor_id: int | None, kind: str, now: str) -> dict[str, Any]:
    return {"history_date": now, "history_change_reason": "import", "history_type": kind,
            "history_user_id": actor_id}


def insert_people(*, association_id: int, actor_id: int | None, new: pl.DataFrame,
                  now: str) -> None:
    """Insert the people of ``new`` and their "+" history rows (``now``: ``now_text``)."""
    if new.height == 0:
        return
    people = person_frame(new)
    consts = {"association_id": association_id, "user_id": None, "created_at": now,
              "updated_at": now, "erased_at": None}
    consts.update(bulk.defaults(Person, [*people.columns, *consts]))
    bulk.insert_frame(Person, people, consts)
    bulk.insert_select(Person.history.model, bulk.history_columns(Person), Person,
                       history_extra(actor_id, "+", now), new.get_column("pid").to_list(),
                       association_id=association_id)
