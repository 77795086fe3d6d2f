"""Bulk writes for the import: ids reserved up front, then COPY (PostgreSQL) or a single
prepared multi-row executemany (SQLite).

Reserving ids first means a chunk can write people, their history rows, memberships,
terms and transitions without reading anything back.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db import connection, models

from .names import column


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``. Call inside the chunk's transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cur.fetchall()]
        # SQLite runs the chunk in a BEGIN IMMEDIATE transaction: we hold the write lock,
        # so nobody else can take these ids. AUTOINCREMENT's sequence never goes back.
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + count))


class Adapt:
    """Per-database value adapters, so row builders emit values the driver takes as is
    (converting per value in the insert loop would cost more than the insert itself)."""

    def __init__(self) -> None:
        self.sqlite = connection.vendor == "sqlite"

    def date(self, value: date | None) -> Any:
        return value.isoformat() if (self.sqlite and value is not None) else value

    def datetime(self, value: datetime | None) -> Any:
        if self.sqlite and value is not None:
            return connection.ops.adapt_datetimefield_value(value)
        return value

    @staticmethod
    def json(value: Any) -> str:
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        return json.dumps(value, separators=(",", ":"))


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if type(value) is bool:
        return "t" if value else "f"
    return str(value)  # int, date (ISO), aware datetime (ISO with offset), Decimal


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
                ) -> int:
    """Insert tuples of adapted values (see ``Adapt``), by db column name."""
    table = model._meta.db_table
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            count = 0
            with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                # COPY text built here in blocks: several times faster than write_row().
                block: list[str] = []
                for row in rows:
                    block.append("\t".join([_copy_value(v) for v in row]))
                    count += 1
                    if len(block) >= 2000:
                        copy.write(("\n".join(block) + "\n").encode())
                        block = []
                if block:
                    copy.write(("\n".join(block) + "\n").encode())
            return count
        batch = rows if isinstance(rows, list) else list(rows)
        if batch:
            marks = ", ".join(["?"] * len(columns))
            # The raw sqlite3 cursor: Django's wrapper would rewrite the SQL per call.
            sqlite3.Cursor.executemany(cur.cursor, f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                                       batch)
        return len(batch)


def in_list(column: str, values: Sequence[Any], *, kind: str = "text") -> tuple[str, list[Any]]:
    """``column IN (values)`` with the whole list as one parameter (an array on PostgreSQL,
    a JSON array on SQLite): no limit on its length, no binding per value, and SQLite
    plans it as a list probe of the column's index."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{'bigint' if kind == 'int' else 'text'}[])", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]


def key_ids(model: type[models.Model], key: str, values: Sequence[Any], *, association_id: int
            ) -> list[tuple[Any, int]]:
    """``(key, id)`` of the association's ``model`` rows whose ``key`` field is among
    ``values``: the lookup a bulk write matches its rows with (one index probe per value)."""
    if not values:
        return []
    qn = connection.ops.quote_name
    col = qn(column(model, key))
    cond, params = in_list(col, list(values))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {col}, {qn(model._meta.pk.column)} FROM {qn(model._meta.db_table)} "
                    f"WHERE {qn(column(model, 'association'))} = %s AND {cond}",
                    [association_id, *params])
        return cur.fetchall()


def sql_literal(value: Any) -> str:
    """A constant of our own (ids, timestamps, codes) as SQL text."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is bool:
        return "1" if value else "0"
    return "'" + str(value).replace("'", "''") + "'"


def insert_frame(model: type[models.Model], df: pl.DataFrame, consts: dict[str, Any] | None = None
                 ) -> int:
    """Insert a DataFrame whose columns are db column names, plus ``consts`` (the same value
    on every row): COPY (CSV written by polars) on PostgreSQL; on SQLite one executemany
    with the constants written into the statement, as binding values one by one is what
    costs most there."""
    if df.height == 0:
        return 0
    consts = consts or {}
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            if consts:
                df = df.with_columns(**{k: pl.lit(v) for k, v in consts.items()})
            copy_frame(cur, f'"{table}"', df)
        else:
            df = df.with_columns(pl.col(pl.Date).cast(pl.Utf8))
            # Columns holding one value in this frame are constants too.
            same = [c for c in df.columns if df.get_column(c).n_unique() == 1]
            if same and len(same) < df.width:
                consts = {**{c: df.get_column(c)[0] for c in same}, **consts}
                df = df.drop(same)
            cols = ", ".join(f'"{c}"' for c in [*df.columns, *consts])
            marks = "(" + ", ".join(["?"] * df.width + [sql_literal(v) for v in consts.values()]) + ")"
            insert = f'INSERT INTO "{table}" ({cols}) VALUES '
            rows = df.rows()
            # Several rows per statement: each executed statement costs SQLite (and the
            # driver) about as much as binding its values, so 100 rows a statement write
            # ~40 % faster than one (at most 999 values a statement, the oldest limit).
            per = max(1, min(100, 999 // df.width))
            whole = len(rows) - len(rows) % per
            if whole:
                flat = [v for row in rows[:whole] for v in row]
                step = per * df.width
                sqlite3.Cursor.executemany(
                    cur.cursor, insert + ", ".join([marks] * per),
                    [flat[i:i + step] for i in range(0, len(flat), step)])
            if whole < len(rows):
                sqlite3.Cursor.executemany(cur.cursor, insert + marks, rows[whole:])
    return df.height


def copy_frame(cur: Any, target: str, df: pl.DataFrame) -> None:
    """COPY a frame into ``target`` (a quoted table name; columns by the frame's names) on
    PostgreSQL, as CSV written by polars. Raises psycopg's own errors (a raw COPY)."""
    buf = io.BytesIO()
    # Strings quoted, nulls bare: COPY's CSV format tells '' from NULL that way.
    df.write_csv(buf, include_header=False, quote_style="non_numeric")
    cols = ", ".join(f'"{c}"' for c in df.columns)
    with cur.cursor.copy(f"COPY {target} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buf.getbuffer())  # a view, not a second copy of the CSV


def insert_select(model: type[models.Model], columns: Sequence[str], source: type[models.Model],
                  exprs: dict[str, Any], ids: list[int], *, association_id: int) -> None:
    """Rows derived from rows just written (history rows, terms, transitions): one
    INSERT … SELECT over the source rows ``ids`` of ``association_id`` (bound like every
    tenant statement, though the ids alone would select them), so the values never
    travel through Python again. ``exprs`` maps a target column to a source column name
    (``str`` wrapped in ``Col``) or a constant; other columns copy the source column of the
    same name."""
    if not ids:
        return
    qn = connection.ops.quote_name
    select = ", ".join(
        qn(exprs[c]) if isinstance(exprs.get(c), Col) else
        sql_literal(exprs[c]) if c in exprs else qn(c) for c in columns).replace("%", "%%")
    table, pk = qn(source._meta.db_table), qn(source._meta.pk.column)
    # "+": the association is a filter, never the index the rows are found by. Without
    # statistics (the first chunk of an import into fresh tables) SQLite would otherwise
    # walk an (association, …) index and sort, instead of the primary-key range.
    tenant = f"+{table}.{qn(column(source, 'association'))} = %s"
    targets = ", ".join(qn(c) for c in columns)
    insert = f"INSERT INTO {qn(model._meta.db_table)} ({targets}) SELECT {select} FROM {table}"
    head = f"{insert} WHERE {tenant} AND "
    with connection.cursor() as cur:
        if ids[-1] - ids[0] + 1 == len(ids) and ids == sorted(ids):
            # Reserved ids are one contiguous range (always on SQLite, which reserves them
            # under its write lock; on PostgreSQL unless another session drew from the
            # sequence meanwhile): the range alone selects them.
            cur.execute(f"{head}{pk} BETWEEN %s AND %s ORDER BY {pk}",
                        [association_id, ids[0], ids[-1]])
        elif connection.vendor == "postgresql":
            # A join on the unnested array: "id = ANY(array)" with a bound array is tested
            # element by element for every row (quadratic over a 25,000-id chunk).
            cur.execute(f"{insert} JOIN unnest(%s::bigint[]) AS picked(pk) ON {table}.{pk} = picked.pk "
                        f"WHERE {tenant} ORDER BY {pk}", [list(ids), association_id])
        else:
            for start in range(0, len(ids), 5000):
                part = ids[start:start + 5000]
                cur.execute(f'{head}{pk} IN ({", ".join(["%s"] * len(part))}) ORDER BY {pk}',
                            [association_id, *part])


class Col(str):
    """A source column in ``insert_select``'s ``exprs`` (a plain str there is a constant)."""


def defaults(model: type[models.Model], given: Sequence[str]) -> dict[str, Any]:
    """The model's defaults for the concrete columns a bulk insert does not give (so a new
    column with a default does not break the import)."""
    out: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column in given or f.primary_key or f.has_db_default():
            continue  # (a database default fills itself in)
        value = f.get_default()
        if isinstance(value, date | datetime):
            value = value.isoformat()
        out[f.column] = value
    return out


def history_columns(model: type[models.Model]) -> list[str]:
    """Columns of a simple-history table, without its own auto primary key."""
    history = model.history.model
    return [f.column for f in history._meta.concrete_fields if f.name != "history_id"]


def model_columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]
