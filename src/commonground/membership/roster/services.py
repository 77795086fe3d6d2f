"""Writes for roster imports: preparing (or resuming) a batch from a file, and the
association's saved column mapping.

Preparing reads the whole file once (to count its rows) and, on the way, the distinct
plans it names: an unknown plan stops the import there, before anything is written —
or, given ``create_plans_term``, the missing plans are created first."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from commonground.core.batches.engine import resumable
from commonground.core.batches.files import sha256_file, store_file
from commonground.core.batches.readers import UnreadableFile, open_rows
from commonground.core.errors import ValidationFailed
from commonground.membership.models import Plan, RosterMapping
from commonground.membership.services import plans_for_import
from commonground.people.models import CustomFieldDefinition, ImportBatch
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from .engine import imports_dir
from .mapping import MappingError, normalise_mapping, resolve
from .rows import LIMITS, cell_text

CHUNK_ROWS = 25_000
BACKGROUND_ROWS = 20_000


def _options(dayfirst: bool, mapping: dict[str, Any] | None) -> dict[str, Any]:
    mapping = dict(mapping or {})
    if mapping and "columns" not in mapping:
        mapping = normalise_mapping(mapping)
    return {"dayfirst": bool(dayfirst or mapping.get("dayfirst")),
            "columns": mapping.get("columns", {}), "chunk_rows": CHUNK_ROWS}


@transaction.atomic
def import_prepare(*, association: Association, path: str | Path, file_name: str = "",
                   dayfirst: bool = False, mapping: dict[str, Any] | None = None,
                   create_plans_term: int | None = None, actor=None,
                   move: bool = False) -> tuple[ImportBatch, bool]:
    """Check the file and create its batch — or return the unfinished batch of the same file
    and options (an interrupted run), which then resumes. Returns (batch, resumed).

    Every plan the file names must exist: otherwise ``UnknownPlans`` (nothing written, no
    batch), unless ``create_plans_term`` (months, 0 lifetime) creates the missing ones.
    The batch reads its own copy of the file in the data dir (``move``: the file is an
    upload already there, moved rather than copied)."""
    path = Path(path)
    file_name = file_name or path.name
    options = _options(dayfirst, mapping)
    options_key = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()
    sha = sha256_file(path)
    unfinished = resumable(ImportBatch.objects.filter(file_sha256=sha, options_key=options_key))
    if unfinished is not None:
        return unfinished, True
    try:
        rows = open_rows(path)
        header = next(rows, None)
        if header is None:
            raise UnreadableFile("the file is empty")
        mapped = resolve([cell_text(h) for h in header],
                         custom_fields=list(CustomFieldDefinition.objects.values_list("key", "label")),
                         overrides=options["columns"])
        plan_column = mapped.columns.get("plan")
        total, plan_cells = 0, {}
        for row in rows:
            total += 1
            if plan_column is not None and plan_column < len(row):
                plan_cells.setdefault(row[plan_column], None)
    except (UnreadableFile, MappingError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"{file_name}: {exc}", fields={"file": [str(exc)]}) from None
    file_plans(association=association, cells=plan_cells, create_term=create_plans_term,
               actor=actor)
    batch = ImportBatch.objects.create(
        association=association, file_name=file_name[:255], file_sha256=sha, options=options,
        options_key=options_key, total_rows=total, unknown_headers=mapped.unknown,
        mapped_headers=mapped.headers,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    batch.file_path = str(store_file(path, imports_dir(batch.pk), move=move))
    batch.save(update_fields=["file_path"])
    return batch, False


def file_plans(*, association: Association, cells: dict[Any, None], create_term: int | None,
               actor=None) -> dict[str, Plan]:
    """The plans of a file's plan column (its distinct cells, in the order first seen: a
    plan created from the file is spelled as its first row spells it): ``plans_for_import``.
    A name too long for a plan is left to the rows, which are rejected with the reason."""
    names = dict.fromkeys(text for text in map(cell_text, cells)
                          if text and len(text) <= LIMITS["plan"])
    return plans_for_import(association=association, names=list(names),
                            create_term_months=create_term, actor=actor)


@transaction.atomic
def roster_mapping_save(*, association: Association, columns: dict[str, str],
                        dayfirst: bool = False, actor=None) -> RosterMapping:
    """Remember the columns chosen for a file (header → field, "custom.<key>" or "ignore"),
    merged over what was saved for other headers, for the association's next file."""
    checked = normalise_mapping({"columns": dict(columns)})["columns"]
    mapping, _ = RosterMapping.objects.select_for_update().get_or_create(association=association)
    mapping.columns = {**(mapping.columns or {}), **checked}
    mapping.dayfirst = bool(dayfirst)
    mapping.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    mapping.save()
    audit.record(association=association, action="people.import_mapping_saved", obj=mapping,
                 actor=mapping.updated_by, data={"columns": checked, "dayfirst": mapping.dayfirst})
    return mapping
