"""Load millions of benchmark activities into one association, set-based, on both backends.

Shaped like real feeds: a skewed number of rows per person (log-normal: most people have
tens, a few have thousands), 3 % anonymous visitors, rows in time order over three
years (so one person's rows are scattered over the table as ingestion would leave them),
nine categories in realistic proportions, with kinds, amounts and metadata.

The database generates the rows itself (``generate_series`` on PostgreSQL, a recursive
CTE on SQLite). Python only decides how many rows each person gets: a "slot" table maps
row slots to people, and row ``i`` takes slot ``(i * A) mod N`` for an ``A`` coprime
with ``N`` — a permutation, so every person gets exactly their share in scattered order.
The activity indexes are dropped for the load and rebuilt after it (a sort instead of
10 million random B-tree inserts), all inside one transaction.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from commonground.activity.models import Activity, Source
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy.models import Association

SPAN_DAYS = 3 * 365
ANON_SHARE = 0.03
SIGMA = 1.3  # log-normal spread of rows per person: max ≈ 100× the median at 100k people
# category: (share in ‰, source name, kinds, metadata SQL (a JSON text built from i))
CATEGORIES = [
    ("web", 400, "Website analytics", ("page_view", "page_view", "click", "download"),
     "'{\"page\": \"https://example.org/p/' || (i % 5000) || '\"}'"),
    ("marketing", 250, "Email platform", ("email_sent", "email_open", "email_open", "email_click"),
     "'{\"campaign\": \"Campaign ' || (i % 120) || '\", \"url\": \"https://example.org/c/' "
     "|| (i % 300) || '\"}'"),
    ("social", 80, "Social platforms", ("social_like", "social_share", "social_comment"),
     "'{\"platform\": \"LinkedIn\", \"post\": \"https://example.org/s/' || (i % 900) || '\"}'"),
    ("community", 80, "Community forum", ("forum_post", "forum_reply", "event_checkin"),
     "'{\"thread\": \"Thread ' || (i % 2000) || '\"}'"),
    ("learning", 60, "Learning platform", ("course_completed", "course_started"),
     "'{\"course\": \"Course ' || (i % 40) || '\", \"score\": ' || (50 + i % 50) || '}'"),
    ("commerce", 50, "Online store", ("order_line",),
     "'{\"order\": \"#' || (100000 + i % 900000) || '\", \"item\": \"Item ' || (i % 60) || '\"}'"),
    ("knowledge", 40, "Resource library", ("download", "article_read"),
     "'{\"page\": \"https://example.org/library/' || (i % 700) || '\"}'"),
    ("advocacy", 20, "Advocacy tool", ("petition_signed", "letter_sent"),
     "'{\"campaign\": \"Action ' || (i % 30) || '\"}'"),
    ("volunteering", 20, "Volunteer rota", ("shift_worked",),
     "'{\"role\": \"Steward\", \"hours\": ' || (1 + i % 6) || '}'"),
]


def _sources(association: Association) -> dict[str, int]:
    out = {}
    for cat, _, name, _, _ in CATEGORIES:
        source, _ = Source.objects.get_or_create(
            association=association, slug=f"bench-{cat}", defaults={"name": f"{name} (bench)"})
        out[cat] = source.pk
    return out


def _counts(people: np.ndarray, total: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(ids, rows each): people's ids and negative ids for anonymous visitors."""
    n_anon_rows = int(total * ANON_SHARE)
    weights = rng.lognormal(0.0, SIGMA, len(people))
    counts = np.floor(weights / weights.sum() * (total - n_anon_rows)).astype(np.int64)
    short = total - n_anon_rows - int(counts.sum())
    np.add.at(counts, rng.choice(len(people), size=short, replace=True), 1)  # repeats count
    visitors = max(n_anon_rows // 4, 1)  # about four page views per anonymous visitor
    anon = np.bincount(rng.integers(0, visitors, n_anon_rows), minlength=visitors)
    ids = np.concatenate([people, -np.arange(1, visitors + 1, dtype=np.int64)])
    rows = np.concatenate([counts, anon])
    keep = rows > 0
    return ids[keep], rows[keep]


def _multiplier(n: int) -> int:
    a = int(n * 0.6180339887) | 1
    while math.gcd(a, n) != 1:
        a += 2
    return a


def _case(expr: str, pairs: list[tuple[str, str]], default: str = "NULL") -> str:
    return "CASE " + " ".join(f"WHEN {expr} {cond} THEN {val}" for cond, val in pairs) + \
        f" ELSE {default} END"


def _select_sql(*, aid: int, sources: dict[str, int], offerings: list[int], n: int, base: int,
                start_epoch: int, span_s: int, pg: bool) -> str:
    """The SELECT that turns ``i`` (0..n-1) and its slot's person into an activity row."""
    h = "((i * 2654435761) % 1000)"  # category draw, independent of time and person
    bounds, acc = [], 0
    for cat, share, *_ in CATEGORIES:
        acc += share
        bounds.append((cat, acc))
    category = _case(h, [(f"< {b}", f"'{c}'") for c, b in bounds], "'web'")
    source = _case(h, [(f"< {b}", str(sources[c])) for c, b in bounds])
    kind_pairs, meta_pairs = [], []
    for (_cat, _, _, kinds, meta), (_, b) in zip(CATEGORIES, bounds, strict=True):
        kinds_case = _case(f"(i % {len(kinds)})", [(f"= {j}", f"'{k}'") for j, k in enumerate(kinds)])
        kind_pairs.append((f"< {b}", kinds_case))
        meta_pairs.append((f"< {b}", meta))
    kind = _case(h, kind_pairs, "'page_view'")
    metadata = _case(h, meta_pairs, "'{}'")
    commerce_lo = sum(s for c, s, *_ in CATEGORIES[:5])
    is_sale = f"{h} >= {commerce_lo} AND {h} < {commerce_lo + 50}"
    offering = (_case(f"(i % {len(offerings)})", [(f"= {j}", str(o)) for j, o in enumerate(offerings)])
                if offerings else "CAST(NULL AS BIGINT)")
    offering = f"CASE WHEN ({category}) IN ('learning', 'community') THEN {offering} END"
    # Time order with an hour of jitter: the order ingestion would write rows in.
    secs = f"({start_epoch} + (i * {span_s}) / {n} + ((i * 7919) % 3600))"
    # Zero-padded ids sort in insertion order: the unique index grows at its end.
    if pg:
        occurred = f"to_timestamp({secs})"
        metadata = f"({metadata})::jsonb"
        external = f"'b360-' || lpad(({base} + i)::text, 10, '0')"
    else:
        occurred = f"datetime({secs}, 'unixepoch')"
        external = f"'b360-' || printf('%010d', {base} + i)"
    return (
        f"SELECT {aid}, CASE WHEN s.person_id > 0 THEN s.person_id END, "
        f"CASE WHEN s.person_id < 0 THEN 'anon:bench-' || (-s.person_id) ELSE '' END, "
        f"{source}, {kind}, {category}, {occurred}, 1, "
        f"CASE WHEN {is_sale} THEN (5 + (i % 20) * 5) END, "
        f"CASE WHEN {is_sale} THEN 'USD' ELSE '' END, {offering}, {metadata}, {external}")


def load_activities(*, association: Association, total: int, seed: int, say) -> int:
    """Top the association up to ``total`` activities; returns how many rows were added."""
    with scope(association=association):
        have = Activity.objects.count()
        if have >= total:
            say(f"{have:,} activities already loaded")
            return 0
        need = total - have
        started = time.perf_counter()
        rng = np.random.default_rng(seed + have)
        people = np.fromiter(Person.objects.order_by("id").values_list("id", flat=True), np.int64)
        if not len(people):
            raise RuntimeError("The association has no people")
        ids, rows = _counts(people, need, rng)
        sources = _sources(association)
        offerings = list(Offering.objects.order_by("id").values_list("id", flat=True)[:20])
        bench_source = Source.objects.get(pk=sources["web"])
        base = int(bench_source.mapping.get("bench_rows", 0))
    end = timezone.now() - timedelta(hours=1)
    pg = connection.vendor == "postgresql"
    select = _select_sql(aid=association.pk, sources=sources, offerings=offerings, n=need, base=base,
                         start_epoch=int((end - timedelta(days=SPAN_DAYS)).timestamp()),
                         span_s=SPAN_DAYS * 86400 - 3600, pg=pg)
    table = connection.ops.quote_name(Activity._meta.db_table)
    cols = ("association_id, person_id, anonymous_key, source_id, kind, category, occurred_at, "
            "quantity, amount, currency, offering_id, metadata, external_id")
    mult = _multiplier(need)
    say(f"loading {need:,} activities for {len(ids):,} people and visitors "
        f"(the busiest has {int(rows.max()):,})…")
    # Used for its SQL only (not entered: SQLite refuses that inside a transaction).
    editor = connection.schema_editor()
    editor.deferred_sql = []
    indexes = []
    if need >= have:  # a big load: rebuild after; a top-up: keep the indexes as they are
        indexes = list(Activity._meta.indexes)
        if pg:  # on SQLite the unique constraint is part of the table (its autoindex stays)
            indexes += list(Activity._meta.constraints)
    with transaction.atomic(), connection.cursor() as cur:
        for ix in indexes:
            cur.execute(str(ix.remove_sql(Activity, editor)))
        if pg:
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("CREATE TEMP TABLE m360_slots (slot bigint, person_id bigint) ON COMMIT DROP")
            cur.execute("INSERT INTO m360_slots SELECT row_number() OVER () - 1, t.p "
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS t(p, c), generate_series(1, t.c)",
                        [ids.tolist(), rows.tolist()])
            cur.execute("CREATE UNIQUE INDEX ON m360_slots (slot)")
            cur.execute("ANALYZE m360_slots")
            cur.execute(f"INSERT INTO {table} ({cols}) {select} "
                        f"FROM generate_series(0::bigint, {need - 1}) AS g(i) "
                        f"JOIN m360_slots s ON s.slot = (g.i * {mult}) % {need}")
            cur.execute("DROP TABLE m360_slots")
        else:
            cur.execute("CREATE TEMP TABLE m360_counts (person_id INTEGER, n INTEGER)")
            cur.executemany("INSERT INTO m360_counts VALUES (%s, %s)",
                            list(zip(ids.tolist(), rows.tolist(), strict=True)))
            cur.execute("CREATE TEMP TABLE m360_slots (slot INTEGER PRIMARY KEY, person_id INTEGER)")
            cur.execute(f"WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k "
                        f"WHERE j < {int(rows.max())}) INSERT INTO m360_slots (person_id) "
                        "SELECT c.person_id FROM m360_counts c JOIN k ON k.j <= c.n")
            cur.execute(f"WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g "
                        f"WHERE i < {need - 1}) INSERT INTO {table} ({cols}) {select} "
                        f"FROM g JOIN m360_slots s ON s.slot = (g.i * {mult}) % {need} + 1")
            cur.execute("DROP TABLE m360_slots")
            cur.execute("DROP TABLE m360_counts")
        say(f"  rows written in {time.perf_counter() - started:.0f}s"
            + ("; rebuilding indexes…" if indexes else ""))
        if pg:  # run the deferred foreign-key checks now: indexes cannot be built over pending ones
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for ix in indexes:
            cur.execute(str(ix.create_sql(Activity, editor)))
        with scope(association=association):
            Source.objects.filter(pk=bench_source.pk).update(
                mapping={**bench_source.mapping, "bench_rows": base + need})
    with scope(association=association):
        landed = Activity.objects.count() - have
    if landed != need:
        raise RuntimeError(f"loaded {landed:,} activities instead of {need:,}")
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {table}")
        if pg and not connection.in_atomic_block:
            cur.execute(f"VACUUM {table}")  # the visibility map, for index-only scans
    say(f"  loaded {need:,} activities in {time.perf_counter() - started:.0f}s")
    return need
