"""Who may point activity at a person while people are being removed.

Activity carries no FK constraint to its person (a per-row check cost more than the rest
of the write). The guarantee comes from one PostgreSQL advisory lock per association
instead: every activity write that resolves people holds it shared for its transaction,
and removing a person (merge, ORM delete) holds it exclusively *before* locking any person
row. A removal therefore waits for the chunks in flight and then moves or deletes what they
wrote; chunks that start later wait for it and no longer find the person. SQLite needs none
of this: a write transaction there already holds the database's only write lock.
"""

from __future__ import annotations

from . import sql

_NAMESPACE = 0x0AC7  # the advisory key's first half: "activity → person"


def people_hold_shared(*, association_id: int) -> None:
    """Call inside the transaction that writes activity with person ids it looked up."""
    sql.advisory_lock(association_id=association_id, namespace=_NAMESPACE, shared=True)


def people_hold_exclusive(*, association_id: int) -> None:
    """Call inside the transaction that removes a person, before locking person rows."""
    sql.advisory_lock(association_id=association_id, namespace=_NAMESPACE, shared=False)
