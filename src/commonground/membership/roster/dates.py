"""Dates as roster exports write them.

ISO (2021-01-05, with or without a time), US m/d/Y, European d/m/Y (with ``dayfirst``
or when the first number cannot be a month), d.m.Y (always day first), compact
YYYYMMDD, month names ("Jan 5, 2021", "5 January 2021", "05-Jan-21") and Excel serial
numbers (days since 1899-12-30, as XLSX cells or as digits in a CSV).

No guessing beyond that: anything else is a ValueError with a readable reason, so a bad
cell becomes a rejected row rather than a wrong date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

EXCEL_EPOCH = date(1899, 12, 30)
# Serials for 1900-03-01 .. 9999-12-31; smaller numbers are too ambiguous to be dates.
_SERIAL_MIN, _SERIAL_MAX = 61, 2958465

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})(?: [\d:.]+(?: ?[AaPp][Mm])?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")  # 1927..2173; "2021" alone is a year, not a date
_WORDS = re.compile(r"[A-Za-z]+\.?|\d+")


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        # Two-digit years: up to ten years ahead is this century, the rest the last one.
        pivot = (date.today().year + 10) % 100
        year += 2000 if year <= pivot else 1900
    return year


def _make(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{raw!r} is not a real date") from None


def excel_serial(value: float) -> date:
    if not (_SERIAL_MIN <= value <= _SERIAL_MAX):
        raise ValueError(f"{value!r} is not a date")
    return EXCEL_EPOCH + timedelta(days=int(value))


@lru_cache(maxsize=65536)
def _parse_text(text: str, dayfirst: bool) -> date:
    raw = text
    text = text.strip().strip(",")
    m = _ISO.fullmatch(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    m = _NUMERIC.fullmatch(text)
    if m:
        a, sep, b, c = m[1], m[2], m[3], m[4]
        if len(a) == 4:  # 2021/01/05: year first is always Y/M/D
            return _make(int(a), int(b), int(c), raw)
        if len(a) > 2 or len(c) == 3:
            raise ValueError(f"{raw!r} is not a date I can read")
        first, second = int(a), int(b)
        # d.m.Y is the European convention; otherwise follow dayfirst unless the numbers
        # only fit one way round (13/01/2021 can only be day first).
        day_first = sep == "." or dayfirst
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        return _make(_year(c), month, day, raw)
    m = _COMPACT.fullmatch(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), raw)
    if _SERIAL.fullmatch(text):
        return excel_serial(float(text))
    tokens = _WORDS.findall(text)
    months = [t for t in tokens if not t.isdigit()]
    numbers = [t for t in tokens if t.isdigit()]
    months = [t for t in months if t.lower().rstrip(".") not in ("st", "nd", "rd", "th", "of")]
    if len(months) == 1 and len(numbers) == 2 and months[0].lower().rstrip(".") in _MONTHS:
        month = _MONTHS[months[0].lower().rstrip(".")]
        # "Jan 5, 2021", "5 January 2021", "05-Jan-21": the year is the 4-digit number,
        # or the last one when both are short.
        if len(numbers[0]) == 4:
            year_text, day_text = numbers
        elif len(numbers[1]) == 4 or len(numbers[0]) <= 2:
            day_text, year_text = numbers
        else:
            raise ValueError(f"{raw!r} is not a date I can read")
        return _make(_year(year_text), month, int(day_text), raw)
    raise ValueError(f"{raw!r} is not a date I can read")


_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)


def parse_date(value: object, *, dayfirst: bool = False) -> date | None:
    """A date from a cell, or None for a blank cell; ValueError if unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return excel_serial(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) > 40:
        raise ValueError("too long to be a date")
    return _parse_cached(text, dayfirst)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, dayfirst: bool) -> date:
    return _parse_text(_ORDINAL.sub(r"\1", text), dayfirst)
