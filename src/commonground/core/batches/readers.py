"""Reading batch files: CSV in whatever encoding and dialect, XLSX, JSON Lines.

Two ways to read, one detection:

- ``open_rows`` yields the header row, then every row as a list of cells (CSV cells are
  strings; XLSX cells keep their type — numbers, dates — for the caller to interpret).
  The roster import reads this way.
- ``read_header`` + ``iter_blocks`` stream the file as frames of text cells, a block at a
  time: CSV and JSON Lines in byte blocks cut at a row boundary (memory stays flat however
  large the file, and a batch resumes from the byte offset its last chunk committed), CSV
  parsed by polars (a file that is not UTF-8 is transcoded once with ``utf8_copy``), XLSX
  sheets by calamine, resuming by row count. Each frame has the file's columns plus
  ``__line``: the data row's line as a spreadsheet numbers it (the header is line 1).
  The activity ingest reads this way.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_SAMPLE = 256 * 1024


class UnreadableFile(ValueError):
    """The file is not one we can read (the message says why)."""


def is_spreadsheet(path: Path) -> bool:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    with open(path, "rb") as fh:
        magic = fh.read(8)
    return magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0")


def detect_encoding(path: Path) -> str:
    """BOMs first, then UTF-8 if the whole file decodes, else charset-normalizer's guess."""
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Imported only here: most files are UTF-8 and never need the (slow to load) guesser.
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    encoding = best.encoding if best else "cp1252"
    # Legacy Western exports: cp1252 is a superset of latin-1's printable range and
    # decodes curly quotes and the euro sign the way Excel wrote them.
    if encoding in ("latin_1", "iso8859_1", "iso8859_15"):
        encoding = "cp1252"
    try:
        with open(path, encoding=encoding) as fh:
            for _ in iter(lambda: fh.read(1 << 20), ""):
                pass
    except UnicodeDecodeError:
        encoding = "latin-1"  # decodes any byte: better than refusing the file
    return encoding


def detect_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    text = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(text, delimiters=",;\t|")
        if dialect.delimiter in ",;\t|":
            return dialect
    except csv.Error:
        pass
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","

    class Detected(csv.excel):
        pass

    Detected.delimiter = delimiter
    return Detected


def open_rows(path: Path) -> Iterator[list[Any]]:
    """Header row first, then every row (blank rows included, so positions are stable)."""
    path = Path(path)
    if is_spreadsheet(path):
        yield from sheet_rows(path)
    else:
        yield from _csv_rows(path)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(64 * 1024)
        fh.seek(0)
        if encoding == "utf-8-sig" or sample.startswith("\ufeff"):
            sample = sample.lstrip("\ufeff")
        dialect = detect_dialect(sample)
        reader = csv.reader(fh, dialect)
        first = True
        try:
            for row in reader:
                if first:
                    row = [c.lstrip("\ufeff") for c in row]
                    first = False
                yield row
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: {exc}") from None


def sheet_rows(path: Path) -> Iterator[list[Any]]:
    """The rows of a spreadsheet's first sheet (header included)."""
    # Imported only here: a native extension that CSV-only runs need not load.
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise UnreadableFile(f"cannot read the spreadsheet: {exc}") from None
    for row in sheet.iter_rows():
        yield list(row)


LINE = "__line"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass
class Block:
    frame: pl.DataFrame  # text columns + __line
    end_offset: int      # bytes (CSV/JSONL) or rows (XLSX) consumed once this block is done


def file_format(path: Path) -> str:
    if is_spreadsheet(path):
        return "xlsx"
    if path.suffix.lower() in JSONL_SUFFIXES:
        return "jsonl"
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(codecs.BOM_UTF8).lstrip()
    return "jsonl" if head.startswith(b"{") else "csv"


def utf8_copy(path: Path, workdir: Path) -> Path:
    """The file itself if it is UTF-8, else a UTF-8 copy (made once, streamed)."""
    encoding = detect_encoding(path)
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    out = workdir / "utf8.csv"
    if not out.exists():
        tmp = out.with_suffix(".part")
        with open(path, encoding=encoding, newline="") as src, open(tmp, "w", encoding="utf-8",
                                                                    newline="") as dst:
            for block in iter(lambda: src.read(1 << 20), ""):
                dst.write(block)
        tmp.rename(out)
    return out


def read_header(path: Path) -> tuple[list[str], dict[str, Any]]:
    """The header and how to read the rest (``start`` = byte offset of the first data row)."""
    fmt = file_format(path)
    if fmt == "xlsx":
        rows = sheet_rows(path)
        header = next(rows, None)
        if header is None:
            raise UnreadableFile("the file is empty")
        return _names([_text(c) for c in header]), {"format": "xlsx", "start": 0}
    if fmt == "jsonl":
        return [], {"format": "jsonl", "start": 0}
    with open(path, "rb") as fh:
        raw = fh.read(256 * 1024)
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    sample = raw[bom:].decode("utf-8", errors="replace")
    if not sample.strip():
        raise UnreadableFile("the file is empty")
    dialect = detect_dialect(sample)
    reader = csv.reader(io.StringIO(sample), dialect)
    header = next(reader, None) or []
    # Byte length of the header line(s): re-read the header with the csv module from bytes.
    first_end = _row_end(raw, bom, 1)
    return _names([h.strip().lstrip("\ufeff") for h in header]), {
        "format": "csv", "start": first_end, "delimiter": dialect.delimiter,
        "quotechar": dialect.quotechar or '"'}


def _names(header: list[str]) -> list[str]:
    """Unique, non-empty column names (blank ones become column_3, repeats get _2)."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _row_end(data: bytes, start: int, rows: int, quote: int = ord('"')) -> int:
    """Byte offset just after ``rows`` CSV rows from ``start`` (newlines inside quotes skipped)."""
    in_quotes = False
    count = 0
    for i in range(start, len(data)):
        c = data[i]
        if c == quote:
            in_quotes = not in_quotes
        elif c == 10 and not in_quotes:
            count += 1
            if count == rows:
                return i + 1
    return len(data)


def _cut(block: bytes, quote: bytes) -> int:
    """Where to cut a block: after its last newline that is outside quotes (0 = none)."""
    pos = len(block)
    while True:
        pos = block.rfind(b"\n", 0, pos)
        if pos < 0:
            return 0
        # An even number of quote characters before it: the newline ends a row.
        if block.count(quote, 0, pos) % 2 == 0:
            return pos + 1


def iter_blocks(path: Path, header: list[str], info: dict[str, Any], *, offset: int,
                first_line: int, block_bytes: int = 16 << 20, block_rows: int = 100_000
                ) -> Iterator[Block]:
    """Frames from ``offset`` (bytes, or rows for XLSX) on; ``first_line`` numbers the first."""
    if info["format"] == "xlsx":
        yield from _xlsx_blocks(path, header, offset=offset, block_rows=block_rows)
    elif info["format"] == "jsonl":
        yield from _jsonl_blocks(path, offset=offset, first_line=first_line,
                                 block_bytes=block_bytes)
    else:
        yield from _csv_blocks(path, header, info, offset=max(offset, info["start"]),
                               first_line=first_line, block_bytes=block_bytes)


def _byte_blocks(path: Path, *, offset: int, block_bytes: int,
                 cut: Callable[[bytes], int]) -> Iterator[tuple[bytes, int]]:
    """Whole-row pieces of the file from ``offset``: ``(piece, offset after it)``.

    ``cut(buf)`` says where the last complete row in ``buf`` ends (0: none yet, so a row
    longer than a block is read on); the file's end closes the last row."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        pending = b""
        while True:
            data = fh.read(block_bytes)
            buf = pending + data
            if not buf:
                return
            end = len(buf) if not data else cut(buf)
            if end == 0:
                pending = buf
                continue
            piece, pending = buf[:end], buf[end:]
            offset += len(piece)
            yield piece, offset
            if not data:
                return


def _csv_blocks(path: Path, header: list[str], info: dict[str, Any], *, offset: int,
                first_line: int, block_bytes: int) -> Iterator[Block]:
    quote = info["quotechar"].encode()
    line = first_line
    for chunk, end in _byte_blocks(path, offset=offset, block_bytes=block_bytes,
                                   cut=lambda buf: _cut(buf, quote)):
        try:
            frame = pl.read_csv(chunk, has_header=False, new_columns=header, infer_schema=False,
                                separator=info["delimiter"], quote_char=info["quotechar"],
                                truncate_ragged_lines=True, raise_if_empty=False)
        except pl.exceptions.PolarsError as exc:
            raise UnreadableFile(f"near line {line}: {exc}") from None
        if frame.width > len(header):
            frame = frame.select(header)
        frame = frame.with_columns(pl.int_range(line, line + frame.height, dtype=pl.Int64).alias(LINE))
        line += frame.height
        yield Block(frame, end)


def _jsonl_blocks(path: Path, *, offset: int, first_line: int, block_bytes: int) -> Iterator[Block]:
    line = first_line
    for chunk, end in _byte_blocks(path, offset=offset, block_bytes=block_bytes,
                                   cut=lambda buf: buf.rfind(b"\n") + 1):
        pieces = chunk.split(b"\n")
        if not pieces[-1].strip():
            pieces.pop()  # what follows the last newline
        records = [_json_record(p.decode("utf-8", errors="replace").strip().lstrip("\ufeff"))
                   for p in pieces]
        frame = rows_frame(records, first_line=line)
        line += frame.height
        yield Block(frame, end)


def _json_record(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        return {"__error": f"not valid JSON: {exc}", "__raw": text[:2000]}
    if not isinstance(value, dict):
        return {"__error": "a line must hold one JSON object", "__raw": text[:2000]}
    return value


def rows_frame(records: list[dict[str, Any]], *, first_line: int = 1) -> pl.DataFrame:
    """Row objects (API, webhook, JSON Lines) as a text frame with ``__line``."""
    columns: dict[str, None] = {}
    for record in records:
        for key in record:
            columns.setdefault(str(key), None)
    data = {name: [_text(r.get(name)) for r in records] for name in columns}
    frame = pl.DataFrame(data, schema={name: pl.Utf8 for name in columns})
    return frame.with_columns(
        pl.int_range(first_line, first_line + len(records), dtype=pl.Int64).alias(LINE))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_blocks(path: Path, header: list[str], *, offset: int, block_rows: int) -> Iterator[Block]:
    rows = sheet_rows(path)
    next(rows, None)
    done = 0
    batch: list[list[Any]] = []
    for row in rows:
        if done < offset:
            done += 1
            continue
        batch.append(row)
        if len(batch) >= block_rows:
            yield _xlsx_block(header, batch, done)
            done += len(batch)
            batch = []
    if batch:
        yield _xlsx_block(header, batch, done)


def _xlsx_block(header: list[str], rows: list[list[Any]], done: int) -> Block:
    records = [{name: (row[i] if i < len(row) else None) for i, name in enumerate(header)}
               for row in rows]
    for record in records:
        for key, value in record.items():
            if value == "":
                record[key] = None
    frame = rows_frame(records, first_line=done + 2)
    if frame.width == 1:  # no columns at all
        frame = pl.DataFrame({name: [None] * len(rows) for name in header},
                             schema={n: pl.Utf8 for n in header}).with_columns(frame[LINE])
    return Block(frame, done + len(rows))
