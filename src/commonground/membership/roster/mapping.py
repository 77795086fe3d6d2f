"""Which column holds which field: defaults for common AMS exports, overridable.

Headers are compared case-, space- and punctuation-insensitively ("E-mail", "e_mail" and
"EMAIL" are one header). A mapping file (TOML or JSON) may map header → field or
field → header, map a header to "" / "ignore" to skip it, and set ``dayfirst = true``.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = (
    "first_name", "last_name", "full_name", "email", "phone", "address_line1", "address_line2",
    "city", "region", "postal_code", "country", "chapter", "organisation", "external_id",
    "plan", "joined_on", "expires_on",
)
IGNORE = "ignore"

# Canonical header for each field: what the exporter writes and the importer reads first.
CANONICAL = {
    "external_id": "Member ID", "first_name": "First Name", "last_name": "Last Name",
    "email": "Email", "phone": "Phone", "organisation": "Organization", "chapter": "Chapter",
    "address_line1": "Address", "address_line2": "Address 2", "city": "City",
    "region": "State", "postal_code": "Postal Code", "country": "Country",
    "plan": "Membership Level", "joined_on": "Member Since", "expires_on": "Expiry",
}

ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Firstname", "Given name", "Given names", "Forename", "First"),
    "last_name": ("Last Name", "Lastname", "Surname", "Family name", "Last"),
    "full_name": ("Name", "Full name", "Display name", "Contact name", "Member name"),
    "email": ("Email", "E-mail", "Email Address", "E-mail address", "Primary Email",
              "Primary Email Address", "Email 1", "Mail"),
    "phone": ("Phone", "Mobile", "Phone number", "Telephone", "Tel", "Mobile phone", "Cell",
              "Primary Phone", "Phone 1", "Work phone", "Mobile number"),
    "organisation": ("Organization", "Organisation", "Company", "Employer", "Organization name",
                     "Organisation name", "Company name", "Account name", "Current employer"),
    "chapter": ("Chapter", "Chapter name", "Local group", "Section", "Branch"),
    "address_line1": ("Address", "Street", "Street address", "Address 1", "Address line 1",
                      "Street 1", "Mailing street", "Supplemental address"),
    "address_line2": ("Address 2", "Address line 2", "Street 2", "Street address 2"),
    "city": ("City", "Town", "Mailing city", "Locality"),
    "region": ("State", "Province", "Region", "State/Province", "County", "State province",
               "Mailing state"),
    "postal_code": ("Zip", "Zip code", "Postal Code", "Postcode", "Post code", "ZIP/Postal code",
                    "Mailing zip", "Mailing postal code"),
    "country": ("Country", "Country code", "Mailing country"),
    "external_id": ("Member ID", "Contact ID", "External ID", "Membership number", "Member number",
                    "User ID", "Record ID", "ID"),
    "plan": ("Membership Level", "Membership Type", "Plan", "Membership level name",
             "Membership plan", "Level", "Member type"),
    "joined_on": ("Member Since", "Join Date", "Start Date", "Joined", "Date joined",
                  "Membership start date", "Joined on", "Member since date"),
    "expires_on": ("Expiry", "Expiration Date", "Expiry date", "Renewal Due", "End Date",
                   "Paid through", "Paid thru", "Renewal date", "Membership end date",
                   "Expires", "Expires on", "Membership expiration"),
}
# Exported for information, never imported (e.g. status is computed from the dates).
INFORMATIONAL = ("Membership Status", "Status", "Created", "Last modified", "Updated")

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def header_key(text: Any) -> str:
    return _PUNCT.sub("", str(text or "")).lower()


def default_fields(aliases: dict[str, tuple[str, ...]], informational: tuple[str, ...]
                   ) -> dict[str, str]:
    """header key → field for a kind's known headers (the first alias to claim a key
    wins); headers exported beside the data and never imported map to ``IGNORE``."""
    defaults: dict[str, str] = {}
    for name_field, names in aliases.items():
        for name in names:
            defaults.setdefault(header_key(name), name_field)
    for name in informational:
        defaults.setdefault(header_key(name), IGNORE)
    return defaults


_DEFAULTS = default_fields(ALIASES, INFORMATIONAL)


@dataclass
class Mapping:
    """Resolved mapping for one file: field → column index, plus what was not used."""

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # field -> header text
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


class MappingError(ValueError):
    pass


def read_mapping_table(path: str | Path) -> dict[str, Any]:
    """A TOML or JSON mapping file as the table it holds (every import's ``--mapping``;
    each kind checks the fields itself)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path.name}: {exc}") from None
    if not isinstance(data, dict):
        raise MappingError(f"{path.name}: expected a table of header = field")
    return data


def load_mapping_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML or JSON mapping file into {'columns': {header_key: field}, 'dayfirst': …}."""
    return normalise_mapping(read_mapping_table(path))


def normalise_mapping(data: dict[str, Any]) -> dict[str, Any]:
    """Accept header → field or field → header; return {'columns': {header_key: field}}."""
    options: dict[str, Any] = {}
    if "dayfirst" in data:
        options["dayfirst"] = bool(data.pop("dayfirst"))
    pairs = data.pop("columns", None) or data
    if not isinstance(pairs, dict):
        raise MappingError("columns must be a table of header = field")
    columns: dict[str, str] = {}
    for key, value in pairs.items():
        if isinstance(value, bool) or value is None:
            value = IGNORE if not value else ""
        value = str(value)
        if _is_field(key) and not _is_field(value):
            header, target = value, key
        else:
            header, target = key, value
        target = target.strip() or IGNORE
        if not (_is_field(target) or target == IGNORE):
            raise MappingError(f"{header!r} maps to unknown field {target!r}; fields are: "
                               + ", ".join(FIELDS) + ", custom.<key>, ignore")
        columns[header_key(header)] = target
    options["columns"] = columns
    return options


def custom_header(key: str, label: str) -> str:
    """The header the exporter writes for a custom field: one the importer maps back."""
    return label if header_key(label) not in _DEFAULTS else f"custom.{key}"


def _is_field(name: str) -> bool:
    return name in FIELDS or (name.startswith("custom.") and len(name) > 7)


def resolve(headers: list[Any], *, custom_fields: list[tuple[str, str]],
            overrides: dict[str, str] | None = None) -> Mapping:
    """Map a file's header row. ``custom_fields`` is [(key, label)] of the association."""
    lookup = dict(_DEFAULTS)
    for key, label in custom_fields:
        # A custom field named like a standard one is reachable by "custom.<key>" only.
        for name in (label, key, f"custom.{key}"):
            if header_key(name) not in _DEFAULTS:
                lookup[header_key(name)] = f"custom.{key}"
    for key in overrides or {}:
        lookup[key] = overrides[key]
    known_custom = {f"custom.{k}" for k, _ in custom_fields}
    result = Mapping()
    for index, header in enumerate(headers):
        text = str(header or "").strip()
        if not text:
            continue
        target = lookup.get(header_key(text))
        if target is None:
            result.unknown.append(text)
            continue
        if target == IGNORE:
            continue
        if target.startswith("custom.") and target not in known_custom:
            raise MappingError(f"column {text!r} maps to {target!r}, but the association has no "
                               f"custom field {target[7:]!r}")
        if target in result.columns:
            result.duplicates.append(text)  # the first column for a field wins
            continue
        result.columns[target] = index
        result.headers[target] = text
    if not result.columns:
        raise MappingError("no column matched a known field; give a --mapping file. Columns: "
                           + ", ".join(str(h) for h in headers))
    return result
