"""Every hand-written SQL statement of insight, one function each.

Why hand-written: the lapse model's features need each person's activity counted per
month and kind of activity over the whole history (10^7 rows on a large association) —
one grouped aggregate the database does set-based — and the terms and invoices of every
membership as flat frames. Rows come back as polars frames: on PostgreSQL through
``COPY (…) TO STDOUT`` as CSV (no Python tuple per row), on SQLite through the cursor.
The rules of ``activity.sql`` hold: ``association_id`` a required keyword bound in every
statement, names from ``_meta``, the callers hold the logic.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import polars as pl
from django.db import connection

from commonground.activity.models import Activity
from commonground.core.bulk.names import names
from commonground.membership.models import Invoice, Membership, Payment, Plan, Term

# Email activity counted apart from the rest of marketing: campaign responsiveness is
# sends, opens and clicks, not "marketing events".
EMAIL_KINDS = ("email_sent", "email_open", "email_click")
STAGE = "cg_lapse_activity"  # the grouped activity, a session's temporary table (PostgreSQL)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Run a SELECT and return its rows as a frame with ``schema`` (names in order)."""
    cols = list(schema)
    if _pg():
        buf = io.BytesIO()
        # psycopg binds the parameters client-side into the COPY statement.
        with connection.cursor() as cur, \
                cur.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None) as copy:
            for block in copy:
                buf.write(block)
        if not buf.tell():
            return pl.DataFrame(schema=schema)
        buf.seek(0)
        read = {c: (pl.Utf8 if t == pl.Date else t) for c, t in schema.items()}
        df = pl.read_csv(buf, has_header=False, new_columns=cols, schema_overrides=read)
    else:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        if not rows:
            return pl.DataFrame(schema=schema)
        # The driver hands dates back as text or as dates depending on the expression.
        columns = list(zip(*rows, strict=True))
        data = {c: ([v if v is None or isinstance(v, str) else v.isoformat() for v in values]
                    if t == pl.Date else list(values))
                for (c, t), values in zip(schema.items(), columns, strict=True)}
        df = pl.DataFrame(data, schema={c: (pl.Utf8 if t == pl.Date else t)
                                        for c, t in schema.items()})
    dates = [c for c, t in schema.items() if t == pl.Date]
    if dates:
        df = df.with_columns(pl.col(c).str.slice(0, 10).str.to_date("%Y-%m-%d") for c in dates)
    return df


def monthly_activity(*, association_id: int, before: date, since: date | None = None
                     ) -> pl.DataFrame:
    """``person_id, bucket, month, n``: each person's activities before ``before`` counted
    per calendar month (UTC; ``month`` its first day) and bucket — the activity's category,
    except email sends, opens and clicks, which are their own buckets. Anonymous rows
    (no person) are left out. ``since``: only from that day on (scoring needs two years)."""
    a = names(Activity)
    kinds = ", ".join(f"'{k}'" for k in EMAIL_KINDS)
    bucket = f"CASE WHEN a.{a.kind} IN ({kinds}) THEN a.{a.kind} ELSE a.{a.category} END"
    if _pg():
        month = f"date_trunc('month', a.{a.occurred_at} AT TIME ZONE 'UTC')::date"
        bound = "%s::timestamptz"

        def stamp(d: date) -> Any:
            return f"{d.isoformat()}T00:00:00+00:00"
    else:
        month = f"strftime('%%Y-%%m-01', a.{a.occurred_at})"
        bound = "%s"

        def stamp(d: date) -> Any:
            return f"{d.isoformat()} 00:00:00"
    sql = (f"SELECT a.{a.person} AS person_id, {bucket} AS bucket, {month} AS month, "
           f"COUNT(*) AS n FROM {a} a WHERE a.{a.association} = %s AND "
           f"a.{a.person} IS NOT NULL AND a.{a.occurred_at} < {bound} "
           + (f"AND a.{a.occurred_at} >= {bound} " if since else "")
           + f"GROUP BY a.{a.person}, {bucket}, {month}")
    params = [association_id, stamp(before), *([stamp(since)] if since else [])]
    if _pg():
        # PostgreSQL aggregates in parallel only for a plain statement, never inside COPY:
        # the groups land in a temporary table first (CREATE TABLE AS may run in
        # parallel), then stream out of it. The hash aggregate gets room for 10^7 rows.
        with connection.cursor() as cur:
            cur.execute("SET work_mem = '256MB'")
            cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cur.execute(f"CREATE TEMP TABLE {STAGE} AS {sql}", params)
        try:
            return _frame(f"SELECT person_id, bucket, month, n FROM {STAGE}", [], _ACTIVITY)
        finally:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
                cur.execute("RESET work_mem")
    return _frame(sql, params, _ACTIVITY)


_ACTIVITY = {"person_id": pl.Int64, "bucket": pl.Utf8, "month": pl.Date, "n": pl.Int32}


def activity_windows(*, association_id: int, before: date, starts: dict[str, date]
                     ) -> pl.DataFrame:
    """``person_id, bucket, first_month, last_month, <name>…``: per person and bucket (as in
    ``monthly_activity``), the activities before ``before`` counted from each of
    ``starts``'s days on (``{"n3": …}``: a column per window; the earliest one also bounds
    the rows read), with the months (first days) of the first and the last of them.

    What features as of one cutoff read — scoring today: one row per person and bucket
    instead of one per month (the per-month aggregate over 10^7 rows was most of scoring's
    time). ``dataset`` turns the windows into the same counts the months give."""
    a = names(Activity)
    kinds = ", ".join(f"'{k}'" for k in EMAIL_KINDS)
    bucket = f"CASE WHEN a.{a.kind} IN ({kinds}) THEN a.{a.kind} ELSE a.{a.category} END"
    if _pg():
        def month(e: str) -> str:
            return f"date_trunc('month', {e} AT TIME ZONE 'UTC')::date"
        bound = "%s::timestamptz"

        def stamp(d: date) -> Any:
            return f"{d.isoformat()}T00:00:00+00:00"

        def count(cond: str) -> str:
            return f"COUNT(*) FILTER (WHERE {cond})"
    else:
        def month(e: str) -> str:
            return f"strftime('%%Y-%%m-01', {e})"
        bound = "%s"

        def stamp(d: date) -> Any:
            return f"{d.isoformat()} 00:00:00"

        def count(cond: str) -> str:
            return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"
    earliest = min(starts.values())
    # The windows' names quoted: they are the caller's (a name like "all" is a keyword).
    windows = "".join(f', {count(f"a.{a.occurred_at} >= {bound}")} AS "{name}"'
                      for name in starts)
    sql = (f"SELECT a.{a.person} AS person_id, {bucket} AS bucket, "
           f"{month(f'MIN(a.{a.occurred_at})')} AS first_month, "
           f"{month(f'MAX(a.{a.occurred_at})')} AS last_month{windows} "
           f"FROM {a} a WHERE a.{a.association} = %s AND a.{a.person} IS NOT NULL "
           f"AND a.{a.occurred_at} < {bound} AND a.{a.occurred_at} >= {bound} "
           f"GROUP BY a.{a.person}, {bucket}")
    params = [*[stamp(d) for d in starts.values()], association_id, stamp(before),
              stamp(earliest)]
    schema = {"person_id": pl.Int64, "bucket": pl.Utf8, "first_month": pl.Date,
              "last_month": pl.Date,
              **{name: pl.Int32 for name in starts}}
    if _pg():
        # As in monthly_activity: a plain statement may aggregate in parallel, COPY never.
        # No JIT: compiling this one statement's expressions took ~0.4 s of its ~7.
        with connection.cursor() as cur:
            cur.execute("SET work_mem = '256MB'")
            cur.execute("SET jit = off")
            cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cur.execute(f"CREATE TEMP TABLE {STAGE} AS {sql}", params)
        try:
            cols = ", ".join(f'"{c}"' for c in schema)
            return _frame(f"SELECT {cols} FROM {STAGE}", [], schema)
        finally:
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
                cur.execute("RESET work_mem")
                cur.execute("RESET jit")
    return _frame(sql, params, schema)


def person_terms(*, association_id: int) -> pl.DataFrame:
    """Every term of every person's membership with its plan: ``person_id, membership_id,
    kind, starts_on, ends_on, invoice_id, plan_id, term_months, price, grace_days``
    (``grace_days`` null: the plan's default for its term), ordered by person and start.
    Organisations' memberships have no person to score: left out."""
    t, m, p = names(Term), names(Membership), names(Plan)
    sql = (f"SELECT m.{m.person} AS person_id, t.{t.membership} AS membership_id, t.{t.kind}, "
           f"t.{t.starts_on}, t.{t.ends_on}, t.{t.invoice}, m.{m.plan}, p.{p.term_months}, "
           f"CAST(p.{p.price} AS {'float8' if _pg() else 'REAL'}), p.{p.grace_days} "
           f"FROM {t} t JOIN {m} m ON m.id = t.{t.membership} JOIN {p} p ON p.id = m.{m.plan} "
           f"WHERE t.{t.association} = %s AND m.{m.association} = %s "
           f"AND m.{m.person} IS NOT NULL ORDER BY 1, 4")
    return _frame(sql, [association_id, association_id], {
        "person_id": pl.Int64, "membership_id": pl.Int64, "kind": pl.Utf8,
        "starts_on": pl.Date, "ends_on": pl.Date, "invoice_id": pl.Int64, "plan_id": pl.Int64,
        "term_months": pl.Int32, "price": pl.Float64, "grace_days": pl.Int32})


def person_invoices(*, association_id: int) -> pl.DataFrame:
    """Every invoice billed to a person: ``invoice_id, person_id, amount, issued_on, due_on,
    paid_on`` — ``paid_on`` the first payment received (refunds aside; a later second
    payment must not make a paid invoice look unpaid at earlier cutoffs), null when none.

    Void invoices too: an invoice's status is today's, not the cutoff's (a renewal notice
    voided at the lapse was open before it), so leaving them out would tell the model who
    lapsed."""
    i, y = names(Invoice), names(Payment)
    real = "float8" if _pg() else "REAL"
    sql = (f"SELECT i.id, i.{i.person}, CAST(i.{i.amount} AS {real}), i.{i.issued_on}, "
           f"i.{i.due_on}, (SELECT MIN(y.{y.received_on}) FROM {y} y WHERE "
           f"y.{y.invoice} = i.id AND y.{y.association} = %s AND y.{y.kind} = 'payment') "
           f"FROM {i} i WHERE i.{i.association} = %s AND i.{i.person} IS NOT NULL")
    return _frame(sql, [association_id, association_id], {
        "invoice_id": pl.Int64, "person_id": pl.Int64, "amount": pl.Float64,
        "issued_on": pl.Date, "due_on": pl.Date, "paid_on": pl.Date})
