"""Collaboration's hand-written SQL: the bases of an allocation run, each one statement
over all the participants at once (one GROUP BY, not a query per association).

The rules of every app's ``sql`` module hold here too (``tests/test_sql_tenancy.py``):
``association_id`` is a required keyword (the provider running the allocation), names
come from ``_meta``, and every statement binds the associations it reads: the
participant ids the caller (``crossing.services``) drew from the service's subscriptions
of active consortium members. No other association's row is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import connection

from commonground.activity.models import Activity, Source
from commonground.core.bulk import in_list
from commonground.core.bulk.names import names
from commonground.membership.models import Membership, Term


def _ids(association_id: int, participant_ids: Sequence[int]) -> list[int]:
    ids = sorted({int(i) for i in participant_ids})
    if int(association_id) not in ids:
        raise ValueError("the provider is one of its service's participants")
    return ids


def _stamp(value: datetime):
    return value if connection.vendor == "postgresql" else \
        connection.ops.adapt_datetimefield_value(value)


def usage_counts(*, association_id: int, participant_ids: Sequence[int], source_slug: str,
                 kinds: Sequence[str], since: datetime, until: datetime) -> dict[int, int]:
    """Activities of the source with ``source_slug`` in each participant's association,
    ``since`` ≤ occurred_at < ``until``, only ``kinds`` when given: association id → count
    (participants without any are absent)."""
    ids = _ids(association_id, participant_ids)
    a, s = names(Activity), names(Source)
    in_assoc, p_assoc = in_list(f"a.{a.association}", ids, kind="int")
    in_src, p_src = in_list(f"s.{s.association}", ids, kind="int")
    # The participants' sources of that slug first (a handful of rows), then one pass over
    # the window's activities of those sources: PostgreSQL reads the period's block ranges
    # once (BRIN, in parallel) instead of once per participant through a join.
    with connection.cursor() as cur:
        cur.execute(f"SELECT s.{s.id} FROM {s} s WHERE {in_src} AND s.{s.slug} = %s",
                    [*p_src, source_slug])
        source_ids = [int(r[0]) for r in cur.fetchall()]
    if not source_ids:
        return {}
    in_source, p_source = in_list(f"a.{a.source}", source_ids, kind="int")
    sql = (f"SELECT a.{a.association}, COUNT(*) FROM {a} a WHERE {in_assoc} AND {in_source} "
           f"AND a.{a.occurred_at} >= %s AND a.{a.occurred_at} < %s")
    params: list = [*p_assoc, *p_source, _stamp(since), _stamp(until)]
    if kinds:
        in_kind, p_kind = in_list(f"a.{a.kind}", list(kinds))
        sql += f" AND {in_kind}"
        params += p_kind
    sql += f" GROUP BY a.{a.association}"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {int(k): int(n) for k, n in cur.fetchall()}


def member_counts(*, association_id: int, participant_ids: Sequence[int], on: date
                  ) -> dict[int, int]:
    """Memberships active on ``on`` in each participant's books: a term covers the day
    and the membership was not cancelled on or before it. Association id → count."""
    ids = _ids(association_id, participant_ids)
    t, m = names(Term), names(Membership)
    in_assoc, p_assoc = in_list(f"t.{t.association}", ids, kind="int")
    day = on if connection.vendor == "postgresql" else on.isoformat()
    sql = (f"SELECT t.{t.association}, COUNT(DISTINCT t.{t.membership}) FROM {t} t "
           f"JOIN {m} m ON m.{m.id} = t.{t.membership} AND m.{m.association} = t.{t.association} "
           f"WHERE {in_assoc} AND t.{t.starts_on} <= %s AND t.{t.ends_on} >= %s "
           f"AND (m.{m.cancelled_on} IS NULL OR m.{m.cancelled_on} > %s) "
           f"GROUP BY t.{t.association}")
    with connection.cursor() as cur:
        cur.execute(sql, [*p_assoc, day, day, day])
        return {int(k): int(n) for k, n in cur.fetchall()}
