"""Cleaning a chunk of roster rows column by column (polars), instead of row by row.

``ChunkCleaner.clean`` turns the chunk's rows into one DataFrame: the given person fields
(stripped, "" when blank), email and its key, chapter/organisation names, plan id, dates,
the row's custom values (kept in Python, see ``custom``), and ``reason`` — the first check
the row fails, worded and ordered as the per-row cleaner (``tests/_import_reference.py``) words them.
High-cardinality columns (emails, phones, names) are checked with vectorised expressions;
columns whose values repeat (dates, plans, countries, custom fields) are computed once per
distinct value and mapped back.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import polars as pl
from django.utils.text import slugify

from commonground.people.customfields import clean_value
from commonground.people.models import CustomFieldDefinition

from .dates import parse_date
from .fastnorm import country_code
from .mapping import Mapping
from .rows import LIMITS, TEXT_FIELDS, PlanRef, cell_text
from .vector import emails, map_distinct, strip

PERSON_GIVEN = ("first_name", "last_name", "email", "phone", "address_line1", "address_line2",
                "city", "region", "postal_code", "country", "external_id")


class _Err(str):
    """A reason computed per distinct value (kept apart from the values themselves)."""


class ChunkCleaner:
    def __init__(self, mapping: Mapping, *, definitions: list[CustomFieldDefinition],
                 plans: list[PlanRef], dayfirst: bool, typed: bool) -> None:
        self.mapping = mapping
        self.dayfirst = dayfirst
        self.typed = typed  # spreadsheet cells keep their types; CSV cells are all strings
        cols = mapping.columns
        self.text_cols = [(f, i) for f, i in cols.items() if f in TEXT_FIELDS]
        self.date_cols = [(f, i) for f, i in cols.items() if f in ("joined_on", "expires_on")]
        by_key = {d.key: d for d in definitions}
        self.custom_cols = [(by_key[f[7:]], i) for f, i in cols.items()
                            if f.startswith("custom.") and f[7:] in by_key]
        self.required_custom = [d for d in definitions if d.required]
        self.plans = {p.name.strip().lower(): p for p in plans}
        self.plan_slugs = {slugify(p.name): p for p in plans}
        self.plan_slugs.update({p.slug: p for p in plans})
        self.plan_names = ", ".join(sorted(p.name for p in plans)) or "none defined"
        self._json: dict[tuple, str] = {}

    def header(self, name: str) -> str:
        return self.mapping.headers.get(name, name)

    # ------------------------------------------------------------ per distinct value

    def _country(self, text: str) -> str:
        try:
            return country_code(text)
        except ValueError as exc:
            return _Err(f"{self.header('country')}: {exc}")

    def _date(self, name: str):
        def parse(value: Any) -> date | _Err | None:
            try:
                return parse_date(value, dayfirst=self.dayfirst)
            except ValueError as exc:
                return _Err(f"{self.header(name)}: {exc}")
        return parse

    def _plan(self, text: str) -> int | _Err | None:
        if not text:
            return None
        plan = self.plans.get(text.lower()) or self.plan_slugs.get(slugify(text))
        if plan is None:
            return _Err(f"{self.header('plan')}: unknown plan {text!r}; "
                        f"known plans: {self.plan_names}")
        if plan.kind != "individual":
            return _Err(f"{self.header('plan')}: {plan.name} is a plan for organisations")
        return plan.id

    def _custom(self, definition: CustomFieldDefinition):
        def clean(raw: Any) -> Any:
            if isinstance(raw, datetime | date):
                raw = raw.isoformat()
            try:
                return clean_value(definition, raw if not isinstance(raw, str) else raw.strip())
            except ValueError as exc:
                return _Err(f"{definition.label}: {exc}")
        return clean

    # ------------------------------------------------------------ the chunk

    def _column(self, columns: list[tuple], index: int, *, text: bool) -> Any:
        values = columns[index]
        if text and self.typed:
            return [cell_text(v) for v in values]
        return values

    def clean(self, rows: list[list[Any]], lines: list[int]) -> tuple[pl.DataFrame, list[dict]]:
        """(frame, custom values per row). ``rows`` are the chunk's non-blank rows."""
        n = len(rows)
        width = max(self.mapping.columns.values()) + 1
        # Columns by one C-level transpose (short rows padded; missing cells are None).
        columns = list(zip(*[r if len(r) >= width else [*r, *[None] * (width - len(r))]
                             for r in rows], strict=False))
        data: dict[str, Any] = {"idx": pl.int_range(0, n, eager=True, dtype=pl.Int64),
                                "line": pl.Series(lines, dtype=pl.Int64)}
        reasons: list[pl.Expr] = []
        for name, index in self.text_cols:
            data[name] = pl.Series(self._column(columns, index, text=True), dtype=pl.Utf8)
        df = pl.DataFrame(data)
        given = [name for name, _ in self.text_cols]
        df = df.with_columns([strip(pl.col(c).fill_null("")) for c in given]
                             + [pl.lit("").alias(c) for c in (*TEXT_FIELDS,) if c not in given])
        for name in given:
            limit = LIMITS.get(name, 254)
            reasons.append(pl.when(pl.col(name).str.len_chars() > limit)
                           .then(pl.lit(f"{self.header(name)}: at most {LIMITS[name]} characters")))
        if "full_name" in given:
            split = pl.col("full_name").str.extract_groups(r"(?s)^(.*) (.*)$")
            use = (pl.col("full_name") != "") & (pl.col("first_name") == "") \
                & (pl.col("last_name") == "")
            df = df.with_columns(
                first_name=pl.when(use).then(split.struct.field("1").fill_null(""))
                .otherwise(pl.col("first_name")),
                last_name=pl.when(use).then(pl.coalesce(split.struct.field("2"),
                                                        pl.col("full_name")))
                .otherwise(pl.col("last_name")))
        checked = emails(df.get_column("email"))
        df = df.with_columns(email_raw=pl.col("email"), email=checked.get_column("email"),
                             email_key=checked.get_column("email_key"),
                             email_error=checked.get_column("error"))
        reasons.append(pl.when(pl.col("email_error").is_not_null())
                       .then(pl.lit(f"{self.header('email')}: ") + pl.col("email_error")))
        reasons.append(pl.when((pl.col("first_name") == "") & (pl.col("last_name") == "")
                               & (pl.col("email_raw") == ""))
                       .then(pl.lit("a name or an email is required")))
        extra: dict[str, pl.Series] = {}
        country = map_distinct(df.get_column("country").to_list(), self._country)
        extra["country"] = pl.Series([c if not isinstance(c, _Err) else "" for c in country],
                                     dtype=pl.Utf8)
        extra["country_error"] = _errors(country)
        reasons.append(pl.col("country_error"))
        for name in ("joined_on", "expires_on"):
            index = self.mapping.columns.get(name)
            values = map_distinct(self._column(columns, index, text=False), self._date(name)) \
                if index is not None else [None] * n
            extra[name] = pl.Series([v if isinstance(v, date) else None for v in values],
                                    dtype=pl.Date)
            extra[f"{name}_error"] = _errors(values)
        for name, _ in self.date_cols:
            reasons.append(pl.col(f"{name}_error"))
        plan = map_distinct(df.get_column("plan").to_list(), self._plan)
        extra["plan_id"] = pl.Series([p if type(p) is int else None for p in plan], dtype=pl.Int64)
        extra["plan_error"] = _errors(plan)
        reasons.append(pl.col("plan_error"))
        df = df.with_columns(**extra)
        reasons.append(pl.when(pl.col("expires_on") < pl.col("joined_on")).then(
            pl.lit(f"{self.header('expires_on')}: ") + pl.col("expires_on").cast(pl.Utf8)
            + pl.lit(" is before the join date ") + pl.col("joined_on").cast(pl.Utf8)))
        custom, custom_reason = self._custom_values(columns, n)
        df = df.with_columns(custom_error=custom_reason)
        reasons.append(pl.col("custom_error"))
        df = df.with_columns(reason=pl.coalesce(reasons))
        return df, custom

    def _custom_values(self, columns: list[tuple], n: int) -> tuple[list[dict], pl.Series]:
        custom: list[dict] = [{} for _ in range(n)] if self.custom_cols else []
        first_error: list[str | None] = [None] * n
        for definition, index in self.custom_cols:
            raw = columns[index]
            present = [i for i, v in enumerate(raw) if v not in (None, "")]
            values = map_distinct([raw[i] for i in present], self._custom(definition))
            for i, value in zip(present, values, strict=True):
                if isinstance(value, _Err):
                    if first_error[i] is None:
                        first_error[i] = str(value)
                elif value is not None:
                    custom[i][definition.key] = value
        return custom, pl.Series(first_error, dtype=pl.Utf8)

    def custom_json(self, values: dict) -> str:
        """JSON text of a row's custom values (memoised: the same few values repeat)."""
        if not values:
            return "{}"
        key = tuple(values.items())
        try:
            return self._json[key]
        except KeyError:
            text = self._json[key] = json.dumps(values, separators=(",", ":"))
            return text
        except TypeError:
            return json.dumps(values, separators=(",", ":"))


def _errors(values: list[Any]) -> pl.Series:
    return pl.Series([str(v) if isinstance(v, _Err) else None for v in values], dtype=pl.Utf8)
