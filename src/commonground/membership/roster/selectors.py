"""Reads for the roster import's mapping step: a file's first rows with the field each
column would go to (the saved mapping is ``selectors_import.import_mapping_columns``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from commonground.core.batches.readers import open_rows
from commonground.people.models import CustomFieldDefinition
from commonground.tenancy.models import Association

from .mapping import FIELDS, IGNORE, resolve
from .rows import cell_text

PREVIEW_ROWS = 5


@dataclass
class PreviewColumn:
    index: int
    header: str
    target: str          # the field it maps to now ("ignore" when none)
    values: list[str]    # its cells in the first rows


@dataclass
class FilePreview:
    columns: list[PreviewColumn]
    lines: list[int]     # the file's line numbers of the preview rows
    choices: list[tuple[str, str]]  # (value, label) for every column's dropdown


def file_preview(*, association: Association, path: Path,
                 saved: dict[str, str] | None = None) -> FilePreview:
    """The header and first rows of a roster file, each column with the field the saved
    mapping ``saved`` (header key → field), else the detected default, gives it. Raises
    ``UnreadableFile``."""
    rows = open_rows(path)
    header = [cell_text(h) for h in next(rows, None) or []]
    sample = []
    for row in rows:
        sample.append([cell_text(c) for c in row])
        if len(sample) >= PREVIEW_ROWS:
            break
    definitions = list(CustomFieldDefinition.objects.values_list("key", "label"))
    try:
        mapped = resolve(header, custom_fields=definitions, overrides=saved).columns
    except ValueError:  # no column matched: every dropdown starts at "ignore"
        mapped = {}
    by_index = {index: target for target, index in mapped.items()}
    columns = [PreviewColumn(i, h, by_index.get(i, IGNORE),
                             [r[i] if i < len(r) else "" for r in sample])
               for i, h in enumerate(header)]
    choices = [(IGNORE, "— not imported —"),
               *((f, f.replace("_", " ").capitalize()) for f in FIELDS),
               *((f"custom.{key}", f"{label} (custom field)") for key, label in definitions)]
    return FilePreview(columns=columns, lines=list(range(2, 2 + len(sample))), choices=choices)
