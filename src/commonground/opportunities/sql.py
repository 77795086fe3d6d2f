"""The matching engine's set-based reads, one function each (``tests/test_sql_tenancy.py``
runs each with two associations): ``association_id`` is a required keyword bound in
every statement; names come from ``_meta``. Each returns plain tuples, read in one pass
with a raw cursor, because the engine turns them into NumPy arrays for 10^5 people at once
and the ORM's per-row objects would cost more than the whole match.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from commonground.core.bulk import sql_literal
from commonground.core.bulk.names import names
from commonground.engagement.models import Contribution, ContributionStatus, MemberTrait, Outcome
from commonground.people.models import Person

from .models import Invitation, InvitationStatus


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def index_signature(*, association_id: int) -> tuple:
    """What the member index is built from, summarised: when any of it changes (a row
    added, edited or deleted), the signature changes and the index is rebuilt."""
    p, t, c, o = names(Person), names(MemberTrait), names(Contribution), names(Outcome)
    sql = (f"SELECT (SELECT COUNT(*) FROM {p} WHERE {p.association} = %s AND {p.erased_at} IS NULL), "
           f"(SELECT MAX({p.updated_at}) FROM {p} WHERE {p.association} = %s), "
           f"(SELECT COUNT(*) FROM {t} WHERE {t.association} = %s), "
           f"(SELECT MAX({t.updated_at}) FROM {t} WHERE {t.association} = %s), "
           f"(SELECT COUNT(*) FROM {c} WHERE {c.association} = %s), "
           f"(SELECT MAX({c.updated_at}) FROM {c} WHERE {c.association} = %s), "
           f"(SELECT COUNT(*) FROM {o} WHERE {o.association} = %s), "
           f"(SELECT MAX({o.id}) FROM {o} WHERE {o.association} = %s)")
    row = _rows(sql, [association_id] * 8)[0]
    return tuple(str(v) for v in row)


def member_people(*, association_id: int) -> list[tuple]:
    """(person id, chapter id or None, member status) of everyone not erased, by id."""
    p = names(Person)
    return _rows(f"SELECT {p.id}, {p.chapter}, {p.member_status} FROM {p} "
                 f"WHERE {p.association} = %s AND {p.erased_at} IS NULL ORDER BY {p.id}",
                 [association_id])


def member_traits(*, association_id: int) -> list[tuple]:
    """(person id, trait id, source, strength) of every trait anyone holds."""
    t = names(MemberTrait)
    return _rows(f"SELECT {t.person}, {t.trait}, {t.source}, {t.strength} FROM {t} "
                 f"WHERE {t.association} = %s", [association_id])


def member_texts(*, association_id: int) -> list[tuple]:
    """(person id, text): what people wrote or did, in words — trait notes, the titles of
    contributions not rejected, outcome titles — for the lexical match."""
    t, c, o = names(MemberTrait), names(Contribution), names(Outcome)
    rejected = sql_literal(ContributionStatus.REJECTED.value)
    sql = (f"SELECT {t.person}, {t.note} FROM {t} WHERE {t.association} = %s AND {t.note} <> '' "
           f"UNION ALL SELECT {c.person}, {c.title} FROM {c} "
           f"WHERE {c.association} = %s AND {c.status} <> {rejected} "
           f"UNION ALL SELECT {o.person}, {o.title} FROM {o} WHERE {o.association} = %s")
    return _rows(sql, [association_id] * 3)


def contribution_counts(*, association_id: int) -> list[tuple]:
    """(person id, kind, verified count, last verified date) per person and kind."""
    c = names(Contribution)
    verified = sql_literal(ContributionStatus.VERIFIED.value)
    return _rows(f"SELECT {c.person}, {c.kind}, COUNT(*), MAX({c.occurred_on}) FROM {c} "
                 f"WHERE {c.association} = %s AND {c.status} = {verified} "
                 f"GROUP BY {c.person}, {c.kind}", [association_id])


def invitation_load(*, association_id: int, since: datetime) -> list[tuple]:
    """(person id, times asked since ``since``, open commitments) for everyone asked
    lately or holding an accepted invitation: the availability side of the match."""
    i = names(Invitation)
    accepted = sql_literal(InvitationStatus.ACCEPTED.value)
    sql = (f"SELECT {i.person}, "
           f"SUM(CASE WHEN {i.invited_at} >= %s THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN {i.status} = {accepted} THEN 1 ELSE 0 END) FROM {i} "
           f"WHERE {i.association} = %s AND ({i.invited_at} >= %s OR {i.status} = {accepted}) "
           f"GROUP BY {i.person}")
    at = connection.ops.adapt_datetimefield_value(since)
    return _rows(sql, [at, association_id, at])
