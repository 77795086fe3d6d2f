"""Organisations (employers) and memberships of one chunk's accepted people, in bulk.

A roster row knows only Member Since and the expiry: a new membership gets the history
``membership.inference`` reconstructs from them and the plan's term (a join term, a
renewal each term up to the expiry, dated transitions, the lapse of an expired one), its
terms marked ``inferred``; an expiry later than the current one fills in renewal terms
from the current end the same way. Dates and statuses are computed column-wise, once per
distinct (plan, dates) where Python is needed, and written in bulk.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from dateutil.relativedelta import relativedelta

from commonground.core import bulk
from commonground.membership import inference, lifecycle, sql
from commonground.membership.models import Membership, Status, Term, Transition
from commonground.membership.services import member_summary_refresh
from commonground.people.models import NO_MEMBERSHIP, Organisation, Relationship, RelationshipKind

from .state import RunState

ORG_COLUMNS = [c for c in bulk.model_columns(Organisation) if c != "id"]


def relationships(run: RunState, people: pl.DataFrame, now) -> set[int]:
    """Employee relationships to the named organisations (created when new)."""
    wanted = people.filter(pl.col("organisation") != "").select("pid", "organisation", "is_new")
    if wanted.height == 0:
        return set()
    names: dict[str, str] = {}
    # The latest row's spelling names a new organisation.
    for name in wanted.get_column("organisation").reverse().unique(maintain_order=True).to_list():
        names.setdefault(name.lower(), name)
    missing = [k for k in names if k not in run.organisations]
    run.organisations.update(sql.organisation_ids(association_id=run.association.pk,
                                                  name_keys=missing))
    new = [k for k in missing if k not in run.organisations]
    if new:
        adapt = bulk.Adapt()
        ids = bulk.reserve_ids(Organisation, len(new))
        org_rows = []
        for key, pk in zip(new, ids, strict=True):
            run.organisations[key] = pk
            org_rows.append({"id": pk, "association_id": run.association.pk,
                             "name": names[key][:200], "name_key": key[:200],
                             "sector": "private", "website": "", "email": "", "phone": "",
                             "city": "", "country": "", "created_at": adapt.datetime(now)})
        bulk.insert_rows(Organisation, ["id", *ORG_COLUMNS],
                            [tuple(r[c] for c in ["id", *ORG_COLUMNS]) for r in org_rows])
        hist = bulk.history_columns(Organisation)
        extra = {"history_date": adapt.datetime(now), "history_change_reason": "import",
                 "history_type": "+", "history_user_id": run.actor_id}
        bulk.insert_rows(Organisation.history.model, hist,
                            [tuple({**r, **extra}[c] for c in hist) for r in org_rows])
    keys = pl.DataFrame({"organisation": [n for n in wanted.get_column("organisation").unique()]},
                        schema={"organisation": pl.Utf8})
    keys = keys.with_columns(organisation_id=pl.Series(
        [run.organisations[n.lower()] for n in keys.get_column("organisation").to_list()],
        dtype=pl.Int64))
    pairs = wanted.join(keys, on="organisation").select(
        person_id="pid", organisation_id="organisation_id", is_new="is_new").unique(
        ["person_id", "organisation_id"])
    known = pairs.filter(~pl.col("is_new")).get_column("person_id").unique().to_list()
    existing = sql.relationship_pairs(association_id=run.association.pk,
                                      kind=RelationshipKind.EMPLOYEE.value, person_ids=known)
    if existing:
        have = pl.DataFrame(existing, orient="row",
                            schema={"person_id": pl.Int64, "organisation_id": pl.Int64})
        pairs = pairs.join(have, on=["person_id", "organisation_id"], how="anti")
    if pairs.height == 0:
        return set()
    pairs = pairs.sort("person_id", "organisation_id")
    bulk.insert_frame(Relationship, pairs.select(
        association_id=pl.lit(run.association.pk, dtype=pl.Int64), person_id="person_id",
        organisation_id="organisation_id", kind=pl.lit(RelationshipKind.EMPLOYEE.value),
        title=pl.lit(""), starts_on=pl.lit(run.today, dtype=pl.Date),
        ends_on=pl.lit(None, dtype=pl.Date)))
    return set(pairs.get_column("person_id").to_list())


def memberships(run: RunState, people: pl.DataFrame, now) -> tuple[dict[str, int], set[int]]:
    counts = {"created": 0, "renewed": 0, "lapsed": 0}
    rows = people.filter(pl.col("plan_id").is_not_null() | pl.col("expires_on").is_not_null())
    if rows.height == 0:
        return counts, set()
    known = rows.filter(~pl.col("is_new")).get_column("pid").to_list()
    current = pl.DataFrame(sql.memberships_of(
        association_id=run.association.pk, person_ids=known), orient="row", schema={
        "pid": pl.Int64, "m_id": pl.Int64, "m_plan_id": pl.Int64, "m_status": pl.Utf8,
        "m_ends_on": pl.Utf8})
    # The current membership is the one that ends last.
    current = (current.with_columns(pl.col("m_ends_on").str.to_date("%Y-%m-%d"))
               .sort("m_ends_on", "m_id").unique("pid", keep="last"))
    rows = rows.join(current, on="pid", how="left", maintain_order="left")
    create = rows.filter(pl.col("m_id").is_null() & pl.col("plan_id").is_not_null())
    if create.height:
        counts["lapsed"] += _create(run, create, now)
        counts["created"] = create.height
        # People who were already on file get their copy refreshed (new ones were written
        # with it, see with_summary).
        existing = create.filter(~pl.col("is_new")).get_column("pid").to_list()
        if existing:
            member_summary_refresh(association=run.association, person_ids=existing)
    renew = rows.filter(
        pl.col("m_id").is_not_null() & (pl.col("expires_on") > pl.col("m_ends_on"))
        & (pl.col("m_status") != Status.CANCELLED.value)).select(
        "pid", "m_id", "m_plan_id", "m_status", "m_ends_on", "expires_on")
    if renew.height == 0:
        return counts, set()
    counts["lapsed"] += _renew(run, renew, now)
    counts["renewed"] = renew.height
    renewed = renew.get_column("pid").to_list()
    member_summary_refresh(association=run.association, person_ids=renewed)
    return counts, set(renewed)


def _per_distinct(df: pl.DataFrame, keys: list[str], fn, out: dict[str, Any],
                  where: pl.Expr | None = None) -> pl.DataFrame:
    """Join ``fn(*key)`` (a tuple of ``out`` columns) computed once per distinct key (of
    the rows ``where`` selects)."""
    rows = df.filter(where) if where is not None else df
    distinct = rows.select(keys).unique().drop_nulls()
    values = [fn(*key) for key in distinct.iter_rows()]
    computed = pl.DataFrame(values, schema=out, orient="row") if values else pl.DataFrame(schema=out)
    return df.join(pl.concat([distinct, computed], how="horizontal"), on=keys, how="left",
                   maintain_order="left")


def terms(run: RunState, df: pl.DataFrame) -> pl.DataFrame:
    """Dates and state of new memberships: a missing join date is one term before the
    expiry (or today), a missing expiry one term after joining; the status follows from
    the end date. Adds ``joined``, ``ends``, ``status`` and ``lapsed_on``."""
    plans = run.plans_by_id
    # A lifetime plan has no expiry: whatever the file says, its one term never ends.
    lifetime = [p.id for p in plans.values() if p.term_months == lifecycle.LIFETIME]
    df = df.with_columns(expires_on=pl.when(pl.col("plan_id").is_in(lifetime))
                         .then(pl.lit(lifecycle.LIFETIME_END)).otherwise("expires_on"))
    df = _per_distinct(df, ["plan_id", "expires_on"], lambda plan_id, expires: (
        expires - relativedelta(months=plans[plan_id].term_months) + timedelta(days=1)
        if plans[plan_id].term_months != lifecycle.LIFETIME else None,),
        {"from_expiry": pl.Date}, where=pl.col("joined_on").is_null())
    df = df.with_columns(joined=pl.coalesce("joined_on", "from_expiry", pl.lit(run.today)))
    df = _per_distinct(df, ["plan_id", "joined"], lambda plan_id, joined: (
        lifecycle.term_end(joined, plans[plan_id].term_months),), {"term_end": pl.Date},
        where=pl.col("expires_on").is_null())
    df = df.with_columns(ends=pl.coalesce("expires_on", "term_end"))

    def state(plan_id: int, ends: date) -> tuple[str, date | None]:
        plan = plans[plan_id]
        status = lifecycle.status_on(ends_on=ends, today=run.today,
                                     renewal_window_days=plan.window_days,
                                     grace_days=plan.grace_days)
        return str(status), (lifecycle.lapse_date(ends, plan.grace_days)
                             if status == Status.LAPSED else None)

    return _per_distinct(df, ["plan_id", "ends"], state, {"status": pl.Utf8, "lapsed_on": pl.Date})


def with_summary(run: RunState, new: pl.DataFrame) -> pl.DataFrame:
    """New people with the member list's copy of the membership the import gives them,
    so it is written with the person (an UPDATE afterwards costs far more)."""
    joining = new.filter(pl.col("plan_id").is_not_null()).select(
        "pid", "plan_id", "joined_on", "expires_on")
    if joining.height == 0:
        return new
    summary = terms(run, joining).select(
        "pid", member_status="status", member_plan_id="plan_id", member_since="joined",
        member_until="ends")
    return new.join(summary, on="pid", how="left", maintain_order="left").with_columns(
        member_status=pl.col("member_status").fill_null(""),
        member_since=pl.col("member_since").fill_null(NO_MEMBERSHIP),
        member_until=pl.col("member_until").fill_null(NO_MEMBERSHIP))


def _plan_frame(run: RunState) -> pl.DataFrame:
    """The term, renewal window and grace in effect of every plan, to join by plan id."""
    plans = list(run.plans_by_id.values())
    return pl.DataFrame({"plan_id": [p.id for p in plans],
                         "term_months": [p.term_months for p in plans],
                         "window": [p.window_days for p in plans],
                         "grace": [p.grace_days for p in plans]},
                        schema={"plan_id": pl.Int64, "term_months": pl.Int32,
                                "window": pl.Int32, "grace": pl.Int32})


def _write_history(run: RunState, terms_df: pl.DataFrame, transitions: pl.DataFrame,
                   now_text: str) -> None:
    """The inferred terms and transitions (``inference.sequence``), column-wise."""
    bulk.insert_frame(Term, terms_df.select(
        membership_id="key", kind="kind", starts_on="starts_on", ends_on="ends_on"), {
        "association_id": run.association.pk, "invoice_id": None, "inferred": True,
        "created_at": now_text})
    bulk.insert_frame(Transition, transitions.select(
        membership_id="key", from_status="from_status", to_status="to_status", event="event",
        on="on"), {"association_id": run.association.pk, "actor_id": run.actor_id,
                   "note": inference.NOTE, "created_at": now_text})


def _create(run: RunState, create: pl.DataFrame, now) -> int:
    """New memberships with their inferred history: a join term from Member Since, a
    renewal each plan term up to the expiry, dated transitions (``membership.inference``).
    Returns how many of them are lapsed."""
    df = terms(run, create.select("pid", "plan_id", "joined_on", "expires_on"))
    ids = bulk.reserve_ids(Membership, create.height)
    now_text = run.now_text(now)
    df = df.with_columns(id=pl.Series(ids, dtype=pl.Int64)).join(
        _plan_frame(run), on="plan_id", how="left", maintain_order="left")
    terms_df, transitions, state = inference.sequence(df.select(
        key="id", first_start="joined", last_end="ends", term_months="term_months",
        window="window", grace="grace", first_event=pl.lit(inference.JOINED),
        from_status=pl.lit("")), today=run.today)
    df = df.join(state.select(id="key", current_start="starts_on"), on="id", how="left",
                 maintain_order="left")
    members = df.select(id="id", plan_id="plan_id", person_id="pid", status="status",
                        joined_on="joined", starts_on="current_start", ends_on="ends",
                        lapsed_on="lapsed_on")
    consts = {"association_id": run.association.pk, "organisation_id": None,
              "cancelled_on": None, "created_at": now_text, "updated_at": now_text}
    consts.update(bulk.defaults(Membership, [*members.columns, *consts]))
    bulk.insert_frame(Membership, members, consts)
    _history(run, ids, "+", now_text)
    _write_history(run, terms_df, transitions, now_text)
    return state.filter(pl.col("status") == Status.LAPSED.value).height


def _history(run: RunState, ids: list[int], kind: str, now_text: str) -> None:
    bulk.insert_select(Membership.history.model, bulk.history_columns(Membership),
                       Membership, {"history_date": now_text, "history_change_reason": "import",
                                    "history_type": kind, "history_user_id": run.actor_id},
                       sorted(ids), association_id=run.association.pk)


def _renew(run: RunState, renew: pl.DataFrame, now) -> int:
    """Later expiries of existing members: inferred renewal terms from the current end up
    to the new expiry (the same rule as new memberships), written column-wise.

    A later expiry means the member did renew, so the grace and lapse recorded after the
    old end — only ever derived from that end by the rules (the daily advance, an earlier
    inference), never entered by a person — are withdrawn first. Returns how many are
    still lapsed after it (a later expiry, but past its grace)."""
    df = renew.join(_plan_frame(run), left_on="m_plan_id", right_on="plan_id", how="left",
                    maintain_order="left")
    sql.roster_transitions_withdraw(association_id=run.association.pk,
                                    rows=df.select("m_id", "m_ends_on").rows())
    # Each renewal follows on from the status of the latest change left.
    before = pl.DataFrame(sql.last_transition_status(
        association_id=run.association.pk, membership_ids=df.get_column("m_id").to_list()),
        orient="row", schema={"m_id": pl.Int64, "before": pl.Utf8}).unique("m_id", keep="last")
    df = df.join(before, on="m_id", how="left", maintain_order="left")
    terms_df, transitions, state = inference.sequence(df.select(
        key="m_id", first_start=pl.col("m_ends_on") + pl.duration(days=1),
        last_end="expires_on", term_months="term_months", window="window", grace="grace",
        first_event=pl.lit(inference.RENEWED),
        from_status=pl.coalesce("before", "m_status")), today=run.today)
    now_text = run.now_text(now)
    sql.roster_memberships_update(
        association_id=run.association.pk,
        rows=state.select("starts_on", "ends_on", "status", "lapsed_on",
                          pl.lit(now_text).alias("updated_at"), "key").rows())
    _write_history(run, terms_df, transitions, now_text)
    _history(run, df.get_column("m_id").to_list(), "~", now_text)
    return state.filter(pl.col("status") == Status.LAPSED.value).height
