"""When people get an email, the unmatched activities that carried it join their timeline.

Feeds that saw an email (or its sha256) before anyone had it leave activities in the
unmatched queue with ``anonymous_key`` "email:<key>" / "hash:<sha256 of key>". Person
create and update (UI, API) and the roster import (once per chunk) call
``activities_backfill_emails``: one index probe for the whole set of keys, then, only for
keys that are actually waiting, ``identity.services.identities_link`` ties the identifier to the
person (so later rows match too) and moves the activities with one UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterable

from commonground.tenancy.models import Association

from .. import sql
from ..identity.services import email_hash, identities_link
from ..models import IdentityKind

_KINDS = (IdentityKind.EMAIL.value, IdentityKind.HASHED_EMAIL.value)


def activities_backfill_emails(*, association: Association,
                               people: Iterable[tuple[int, str]]) -> int:
    """Attach waiting "email:"/"hash:" activities to the people who now have those emails.

    ``people`` are ``(person_id, email_key)`` pairs (blank keys are skipped). Returns how
    many activities moved. Identifiers already tied to someone else keep their person
    (``identities_link``'s rule), so this never takes activities from another person.
    """
    # Which of "email"/"hash" keys wait in the queue at all: the import's common case (an
    # empty queue, or only anonymous visitors) costs two index probes and no hashing.
    kinds = sql.unmatched_waiting_kinds(association_id=association.pk, kinds=_KINDS)
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
    found = sql.unmatched_waiting_keys(association_id=association.pk, keys=list(wanted))
    if not found:
        return 0
    links = [wanted[k] for k in sorted(found)]
    return identities_link(association=association, links=links)["backfilled"]
