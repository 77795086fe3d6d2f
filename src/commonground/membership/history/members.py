"""The memberships of a chunk's rows: what is on file, the new story, and the writes.

Per (person, plan) the membership on file (the one that ends last) decides the mode:

* none: a new membership from the rows' terms;
* only inferred terms (a roster import's reconstruction): those terms and the
  membership's transitions make way for the real ones (``updated`` for a row whose start
  matches an inferred term's);
* real terms: a row with the start of one is ``unchanged``; one that overlaps or precedes
  the last of them is rejected; the rest are appended after it (its last term is the
  ``anchor`` the sequence continues from).

``sequence`` then decides kinds and transitions; this module writes memberships (with
their history rows), terms, transitions and, through ``money``, invoices and payments.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from commonground.core import bulk
from commonground.membership import sql
from commonground.membership.models import Membership, Status, Term, TermKind, Transition
from commonground.membership.roster.newpeople import history_extra
from commonground.membership.services import member_summary_refresh

from . import money, sequence

NEW, REPLACE, APPEND = "new", "replace", "append"
_EXISTING = {"m_id": pl.Int64, "pid": pl.Int64, "plan_id": pl.Int64, "m_status": pl.Utf8,
             "m_joined": pl.Utf8, "m_ends": pl.Utf8, "m_lapsed": pl.Utf8}
_TERMS = {"m_id": pl.Int64, "t_start": pl.Utf8, "t_end": pl.Utf8, "inferred": pl.Boolean}


def _dates(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return df.with_columns(pl.col(c).str.to_date("%Y-%m-%d") for c in cols)


def on_file(run: Any, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with m_id, mode, m_joined, anchor columns; the real terms on file)."""
    pids = df.filter(~pl.col("is_new")).get_column("pid").unique().to_list()
    existing = _dates(pl.DataFrame(sql.history_memberships(
        association_id=run.association.pk, person_ids=pids), schema=_EXISTING, orient="row"),
        "m_joined", "m_ends", "m_lapsed")
    existing = existing.sort("m_ends", "m_id").unique(["pid", "plan_id"], keep="last")
    terms = _dates(pl.DataFrame(sql.history_terms(
        association_id=run.association.pk, membership_ids=existing.get_column("m_id").to_list()),
        schema=_TERMS, orient="row"), "t_start", "t_end")
    real = terms.filter(~pl.col("inferred"))
    anchors = real.sort("t_start").group_by("m_id").agg(a_start=pl.col("t_start").last(),
                                                        a_end=pl.col("t_end").last())
    lapses = pl.DataFrame(sql.history_last_lapses(
        association_id=run.association.pk, membership_ids=anchors.get_column("m_id").to_list()),
        schema={"m_id": pl.Int64, "last_lapse": pl.Utf8}, orient="row")
    anchors = anchors.join(_dates(lapses, "last_lapse"), on="m_id", how="left")
    existing = existing.join(anchors, on="m_id", how="left").with_columns(
        anchor_lapsed=(pl.col("last_lapse") > pl.col("a_end")).fill_null(False),
        anchor_cancelled=pl.col("m_status") == Status.CANCELLED.value)
    df = df.join(existing.drop("m_ends", "m_lapsed", "last_lapse"), on=["pid", "plan_id"],
                 how="left", maintain_order="left")
    df = df.with_columns(mode=pl.when(pl.col("m_id").is_null()).then(pl.lit(NEW))
                         .when(pl.col("a_end").is_null()).then(pl.lit(REPLACE))
                         .otherwise(pl.lit(APPEND)),
                         anchor_lapsed=pl.col("anchor_lapsed").fill_null(False),
                         anchor_cancelled=pl.col("anchor_cancelled").fill_null(False))
    inferred = terms.filter(pl.col("inferred")).select("m_id", starts_on="t_start",
                                                       was_inferred=pl.lit(True))
    df = df.join(inferred, on=["m_id", "starts_on"], how="left", maintain_order="left")
    return df.with_columns(was_inferred=pl.col("was_inferred").fill_null(False)), real


def against_file(df: pl.DataFrame, real: pl.DataFrame) -> pl.DataFrame:
    """Rows appended to real terms: ``on_file`` (a term with this start exists) or a
    ``reason`` when they overlap or precede the terms on file."""
    rows = df.join(real.select("m_id", starts_on="t_start", on_file=pl.lit(True)),
                   on=["m_id", "starts_on"], how="left", maintain_order="left")
    rows = rows.with_columns(on_file=pl.col("on_file").fill_null(False))
    late = (pl.col("mode") == APPEND) & ~pl.col("on_file") & (pl.col("starts_on") <= pl.col("a_end"))
    if rows.filter(late).height == 0:
        return rows.with_columns(file_reason=pl.lit(None, dtype=pl.Utf8))
    clash = rows.filter(late).select("idx", "m_id", "starts_on", "ends_on").sort("starts_on")
    terms = real.sort("t_start")
    clash = clash.join_asof(terms, left_on="starts_on", right_on="t_start", by="m_id",
                            strategy="backward")
    clash = clash.with_columns(
        file_reason=pl.when(pl.col("t_end") >= pl.col("starts_on")).then(
            pl.lit("overlaps the term ") + pl.col("t_start").cast(pl.Utf8) + pl.lit(" – ")
            + pl.col("t_end").cast(pl.Utf8) + pl.lit(" on file"))
        .otherwise(pl.lit("falls before the last term on file; history is only added after "
                          "a membership's last term")))
    return rows.join(clash.select("idx", "file_reason"), on="idx", how="left",
                     maintain_order="left")


def memberships(run: Any, df: pl.DataFrame, now: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """Write the chunk's memberships; returns (rows rejected here with ``reason``, counts)."""
    counts = dict.fromkeys(("created", "updated", "unchanged", "memberships_created",
                            "memberships_renewed", "memberships_lapsed",
                            "memberships_reinstated", "invoices_created", "payments_created"), 0)
    df, real = on_file(run, df)
    df = against_file(df, real)
    counts["unchanged"] += df.filter(pl.col("on_file")).height
    rejected = df.filter(pl.col("file_reason").is_not_null()).with_columns(reason="file_reason")
    df = df.filter(~pl.col("on_file") & pl.col("file_reason").is_null())
    if df.height == 0:
        return rejected, counts
    plans = pl.DataFrame([(p.id, p.window, p.grace, p.lifetime, p.name, p.currency)
                          for p in run.plans.values()], orient="row",
                         schema={"plan_id": pl.Int64, "window": pl.Int64, "grace": pl.Int64,
                                 "lifetime": pl.Boolean, "plan_name": pl.Utf8, "currency": pl.Utf8})
    df = df.join(plans, on="plan_id", how="left", maintain_order="left").with_columns(
        g=pl.struct("pid", "plan_id").rank("dense").cast(pl.Int64))
    anchors = (df.filter(pl.col("mode") == APPEND).unique("g").select(
        "g", idx=pl.lit(-1, dtype=pl.Int64), line=pl.lit(0, dtype=pl.Int64), start="a_start",
        end="a_end", paid_on=pl.lit(None, dtype=pl.Date), window="window", grace="grace",
        lifetime="lifetime", anchor=pl.lit(True), anchor_lapsed="anchor_lapsed",
        anchor_cancelled="anchor_cancelled"))
    seq = pl.concat([df.select("g", "idx", "line", start="starts_on", end="ends_on",
                               paid_on="paid_on", window="window", grace="grace",
                               lifetime="lifetime", anchor=pl.lit(False),
                               anchor_lapsed="anchor_lapsed",
                               anchor_cancelled="anchor_cancelled").cast(sequence.ROW_SCHEMA),
                     anchors.cast(sequence.ROW_SCHEMA)])
    every = sequence.decide(seq)
    decided = every.filter(~pl.col("anchor"))
    counts["unchanged"] += decided.filter(pl.col("repeat")).height
    overlaps = decided.filter(pl.col("reason").is_not_null()).select("idx", "reason")
    rejected = pl.concat([rejected.select("idx", "line", "reason"),
                          df.drop("reason", strict=False).join(overlaps, on="idx")
                          .select("idx", "line", "reason")])
    kept = every.filter(pl.col("keep"))
    terms, transitions, members = sequence.build(kept, run.today)
    groups = df.unique("g").select("g", "pid", "plan_id", "m_id", "mode", "m_joined")
    members = members.filter(pl.col("appended")).join(groups, on="g", how="left")
    members = _write_memberships(run, members, now, counts)
    ids = members.select("g", membership_id="m_id")
    terms = terms.join(ids, on="g").join(
        df.select("idx", "pid", "amount", "paid", "invoice_number", "transaction_id", "method",
                  "billed_to", "plan_name", "currency", "was_inferred"), on="idx", how="left")
    terms, counts["invoices_created"], counts["payments_created"] = money.invoices(run, terms, now)
    bulk.insert_frame(Term, terms.select(
        membership_id="membership_id", kind="kind", starts_on="start", ends_on="end",
        invoice_id="invoice_id"), {"association_id": run.association.pk, "inferred": False,
                                   "created_at": now})
    transitions = transitions.join(ids, on="g").sort("membership_id", "on")
    bulk.insert_frame(Transition, transitions.select(
        "membership_id", "from_status", "to_status", "event", "on"),
        {"association_id": run.association.pk, "actor_id": run.actor_id, "note": "imported",
         "created_at": now})
    counts["updated"] += terms.filter(pl.col("was_inferred")).height
    counts["created"] += terms.height - counts["updated"]
    counts["memberships_renewed"] += terms.filter(pl.col("kind") == TermKind.RENEWAL.value).height
    counts["memberships_reinstated"] += terms.filter(
        pl.col("kind") == TermKind.REINSTATEMENT.value).height
    counts["memberships_lapsed"] += transitions.filter(pl.col("event") == "lapsed").height
    _summaries(run, members, df.filter(pl.col("is_new")).get_column("pid").unique())
    return rejected, counts


_LIVE = [Status.ACTIVE.value, Status.RENEWAL_DUE.value, Status.GRACE.value]


def _summaries(run: Any, members: pl.DataFrame, new_people: pl.Series) -> None:
    """The member list's copy of each person's current membership. New people's
    memberships are all in this chunk: their copy is computed here (the live one first,
    else the one that ended last — ``sql.member_summary_refresh``'s rule) and written in
    one statement; people already on file may have others, so the database refreshes them."""
    new = members.filter(pl.col("pid").is_in(new_people.implode()))
    if new.height:
        current = new.sort(pl.col("status").is_in(_LIVE), "ends_on", "m_id").unique(
            "pid", keep="last")
        sql.roster_people_update(
            association_id=run.association.pk,
            fields=["member_status", "member_plan_id", "member_since", "member_until"],
            rows=current.select("status", "plan_id", "joined_on", "ends_on", "pid").rows())
    known = members.filter(~pl.col("pid").is_in(new_people.implode())).get_column("pid")
    if known.len():
        member_summary_refresh(association=run.association, person_ids=known.unique().to_list())


def _write_memberships(run: Any, members: pl.DataFrame, now: str,
                       counts: dict[str, int]) -> pl.DataFrame:
    """Insert the new memberships, update the others (clearing replaced ones' inferred
    terms and transitions), with their history rows. Returns members with ``m_id`` set."""
    assoc = run.association.pk
    new = members.filter(pl.col("mode") == NEW).sort("pid", "plan_id")
    ids = bulk.reserve_ids(Membership, new.height)
    new = new.with_columns(m_id=pl.Series(ids, dtype=pl.Int64))
    if new.height:
        frame = new.select(id="m_id", plan_id="plan_id", person_id="pid", status="status",
                           joined_on="joined_on", starts_on="starts_on", ends_on="ends_on",
                           lapsed_on="lapsed_on")
        consts = {"association_id": assoc, "organisation_id": None, "cancelled_on": None,
                  "created_at": now, "updated_at": now}
        consts.update(bulk.defaults(Membership, [*frame.columns, *consts]))
        bulk.insert_frame(Membership, frame, consts)
        _history(run, ids, "+", now)
        counts["memberships_created"] += new.height
    old = members.filter(pl.col("mode") != NEW)
    if old.height:
        sql.history_clear(association_id=assoc, membership_ids=old.filter(
            pl.col("mode") == REPLACE).get_column("m_id").to_list())
        rows = old.select(
            joined=pl.when(pl.col("mode") == REPLACE).then(pl.col("joined_on"))
            .otherwise(pl.col("m_joined")).cast(pl.Utf8), starts=pl.col("starts_on").cast(pl.Utf8),
            ends=pl.col("ends_on").cast(pl.Utf8), status="status",
            lapsed=pl.col("lapsed_on").cast(pl.Utf8), at=pl.lit(now), id="m_id").rows()
        sql.history_memberships_update(association_id=assoc, rows=rows)
        _history(run, old.get_column("m_id").to_list(), "~", now)
    return pl.concat([new, old], how="diagonal_relaxed")


def _history(run: Any, ids: list[int], kind: str, now: str) -> None:
    bulk.insert_select(Membership.history.model, bulk.history_columns(Membership), Membership,
                       history_extra(run.actor_id, kind, now), sorted(ids),
                       association_id=run.association.pk)
