"""Running a roster import: chunk by chunk, each chunk one transaction.

Per chunk (``chunk``): clean the rows column-wise (``frame``, polars), fetch the people
they match (by email key, or external id for rows without email), then write in bulk —
new people with their history rows, changed fields of existing people, organisations,
relationships, chapters, memberships with a term and a ``joined`` transition, renewal
terms for later expiries (``members``). ``rows_done`` and the counts commit with the
chunk (``core.batches.engine.chunk_transaction``), so a crash loses at most the chunk in
flight and a rerun resumes after the last one that committed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone

from commonground.core.batches import engine as batches
from commonground.core.batches import errors as error_parts
from commonground.core.batches.files import batch_dir
from commonground.core.batches.readers import UnreadableFile, is_spreadsheet, open_rows
from commonground.core.batches.registry import BatchKind
from commonground.core.bulk import analyze
from commonground.core.errors import ValidationFailed
from commonground.core.memory import without_cyclic_gc
from commonground.membership.models import Membership, Term, Transition
from commonground.people.models import ImportBatch, Organisation, Person, Relationship
from commonground.tenancy import audit

from . import chunk
from .fastnorm import fast_email
from .frame import ChunkCleaner
from .mapping import resolve
from .rows import cell_text
from .state import RunState

ProgressFn = Callable[[int, int], None]
ANALYZE_AFTER_ROWS = 10_000
AREA = "imports"  # the batches' folders: <data dir>/imports/<batch id>


def imports_dir(batch_id: int) -> Path:
    return batch_dir(AREA, batch_id)


def run_batch(*, batch_id: int, progress: ProgressFn | None = None) -> ImportBatch:
    """Run (or resume) a prepared batch to the end. Returns the batch as finished.

    If another live process holds the batch, returns it untouched (the caller may poll).
    """
    return batches.run(KIND, batch_id, progress=progress)


class RosterRun(RunState):
    def __init__(self, batch: ImportBatch, owner: str, progress: ProgressFn | None) -> None:
        super().__init__(batch)
        self.owner = owner
        self.progress = progress
        self.chunk_rows = int(self.options.get("chunk_rows", 5000))
        self.dir = imports_dir(batch.pk)

    def run(self) -> None:
        path = Path(self.batch.file_path)
        try:
            rows = open_rows(path)
            header = next(rows, None)
            if header is None:
                raise UnreadableFile("the file is empty")
            self.header = [cell_text(h) for h in header]
            mapping = resolve(self.header,
                              custom_fields=[(d.key, d.label) for d in self.definitions],
                              overrides=self.options.get("columns"))
        except (UnreadableFile, ValueError) as exc:
            raise ValidationFailed(str(exc), fields={"file": [str(exc)]}) from None
        self.cleaner = ChunkCleaner(mapping, definitions=self.definitions,
                                    plans=list(self.plans_by_id.values()),
                                    dayfirst=bool(self.options.get("dayfirst")),
                                    typed=is_spreadsheet(path))
        self.email_index = mapping.columns.get("email")
        self.external_index = mapping.columns.get("external_id")
        done = self.batch.rows_done
        offset = 0
        rows_in: list[list[Any]] = []
        for row in rows:
            if offset < done:
                self._remember(row, offset)  # rebuild what earlier chunks saw
                offset += 1
                continue
            rows_in.append(row)
            if len(rows_in) >= self.chunk_rows:
                self._commit_chunk(offset, rows_in)
                offset += len(rows_in)
                rows_in = []
        if rows_in:
            self._commit_chunk(offset, rows_in)
            offset += len(rows_in)
        self._finish(offset)
        if offset - done >= ANALYZE_AFTER_ROWS:
            # Fresh planner statistics after a bulk load: without them SQLite picks poor
            # plans for the grown tables (e.g. scans an association instead of an index).
            analyze([Person, Organisation, Relationship, Membership, Term, Transition])

    def _remember(self, row: list[Any], offset: int) -> None:
        line = offset + 2
        key = ""
        if self.email_index is not None and self.email_index < len(row):
            try:
                key = fast_email(cell_text(row[self.email_index])).lower()
            except ValidationFailed:
                key = ""
        if key:
            self.seen_emails.setdefault(key, line)
        elif self.external_index is not None and self.external_index < len(row):
            ext = cell_text(row[self.external_index])
            if ext:
                self.seen_external.setdefault(ext, line)

    def _commit_chunk(self, offset: int, rows: list[list[Any]]) -> None:
        errors: list[list[Any]] = []
        with batches.chunk_transaction(ImportBatch, self.batch.pk, self.owner, rows_done=offset):
            with without_cyclic_gc():
                counts = self._process(offset, rows, errors)
            errors.sort(key=lambda e: e[-2])  # by line
            error_parts.write_rows(self.dir, offset, errors)
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=offset + len(rows), heartbeat_at=timezone.now(),
                **{k: F(k) + v for k, v in counts.items()})
        if self.progress:
            self.progress(offset + len(rows), self.batch.total_rows or 0)

    def _finish(self, total: int) -> None:
        with batches.finish_transaction(ImportBatch, self.batch.pk, self.owner) as batch:
            if batch.rejected:
                batch.errors_file = error_parts.assemble(self.dir, self.header, upto=total)
            else:
                batch.errors_file = ""
                error_parts.discard(self.dir)
            batch.total_rows = total
            audit.record(association=self.association, action="people.imported", obj=batch,
                         actor=batch.created_by,
                         data={"file": batch.file_name, "sha256": batch.file_sha256,
                               "rows": total, "created": batch.created,
                               "updated": batch.updated, "unchanged": batch.unchanged,
                               "rejected": batch.rejected})
        self.batch = batch

    def _process(self, offset: int, rows: list[list[Any]], errors: list[list[Any]]
                 ) -> dict[str, int]:
        return chunk.process(self, offset, rows, errors)


def _run(batch: ImportBatch, owner: str, progress: ProgressFn | None) -> None:
    RosterRun(batch, owner, progress).run()


def summary(batch: ImportBatch) -> dict[str, int]:
    return {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged,
            "rejected": batch.rejected, "memberships_created": batch.memberships_created,
            "memberships_renewed": batch.memberships_renewed,
            "memberships_lapsed": batch.memberships_lapsed, "rows_done": batch.rows_done}


KIND = BatchKind(name="people", model=ImportBatch, runner=_run, summary=summary)
