"""When people get an email, the unmatched activities that carried it join their timeline.

Feeds that saw an email (or its sha256) before anyone had it leave activities in the
unmatched queue with ``anonymous_key`` "email:<key>" / "hash:<sha256 of key>". Person
create and update (UI, API) and the roster import (once per chunk) call
``activities_backfill_emails``: one index probe for the whole set of keys, then, only for
keys that are actually waiting, ``identity.services.identities_link`` ties the identifier to the
person (so later rows match too) and moves the activities with one UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from commonground.tenancy.models import Association

from ..identity.services import email_hash, identities_link
from ..models import Activity, IdentityKind

_KINDS = (IdentityKind.EMAIL.value, IdentityKind.HASHED_EMAIL.value)


def _waiting_kinds(cur, association_id: int) -> set[str]:
    """Which of "email"/"hash" keys wait in the queue at all: one range probe of the
    unmatched index per kind, so the import's common case (an empty queue, or only
    anonymous visitors) costs two lookups and no hashing."""
    table = Activity._meta.db_table
    kinds = set()
    for kind in _KINDS:
        # One plain range per query (an OR of ranges makes SQLite scan the queue); ":" + 1
        # is ";", so every "kind:…" key sorts in ["kind:", "kind;").
        cur.execute(f'SELECT 1 FROM "{table}" WHERE association_id = %s AND person_id IS NULL '
                    f"AND anonymous_key >= %s AND anonymous_key < %s LIMIT 1",
                    [association_id, f"{kind}:", f"{kind};"])
        if cur.fetchone() is not None:
            kinds.add(kind)
    return kinds


def _waiting(cur, association_id: int, keys: list[str]) -> set[str]:
    """The keys that have activities waiting: one index probe per key. On PostgreSQL the
    LIMIT inside LATERAL keeps it a probe (a plain join or "= ANY" lets the planner read
    the whole queue into a hash once it is large); SQLite plans "IN (json_each)" as probes."""
    table = Activity._meta.db_table
    if connection.vendor == "postgresql":
        cur.execute(f"SELECT k.key FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL "
                    f'(SELECT 1 FROM "{table}" a WHERE a.association_id = %s '
                    f"AND a.person_id IS NULL AND a.anonymous_key = k.key LIMIT 1) AS hit",
                    [keys, association_id])
    else:
        cur.execute(f'SELECT DISTINCT anonymous_key FROM "{table}" WHERE association_id = %s '
                    f"AND person_id IS NULL AND anonymous_key IN (SELECT value FROM json_each(%s))",
                    [association_id, json.dumps(keys)])
    return {row[0] for row in cur.fetchall()}


def activities_backfill_emails(*, association: Association,
                               people: Iterable[tuple[int, str]]) -> int:
    """Attach waiting "email:"/"hash:" activities to the people who now have those emails.

    ``people`` are ``(person_id, email_key)`` pairs (blank keys are skipped). Returns how
    many activities moved. Identifiers already tied to someone else keep their person
    (``identities_link``'s rule), so this never takes activities from another person.
    """
    with connection.cursor() as cur:
        kinds = _waiting_kinds(cur, association.pk)
        if not kinds:
            return 0
        wanted: dict[str, tuple[int, str, str]] = {}
        for person_id, key in people:
            key = (key or "").strip().lower()
            if not key or not person_id:
                continue
            if IdentityKind.EMAIL in kinds:
                wanted.setdefault(f"email:{key}", (person_id, IdentityKind.EMAIL, key))
            if IdentityKind.HASHED_EMAIL in kinds:
                digest = email_hash(key)
                wanted.setdefault(f"hash:{digest}", (person_id, IdentityKind.HASHED_EMAIL, digest))
        if not wanted:
            return 0
        found = _waiting(cur, association.pk, list(wanted))
    if not found:
        return 0
    links = [wanted[k] for k in sorted(found)]
    return identities_link(association=association, links=links)["backfilled"]
