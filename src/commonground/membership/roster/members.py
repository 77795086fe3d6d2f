"""Organisations (employers) and memberships of one chunk's accepted people, in bulk.

New memberships get a join term and a ``joined`` transition; an expiry later than the
current one renews (a renewal term from the current end). Dates and statuses are computed
once per distinct (plan, date) and written column-wise.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from dateutil.relativedelta import relativedelta

from commonground.core import bulk
from commonground.membership import lifecycle, sql
from commonground.membership.models import Membership, Status, Term, TermKind, Transition
from commonground.membership.services import member_summary_refresh
from commonground.people.models import NO_MEMBERSHIP, Organisation, Relationship, RelationshipKind

from .state import RunState

ORG_COLUMNS = [c for c in bulk.model_columns(Organisation) if c != "id"]
TERM_COLUMNS = [c for c in bulk.model_columns(Term) if c not in ("id", "inferred")]  # (db default)
TRANSITION_COLUMNS = [c for c in bulk.model_columns(Transition) if c != "id"]


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
    renew = [dict(m) for m in rows.filter(
        pl.col("m_id").is_not_null() & (pl.col("expires_on") > pl.col("m_ends_on"))
        & (pl.col("m_status") != Status.CANCELLED.value)).iter_rows(named=True)]
    if renew:
        counts["lapsed"] += _renew(run, renew, now)
        counts["renewed"] = len(renew)
        member_summary_refresh(association=run.association, person_ids=[m["pid"] for m in renew])
    return counts, {m["pid"] for m in renew}


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


def _create(run: RunState, create: pl.DataFrame, now) -> int:
    """Write the new memberships; returns how many of them are lapsed."""
    df = terms(run, create.select("pid", "plan_id", "joined_on", "expires_on"))
    ids = bulk.reserve_ids(Membership, create.height)
    now_text = run.now_text(now)
    members = df.select(id=pl.Series(ids, dtype=pl.Int64), plan_id="plan_id", person_id="pid",
                        status="status", joined_on="joined", starts_on="joined", ends_on="ends",
                        lapsed_on="lapsed_on")
    consts = {"association_id": run.association.pk, "organisation_id": None,
              "cancelled_on": None, "created_at": now_text, "updated_at": now_text}
    consts.update(bulk.defaults(Membership, [*members.columns, *consts]))
    bulk.insert_frame(Membership, members, consts)
    _history(run, ids, "+", now_text)
    Col = bulk.Col
    bulk.insert_select(Term, TERM_COLUMNS, Membership, {
        "membership_id": Col("id"), "kind": TermKind.JOIN.value, "starts_on": Col("joined_on"),
        "invoice_id": None, "created_at": now_text}, ids, association_id=run.association.pk)
    bulk.insert_select(Transition, TRANSITION_COLUMNS, Membership, {
        "membership_id": Col("id"), "from_status": "", "to_status": Col("status"),
        "event": "joined", "on": Col("joined_on"), "actor_id": run.actor_id, "note": "imported",
        "created_at": now_text}, ids, association_id=run.association.pk)
    return df.filter(pl.col("status") == Status.LAPSED.value).height


def _history(run: RunState, ids: list[int], kind: str, now_text: str) -> None:
    bulk.insert_select(Membership.history.model, bulk.history_columns(Membership),
                       Membership, {"history_date": now_text, "history_change_reason": "import",
                                    "history_type": kind, "history_user_id": run.actor_id},
                       sorted(ids), association_id=run.association.pk)


def _renew(run: RunState, renew: list[dict], now) -> int:
    """Renewals are few per import (later expiries of existing members): row by row.
    Returns how many are still lapsed after it (a later expiry, but past its grace)."""
    objs, terms, transitions = [], [], []
    for m in renew:
        plan, expires = run.plans_by_id[m["m_plan_id"]], m["expires_on"]
        start = m["m_ends_on"] + timedelta(days=1)
        status = lifecycle.status_on(ends_on=expires, today=run.today,
                                     renewal_window_days=plan.window_days,
                                     grace_days=plan.grace_days)
        lapsed_on = lifecycle.lapse_date(expires, plan.grace_days) \
            if status == Status.LAPSED else None
        objs.append(Membership(id=m["m_id"], starts_on=start, ends_on=expires, status=status,
                               lapsed_on=lapsed_on, updated_at=now))
        terms.append((m["m_id"], TermKind.RENEWAL.value, start, expires))
        transitions.append((m["m_id"], m["m_status"], str(status), start))
    Membership.objects.bulk_update(objs, ["starts_on", "ends_on", "status", "lapsed_on",
                                          "updated_at"], batch_size=500)
    now_text = run.now_text(now)
    assoc = pl.lit(run.association.pk, dtype=pl.Int64)
    bulk.insert_frame(Term, pl.DataFrame(terms, orient="row", schema={
        "membership_id": pl.Int64, "kind": pl.Utf8, "starts_on": pl.Date, "ends_on": pl.Date,
    }).with_columns(association_id=assoc, invoice_id=pl.lit(None, dtype=pl.Int64),
                    created_at=pl.lit(now_text)).select(TERM_COLUMNS))
    bulk.insert_frame(Transition, pl.DataFrame(transitions, orient="row", schema={
        "membership_id": pl.Int64, "from_status": pl.Utf8, "to_status": pl.Utf8, "on": pl.Date,
    }).with_columns(association_id=assoc, event=pl.lit("renewed"),
                    actor_id=pl.lit(run.actor_id, dtype=pl.Int64), note=pl.lit("imported"),
                    created_at=pl.lit(now_text)).select(TRANSITION_COLUMNS))
    _history(run, [m["m_id"] for m in renew], "~", now_text)
    return sum(1 for obj in objs if obj.status == Status.LAPSED)
