"""The hardware's limit for a bulk write, measured in the same run as the product's write.

A benchmark takes a ``snapshot()`` of every product table's highest id, runs the product's
import, snapshots again, and after its other timed runs ``bare_load(before, after)`` copies
exactly the rows that import wrote, table by table, into scratch tables with the same
columns and indexes, timing only the load:

* PostgreSQL: ``CREATE TABLE … (LIKE <table> INCLUDING DEFAULTS INCLUDING CONSTRAINTS
  INCLUDING INDEXES)`` (a regular table, so the write is as durable as the real one), the
  rows first exported untimed with ``COPY … TO STDOUT`` into a file, then timed
  ``COPY … FROM STDIN`` from it;
* SQLite: the table's and its indexes' own ``CREATE`` statements under a scratch name, the
  rows read untimed a chunk at a time, each chunk timed through ``executemany``; then the
  same rows again inside the engine (``INSERT … SELECT``), and the faster of the two counts.
  The product itself writes part of its rows without binding them from Python, so
  ``executemany`` alone is not a ceiling there (the roster import beat it by 16 %).

Both leave out what is not the table itself: foreign-key checks (``LIKE`` does not copy
foreign keys; SQLite's are switched off for the load) and triggers. Every statement the
load makes runs in one transaction per table, committed inside the timing. The scratch
tables are dropped afterwards (and before, should an earlier run have died half-way).

``rows / bare seconds`` is the ceiling: the product's rows/s divided by it says how close
the product's write is to what the database can do with those rows on this machine.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from commonground.core.ids import MAX_ID

PREFIX = "cg_ceiling_"
CHUNK = 50_000  # rows read (untimed) per executemany on SQLite
COPY_BLOCK = 1 << 20


@dataclass
class Ceiling:
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows loaded

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> str:
        tables = ", ".join(f"{t} {n}" for t, n in sorted(self.rows.items(), key=lambda kv: -kv[1]))
        return (f"ceiling: bare load of the same {self.total} rows into {len(self.rows)} scratch "
                f"tables with the same indexes in {self.seconds:.2f} s ({tables})")


def ratio(product_seconds: float, ceiling: Ceiling) -> str:
    """product rows/s ÷ bare-load rows/s for the same rows: bare seconds ÷ product seconds."""
    return f"{ceiling.seconds / product_seconds:.2f}" if product_seconds > 0 else "0.00"


def _tables() -> list[type[models.Model]]:
    """Every product table (history tables included) with an integer primary key."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("commonground.") or not model._meta.managed:
            continue
        if model._meta.proxy or not isinstance(model._meta.pk, models.IntegerField):
            continue
        found.append(model)
    return found


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def snapshot() -> dict[type[models.Model], int]:
    """Each product table's highest primary key now: the rows a run adds come after it."""
    marks = {}
    with connection.cursor() as cur:
        for model in _tables():
            cur.execute(f"SELECT COALESCE(MAX({_quote(model._meta.pk.column)}), 0) "
                        f"FROM {_quote(model._meta.db_table)}")
            marks[model] = int(cur.fetchone()[0])
    return marks


def bare_load(before: dict[type[models.Model], int],
              after: dict[type[models.Model], int] | None = None) -> Ceiling:
    """Time loading every row written between the snapshots ``before`` and ``after`` (or
    since ``before``) into scratch copies of its table.

    Run it after the product's own timed runs: its scratch tables pass through the
    database's page cache, and a product run timed after it would start cold."""
    ceiling = Ceiling()
    for model, mark in before.items():
        table, pk = model._meta.db_table, model._meta.pk.column
        upper = (after or {}).get(model, MAX_ID)
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {_quote(table)} WHERE {_quote(pk)} > %s "
                        f"AND {_quote(pk)} <= %s", [mark, upper])
            if not cur.fetchone()[0]:
                continue
        if connection.vendor == "postgresql":
            with _scratch(table) as scratch:
                seconds, rows = _load_postgresql(table, scratch, pk, mark, upper)
        else:
            with _scratch(table) as scratch:
                seconds, rows = _load_sqlite(table, scratch, pk, mark, upper)
            with _scratch(table) as scratch:
                seconds = min(seconds, _select_sqlite(table, scratch, pk, mark, upper))
        ceiling.seconds += seconds
        ceiling.rows[table] = rows
    return ceiling


@contextmanager
def _scratch(table: str) -> Iterator[str]:
    scratch = PREFIX + table
    drop = f"DROP TABLE IF EXISTS {_quote(scratch)}"
    with connection.cursor() as cur:
        cur.execute(drop)
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TABLE {_quote(scratch)} (LIKE {_quote(table)} INCLUDING DEFAULTS "
                        "INCLUDING CONSTRAINTS INCLUDING INDEXES)")
        else:
            for sql in _sqlite_schema(table, scratch):
                cur.execute(sql)
    try:
        yield scratch
    finally:
        with connection.cursor() as cur:
            cur.execute(drop)


def _sqlite_schema(table: str, scratch: str) -> list[str]:
    """The table's own CREATE TABLE and CREATE INDEX statements, renamed to ``scratch``."""
    with connection.cursor() as cur:
        cur.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                    "AND type IN ('table', 'index') ORDER BY type = 'index'", [table])
        found = cur.fetchall()
    quoted = re.escape(f'"{table}"')
    statements = []
    for kind, sql in found:
        if kind == "table":
            statements.append(re.sub(rf"^CREATE TABLE {quoted}", f'CREATE TABLE "{scratch}"', sql))
        else:
            statements.append(re.sub(
                rf'^CREATE (UNIQUE )?INDEX "?(\w+)"? ON {quoted}',
                lambda m: f'CREATE {m.group(1) or ""}INDEX "{PREFIX}{m.group(2)}" ON "{scratch}"', sql))
    return statements


def _load_sqlite(table: str, scratch: str, pk: str, mark: int, upper: int) -> tuple[float, int]:
    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection: no wrapper between us and the limit
    with connection.cursor() as cur:
        cur.execute(f'SELECT * FROM "{table}" LIMIT 0')
        names = [d[0] for d in cur.description]
    width, at = len(names), names.index(pk)
    insert = f'INSERT INTO "{scratch}" VALUES ({", ".join("?" * width)})'
    select = (f'SELECT * FROM "{table}" WHERE "{pk}" > ? AND "{pk}" <= {int(upper)} '
              f'ORDER BY "{pk}" LIMIT {CHUNK}')
    seconds, rows, last = 0.0, 0, mark
    raw.execute("PRAGMA foreign_keys = OFF")  # as PostgreSQL's LIKE: no foreign keys
    try:
        raw.execute("BEGIN")
        try:
            while True:
                chunk = raw.execute(select, (last,)).fetchall()  # untimed: reading the rows
                if not chunk:
                    break
                last = chunk[-1][at]
                started = time.perf_counter()
                raw.executemany(insert, chunk)
                seconds += time.perf_counter() - started
                rows += len(chunk)
            started = time.perf_counter()
            raw.execute("COMMIT")
            seconds += time.perf_counter() - started
        except BaseException:
            raw.execute("ROLLBACK")
            raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
    return seconds, rows


def _select_sqlite(table: str, scratch: str, pk: str, mark: int, upper: int) -> float:
    """The same rows copied inside the engine (``INSERT … SELECT``): no values cross into
    Python, which the product's own writes partly do too (history rows, constants written
    into the statement), so on SQLite this can beat ``executemany`` of bound tuples."""
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        started = time.perf_counter()
        raw.execute("BEGIN")
        try:
            raw.execute(f'INSERT INTO "{scratch}" SELECT * FROM "{table}" WHERE "{pk}" > ? AND "{pk}" <= ?',
                        (mark, upper))
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        return time.perf_counter() - started
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _load_postgresql(table: str, scratch: str, pk: str, mark: int, upper: int) -> tuple[float, int]:
    with tempfile.TemporaryFile(dir=settings.DATA_DIR, prefix="cg-ceiling-") as fh:
        with connection.cursor() as cur, cur.cursor.copy(
                f'COPY (SELECT * FROM "{table}" WHERE "{pk}" > {int(mark)} AND "{pk}" <= {int(upper)} '
                f'ORDER BY "{pk}") '
                "TO STDOUT") as copy:
            for block in copy:  # untimed: exporting the rows
                fh.write(block)
        fh.seek(0)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur, \
                cur.cursor.copy(f'COPY "{scratch}" FROM STDIN') as copy:
            while block := fh.read(COPY_BLOCK):
                copy.write(block)
        seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute(f'SELECT COUNT(*) FROM "{scratch}"')
        rows = int(cur.fetchone()[0])
    return seconds, rows
