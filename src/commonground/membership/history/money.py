"""Invoices and payments of a chunk's new terms, in bulk.

A term whose row has an amount above zero gets an invoice for it (the file's invoice
number when it is given, fits and is not taken yet, else ``H<batch>-<line>``), issued on
the date paid or else the term's start. It is paid — a payment on the date paid, by the
method the file names (or "other"), with the file's transaction id as its reference —
when the row has a date paid (or a status that says paid) and no status that says unpaid;
otherwise it stays open. Amounts stay exact (decimal text end to end).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from commonground.core import bulk
from commonground.membership.models import Invoice, InvoiceStatus, Payment, PaymentKind, TermKind

DUE_DAYS = 30
LABELS = {TermKind.JOIN.value: "Membership", TermKind.RENEWAL.value: "Renewal",
          TermKind.REINSTATEMENT.value: "Reinstatement"}
NUMBER_MAX = Invoice._meta.get_field("number").max_length


def _numbers(run: Any, df: pl.DataFrame) -> pl.Series:
    """The invoice number of each row: its own when free (not on file, the first row to
    give it, short enough), else ``H<batch>-<line>``."""
    given = pl.col("invoice_number")
    wanted = df.filter((given != "") & (given.str.len_chars() <= NUMBER_MAX)) \
        .get_column("invoice_number").unique().to_list()
    taken = [n for n, _ in bulk.key_ids(Invoice, "number", wanted,
                                        association_id=run.association.pk)]
    first = pl.col("line") == pl.col("line").min().over("invoice_number")
    ok = (given != "") & (given.str.len_chars() <= NUMBER_MAX) & ~given.is_in(
        pl.Series(taken, dtype=pl.Utf8).implode()) & first
    return df.select(pl.when(ok).then(given).otherwise(
        pl.lit(f"H{run.batch.pk}-") + pl.col("line").cast(pl.Utf8))).to_series().rename("number")


def invoices(run: Any, terms: pl.DataFrame, now: str) -> tuple[pl.DataFrame, int, int]:
    """Write the invoices (and payments) of ``terms`` (new terms with their row's money
    columns, ``membership_id``, ``pid``, plan name and currency). Returns the terms with
    ``invoice_id`` and the numbers of invoices and payments written."""
    billable = terms.filter(pl.col("amount").is_not_null()
                            & (pl.col("amount").cast(pl.Float64) > 0))
    if billable.height == 0:
        return terms.with_columns(invoice_id=pl.lit(None, dtype=pl.Int64)), 0, 0
    ids = bulk.reserve_ids(Invoice, billable.height)
    paid = (pl.col("paid").fill_null(pl.col("paid_on").is_not_null()))
    billable = billable.with_columns(
        invoice_id=pl.Series(ids, dtype=pl.Int64), number=_numbers(run, billable),
        issued_on=pl.coalesce("paid_on", "start"), is_paid=paid)
    label = pl.col("kind").replace_strict(LABELS, return_dtype=pl.Utf8)
    frame = billable.select(
        id="invoice_id", number="number", person_id="pid", membership_id="membership_id",
        billed_to=pl.col("billed_to").fill_null(""),
        description=(label + pl.lit(": ") + pl.col("plan_name") + pl.lit(", ")
                     + pl.col("start").dt.strftime("%d %b %Y") + pl.lit(" – ")
                     + pl.col("end").dt.strftime("%d %b %Y")).str.slice(0, 250),
        amount="amount", currency="currency",
        status=pl.when(pl.col("is_paid")).then(pl.lit(InvoiceStatus.PAID.value))
        .otherwise(pl.lit(InvoiceStatus.OPEN.value)),
        issued_on="issued_on", due_on=pl.col("issued_on") + pl.duration(days=DUE_DAYS))
    consts = {"association_id": run.association.pk, "organisation_id": None, "created_at": now}
    consts.update(bulk.defaults(Invoice, [*frame.columns, *consts]))
    bulk.insert_frame(Invoice, frame, consts)
    payments = billable.filter(pl.col("is_paid")).select(
        invoice_id="invoice_id", method=pl.col("method").fill_null("other"), amount="amount",
        currency="currency", received_on="issued_on",
        reference=pl.col("transaction_id").str.slice(0, 120))
    consts = {"association_id": run.association.pk, "kind": PaymentKind.PAYMENT.value,
              "actor_id": run.actor_id, "created_at": now}
    consts.update(bulk.defaults(Payment, [*payments.columns, *consts]))
    bulk.insert_frame(Payment, payments, consts)
    terms = terms.join(billable.select("idx", "invoice_id"), on="idx", how="left",
                       maintain_order="left")
    return terms, billable.height, payments.height
