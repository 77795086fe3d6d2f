"""Preparing (or resuming) a membership history import from a file.

``history_prepare`` checks the file before anything is written: its columns, and the
plans it names (``plans_for_import``: an unknown plan stops the import with one line
saying how to create it, unless ``create_plans_term`` creates them).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from commonground.core.batches.engine import resumable
from commonground.core.batches.files import sha256_file, store_file
from commonground.core.batches.readers import UnreadableFile, read_header
from commonground.core.errors import ValidationFailed
from commonground.membership.models import HistoryBatch
from commonground.membership.roster.mapping import MappingError
from commonground.membership.services.catalogue import plans_for_import
from commonground.tenancy.models import Association

from .engine import history_dir
from .mapping import normalise_mapping, resolve
from .read import read_column

CHUNK_ROWS = 50_000
BACKGROUND_ROWS = 50_000


def history_options(*, dayfirst: bool = False, mapping: dict[str, Any] | None = None,
                    create_plans_term: int | None = None) -> dict[str, Any]:
    mapping = dict(mapping or {})
    if mapping and "columns" not in mapping:
        mapping = normalise_mapping(mapping)
    return {"dayfirst": bool(dayfirst or mapping.get("dayfirst")),
            "columns": mapping.get("columns", {}), "chunk_rows": CHUNK_ROWS,
            "create_plans_term": create_plans_term}


def file_plans(column: pl.Series) -> list[str]:
    """The distinct plan names a file gives (stripped, blank left out)."""
    values = column.drop_nulls().str.strip_chars().unique().sort()
    return [v for v in values.to_list() if v]


@transaction.atomic
def history_prepare(*, association: Association, path: str | Path, file_name: str = "",
                    dayfirst: bool = False, mapping: dict[str, Any] | None = None,
                    create_plans_term: int | None = None, actor=None, move: bool = False
                    ) -> tuple[HistoryBatch, bool]:
    """Check the file and create its batch — or return the unfinished batch of the same file
    and options (an interrupted run), which then resumes. Returns (batch, resumed).

    Raises ``ValidationFailed`` for a file that cannot be read or mapped and
    ``UnknownPlans`` (nothing written) for plans the association lacks, unless
    ``create_plans_term`` (months, 0 lifetime) creates them. The batch reads its own copy
    of the file in the data dir (``move``: the file is an upload already there)."""
    path = Path(path)
    file_name = file_name or path.name
    try:
        options = history_options(dayfirst=dayfirst, mapping=mapping,
                                  create_plans_term=create_plans_term)
    except MappingError as exc:
        raise ValidationFailed(f"mapping: {exc}", fields={"mapping": [str(exc)]}) from None
    options_key = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()
    sha = sha256_file(path)
    unfinished = resumable(HistoryBatch.objects.filter(file_sha256=sha, options_key=options_key))
    if unfinished is not None:
        return unfinished, True
    try:
        header, _ = read_header(path)
        if not header:
            raise UnreadableFile("the file is empty")
        mapped = resolve(header, overrides=options["columns"])
        with tempfile.TemporaryDirectory(prefix="cg-history-") as tmp:
            plans, total = read_column(path, Path(tmp), header, header[mapped.columns["plan"]])
    except (UnreadableFile, MappingError, UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        raise ValidationFailed(f"{file_name}: {exc}", fields={"file": [str(exc)]}) from None
    plans_for_import(association=association, names=file_plans(plans),
                     create_term_months=create_plans_term, actor=actor)
    batch = HistoryBatch.objects.create(
        association=association, file_name=file_name[:255], file_sha256=sha, options=options,
        options_key=options_key, total_rows=total, unknown_headers=mapped.unknown,
        mapped_headers=mapped.headers,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    batch.file_path = str(store_file(path, history_dir(batch.pk), move=move))
    batch.save(update_fields=["file_path"])
    return batch, False
