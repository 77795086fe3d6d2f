"""Which column of a membership history file holds which field.

Defaults cover the usual exports (CiviCRM membership payments, Wild Apricot renewal and
invoice exports, Tendenci membership history); headers are compared like the roster's
(case-, space- and punctuation-insensitive, ``roster.mapping.header_key``). A mapping
file (TOML or JSON) maps header → field or field → header, "" / "ignore" skips a
column, and ``dayfirst = true`` reads 05/01/2021 as 5 January.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonground.membership.roster.mapping import (
    IGNORE,
    MappingError,
    default_fields,
    header_key,
    read_mapping_table,
)

FIELDS = ("email", "external_id", "first_name", "last_name", "full_name", "plan", "starts_on",
          "ends_on", "joined_on", "amount", "paid_on", "invoice_number", "transaction_id", "payment_method",
          "status")

ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("Email", "E-mail", "Email Address", "E-mail address", "Primary Email",
              "Contact Email", "Member Email", "Email 1", "Mail"),
    "external_id": ("Member ID", "Contact ID", "User ID", "Member Number", "Membership number",
                    "Member no", "External ID", "Record ID", "Contact Identifier", "ID"),
    "first_name": ("First Name", "Firstname", "Given name", "Forename", "First"),
    "last_name": ("Last Name", "Lastname", "Surname", "Family name", "Last"),
    "full_name": ("Name", "Full name", "Display name", "Contact name", "Member name",
                  "Contact Display Name", "Sort Name"),
    "plan": ("Membership Type", "Membership level", "Level", "Plan", "Membership plan",
             "Membership", "Member type", "Membership level name", "Membership Type Name"),
    "starts_on": ("Start Date", "Membership start", "Membership start date", "Renewal date",
                  "Term start", "Term start date", "Period start", "Start", "Begin date",
                  "Valid from", "Level start date", "Renew Dt", "Renew Date", "Renewed on"),
    "ends_on": ("End Date", "Expiration Date", "Expiry", "Expiry date", "Renewal due",
                "Renewal due date", "Paid through", "Paid thru", "Term end", "Term end date",
                "Period end", "Expires", "Expires on", "Expiration", "Membership end date",
                "Membership expiration date", "Valid until", "Valid to", "Expire Dt",
                "Expire Date"),
    # Only where a row gives no start (nor date paid): the first term of a record that
    # has a join date and, on its renewals, a renewal date (Tendenci's join_dt / renew_dt).
    "joined_on": ("Member Since", "Join Date", "Join Dt", "Joined", "Date joined"),
    "amount": ("Total Amount", "Amount", "Invoice amount", "Fee", "Amount paid",
               "Payment amount", "Invoice total", "Total", "Price", "Membership fee"),
    "paid_on": ("Receive Date", "Payment date", "Paid date", "Date paid", "Date received",
                "Received", "Received on", "Paid on", "Payment received", "Invoice paid date"),
    "invoice_number": ("Invoice #", "Invoice ID", "Invoice number", "Invoice no",
                       "Invoice Reference", "Document number", "Invoice"),
    "transaction_id": ("Transaction ID", "Trxn ID", "Payment ID", "Payment reference",
                       "Transaction", "Transaction number", "Reference", "Check Number"),
    "payment_method": ("Payment method", "Payment Instrument", "Payment type", "Method",
                       "Tender", "Payment Method Name"),
    "status": ("Status", "Payment status", "Contribution Status", "Invoice status",
               "Paid status", "Payment Status Label"),
}
# Exported beside the terms and never imported (the membership's dates are the terms').
INFORMATIONAL = ("Membership Status", "Created", "Modified",
                 "Last modified", "Source", "Financial Type", "Currency", "Renewal")

_DEFAULTS = default_fields(ALIASES, INFORMATIONAL)


@dataclass
class Mapping:
    """A file's columns: field → column index, field → header text, and what was left."""

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name, name.replace("_", " "))


def load_mapping_file(path: str | Path) -> dict[str, Any]:
    """A TOML or JSON mapping file as {'columns': {header_key: field}, 'dayfirst': …}."""
    return normalise_mapping(read_mapping_table(path))


def normalise_mapping(data: dict[str, Any]) -> dict[str, Any]:
    """Accept header → field or field → header; return {'columns': {header_key: field}}."""
    data = dict(data)
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
        header, target = (value, key) if key in FIELDS and value not in FIELDS else (key, value)
        target = target.strip() or IGNORE
        if target not in FIELDS and target != IGNORE:
            raise MappingError(f"{header!r} maps to unknown field {target!r}; fields are: "
                               + ", ".join(FIELDS) + ", ignore")
        columns[header_key(header)] = target
    options["columns"] = columns
    return options


def resolve(headers: list[Any], *, overrides: dict[str, str] | None = None) -> Mapping:
    """Map a file's header row; the first column for a field wins. Raises MappingError when
    the file names no plan, no term start (or date paid) or no person."""
    lookup = {**_DEFAULTS, **(overrides or {})}
    result = Mapping()
    for index, header in enumerate(headers):
        text = str(header or "").strip()
        if not text:
            continue
        target = lookup.get(header_key(text))
        if target is None:
            result.unknown.append(text)
        elif target != IGNORE and target not in result.columns:
            result.columns[target] = index
            result.headers[target] = text
    columns = result.columns
    missing = []
    if "email" not in columns and "external_id" not in columns:
        missing.append("the member (an email or member id column)")
    if "plan" not in columns:
        missing.append("the plan (e.g. Membership Type)")
    if not {"starts_on", "paid_on", "joined_on"} & set(columns):
        missing.append("the term start (e.g. Start Date) or the date paid")
    if missing:
        raise MappingError("no column for " + "; ".join(missing) + ". Give a --mapping file. "
                           "Columns: " + ", ".join(str(h) for h in headers))
    return result
