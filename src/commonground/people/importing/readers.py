"""Reading roster files: CSV in whatever encoding and dialect, or XLSX.

A reader yields the header row, then data rows as lists of cells. CSV cells are strings;
XLSX cells keep their type (numbers, dates), which the row cleaner turns into text or
dates as each field needs.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_SAMPLE = 256 * 1024


class UnreadableFile(ValueError):
    """The file is not a roster we can read (message says why)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        yield from _spreadsheet_rows(path)
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


def _spreadsheet_rows(path: Path) -> Iterator[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise UnreadableFile(f"cannot read the spreadsheet: {exc}") from None
    for row in sheet.iter_rows():
        yield list(row)


def count_rows(path: Path) -> int:
    """Data rows (not counting the header) — for progress and the background threshold."""
    return max(0, sum(1 for _ in open_rows(path)) - 1)
