"""``commonground import people FILE --association SLUG [--mapping FILE] [--json] [--dayfirst]
[--background]``: import a roster exported from another AMS (CSV or XLSX).

Small files run here with a progress bar. Large files (more than 20,000 rows) or
``--background`` go to the task worker (``commonground db_worker``) while this command
shows the worker's progress; if no worker picks the import up within a few seconds, a
large file without ``--background`` runs here instead, and ``--background`` says how to
start a worker. Re-running the command on the same file resumes an interrupted import.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope, scopes_disabled
from tqdm import tqdm

from commonground.activity.ingest import cli as activity_cli
from commonground.core.errors import DomainError
from commonground.people.importing.engine import owner_alive, run_batch
from commonground.people.importing.mapping import MappingError, load_mapping_file
from commonground.people.importing.services import BACKGROUND_ROWS, import_prepare
from commonground.people.models import ImportBatch, ImportStatus
from commonground.tenancy.models import Association

WORKER_WAIT_S = 5.0


class Command(BaseCommand):
    help = "Import data from files."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        people = sub.add_parser("people", help="Import a roster of people (CSV or XLSX)")
        people.add_argument("file", type=Path)
        people.add_argument("--association", required=True, help="Association slug")
        people.add_argument("--mapping", type=Path, help="TOML or JSON: header = field")
        people.add_argument("--json", action="store_true", help="Print one JSON object")
        people.add_argument("--dayfirst", action="store_true", help="Read 05/01/2021 as 5 Jan")
        people.add_argument("--background", action="store_true",
                            help="Hand the import to the task worker")
        people.add_argument("--no-progress", action="store_true", help="No progress bar")
        activity_cli.add_parser(sub)

    def handle(self, *args, file: Path, association: str, mapping=None, json=False,
               dayfirst=False, background=False, no_progress=False, **options) -> None:
        if options.get("kind") == "activities":
            return activity_cli.handle(self, file=file, association=association, json=json,
                                       background=background, no_progress=no_progress, **options)
        assoc = Association.objects.filter(slug=association).first()
        if assoc is None:
            raise CommandError(f"No association {association!r}")
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            mapping_data = load_mapping_file(mapping) if mapping else None
        except (MappingError, OSError) as exc:
            raise CommandError(f"--mapping: {exc}")
        with scope(association=assoc):
            try:
                batch, resumed = import_prepare(association=assoc, path=file, file_name=file.name,
                                                dayfirst=dayfirst, mapping=mapping_data)
            except DomainError as exc:
                raise CommandError(exc.message)
        if resumed and not json:
            self.stderr.write(f"Resuming import {batch.pk} of {file.name} after row "
                              f"{batch.rows_done} of {batch.total_rows}.")
        bar = None if (no_progress or not sys.stderr.isatty() and json) else tqdm(
            total=batch.total_rows or 0, initial=batch.rows_done, unit="rows", file=sys.stderr,
            desc=f"import {batch.pk}", disable=no_progress)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(done - bar.n)

        try:
            if background or (batch.total_rows or 0) > BACKGROUND_ROWS:
                batch = self._via_worker(batch, progress, explicit=background, quiet=json)
            else:
                batch = run_batch(batch_id=batch.pk, progress=progress)
                while not batch.is_finished:  # another live process holds it: follow it
                    batch = self._poll(batch, progress, timeout=None)
                    if not batch.is_finished:
                        batch = run_batch(batch_id=batch.pk, progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message)
        finally:
            if bar is not None:
                bar.close()
        self._report(batch, json_out=json)

    def _via_worker(self, batch: ImportBatch, progress, *, explicit: bool, quiet: bool
                    ) -> ImportBatch:
        from commonground.people.tasks import run_import

        if not owner_alive(batch):
            transaction.on_commit(lambda: run_import.enqueue(batch.pk))
        batch = self._poll(batch, progress, timeout=WORKER_WAIT_S)
        if not batch.is_finished and not owner_alive(batch):
            if explicit:
                self.stderr.write(
                    f"No task worker picked up import {batch.pk} within {WORKER_WAIT_S:.0f} s. "
                    "It stays queued and runs when one starts: `commonground db_worker`. "
                    "Running it here meanwhile (Ctrl-C leaves it to the worker).")
            elif not quiet:
                self.stderr.write("No task worker is running; importing here.")
            batch = run_batch(batch_id=batch.pk, progress=progress)
        while not batch.is_finished:
            batch = self._poll(batch, progress, timeout=None)
            if not batch.is_finished:
                batch = run_batch(batch_id=batch.pk, progress=progress)
        return batch

    def _poll(self, batch: ImportBatch, progress, *, timeout: float | None) -> ImportBatch:
        """Follow a batch another process runs, until done (or ``timeout`` with no start)."""
        started = time.monotonic()
        while True:
            with scopes_disabled():
                batch = ImportBatch.objects.get(pk=batch.pk)
            progress(batch.rows_done, batch.total_rows or 0)
            if batch.is_finished:
                return batch
            if owner_alive(batch):
                timeout = None  # a live process has it: follow it to the end
            elif batch.status == ImportStatus.RUNNING or timeout is None or \
                    time.monotonic() - started > timeout:
                return batch  # nobody is (or is any longer) working on it
            time.sleep(0.3)

    def _report(self, batch: ImportBatch, *, json_out: bool) -> None:
        errors_file = batch.errors_file or None
        if batch.status == ImportStatus.FAILED:
            raise CommandError(f"Import {batch.pk} failed: {batch.message}. Run the same "
                               "command again to resume it.")
        if json_out:
            self.stdout.write(json.dumps({"created": batch.created, "updated": batch.updated,
                                          "rejected": batch.rejected, "errors_file": errors_file}))
            return
        lines = [
            f"Import {batch.pk} of {batch.file_name}: {batch.rows_done} rows",
            f"  created:   {batch.created}",
            f"  updated:   {batch.updated}",
            f"  unchanged: {batch.unchanged}",
            f"  rejected:  {batch.rejected}",
            f"  memberships created: {batch.memberships_created}, renewed: "
            f"{batch.memberships_renewed}",
        ]
        if batch.mapped_headers:
            lines.append("  columns used: " + ", ".join(
                f"{header} → {field}" for field, header in batch.mapped_headers.items()))
        if batch.unknown_headers:
            lines.append("  columns ignored (unknown): " + ", ".join(batch.unknown_headers))
        if errors_file:
            lines.append(f"  rejected rows with reasons: {errors_file}")
        self.stdout.write("\n".join(lines))
