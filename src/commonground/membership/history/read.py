"""Reading a history file whole: CSV through polars, XLSX through the core readers.

The file is read once per run into one frame of text cells (the file's columns, named as
``core.batches.readers`` names them, plus ``__line``, the line a spreadsheet shows), so
the run can sort every member's rows together however the file spreads them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from commonground.core.batches import readers
from commonground.core.batches.readers import LINE, UnreadableFile


def read_frame(path: Path, workdir: Path) -> tuple[list[str], pl.DataFrame]:
    """(header, frame) of a CSV or spreadsheet; blank rows are dropped (their lines stay
    counted). Raises ``UnreadableFile``."""
    path = Path(path)
    header, info = readers.read_header(path)
    if info["format"] == "jsonl":
        raise UnreadableFile("a membership history file is CSV or a spreadsheet")
    if info["format"] == "csv":
        path = readers.utf8_copy(path, workdir)
        header, info = readers.read_header(path)
    frames = [block.frame for block in readers.iter_blocks(path, header, info, offset=0,
                                                            first_line=2)]
    schema = {**{name: pl.Utf8 for name in header}, LINE: pl.Int64}
    frame = pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame(schema=schema)
    for name in header:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(name))
    frame = frame.select(*header, LINE)
    blank = pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == "" for c in header]) \
        if header else pl.lit(True)
    return header, frame.filter(~blank)


def read_column(path: Path, workdir: Path, header: list[str], name: str) -> tuple[pl.Series, int]:
    """One column of the file (for the plan check before a batch exists) and the number of
    data rows, without parsing the other columns of a CSV (blank rows counted: the run
    counts again)."""
    path = Path(path)
    _, info = readers.read_header(path)
    if info["format"] != "csv":
        _, frame = read_frame(path, workdir)
        return frame.get_column(name), frame.height
    path = readers.utf8_copy(path, workdir)
    header, info = readers.read_header(path)
    data = path.read_bytes()[info["start"]:]
    frame = pl.read_csv(data, has_header=False, columns=[header.index(name)],
                        infer_schema=False, separator=info["delimiter"],
                        quote_char=info["quotechar"], truncate_ragged_lines=True,
                        raise_if_empty=False) if data.strip() else pl.DataFrame({name: []},
                                                                                schema={name: pl.Utf8})
    return frame.to_series(0).rename(name), frame.height
