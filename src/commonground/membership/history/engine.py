"""Running a membership history import: the whole file read and sorted once, then written
a chunk of whole members at a time, each chunk one transaction.

The rows are cleaned column-wise (``clean``) and sorted by member, plan and start, so
one member's terms are together however the file spreads them (rows rejected by the
cleaning come first, in line order). Chunks end on a member boundary; ``rows_done`` counts
sorted rows and commits with the chunk and its counts (``core.batches.engine
.chunk_transaction``), so a crash resumes after the last committed chunk and — the order
being a function of the file and options alone — redoes exactly the chunk in flight.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.db.models import F
from django.utils import timezone

from commonground.core.batches import engine as batches
from commonground.core.batches import errors as error_parts
from commonground.core.batches.files import batch_dir
from commonground.core.batches.readers import UnreadableFile
from commonground.core.batches.registry import BatchKind
from commonground.core.bulk import analyze, large_cache
from commonground.core.errors import ValidationFailed
from commonground.core.memory import without_cyclic_gc
from commonground.membership.models import (
    HistoryBatch,
    Invoice,
    Membership,
    Payment,
    Term,
    Transition,
)
from commonground.membership.roster.mapping import MappingError
from commonground.membership.services.catalogue import plans_for_import
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today

from . import chunk
from .clean import Cleaner
from .mapping import resolve
from .read import read_frame

ProgressFn = Callable[[int, int], None]
AREA = "history"  # the batches' folders: <data dir>/history/<batch id>
ANALYZE_AFTER_ROWS = 10_000
COUNTS = ("created", "updated", "unchanged", "rejected", "memberships_created",
          "memberships_renewed", "memberships_lapsed", "memberships_reinstated",
          "invoices_created", "payments_created", "people_created")


def history_dir(batch_id: int) -> Path:
    return batch_dir(AREA, batch_id)


def run_batch(*, batch_id: int, progress: ProgressFn | None = None) -> HistoryBatch:
    """Run (or resume) a prepared batch to the end. Returns the batch as finished.

    If another live process holds the batch, returns it untouched (the caller may poll)."""
    return batches.run(KIND, batch_id, progress=progress)


def chunk_bounds(keys: pl.Series, size: int) -> list[tuple[int, int]]:
    """[start, end) offsets of chunks of about ``size`` rows that end where the key changes
    (a member is never split); null keys (rejected rows) may split anywhere."""
    n = keys.len()
    if n == 0:
        return []
    change = (keys.ne_missing(keys.shift(1)) | keys.is_null()).fill_null(True)
    starts = change.arg_true().to_list()
    bounds, begin = [], 0
    for s in starts[1:]:
        if s - begin >= size:
            bounds.append((begin, s))
            begin = s
    bounds.append((begin, n))
    return bounds


class HistoryRun:
    def __init__(self, batch: HistoryBatch, owner: str, progress: ProgressFn | None) -> None:
        self.batch = batch
        self.association = batch.association
        self.options = batch.options or {}
        self.owner = owner
        self.progress = progress
        self.dir = history_dir(batch.pk)
        self.today = association_today(self.association)
        self.actor_id = batch.created_by_id
        self.chunk_rows = int(self.options.get("chunk_rows", 50_000))

    def load(self) -> pl.DataFrame:
        """The file's rows cleaned and in processing order."""
        try:
            self.header, raw = read_frame(Path(self.batch.file_path), self.dir)
            self.mapping = resolve(self.header, overrides=self.options.get("columns"))
        except (UnreadableFile, MappingError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"{self.batch.file_name}: {exc}",
                                   fields={"file": [str(exc)]}) from None
        self.raw = raw
        plan_column = self.header[self.mapping.columns["plan"]]
        names = raw.get_column(plan_column).drop_nulls().str.strip_chars().unique().to_list()
        plans = plans_for_import(association=self.association, names=[n for n in names if n],
                                 create_term_months=self.options.get("create_plans_term"))
        self.cleaner = Cleaner(self.mapping, self.header, plans=plans,
                               dayfirst=bool(self.options.get("dayfirst")))
        self.plans = {p.id: p for p in self.cleaner.plans.values()}
        df = self.cleaner.clean(raw).with_columns(bad=pl.col("reason").is_not_null())
        good = ~pl.col("bad")
        return df.sort(good, pl.when(good).then(pl.col("mkey")), pl.when(good).then("plan_id"),
                       pl.when(good).then("starts_on"), "line", nulls_last=False)

    def run(self) -> None:
        with large_cache():
            self._run()

    def _run(self) -> None:
        df = self.load()
        done = int(self.batch.rows_done)
        keys = df.select(pl.when(pl.col("bad")).then(pl.lit(None, pl.Utf8))
                         .otherwise(pl.col("mkey"))).to_series()
        for begin, end in chunk_bounds(keys, self.chunk_rows):
            if end <= done:
                continue
            self._commit_chunk(begin, df.slice(begin, end - begin))
        self._finish(df.height)
        if df.height - done >= ANALYZE_AFTER_ROWS:
            analyze([Person, Membership, Term, Transition, Invoice, Payment])

    def cells(self, idx: int) -> list[str]:
        return ["" if v is None else v for v in self.raw.row(idx)[:len(self.header)]]

    def _commit_chunk(self, offset: int, rows: pl.DataFrame) -> None:
        errors: list[list] = []
        with batches.chunk_transaction(HistoryBatch, self.batch.pk, self.owner, rows_done=offset):
            with without_cyclic_gc():
                counts = self._process(rows, errors)
            errors.sort(key=lambda e: e[-2])  # by line
            error_parts.write_rows(self.dir, offset, errors)
            HistoryBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=offset + rows.height, heartbeat_at=timezone.now(),
                **{k: F(k) + v for k, v in counts.items() if v})
        if self.progress:
            self.progress(offset + rows.height, self.batch.total_rows or 0)

    def _process(self, rows: pl.DataFrame, errors: list[list]) -> dict[str, int]:
        return chunk.process(self, rows, errors)

    def _finish(self, total: int) -> None:
        with batches.finish_transaction(HistoryBatch, self.batch.pk, self.owner) as batch:
            if batch.rejected:
                batch.errors_file = error_parts.assemble(self.dir, self.header, upto=total)
                _by_line(batch.errors_file)
            else:
                batch.errors_file = ""
                error_parts.discard(self.dir)
            batch.total_rows = total
            audit.record(association=self.association, action="memberships.imported", obj=batch,
                         actor=batch.created_by,
                         data={"file": batch.file_name, "sha256": batch.file_sha256,
                               "rows": total, **{k: getattr(batch, k) for k in COUNTS}})
        self.batch = batch


def _by_line(path: str) -> None:
    """The errors file in the file's line order (chunks hold whole members, so their
    parts are in member order)."""
    if not path:
        return
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = sorted(reader, key=lambda row: int(row[-2]))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _run(batch: HistoryBatch, owner: str, progress: ProgressFn | None) -> None:
    HistoryRun(batch, owner, progress).run()


def summary(batch: HistoryBatch) -> dict[str, int]:
    return {**{k: getattr(batch, k) for k in COUNTS}, "rows_done": batch.rows_done}


KIND = BatchKind(name="memberships", model=HistoryBatch, runner=_run, summary=summary)
