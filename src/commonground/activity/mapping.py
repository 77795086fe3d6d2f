"""Mapping profiles: how a feed's columns become activity fields.

A mapping is a plain dict (stored on ``Source.mapping``, written as TOML in
``activity/profiles/<kind>.toml``)::

    label = "Email platform activity"
    category = "marketing"            # default category
    timezone = "UTC"                  # for timestamps without an offset
    date_formats = ["%Y-%m-%d %H:%M:%S"]   # strftime-style, tried before the built-in ones
    timestamp_unit = ""               # "s" / "ms" / "us" when occurred_at holds epoch numbers
    unknown_kinds = "keep"            # or "reject": values missing from [kinds]
    [fields]      # field = column (external_id may be a list of columns, joined by ":")
    occurred_at = "Timestamp"
    kind = "Action"
    [identity]    # email / hash (sha256 of the email) / ext (the feed's own id) / anon (visitor)
    email = "Email Address"
    [kinds]       # column value (case-insensitive) = activity kind
    open = "email_open"
    [categories]  # activity kind = category (overrides the default)
    [constants]   # field = value, used when the field has no column or the cell is blank
    [metadata]    # key in Activity.metadata = column

``mapping_validate`` returns the normalised mapping or raises ``ValidationFailed`` with
field errors keyed like ``fields.occurred_at``.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from commonground.core.errors import ValidationFailed

from .models import Category, ProfileKind

FIELDS = ("occurred_at", "kind", "category", "quantity", "amount", "currency", "offering",
          "external_id")
IDENTITY_KINDS = ("email", "hash", "ext", "anon")
CONSTANT_FIELDS = ("kind", "category", "currency", "quantity", "offering")
TIMESTAMP_UNITS = ("", "s", "ms", "us")
KIND_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,39}$")
SECTIONS = ("fields", "identity", "kinds", "categories", "constants", "metadata")
TOP_KEYS = {"label", "category", "timezone", "date_formats", "timestamp_unit", "unknown_kinds",
            "description", *SECTIONS}
_FORMAT_DIRECTIVE = re.compile(r"%[-#]?[A-Za-z.:%]|%\.\d?f")


def _table(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def mapping_validate(data: Any) -> dict[str, Any]:
    """Check a mapping and return it normalised. Raises ``ValidationFailed``."""
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(data, dict):
        raise ValidationFailed("The mapping must be a table of settings",
                               fields={"mapping": ["expected a table"]})
    for key in data:
        if key not in TOP_KEYS:
            err(str(key), f"unknown setting (expected one of {', '.join(sorted(TOP_KEYS))})")
    for section in SECTIONS:
        if section in data and not isinstance(data[section], dict):
            err(section, "must be a table")
    out: dict[str, Any] = {
        "label": str(data.get("label") or "")[:120],
        "category": str(data.get("category") or ""),
        "timezone": str(data.get("timezone") or "UTC"),
        "date_formats": [],
        "timestamp_unit": str(data.get("timestamp_unit") or ""),
        "unknown_kinds": str(data.get("unknown_kinds") or "keep"),
        "fields": {}, "identity": {}, "kinds": {}, "categories": {}, "constants": {},
        "metadata": {},
    }
    categories = set(Category.values)
    if out["category"] and out["category"] not in categories:
        err("category", f"{out['category']!r} is not a category ({', '.join(Category.values)})")
    try:
        zoneinfo.ZoneInfo(out["timezone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        err("timezone", f"unknown time zone {out['timezone']!r}")
    formats = data.get("date_formats") or []
    if isinstance(formats, str):
        formats = [formats]
    if not isinstance(formats, list):
        err("date_formats", "must be a list of formats")
        formats = []
    for fmt in formats:
        if not isinstance(fmt, str) or not _FORMAT_DIRECTIVE.search(fmt) or len(fmt) > 60:
            err("date_formats", f"{fmt!r} is not a date format like %Y-%m-%d %H:%M:%S")
        elif "%Y" not in fmt and "%y" not in fmt and "%s" not in fmt:
            err("date_formats", f"{fmt!r} has no year (%Y)")
        else:
            out["date_formats"].append(fmt)
    if out["timestamp_unit"] not in TIMESTAMP_UNITS:
        err("timestamp_unit", "must be s, ms or us (or empty)")
    if out["unknown_kinds"] not in ("keep", "reject"):
        err("unknown_kinds", "must be keep or reject")

    for name, column in _table(data.get("fields")).items():
        if name not in FIELDS:
            err(f"fields.{name}", f"unknown field (expected one of {', '.join(FIELDS)})")
        elif name == "external_id" and isinstance(column, list):
            cols = [str(c).strip() for c in column if str(c).strip()]
            if not cols:
                err("fields.external_id", "name at least one column")
            out["fields"][name] = cols
        elif not isinstance(column, str) or not column.strip():
            err(f"fields.{name}", "must be a column name")
        else:
            out["fields"][name] = column.strip()
    if "occurred_at" not in out["fields"]:
        err("fields.occurred_at", "required: the column holding when it happened")
    for name, column in _table(data.get("identity")).items():
        if name not in IDENTITY_KINDS:
            err(f"identity.{name}", f"unknown identity (expected one of {', '.join(IDENTITY_KINDS)})")
        elif not isinstance(column, str) or not column.strip():
            err(f"identity.{name}", "must be a column name")
        else:
            out["identity"][name] = column.strip()
    if not out["identity"]:
        err("identity", "map at least one identity column (email, hash, ext or anon)")
    for name, value in _table(data.get("constants")).items():
        if name not in CONSTANT_FIELDS:
            err(f"constants.{name}", f"cannot be a constant (one of {', '.join(CONSTANT_FIELDS)})")
        else:
            out["constants"][name] = str(value).strip()
    if "kind" not in out["fields"] and not out["constants"].get("kind"):
        err("fields.kind", "required: a kind column or a constant kind")
    for value, kind in _table(data.get("kinds")).items():
        kind = str(kind).strip()
        if not KIND_RE.match(kind):
            err(f"kinds.{value}", f"{kind!r} is not a kind (lower-case letters, digits, _ . -)")
        else:
            out["kinds"][str(value).strip().lower()] = kind
    const_kind = out["constants"].get("kind")
    if const_kind and not KIND_RE.match(const_kind):
        err("constants.kind", f"{const_kind!r} is not a kind (lower-case letters, digits, _ . -)")
    const_cat = out["constants"].get("category")
    if const_cat and const_cat not in categories:
        err("constants.category", f"{const_cat!r} is not a category")
    for kind, category in _table(data.get("categories")).items():
        if str(category) not in categories:
            err(f"categories.{kind}", f"{category!r} is not a category")
        else:
            out["categories"][str(kind).strip()] = str(category)
    if not out["category"] and not const_cat and "category" not in out["fields"]:
        err("category", f"required: the default category ({', '.join(Category.values)})")
    for key, column in _table(data.get("metadata")).items():
        if not isinstance(column, str) or not column.strip():
            err(f"metadata.{key}", "must be a column name")
        elif not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$", str(key)):
            err(f"metadata.{key}", "keys are letters, digits and _")
        else:
            out["metadata"][str(key)] = column.strip()
    if "quantity" in out["constants"]:
        try:
            float(out["constants"]["quantity"])
        except ValueError:
            err("constants.quantity", "must be a number")
    currency = out["constants"].get("currency")
    if currency and not re.match(r"^[A-Za-z]{3}$", currency):
        err("constants.currency", "must be a three-letter code like EUR")
    elif currency:
        out["constants"]["currency"] = currency.upper()
    if errors:
        first = next(iter(errors.items()))
        raise ValidationFailed(f"The mapping is not valid: {first[0]}: {first[1][0]}", fields=errors)
    return out


def mapping_columns(mapping: dict[str, Any]) -> dict[str, list[str]]:
    """Every column the mapping reads, by what for ("fields.kind" → ["Action"])."""
    out: dict[str, list[str]] = {}
    for name, column in mapping.get("fields", {}).items():
        out[f"fields.{name}"] = column if isinstance(column, list) else [column]
    for name, column in mapping.get("identity", {}).items():
        out[f"identity.{name}"] = [column]
    for name, column in mapping.get("metadata", {}).items():
        out[f"metadata.{name}"] = [column]
    return out


def mapping_check_header(mapping: dict[str, Any], header: list[str]) -> list[str]:
    """Raise if the file lacks a column the mapping cannot do without (when it happened,
    the kind, every identity column); return the optional columns it lacks (left blank)."""
    present = set(header)
    needed = {"fields.occurred_at", "fields.kind", "fields.external_id"}
    fatal: dict[str, list[str]] = {}
    missing: list[str] = []
    for key, columns in mapping_columns(mapping).items():
        for column in columns:
            if column in present:
                continue
            if key in needed:
                fatal.setdefault(key, []).append(f"no column {column!r} in the file")
            else:
                missing.append(column)
    if not any(c in present for c in mapping.get("identity", {}).values()):
        fatal.setdefault("identity", []).append(
            "none of the identity columns (" + ", ".join(mapping.get("identity", {}).values())
            + ") is in the file")
    if fatal:
        first = next(iter(fatal.items()))
        raise ValidationFailed(f"The file does not fit the mapping: {first[1][0]}", fields=fatal)
    return missing


def load_toml(text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationFailed(f"Not a valid TOML file: {exc}", fields={"mapping": [str(exc)]}) from None
    return mapping_validate(data)


def load_mapping_file(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc}", fields={"mapping": [str(exc)]}) from None
    return load_toml(text)


@cache
def _profile_text(kind: str) -> str:
    return resources.files("commonground.activity").joinpath("profiles", f"{kind}.toml").read_text(
        encoding="utf-8")


def profile_kinds() -> list[str]:
    return [k for k in ProfileKind.values if k != ProfileKind.CUSTOM]


def profile_mapping(kind: str) -> dict[str, Any]:
    """The mapping of a shipped profile (a fresh copy), e.g. ``profile_mapping("email")``."""
    if kind not in profile_kinds():
        raise ValidationFailed(f"No profile {kind!r}", fields={"profile": [
            f"one of {', '.join(profile_kinds())}"]})
    return load_toml(_profile_text(kind))


def profile_toml(kind: str) -> str:
    """The shipped profile's TOML text (to download and adapt)."""
    profile_mapping(kind)
    return _profile_text(kind)


def mapping_to_toml(mapping: dict[str, Any]) -> str:
    """A mapping written back as TOML (for the edit form and ``source show``)."""
    lines: list[str] = []
    for key in ("label", "category", "timezone", "timestamp_unit", "unknown_kinds"):
        if mapping.get(key):
            lines.append(f"{key} = {_toml_value(mapping[key])}")
    if mapping.get("date_formats"):
        lines.append(f"date_formats = {_toml_value(mapping['date_formats'])}")
    for section in SECTIONS:
        table = mapping.get(section) or {}
        if table:
            lines.append(f"\n[{section}]")
            lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return f'"{text}"'
