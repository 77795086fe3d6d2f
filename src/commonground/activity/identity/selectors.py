"""Identity resolution, set-based (reads only): which person an identifier a feed carries
belongs to.

``resolve`` / ``resolve_frame``: one query per identity kind for a whole chunk of values.
Emails match ``Person.email_key`` first, then ``Identity(kind=email)``; hashed emails
``Identity(kind=hash)`` (kept in step with people's emails by
``identity.services.email_hashes_sync``); a source's own ids ``Identity(kind=ext,
source=…)``; visitor ids ``Identity(kind=anon)``. Tying identifiers to people is a write:
``identity.services.identities_link``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from commonground.tenancy.models import Association

from .. import sql
from ..models import IdentityKind


def resolve_frame(*, association: Association, kind: str, values: Sequence[str],
                  source_id: int | None = None) -> pl.DataFrame:
    """``value`` → ``person_id`` for the values that match someone (distinct values in)."""
    values = [v for v in dict.fromkeys(values) if v]
    schema = {"value": pl.Utf8, "person_id": pl.Int64}
    if not values:
        return pl.DataFrame(schema=schema)
    rows: list[tuple[str, int]] = []
    if kind == IdentityKind.EMAIL:
        rows = sql.person_ids_by_email_key(association_id=association.pk, values=values)
        found = {r[0] for r in rows}
        values = [v for v in values if v not in found]
        if not values:
            return pl.DataFrame(rows, schema=schema, orient="row")
    rows += sql.identity_person_ids(association_id=association.pk, kind=kind, values=values,
                                    source_id=source_id)
    return pl.DataFrame(rows, schema=schema, orient="row")


def resolve(*, association: Association, kind: str, values: Iterable[str],
            source_id: int | None = None) -> dict[str, int]:
    """``{value: person_id}`` for the values that match someone."""
    frame = resolve_frame(association=association, kind=kind, values=list(values),
                          source_id=source_id)
    return dict(frame.iter_rows())


