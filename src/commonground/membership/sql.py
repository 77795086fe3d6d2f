"""Every hand-written SQL statement of the membership app, one function each: the person's
copy of their current membership, and the roster import's set-based reads and writes.

The rules (``tests/test_sql_tenancy.py`` checks each function): ``association_id`` is a
required keyword and every statement binds it, even where a primary key would already
narrow the rows (django-scopes cannot see raw SQL); table and column names come from
``_meta`` (``core.bulk.names``); callers keep the Python logic.

The roster import writes people, so some statements here touch the people app's tables:
the statement lives with the feature that issues it (membership sits above people).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from django.db import connection

from commonground.core.bulk import in_list, key_ids, sql_literal
from commonground.core.bulk.names import names
from commonground.people.models import Organisation, Person, Relationship

from .models import Membership, Status, Term, Transition

_LIVE = (Status.ACTIVE, Status.RENEWAL_DUE, Status.GRACE)
_SUMMARY_CHUNK = 5000


# ---------------------------------------------------------------- the person's summary

@cache
def _summary_sql(vendor: str) -> str:
    """``UPDATE person SET (summary) = (current membership)`` for the association's people
    (``{people}`` narrows it further), skipping rows already right.

    The person's current membership is the live one first, else the one that ended last:
    a correlated sub-query per person (one probe of the membership person index) plans
    the same on SQLite and PostgreSQL at any size. On SQLite its association term is
    written ``+m.association`` so that the planner never trades the person index for an
    association one (PostgreSQL's statistics see the person index is the one to use, and
    it misjudges how many rows an expression like ``+column`` keeps).
    """
    p, m = names(Person), names(Membership)
    same = f"{'+' if vendor == 'sqlite' else ''}m.{m.association} = {p}.{p.association}"
    summary = f"{p.member_status}, {p.member_plan}, {p.member_since}, {p.member_until}"
    live = ", ".join(sql_literal(s.value) for s in _LIVE)

    def current(head: str = "", tail: str = "") -> str:
        return (f"(SELECT {head}m.{m.status}, m.{m.plan}, m.{m.joined_on}, m.{m.ends_on}{tail} "
                f"FROM {m} m WHERE m.{m.person} = {p}.{p.id} AND {same} "
                f"ORDER BY CASE WHEN m.{m.status} IN ({live}) THEN 0 ELSE 1 END, "
                f"m.{m.ends_on} DESC, m.{m.id} DESC LIMIT 1)")

    # PostgreSQL compares a ROW with a row-valued sub-query; SQLite compares row values
    # with IS NOT.
    unchanged = (f"ROW({summary}) IS DISTINCT FROM {current('ROW(', ')')}"
                 if vendor == "postgresql" else f"({summary}) IS NOT {current()}")
    return (f"UPDATE {p} SET ({summary}) = {current()} WHERE {p.association} = %s {{people}} "
            f"AND EXISTS (SELECT 1 FROM {m} m WHERE m.{m.person} = {p}.{p.id} AND {same}) "
            f"AND {unchanged}")


def member_summary_refresh(*, association_id: int, person_ids: Iterable[int] | None = None) -> int:
    """Copy each person's current membership onto the person (status, plan, dates): the
    association's people with a membership, or only ``person_ids``. One UPDATE per 5,000
    people (or one for the whole association). Returns how many people changed."""
    sql = _summary_sql(connection.vendor)
    p = names(Person)
    with connection.cursor() as cur:
        if person_ids is None:
            cur.execute(sql.format(people=""), [association_id])
            return cur.rowcount
        ids = sorted({int(i) for i in person_ids if i is not None})
        changed = 0
        for start in range(0, len(ids), _SUMMARY_CHUNK):
            chunk = ids[start:start + _SUMMARY_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(sql.format(people=f"AND {p.id} IN ({marks})"), [association_id, *chunk])
            changed += cur.rowcount
    return changed


# ---------------------------------------------------------------- the history import

def _assoc(column: str) -> str:
    # "+association" keeps SQLite on the person / membership index, not a scan of the
    # association.
    return f"+{column}" if connection.vendor == "sqlite" else column


def history_memberships(*, association_id: int, person_ids: Sequence[int]) -> list[tuple]:
    """``(id, person_id, plan_id, status, joined_on, ends_on, lapsed_on)`` (dates as ISO
    text) of the memberships of ``person_ids``."""
    if not person_ids:
        return []
    m = names(Membership)
    where, params = in_list(m.person, list(person_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {m.id}, {m.person}, {m.plan}, {m.status}, CAST({m.joined_on} AS TEXT), "
                    f"CAST({m.ends_on} AS TEXT), CAST({m.lapsed_on} AS TEXT) FROM {m} "
                    f"WHERE {_assoc(m.association)} = %s AND {where}", [association_id, *params])
        return cur.fetchall()


def history_terms(*, association_id: int, membership_ids: Sequence[int]) -> list[tuple]:
    """``(membership_id, starts_on, ends_on, inferred)`` (dates as ISO text) of the terms of
    ``membership_ids``."""
    if not membership_ids:
        return []
    t = names(Term)
    where, params = in_list(t.membership, list(membership_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {t.membership}, CAST({t.starts_on} AS TEXT), CAST({t.ends_on} AS TEXT), "
                    f"{t.inferred} FROM {t} WHERE {_assoc(t.association)} = %s AND {where}",
                    [association_id, *params])
        return [(m, s, e, bool(i)) for m, s, e, i in cur.fetchall()]


def history_last_lapses(*, association_id: int, membership_ids: Sequence[int]
                        ) -> list[tuple[int, str]]:
    """``(membership_id, the day of its latest lapsed transition as ISO text)``."""
    if not membership_ids:
        return []
    x = names(Transition)
    where, params = in_list(x.membership, list(membership_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {x.membership}, CAST(MAX({x.on}) AS TEXT) FROM {x} "
                    f"WHERE {_assoc(x.association)} = %s AND {x.event} = 'lapsed' AND {where} "
                    f"GROUP BY {x.membership}", [association_id, *params])
        return cur.fetchall()


def history_clear(*, association_id: int, membership_ids: Sequence[int]) -> None:
    """Delete the terms and transitions of ``membership_ids`` (whose terms were all
    inferred: the history import writes the real ones)."""
    if not membership_ids:
        return
    with connection.cursor() as cur:
        for model in (Term, Transition):
            n = names(model)
            where, params = in_list(n.membership, list(membership_ids), kind="int")
            cur.execute(f"DELETE FROM {n} WHERE {n.association} = %s AND {where}",
                        [association_id, *params])


def history_memberships_update(*, association_id: int, rows: Iterable[Sequence[Any]]) -> None:
    """Set each membership's ``joined_on, starts_on, ends_on, status, lapsed_on, updated_at``
    (a row: those values, then its id); a cancellation is undone (the history continues)."""
    m = names(Membership)
    fields = ", ".join(f"{getattr(m, f)} = %s" for f in
                       ("joined_on", "starts_on", "ends_on", "status", "lapsed_on", "updated_at"))
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {m} SET {fields}, {m.cancelled_on} = NULL "
                        f"WHERE {m.id} = %s AND {m.association} = %s",
                        [(*row, association_id) for row in rows])


# ---------------------------------------------------------------- the roster import

def roster_people(*, association_id: int, field: str, values: Sequence[str],
                  fields: Sequence[str]) -> list[tuple]:
    """The association's people whose ``field`` (``email_key`` or ``external_id``) is in
    ``values``: ``fields`` of each, then the custom values as JSON text, then whether the
    person was erased. One plain query (no ORM rows)."""
    if not values:
        return []
    p = names(Person)
    key = getattr(p, field)
    where, params = in_list(key, list(values))
    custom = f"{p.custom}::text" if connection.vendor == "postgresql" else p.custom
    cols = ", ".join([*(getattr(p, f) for f in fields), custom, f"{p.erased_at} IS NOT NULL"])
    # The email index is partial (no ''): naming its condition lets the planner use it;
    # emails are unique, so no ORDER BY (SQLite would rather scan the association in id
    # order than sort).
    tail = f" AND NOT ({key} = '')" if field == "email_key" else f" ORDER BY {p.id}"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {p} WHERE {p.association} = %s AND {where}{tail}",
                    [association_id, *params])
        return cur.fetchall()


def roster_people_update(*, association_id: int, fields: Sequence[str],
                         rows: Iterable[Sequence[Any]]) -> None:
    """Overwrite ``fields`` of existing people: each row is their values, then the
    person's id (one prepared UPDATE for the chunk)."""
    p = names(Person)
    sets = ", ".join(f"{getattr(p, f)} = %s" for f in fields)
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {p} SET {sets} WHERE {p.id} = %s AND {p.association} = %s",
                        [(*row, association_id) for row in rows])


def organisation_ids(*, association_id: int, name_keys: Sequence[str]) -> list[tuple[str, int]]:
    """``(name_key, id)`` of the association's organisations among ``name_keys``."""
    return key_ids(Organisation, "name_key", name_keys, association_id=association_id)


def relationship_pairs(*, association_id: int, kind: str,
                       person_ids: Sequence[int]) -> list[tuple[int, int]]:
    """``(person_id, organisation_id)`` of the ``kind`` ties of ``person_ids``."""
    if not person_ids:
        return []
    r = names(Relationship)
    where, params = in_list(r.person, list(person_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {r.person}, {r.organisation} FROM {r} WHERE {r.association} = %s "
                    f"AND {r.kind} = %s AND {where}", [association_id, kind, *params])
        return cur.fetchall()


def memberships_of(*, association_id: int, person_ids: Sequence[int]) -> list[tuple]:
    """``(person_id, id, plan_id, status, ends_on as ISO text)`` of the memberships of
    ``person_ids``."""
    if not person_ids:
        return []
    m = names(Membership)
    where, params = in_list(m.person, list(person_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {m.person}, {m.id}, {m.plan}, {m.status}, CAST({m.ends_on} AS TEXT) "
                    f"FROM {m} WHERE {_assoc(m.association)} = %s AND {where}",
                    [association_id, *params])
        return cur.fetchall()


def roster_memberships_update(*, association_id: int, rows: Iterable[Sequence[Any]]) -> None:
    """Set the current term and status of memberships the import renewed: each row is
    ``(starts_on, ends_on, status, lapsed_on, updated_at, id)`` (one prepared UPDATE)."""
    m = names(Membership)
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {m} SET {m.starts_on} = %s, {m.ends_on} = %s, {m.status} = %s, "
            f"{m.lapsed_on} = %s, {m.updated_at} = %s WHERE {m.id} = %s AND {m.association} = %s",
            [(*row, association_id) for row in rows])


def roster_transitions_withdraw(*, association_id: int, rows: Iterable[Sequence[Any]]) -> int:
    """Delete the ``grace`` and ``lapsed`` transitions recorded after a membership's old
    end, for memberships a later expiry renewed: each row is ``(membership_id, old_end)``.
    Those two events are only ever derived from the end date by rules (the daily advance,
    an inferred history), never entered by a person. Returns how many went."""
    t = names(Transition)
    events = ", ".join(sql_literal(e) for e in (Status.GRACE.value, Status.LAPSED.value))
    rows = [(association_id, *row) for row in rows]
    if not rows:
        return 0
    with connection.cursor() as cur:
        cur.executemany(
            f"DELETE FROM {t} WHERE {t.association} = %s AND {t.membership} = %s "
            f"AND {t.on} > %s AND {t.event} IN ({events})", rows)
        return cur.rowcount


def last_transition_status(*, association_id: int, membership_ids: Sequence[int]
                           ) -> list[tuple[int, str]]:
    """``(membership_id, to_status)`` of the latest transition (by day, then id) of each of
    ``membership_ids`` that has one."""
    if not membership_ids:
        return []
    t = names(Transition)
    where, params = in_list(t.membership, list(membership_ids), kind="int")
    with connection.cursor() as cur:
        cur.execute(f"SELECT {t.membership}, {t.to_status} FROM {t} WHERE {t.association} = %s "
                    f"AND {where} ORDER BY {t.membership}, {t.on}, {t.id}",
                    [association_id, *params])
        return cur.fetchall()
