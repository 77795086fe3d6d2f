"""Reads for the Import page: the recent imports of both kinds (roster and membership
history), and a membership history file's first rows with the field of every column."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from commonground.core.batches.readers import open_rows
from commonground.people.models import ImportBatch

from .history.mapping import ALIASES, FIELDS, resolve
from .models import HistoryBatch
from .roster.mapping import IGNORE, MappingError, header_key
from .roster.rows import cell_text
from .roster.selectors import PREVIEW_ROWS, FilePreview, PreviewColumn

ROSTER = "roster"
HISTORY = "history"

# What a person sees in a history column's dropdown (a field missing here reads as its name).
HISTORY_LABELS = {
    "email": "Person's email",
    "external_id": "Member ID",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "plan": "Plan",
    "starts_on": "Term start",
    "ends_on": "Term end",
    "amount": "Amount",
    "paid_on": "Date paid",
    "invoice_number": "Invoice number",
    "transaction_id": "Transaction ID",
    "payment_method": "Payment method",
    "status": "Status (of the term or payment)",
}


def history_field_label(name: str) -> str:
    return HISTORY_LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class RecentImport:
    kind: str    # ROSTER or HISTORY
    batch: Any   # an ImportBatch or a HistoryBatch


def recent_imports(*, limit: int = 50) -> list[RecentImport]:
    """The latest imports of both kinds, newest first: one query per kind, whoever started
    them joined in (the page lists the person's email)."""
    rows = [RecentImport(ROSTER, b) for b in ImportBatch.objects.select_related("created_by")[:limit]]
    rows += [RecentImport(HISTORY, b)
             for b in HistoryBatch.objects.select_related("created_by")[:limit]]
    rows.sort(key=lambda r: (r.batch.created_at, r.batch.pk), reverse=True)
    return rows[:limit]


def _detected(header: list[str]) -> dict[int, str]:
    """Column index → field the history import would read it as. A file the mapping
    refuses (no plan column, say) still shows what it did recognise."""
    try:
        return {index: target for target, index in resolve(header).columns.items()}
    except MappingError:
        pass
    aliases: dict[str, str] = {}
    for target, names in ALIASES.items():
        for name in names:
            aliases.setdefault(header_key(name), target)
    found: dict[int, str] = {}
    for index, text in enumerate(header):
        target = aliases.get(header_key(text)) if text else None
        if target is not None and target not in found.values():
            found[index] = target  # the first column for a field wins, as in resolve
    return found


def history_file_preview(*, path: Path) -> FilePreview:
    """The header and first rows of a membership history file, each column with the field
    the import detects for it. Raises ``UnreadableFile`` (or ``UnicodeDecodeError``)."""
    rows = open_rows(path)
    header = [cell_text(h) for h in next(rows, None) or []]
    sample = [[cell_text(c) for c in row] for row in islice(rows, PREVIEW_ROWS)]
    detected = _detected(header)
    columns = [PreviewColumn(i, h, detected.get(i, IGNORE),
                             [r[i] if i < len(r) else "" for r in sample])
               for i, h in enumerate(header)]
    choices = [(IGNORE, "— not imported —"), *((f, history_field_label(f)) for f in FIELDS)]
    return FilePreview(columns=columns, lines=list(range(2, 2 + len(sample))), choices=choices)
