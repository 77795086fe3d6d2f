"""When people get an email, the unmatched activities that carried it join their timeline.

Feeds that saw an email (or its sha256) before anyone had it leave activities in the
unmatched queue with ``anonymous_key`` "email:<key>" / "hash:<sha256 of key>". Person
create and update (UI, API) and the roster import (once per chunk) call
``activities_backfill_emails``: one index probe for the whole set of keys, then, only for
keys that are actually waiting, ``identity.identities_link`` ties the identifier to the
person (so later rows match too) and moves the activities with one UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from commonground.tenancy.models import Association

from .identity import email_hash, identities_link
from .models import Activity, IdentityKind

_PREFIXES = (f"{IdentityKind.EMAIL}:", f"{IdentityKind.HASHED_EMAIL}:")


def _queue_has_emails(cur, association_id: int) -> bool:
    """Any email/hash keys waiting at all? A range probe of the unmatched index, so the
    import's common case (an empty queue, or only anonymous visitors) costs one lookup."""
    table = Activity._meta.db_table
    ranges = " OR ".join("(anonymous_key >= %s AND anonymous_key < %s)" for _ in _PREFIXES)
    # ":" + 1 is ";": every key with the prefix sorts in [prefix, prefix with ";").
    bounds = [b for p in _PREFIXES for b in (p, p[:-1] + ";")]
    cur.execute(f'SELECT 1 FROM "{table}" WHERE association_id = %s AND person_id IS NULL '
                f"AND ({ranges}) LIMIT 1", [association_id, *bounds])
    return cur.fetchone() is not None


def _waiting(cur, association_id: int, keys: list[str]) -> set[str]:
    table = Activity._meta.db_table
    if connection.vendor == "postgresql":
        where, params = "anonymous_key = ANY(%s::text[])", [keys]
    else:
        where, params = "anonymous_key IN (SELECT value FROM json_each(%s))", [json.dumps(keys)]
    cur.execute(f'SELECT DISTINCT anonymous_key FROM "{table}" WHERE association_id = %s '
                f"AND person_id IS NULL AND {where}", [association_id, *params])
    return {row[0] for row in cur.fetchall()}


def activities_backfill_emails(*, association: Association,
                               people: Iterable[tuple[int, str]]) -> int:
    """Attach waiting "email:"/"hash:" activities to the people who now have those emails.

    ``people`` are ``(person_id, email_key)`` pairs (blank keys are skipped). Returns how
    many activities moved. Identifiers already tied to someone else keep their person
    (``identities_link``'s rule), so this never takes activities from another person.
    """
    wanted: dict[str, tuple[int, str, str]] = {}
    for person_id, key in people:
        key = (key or "").strip().lower()
        if not key or not person_id:
            continue
        wanted.setdefault(f"{IdentityKind.EMAIL}:{key}", (person_id, IdentityKind.EMAIL, key))
        digest = email_hash(key)
        wanted.setdefault(f"{IdentityKind.HASHED_EMAIL}:{digest}",
                          (person_id, IdentityKind.HASHED_EMAIL, digest))
    if not wanted:
        return 0
    with connection.cursor() as cur:
        if not _queue_has_emails(cur, association.pk):
            return 0
        found = _waiting(cur, association.pk, list(wanted))
    if not found:
        return 0
    links = [wanted[k] for k in sorted(found)]
    return identities_link(association=association, links=links)["backfilled"]


def activities_backfill_import(*, association: Association, new, changed) -> int:
    """The roster import's hook, once per chunk: ``new`` and ``changed`` are its polars
    frames of written people (``pid``, ``new_email_key``, and ``db_email_key`` for changed
    people); only new emails are probed."""
    import polars as pl

    gained = pl.concat([
        new.select("pid", "new_email_key"),
        changed.filter(pl.col("new_email_key") != pl.col("db_email_key").fill_null(""))
        .select("pid", "new_email_key"),
    ]).filter(pl.col("new_email_key") != "")
    if gained.height == 0:
        return 0
    return activities_backfill_emails(association=association, people=gained.iter_rows())
