"""The rejected rows of a batch: the original columns plus ``line`` and ``reason``.

Each chunk writes its rejects to a part named by the chunk's offset, inside the chunk's
transaction (a chunk that is written again replaces its part); the finish assembles the
parts below the committed offset, in order, into ``errors.csv``. A part holds either
CSV rows that are already cells + line + reason (``write_rows``), or JSON records with
``line``, ``reason`` and ``raw`` (the row as a JSON object, ``write_records``) whose
cells are laid out under the header at the end — for rows without a header (JSON
Lines, API rows), under the union of their keys.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

_CSV, _JSONL = ".csv.part", ".jsonl.part"


def _part(folder: Path, offset: int, suffix: str) -> Path:
    return folder / f"errors-{offset:012d}{suffix}"


def _offset(part: Path) -> int:
    return int(part.name.split("-", 1)[1].split(".", 1)[0])


def write_rows(folder: Path, offset: int, rows: Sequence[Sequence[Any]]) -> None:
    """The chunk at ``offset`` rejected ``rows`` (each: cells…, line, reason)."""
    part = _part(folder, offset, _CSV)
    if rows:
        with open(part, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    else:
        part.unlink(missing_ok=True)


def write_records(folder: Path, offset: int, rejects: pl.DataFrame) -> None:
    """The chunk at ``offset`` rejected the rows of ``rejects`` (line, reason, raw)."""
    part = _part(folder, offset, _JSONL)
    if rejects.height:
        rejects.select("line", "reason", "raw").write_ndjson(part)
    else:
        part.unlink(missing_ok=True)


def _parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("errors-*.part"), key=_offset)


def discard(folder: Path) -> None:
    for part in _parts(folder):
        part.unlink()


def assemble(folder: Path, header: list[str], *, upto: int) -> str:
    """``errors.csv`` from the parts of chunks before ``upto`` (later ones are leftovers
    of a run that did not commit them); "" if no chunk rejected anything."""
    parts = _parts(folder)
    current = [p for p in parts if _offset(p) < upto]
    if not current:
        discard(folder)
        return ""
    columns = list(header)
    if not columns:  # JSON rows: the keys the rejected rows hold
        for part in current:
            if part.name.endswith(_JSONL):
                for line in part.read_text(encoding="utf-8").splitlines():
                    for key in json.loads(json.loads(line)["raw"] or "{}"):
                        if key not in columns:
                            columns.append(key)
    out = folder / "errors.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*columns, "line", "reason"])
        for part in current:
            if part.name.endswith(_CSV):
                fh.write(part.read_text(encoding="utf-8"))
                continue
            for line in part.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                raw = json.loads(row["raw"] or "{}")
                writer.writerow([*(raw.get(c) or "" for c in columns), row["line"], row["reason"]])
    discard(folder)
    return str(out)
