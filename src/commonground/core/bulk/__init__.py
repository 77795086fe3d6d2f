"""Bulk writes, one module for the whole product: COPY on PostgreSQL, batched
``executemany`` on SQLite, whole id lists as one parameter, ANALYZE after a big load.

``rows`` serves the file pipelines (ids reserved from the sequence, polars frames
COPYed, INSERT … SELECT over a staged set); ``tables`` serves generators that hand out
ids themselves (the demo seed and the benchmark loaders).
"""

from .names import Names, column, names
from .rows import (
    Adapt,
    Col,
    copy_frame,
    defaults,
    history_columns,
    in_list,
    insert_frame,
    insert_rows,
    insert_select,
    key_ids,
    model_columns,
    reserve_ids,
    sql_literal,
)
from .tables import (
    SQLITE_BATCH,
    Table,
    analyze,
    commit_unflushed,
    delete_association_rows,
    large_cache,
    max_id,
    tenant_tables,
    write,
)

__all__ = [
    "SQLITE_BATCH", "Adapt", "Col", "Names", "Table", "analyze", "column", "commit_unflushed",
    "copy_frame", "defaults", "delete_association_rows", "history_columns", "in_list",
    "insert_frame", "insert_rows", "insert_select", "key_ids", "large_cache", "max_id",
    "model_columns", "names", "reserve_ids", "sql_literal", "tenant_tables", "write",
]
