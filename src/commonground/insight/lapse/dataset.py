"""Point-in-time features for past renewal decisions and for the members scored today.

**The rule:** every feature of a row is computed from data strictly before its
``cutoff``. Activity is counted in whole calendar months before the cutoff's month
(training cutoffs are the first of a month, so that is "before the cutoff"; scoring today
counts the complete months before this one); terms, invoices and payments by their dates
before the cutoff; engagement scores from monthly snapshots of earlier months only.
Today's state of a row (a membership's status, an invoice marked void) is never read for a
past cutoff. ``tests/test_insight_lapse.py`` inserts rows after a cutoff and checks that
no feature moves.

**A past decision** is the end of a term of a non-lifetime plan: renewed when the person's
next term starts by the end of grace plus a month, lapsed otherwise, known once that date
has passed. Its cutoff is the first of the month about two months before the term ends
(at the term's start for short terms; monthly plans so decide monthly, each term one
decision). Decisions already taken at the cutoff (the next term's invoice issued before
it) and memberships cancelled before it are left out — today neither would be scored.

Rates are per month and scaled by the months observed (*Fighting Churn with Data*: a
member of two months is not "inactive for the other ten" of a yearly window).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import polars as pl
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Q

from commonground.insight import sql
from commonground.membership import terms as plan_terms
from commonground.membership.models import Membership
from commonground.people.models import CustomFieldDefinition, FieldKind, Person
from commonground.scoring.models import ScoreSnapshot
from commonground.tenancy.models import Association

from . import features as F
from .columns import activity_columns, chapter_columns, month_index, score_columns

CHUNK = 60_000       # rows of examples per chunk of the feature computation (memory)
HORIZON_DAYS = 31    # after the end of grace, the renewal counts as a lapse
LEAD_DAYS = {1: 0, 3: 30, 6: 45}  # cutoff before a term's end, by plan term; longer: 60
SCORED = ("active", "renewal_due", "grace")
# Months of activity a feature as of a cutoff reads: 12-month windows, the 9 months before
# the last 3 for trends, recency up to ``features.NEVER`` months.
RECENT_MONTHS = 14
# The windows a feature as of one cutoff counts activity over (months before the cutoff's
# month): the ``_asof`` steps of ``_activity`` (1 → everything read, 4, 7, 13 back).
WINDOWS = {"n3": 3, "n6": 6, "n12": 12, "n14": RECENT_MONTHS}
_GRACE = {m: plan_terms.default_grace(m) for m in range(0, 121)}
_LEAD = {m: LEAD_DAYS.get(m, 60 if m > 6 else 30) for m in range(0, 121)}


def month_start(d: date) -> date:
    return d.replace(day=1)


@dataclass
class History:
    """Everything the features read, loaded once per training or scoring run."""

    today: date
    activity: pl.DataFrame      # person_id, bucket, month, n (complete months before today's)
    terms: pl.DataFrame         # sql.person_terms
    invoices: pl.DataFrame      # sql.person_invoices
    snapshots: pl.DataFrame     # person_id, month, total
    people: pl.DataFrame        # person_id, chapter_id, custom_<key>…
    cancelled: pl.DataFrame     # membership_id, cancelled_on
    custom_keys: list[str] = field(default_factory=list)
    # ``activity`` holds ``sql.activity_windows`` (one row per person and bucket) instead of
    # months: features as of ``today`` only (scoring).
    windows: bool = False

    @property
    def buckets(self) -> list[str]:
        return sorted(self.activity.get_column("bucket").unique().to_list()) \
            if len(self.activity) else []

    def feature_names(self) -> list[str]:
        names = list(F.FIXED_NAMES)
        if not len(self.snapshots):
            names = [n for n in names if not n.startswith("score_")]
        if self.people.get_column("chapter_id").is_null().all():
            names = [n for n in names if not n.startswith("chapter_")]
        names += F.activity_names(self.buckets)
        if "email_sent" in self.buckets:
            names += ["email_open_rate_6m"] + (["email_click_rate_6m"]
                                               if "email_click" in self.buckets else [])
        names += [f"custom_{k}" for k in self.custom_keys]
        return names


def load(association: Association, *, today: date, recent: bool = False,
         windows: bool = False) -> History:
    """Read the association's history (inside its scope). ``recent``: activity of the last
    ``RECENT_MONTHS`` only — all that features as of ``today`` read. ``windows``: that
    activity already counted per window (``WINDOWS``), one row per person and bucket —
    features as of ``today`` only, the same values (scoring)."""
    aid = association.pk
    before = month_start(today)
    if windows:
        read = partial(sql.activity_windows, association_id=aid, before=before, starts={
            name: before - relativedelta(months=m) for name, m in WINDOWS.items()})
    else:
        since = before - relativedelta(months=RECENT_MONTHS) if recent else None
        read = partial(sql.monthly_activity, association_id=aid, before=before, since=since)
    with ThreadPoolExecutor(1) as pool:
        # The activity aggregate keeps PostgreSQL busy for seconds: on a connection of its
        # own (a thread's), while this one reads the rest beside it. Not inside a
        # transaction: another connection would not see its uncommitted rows (tests).
        aside = pool.submit(_own_connection, read) if connection.vendor == "postgresql" \
            and not connection.in_atomic_block else None
        history = _load_rest(aid, today=today, windows=windows)
        history.activity = aside.result() if aside is not None else read()
    return history


def _own_connection(read: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    try:
        return read()
    finally:
        connection.close()  # this thread's connection: nobody else will use it


def _load_rest(aid: int, *, today: date, windows: bool) -> History:
    snaps = pl.DataFrame(list(ScoreSnapshot.objects.values_list("person_id", "month", "total")),
                         schema={"person_id": pl.Int64, "month": pl.Date, "total": pl.Float64},
                         orient="row")
    numbers = list(CustomFieldDefinition.objects.filter(kind=FieldKind.NUMBER)
                   .order_by("key").values_list("key", flat=True))
    rows = Person.objects.values_list("id", "chapter_id", "custom")
    people = pl.DataFrame(
        [(pid, ch, *[_number((custom or {}).get(k)) for k in numbers]) for pid, ch, custom in
         rows.iterator(chunk_size=20_000)],
        schema={"person_id": pl.Int64, "chapter_id": pl.Int64,
                **{f"custom_{k}": pl.Float64 for k in numbers}}, orient="row")
    cancelled = pl.DataFrame(
        list(Membership.objects.filter(cancelled_on__isnull=False)
             .values_list("id", "cancelled_on")),
        schema={"membership_id": pl.Int64, "cancelled_on": pl.Date}, orient="row")
    return History(today=today, activity=pl.DataFrame(),
                   terms=sql.person_terms(association_id=aid),
                   invoices=sql.person_invoices(association_id=aid), snapshots=snaps,
                   people=people, cancelled=cancelled, custom_keys=numbers, windows=windows)


def _number(v) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- the rows

def decisions(h: History) -> pl.DataFrame:
    """The past renewal decisions with known outcomes: ``person_id, membership_id, cutoff,
    decision_on, outcome_on, label (1 lapsed), term_months, price``."""
    t = h.terms.filter(pl.col("term_months") > 0)
    if not len(t):
        return _empty_decisions()
    t = t.sort(["person_id", "starts_on"]).with_columns(
        grace=pl.coalesce(pl.col("grace_days"), pl.col("term_months").replace_strict(
            _GRACE, default=30, return_dtype=pl.Int32)),
        next_start=pl.col("starts_on").shift(-1).over("person_id"),
        next_invoice=pl.col("invoice_id").shift(-1).over("person_id"),
    )
    lead = pl.col("term_months").replace_strict(_LEAD, default=60, return_dtype=pl.Int32)
    t = t.with_columns(
        decision_on=pl.col("ends_on").dt.offset_by("1d"),
        outcome_on=pl.col("ends_on").dt.offset_by("1d")
        + pl.duration(days=pl.col("grace") + HORIZON_DAYS),
        target=(pl.col("ends_on") - pl.duration(days=lead)).dt.truncate("1mo"),
    )
    t = t.with_columns(cutoff=pl.when(pl.col("target") >= pl.col("starts_on"))
                       .then(pl.col("target"))
                       .otherwise(pl.col("starts_on").dt.truncate("1mo").dt.offset_by("1mo")))
    t = t.filter((pl.col("cutoff") <= pl.col("ends_on")) & (pl.col("outcome_on") < h.today))
    renewed = pl.col("next_start").is_not_null() & (pl.col("next_start") <= pl.col("outcome_on"))
    t = t.with_columns(label=(~renewed).cast(pl.Int8))
    # Already decided at the cutoff: the next term's invoice was issued before it.
    inv = h.invoices.select(next_invoice="invoice_id", next_issued="issued_on")
    t = t.join(inv, on="next_invoice", how="left")
    t = t.filter(pl.col("next_issued").is_null() | (pl.col("next_issued") >= pl.col("cutoff")))
    t = t.join(h.cancelled, on="membership_id", how="left")
    t = t.filter(pl.col("cancelled_on").is_null() | (pl.col("cancelled_on") >= pl.col("cutoff")))
    return t.select("person_id", "membership_id", "cutoff", "decision_on", "outcome_on",
                    "label", "term_months", "price")


def _empty_decisions() -> pl.DataFrame:
    return pl.DataFrame(schema={"person_id": pl.Int64, "membership_id": pl.Int64,
                                "cutoff": pl.Date, "decision_on": pl.Date,
                                "outcome_on": pl.Date, "label": pl.Int8,
                                "term_months": pl.Int32, "price": pl.Float64})


def current(h: History, *, person_ids: list[int] | None = None) -> pl.DataFrame:
    """Members to score today: each person's current non-lifetime membership (active, due
    or in grace), its next renewal date (``decision_on``) and plan; ``cutoff`` is today."""
    qs = (Membership.objects.filter(status__in=SCORED, person__isnull=False)
          .exclude(plan__term_months=plan_terms.LIFETIME))
    if person_ids is not None:
        qs = qs.filter(Q(person_id__in=person_ids))
    rows = list(qs.order_by("person_id", "-ends_on")
                .values_list("person_id", "id", "ends_on", "plan__term_months", "plan__price",
                             "plan_id"))
    df = pl.DataFrame(rows, schema={"person_id": pl.Int64, "membership_id": pl.Int64,
                                    "ends_on": pl.Date, "term_months": pl.Int32,
                                    "price": pl.Float64, "plan_id": pl.Int64}, orient="row")
    df = df.unique("person_id", keep="first", maintain_order=True)
    return df.with_columns(cutoff=pl.lit(h.today, dtype=pl.Date),
                           decision_on=pl.col("ends_on").dt.offset_by("1d")).drop("ends_on")


# ---------------------------------------------------------------- the features

def compute(h: History, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (``person_id, cutoff, term_months, price`` …) with every feature column
    added, as of each row's cutoff. Chunked by person so memory stays bounded."""
    rows = rows.with_row_index("rid")
    if h.windows and len(rows) and not (rows.get_column("cutoff") == h.today).all():
        raise ValueError("Activity read as windows gives features as of today only")
    if not len(rows):
        return rows.with_columns(pl.lit(None, dtype=pl.Float64).alias(n)
                                 for n in h.feature_names())
    people = rows.get_column("person_id").unique().sort()
    per = max(1, int(len(people) * CHUNK / max(len(rows), 1)))
    parts = []
    for i in range(0, len(people), per):
        ids = people.slice(i, per)
        parts.append(_chunk(h, rows.filter(pl.col("person_id").is_in(ids.implode())), ids))
    out = pl.concat(parts, how="diagonal_relaxed").sort("rid")
    names = h.feature_names()
    for n in names:
        if n not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias(n))
    keep = [c for c in rows.columns if c != "rid" and c not in names]
    return out.select(*keep, *[pl.col(n).cast(pl.Float64) for n in names])


def _chunk(h: History, rows: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    base = rows.with_columns(c=month_index("cutoff"))
    mine = ids.implode()
    terms = h.terms.filter(pl.col("person_id").is_in(mine))
    base = _membership(base, terms)
    base = _invoices(base, h.invoices.filter(pl.col("person_id").is_in(mine)))
    act = h.activity.filter(pl.col("person_id").is_in(mine))
    base = activity_columns(base, act, h.buckets, windows=h.windows)
    if len(h.snapshots):
        base = score_columns(base, h.snapshots.filter(pl.col("person_id").is_in(mine)))
    base = chapter_columns(base, h)
    if h.custom_keys:
        base = base.join(h.people.select("person_id", *[f"custom_{k}" for k in h.custom_keys]),
                         on="person_id", how="left")
    return base


def _membership(base: pl.DataFrame, terms: pl.DataFrame) -> pl.DataFrame:
    j = base.select("rid", "person_id", "cutoff").join(
        terms.select("person_id", "starts_on", "ends_on", "kind"), on="person_id")
    j = j.filter(pl.col("starts_on") < pl.col("cutoff"))
    agg = j.group_by("rid").agg(
        first=pl.col("starts_on").min(),
        terms_completed=(pl.col("ends_on") < pl.col("cutoff")).sum(),
        reinstatements=(pl.col("kind") == "reinstatement").sum())
    base = base.join(agg, on="rid", how="left").with_columns(
        tenure_months=((pl.col("cutoff") - pl.col("first")).dt.total_days() / 30.44)
        .clip(lower_bound=0),
        terms_completed=pl.col("terms_completed").fill_null(0),
        reinstatements=pl.col("reinstatements").fill_null(0),
        dues_year=pl.col("price") * 12 / pl.col("term_months").cast(pl.Float64),
        term_months=pl.col("term_months").cast(pl.Float64),
        join_mi=month_index("first"),
    )
    return base.drop("first")


def _invoices(base: pl.DataFrame, inv: pl.DataFrame) -> pl.DataFrame:
    j = base.select("rid", "person_id", "cutoff").join(inv, on="person_id")
    j = j.filter((pl.col("issued_on") < pl.col("cutoff"))
                 & (pl.col("issued_on") >= pl.col("cutoff").dt.offset_by("-3y")))
    paid = pl.col("paid_on").is_not_null() & (pl.col("paid_on") < pl.col("cutoff"))
    j = j.with_columns(paid=paid, late=paid & (pl.col("paid_on") > pl.col("due_on")),
                       days=pl.when(paid).then((pl.col("paid_on") - pl.col("issued_on"))
                                               .dt.total_days()))
    overdue = (~pl.col("paid") & (pl.col("due_on") < pl.col("cutoff"))
               & (pl.col("due_on") >= pl.col("cutoff").dt.offset_by("-1y")))
    agg = j.sort(["rid", "issued_on"]).group_by("rid").agg(
        n_paid=pl.col("paid").sum(), n_late=pl.col("late").sum(),
        days_to_pay=pl.col("days").mean(), overdue=overdue.sum(),
        last=pl.col("amount").last(), prev=pl.col("amount").shift(1).last())
    base = base.join(agg, on="rid", how="left")
    return base.with_columns(
        late_share=pl.when(pl.col("n_paid") > 0).then(pl.col("n_late") / pl.col("n_paid")),
        overdue=pl.col("overdue").fill_null(0),
        price_change=pl.when(pl.col("prev") > 0)
        .then((pl.col("last") - pl.col("prev")) / pl.col("prev")),
    ).drop("n_paid", "n_late", "last", "prev")


def examples(h: History, *, limit: int | None = None, seed: int = 0) -> pl.DataFrame:
    """The training examples: past decisions with features (a seeded sample of ``limit``)."""
    d = decisions(h)
    if limit is not None and len(d) > limit:
        d = d.sample(limit, seed=seed).sort("cutoff")
    return compute(h, d)

