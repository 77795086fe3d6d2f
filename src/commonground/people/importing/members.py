"""Organisations (employers) and memberships of one chunk's accepted people, in bulk.

New memberships get a join term and a ``joined`` transition; an expiry later than the
current one renews (a renewal term from the current end). Dates and statuses are computed
once per distinct (plan, date) and written column-wise.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
from dateutil.relativedelta import relativedelta
from django.db import connection

from commonground.membership import lifecycle
from commonground.membership.models import Membership, Status, Term, TermKind, Transition
from commonground.people.models import Organisation, Relationship, RelationshipKind

from . import dbwrite

if TYPE_CHECKING:
    from .engine import _Run

ORG_COLUMNS = [c for c in dbwrite.model_columns(Organisation) if c != "id"]
TERM_COLUMNS = [c for c in dbwrite.model_columns(Term) if c != "id"]
TRANSITION_COLUMNS = [c for c in dbwrite.model_columns(Transition) if c != "id"]


def _in_parts(sql: str, head: list[Any], values: list[Any]) -> list[tuple]:
    out: list[tuple] = []
    for start in range(0, len(values), 5000):
        part = values[start:start + 5000]
        with connection.cursor() as cur:
            cur.execute(sql.replace("(IN)", f"({', '.join(['%s'] * len(part))})"), [*head, *part])
            out.extend(cur.fetchall())
    return out


def relationships(run: _Run, people: pl.DataFrame, now) -> set[int]:
    """Employee relationships to the named organisations (created when new)."""
    wanted = people.filter(pl.col("organisation") != "").select("pid", "organisation", "is_new")
    if wanted.height == 0:
        return set()
    names: dict[str, str] = {}
    # The latest row's spelling names a new organisation.
    for name in wanted.get_column("organisation").reverse().unique(maintain_order=True).to_list():
        names.setdefault(name.lower(), name)
    missing = [k for k in names if k not in run.organisations]
    table = Organisation._meta.db_table
    run.organisations.update(_in_parts(
        f'SELECT name_key, id FROM "{table}" WHERE association_id = %s AND name_key IN (IN)',
        [run.association.pk], missing))
    new = [k for k in missing if k not in run.organisations]
    if new:
        adapt = dbwrite.Adapt()
        ids = dbwrite.reserve_ids(Organisation, len(new))
        org_rows = []
        for key, pk in zip(new, ids, strict=True):
            run.organisations[key] = pk
            org_rows.append({"id": pk, "association_id": run.association.pk,
                             "name": names[key][:200], "name_key": key[:200],
                             "sector": "private", "website": "", "email": "", "phone": "",
                             "city": "", "country": "", "created_at": adapt.datetime(now)})
        dbwrite.insert_rows(Organisation, ["id", *ORG_COLUMNS],
                            [tuple(r[c] for c in ["id", *ORG_COLUMNS]) for r in org_rows])
        hist = dbwrite.history_columns(Organisation)
        extra = {"history_date": adapt.datetime(now), "history_change_reason": "import",
                 "history_type": "+", "history_user_id": run.actor_id}
        dbwrite.insert_rows(Organisation.history.model, hist,
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
    existing = _in_parts(
        f'SELECT person_id, organisation_id FROM "{Relationship._meta.db_table}" WHERE '
        f'association_id = %s AND kind = %s AND person_id IN (IN)',
        [run.association.pk, RelationshipKind.EMPLOYEE.value], known)
    if existing:
        have = pl.DataFrame(existing, orient="row",
                            schema={"person_id": pl.Int64, "organisation_id": pl.Int64})
        pairs = pairs.join(have, on=["person_id", "organisation_id"], how="anti")
    if pairs.height == 0:
        return set()
    pairs = pairs.sort("person_id", "organisation_id")
    dbwrite.insert_frame(Relationship, pairs.select(
        association_id=pl.lit(run.association.pk, dtype=pl.Int64), person_id="person_id",
        organisation_id="organisation_id", kind=pl.lit(RelationshipKind.EMPLOYEE.value),
        title=pl.lit(""), starts_on=pl.lit(run.today, dtype=pl.Date),
        ends_on=pl.lit(None, dtype=pl.Date)))
    return set(pairs.get_column("person_id").to_list())


_CURRENT = ["person_id", "id", "plan_id", "status", "joined_on", "starts_on", "ends_on",
            "lapsed_on", "cancelled_on", "organisation_id", "created_at"]


def memberships(run: _Run, people: pl.DataFrame, now) -> tuple[dict[str, int], set[int]]:
    counts = {"created": 0, "renewed": 0}
    rows = people.filter(pl.col("plan_id").is_not_null() | pl.col("expires_on").is_not_null())
    if rows.height == 0:
        return counts, set()
    known = rows.filter(~pl.col("is_new")).get_column("pid").to_list()
    current: dict[int, dict] = {}
    for m in _in_parts(f'SELECT {", ".join(_CURRENT)} FROM "{Membership._meta.db_table}" WHERE '
                       f'association_id = %s AND person_id IN (IN) ORDER BY ends_on, id',
                       [run.association.pk], known):
        current[m[0]] = dict(zip(_CURRENT, m, strict=True))  # the latest ends last
    has = pl.Series("has", [pid in current for pid in rows.get_column("pid").to_list()],
                    dtype=pl.Boolean)
    rows = rows.with_columns(has)
    create = rows.filter(~pl.col("has") & pl.col("plan_id").is_not_null())
    if create.height:
        _create(run, create, now)
        counts["created"] = create.height
    renew = []
    for pid, expires in rows.filter(pl.col("has") & pl.col("expires_on").is_not_null()).select(
            "pid", "expires_on").iter_rows():
        m = current[pid]
        if expires > _as_date(m["ends_on"]) and m["status"] != Status.CANCELLED:
            renew.append((m, expires))
    if renew:
        _renew(run, renew, now)
        counts["renewed"] = len(renew)
    return counts, {m["person_id"] for m, _ in renew}


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _per_distinct(df: pl.DataFrame, keys: list[str], fn, out: dict[str, Any]) -> pl.DataFrame:
    """Join ``fn(*key)`` (a tuple of ``out`` columns) computed once per distinct key."""
    distinct = df.select(keys).unique().drop_nulls()
    values = [fn(*key) for key in distinct.iter_rows()]
    computed = pl.DataFrame(values, schema=out, orient="row") if values else pl.DataFrame(schema=out)
    return df.join(pl.concat([distinct, computed], how="horizontal"), on=keys, how="left",
                   maintain_order="left")


def _create(run: _Run, create: pl.DataFrame, now) -> None:
    """New memberships: a missing join date is one term before the expiry (or today), a
    missing expiry one term after joining; the status follows from the end date."""
    plans = run.plans_by_id
    df = create.select("pid", "plan_id", "joined_on", "expires_on")
    df = _per_distinct(df, ["plan_id", "expires_on"], lambda plan_id, expires: (
        expires - relativedelta(months=plans[plan_id].term_months) + timedelta(days=1),),
        {"from_expiry": pl.Date})
    df = df.with_columns(joined=pl.coalesce("joined_on", "from_expiry", pl.lit(run.today)))
    df = _per_distinct(df, ["plan_id", "joined"], lambda plan_id, joined: (
        lifecycle.term_end(joined, plans[plan_id].term_months),), {"term_end": pl.Date})
    df = df.with_columns(ends=pl.coalesce("expires_on", "term_end"))

    def state(plan_id: int, ends: date) -> tuple[str, date | None]:
        plan = plans[plan_id]
        status = lifecycle.status_on(ends_on=ends, today=run.today,
                                     renewal_window_days=run.window, grace_days=plan.grace_days)
        return str(status), (lifecycle.lapse_date(ends, plan.grace_days)
                             if status == Status.LAPSED else None)

    df = _per_distinct(df, ["plan_id", "ends"], state, {"status": pl.Utf8, "lapsed_on": pl.Date})
    ids = dbwrite.reserve_ids(Membership, create.height)
    now_text = run.now_text(now)
    members = df.select(id=pl.Series(ids, dtype=pl.Int64), plan_id="plan_id", person_id="pid",
                        status="status", joined_on="joined", starts_on="joined", ends_on="ends",
                        lapsed_on="lapsed_on")
    dbwrite.insert_frame(Membership, members, {
        "association_id": run.association.pk, "organisation_id": None, "cancelled_on": None,
        "created_at": now_text, "updated_at": now_text})
    _history(run, ids, "+", now_text)
    Col = dbwrite.Col
    dbwrite.insert_select(Term, TERM_COLUMNS, Membership, {
        "membership_id": Col("id"), "kind": TermKind.JOIN.value, "starts_on": Col("joined_on"),
        "invoice_id": None, "created_at": now_text}, ids)
    dbwrite.insert_select(Transition, TRANSITION_COLUMNS, Membership, {
        "membership_id": Col("id"), "from_status": "", "to_status": Col("status"),
        "event": "joined", "on": Col("joined_on"), "actor_id": run.actor_id, "note": "imported",
        "created_at": now_text}, ids)


def _history(run: _Run, ids: list[int], kind: str, now_text: str) -> None:
    dbwrite.insert_select(Membership.history.model, dbwrite.history_columns(Membership),
                          Membership, {"history_date": now_text, "history_change_reason": "import",
                                       "history_type": kind, "history_user_id": run.actor_id},
                          sorted(ids))


def _renew(run: _Run, renew: list[tuple[dict, date]], now) -> None:
    """Renewals are few per import (later expiries of existing members): row by row."""
    objs, terms, transitions = [], [], []
    for m, expires in renew:
        plan = run.plans_by_id[m["plan_id"]]
        start = _as_date(m["ends_on"]) + timedelta(days=1)
        status = lifecycle.status_on(ends_on=expires, today=run.today,
                                     renewal_window_days=run.window, grace_days=plan.grace_days)
        lapsed_on = lifecycle.lapse_date(expires, plan.grace_days) \
            if status == Status.LAPSED else None
        objs.append(Membership(id=m["id"], starts_on=start, ends_on=expires, status=status,
                               lapsed_on=lapsed_on, updated_at=now))
        terms.append((m["id"], TermKind.RENEWAL.value, start, expires))
        transitions.append((m["id"], m["status"], str(status), start))
    Membership.objects.bulk_update(objs, ["starts_on", "ends_on", "status", "lapsed_on",
                                          "updated_at"], batch_size=500)
    now_text = run.now_text(now)
    assoc = pl.lit(run.association.pk, dtype=pl.Int64)
    dbwrite.insert_frame(Term, pl.DataFrame(terms, orient="row", schema={
        "membership_id": pl.Int64, "kind": pl.Utf8, "starts_on": pl.Date, "ends_on": pl.Date,
    }).with_columns(association_id=assoc, invoice_id=pl.lit(None, dtype=pl.Int64),
                    created_at=pl.lit(now_text)).select(TERM_COLUMNS))
    dbwrite.insert_frame(Transition, pl.DataFrame(transitions, orient="row", schema={
        "membership_id": pl.Int64, "from_status": pl.Utf8, "to_status": pl.Utf8, "on": pl.Date,
    }).with_columns(association_id=assoc, event=pl.lit("renewed"),
                    actor_id=pl.lit(run.actor_id, dtype=pl.Int64), note=pl.lit("imported"),
                    created_at=pl.lit(now_text)).select(TRANSITION_COLUMNS))
    _history(run, [m["id"] for m, _ in renew], "~", now_text)
