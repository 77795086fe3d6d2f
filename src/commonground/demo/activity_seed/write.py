"""Writing seeded activity: the feeds, whole frames of activities, identities.

Activities go in column-wise: PostgreSQL gets the frame as CSV through ``COPY``, SQLite one
``executemany`` per frame (rows straight from polars). Ids come from the database; nothing
refers to an activity's id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
from django.db import connection

from commonground.activity.mapping import profile_mapping
from commonground.activity.models import Activity, ProfileKind, Source
from commonground.core.bulk import copy_frame
from commonground.tenancy import audit
from commonground.tenancy.models import Association

# key → (slug, name, profile kind, external id prefix)
SOURCES: dict[str, tuple[str, str, str, str]] = {
    "website": ("website", "Website analytics", ProfileKind.WEB_ANALYTICS, "ga-"),
    "social": ("social", "Social media", ProfileKind.SOCIAL, "so-"),
    "store": ("store", "Online store", ProfileKind.ECOMMERCE, "#"),
    "email": ("email", "Email platform", ProfileKind.EMAIL, "em-"),
    "events": ("event-check-ins", "Event check-ins", ProfileKind.EVENT_CHECKIN, "tk-"),
    "lms": ("learning-platform", "Learning platform", ProfileKind.COURSE_COMPLETION, "en-"),
    "forum": ("forum", "Member forum", ProfileKind.FORUM, "p"),
}

SQLITE_BATCH = 50_000
COLUMNS = ("association_id", "person_id", "anonymous_key", "source_id", "kind", "category",
           "occurred_at", "quantity", "amount", "currency", "offering_id", "metadata", "external_id")


def sources_create(association: Association) -> dict[str, Source]:
    """One feed per shipped profile, with that profile's mapping so real files fit too."""
    out: dict[str, Source] = {}
    for key, (slug, name, kind, _prefix) in SOURCES.items():
        source = Source.objects.create(association=association, slug=slug, name=name, profile=kind,
                                       mapping=profile_mapping(kind))
        audit.record(association=association, action="activity.source_created", obj=source,
                     data={"slug": slug, "profile": str(kind)})
        out[key] = source
    return out


def activities_write(frame: pl.DataFrame) -> int:
    """Insert a frame holding ``COLUMNS`` (``occurred_at`` as text in UTC)."""
    if frame.is_empty():
        return 0
    frame = frame.select(COLUMNS)
    table = connection.ops.quote_name(Activity._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No FK checks to skip: activity carries no database constraint (see its model).
            copy_frame(cursor, table, frame)
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            for start in range(0, frame.height, SQLITE_BATCH):  # bounded memory: tuples per batch
                cursor.executemany(sql, frame.slice(start, SQLITE_BATCH).rows())
    return frame.height


@contextmanager
def indexes_deferred(expected_rows: int) -> Iterator[None]:
    """On SQLite, build the activity table's secondary indexes once after a big load.

    Updating three indexes row by row is most of the write time, and it grows with the
    table; sorting once at the end is several times faster. Only when the load is bigger
    than the table already is (rebuilding covers every row), and only on SQLite, where
    the seed's transaction holds the write lock anyway and DDL rolls back with it.
    """
    if connection.vendor != "sqlite":
        yield
        return
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        if expected_rows <= cursor.fetchone()[0]:
            indexes = []
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
            indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
