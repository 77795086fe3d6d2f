"""The kinds of batch work: each app registers its kinds from ``AppConfig.ready()``.

A kind names its batch model and the function that runs one claimed batch; it may also
contribute a subcommand to ``commonground import`` (its own arguments and handler). The
background task and the command look kinds up here by name, so this package never
imports the apps that own them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import FileBatch

# runner(batch, owner, progress, **extra): run a claimed batch to its end, inside the
# batch's association scope; raises ownership.BatchBusy if another process took it over.
Runner = Callable[..., None]


@dataclass(frozen=True)
class BatchKind:
    name: str
    model: type[FileBatch]
    runner: Runner
    summary: Callable[[Any], dict[str, int]]  # the counts the task returns
    related: tuple[str, ...] = ("association",)


@dataclass(frozen=True)
class ImportCommand:
    """A subcommand of ``commonground import``: ``commonground import <kind> FILE …``."""

    help: str
    add_arguments: Callable[[Any], None]
    handle: Callable[..., None]  # handle(command, **options)


_KINDS: dict[str, BatchKind] = {}
_COMMANDS: dict[str, ImportCommand] = {}


def register(kind: BatchKind, *, command: ImportCommand | None = None) -> None:
    """Add a kind (idempotent for the same kind: ``ready()`` may run more than once)."""
    known = _KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"batch kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    if command is not None:
        _COMMANDS[kind.name] = command


def get(name: str) -> BatchKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no batch kind {name!r} (known: {', '.join(sorted(_KINDS))})") from None


def kinds() -> dict[str, BatchKind]:
    return dict(_KINDS)


def commands() -> dict[str, ImportCommand]:
    return dict(_COMMANDS)
