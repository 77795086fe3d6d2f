"""Writing one chunk: resolve identities set-based, insert idempotently, link and backfill.

PostgreSQL: the ids the source already delivered are looked up set-based, and the rest of
the chunk is COPYed straight into the activity table (one multi-row write, no speculative
insertion per row). Should another delivery of the same source have written some of those
ids meanwhile, the COPY's savepoint is undone and the chunk goes through a staging table and
``INSERT … ON CONFLICT (association, source, external_id) DO NOTHING`` instead.
SQLite: one ``INSERT OR IGNORE`` executemany with the constants written into the statement.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from commonground.core.bulk import insert_frame
from commonground.tenancy.models import Association

from .. import sql
from ..identity.selectors import resolve_frame
from ..identity.services import Link, identities_link
from ..locks import people_hold_shared
from ..models import Activity, ActivityReject


def resolve_people(frame: pl.DataFrame, *, association: Association, source_id: int
                   ) -> tuple[pl.DataFrame, list[Link]]:
    """Add ``person_id`` and ``anonymous_key``; return the new ties the chunk reveals.

    Emails win over hashed emails, then the source's own ids, then visitor ids. A row that
    carries a visitor id (or a source id) besides an identity that resolved ties the
    visitor to the person: the chunk's own anonymous rows with that visitor id land on the
    person too, and earlier ones are backfilled by ``identities_link``.
    """
    pids = []
    for kind in ("email", "hash", "ext", "anon"):
        values = frame.get_column(kind).drop_nulls().unique().to_list()
        name = f"_p_{kind}"
        pids.append(name)
        if not values:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(name))
            continue
        found = resolve_frame(association=association, kind=kind, values=values,
                              source_id=source_id if kind == "ext" else None)
        frame = frame.join(found.rename({"value": kind, "person_id": name}), on=kind, how="left")
    frame = frame.with_columns(pl.coalesce(pids).alias("person_id"))
    links: list[Link] = []
    for kind in ("anon", "ext"):
        # First row (by line) that ties an untied id to a person wins.
        ties = (frame.filter(pl.col(kind).is_not_null() & pl.col(f"_p_{kind}").is_null()
                             & pl.col("person_id").is_not_null())
                .sort("line").unique(subset=[kind], keep="first")
                .select(kind, pl.col("person_id").alias(f"_t_{kind}")))
        if ties.height == 0:
            continue
        links += [Link(pid, kind, value, source_id if kind == "ext" else None)
                  for value, pid in ties.iter_rows()]
        frame = frame.join(ties, on=kind, how="left").with_columns(
            pl.coalesce("person_id", f"_t_{kind}").alias("person_id")).drop(f"_t_{kind}")
    key = pl.coalesce([pl.concat_str([pl.lit(f"{k}:"), pl.col(k)]) for k in ("email", "hash", "ext", "anon")])
    frame = frame.with_columns(
        pl.when(pl.col("person_id").is_null()).then(key.str.slice(0, 254)).otherwise(pl.lit(""))
        .alias("anonymous_key"))
    return frame.drop(pids), links


def insert_activities(frame: pl.DataFrame, *, association_id: int, source_id: int,
                      batch_id: int | None) -> tuple[int, int]:
    """Insert, skipping rows already there (same source and external id).
    Returns (created, created without a person)."""
    if frame.height == 0:
        return 0, 0
    if connection.vendor != "postgresql":
        return sql.activities_insert_new(association_id=association_id, source_id=source_id,
                                         batch_id=batch_id, frame=frame)
    fresh = _new_rows(frame, association_id=association_id, source_id=source_id)
    if fresh.height == 0:
        return 0, 0
    consts = {"association_id": association_id, "source_id": source_id, "batch_id": batch_id}
    try:
        with transaction.atomic():  # a savepoint: a clash undoes only the COPY
            insert_frame(Activity, fresh.select(sql.ACTIVITY_COLUMNS), consts)
        return fresh.height, fresh.get_column("person_id").null_count()
    except (IntegrityError, psycopg.IntegrityError):  # raw COPY: psycopg's own
        # Another delivery of the same source wrote some of these ids since the lookup:
        # let the unique index decide row by row.
        return sql.activities_insert_new(association_id=association_id, source_id=source_id,
                                         batch_id=batch_id, frame=fresh)


def _new_rows(frame: pl.DataFrame, *, association_id: int, source_id: int) -> pl.DataFrame:
    """The rows whose external id the source has not delivered before, each id once (the
    first row wins, as ON CONFLICT would): one index probe per id, set-based."""
    known = sql.activities_known_external_ids(
        association_id=association_id, source_id=source_id,
        external_ids=frame.get_column("external_id").unique().to_list())
    if known:
        frame = frame.filter(~pl.col("external_id").is_in(known))
    return frame.unique("external_id", keep="first", maintain_order=True)


def insert_rejects(rejects: pl.DataFrame, *, association_id: int, source_id: int,
                   batch_id: int | None) -> int:
    """Store the rows that could not be read — once: a row already stored for this source
    (same raw cells) is not stored again. Returns the rows rejected (stored or not)."""
    if rejects.height == 0:
        return 0
    count = rejects.height
    known = sql.rejects_known_digests(association_id=association_id, source_id=source_id,
                                      digests=rejects.get_column("row_digest").to_list())
    rejects = rejects.filter(~pl.col("row_digest").is_in(list(known))).unique("row_digest", keep="first")
    now = timezone.now()
    insert_frame(ActivityReject, rejects.select("line", "reason", "raw", "row_digest"), consts={
        "association_id": association_id, "source_id": source_id, "batch_id": batch_id,
        "status": "open", "created_at": connection.ops.adapt_datetimefield_value(now)
        if connection.vendor == "sqlite" else now.isoformat(), "resolved_at": None})
    return count


def write_chunk(*, association: Association, source_id: int, batch_id: int | None,
                activities: pl.DataFrame, rejects: pl.DataFrame) -> dict[str, Any]:
    """Write one mapped chunk (call inside the chunk's transaction). Returns its counts."""
    people_hold_shared(association_id=association.pk)  # the people it resolves stay
    resolved, links = resolve_people(activities, association=association, source_id=source_id)
    created, unmatched = insert_activities(resolved, association_id=association.pk,
                                           source_id=source_id, batch_id=batch_id)
    linked = identities_link(association=association, links=links) if links else {
        "linked": 0, "backfilled": 0}
    rejected = insert_rejects(rejects, association_id=association.pk, source_id=source_id,
                              batch_id=batch_id)
    # The people the chunk is about (for score updates: activities_landed at the batch's end).
    people = resolved.get_column("person_id").drop_nulls().unique().to_list() if created else []
    return {"created": created, "duplicates": activities.height - created, "unmatched": unmatched,
            "rejected": rejected, "backfilled": linked["backfilled"], "people": people}
