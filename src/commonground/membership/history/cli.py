"""``commonground import memberships FILE --association SLUG [--mapping FILE] [--json]
[--dayfirst] [--create-plans --plan-term N] [--background] [--no-progress]``: import
membership history — terms, renewals and payments — exported from another system.

Plans the file names must exist (``commonground plan create …``), or ``--create-plans
--plan-term N`` creates them; otherwise the command stops before writing anything. Large
files (more than 50,000 rows) or ``--background`` go to the task worker while this
command follows its progress. Re-running the command on the same file resumes an
interrupted import; re-importing a finished one adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError
from django_scopes import scope

from commonground.core.batches.cli import (
    WORKER_WAIT_S,
    Follower,
    ProgressBar,
    add_file_arguments,
    add_run_arguments,
)
from commonground.core.batches.models import BatchStatus
from commonground.core.batches.registry import ImportCommand
from commonground.core.errors import DomainError
from commonground.membership import lifecycle
from commonground.membership.models import HistoryBatch
from commonground.membership.roster.mapping import MappingError
from commonground.tenancy.models import Association

from .engine import COUNTS, KIND
from .mapping import load_mapping_file
from .services import BACKGROUND_ROWS, history_prepare


def _term(text: str) -> int:
    try:
        return lifecycle.parse_term(text)
    except ValueError as exc:
        raise CommandError(f"--plan-term: {exc}") from None


def add_arguments(parser) -> None:
    add_file_arguments(parser)
    parser.add_argument("--mapping", type=Path, help="TOML or JSON: header = field")
    parser.add_argument("--dayfirst", action="store_true", help="Read 05/01/2021 as 5 Jan")
    parser.add_argument("--create-plans", action="store_true",
                        help="Create the plans the file names that do not exist yet")
    parser.add_argument("--plan-term", help="The term of created plans: months, or "
                        "monthly / annual / lifetime …")
    add_run_arguments(parser, background_help="Hand the import to the task worker")


def handle(command, *, file: Path, association: str, mapping=None, json=False, dayfirst=False,
           create_plans=False, plan_term=None, background=False, no_progress=False,
           **_: object) -> None:
    assoc = Association.objects.filter(slug=association).first()
    if assoc is None:
        raise CommandError(f"No association {association!r}")
    if not file.is_file():
        raise CommandError(f"No such file: {file}")
    if create_plans and plan_term is None:
        raise CommandError("--create-plans needs --plan-term N (months, or monthly, annual, "
                           "lifetime …): the term of the plans it creates")
    if plan_term is not None and not create_plans:
        raise CommandError("--plan-term goes with --create-plans")
    term = _term(plan_term) if create_plans else None
    try:
        mapping_data = load_mapping_file(mapping) if mapping else None
    except (MappingError, OSError) as exc:
        raise CommandError(f"--mapping: {exc}") from None
    with scope(association=assoc):
        try:
            batch, resumed = history_prepare(association=assoc, path=file, file_name=file.name,
                                             dayfirst=dayfirst, mapping=mapping_data,
                                             create_plans_term=term)
        except DomainError as exc:
            raise CommandError(exc.message) from None
    before = {k: getattr(batch, k) for k in (*COUNTS, "rows_done")} if resumed else None
    if resumed and not json:
        command.stderr.write(f"Resuming import {batch.pk} of {file.name} after row "
                             f"{batch.rows_done} of {batch.total_rows}.")
    bar = ProgressBar(off=no_progress, quiet=json, total=batch.total_rows or 0,
                      initial=batch.rows_done, unit="rows", desc=f"history {batch.pk}")
    follower = Follower(KIND, bar=bar, position=lambda b: b.rows_done,
                        progress=lambda done, total: bar.to(done))

    def no_worker(b: HistoryBatch) -> None:
        if background:
            command.stderr.write(
                f"No task worker picked up import {b.pk} within {WORKER_WAIT_S:.0f} s. "
                "It stays queued and runs when one starts: `commonground db_worker`. "
                "Running it here meanwhile (Ctrl-C leaves it to the worker).")
        elif not json:
            command.stderr.write("No task worker is running; importing here.")

    batch = follower.drive(batch, background=background
                           or (batch.total_rows or 0) > BACKGROUND_ROWS, no_worker=no_worker)
    report(command, batch, json_out=json, before=before)


SUMMARY = ("created", "updated", "unchanged", "rejected", "memberships_created",
           "memberships_renewed", "memberships_lapsed")  # every import's, in this order


def figures(batch: HistoryBatch, before: dict[str, int] | None = None) -> dict:
    """What ``--json`` prints, in the shape every import's summary has (H2's
    ``core.batches.cli.summary``): the batch's totals over all its runs, then this kind's
    own counts, the errors file, and ``this_run`` — what this command did (the totals,
    unless it resumed an interrupted batch)."""
    totals = {k: getattr(batch, k) for k in (*SUMMARY, *(c for c in COUNTS if c not in SUMMARY))}
    start = before or {}
    rows = int(batch.rows_done or 0)
    return {"batch": batch.pk, "file": batch.file_name, "status": str(batch.status),
            "rows": rows, **totals, "errors_file": batch.errors_file or None,
            "resumed": before is not None,
            "this_run": {"rows": rows - int(start.get("rows_done", 0)),
                         **{k: v - int(start.get(k, 0)) for k, v in totals.items()}}}


def report(command, batch: HistoryBatch, *, json_out: bool, before: dict | None = None) -> None:
    if batch.status == BatchStatus.FAILED:
        raise CommandError(f"Import {batch.pk} failed: {batch.message}. Run the same "
                           "command again to resume it.")
    data = figures(batch, before)
    landed = batch.created + batch.updated + batch.unchanged
    if json_out:
        command.stdout.write(json.dumps(data))
    else:
        lines = [
            f"History import {batch.pk} of {batch.file_name}: {batch.rows_done} rows",
            f"  terms created: {batch.created}",
            f"  terms updated (inferred replaced): {batch.updated}",
            f"  unchanged (already on file): {batch.unchanged}",
            f"  rejected:  {batch.rejected}",
            f"  memberships created: {batch.memberships_created}, renewed: "
            f"{batch.memberships_renewed}, lapsed: {batch.memberships_lapsed}, reinstated: "
            f"{batch.memberships_reinstated}",
            f"  invoices: {batch.invoices_created}, payments: {batch.payments_created}",
            f"  people created: {batch.people_created}",
        ]
        if data["resumed"]:
            lines.insert(1, f"  Resumed: {data['this_run']['rows']:,} rows in this run, "
                            f"{data['rows']:,} in all")
        if batch.mapped_headers:
            lines.append("  columns used: " + ", ".join(
                f"{header} → {field}" for field, header in batch.mapped_headers.items()))
        if batch.unknown_headers:
            lines.append("  columns ignored (unknown): " + ", ".join(batch.unknown_headers))
        if data["errors_file"]:
            lines.append(f"  rejected rows with reasons: {data['errors_file']}")
        command.stdout.write("\n".join(lines))
    if batch.rejected and not landed:
        where = f"; the reasons are in {batch.errors_file}" if batch.errors_file else ""
        raise CommandError(f"No row of {batch.file_name} could be imported: all "
                           f"{batch.rejected:,} were rejected{where}")


COMMAND = ImportCommand(help="Import membership history: terms, renewals and payments (CSV "
                        "or XLSX)", add_arguments=add_arguments, handle=handle)
