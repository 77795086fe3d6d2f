"""A history file's cells into typed columns, column-wise (polars).

Every value that repeats (dates, plans, amounts, statuses, payment methods) is read once
per distinct value and joined back; emails go through the roster's vectorised check.
The result has one row per file row: ``idx`` (its row in the read frame), ``line``, the
member key (``mkey``: the email key, else the member id — linked to an email given with
the same id elsewhere in the file), the fields, and ``reason`` (why the row is rejected,
or null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from commonground.core.batches.readers import LINE
from commonground.core.errors import ValidationFailed
from commonground.membership import lifecycle
from commonground.membership.models import PaymentMethod, Plan, PlanKind
from commonground.membership.roster.dates import parse_date
from commonground.membership.roster.vector import emails, first_message, strip
from commonground.membership.services import parse_money

from .mapping import Mapping

TEXT = ("email", "external_id", "first_name", "last_name", "full_name", "plan",
        "invoice_number", "transaction_id", "payment_method", "status")
LIMITS = {"external_id": 100, "first_name": 100, "last_name": 100, "transaction_id": 120}
PAID = frozenset({"paid", "completed", "complete", "success", "successful", "succeeded",
                  "settled", "received", "approved", "yes", "y", "true", "1"})
OPEN = frozenset({"unpaid", "pending", "open", "outstanding", "due", "overdue", "invoiced",
                  "not paid", "in progress", "partially paid", "no", "n", "false", "0"})
# A membership's status rather than the payment's: the date paid decides.
NEUTRAL = frozenset({"new", "current", "active", "grace", "expired", "lapsed", "inactive",
                     "former", "renewed", "renewal", "ok"})
METHODS = {
    PaymentMethod.CASH: ("cash",),
    PaymentMethod.CHEQUE: ("check", "cheque", "cheq"),
    PaymentMethod.BANK_TRANSFER: ("bank", "transfer", "eft", "ach", "wire", "direct debit",
                                  "bacs", "sepa", "giro", "electronic funds"),
    PaymentMethod.CARD_MANUAL: ("card", "visa", "mastercard", "master card", "amex",
                                "american express", "discover"),
}
_CURRENCY = re.compile(r"^\s*(?:[A-Za-z]{3}\s*)?[$€£¥]?\s*|\s*(?:[A-Za-z]{3}|[$€£¥])?\s*$")


@dataclass(frozen=True)
class PlanInfo:
    """What the run needs of a plan: its term and effective windows."""

    id: int
    name: str
    kind: str
    term_months: int
    window: int
    grace: int
    currency: str

    @classmethod
    def of(cls, plan: Plan) -> PlanInfo:
        return cls(plan.pk, plan.name, plan.kind, plan.term_months, plan.window_days,
                   plan.grace, plan.currency)

    @property
    def lifetime(self) -> bool:
        return self.term_months == lifecycle.LIFETIME


def money(text: str) -> Decimal:
    """An amount as exports write it: "$1,200.00", "USD 40", "40.00 €" (exact, ≥ 0)."""
    cleaned = _CURRENCY.sub("", text)
    return parse_money(cleaned or text)


def _distinct(values: pl.Series, fn, dtype: Any) -> tuple[pl.Series, pl.Series]:
    """``fn`` once per distinct non-blank value: (results, errors); fn raises ValueError."""
    frame = pl.DataFrame({"v": values}).select(v=pl.when(pl.col("v") != "").then(pl.col("v")))
    distinct = frame.get_column("v").drop_nulls().unique().to_list()
    out, errs = [], []
    for value in distinct:
        try:
            out.append(fn(value))
            errs.append(None)
        except (ValueError, ValidationFailed) as exc:
            out.append(None)
            errs.append(first_message(exc) if isinstance(exc, ValidationFailed) else str(exc))
    table = pl.DataFrame({"v": pl.Series(distinct, dtype=pl.Utf8),
                          "out": pl.Series(out, dtype=dtype), "err": pl.Series(errs, dtype=pl.Utf8)})
    joined = frame.join(table, on="v", how="left", maintain_order="left")
    return joined.get_column("out"), joined.get_column("err")


def _status(text: str) -> bool | None:
    """True paid, False unpaid, None: the date paid says (a membership status)."""
    key = " ".join(text.lower().replace("_", " ").replace("-", " ").split())
    if key in PAID:
        return True
    if key in OPEN:
        return False
    if key in NEUTRAL:
        return None
    raise ValueError(f"{text!r}: only paid and unpaid terms are imported (paid: Paid, "
                     "Completed; unpaid: Unpaid, Pending, Open)")


def _method(text: str) -> str:
    key = text.lower()
    for method, words in METHODS.items():
        if any(w in key for w in words):
            return str(method)
    return str(PaymentMethod.OTHER)


class Cleaner:
    def __init__(self, mapping: Mapping, header: list[str], *, plans: dict[str, Plan],
                 dayfirst: bool) -> None:
        self.mapping = mapping
        self.header = header
        self.dayfirst = dayfirst
        self.plans = {name: PlanInfo.of(plan) for name, plan in plans.items()}

    def h(self, name: str) -> str:
        return self.mapping.header(name)

    def _date(self, value: str) -> date | None:
        return parse_date(value, dayfirst=self.dayfirst)

    def _plan(self, text: str) -> int:
        plan = self.plans.get(text)
        if plan is None:  # (the import checked every name first: only if a plan was deleted)
            raise ValueError(f"unknown plan {text!r}")
        if plan.kind != PlanKind.INDIVIDUAL:
            raise ValueError(f"{plan.name} is a plan for organisations")
        return plan.id

    def clean(self, raw: pl.DataFrame) -> pl.DataFrame:
        cols = self.mapping.columns
        given = {f: strip(pl.col(self.header[i]).fill_null("")) for f, i in cols.items()}
        df = raw.select(idx=pl.int_range(0, raw.height, dtype=pl.Int64), line=pl.col(LINE),
                        **{f: given.get(f, pl.lit("")) for f in TEXT},
                        **{f"{f}_raw": given.get(f, pl.lit(""))
                           for f in ("starts_on", "ends_on", "joined_on", "amount", "paid_on")})
        reasons: list[pl.Expr] = []
        for name, limit in LIMITS.items():
            reasons.append(pl.when(pl.col(name).str.len_chars() > limit)
                           .then(pl.lit(f"{self.h(name)}: at most {limit} characters")))
        split = pl.col("full_name").str.extract_groups(r"(?s)^(.*) (.*)$")
        use = (pl.col("full_name") != "") & (pl.col("first_name") == "") \
            & (pl.col("last_name") == "")
        df = df.with_columns(
            first_name=pl.when(use).then(split.struct.field("1").fill_null(""))
            .otherwise(pl.col("first_name")).str.slice(0, 100),
            last_name=pl.when(use).then(pl.coalesce(split.struct.field("2"), pl.col("full_name")))
            .otherwise(pl.col("last_name")).str.slice(0, 100))
        checked = emails(df.get_column("email"))
        df = df.with_columns(email=checked.get_column("email"),
                             email_key=checked.get_column("email_key"),
                             email_error=checked.get_column("error"))
        reasons.append(pl.when(pl.col("email_error").is_not_null())
                       .then(pl.lit(f"{self.h('email')}: ") + pl.col("email_error")))
        reasons.append(pl.when((pl.col("email_key") == "") & (pl.col("external_id") == ""))
                       .then(pl.lit("no member: give an email or a member id")))
        extra: dict[str, pl.Series] = {}
        for name in ("starts_on", "ends_on", "joined_on", "paid_on"):
            values, errors = _distinct(df.get_column(f"{name}_raw"),
                                       self._date, pl.Date)
            extra[name], extra[f"{name}_error"] = values, errors
        extra["amount"], extra["amount_error"] = _distinct(
            df.get_column("amount_raw"), lambda v: str(money(v)), pl.Utf8)
        extra["plan_id"], extra["plan_error"] = _distinct(
            df.get_column("plan"), self._plan, pl.Int64)
        extra["paid"], extra["status_error"] = _distinct(
            df.get_column("status"), _status, pl.Boolean)
        extra["method"], _ = _distinct(df.get_column("payment_method"),
                                       _method, pl.Utf8)
        df = df.with_columns(**extra)
        reasons.append(pl.when(pl.col("plan") == "").then(pl.lit(f"{self.h('plan')}: required")))
        for name in ("plan", "starts_on", "ends_on", "joined_on", "paid_on", "amount", "status"):
            column = "plan_error" if name == "plan" else f"{name}_error"
            reasons.append(pl.when(pl.col(column).is_not_null())
                           .then(pl.lit(f"{self.h(name)}: ") + pl.col(column)))
        df = self._terms(df)
        reasons.append(pl.when(pl.col("starts_on").is_null() & pl.col("reason_dates").is_null()
                               & pl.col("starts_on_error").is_null()
                               & pl.col("paid_on_error").is_null()
                               & pl.col("joined_on_error").is_null())
                       .then(pl.lit(f"no term start: give {self.h('starts_on')} or "
                                    f"{self.h('paid_on')}")))
        reasons.append(pl.col("reason_dates"))
        df = df.with_columns(reason=pl.coalesce(reasons))
        return self._keys(df)

    def _terms(self, df: pl.DataFrame) -> pl.DataFrame:
        """A missing start is the date paid; a missing end is one plan term after the start
        (a lifetime plan's term never ends); an end before the start is a reason."""
        plans = {p.id: p for p in self.plans.values()}
        df = df.with_columns(starts_on=pl.coalesce("starts_on", "paid_on", "joined_on"))
        lifetime = [p.id for p in plans.values() if p.lifetime]
        todo = df.filter(pl.col("starts_on").is_not_null() & pl.col("plan_id").is_not_null()
                         & (pl.col("ends_on").is_null() | pl.col("plan_id").is_in(lifetime)))
        pairs = todo.select("plan_id", "starts_on").unique()
        ends = [lifecycle.term_end(start, plans[plan].term_months)
                for plan, start in pairs.iter_rows()]
        pairs = pairs.with_columns(term_end=pl.Series(ends, dtype=pl.Date))
        df = df.join(pairs, on=["plan_id", "starts_on"], how="left", maintain_order="left")
        df = df.with_columns(ends_on=pl.when(pl.col("plan_id").is_in(lifetime))
                             .then(pl.col("term_end")).otherwise(
                                 pl.coalesce("ends_on", "term_end"))).drop("term_end")
        return df.with_columns(reason_dates=pl.when(pl.col("ends_on") < pl.col("starts_on")).then(
            pl.lit(f"{self.h('ends_on')}: ") + pl.col("ends_on").cast(pl.Utf8)
            + pl.lit(" is before the term start ") + pl.col("starts_on").cast(pl.Utf8)))

    @staticmethod
    def _keys(df: pl.DataFrame) -> pl.DataFrame:
        """The member key of each row: its email key, else the email given with the same
        member id on another row (first by line), else the member id itself."""
        linked = (df.filter((pl.col("email_key") != "") & (pl.col("external_id") != ""))
                  .sort("line").unique("external_id", keep="first", maintain_order=True)
                  .select("external_id", linked_key="email_key"))
        df = df.join(linked, on="external_id", how="left", maintain_order="left")
        return df.with_columns(mkey=pl.when(pl.col("email_key") != "").then(pl.col("email_key"))
                               .when(pl.col("linked_key").is_not_null()).then(pl.col("linked_key"))
                               .otherwise(pl.lit("#") + pl.col("external_id")))
