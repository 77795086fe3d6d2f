"""Timestamps, column-wise: the mapping's formats, then common ISO shapes, then epoch numbers.

Naive values are read in the mapping's time zone; values with an offset keep it. Every
result is UTC. A value no format reads becomes null (the caller rejects the row).
"""

from __future__ import annotations

import polars as pl

# Tried after the mapping's own formats, most common first.
DEFAULT_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
)
_UNITS = {"s": 1_000_000, "ms": 1_000, "us": 1}
UTC_DT = pl.Datetime("us", "UTC")


def _with_offset(fmt: str) -> bool:
    return "%z" in fmt or "%:z" in fmt or "%#z" in fmt


def _strptime(text: pl.Series, fmt: str, tz: str) -> pl.Series:
    dated = not any(d in fmt for d in ("%H", "%I", "%T", "%R", "%s"))
    if dated:
        out = text.str.strptime(pl.Date, fmt, strict=False).cast(pl.Datetime("us"))
    else:
        out = text.str.strptime(pl.Datetime("us"), fmt, strict=False)
    if _with_offset(fmt) and not dated:
        return out.dt.convert_time_zone("UTC")
    # Wall-clock times that do not exist (spring forward) or repeat (fall back) in the
    # zone: the earlier reading for repeats, none for gaps (the row is rejected).
    return out.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        "UTC")


def _epoch(text: pl.Series, unit: str | None) -> pl.Series:
    """Digits as seconds/milliseconds/microseconds since 1970 (by ``unit``, else by size)."""
    digits = text.str.replace(r"\.0+$", "")
    numeric = digits.str.contains(r"^\d{1,17}$")
    value = digits.cast(pl.Int64, strict=False)
    if unit:
        factor = pl.lit(_UNITS[unit], dtype=pl.Int64)
    else:
        # 1980–2200 in seconds, milliseconds and microseconds do not overlap.
        v = pl.col("v")
        factor = (pl.when(v < 10**11).then(pl.lit(1_000_000, dtype=pl.Int64))
                  .when(v < 10**14).then(pl.lit(1_000, dtype=pl.Int64))
                  .otherwise(pl.lit(1, dtype=pl.Int64)))
    frame = pl.DataFrame({"v": value, "ok": numeric})
    micros = frame.select(pl.when(pl.col("ok")).then(pl.col("v") * factor)).to_series()
    # Outside 1980–2200 is a wrong unit (or a compact date like 20240501), not a moment.
    micros = micros.set((micros < 315_532_800_000_000) | (micros > 7_258_118_400_000_000), None)
    return pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")


def parse_datetimes(text: pl.Series, *, formats: list[str] | tuple[str, ...] = (),
                    timezone: str = "UTC", unit: str = "") -> pl.Series:
    """Text → UTC datetimes (null where unreadable). ``unit`` reads epoch numbers first."""
    text = text.cast(pl.Utf8).str.strip_chars()
    # "…Z" is UTC; chrono's %z wants an offset.
    text = text.str.replace(r"(?i)z$", "+00:00")
    out = pl.Series(text.name, [None] * len(text), dtype=UTC_DT)
    todo = text.is_not_null() & (text != "")
    if not todo.any():
        return out
    if unit:
        out = _epoch(text, unit)
        todo = todo & out.is_null()
    for fmt in (*formats, *DEFAULT_FORMATS):
        if not todo.any():
            break
        # Only the values still unread: most files use one format, so later ones see few.
        part = text.filter(todo)
        parsed = _strptime(part, fmt, timezone)
        if parsed.null_count() == len(parsed):
            continue
        out = out.scatter(todo.arg_true(), parsed)
        todo = todo & out.is_null()
    if todo.any() and not unit:
        part = text.filter(todo)
        parsed = _epoch(part, None)
        if parsed.null_count() < len(parsed):
            out = out.scatter(todo.arg_true(), parsed)
    return out.alias(text.name)
