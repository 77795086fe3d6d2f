"""Running a batch from a command: here or on the task worker, with a progress bar.

``Follower`` is the one loop every ``commonground import <kind>`` uses: run the batch
here (following another live process that holds it, taking it over if that process
dies), or hand it to the worker and follow its progress — and run it here after all if
no worker picks it up within ``WORKER_WAIT_S``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
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
