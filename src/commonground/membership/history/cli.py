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

from pathlib import Path

from django.core.management.base import CommandError
from django_scopes import scope

from commonground.core.batches.cli import (
    RunStart,
    check_landed,
    follow_file_import,
    resumed_line,
    summary_json,
)
from commonground.core.batches.models import BatchStatus
from commonground.core.batches.registry import ImportCommand
from commonground.core.errors import DomainError
from commonground.membership.models import HistoryBatch
from commonground.membership.roster.cli import add_arguments, command_inputs

from .engine import COUNTS, KIND
from .mapping import load_mapping_file
from .services import BACKGROUND_ROWS, history_prepare


def handle(command, *, file: Path, association: str, mapping=None, json=False, dayfirst=False,
           create_plans=False, plan_term=None, background=False, no_progress=False,
           **_: object) -> None:
    assoc, mapping_data, term = command_inputs(
        association=association, file=file, mapping=mapping, load_mapping=load_mapping_file,
        create_plans=create_plans, plan_term=plan_term)
    with scope(association=assoc):
        try:
            batch, resumed = history_prepare(association=assoc, path=file, file_name=file.name,
                                             dayfirst=dayfirst, mapping=mapping_data,
                                             create_plans_term=term)
        except DomainError as exc:
            raise CommandError(exc.message) from None
    batch, start = follow_file_import(command, KIND, batch, resumed=resumed, counts=counts,
                                      json_out=json, background=background,
                                      no_progress=no_progress, background_rows=BACKGROUND_ROWS,
                                      label="history")
    report(command, batch, json_out=json, start=start)


def counts(batch: HistoryBatch) -> dict[str, int]:
    """The batch's totals: every import's counts first, then this kind's own."""
    return {name: getattr(batch, name) for name in COUNTS}


def report(command, batch: HistoryBatch, *, json_out: bool, start: RunStart | None = None
           ) -> None:
    """The summary (``--json``: ``core.batches.cli.summary``), then a non-zero exit if no
    row of the file could land."""
    if batch.status == BatchStatus.FAILED:
        raise CommandError(f"Import {batch.pk} failed: {batch.message}. Run the same "
                           "command again to resume it.")
    if json_out:
        command.stdout.write(summary_json(batch, counts(batch), this_run=start))
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
        if (line := resumed_line(batch, start)) is not None:
            lines.insert(1, "  " + line)
        if batch.mapped_headers:
            lines.append("  columns used: " + ", ".join(
                f"{header} → {field}" for field, header in batch.mapped_headers.items()))
        if batch.unknown_headers:
            lines.append("  columns ignored (unknown): " + ", ".join(batch.unknown_headers))
        if batch.errors_file:
            lines.append(f"  rejected rows with reasons: {batch.errors_file}")
        command.stdout.write("\n".join(lines))
    check_landed(batch, counts(batch))


COMMAND = ImportCommand(help="Import membership history: terms, renewals and payments (CSV "
                        "or XLSX)", add_arguments=add_arguments, handle=handle)
