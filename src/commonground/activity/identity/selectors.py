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

import json
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl
from django.db import connection

from commonground.people.models import Person
from commonground.tenancy.models import Association

from ..models import Identity, IdentityKind


def _array(values: Sequence[Any], kind: str = "text") -> tuple[str, list[Any]]:
    """A list as one parameter: a PostgreSQL array, or a JSON array SQLite reads with json_each."""
    if connection.vendor == "postgresql":
        return f"%s::{kind}[]", [list(values)]
    return "(SELECT value FROM json_each(%s))", [json.dumps(list(values))]


def resolve_frame(*, association: Association, kind: str, values: Sequence[str],
                  source_id: int | None = None) -> pl.DataFrame:
    """``value`` → ``person_id`` for the values that match someone (distinct values in)."""
    values = [v for v in dict.fromkeys(values) if v]
    schema = {"value": pl.Utf8, "person_id": pl.Int64}
    if not values:
        return pl.DataFrame(schema=schema)
    person_t, ident_t = Person._meta.db_table, Identity._meta.db_table
    rows: list[tuple[str, int]] = []
    with connection.cursor() as cur:
        if kind == IdentityKind.EMAIL:
            expr, params = _array(values)
            op = "= ANY(" + expr + ")" if connection.vendor == "postgresql" else "IN " + expr
            cur.execute(f'SELECT email_key, id FROM "{person_t}" WHERE association_id = %s '
                        f"AND email_key {op}", [association.pk, *params])
            rows = cur.fetchall()
            found = {r[0] for r in rows}
            values = [v for v in values if v not in found]
            if not values:
                return pl.DataFrame(rows, schema=schema, orient="row")
        expr, params = _array(values)
        op = "= ANY(" + expr + ")" if connection.vendor == "postgresql" else "IN " + expr
        src = "source_id = %s" if kind == IdentityKind.EXTERNAL else "source_id IS NULL"
        src_params = [source_id] if kind == IdentityKind.EXTERNAL else []
        cur.execute(f'SELECT value, person_id FROM "{ident_t}" WHERE association_id = %s '
                    f"AND kind = %s AND {src} AND value {op}",
                    [association.pk, kind, *src_params, *params])
        rows += cur.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def resolve(*, association: Association, kind: str, values: Iterable[str],
            source_id: int | None = None) -> dict[str, int]:
    """``{value: person_id}`` for the values that match someone."""
    frame = resolve_frame(association=association, kind=kind, values=list(values),
                          source_id=source_id)
    return dict(frame.iter_rows())


