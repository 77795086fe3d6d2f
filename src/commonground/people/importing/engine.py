"""Running a roster import: chunk by chunk, each chunk one transaction.

Per chunk (``chunk``): clean the rows column-wise (``frame``, polars), fetch the people
they match (by email key, or external id for rows without email), then write in bulk —
new people with their history rows, changed fields of existing people, organisations,
relationships, chapters, memberships with a term and a ``joined`` transition, renewal
terms for later expiries (``members``). ``rows_done`` and the counts commit with the
chunk, so a crash loses at most the chunk in flight and a rerun resumes after the last one that committed.
"""

from __future__ import annotations

import csv
import gc
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope, scopes_disabled

from commonground.core.errors import ValidationFailed
from commonground.membership.models import Plan
from commonground.people.models import Chapter, CustomFieldDefinition, ImportBatch, ImportStatus
from commonground.tenancy import audit

from . import chunk
from .fastnorm import fast_email
from .frame import ChunkCleaner
from .mapping import resolve
from .readers import UnreadableFile, is_spreadsheet, open_rows
from .rows import PlanRef, RowError, cell_text

ProgressFn = Callable[[int, int], None]
ANALYZE_AFTER_ROWS = 10_000


class BatchBusy(RuntimeError):
    """Another process is running this batch."""


def imports_dir(batch_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "imports" / str(batch_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(batch: ImportBatch, *, stale_after: timedelta = timedelta(minutes=2)) -> bool:
    """Is the process that claimed the batch still working on it?"""
    if not batch.owner or batch.status != ImportStatus.RUNNING:
        return False
    host, _, pid = batch.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return bool(batch.heartbeat_at and timezone.now() - batch.heartbeat_at < stale_after)


def claim(batch_id: int, owner: str, *, model: type[Model] = ImportBatch,
          related: tuple[str, ...] = ("association",)) -> Any:
    """Take the batch for this process, unless it is finished or someone live holds it.

    ``model`` is any batch with the same status/owner/heartbeat fields (the activity
    ingest's batches use it too)."""
    with scopes_disabled(), transaction.atomic():
        batch = model.objects.select_for_update().select_related(*related).get(pk=batch_id)
        if batch.status == ImportStatus.DONE:
            return None
        if batch.owner != owner and owner_alive(batch):
            return None
        batch.status = ImportStatus.RUNNING
        batch.owner = owner
        batch.heartbeat_at = timezone.now()
        batch.started_at = batch.started_at or batch.heartbeat_at
        batch.message = ""
        batch.save(update_fields=["status", "owner", "heartbeat_at", "started_at", "message"])
        return batch


def run_batch(*, batch_id: int, progress: ProgressFn | None = None) -> ImportBatch:
    """Run (or resume) a prepared batch to the end. Returns the batch as finished.

    If another live process holds the batch, returns it untouched (the caller may poll).
    """
    owner = owner_id()
    batch = claim(batch_id, owner)
    if batch is None:
        with scopes_disabled():
            return ImportBatch.objects.select_related("association").get(pk=batch_id)
    with scope(association=batch.association):
        try:
            _Run(batch, owner, progress).run()
        except BatchBusy:
            pass
        except Exception as exc:
            ImportBatch.objects.filter(pk=batch.pk, owner=owner).update(
                status=ImportStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000],
                owner="")
            raise
        return ImportBatch.objects.get(pk=batch.pk)


class _Run:
    def __init__(self, batch: ImportBatch, owner: str, progress: ProgressFn | None) -> None:
        self.batch = batch
        self.association = batch.association
        self.owner = owner
        self.progress = progress
        self.options = batch.options or {}
        self.chunk_rows = int(self.options.get("chunk_rows", 5000))
        self.dir = imports_dir(batch.pk)
        self.today = timezone.localdate()
        self.actor_id = batch.created_by_id
        self.seen_emails: dict[str, int] = {}
        self.seen_external: dict[str, int] = {}
        self.chapters = dict(Chapter.objects.values_list("slug", "id"))
        self.chapter_names: dict[str, int] = {}
        self.organisations: dict[str, int] = {}
        self.addresses: dict[tuple, tuple] = {}  # distinct address → (region, postal, country, error)
        plans = [PlanRef(p.id, p.name, p.slug, p.kind, p.term_months, p.grace_days)
                 for p in Plan.objects.all()]
        self.plans_by_id = {p.id: p for p in plans}
        self.definitions = list(CustomFieldDefinition.objects.all())
        self.window = self.association.renewal_window_days

    # ------------------------------------------------------------ driving

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
        chunk: list[list[Any]] = []
        for row in rows:
            if offset < done:
                self._remember(row, offset)  # rebuild what earlier chunks saw
                offset += 1
                continue
            chunk.append(row)
            if len(chunk) >= self.chunk_rows:
                self._commit_chunk(offset, chunk)
                offset += len(chunk)
                chunk = []
        if chunk:
            self._commit_chunk(offset, chunk)
            offset += len(chunk)
        self._finish(offset)
        if offset - done >= ANALYZE_AFTER_ROWS:
            # Fresh planner statistics after a bulk load: without them SQLite picks poor
            # plans for the grown tables (e.g. scans an association instead of an index).
            from commonground.core.bulk import analyze
            from commonground.membership.models import Membership, Term, Transition
            from commonground.people.models import Organisation, Person, Relationship

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
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=self.batch.pk)
            if locked.rows_done != offset or locked.owner != self.owner:
                raise BatchBusy()
            if connection.vendor == "postgresql":
                # Not waiting for the WAL flush is safe here: a chunk lost to a crash is
                # lost together with its rows_done, and the rerun writes it again.
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit TO OFF")
            # The chunk makes ~10^5 short-lived objects and frees them by refcount: cyclic
            # GC passes over the ever larger heap would cost more than the chunk's work.
            gc.disable()
            try:
                counts = self._process(offset, rows, errors)
            finally:
                gc.enable()
            part = self.dir / f"errors-{offset:010d}.part"
            if errors:
                errors.sort(key=lambda e: e[-2])  # by line
                with open(part, "w", encoding="utf-8", newline="") as fh:
                    csv.writer(fh).writerows(errors)
            elif part.exists():
                part.unlink()
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=offset + len(rows), heartbeat_at=timezone.now(),
                **{k: F(k) + v for k, v in counts.items()})
        if self.progress:
            self.progress(offset + len(rows), self.batch.total_rows or 0)

    def _finish(self, total: int) -> None:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=self.batch.pk)
            if batch.owner != self.owner:
                raise BatchBusy()
            errors_file = ""
            parts = sorted(self.dir.glob("errors-*.part"))
            if batch.rejected:
                out = self.dir / "errors.csv"
                with open(out, "w", encoding="utf-8", newline="") as fh:
                    csv.writer(fh).writerow([*self.header, "line", "reason"])
                    for part in parts:
                        if int(part.stem.split("-")[1]) < total:
                            fh.write(part.read_text(encoding="utf-8"))
                errors_file = str(out)
            for part in parts:
                part.unlink()
            batch.status = ImportStatus.DONE
            batch.errors_file = errors_file
            batch.total_rows = total
            batch.finished_at = timezone.now()
            batch.owner = ""
            batch.save()
            audit.record(association=self.association, action="people.imported", obj=batch,
                         actor=batch.created_by,
                         data={"file": batch.file_name, "sha256": batch.file_sha256,
                               "rows": total, "created": batch.created, "updated": batch.updated,
                               "unchanged": batch.unchanged, "rejected": batch.rejected})
        self.batch = batch

    # ------------------------------------------------------------ one chunk

    def _reject(self, errors: list[list[Any]], row: list[Any], line: int, reason: str) -> None:
        cells = [cell_text(c) for c in row]
        cells += [""] * (len(self.header) - len(cells))
        errors.append([*cells[:max(len(self.header), len(cells))], line, reason])

    def _process(self, offset: int, rows: list[list[Any]], errors: list[list[Any]]
                 ) -> dict[str, int]:
        return chunk.process(self, offset, rows, errors)

    def now(self):
        return timezone.now()

    def now_text(self, value) -> str:
        """A datetime as the database takes it in text (bulk writes send text)."""
        if isinstance(value, str):
            return value
        if connection.vendor == "sqlite":
            return connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()

    def _chapter_id(self, name: str) -> int:
        if name in self.chapter_names:
            return self.chapter_names[name]
        slug = slugify(name)[:64]
        if not slug:
            raise RowError(f"{self.cleaner.header('chapter')}: {name!r} is not a chapter name")
        if slug not in self.chapters:
            chapter, _ = Chapter.objects.get_or_create(association=self.association, slug=slug,
                                                       defaults={"name": name})
            self.chapters[slug] = chapter.pk
        self.chapter_names[name] = self.chapters[slug]
        return self.chapters[slug]
