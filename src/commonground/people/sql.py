"""Every hand-written SQL statement of the people app, one function each.

The rules (``tests/test_sql_tenancy.py`` checks each function): ``association_id`` is a
required keyword and every statement binds it (django-scopes cannot see raw SQL);
table and column names come from ``_meta`` (``core.bulk.names``); callers keep the
Python logic.
"""

from __future__ import annotations

from django.db import connection

from commonground.core.bulk.names import names

from .models import DuplicateDismissal, Person, Relationship


def duplicate_people(*, association_id: int) -> list[tuple]:
    """``(id, first_name, last_name, email_key, phone, postal_code)`` of every person of
    the association not erased: the duplicate finder's input, without ORM rows."""
    p = names(Person)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {p.id}, {p.first_name}, {p.last_name}, {p.email_key}, {p.phone}, "
                    f"{p.postal_code} FROM {p} WHERE {p.association} = %s AND {p.erased_at} IS NULL",
                    [association_id])
        return cur.fetchall()


def duplicate_organisation_ties(*, association_id: int) -> list[tuple[int, int]]:
    """Distinct ``(person_id, organisation_id)`` ties of the association."""
    r = names(Relationship)
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT {r.person}, {r.organisation} FROM {r} "
                    f"WHERE {r.association} = %s", [association_id])
        return cur.fetchall()


def duplicates_version(*, association_id: int) -> tuple[tuple, tuple, tuple]:
    """Cheap aggregates that change whenever people, their ties or dismissals change:
    the duplicate finder's cache key."""
    p, r, d = names(Person), names(Relationship), names(DuplicateDismissal)
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), MAX({p.id}), MAX({p.updated_at}) FROM {p} "
                    f"WHERE {p.association} = %s", [association_id])
        people = cur.fetchone()
        cur.execute(f"SELECT COUNT(*), MAX({r.id}) FROM {r} WHERE {r.association} = %s",
                    [association_id])
        ties = cur.fetchone()
        cur.execute(f"SELECT COUNT(*), MAX({d.id}) FROM {d} WHERE {d.association} = %s",
                    [association_id])
        dismissed = cur.fetchone()
    return people, ties, dismissed


def person_delete_merged(*, association_id: int, person_id: int) -> int:
    """Delete the person a merge removed. Raw: nothing references the row any more (the
    merge checked), and the ORM's delete would scan every table with a person column and
    write a stray history row. Returns rows deleted."""
    p = names(Person)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {p} WHERE {p.id} = %s AND {p.association} = %s",
                    [person_id, association_id])
        return cur.rowcount
