"""Allocation benchmark: a shared service's allocation run for a consortium of 20
associations (200,000 members in all), usage measured from 10 million activities.

The first run seeds its own synthetic data in the configured database and later runs
reuse it: ``--associations`` associations ``bench-alloc-NN`` in one consortium, each with
its members (people, memberships and their terms written with ``core.bulk`` COPY) and four
sources (``event-check-ins`` among them); the activities are generated inside the
database (``INSERT … SELECT`` over ``generate_series``, indexes dropped for the load and
rebuilt after it), interleaved across the associations in time order over two years, as
ingestion would leave them. Then the first association provides "Bench events team"
(usage of ``event-check-ins``) and "Bench email platform" (members on the period's last
day), every other association subscribes, and each has last quarter's period with costs.

Measured (``--runs`` times, the first one apart as the warm-up):

1. ``allocation_run`` on the usage service's period — participants, the bases (one
   GROUP BY over the activities of all participants), the split to the cent, the
   inputs' key; the first call writes the run, later ones find it (same inputs) —
   ``allocation_run_s`` is the median of the timed calls;
2. the ceiling in the same run: the same GROUP BY on a bare table holding only the four
   columns it reads (``association_id, source_id, kind, occurred_at``) of the same rows,
   without indexes — what the database needs for the statement alone;
3. the members rule's run likewise (``allocation_members_run_s``).

The last line is ``allocation_run_s=<seconds>`` (target on PostgreSQL: ≤ 5 s).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from commonground.activity.models import Activity, Source
from commonground.collaboration.crossing import services as crossing
from commonground.collaboration.models import (
    Consortium,
    ConsortiumMember,
    CostPeriod,
    MemberStatus,
    SharedService,
)
from commonground.collaboration.services import allocations, shared
from commonground.core import bulk
from commonground.membership import services as ms
from commonground.membership.models import Membership, Term
from commonground.people.models import Person
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create

PREFIX = "bench-alloc"
SOURCES = (("event-check-ins", "Event check-ins", ("checkin", "registration")),
           ("email", "Email platform", ("email_open", "email_click")),
           ("website", "Website analytics", ("page_view", "download")),
           ("forum", "Member forum", ("forum_post", "forum_reply")))
SPAN_DAYS = 2 * 365
BARE = "bench_alloc_bare"


def add_arguments(parser) -> None:
    parser.add_argument("--associations", type=int, default=20)
    parser.add_argument("--members", type=int, default=200_000, help="In all the associations")
    parser.add_argument("--activities", type=int, default=10_000_000, help="In all of them")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)


def _quarter_before(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = start - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def _associations(n: int, say) -> list[Association]:
    out = []
    for i in range(1, n + 1):
        slug = f"{PREFIX}-{i:02d}"
        a = Association.objects.filter(slug=slug).first() or association_create(
            slug=slug, name=f"Bench Alliance Member {i:02d}", country="GB", currency="GBP")
        out.append(a)
    say(f"{n} associations")
    return out


def _members(association: Association, count: int) -> None:
    """People, memberships and terms (COPY), all live on the period's last day; a tenth
    joined after it, so the count is not simply every row."""
    with scope(association=association):
        if Membership.objects.exists():
            return
        plan = ms.plan_save(association=association, name="Bench member", price="0")
    now = datetime.now(UTC)
    aid = association.pk
    people = bulk.Table(Person, ["association_id", "first_name", "last_name", "email",
                                 "email_key", "phone", "address_line1", "address_line2", "city",
                                 "region", "postal_code", "country", "external_id", "chapter_id",
                                 "custom", "search_text", "member_status", "created_at",
                                 "updated_at"])
    for i in range(count):
        email = f"m{i}@{association.slug}.example.org"
        people.add(aid, f"First{i}", f"Last{i}", email, email, "", "", "", "", "", "", "", "",
                   None, {}, f"first{i} last{i} {email}", "active", now, now)
    first = people.base + 1
    bulk.write(people)
    mem = bulk.Table(Membership, ["association_id", "plan_id", "person_id", "organisation_id",
                                  "status", "joined_on", "starts_on", "ends_on", "lapsed_on",
                                  "cancelled_on", "created_at", "updated_at"])
    today = now.date()
    starts = []
    for i in range(count):
        joined = today - timedelta(days=(i * 37) % 300 + (0 if i % 10 else -200))
        joined = min(joined, today)
        ends = joined + timedelta(days=364)
        starts.append((joined, ends))
        mem.add(aid, plan.pk, first + i, None, "active", joined, joined, ends, None, None, now,
                now)
    first_m = mem.base + 1
    bulk.write(mem)
    term = bulk.Table(Term, ["association_id", "membership_id", "kind", "starts_on", "ends_on",
                             "invoice_id", "created_at"])
    for i, (joined, ends) in enumerate(starts):
        term.add(aid, first_m + i, "join", joined, ends, None, now)
    bulk.write(term)


def _sources(association: Association) -> dict[str, int]:
    with scope(association=association):
        return {slug: Source.objects.get_or_create(association=association, slug=slug,
                                                   defaults={"name": name})[0].pk
                for slug, name, _ in SOURCES}


def _activities(assocs: list[Association], sources: dict[int, dict[str, int]], total: int,
                say) -> None:
    """``total`` activities over all the associations, generated in the database."""
    ids = [a.pk for a in assocs]
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Activity._meta.db_table)} "
                    "WHERE association_id = ANY(%s)", [ids])
        have = cur.fetchone()[0]
    if have >= total:
        say(f"{have:,} activities already loaded")
        return
    if have:
        raise RuntimeError(f"{have:,} of {total:,} activities: drop the {PREFIX}-* associations "
                           "and run again")
    started = time.perf_counter()
    n_assoc = len(assocs)
    firsts = {}
    for a in assocs:
        with scope(association=a):
            firsts[a.pk] = (Person.objects.order_by("id").values_list("id", flat=True).first(),
                            Person.objects.count())
    # Per association (by position i % n): its first person id, its people, its sources.
    def case(values: list[str]) -> str:
        return "CASE (i % {n}) {w} END".format(n=n_assoc, w=" ".join(
            f"WHEN {j} THEN {v}" for j, v in enumerate(values)))

    aid = case([str(a.pk) for a in assocs])
    person = case([f"{firsts[a.pk][0]} + ((i / {n_assoc}) * 7919) % {firsts[a.pk][1]}"
                   for a in assocs])
    # Source mix: 25 % event check-ins, 30 % email, 35 % website, 10 % forum.
    s = "((i * 2654435761) % 100)"
    src_of = [case([str(sources[a.pk][slug]) for a in assocs]) for slug, _, _ in SOURCES]
    source = (f"CASE WHEN {s} < 25 THEN {src_of[0]} WHEN {s} < 55 THEN {src_of[1]} "
              f"WHEN {s} < 90 THEN {src_of[2]} ELSE {src_of[3]} END")
    kinds = [k for _, _, ks in SOURCES for k in ks]
    kind = (f"CASE WHEN {s} < 25 THEN (CASE WHEN i % 3 = 0 THEN '{kinds[1]}' ELSE '{kinds[0]}' END) "
            f"WHEN {s} < 55 THEN (CASE WHEN i % 2 = 0 THEN '{kinds[2]}' ELSE '{kinds[3]}' END) "
            f"WHEN {s} < 90 THEN (CASE WHEN i % 5 = 0 THEN '{kinds[5]}' ELSE '{kinds[4]}' END) "
            f"ELSE '{kinds[6]}' END")
    category = (f"CASE WHEN {s} < 25 THEN 'events' WHEN {s} < 55 THEN 'marketing' "
                f"WHEN {s} < 90 THEN 'web' ELSE 'community' END")
    end = datetime.now(UTC) - timedelta(hours=1)
    start_epoch = int((end - timedelta(days=SPAN_DAYS)).timestamp())
    span = SPAN_DAYS * 86400
    table = connection.ops.quote_name(Activity._meta.db_table)
    cols = ("association_id, person_id, anonymous_key, source_id, kind, category, occurred_at, "
            "quantity, currency, metadata, external_id")
    select = (f"SELECT {aid}, {person}, '', {source}, {kind}, {category}, "
              f"to_timestamp({start_epoch} + (i * {span}) / {total}), 1, '', '{{}}'::jsonb, "
              f"'ba-' || lpad(i::text, 10, '0') FROM generate_series(0::bigint, {total - 1}) g(i)")
    say(f"loading {total:,} activities into {n_assoc} associations…")
    name = Activity._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        # The table's own indexes and unique constraints as the migrations made them (the
        # period index is a BRIN there), dropped for the load and rebuilt as they were.
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'u'", [name])
        uniques = cur.fetchall()
        for con, _ in uniques:
            cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(con)}")
        cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)", [name, name])
        indexes = cur.fetchall()
        for ix, _ in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(ix)}")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute(f"INSERT INTO {table} ({cols}) {select}")
        say(f"  rows written in {time.perf_counter() - started:.0f}s; rebuilding indexes…")
        for _, definition in indexes:
            cur.execute(definition)
        for con, definition in uniques:
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(con)} "
                        f"{definition}")
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {table}")
        cur.execute(f"VACUUM {table}")
    say(f"  loaded {total:,} activities in {time.perf_counter() - started:.0f}s")


def _setup(*, n: int, members: int, activities: int, say):
    assocs = _associations(n, say)
    started = time.perf_counter()
    for a in assocs:
        _members(a, members // n)
    bulk.analyze([Person, Membership, Term])
    say(f"members ready ({members:,}) in {time.perf_counter() - started:.0f}s")
    sources = {a.pk: _sources(a) for a in assocs}
    _activities(assocs, sources, activities, say)
    provider = assocs[0]
    with scope(association=provider):
        consortium = Consortium.objects.filter(name="Bench alliance").first() or \
            Consortium.objects.create(association=provider, name="Bench alliance",
                                      started_on=date(2020, 1, 1))
    for a in assocs:
        with scope(association=a):
            ConsortiumMember.objects.get_or_create(
                association=a, consortium=consortium,
                defaults={"status": MemberStatus.ACTIVE, "is_coordinator": a == provider})
    start, end = _quarter_before(datetime.now(UTC).date())
    periods = {}
    for name, method in (("Bench events team", "usage"), ("Bench email platform", "members")):
        with scope(association=provider):
            service = SharedService.objects.filter(consortium=consortium, name=name).first()
        if service is None:
            with scope(association=provider):
                service = shared.shared_service_create(association=provider,
                                                       consortium_id=consortium.pk, name=name)
            for a in assocs[1:]:
                with scope(association=a):
                    shared.shared_service_subscribe(association=a, service_id=service.pk,
                                                    starts_on=date(2020, 1, 1))
            with scope(association=provider):
                shared.allocation_rule_create(
                    association=provider, service=service, method=method,
                    valid_from=date(2020, 1, 1),
                    usage_source="event-check-ins" if method == "usage" else "")
        with scope(association=provider):
            period = CostPeriod.objects.filter(service=service, starts_on=start).first()
            if period is None:
                period = shared.cost_period_create(association=provider, service=service,
                                                   label=f"{start.year} Q{(start.month + 2) // 3}",
                                                   starts_on=start, ends_on=end)
                for what, amount in (("Coordinator", "45210.17"), ("Venues", "18999.99"),
                                     ("Licences", "3333.33")):
                    shared.cost_item_add(association=provider, period=period, description=what,
                                         amount=amount, incurred_on=start)
        periods[method] = period
    return provider, assocs, periods


def _time_runs(provider, period, runs: int) -> tuple[float, list[float], object]:
    times, run = [], None
    for _ in range(max(runs, 2)):
        with scope(association=provider):
            t = time.perf_counter()
            run, _ = allocations.allocation_run(association=provider, period=period)
            times.append(time.perf_counter() - t)
    return statistics.median(times[1:]), times, run


def _ceiling(assocs, period, provider, runs: int, say) -> tuple[float, float]:
    """The same GROUP BY on a bare copy of the four columns (built once), and the
    product's statement alone (``sql.usage_counts``), each the median of ``runs``."""
    ids = [a.pk for a in assocs]
    table = connection.ops.quote_name(Activity._meta.db_table)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [BARE])
        if cur.fetchone()[0] is None:
            t = time.perf_counter()
            cur.execute(f"CREATE TABLE {BARE} AS SELECT association_id, source_id, kind, "
                        f"occurred_at FROM {table} WHERE association_id = ANY(%s)", [ids])
            cur.execute(f"ANALYZE {BARE}")
            say(f"bare table built in {time.perf_counter() - t:.0f}s")
    with scope(association=provider):
        service = period.service
        rule = allocations.rule_for(period)
        people = crossing.participants(service=service, starts_on=period.starts_on,
                                       ends_on=period.ends_on)
    with scopes_disabled():
        src_ids = list(Source.objects.filter(association_id__in=ids, slug=rule.usage_source)
                       .values_list("id", flat=True))
    since = datetime.combine(period.starts_on, datetime.min.time(), tzinfo=UTC)
    until = datetime.combine(period.ends_on + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    bare, product = [], []
    for _ in range(max(runs, 2)):
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute(f"SELECT association_id, COUNT(*) FROM {BARE} WHERE association_id = "
                        "ANY(%s) AND source_id = ANY(%s) AND occurred_at >= %s AND "
                        "occurred_at < %s GROUP BY association_id", [ids, src_ids, since, until])
            cur.fetchall()
            bare.append(time.perf_counter() - t)
        with scope(association=provider):
            t = time.perf_counter()
            crossing.bases(provider=provider, rule=rule, period=period, participants_=people)
            product.append(time.perf_counter() - t)
    return statistics.median(bare[1:]), statistics.median(product[1:])


def run(*, stdout, associations: int = 20, members: int = 200_000,
        activities: int = 10_000_000, runs: int = 5, seed: int = 42, **_) -> None:
    def say(text: str) -> None:
        stdout.write(text)
        stdout.flush()

    if connection.vendor != "postgresql":
        say("note: this benchmark generates its activities with PostgreSQL's generate_series; "
            "point COMMONGROUND_DATABASE_URL at PostgreSQL")
        raise SystemExit(2)
    provider, assocs, periods = _setup(n=associations, members=members,
                                       activities=activities, say=say)
    usage_s, usage_all, run_ = _time_runs(provider, periods["usage"], runs)
    with scope(association=provider):
        lines = list(run_.lines.all())
    say(f"usage run: {len(lines)} participants, pool {run_.pool_total}, "
        f"basis total {sum(line.basis for line in lines):,.0f} check-ins, amounts sum "
        f"{sum(line.amount for line in lines)} (first call {usage_all[0]:.2f}s)")
    members_s, members_all, run_m = _time_runs(provider, periods["members"], runs)
    with scope(association=provider):
        mlines = list(run_m.lines.all())
    say(f"members run: basis total {sum(line.basis for line in mlines):,.0f} memberships "
        f"(first call {members_all[0]:.2f}s)")
    bare_s, product_s = _ceiling(assocs, periods["usage"], provider, runs, say)
    say(f"allocation_usage_statement_s={product_s:.3f}")
    say(f"allocation_ceiling_bare_groupby_s={bare_s:.3f}")
    say(f"allocation_members_run_s={members_s:.3f}")
    say(f"allocation_run_s={usage_s:.3f}")
