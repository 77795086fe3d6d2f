"""Who is a prospect at a date, what they did before it, and whether they joined after.

Everything here is **as of a cutoff**: a prospect at cutoff ``c`` is a person the
association knew before ``c`` (``created_at``), who was not a member on ``c`` (no term of
their own covering ``c``, grace included), and who has activity in the year before ``c``
(a newsletter received counts: a subscriber is a prospect). Their features read only
activity strictly before ``c`` (UTC) that was tied to them before ``c`` (a visit collected
anonymously counts from the day its visitor was identified, see ``sql.daily_activity``),
terms that had started before ``c``, and organisation ties that had started by ``c``. The
label — did they join within ``HORIZON_DAYS`` after ``c`` — is the only thing that looks
past it.

A person added a few days before they joined, with nothing on their record, is left out:
the record usually exists *because* they are joining (the application started it), and a
model fed such rows learns "an empty new record joins" — on the demo seed that alone gave
a holdout AUC of 1.0.

The history is read once (``load``: people, terms, ties, and activity per person/day/group
through ``sql.daily_activity``) and every cutoff is a polars filter over it, so a hundred
cutoffs cost a scan, not a hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import polars as pl

from commonground.membership.models import Membership, Plan, Term
from commonground.membership.terms import LIFETIME, default_grace
from commonground.people.models import Person, Relationship
from commonground.scoring.engine import staff_person_ids
from commonground.tenancy.models import Association

from . import sql

HORIZON_DAYS = 180  # "joined within six months of the cutoff"
LOOKBACK_DAYS = 365  # the longest feature window; also who counts as a prospect
RECENT_DAYS = 90

COUNT_FEATURES = ("intent_90d", "intent_365d", "web_90d", "web_365d", "email_engaged_90d",
                  "email_engaged_365d", "email_sent_365d", "unsubscribed_365d", "events_90d",
                  "events_365d", "purchases_365d", "spend_365d", "learning_365d", "other_365d",
                  "activity_90d", "activity_prev_90d", "active_months_365d")
FEATURE_COLUMNS = (*COUNT_FEATURES, "email_rate_365d", "trend_90d", "days_since_activity",
                   "days_known", "former_member", "days_since_member", "past_terms", "org_member")


@dataclass
class History:
    """What the features read, loaded once for a span of cutoffs."""

    people: pl.DataFrame  # person_id, created (date)
    terms: pl.DataFrame  # person_id, starts_on, covers_until (end + grace), annual (float)
    org_terms: pl.DataFrame  # person_id, starts_on, covers_until (their organisation's)
    days: pl.DataFrame  # person_id, day (date), grp, n, amount, known_on (date or null)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def _annual(price: Decimal, term_months: int) -> float:
    """What a plan's first year costs (a monthly plan's 12 payments; lifetime: its price)."""
    if term_months == LIFETIME or term_months >= 12:
        return float(price)
    return float(price) * 12 / term_months


def _grace(grace_days: int | None, term_months: int) -> int:
    if term_months == LIFETIME:
        return 0
    return grace_days if grace_days is not None else default_grace(term_months)


def _covers_until(starts: date, ends: date, cancelled: date | None, grace_days: int | None,
                  term_months: int) -> date:
    """The last day a term makes its holder a member: its end plus the plan's grace (a
    member in grace is still a member: their renewal is the lapse model's business), or
    the day the membership was cancelled during it."""
    until = ends if ends.year >= 9999 else ends + timedelta(days=_grace(grace_days, term_months))
    if cancelled is not None and starts <= cancelled < until:
        until = cancelled
    return until


TERM_SCHEMA = {"person_id": pl.Int64, "starts_on": pl.Date, "covers_until": pl.Date,
               "annual": pl.Float64}
DAY_SCHEMA_TEXT = {"person_id": pl.Int64, "day": pl.Utf8, "grp": pl.Utf8, "n": pl.Int64,
                   "amount": pl.Float64, "known_on": pl.Utf8}
GROUP = pl.Enum(sql.GROUPS)  # a byte per row instead of a string
DAY_SCHEMA = {**DAY_SCHEMA_TEXT, "day": pl.Date, "known_on": pl.Date, "grp": GROUP}
TERM_FIELDS = ("starts_on", "ends_on", "membership__cancelled_on", "membership__plan__grace_days",
               "membership__plan__term_months", "membership__plan__price")


def load(association: Association, *, first_cutoff: date, last_cutoff: date,
         cutoffs: Sequence[date] = ()) -> History:
    """Read everything the cutoffs in ``[first_cutoff, last_cutoff]`` need: set-based
    queries, no per-person loop. ``cutoffs`` (default: the first and the last) are the
    dates features will be asked for: the activity of people who are members on every
    one of them is not read (most of an association's activity)."""
    staff = staff_person_ids(association)
    people = [(pid, created.date()) for pid, created in
              Person.objects.filter(erased_at__isnull=True, created_at__lt=_midnight(last_cutoff))
              .values_list("id", "created_at") if pid not in staff]
    people_df = pl.DataFrame(people, schema={"person_id": pl.Int64, "created": pl.Date}, orient="row")
    terms = pl.DataFrame(
        [(pid, starts, _covers_until(starts, ends, cancelled, grace, months), _annual(price, months))
         for pid, starts, ends, cancelled, grace, months, price in
         Term.objects.filter(membership__person__isnull=False)
         .values_list("membership__person_id", *TERM_FIELDS)],
        schema=TERM_SCHEMA, orient="row")
    # An organisation's membership covers its people while their tie to it lasts.
    org_terms: dict[int, list[tuple[date, date]]] = {}
    for oid, starts, ends, cancelled, grace, months, _price in (
            Term.objects.filter(membership__organisation__isnull=False)
            .values_list("membership__organisation_id", *TERM_FIELDS)):
        org_terms.setdefault(oid, []).append((starts, _covers_until(starts, ends, cancelled, grace,
                                                                    months)))
    org_rows = []
    if org_terms:
        for pid, oid, tie_from, tie_to in Relationship.objects.filter(
                organisation_id__in=list(org_terms)).values_list(
                "person_id", "organisation_id", "starts_on", "ends_on"):
            for starts, until in org_terms[oid]:
                lo, hi = max(starts, tie_from or starts), min(until, tie_to or until)
                if lo <= hi:
                    org_rows.append((pid, lo, hi))
    org_df = pl.DataFrame(org_rows, schema={"person_id": pl.Int64, "starts_on": pl.Date,
                                            "covers_until": pl.Date}, orient="row")
    since = first_cutoff - timedelta(days=LOOKBACK_DAYS)
    candidates = _ever_prospect(people_df, terms, sorted({first_cutoff, last_cutoff, *cutoffs}))
    chunks = [pl.DataFrame(rows, schema=DAY_SCHEMA_TEXT, orient="row").with_columns(
                  pl.col("day").str.to_date("%Y-%m-%d"), pl.col("known_on").str.to_date("%Y-%m-%d"),
                  pl.col("grp").cast(GROUP))
              for rows in sql.daily_activity(association_id=association.pk, since=_midnight(since),
                                             until=_midnight(last_cutoff), person_ids=candidates)]
    days = pl.concat(chunks) if chunks else pl.DataFrame(schema=DAY_SCHEMA)
    return History(people=people_df, terms=terms, org_terms=org_df, days=days)


def _ever_prospect(people: pl.DataFrame, terms: pl.DataFrame, cutoffs: Sequence[date]) -> list[int]:
    """People who are not members on at least one of ``cutoffs`` (a member renewing
    term after term is a member on every one: never a prospect, never read)."""
    member_on_all: set[int] | None = None
    for c in cutoffs:
        ids = set(terms.filter((pl.col("starts_on") <= c) & (pl.col("covers_until") >= c))
                  .get_column("person_id").to_list())
        member_on_all = ids if member_on_all is None else member_on_all & ids
    keep = member_on_all or set()
    return [p for p in people.get_column("person_id").to_list() if p not in keep]


def _membership_at(terms: pl.DataFrame, c: date, horizon_days: int) -> pl.DataFrame:
    """Per person with terms: member on ``c``; former member before it (and when their
    cover ended, how many terms); joined in ``(c, c + horizon]`` (the label)."""
    t = terms.with_columns(
        covering=(pl.col("starts_on") <= c) & (pl.col("covers_until") >= c),
        before=pl.col("starts_on") < c,
        joins=(pl.col("starts_on") > c) & (pl.col("starts_on") <= c + timedelta(days=horizon_days)),
    )
    return t.group_by("person_id").agg(
        member=pl.col("covering").any(),
        past_terms=pl.col("before").sum().cast(pl.Int64),
        ended=pl.col("covers_until").filter(pl.col("before") & (pl.col("covers_until") < c)).max(),
        label=pl.col("joins").any().cast(pl.Int8),
        joined_on=pl.col("starts_on").filter(pl.col("joins")).min(),
    )


def features_at(history: History, cutoffs: Sequence[date], *,
                horizon_days: int = HORIZON_DAYS) -> pl.DataFrame:
    """One row per (prospect, cutoff): ``person_id``, ``cutoff``, ``label``, ``outcome_on``
    (when the label became known: the join, else the horizon's end — the kernel trains only
    on outcomes known before its holdout) and ``FEATURE_COLUMNS``, all as of the cutoff.
    Empty (with the columns) when nobody was a prospect."""
    frames = [_one_cutoff(history, c, horizon_days) for c in sorted(set(cutoffs))]
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema={"person_id": pl.Int64, "cutoff": pl.Date, "label": pl.Int8,
                                    "outcome_on": pl.Date,
                                    **dict.fromkeys(FEATURE_COLUMNS, pl.Float64)})
    return pl.concat(frames, how="vertical")


def _one_cutoff(h: History, c: date, horizon_days: int) -> pl.DataFrame:
    people = h.people.filter(pl.col("created") < c)
    status = _membership_at(h.terms, c, horizon_days)
    orgs = h.org_terms.filter((pl.col("starts_on") <= c) & (pl.col("covers_until") >= c)) \
        .select("person_id").unique().with_columns(org_member=pl.lit(1.0))
    lo = c - timedelta(days=LOOKBACK_DAYS)
    d = h.days.filter((pl.col("day") < c) & (pl.col("day") >= lo)
                      & (pl.col("known_on").is_null() | (pl.col("known_on") < c))).with_columns(
        age=(pl.lit(c) - pl.col("day")).dt.total_days())
    recent = pl.col("age") <= RECENT_DAYS

    def n(groups: tuple[str, ...], when: pl.Expr | None = None) -> pl.Expr:
        cond = pl.col("grp").is_in(groups)
        if when is not None:
            cond = cond & when
        return pl.col("n").filter(cond).sum().cast(pl.Float64)

    every = tuple(sql.GROUPS)
    acts = d.group_by("person_id").agg(
        intent_90d=n(("intent",), recent), intent_365d=n(("intent",)),
        web_90d=n(("web", "intent"), recent), web_365d=n(("web", "intent")),
        email_engaged_90d=n(("email_engaged",), recent), email_engaged_365d=n(("email_engaged",)),
        email_sent_365d=n(("email_sent",)), unsubscribed_365d=n(("unsubscribed",)),
        events_90d=n(("events",), recent), events_365d=n(("events",)),
        purchases_365d=n(("purchases",)),
        spend_365d=pl.col("amount").filter(pl.col("grp") == "purchases").sum().cast(pl.Float64),
        learning_365d=n(("learning",)), other_365d=n(("other",)),
        # Email delivered is not something the person did: it does not make them active.
        activity_90d=n(tuple(g for g in every if g != "email_sent"), recent),
        activity_prev_90d=n(tuple(g for g in every if g != "email_sent"),
                            (pl.col("age") > RECENT_DAYS) & (pl.col("age") <= 2 * RECENT_DAYS)),
        active_months_365d=((pl.col("age") - 1) // 30).filter(pl.col("grp") != "email_sent")
        .n_unique().cast(pl.Float64),
        last_age=pl.col("age").filter(pl.col("grp") != "email_sent").min(),
        any_365d=pl.col("n").sum(),
    )
    frame = (people.join(status, on="person_id", how="left")
             .filter(~pl.col("member").fill_null(False))
             .join(acts, on="person_id", how="left")
             .join(orgs, on="person_id", how="left"))
    known = (pl.lit(c) - pl.col("created")).dt.total_days()
    frame = frame.with_columns([pl.col(f).fill_null(0.0) for f in COUNT_FEATURES])
    frame = frame.filter(pl.col("any_365d").fill_null(0) > 0)
    return frame.select(
        "person_id", pl.lit(c).alias("cutoff"),
        pl.col("label").fill_null(0).cast(pl.Int8),
        pl.col("joined_on").fill_null(c + timedelta(days=horizon_days)).alias("outcome_on"),
        *[pl.col(f) for f in COUNT_FEATURES],
        email_rate_365d=pl.when(pl.col("email_sent_365d") > 0)
        .then(pl.col("email_engaged_365d") / pl.col("email_sent_365d")).otherwise(None),
        trend_90d=pl.col("activity_90d") - pl.col("activity_prev_90d"),
        days_since_activity=pl.col("last_age").cast(pl.Float64),
        days_known=known.cast(pl.Float64),
        former_member=(pl.col("past_terms").fill_null(0) > 0).cast(pl.Float64),
        days_since_member=(pl.lit(c) - pl.col("ended")).dt.total_days().cast(pl.Float64),
        past_terms=pl.col("past_terms").fill_null(0).cast(pl.Float64),
        org_member=pl.col("org_member").fill_null(0.0),
    )


def monthly_cutoffs(first_activity: date, last: date, *, most: int = 24) -> list[date]:
    """First-of-month cutoffs from three months after the first activity (some history to
    look back on) to ``last``, the latest ``most`` of them."""
    y, m = first_activity.year, first_activity.month + 3
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    out = []
    while date(y, m, 1) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out[-most:]


def first_year_dues(association: Association, history: History, person_ids: Sequence[int],
                    *, today: date) -> dict[int, Decimal]:
    """What each prospect's first year would bring: a former member's own last plan (per
    year), everyone else the plan most people joined on in the last year (else the
    cheapest active paid individual plan)."""
    last_plan: dict[int, float] = {}
    for row in history.terms.sort("starts_on").iter_rows(named=True):
        last_plan[row["person_id"]] = row["annual"]
    joined = (Membership.objects.filter(person__isnull=False, joined_on__gt=today - timedelta(days=365),
                                        joined_on__lte=today)
              .values_list("plan_id", flat=True))
    counts: dict[int, int] = {}
    for plan_id in joined:
        counts[plan_id] = counts.get(plan_id, 0) + 1
    plans = {p.pk: p for p in Plan.objects.filter(kind="individual")}
    typical = None
    if counts:
        best = max(counts, key=lambda k: (counts[k], -k))
        if best in plans:
            typical = _annual(plans[best].price, plans[best].term_months)
    if typical is None:
        paid = [p for p in plans.values() if p.is_active and p.price > 0]
        typical = min((_annual(p.price, p.term_months) for p in paid), default=0.0)
    return {pid: Decimal(str(round(last_plan.get(pid, typical), 2))).quantize(Decimal("0.01"))
            for pid in person_ids}
