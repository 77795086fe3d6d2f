"""The kinds of batch work: each app registers its kinds from ``AppConfig.ready()``.

A kind names its batch model and the function that runs one claimed batch; it may also
contribute a subcommand to ``commonground import`` (its own arguments and handler). The
background task and the command look kinds up here by name, so this package never
imports the apps that own them.

Apps register dotted paths, imported on first use: a kind's engine pulls in polars and
the bulk writers, which every process would otherwise load at start-up (``ready()``)
whether or not it ever runs a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

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


_KINDS: dict[str, str] = {}  # name -> dotted path of its BatchKind
_COMMANDS: dict[str, str] = {}  # name -> dotted path of its ImportCommand


def register(name: str, *, kind: str, command: str | None = None) -> None:
    """Add a kind by the dotted paths of its ``BatchKind`` (and ``ImportCommand``);
    idempotent for the same paths: ``ready()`` may run more than once."""
    known = _KINDS.get(name)
    if known is not None and known != kind:
        raise ValueError(f"batch kind {name!r} is registered twice")
    _KINDS[name] = kind
    if command is not None:
        _COMMANDS[name] = command


def get(name: str) -> BatchKind:
    try:
        path = _KINDS[name]
    except KeyError:
        raise LookupError(f"no batch kind {name!r} (known: {', '.join(sorted(_KINDS))})") from None
    kind = import_string(path)
    if kind.name != name:
        raise ValueError(f"{path} is the batch kind {kind.name!r}, registered as {name!r}")
    return kind


def kinds() -> dict[str, BatchKind]:
    return {name: get(name) for name in _KINDS}


def commands() -> dict[str, ImportCommand]:
    return {name: import_string(path) for name, path in _COMMANDS.items()}
