"""Identity writes, set-based: tying the identifiers feeds carry to people.

(The lookups — which person an identifier belongs to — are reads:
``activity.selectors_identity.resolve`` / ``resolve_frame``.)

* ``email_hashes_sync``: every person with an email gets a hash identity, so hashed-email
  feeds match them.
* ``identities_link``: tie identifiers to people (existing ties win: an identifier never
  moves silently from one person to another) and backfill the unmatched activities that
  carried them onto the person's timeline with one UPDATE per call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from commonground.people.models import Person
from commonground.tenancy.models import Association

from ..models import Activity, Identity, IdentityKind
from .selectors import resolve_frame

KINDS = tuple(IdentityKind.values)  # email, ext, hash, anon


class Link(NamedTuple):
    """Tie ``kind:value`` (per source for ext ids) to a person."""

    person_id: int
    kind: str
    value: str
    source_id: int | None = None


def email_hash(email_key: str) -> str:
    """What a hashed-email feed carries: sha256 hex of the lower-cased normalised email."""
    return hashlib.sha256(email_key.strip().lower().encode()).hexdigest()


def _sqlite_functions() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_function("cg_sha256", 1, lambda v: email_hash(v or ""),
                                              deterministic=True)


def email_hashes_sync(*, association: Association) -> int:
    """Give every person with an email a hash identity, so hashed-email feeds match them.
    One INSERT … SELECT; people who already have theirs are skipped. Returns rows added."""
    _sqlite_functions()
    person_t, ident_t = Person._meta.db_table, Identity._meta.db_table
    digest = ("encode(sha256(convert_to(p.email_key, 'UTF8')), 'hex')"
              if connection.vendor == "postgresql" else "cg_sha256(p.email_key)")
    tail = " ON CONFLICT DO NOTHING" if connection.vendor == "postgresql" else ""
    verb = "INSERT" if connection.vendor == "postgresql" else "INSERT OR IGNORE"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f'{verb} INTO "{ident_t}" (association_id, person_id, kind, source_id, value, created_at) '
            f"SELECT p.association_id, p.id, 'hash', NULL, {digest}, %s "
            f'FROM "{person_t}" p WHERE p.association_id = %s AND p.email_key <> \'\' '
            f'AND NOT EXISTS (SELECT 1 FROM "{ident_t}" i WHERE i.association_id = p.association_id '
            f"AND i.kind = 'hash' AND i.source_id IS NULL AND i.value = {digest}){tail}",
            [_now(), association.pk])
        return max(cur.rowcount, 0)


def _now() -> Any:
    now = timezone.now()
    return connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now


def identities_link(*, association: Association, links: Iterable[Link | tuple]) -> dict[str, int]:
    """Tie identifiers to people and backfill their unmatched activities.

    ``links`` are ``(person_id, kind, value, source_id)``; ``source_id`` only for ``ext``.
    An identifier already tied to someone keeps its person (the first tie wins; merging
    people moves identities explicitly). Activities still waiting in the unmatched queue
    with that identifier (``anonymous_key = "kind:value"``, person empty) get the person
    the identifier is tied to. Returns ``{"linked": new identities, "backfilled": activities}``.
    """
    wanted: dict[tuple[str, int | None, str], int] = {}
    for link in links:
        person_id, kind, value, *rest = link
        source_id = rest[0] if rest else None
        value = (value or "").strip()
        if kind not in KINDS or not value or not person_id:
            continue
        if kind == IdentityKind.EMAIL:
            value = value.lower()
        if kind != IdentityKind.EXTERNAL:
            source_id = None
        elif source_id is None:
            continue  # an ext id means nothing without its source
        wanted.setdefault((kind, source_id, value), int(person_id))
    if not wanted:
        return {"linked": 0, "backfilled": 0}
    ident_t, act_t = Identity._meta.db_table, Activity._meta.db_table
    now = _now()
    rows = [(association.pk, pid, kind, src, value, now) for (kind, src, value), pid in wanted.items()]
    with transaction.atomic(), connection.cursor() as cur:
        linked = _insert_identities(cur, ident_t, rows)
        # The person each identifier is tied to now (new or existing), for the backfill.
        payload = [[kind, src, value] for kind, src, value in wanted]
        if connection.vendor == "postgresql":
            cur.execute(
                f'UPDATE "{act_t}" a SET person_id = i.person_id, anonymous_key = \'\' '
                f'FROM "{ident_t}" i, jsonb_to_recordset(%s::jsonb) AS l(k text, s bigint, v text) '
                f"WHERE i.association_id = %s AND i.kind = l.k AND i.value = l.v "
                f"AND i.source_id IS NOT DISTINCT FROM l.s "
                f"AND a.association_id = %s AND a.person_id IS NULL "
                f"AND a.anonymous_key = l.k || ':' || l.v AND (l.s IS NULL OR a.source_id = l.s)",
                [json.dumps([{"k": k, "s": s, "v": v} for k, s, v in payload]),
                 association.pk, association.pk])
        else:
            # SQLite plans UPDATE … FROM with the activity table outside: probe the
            # unmatched index once per identifier instead (one prepared statement).
            tied = _tied(association, wanted)
            before = connection.connection.total_changes
            cur.cursor.executemany(
                f'UPDATE "{act_t}" SET person_id = ?, anonymous_key = \'\' WHERE association_id = ? '
                f"AND person_id IS NULL AND anonymous_key = ? AND (? IS NULL OR source_id = ?)",
                [(pid, association.pk, f"{kind}:{value}", src, src) for (kind, src, value), pid in tied])
        backfilled = max(cur.rowcount, 0) if connection.vendor == "postgresql" else \
            connection.connection.total_changes - before
    return {"linked": linked, "backfilled": backfilled}


def _tied(association: Association, wanted: dict[tuple[str, int | None, str], int]
          ) -> list[tuple[tuple[str, int | None, str], int]]:
    """The person each wanted identifier is tied to now (new tie or an older one)."""
    by_group: dict[tuple[str, int | None], list[str]] = {}
    for kind, src, value in wanted:
        by_group.setdefault((kind, src), []).append(value)
    out = []
    for (kind, src), values in by_group.items():
        if kind == IdentityKind.EMAIL:  # the email identities, not Person.email_key
            rows = _identity_rows(association, kind, values)
        else:
            rows = list(resolve_frame(association=association, kind=kind, values=values,
                                      source_id=src).iter_rows())
        out += [((kind, src, value), pid) for value, pid in rows]
    return out


def _identity_rows(association: Association, kind: str, values: list[str]) -> list[tuple[str, int]]:
    return list(Identity.objects.filter(association=association, kind=kind, source__isnull=True,
                                        value__in=values).values_list("value", "person_id"))


def _insert_identities(cur, table: str, rows: list[tuple]) -> int:
    cols = "(association_id, person_id, kind, source_id, value, created_at)"
    if connection.vendor == "postgresql":
        a, p, k, s, v, t = zip(*rows, strict=True)
        cur.execute(
            f'INSERT INTO "{table}" {cols} SELECT * FROM unnest(%s::bigint[], %s::bigint[], '
            f"%s::text[], %s::bigint[], %s::text[], %s::timestamptz[]) ON CONFLICT DO NOTHING",
            [list(a), list(p), list(k), list(s), list(v), list(t)])
        return max(cur.rowcount, 0)
    before = connection.connection.total_changes
    cur.cursor.executemany(f'INSERT OR IGNORE INTO "{table}" {cols} VALUES (?, ?, ?, ?, ?, ?)', rows)
    return connection.connection.total_changes - before
