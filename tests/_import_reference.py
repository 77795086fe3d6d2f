"""The roster import's cleaning rules stated row by row: the reference that the
column-wise cleaner (``membership.roster.frame``) is checked against in
``test_import_vector.py``. Not product code: the engine never runs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.text import slugify

from commonground.core.errors import ValidationFailed
from commonground.membership.roster.dates import parse_date
from commonground.membership.roster.fastnorm import country_code, fast_email
from commonground.membership.roster.mapping import Mapping
from commonground.membership.roster.rows import LIMITS, TEXT_FIELDS, PlanRef, RowError, cell_text
from commonground.people.customfields import clean_value
from commonground.people.models import CustomFieldDefinition


@dataclass
class CleanRow:
    line: int
    values: dict[str, str]  # person text fields given (non-blank) in the file
    email_key: str = ""
    custom: dict[str, Any] = field(default_factory=dict)
    chapter: str = ""
    organisation: str = ""
    plan: PlanRef | None = None
    joined_on: date | None = None
    expires_on: date | None = None


class RowCleaner:
    def __init__(self, mapping: Mapping, *, definitions: list[CustomFieldDefinition],
                 plans: list[PlanRef], dayfirst: bool) -> None:
        self.mapping = mapping
        self.dayfirst = dayfirst
        cols = mapping.columns
        self.text_cols = [(f, i) for f, i in cols.items() if f in TEXT_FIELDS]
        self.date_cols = [(f, i) for f, i in cols.items() if f in ("joined_on", "expires_on")]
        by_key = {d.key: d for d in definitions}
        self.custom_cols = [(by_key[f[7:]], i) for f, i in cols.items()
                            if f.startswith("custom.") and f[7:] in by_key]
        self.required_custom = [d for d in definitions if d.required]
        self.plans: dict[str, PlanRef] = {}
        for plan in plans:
            self.plans[plan.name.strip().lower()] = plan
        self.plan_slugs = {slugify(p.name): p for p in plans}
        self.plan_slugs.update({p.slug: p for p in plans})
        self.plan_names = ", ".join(sorted(p.name for p in plans)) or "none defined"

    def header(self, name: str) -> str:
        return self.mapping.headers.get(name, name)

    def clean(self, row: list[Any], line: int) -> CleanRow:
        n = len(row)
        values: dict[str, str] = {}
        for name, index in self.text_cols:
            if index < n:
                text = cell_text(row[index])
                if text:
                    if len(text) > LIMITS.get(name, 254):
                        raise RowError(f"{self.header(name)}: at most {LIMITS[name]} characters")
                    values[name] = text
        full = values.pop("full_name", "")
        if full and "first_name" not in values and "last_name" not in values:
            first, _, last = full.rpartition(" ")
            values["first_name"], values["last_name"] = (first, last) if first else ("", last)
        out = CleanRow(line=line, values=values)
        email = values.get("email")
        if email:
            try:
                values["email"] = fast_email(email)
            except ValidationFailed as exc:
                raise RowError(f"{self.header('email')}: {_first(exc)}") from None
            out.email_key = values["email"].lower()
        if not (values.get("first_name") or values.get("last_name") or email):
            raise RowError("a name or an email is required")
        if "country" in values:
            try:
                values["country"] = country_code(values["country"])
            except ValueError as exc:
                raise RowError(f"{self.header('country')}: {exc}") from None
        out.chapter = values.pop("chapter", "")
        out.organisation = values.pop("organisation", "")
        plan_text = values.pop("plan", "")
        for name, index in self.date_cols:
            if index < n:
                try:
                    setattr(out, name, parse_date(row[index], dayfirst=self.dayfirst))
                except ValueError as exc:
                    raise RowError(f"{self.header(name)}: {exc}") from None
        if plan_text:
            plan = self.plans.get(plan_text.lower()) or self.plan_slugs.get(slugify(plan_text))
            if plan is None:
                raise RowError(f"{self.header('plan')}: unknown plan {plan_text!r}; "
                               f"known plans: {self.plan_names}")
            if plan.kind != "individual":
                raise RowError(f"{self.header('plan')}: {plan.name} is a plan for organisations")
            out.plan = plan
        if out.joined_on and out.expires_on and out.expires_on < out.joined_on:
            raise RowError(f"{self.header('expires_on')}: {out.expires_on} is before the join "
                           f"date {out.joined_on}")
        for definition, index in self.custom_cols:
            if index < n and row[index] not in (None, ""):
                raw = row[index]
                if isinstance(raw, datetime | date):
                    raw = raw.isoformat()
                try:
                    value = clean_value(definition, raw if not isinstance(raw, str) else raw.strip())
                except ValueError as exc:
                    raise RowError(f"{definition.label}: {exc}") from None
                if value is not None:
                    out.custom[definition.key] = value
        return out


def _first(exc: ValidationFailed) -> str:
    for messages in exc.fields.values():
        if messages:
            return str(messages[0])
    return exc.message
