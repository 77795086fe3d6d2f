"""Identity writes, set-based: tying the identifiers feeds carry to people.

(The lookups — which person an identifier belongs to — are reads:
``activity.identity.selectors.resolve`` / ``resolve_frame``.)

* ``email_hashes_sync``: every person with an email gets a hash identity, so hashed-email
  feeds match them.
* ``identities_link``: tie identifiers to people (existing ties win: an identifier never
  moves silently from one person to another) and backfill the unmatched activities that
  carried them onto the person's timeline with one UPDATE per call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from commonground.tenancy.models import Association

from .. import sql
from ..models import IdentityKind

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


def email_hashes_sync(*, association: Association) -> int:
    """Give every person with an email a hash identity, so hashed-email feeds match them.
    One INSERT … SELECT; people who already have theirs are skipped. Returns rows added."""
    with transaction.atomic():
        return sql.email_hashes_insert(association_id=association.pk, now=timezone.now())


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
    rows = [(pid, kind, src, value) for (kind, src, value), pid in wanted.items()]
    with transaction.atomic():
        linked = sql.identities_insert(association_id=association.pk, rows=rows,
                                       now=timezone.now())
        # The person each identifier is tied to now (new or existing) gets its waiting rows.
        backfilled = sql.unmatched_backfill(association_id=association.pk, identifiers=list(wanted))
    return {"linked": linked, "backfilled": backfilled}
