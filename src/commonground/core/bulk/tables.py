"""Fast, portable bulk writes for seeding: COPY on PostgreSQL, batched INSERT on SQLite.

Ids are assigned by the generator (base + offset) so children can point at parents
without a round trip per row. Callers must hold the write for the whole seed in one
transaction; the tables' id sequences are moved past what was written at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models

SQLITE_BATCH = 50_000


class Table:
    """Rows for one model, gathered in column order, with ids handed out locally."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, id_column: str = "id"):
        self.model = model
        self.db_table = model._meta.db_table
        self.columns = list(columns)
        self.id_column = id_column
        self.base = max_id(model, id_column)
        self.rows: list[tuple] = []

    def add(self, *values: Any) -> int:
        """Append a row (without its id); return the id it will have."""
        new_id = self.base + len(self.rows) + 1
        self.rows.append((new_id, *values))
        return new_id

    def __len__(self) -> int:
        return len(self.rows)


def max_id(model: type[models.Model], column: str = "id") -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {table}")
        return int(cursor.fetchone()[0])


def _sqlite_converter(model: type[models.Model], column: str) -> Callable[[Any], Any] | None:
    """A converter for the column's values on SQLite, or None when they pass as they are."""
    field = next((f for f in model._meta.concrete_fields if f.column == column), None)
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField,
                          models.ForeignKey)) and not isinstance(field, models.BooleanField):
        return None
    return _sqlite_value


def _sqlite_value(value: Any) -> Any:
    # Match what Django itself stores on SQLite: ISO dates, naive-UTC datetimes with a
    # space separator, decimals and JSON as text.
    if isinstance(value, datetime):
        if value.utcoffset() is not None and value.utcoffset().total_seconds():
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def write(table: Table) -> int:
    """Insert the table's rows; returns how many."""
    if not table.rows:
        return 0
    cols = [table.id_column, *table.columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
    name = connection.ops.quote_name(table.db_table)
    if connection.vendor == "postgresql":
        json_cols = {i for i, c in enumerate(cols) if _is_json(table.model, c)}
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in table.rows:
                    if json_cols:
                        row = tuple(json.dumps(v) if i in json_cols else v for i, v in enumerate(row))
                    copy.write_row(row)
        _bump_sequence(table)
    else:
        sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join(['%s'] * len(cols))})"
        converters = [(i, conv) for i, c in enumerate(cols)
                      if (conv := _sqlite_converter(table.model, c)) is not None]
        with connection.cursor() as cursor:
            for start in range(0, len(table.rows), SQLITE_BATCH):
                batch = table.rows[start:start + SQLITE_BATCH]
                if converters:
                    batch = [list(row) for row in batch]
                    for row in batch:
                        for i, conv in converters:
                            if row[i] is not None:
                                row[i] = conv(row[i])
                cursor.executemany(sql, batch)
    count = len(table.rows)
    table.rows = []
    return count


def _is_json(model: type[models.Model], column: str) -> bool:
    for field in model._meta.concrete_fields:
        if field.column == column:
            return isinstance(field, models.JSONField)
    return False


def _bump_sequence(table: Table) -> None:
    name = table.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f"(SELECT COALESCE(MAX({connection.ops.quote_name(table.id_column)}), 1) "
            f"FROM {connection.ops.quote_name(name)}))",
            [name, table.id_column],
        )


def tenant_tables() -> Iterable[type[models.Model]]:
    """Every model (history tables included) that carries an ``association_id`` column."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if any(f.attname == "association_id" for f in model._meta.concrete_fields):
            yield model


def delete_association_rows(association_id: int) -> dict[str, int]:
    """Delete every row an association owns, set-based (the association row stays: its
    owner, ``tenancy.services.association_purge``, deletes it).

    Foreign keys are deferred on both backends (Django creates them DEFERRABLE INITIALLY
    DEFERRED), so table order does not matter inside the caller's transaction.
    """
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        for model in tenant_tables():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE association_id = %s", [association_id])
            counts[model._meta.db_table] = cursor.rowcount
    return counts


def analyze(only: Iterable[type[models.Model]] | None = None) -> None:
    """Refresh the query planner's statistics after a bulk load (ANALYZE on both backends);
    only of the models in ``only`` when given: an import need not re-sample the rest."""
    tables = [m._meta.db_table for m in (only if only is not None else tenant_tables())]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Bounded sampling keeps this fast on big files.
            cursor.execute("PRAGMA analysis_limit=2000")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


@contextmanager
def large_cache(mib: int = 512) -> Iterator[None]:
    """SQLite: a page cache of ``mib`` for the connection while a bulk load runs (a load
    that grows several large indexes at random places at once thrashes the default
    one), then the setting as it was. Nothing to do on PostgreSQL (shared buffers)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size={-int(mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(before)}")


def commit_unflushed() -> None:
    """PostgreSQL: the current transaction's commit does not wait for the WAL flush (for
    bulk work whose loss in a crash the caller can redo). Nothing to do on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
