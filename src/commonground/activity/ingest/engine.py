"""Running an activity batch: block by block, each block one transaction.

A block (some MB of the file, or an API delivery) is mapped column-wise and written
set-based (``write``). ``rows_done``, ``bytes_done`` and the counts commit with the block,
so a crash loses at most the block in flight and a rerun resumes after the last one that
committed. At the end the source's health fields are updated and the rejects written to
an errors CSV.
"""

from __future__ import annotations

import csv
import gc
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from commonground.core.errors import ValidationFailed
from commonground.membership.models import Offering
from commonground.people.importing.engine import claim as claim_batch
from commonground.people.importing.engine import owner_alive, owner_id  # noqa: F401 (re-exported)
from commonground.people.importing.readers import UnreadableFile
from commonground.tenancy import audit

from ..mapping import mapping_check_header, mapping_validate
from ..models import ActivityBatch, BatchStatus, Source
from ..services.identity import email_hashes_sync
from . import readers, transform, write

ProgressFn = Callable[[ActivityBatch], None]
T = TypeVar("T")
R = TypeVar("R")
COUNTS = ("created", "duplicates", "unmatched", "rejected")
# A block's frames (text cells, mapped columns, the CSV for COPY) cost some KB a row: 50k
# rows keep the peak memory flat and low however big the file; bigger blocks gained little.
BLOCK_BYTES = 8 << 20
BLOCK_ROWS = 50_000


class BatchBusy(RuntimeError):
    """Another process is running this batch."""


def batch_dir(batch: ActivityBatch | None) -> Path:
    """The batch's working folder (errors file, UTF-8 copy). Named by a random key kept in
    its options, not its id: two databases sharing a data dir never share a folder."""
    if batch is None:
        path = Path(settings.DATA_DIR) / "activity"
        path.mkdir(parents=True, exist_ok=True)
        return path
    key = str(batch.options.get("dir") or batch.pk)
    path = Path(settings.DATA_DIR) / "activity" / key
    path.mkdir(parents=True, exist_ok=True)
    return path


def claim(batch_id: int, owner: str) -> ActivityBatch | None:
    return claim_batch(batch_id, owner, model=ActivityBatch, related=("association", "source"))


def context(source: Source) -> transform.Context:
    offerings: dict[str, int] = {}
    for pk, slug, name in Offering.objects.values_list("id", "slug", "name"):
        offerings.setdefault(name.strip().lower(), pk)
        offerings[slug.lower()] = pk
    return transform.Context(mapping=mapping_validate(source.mapping), offerings=offerings)


def run_batch(*, batch_id: int, progress: ProgressFn | None = None,
              frames: list[pl.DataFrame] | None = None) -> ActivityBatch:
    """Run (or resume) a batch to the end; ``frames`` are the rows of an API/webhook batch
    (a file batch reads its file). Returns the batch as finished."""
    owner = owner_id()
    batch = claim(batch_id, owner)
    if batch is None:
        with scopes_disabled():
            return ActivityBatch.objects.select_related("association", "source").get(pk=batch_id)
    with scope(association=batch.association):
        try:
            _Run(batch, owner, progress).run(frames)
        except BatchBusy:
            pass
        except Exception as exc:
            ActivityBatch.objects.filter(pk=batch.pk, owner=owner).update(
                status=BatchStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000], owner="")
            raise
        return ActivityBatch.objects.select_related("source").get(pk=batch.pk)


class _Run:
    def __init__(self, batch: ActivityBatch, owner: str, progress: ProgressFn | None) -> None:
        self.batch = batch
        self.association = batch.association
        self.source = batch.source
        self.owner = owner
        self.progress = progress
        self.ctx = context(self.source)
        self.header: list[str] = []

    def run(self, frames: list[pl.DataFrame] | None) -> None:
        if self.ctx.mapping["identity"].get("hash"):
            email_hashes_sync(association=self.association)
        if frames is not None:
            for i, frame in enumerate(frames):
                if i >= self.batch.bytes_done:  # for row batches: frames done
                    self._commit(frame, end_offset=i + 1)
            self._finish()
            return
        path = Path(self.batch.file_path)
        try:
            header, info = readers.read_header(path)
            if info["format"] == "csv":
                path = readers.utf8_copy(path, batch_dir(self.batch))
                header, info = readers.read_header(path)
            if header:
                missing = mapping_check_header(self.ctx.mapping, header)
                if missing and not self.batch.message:
                    ActivityBatch.objects.filter(pk=self.batch.pk).update(
                        message="Columns the mapping names but the file lacks (left blank): "
                        + ", ".join(missing))
            self.header = header
            first_line = self.batch.rows_done + (2 if info["format"] != "jsonl" else 1)
            blocks = readers.iter_blocks(
                path, header, info, offset=self.batch.bytes_done if info["format"] != "xlsx"
                else self.batch.rows_done, first_line=first_line,
                block_bytes=int(self.batch.options.get("block_bytes", BLOCK_BYTES)),
                block_rows=int(self.batch.options.get("block_rows", BLOCK_ROWS)))
            for block, mapped in _ahead(blocks, lambda b: transform.apply(b.frame, self.ctx)):
                self._commit(block.frame, end_offset=block.end_offset, mapped=mapped)
        except UnreadableFile as exc:
            raise ValidationFailed(f"{self.batch.file_name}: {exc}", fields={"file": [str(exc)]}
                                   ) from None
        self._finish()

    def _commit(self, frame: pl.DataFrame, *, end_offset: int,
                mapped: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> None:
        # Mapping is pure: done before taking the row lock (for files, a block ahead).
        activities, rejects = mapped or transform.apply(frame, self.ctx)
        with transaction.atomic():
            locked = ActivityBatch.objects.select_for_update().get(pk=self.batch.pk)
            if locked.owner != self.owner:
                raise BatchBusy()
            if connection.vendor == "postgresql":
                # Not waiting for the WAL flush is safe here: a block lost to a crash is lost
                # with its rows_done, and the rerun writes it again (ON CONFLICT: no doubles).
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
            part = batch_dir(self.batch) / f"errors-{locked.rows_done:012d}.part"
            if rejects.height:
                rejects.select("line", "reason", "raw").write_ndjson(part)
            elif part.exists():
                part.unlink()
            gc.disable()  # ~10^5 short-lived objects per block, freed by refcount
            try:
                counts = write.write_chunk(association=self.association, source_id=self.source.pk,
                                           batch_id=self.batch.pk, activities=activities,
                                           rejects=rejects)
            finally:
                gc.enable()
            ActivityBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=F("rows_done") + frame.height, bytes_done=end_offset,
                heartbeat_at=timezone.now(), **{k: F(k) + counts[k] for k in COUNTS})
        self.batch.rows_done += frame.height
        self.batch.bytes_done = end_offset
        if self.progress:
            self.progress(self.batch)

    def _finish(self) -> None:
        with transaction.atomic():
            batch = ActivityBatch.objects.select_for_update().get(pk=self.batch.pk)
            if batch.owner != self.owner:
                raise BatchBusy()
            batch.errors_file = errors_csv(batch, self.header)
            batch.status = BatchStatus.DONE
            batch.total_rows = batch.rows_done
            batch.finished_at = timezone.now()
            batch.owner = ""
            batch.save()
            Source.objects.filter(pk=self.source.pk).update(
                last_fed_at=batch.finished_at, rows_landed=F("rows_landed") + batch.created,
                rows_duplicate=F("rows_duplicate") + batch.duplicates,
                rows_unmatched=F("rows_unmatched") + batch.unmatched,
                rows_rejected=F("rows_rejected") + batch.rejected)
            audit.record(association=self.association, action="activity.ingested", obj=batch,
                         actor=batch.created_by,
                         data={"source": self.source.slug, "channel": batch.channel,
                               "file": batch.file_name, "rows": batch.rows_done,
                               **{k: getattr(batch, k) for k in COUNTS}})
        self.batch = batch


def _ahead(items: Iterator[T], work: Callable[[T], R]) -> Iterator[tuple[T, R]]:
    """``(item, work(item))`` with the next item read and worked on in a second thread
    while the caller writes this one: reading and mapping (polars, which releases the GIL)
    then overlap the database's share instead of adding to it. One block ahead at most,
    so the peak memory stays that of two blocks however long the file."""
    def step() -> tuple[T, R] | None:
        item = next(items, None)
        return None if item is None else (item, work(item))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="activity-read") as pool:
        pending = pool.submit(step)
        while (done := pending.result()) is not None:
            pending = pool.submit(step)
            yield done


def errors_csv(batch: ActivityBatch, header: list[str]) -> str:
    """The batch's rejected rows (cells, line, reason) as one CSV from the chunks' parts."""
    folder = batch_dir(batch)
    parts = sorted(p for p in folder.glob("errors-*.part") if int(p.stem.split("-")[1]) < batch.rows_done)
    if not parts:
        return ""
    columns = list(header)
    if not columns:  # JSON rows: the keys the rejected rows hold
        for part in parts:
            for line in part.read_text(encoding="utf-8").splitlines():
                for key in json.loads(json.loads(line)["raw"] or "{}"):
                    if key not in columns:
                        columns.append(key)
    out = folder / "errors.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*columns, "line", "reason"])
        for part in parts:
            for line in part.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                raw = json.loads(row["raw"] or "{}")
                writer.writerow([*(raw.get(c) or "" for c in columns), row["line"], row["reason"]])
    for part in parts:
        part.unlink()
    return str(out)
