"""From a member's dated terms to the membership's story: term kinds and transitions.

Input: one row per term, grouped by membership (``g``) and sorted by start, with the
plan's ``window``/``grace``/``lifetime`` on every row. A group may begin with an
``anchor``: the last term already on file (the rows after it are appended).

* Terms that overlap one kept before them are rejected (one with the same start and end
  as a kept one is a repeat: ``unchanged``). Groups without any overlap — nearly all —
  are decided column-wise; the few with one are walked in Python (``_untangle``).
* The first term is the join; a term starting no later than the day after the previous
  end's grace (``prev_end + grace + 1``) renews it; a later one is a gap: the
  membership lapsed on ``lifecycle.lapse_date(prev_end, grace)`` and the term reinstates it.
* Transitions, each on the day it happened: ``joined`` on the first start, ``renewed``
  on the date paid (when it falls between the previous start and the day the previous
  term would lapse, and not after the new end) or else on the term's start, ``lapsed``
  on the lapse date, ``reinstated`` on the new start. A transition on day ``d`` goes
  from the status of the day before to the status on ``d`` (``lifecycle.status_on``).
* The membership's dates and status come from its last term on ``today``; if that term's
  grace ran out by ``today``, it lapsed then. Lifetime terms never lapse.

``tests/_history_reference.py`` states the same rules row by row; a hypothesis test
checks both agree.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from commonground.membership.models import Status, TermKind

DAY = pl.duration(days=1)
ROW_SCHEMA = {"g": pl.Int64, "idx": pl.Int64, "line": pl.Int64, "start": pl.Date,
              "end": pl.Date, "paid_on": pl.Date, "window": pl.Int64, "grace": pl.Int64,
              "lifetime": pl.Boolean, "anchor": pl.Boolean, "anchor_lapsed": pl.Boolean,
              "anchor_cancelled": pl.Boolean}
TRANSITION_SCHEMA = {"g": pl.Int64, "event": pl.Utf8, "on": pl.Date, "from_status": pl.Utf8,
                     "to_status": pl.Utf8, "idx": pl.Int64}


def status_expr(ends: pl.Expr, day: pl.Expr, window: pl.Expr, grace: pl.Expr) -> pl.Expr:
    """``lifecycle.status_on`` as an expression."""
    return (pl.when(day <= ends).then(
        pl.when((ends - day).dt.total_days() < window).then(pl.lit(Status.RENEWAL_DUE.value))
        .otherwise(pl.lit(Status.ACTIVE.value)))
        .when(day <= ends + pl.duration(days=grace)).then(pl.lit(Status.GRACE.value))
        .otherwise(pl.lit(Status.LAPSED.value)))


def _untangle(rows: pl.DataFrame) -> pl.DataFrame:
    """Keep each term that starts after the end of the last term kept before it (rows
    sorted by start, then line). Adds ``keep``, ``repeat`` and ``reason``."""
    keep, repeat, reasons = [], [], []
    last: tuple | None = None  # (group, start, end, line) of the last kept row
    for g, start, end, line, anchor in rows.select("g", "start", "end", "line",
                                                   "anchor").iter_rows():
        if last is None or last[0] != g or anchor or start > last[2]:
            keep.append(True)
            repeat.append(False)
            reasons.append(None)
            last = (g, start, end, line)
            continue
        keep.append(False)
        same = start == last[1] and end == last[2]
        repeat.append(same)
        where = f" on line {last[3]}" if last[3] else " on file"
        reasons.append(None if same else
                       f"overlaps the term {last[1]} – {last[2]}{where}")
    return rows.with_columns(keep=pl.Series(keep, dtype=pl.Boolean),
                             repeat=pl.Series(repeat, dtype=pl.Boolean),
                             reason=pl.Series(reasons, dtype=pl.Utf8))


def decide(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` with ``keep`` (the term lands), ``repeat`` (the same term again) and
    ``reason`` (why it is rejected)."""
    rows = rows.sort("g", "start", "line")
    prev_max = pl.col("end").cum_max().shift(1).over("g")
    tangled = rows.filter(pl.col("start") <= prev_max).get_column("g").unique()
    clean = rows.filter(~pl.col("g").is_in(tangled.implode())).with_columns(
        keep=pl.lit(True), repeat=pl.lit(False), reason=pl.lit(None, dtype=pl.Utf8))
    if tangled.len() == 0:
        return clean
    walked = _untangle(rows.filter(pl.col("g").is_in(tangled.implode())))
    return pl.concat([clean, walked]).sort("g", "start", "line")


def build(kept: pl.DataFrame, today: date) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(terms, transitions, memberships) of the kept, non-overlapping rows.

    terms: the non-anchor rows with ``kind``; transitions: g, event, on, from_status,
    to_status, idx (the row it belongs to; null for a lapse after the last term);
    memberships: per group ``joined_on`` (first start), ``starts_on``/``ends_on`` (the
    last term), ``status`` and ``lapsed_on`` on ``today``, and ``appended`` (new terms)."""
    w, gr = pl.col("window"), pl.col("grace")
    df = kept.sort("g", "start").with_columns(
        prev_start=pl.col("start").shift(1).over("g"),
        prev_end=pl.col("end").shift(1).over("g"),
        prev_anchor=pl.col("anchor").shift(1).over("g").fill_null(False))
    lapse_at = pl.col("prev_end") + pl.duration(days=gr + 1)
    gap = pl.col("start") > lapse_at
    after_lapse = pl.col("prev_anchor") & (pl.col("anchor_lapsed") | pl.col("anchor_cancelled"))
    df = df.with_columns(kind=pl.when(pl.col("anchor")).then(pl.lit(None, dtype=pl.Utf8))
                         .when(pl.col("prev_end").is_null()).then(pl.lit(TermKind.JOIN.value))
                         .when(gap | after_lapse).then(pl.lit(TermKind.REINSTATEMENT.value))
                         .otherwise(pl.lit(TermKind.RENEWAL.value)),
                         lapse_at=lapse_at)
    paid_ok = (pl.col("paid_on").is_not_null() & (pl.col("paid_on") >= pl.col("prev_start"))
               & (pl.col("paid_on") <= pl.min_horizontal(pl.col("end"), lapse_at)))
    df = df.with_columns(
        renewed_on=pl.when(paid_ok).then(pl.col("paid_on")).otherwise(pl.col("start")))
    joined = df.filter(pl.col("kind") == TermKind.JOIN.value).select(
        "g", event=pl.lit("joined"), on="start", from_status=pl.lit(""),
        to_status=status_expr(pl.col("end"), pl.col("start"), w, gr), idx="idx")
    renewed = df.filter(pl.col("kind") == TermKind.RENEWAL.value).select(
        "g", event=pl.lit("renewed"), on="renewed_on",
        from_status=status_expr(pl.col("prev_end"), pl.col("renewed_on") - DAY, w, gr),
        to_status=status_expr(pl.col("end"), pl.col("renewed_on"), w, gr), idx="idx")
    reinstating = df.filter(pl.col("kind") == TermKind.REINSTATEMENT.value)
    lapsed = reinstating.filter(~after_lapse).select(
        "g", event=pl.lit("lapsed"), on="lapse_at",
        from_status=status_expr(pl.col("prev_end"), pl.col("lapse_at") - DAY, w, gr),
        to_status=pl.lit(Status.LAPSED.value), idx="idx")
    reinstated = reinstating.select(
        "g", event=pl.lit("reinstated"), on="start",
        from_status=pl.when(pl.col("prev_anchor") & pl.col("anchor_cancelled")
                            & ~pl.col("anchor_lapsed"))
        .then(pl.lit(Status.CANCELLED.value)).otherwise(pl.lit(Status.LAPSED.value)),
        to_status=status_expr(pl.col("end"), pl.col("start"), w, gr), idx="idx")
    day = pl.lit(today, dtype=pl.Date)
    last = df.group_by("g", maintain_order=True).agg(
        joined_on=pl.col("start").first(), starts_on=pl.col("start").last(),
        ends_on=pl.col("end").last(), appended=~pl.col("anchor").last(),
        window=w.last(), grace=gr.last(), lifetime=pl.col("lifetime").last())
    last = last.with_columns(
        status=pl.when(pl.col("lifetime")).then(pl.lit(Status.ACTIVE.value))
        .otherwise(status_expr(pl.col("ends_on"), day, w, gr)),
        final_lapse=pl.when(~pl.col("lifetime"))
        .then(pl.col("ends_on") + pl.duration(days=gr + 1)))
    last = last.with_columns(lapsed_on=pl.when(pl.col("status") == Status.LAPSED.value)
                             .then(pl.col("final_lapse")))
    final = last.filter(pl.col("appended") & pl.col("lapsed_on").is_not_null()).select(
        "g", event=pl.lit("lapsed"), on="lapsed_on",
        from_status=status_expr(pl.col("ends_on"), pl.col("lapsed_on") - DAY, w, gr),
        to_status=pl.lit(Status.LAPSED.value), idx=pl.lit(None, dtype=pl.Int64))
    transitions = pl.concat([t.cast(TRANSITION_SCHEMA) for t in
                             (joined, renewed, lapsed, reinstated, final)])
    order = pl.col("event").replace_strict({"joined": 0, "lapsed": 1, "reinstated": 2,
                                            "renewed": 3}, return_dtype=pl.Int8)
    transitions = transitions.sort("g", "on", order, maintain_order=True)
    terms = df.filter(~pl.col("anchor")).select("g", "idx", "line", "start", "end", "kind",
                                                "paid_on")
    members = last.select("g", "joined_on", "starts_on", "ends_on", "status", "lapsed_on",
                          "appended")
    return terms, transitions, members
