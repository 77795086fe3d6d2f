"""Running a batch from a command: here or on the task worker, with a progress bar.

``Follower`` is the one loop every ``commonground import <kind>`` uses: run the batch
here (following another live process that holds it, taking it over if that process
dies), or hand it to the worker and follow its progress — and run it here after all if
no worker picks it up within ``WORKER_WAIT_S``.

``summary``/``summary_json`` are every import's ``--json`` (the same keys for every kind),
``RunStart`` what a resumed run had done before it began, and ``check_landed`` the
non-zero exit of an import where no row could land.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django_scopes import scopes_disabled
from tqdm import tqdm

from commonground.core.errors import DomainError

from . import engine, tasks
from .models import BatchStatus, FileBatch
from .ownership import owner_alive
from .registry import BatchKind

WORKER_WAIT_S = 5.0
POLL_S = 0.3


def add_file_arguments(parser: Any) -> None:
    """The arguments every ``commonground import <kind>`` starts with."""
    parser.add_argument("file", type=Path)
    parser.add_argument("--association", required=True, help="Association slug")


def add_run_arguments(parser: Any, *, background_help: str) -> None:
    """The arguments every ``commonground import <kind>`` ends with."""
    parser.add_argument("--json", action="store_true", help="Print one JSON object")
    parser.add_argument("--background", action="store_true", help=background_help)
    parser.add_argument("--no-progress", action="store_true", help="No progress bar")


class ProgressBar:
    """A tqdm bar on stderr, or nothing: off with ``--no-progress``, and for ``--json``
    when stderr is not a terminal (scripts read stdout, logs need no bar)."""

    def __init__(self, *, off: bool, quiet: bool, total: int, initial: int, unit: str,
                 desc: str, unit_scale: bool = False) -> None:
        self.bar = None if off or (quiet and not sys.stderr.isatty()) else tqdm(
            total=total, initial=initial, unit=unit, unit_scale=unit_scale, file=sys.stderr,
            desc=desc)

    def to(self, position: int) -> None:
        if self.bar is not None:
            self.bar.update(position - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Follower:
    """``position(batch)`` is where a batch another process runs has got to (for the bar);
    ``progress`` is what the kind's runner reports to when the batch runs here."""

    def __init__(self, kind: BatchKind, *, bar: ProgressBar, position: Callable[[Any], int],
                 progress: Callable[..., None] | None = None) -> None:
        self.kind = kind
        self.bar = bar
        self.position = position
        self.progress = progress

    def drive(self, batch: FileBatch, *, background: bool,
              no_worker: Callable[[FileBatch], None]) -> FileBatch:
        """``via_worker`` or ``here`` to the end, a domain error as the command's error;
        the bar is closed either way."""
        try:
            return self.via_worker(batch, no_worker=no_worker) if background else self.here(batch)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            self.bar.close()

    def here(self, batch: FileBatch) -> FileBatch:
        """Run it here to the end (following, then taking over, any other live owner)."""
        batch = engine.run(self.kind, batch.pk, progress=self.progress)
        while not batch.is_finished:  # another live process holds it: follow it
            batch = self.poll(batch, timeout=None)
            if not batch.is_finished:
                batch = engine.run(self.kind, batch.pk, progress=self.progress)
        return batch

    def via_worker(self, batch: FileBatch, *, no_worker: Callable[[FileBatch], None]
                   ) -> FileBatch:
        """Hand it to the task worker and follow it; if no worker takes it within
        ``WORKER_WAIT_S`` (``no_worker`` tells the user), run it here."""
        if not owner_alive(batch):
            tasks.enqueue(self.kind.name, batch.pk)
        batch = self.poll(batch, timeout=WORKER_WAIT_S)
        if not batch.is_finished and not owner_alive(batch):
            no_worker(batch)
            return self.here(batch)
        return batch if batch.is_finished else self.here(batch)

    def poll(self, batch: FileBatch, *, timeout: float | None) -> FileBatch:
        """Follow a batch another process runs, until done (or ``timeout`` with no start)."""
        started = time.monotonic()
        while True:
            with scopes_disabled():
                batch = self.kind.model.objects.get(pk=batch.pk)
            self.bar.to(self.position(batch))
            if batch.is_finished:
                return batch
            if owner_alive(batch):
                timeout = None  # a live process has it: follow it to the end
            elif batch.status == BatchStatus.RUNNING or timeout is None or \
                    time.monotonic() - started > timeout:
                return batch  # nobody is (or is any longer) working on it
            time.sleep(POLL_S)


# What every import's summary reports, whatever its kind; a kind without memberships (or
# without updates) reports 0. A kind's own counts (``duplicates`` …) follow these.
SUMMARY_COUNTS = ("created", "updated", "unchanged", "rejected", "memberships_created",
                  "memberships_renewed", "memberships_lapsed")
LANDED = ("created", "updated", "unchanged")  # a row that counts here is on file


@dataclass(frozen=True)
class RunStart:
    """Where a batch stood when this run of the command began. A resumed run starts past
    rows others (an earlier, interrupted run) did: what it did itself is the difference."""

    rows_done: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    resumed: bool = False

    @classmethod
    def of(cls, batch: FileBatch, counts: Mapping[str, int], *, resumed: bool) -> RunStart:
        return cls(rows_done=int(batch.rows_done or 0),
                   counts={k: int(v) for k, v in counts.items()}, resumed=resumed)


def summary(batch: FileBatch, counts: Mapping[str, int], *,
            this_run: RunStart | None = None) -> dict[str, Any]:
    """The ``--json`` of every import: the batch's totals over all its runs, and
    ``this_run`` (what this command did; the same as the totals unless it resumed)::

        {"batch": 7, "file": "roster.csv", "status": "done", "rows": 5000,
         "created": 4100, "updated": 600, "unchanged": 250, "rejected": 50,
         "memberships_created": 4000, "memberships_renewed": 300, "memberships_lapsed": 900,
         <the kind's own counts, e.g. "duplicates": 0>,
         "errors_file": "/…/errors.csv" | null, "resumed": false,
         "this_run": {"rows": 5000, "created": 4100, …every count above…}}

    ``counts`` are the batch's totals by name (missing ones are 0)."""
    start = this_run or RunStart()
    totals = {key: int(counts.get(key, 0)) for key in SUMMARY_COUNTS}
    totals.update({k: int(v) for k, v in counts.items() if k not in totals})
    rows = int(batch.rows_done or 0)
    return {"batch": batch.pk, "file": batch.file_name, "status": str(batch.status),
            "rows": rows, **totals, "errors_file": batch.errors_file or None,
            "resumed": start.resumed,
            "this_run": {"rows": rows - start.rows_done,
                         **{k: v - int(start.counts.get(k, 0)) for k, v in totals.items()}}}


def summary_json(batch: FileBatch, counts: Mapping[str, int], *,
                 this_run: RunStart | None = None) -> str:
    """``summary`` as the one line ``--json`` prints."""
    return json.dumps(summary(batch, counts, this_run=this_run))


def resumed_line(batch: FileBatch, this_run: RunStart | None) -> str | None:
    """"Resumed: 1,200 rows in this run, 5,000 in all" — None unless the run resumed."""
    if this_run is None or not this_run.resumed:
        return None
    rows = int(batch.rows_done or 0)
    return f"Resumed: {rows - this_run.rows_done:,} rows in this run, {rows:,} in all"


def check_landed(batch: FileBatch, counts: Mapping[str, int], *, noun: str = "row") -> None:
    """Exit non-zero (after the summary is printed) when rows were rejected and none
    landed: every row of the file was refused. A file of blank rows is not a failure."""
    if int(counts.get("rejected", 0)) and not any(int(counts.get(k, 0)) for k in LANDED):
        where = f"; the reasons are in {batch.errors_file}" if batch.errors_file else ""
        raise CommandError(f"No {noun} of {batch.file_name} could be imported: all "
                           f"{int(counts['rejected']):,} were rejected{where}")


def follow_file_import(command: Any, kind: BatchKind, batch: FileBatch, *, resumed: bool,
                       counts: Callable[[FileBatch], Mapping[str, int]], json_out: bool,
                       background: bool, no_progress: bool, background_rows: int,
                       label: str = "import") -> tuple[FileBatch, RunStart]:
    """Run a prepared file batch from a command to its end: say it resumes, show the bar,
    hand a large file (or ``--background``) to the worker and follow it, or run it here.
    Returns the finished batch and where this run began (for ``summary``)."""
    start = RunStart.of(batch, counts(batch), resumed=resumed)
    if resumed and not json_out:
        command.stderr.write(f"Resuming import {batch.pk} of {batch.file_name} after row "
                             f"{batch.rows_done} of {batch.total_rows}.")
    bar = ProgressBar(off=no_progress, quiet=json_out, total=batch.total_rows or 0,
                      initial=batch.rows_done, unit="rows", desc=f"{label} {batch.pk}")
    follower = Follower(kind, bar=bar, position=lambda b: b.rows_done,
                        progress=lambda done, total: bar.to(done))

    def no_worker(b: FileBatch) -> None:
        if background:
            command.stderr.write(
                f"No task worker picked up import {b.pk} within {WORKER_WAIT_S:.0f} s. "
                "It stays queued and runs when one starts: `commonground db_worker`. "
                "Running it here meanwhile (Ctrl-C leaves it to the worker).")
        elif not json_out:
            command.stderr.write("No task worker is running; importing here.")

    batch = follower.drive(batch, background=background
                           or (batch.total_rows or 0) > background_rows, no_worker=no_worker)
    return batch, start
