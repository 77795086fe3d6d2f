"""``commonground import people FILE --association SLUG [--mapping FILE] [--json] [--dayfirst]
[--create-plans --plan-term N] [--background]``: import a roster exported from another AMS
(CSV or XLSX).

A file naming a plan the association does not have stops before anything is written,
with one line naming the plan and how to create it (``--create-plans --plan-term N``
creates the missing plans first, with that term). An import where no row could land
(every row rejected) exits non-zero after its summary.

Small files run here with a progress bar. Large files (more than 20,000 rows) or
``--background`` go to the task worker (``commonground db_worker``) while this command
shows the worker's progress; if no worker picks the import up within a few seconds, a
large file without ``--background`` runs here instead, and ``--background`` says how to
start a worker. Re-running the command on the same file resumes an interrupted import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django_scopes import scope

from commonground.core.batches.cli import (
    RunStart,
    add_file_arguments,
    add_run_arguments,
    check_landed,
    follow_file_import,
    resumed_line,
    summary_json,
)
from commonground.core.batches.models import BatchStatus
from commonground.core.batches.registry import ImportCommand
from commonground.core.errors import DomainError
from commonground.membership.lifecycle import parse_term
from commonground.people.models import ImportBatch
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import Association

from .engine import KIND
from .mapping import MappingError, load_mapping_file
from .services import BACKGROUND_ROWS, import_prepare


def add_arguments(parser) -> None:
    add_file_arguments(parser)
    parser.add_argument("--mapping", type=Path, help="TOML or JSON: header = field")
    parser.add_argument("--dayfirst", action="store_true", help="Read 05/01/2021 as 5 Jan")
    add_plan_arguments(parser)
    add_run_arguments(parser, background_help="Hand the import to the task worker")


def command_inputs(*, association: str, file: Path, mapping: Path | None,
                   load_mapping: Callable[[Path], dict[str, Any]], create_plans: bool,
                   plan_term: str | None) -> tuple[Association, dict[str, Any] | None, int | None]:
    """What the membership imports' commands (people, memberships) check before preparing
    a batch: the association, the file, the ``--mapping`` file (read by the kind's own
    ``load_mapping``) and ``--create-plans --plan-term``. Each refusal is one line."""
    assoc = association_named(association)
    if not file.is_file():
        raise CommandError(f"No such file: {file}")
    create_term = plan_term_option(create_plans, plan_term)
    try:
        mapping_data = load_mapping(mapping) if mapping else None
    except (MappingError, OSError) as exc:
        raise CommandError(f"--mapping: {exc}") from None
    return assoc, mapping_data, create_term


def handle(command, *, file: Path, association: str, mapping=None, json=False, dayfirst=False,
           create_plans=False, plan_term=None, background=False, no_progress=False,
           **_: object) -> None:
    assoc, mapping_data, create_term = command_inputs(
        association=association, file=file, mapping=mapping, load_mapping=load_mapping_file,
        create_plans=create_plans, plan_term=plan_term)
    with scope(association=assoc):
        try:
            batch, resumed = import_prepare(association=assoc, path=file, file_name=file.name,
                                            dayfirst=dayfirst, mapping=mapping_data,
                                            create_plans_term=create_term)
        except DomainError as exc:
            raise CommandError(exc.message)
    batch, start = follow_file_import(command, KIND, batch, resumed=resumed, counts=counts,
                                      json_out=json, background=background,
                                      no_progress=no_progress, background_rows=BACKGROUND_ROWS,
                                      label="import")
    report(command, batch, json_out=json, start=start)


def add_plan_arguments(parser) -> None:
    """``--create-plans --plan-term N``, for every import whose file names plans."""
    parser.add_argument("--create-plans", action="store_true",
                        help="Create the plans the file names that do not exist yet (price 0, "
                             "for individuals), with the term --plan-term gives")
    parser.add_argument("--plan-term", metavar="TERM",
                        help="The term of plans --create-plans creates: months (1, 12 …), "
                             "monthly, annual, lifetime …")


def plan_term_option(create_plans: bool, plan_term: str | None) -> int | None:
    """``--create-plans --plan-term N`` as months (0 lifetime); None without them. The
    term is never assumed: a monthly plan created as annual would misstate every member."""
    if plan_term is not None and not create_plans:
        raise CommandError("--plan-term is the term of the plans --create-plans creates; "
                           "add --create-plans")
    if not create_plans:
        return None
    if plan_term is None:
        raise CommandError("--create-plans needs the new plans' term: --plan-term 12 "
                           "(or monthly, annual, lifetime …)")
    try:
        return parse_term(plan_term)
    except ValueError as exc:
        raise CommandError(f"--plan-term: {exc}") from None


COUNTS = ("created", "updated", "unchanged", "rejected", "memberships_created",
          "memberships_renewed", "memberships_lapsed")


def counts(batch: ImportBatch) -> dict[str, int]:
    return {name: getattr(batch, name) for name in COUNTS}


def report(command, batch: ImportBatch, *, json_out: bool, start: RunStart | None = None) -> None:
    """The summary (``--json``: ``core.batches.cli.summary``), then a non-zero exit if no
    row of the file could land."""
    errors_file = batch.errors_file or None
    if batch.status == BatchStatus.FAILED:
        raise CommandError(f"Import {batch.pk} failed: {batch.message}. Run the same "
                           "command again to resume it.")
    totals = counts(batch)
    if json_out:
        command.stdout.write(summary_json(batch, totals, this_run=start))
        check_landed(batch, totals)
        return
    lines = [
        f"Import {batch.pk} of {batch.file_name}: {batch.rows_done} rows",
        f"  created:   {batch.created}",
        f"  updated:   {batch.updated}",
        f"  unchanged: {batch.unchanged}",
        f"  rejected:  {batch.rejected}",
        f"  memberships created: {batch.memberships_created}, renewed: "
        f"{batch.memberships_renewed}, lapsed: {batch.memberships_lapsed}",
    ]
    resumed = resumed_line(batch, start)
    if resumed:
        lines.insert(1, f"  {resumed}")
    if batch.mapped_headers:
        lines.append("  columns used: " + ", ".join(
            f"{header} → {field}" for field, header in batch.mapped_headers.items()))
    if batch.unknown_headers:
        lines.append("  columns ignored (unknown): " + ", ".join(batch.unknown_headers))
    if errors_file:
        lines.append(f"  rejected rows with reasons: {errors_file}")
    command.stdout.write("\n".join(lines))
    check_landed(batch, totals)


COMMAND = ImportCommand(help="Import a roster of people (CSV or XLSX)",
                        add_arguments=add_arguments, handle=handle)
