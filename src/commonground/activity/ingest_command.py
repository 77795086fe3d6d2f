"""``commonground import activities FILE --association SLUG --source NAME [--json]``.

Runs here with a progress bar (bytes of the file), or with ``--background`` hands the
batch to the task worker and follows it. Re-running the command on the same file resumes
an interrupted batch; re-running it after it finished adds nothing (every row is a
duplicate). The batch reads its own copy of the file (in the data dir).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db.models import Q
from django_scopes import scope

from commonground.core.batches.cli import (
    Follower,
    ProgressBar,
    RunStart,
    add_file_arguments,
    add_run_arguments,
    check_landed,
    resumed_line,
    summary_json,
)
from commonground.core.batches.models import BatchStatus
from commonground.core.batches.registry import ImportCommand
from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named

from .ingest.engine import KIND
from .models import ActivityBatch, Source
from .services import activities_prepare


def add_arguments(p) -> None:
    add_file_arguments(p)
    p.add_argument("--source", required=True, help="Source slug or name")
    add_run_arguments(p, background_help="Hand the batch to the task worker")


def handle(command, *, file: Path, association: str, source: str, json: bool = False,
           background: bool = False, no_progress: bool = False, **_: object) -> None:
    assoc = association_named(association)
    with scope(association=assoc):
        src = Source.objects.filter(Q(slug=source) | Q(name=source)).first()
        if src is None:
            raise CommandError(f"No source {source!r} in {association} "
                               "(create one: commonground source create)")
        try:
            batch, resumed = activities_prepare(association=assoc, source=src, path=file)
        except DomainError as exc:
            raise CommandError(exc.message)
    start = RunStart.of(batch, counts(batch), resumed=resumed)
    if resumed and not json:
        command.stderr.write(f"Resuming batch {batch.pk} of {file.name} after row {batch.rows_done}.")
    size = int(batch.options.get("size") or 0)
    bar = ProgressBar(off=no_progress, quiet=json, total=size, initial=batch.bytes_done,
                      unit="B", unit_scale=True, desc=f"ingest {batch.pk}")

    def position(b: ActivityBatch) -> int:
        return min(b.bytes_done, size)

    follower = Follower(KIND, bar=bar, position=position, progress=lambda b: bar.to(position(b)))

    def no_worker(b: ActivityBatch) -> None:
        sys.stderr.write(f"No task worker picked up batch {b.pk}; running it here.\n")

    batch = follower.drive(batch, background=background, no_worker=no_worker)
    report(command, batch, json_out=json, start=start)


def counts(batch: ActivityBatch) -> dict[str, int]:
    """The summary's counts: an activity is never updated, and a duplicate (already on
    file) is an unchanged row; ``duplicates`` and ``unmatched`` are reported as well."""
    return {"created": batch.created, "updated": 0, "unchanged": batch.duplicates,
            "rejected": batch.rejected, "duplicates": batch.duplicates,
            "unmatched": batch.unmatched}


def report(command, batch: ActivityBatch, *, json_out: bool, start: RunStart | None = None
           ) -> None:
    """The summary (``--json``: ``core.batches.cli.summary``), then a non-zero exit if no
    row of the file could land."""
    if batch.status == BatchStatus.FAILED:
        raise CommandError(f"Batch {batch.pk} failed: {batch.message}. Run the same command "
                           "again to resume it.")
    errors_file = batch.errors_file or None
    totals = counts(batch)
    if json_out:
        command.stdout.write(summary_json(batch, totals, this_run=start))
        check_landed(batch, totals)
        return
    lines = [f"Batch {batch.pk} of {batch.file_name}: {batch.rows_done} rows",
             f"  created:    {batch.created} (of which unmatched: {batch.unmatched})",
             f"  duplicates: {batch.duplicates}",
             f"  rejected:   {batch.rejected}"]
    if batch.message:
        lines.append(f"  note: {batch.message}")
    if errors_file:
        lines.append(f"  rejected rows with reasons: {errors_file}")
    resumed = resumed_line(batch, start)
    if resumed:
        lines.insert(1, f"  {resumed}")
    command.stdout.write("\n".join(lines))
    check_landed(batch, totals)


COMMAND = ImportCommand(help="Ingest an activity export (CSV, XLSX or JSON Lines)",
                        add_arguments=add_arguments, handle=handle)
