"""Every hand-written SQL statement of the activity app, one function each.

Why hand-written at all: each of these is a set-based step the ORM cannot say (or says
at several times the cost): ``INSERT … SELECT`` with a digest, ``UPDATE … FROM`` a bound
array, ``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING`` of a whole chunk, index probes
through ``LATERAL``, a grouped summary with a 12-branch ``CASE``.

The rules every function here keeps (``tests/test_sql_tenancy.py`` checks each one):

* ``association_id`` is a required keyword and every statement binds it, even where
  another key (a person id, a source id) would already narrow the rows: django-scopes
  cannot see raw SQL, so the statement itself carries the tenancy rule;
* table and column names come from ``_meta`` (``core.bulk.names``), never literals;
* the callers (services, selectors, the ingest write path) hold the Python logic; these
  functions only run statements and hand back rows or counts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from django.db import connection, transaction

from commonground.core.bulk import copy_frame, in_list, key_ids, sql_literal
from commonground.core.bulk.names import column, names
from commonground.people.models import Person

from .models import Activity, ActivityReject, Identity, IdentityKind

# The activity columns a chunk carries (the frame's names are the columns'); the rest
# (association, source, batch) are the chunk's constants.
ACTIVITY_COLUMNS = tuple(column(Activity, f) for f in (
    "person", "anonymous_key", "kind", "category", "occurred_at", "quantity", "amount",
    "currency", "offering", "metadata", "external_id"))
STAGE = "cg_activity_stage"  # the ingest's session staging table (PostgreSQL)
_SQLITE_SLICE = 10_000


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _stamp(value: datetime) -> Any:
    """A datetime as the raw cursor takes it (SQLite stores Django's text form)."""
    return value if _pg() else connection.ops.adapt_datetimefield_value(value)


def _changes() -> int:
    """SQLite's running count of changed rows (executemany's rowcount is only the last
    statement's there)."""
    return connection.connection.total_changes


# ---------------------------------------------------------------- locks

def advisory_lock(*, association_id: int, namespace: int, shared: bool) -> None:
    """The association's advisory lock ``(namespace, association)`` for this transaction
    (PostgreSQL; SQLite's single write lock already serialises writers). See ``locks``."""
    if not _pg():
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {fn}(%s, %s)", [namespace, int(association_id) % 2_147_483_647])


# ---------------------------------------------------------------- identities

def _sqlite_sha256() -> None:
    """``cg_sha256(text)`` on SQLite: what PostgreSQL's ``sha256`` gives, as hex."""
    connection.ensure_connection()
    connection.connection.create_function(
        "cg_sha256", 1, lambda v: hashlib.sha256((v or "").encode()).hexdigest(),
        deterministic=True)


def email_hashes_insert(*, association_id: int, now: datetime) -> int:
    """A hash identity (sha256 of the email key) for every person of the association with
    an email who has none yet: one ``INSERT … SELECT``. Returns rows added."""
    p, i = names(Person), names(Identity)
    if _pg():
        digest = f"encode(sha256(convert_to(p.{p.email_key}, 'UTF8')), 'hex')"
        verb, tail = "INSERT", " ON CONFLICT DO NOTHING"
    else:
        _sqlite_sha256()
        digest = f"cg_sha256(p.{p.email_key})"
        verb, tail = "INSERT OR IGNORE", ""
    kind = IdentityKind.HASHED_EMAIL.value
    with connection.cursor() as cur:
        cur.execute(
            f"{verb} INTO {i} ({i.association}, {i.person}, {i.kind}, {i.source}, {i.value}, "
            f"{i.created_at}) SELECT %s, p.{p.id}, %s, NULL, {digest}, %s FROM {p} p "
            f"WHERE p.{p.association} = %s AND p.{p.email_key} <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM {i} i WHERE i.{i.association} = %s "
            f"AND i.{i.kind} = %s AND i.{i.source} IS NULL AND i.{i.value} = {digest}){tail}",
            [association_id, kind, _stamp(now), association_id, association_id, kind])
        return max(cur.rowcount, 0)


def identities_insert(*, association_id: int, rows: Sequence[tuple[int, str, int | None, str]],
                      now: datetime) -> int:
    """Insert ``(person_id, kind, source_id, value)`` identities; an identifier already
    tied to someone keeps its person (the unique indexes decide). Returns rows added."""
    if not rows:
        return 0
    i = names(Identity)
    cols = f"({i.association}, {i.person}, {i.kind}, {i.source}, {i.value}, {i.created_at})"
    with connection.cursor() as cur:
        if _pg():
            p, k, s, v = (list(c) for c in zip(*rows, strict=True))
            cur.execute(
                f"INSERT INTO {i} {cols} SELECT %s::bigint, l.p, l.k, l.s, l.v, %s::timestamptz FROM unnest("
                f"%s::bigint[], %s::text[], %s::bigint[], %s::text[]) AS l(p, k, s, v) "
                f"ON CONFLICT DO NOTHING", [association_id, now, p, k, s, v])
            return max(cur.rowcount, 0)
        stamp = _stamp(now)
        before = _changes()
        cur.cursor.executemany(f"INSERT OR IGNORE INTO {i} {cols} VALUES (?, ?, ?, ?, ?, ?)",
                               [(association_id, *row, stamp) for row in rows])
        return _changes() - before


def identity_person_ids(*, association_id: int, kind: str, values: Sequence[str],
                        source_id: int | None = None) -> list[tuple[str, int]]:
    """``(value, person_id)`` of the identities of ``kind`` among ``values``: per source
    for external ids, association-wide (no source) for the other kinds."""
    if not values:
        return []
    i = names(Identity)
    cond, params = in_list(i.value, list(values))
    if kind == IdentityKind.EXTERNAL:
        src, src_params = f"{i.source} = %s", [source_id]
    else:
        src, src_params = f"{i.source} IS NULL", []
    with connection.cursor() as cur:
        cur.execute(f"SELECT {i.value}, {i.person} FROM {i} WHERE {i.association} = %s "
                    f"AND {i.kind} = %s AND {src} AND {cond}",
                    [association_id, kind, *src_params, *params])
        return cur.fetchall()


def person_ids_by_email_key(*, association_id: int, values: Sequence[str]) -> list[tuple[str, int]]:
    """``(email_key, person_id)`` of the association's people whose email key is among
    ``values`` (emails match people first, then email identities)."""
    return key_ids(Person, "email_key", values, association_id=association_id)


# ---------------------------------------------------------------- the unmatched queue

def unmatched_backfill(*, association_id: int,
                       identifiers: Iterable[tuple[str, int | None, str]]) -> int:
    """Move the unmatched activities that carry one of ``identifiers`` (``(kind,
    source_id, value)``; ``anonymous_key`` "kind:value", no person yet) onto the person the
    identifier is tied to (call after ``identities_insert``). Returns activities moved."""
    wanted = list(identifiers)
    if not wanted:
        return 0
    a, i = names(Activity), names(Identity)
    with connection.cursor() as cur:
        if _pg():
            cur.execute(
                f"UPDATE {a} a SET {a.person} = i.{i.person}, {a.anonymous_key} = '' "
                f"FROM {i} i, jsonb_to_recordset(%s::jsonb) AS l(k text, s bigint, v text) "
                f"WHERE i.{i.association} = %s AND i.{i.kind} = l.k AND i.{i.value} = l.v "
                f"AND i.{i.source} IS NOT DISTINCT FROM l.s "
                f"AND a.{a.association} = %s AND a.{a.person} IS NULL "
                f"AND a.{a.anonymous_key} = l.k || ':' || l.v "
                f"AND (l.s IS NULL OR a.{a.source} = l.s)",
                [json.dumps([{"k": k, "s": s, "v": v} for k, s, v in wanted]),
                 association_id, association_id])
            return max(cur.rowcount, 0)
        # SQLite plans UPDATE … FROM with the activity table outside: find the person each
        # identifier is tied to, then probe the unmatched index once per identifier (one
        # prepared statement).
        groups: dict[tuple[str, int | None], list[str]] = {}
        for kind, src, value in wanted:
            groups.setdefault((kind, src), []).append(value)
        tied = [(pid, association_id, f"{kind}:{value}", src, src)
                for (kind, src), values in groups.items()
                for value, pid in identity_person_ids(association_id=association_id, kind=kind,
                                                      values=values, source_id=src)]
        before = _changes()
        cur.cursor.executemany(
            f"UPDATE {a} SET {a.person} = ?, {a.anonymous_key} = '' WHERE {a.association} = ? "
            f"AND {a.person} IS NULL AND {a.anonymous_key} = ? AND (? IS NULL OR {a.source} = ?)",
            tied)
        return _changes() - before


def unmatched_waiting_kinds(*, association_id: int, kinds: Iterable[str]) -> set[str]:
    """Which of ``kinds`` have "kind:…" keys waiting in the unmatched queue at all: one
    range probe of the unmatched index per kind."""
    a = names(Activity)
    found = set()
    with connection.cursor() as cur:
        for kind in kinds:
            # One plain range per query (an OR of ranges makes SQLite scan the queue);
            # ":" + 1 is ";", so every "kind:…" key sorts in ["kind:", "kind;").
            cur.execute(f"SELECT 1 FROM {a} WHERE {a.association} = %s AND {a.person} IS NULL "
                        f"AND {a.anonymous_key} >= %s AND {a.anonymous_key} < %s LIMIT 1",
                        [association_id, f"{kind}:", f"{kind};"])
            if cur.fetchone() is not None:
                found.add(kind)
    return found


def unmatched_waiting_keys(*, association_id: int, keys: Sequence[str]) -> set[str]:
    """The ``anonymous_key`` values among ``keys`` that have activities waiting: one
    index probe per key. On PostgreSQL the LIMIT inside LATERAL keeps it a probe (a plain
    join or "= ANY" lets the planner read the whole queue into a hash once it is large);
    SQLite plans "IN (json_each)" as probes."""
    if not keys:
        return set()
    a = names(Activity)
    with connection.cursor() as cur:
        if _pg():
            cur.execute(f"SELECT k.key FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL "
                        f"(SELECT 1 FROM {a} a WHERE a.{a.association} = %s "
                        f"AND a.{a.person} IS NULL AND a.{a.anonymous_key} = k.key LIMIT 1) AS hit",
                        [list(keys), association_id])
        else:
            cur.execute(f"SELECT DISTINCT {a.anonymous_key} FROM {a} WHERE {a.association} = %s "
                        f"AND {a.person} IS NULL AND {a.anonymous_key} IN "
                        f"(SELECT value FROM json_each(%s))", [association_id, json.dumps(list(keys))])
        return {row[0] for row in cur.fetchall()}


# ---------------------------------------------------------------- the person's summary

def person_summary_rows(*, association_id: int, person_id: int, now: datetime,
                        starts: Sequence[datetime], since: dict[int, datetime]) -> list[tuple]:
    """The grouped rows behind a person's activity summary over ``[since[365], now]``:
    ``(month bucket, category, currency, n365, a365, n90, a90, n30, a30)``; the bucket is
    the index of the last of ``starts`` at or before the row (-1 before the first).
    Hand-written: the ORM spent longer composing this statement (a 12-branch CASE and six
    filtered aggregates) than the database spent running it."""
    a = names(Activity)
    adapt = connection.ops.adapt_datetimefield_value
    at = a.occurred_at
    bucket = "CASE " + " ".join(f"WHEN {at} >= %s THEN {i}"
                                for i in reversed(range(len(starts)))) + " ELSE -1 END"
    windows = ", ".join(f"SUM(CASE WHEN {at} >= %s THEN 1 ELSE 0 END), "
                        f"SUM(CASE WHEN {at} >= %s THEN {a.amount} END)" for _ in (90, 30))
    sql = (f"SELECT {bucket}, {a.category}, {a.currency}, COUNT(*), SUM({a.amount}), {windows} "
           f"FROM {a} WHERE {a.association} = %s AND {a.person} = %s "
           f"AND {at} >= %s AND {at} <= %s GROUP BY 1, 2, 3")
    params = [adapt(starts[i]) for i in reversed(range(len(starts)))]
    params += [adapt(since[90]), adapt(since[90]), adapt(since[30]), adapt(since[30]),
               association_id, person_id, adapt(since[365]), adapt(now)]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# ---------------------------------------------------------------- the ingest's writes

def activities_known_external_ids(*, association_id: int, source_id: int,
                                  external_ids: Sequence[str]) -> list[str]:
    """The ids among ``external_ids`` the source already delivered. "= ANY" as the index
    condition: one descent of the unique index per (sorted) id, whatever the statistics say
    (a join on unnest() got hash-joined against a scan of the whole source when stale)."""
    if not external_ids:
        return []
    a = names(Activity)
    cond, params = in_list(a.external_id, list(external_ids))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {a.external_id} FROM {a} WHERE {a.association} = %s "
                    f"AND {a.source} = %s AND {cond}", [association_id, source_id, *params])
        return [r[0] for r in cur.fetchall()]


def activities_insert_new(*, association_id: int, source_id: int, batch_id: int | None,
                          frame: pl.DataFrame) -> tuple[int, int]:
    """Insert a chunk's activities (``frame``: ``ACTIVITY_COLUMNS``), skipping those the
    source already delivered (same external id; the first row of an id wins). Returns
    (created, created without a person).

    PostgreSQL: COPY into a session staging table, then one ``INSERT … ON CONFLICT DO
    NOTHING``. SQLite: one ``INSERT OR IGNORE`` executemany with the constants written into
    the statement (binding values one by one is what costs most there)."""
    if frame.height == 0:
        return 0, 0
    a = names(Activity)
    consts = {a.association: int(association_id), a.source: int(source_id),
              a.batch: None if batch_id is None else int(batch_id)}
    const_cols, const_sql = ", ".join(consts), ", ".join(sql_literal(v) for v in consts.values())
    cols = ", ".join(connection.ops.quote_name(c) for c in ACTIVITY_COLUMNS)
    with connection.cursor() as cur:
        if _pg():
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} AS SELECT {cols} FROM {a} "
                        f"WITH NO DATA")  # temporary: no WAL, dropped with the connection
            copy_frame(cur, STAGE, frame.select(ACTIVITY_COLUMNS))
            cur.execute(
                f"WITH ins AS (INSERT INTO {a} ({const_cols}, {cols}) "
                f"SELECT {const_sql}, {cols} FROM {STAGE} "
                f"ON CONFLICT ({a.association}, {a.source}, {a.external_id}) DO NOTHING "
                f"RETURNING {a.person}) SELECT count(*), count(*) - count({a.person}) FROM ins")
            created, unmatched = cur.fetchone()
            cur.execute(f"TRUNCATE {STAGE}")
            return created, unmatched
        at = column(Activity, "occurred_at")
        data = frame.with_columns(
            pl.when(pl.col(at).dt.microsecond() == 0)
            .then(pl.col(at).dt.strftime("%Y-%m-%d %H:%M:%S"))
            .otherwise(pl.col(at).dt.strftime("%Y-%m-%d %H:%M:%S%.6f")),
            pl.col(column(Activity, "quantity")).cast(pl.Utf8),
            pl.col(column(Activity, "amount")).cast(pl.Utf8),
        ).select(ACTIVITY_COLUMNS)
        marks = ", ".join([const_sql] + ["?"] * len(ACTIVITY_COLUMNS))
        sql = f"INSERT OR IGNORE INTO {a} ({const_cols}, {cols}) VALUES ({marks})"
        before = _changes()
        # Python tuples are built a slice at a time: the block's rows never all exist as
        # objects at once. (Sorting by external_id first gained nothing measurable: the
        # digests already start with the time, and exports come in time order.)
        matched = 0
        person = column(Activity, "person")
        for has_person in (True, False):
            part = data.filter(pl.col(person).is_not_null() == has_person)
            for rows in part.iter_slices(_SQLITE_SLICE):
                sqlite3.Cursor.executemany(cur.cursor, sql, rows.rows())
            if has_person:
                matched = _changes() - before
        created = _changes() - before
        return created, created - matched


def rejects_known_digests(*, association_id: int, source_id: int,
                          digests: Sequence[str]) -> set[str]:
    """The row digests among ``digests`` already stored as rejects of the source."""
    if not digests:
        return set()
    r = names(ActivityReject)
    cond, params = in_list(r.row_digest, list(digests))
    # "+association": a filter, not an index key, so the planner keeps the (source,
    # row_digest) index (SQLite took the open-rejects index on (association, source…)).
    with connection.cursor() as cur:
        cur.execute(f"SELECT {r.row_digest} FROM {r} WHERE +{r.association} = %s "
                    f"AND {r.source} = %s AND {cond}", [association_id, source_id, *params])
        return {row[0] for row in cur.fetchall()}


def period_groups(*, association_id: int, since: datetime, until: datetime,
                  cuts: Sequence[datetime]) -> list[dict[str, Any]]:
    """The association's activities from ``since`` to before ``until`` grouped by kind,
    category, source, offering and, for each of ``cuts``, whether the row is on or after
    it (``after0``, ``after1``…): each group's ``n`` rows and ``amount`` sum. The KPI
    catalogue's one pass for a plan's activity counts (``activity.metrics``).

    Hand-written for one reason: on PostgreSQL the statement runs with JIT off — its
    cost passes the optimise threshold and compiling took 0.6–0.9 s of a 1.5 s read over
    10^7 rows, more than it saved — then the setting is put back as it was."""
    a = names(Activity)
    adapt = connection.ops.adapt_datetimefield_value
    flags = ", ".join(f"{a.occurred_at} >= %s AS after{i}" for i in range(len(cuts)))
    group = ", ".join(str(n) for n in range(1, 5 + len(cuts)))
    sql = (f"SELECT {a.kind}, {a.category}, {a.source_id}, {a.offering_id}"
           f"{', ' + flags if flags else ''}, COUNT(*), SUM({a.amount}) FROM {a} "
           f"WHERE {a.association_id} = %s AND {a.occurred_at} >= %s AND {a.occurred_at} < %s "
           f"GROUP BY {group}")
    params = [*[adapt(c) for c in cuts], association_id, adapt(since), adapt(until)]
    keys = ["kind", "category", "source_id", "offering_id",
            *[f"after{i}" for i in range(len(cuts))], "n", "amount"]
    if not _pg():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]
    with transaction.atomic(), connection.cursor() as cur:  # set_config(…, true): this transaction
        cur.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cur.fetchone()[0]
        cur.execute(sql, params)
        rows = [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]
        cur.execute("SELECT set_config('jit', %s, true)", [previous])
    return rows
