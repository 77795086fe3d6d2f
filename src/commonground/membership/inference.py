"""Membership histories inferred from what a roster knows — the first day (Member Since)
and the last (Expiration Date) — and the plan's term, column-wise (polars) for a whole
chunk of memberships at once.

The terms (``sequence``). Term ``k`` starts ``k`` plan terms after the first day (whole
calendar months, clamped to the month's end as ``lifecycle.term_end`` is: a member since
31 January renews on 28/29 February, 31 March, …) and ends the day before the next one;
the last term ends on the expiry. When the span is not a whole number of terms:

* a leftover of at least half a term is a short last term of its own; a shorter leftover
  lengthens the last whole term (so no term is shorter than half a term, nor longer than
  one and a half, unless the whole span is shorter than one term: then it is one term);
* no term but the first starts after today: an expiry more than a term ahead (paid in
  advance, or a "never expires" date) makes the current term long instead of inventing
  renewals that have not happened yet;
* a lifetime plan (term 0) has one term, whatever the dates.

The transitions, each on the day it happened: ``joined`` on the first day (``renewed``
when the first inferred term follows an existing one), ``renewed`` on each later term's
first day (never after today), then, when the last term has moved on since it began,
one change into today's status, dated on its first day: ``renewal_due`` on the first day
of the plan's renewal window, ``grace`` the day after the end, ``lapsed`` on
``lifecycle.lapse_date(end, grace)`` (the day after grace ran out). Each transition
carries the status of its day and starts from the one before, so the last one's is the
membership's status today (and ``services.memberships_advance`` finds nothing to do). The
steps in between (due and grace before a lapse, any before an earlier renewal) are not
written: the roster does not say how early the renewals came, and a lapse is what the
figures count.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from .models import Status, TermKind

ACTIVE, DUE, GRACE, LAPSED = (s.value for s in (Status.ACTIVE, Status.RENEWAL_DUE, Status.GRACE,
                                                Status.LAPSED))
JOINED, RENEWED = "joined", "renewed"
NOTE = "inferred"  # Transition.note of every inferred transition (Term.inferred marks terms)

# What ``sequence`` reads: one row per membership.
INPUT = {"key": pl.Int64, "first_start": pl.Date, "last_end": pl.Date, "term_months": pl.Int32,
         "window": pl.Int32, "grace": pl.Int32, "first_event": pl.Utf8, "from_status": pl.Utf8}
_DAY = pl.duration(days=1)


def add_months(day: pl.Expr, months: pl.Expr) -> pl.Expr:
    """``day + relativedelta(months=months)`` column-wise: the same day of the month, or
    the month's last day when it has fewer days."""
    return day.dt.offset_by(pl.format("{}mo", months))


def status_on(ends: pl.Expr, today: pl.Expr, window: pl.Expr, grace: pl.Expr) -> pl.Expr:
    """``lifecycle.status_on`` column-wise (for memberships that are not cancelled)."""
    left = (ends - today).dt.total_days()
    return (pl.when(today <= ends)
            .then(pl.when(left < window).then(pl.lit(DUE)).otherwise(pl.lit(ACTIVE)))
            .when(left >= -grace).then(pl.lit(GRACE))
            .otherwise(pl.lit(LAPSED)))


def _whole_terms(start: pl.Expr, upto: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The largest ``k`` with ``add_months(start, k * months) <= upto`` (for ``upto >=
    start`` and ``months > 0``): the calendar-month difference over the term is at most one
    too many."""
    diff = (upto.dt.year().cast(pl.Int32) * 12 + upto.dt.month().cast(pl.Int32)) \
        - (start.dt.year().cast(pl.Int32) * 12 + start.dt.month().cast(pl.Int32))
    k = diff // months
    return k - (add_months(start, k * months) > upto).cast(pl.Int32)


def _terms_per_span(spans: pl.DataFrame, today: date) -> pl.DataFrame:
    """Per distinct (first_start, last_end, term_months): ``seq``, ``starts_on``, ``ends_on``
    of each term (see the module's docstring for the rule)."""
    start, end, m = pl.col("first_start"), pl.col("last_end"), pl.col("term_months")
    periodic = m > 0
    months = pl.max_horizontal(m, pl.lit(1, pl.Int32))  # lifetime: any, n is 1
    after = end + _DAY  # the first day after the span
    df = spans.with_columns(k=_whole_terms(start, after, months))
    k = pl.col("k")
    base, following = add_months(start, k * months), add_months(start, (k + 1) * months)
    rest = (after - base).dt.total_days()
    full = (following - base).dt.total_days()
    n = (pl.when(~periodic | (k == 0)).then(1)
         .when((rest == 0) | (2 * rest < full)).then(k)
         .otherwise(k + 1))
    today_lit = pl.lit(today, pl.Date)
    started = pl.when(today_lit >= start).then(_whole_terms(start, today_lit, months) + 1) \
        .otherwise(1)  # terms that have started by today (the first always counts)
    n = pl.when(periodic).then(pl.min_horizontal(n, started)).otherwise(1)
    df = df.with_columns(n=n.cast(pl.Int32)).with_columns(
        seq=pl.int_ranges(0, pl.col("n"), dtype=pl.Int32)).explode("seq")
    seq = pl.col("seq")
    last = seq == pl.col("n") - 1
    return df.select(
        "first_start", "last_end", "term_months", "seq", last=last,
        starts_on=pl.when(seq == 0).then(start).otherwise(add_months(start, seq * months)),
        ends_on=pl.when(last).then(end)
        .otherwise(add_months(start, (seq + 1) * months) - _DAY))


def sequence(memberships: pl.DataFrame, *, today: date
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Terms, transitions and the resulting state of each membership in ``memberships``
    (columns ``INPUT``; ``last_end >= first_start``; for a lifetime plan ``term_months`` is
    0 and ``last_end`` is ``lifecycle.LIFETIME_END``).

    Returns ``terms`` (key, seq, kind, starts_on, ends_on), ``transitions`` (key, from_status,
    to_status, event, on — in order per key) and ``state`` (key, starts_on, ends_on, status,
    lapsed_on): the current term's dates, the status today, the lapse day if lapsed.
    """
    df = memberships.select([pl.col(c).cast(t) for c, t in INPUT.items()])
    spans = df.select("first_start", "last_end", "term_months").unique()
    per_span = _terms_per_span(spans, today)
    terms = df.join(per_span, on=["first_start", "last_end", "term_months"],
                    how="inner").sort("key", "seq")
    today_lit = pl.lit(today, pl.Date)
    joining = (pl.col("seq") == 0) & (pl.col("first_event") == JOINED)
    terms = terms.with_columns(
        kind=pl.when(joining).then(pl.lit(TermKind.JOIN.value))
        .otherwise(pl.lit(TermKind.RENEWAL.value)),
        event=pl.when(joining).then(pl.lit(JOINED)).otherwise(pl.lit(RENEWED)),
        # A join is dated on Member Since; a renewal never after today (paid in advance).
        on=pl.when(joining).then(pl.col("starts_on"))
        .otherwise(pl.min_horizontal("starts_on", today_lit)))
    w, g = pl.col("window"), pl.col("grace")
    as_of = pl.min_horizontal("on", today_lit)
    steps = terms.select("key", "seq", "event", "on", "from_status", order=pl.lit(0, pl.Int32),
                         to_status=status_on(pl.col("ends_on"), as_of, w, g))
    # The last term's change into today's status, on its first day, if it has moved on.
    end = pl.col("ends_on")
    now = status_on(end, today_lit, w, g)
    began = pl.when(now == LAPSED).then(end + pl.duration(days=g + 1)) \
        .when(now == GRACE).then(end + _DAY) \
        .otherwise(end - pl.duration(days=w - 1))
    tail = terms.filter(pl.col("last")).select(
        "key", "seq", "from_status", event=now, on=began, order=pl.lit(1, pl.Int32),
        to_status=now, moved=now != status_on(end, as_of, w, g))
    tail = tail.filter(pl.col("moved")).drop("moved")
    transitions = pl.concat([steps, tail], how="diagonal_relaxed").sort("key", "seq", "order")
    transitions = transitions.with_columns(
        from_status=pl.col("to_status").shift(1).over("key").fill_null(pl.col("from_status")))
    state = terms.filter(pl.col("last")).select(
        "key", "starts_on", "ends_on", status=now,
        lapsed_on=pl.when(now == LAPSED).then(end + pl.duration(days=g + 1)))
    return (terms.select("key", "seq", "kind", "starts_on", "ends_on"),
            transitions.select("key", "from_status", "to_status", "event", "on"), state)
