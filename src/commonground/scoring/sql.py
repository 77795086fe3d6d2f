"""Every hand-written SQL statement of the scoring app, one function each.

Why hand-written: the score reads the whole activity stream of an association (10^7
rows) as one grouped, decayed aggregate per person and kind. The ORM cannot say "decay
factor by age in days" portably, and returning rows instead of the aggregate would cost
minutes. The rules of ``activity.sql`` hold here too: ``association_id`` a required
keyword bound in every statement, names from ``_meta``, callers hold the logic
(``tests/test_sql_tenancy.py`` runs each function with two associations).

Decay: an event ``d`` whole days old weighs ``0.5 ** (d / half_life)``. PostgreSQL
computes it (``power``); SQLite may lack math functions, so it joins a temporary table of
the factor per day of age (at most ``lookback_days`` rows). Both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from django.db import connection

from commonground.activity.models import Activity
from commonground.core.bulk import in_list
from commonground.core.bulk.names import names

DECAY_TABLE = "cg_score_decay"
FETCH = 20_000  # aggregate rows per fetch: Python's share of memory stays flat
# User agents of automated traffic (crawlers, link checkers): never a member acting.
BOT_WORDS = ("bot", "crawl", "spider", "slurp", "headless")


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_decay_table(lookback_days: int, half_life_days: float) -> None:
    """The per-day decay factors as a temporary table of this connection (SQLite)."""
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {DECAY_TABLE} "
                    "(day INTEGER PRIMARY KEY, f REAL NOT NULL)")
        cur.execute(f"DELETE FROM {DECAY_TABLE}")
        cur.executemany(f"INSERT INTO {DECAY_TABLE} (day, f) VALUES (%s, %s)",
                        [(d, 0.5 ** (d / half_life_days)) for d in range(lookback_days + 1)])


def activity_items(*, association_id: int, now: datetime, lookback_days: int,
                   half_life_days: float, person_ids: Sequence[int] | None = None,
                   after_person_id: int = 0) -> Iterator[list[tuple]]:
    """``(person_id, category, kind, events, decayed events)`` for the association's
    people, grouped by person, category and kind, ordered by person; yielded a fetch at a
    time (a server-side cursor on PostgreSQL), so the caller's memory stays flat.

    Counts activities of the ``lookback_days`` before ``now``, of people only (anonymous
    rows never score), leaving out rows flagged as automated: ``metadata.bot`` true or a
    crawler's user agent. ``person_ids`` narrows to those people (incremental updates,
    explain); ``after_person_id`` resumes a full run."""
    a = names(Activity)
    # Seconds, not days, so the bound is exactly "lookback_days before now".
    since_s = lookback_days * 86400
    params: list = []
    if _pg():
        age = f"floor(extract(epoch from (%s::timestamptz - a.{a.occurred_at})) / 86400)"
        decay = f"power(0.5, {age} / %s)"
        params += [now, float(half_life_days)]
        join = ""
        bot = (f"(a.{a.metadata} @> '{{\"bot\": true}}' OR coalesce(a.{a.metadata} ->> 'user_agent', '') "
               f"~* '({'|'.join(BOT_WORDS)})')")
        window = (f"a.{a.occurred_at} <= %s::timestamptz AND "
                  f"a.{a.occurred_at} > %s::timestamptz - make_interval(secs => %s)")
        window_params = [now, now, since_s]
    else:
        _sqlite_decay_table(lookback_days, float(half_life_days))
        stamp = connection.ops.adapt_datetimefield_value(now)
        decay = "d.f"
        join = (f"JOIN {DECAY_TABLE} d ON d.day = CAST(julianday(%s) - julianday(a.{a.occurred_at}) "
                "AS INTEGER)")
        params += [stamp]
        # A cheap substring test first: only rows mentioning a bot or a user agent parse JSON.
        agent = f"lower(coalesce(json_extract(a.{a.metadata}, '$.user_agent'), ''))"
        crawler = " OR ".join(f"{agent} LIKE '%%{w}%%'" for w in BOT_WORDS)
        bot = (f"((instr(a.{a.metadata}, 'bot') > 0 OR instr(a.{a.metadata}, 'user_agent') > 0) "
               f"AND (json_extract(a.{a.metadata}, '$.bot') IN (1, 'true') OR {crawler}))")
        window = f"a.{a.occurred_at} <= %s AND a.{a.occurred_at} > datetime(%s, %s)"
        window_params = [stamp, stamp, f"-{since_s} seconds"]
    where = [f"a.{a.association} = %s", f"a.{a.person} IS NOT NULL", window, f"NOT {bot}"]
    params += [association_id, *window_params]
    if person_ids is not None:
        cond, ids = in_list(f"a.{a.person}", list(person_ids), kind="int")
        where.append(cond)
        params += ids
    if after_person_id:
        where.append(f"a.{a.person} > %s")
        params.append(after_person_id)
    statement = (f"SELECT a.{a.person}, a.{a.category}, a.{a.kind}, COUNT(*), SUM({decay}) "
                 f"FROM {a} a {join} WHERE {' AND '.join(where)} "
                 f"GROUP BY a.{a.person}, a.{a.category}, a.{a.kind} ORDER BY a.{a.person}")
    if not _pg():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            while rows := cursor.fetchmany(FETCH):
                yield rows
        return
    # A grouped aggregate over millions of rows: room to hash it in memory (a session
    # setting: outside a transaction the server-side cursor is declared WITH HOLD).
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(statement, params)
        while rows := cursor.fetchmany(FETCH):
            yield rows
    finally:
        cursor.close()
        with connection.cursor() as cur:
            cur.execute("RESET work_mem")
