"""Two years of activity from every feed, driven by the seed's hidden member profiles (D3).

``seed_activity`` runs inside the seed's transaction after people and memberships are
written. It creates one ``Source`` per shipped profile (with that profile's mapping),
prospects (people without a membership) and, chunk by chunk of members, generates
activities with numpy/polars and writes them in bulk. Deterministic for a given seed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import polars as pl
from django.db import connection

from commonground.activity.models import Identity
from commonground.core import bulk
from commonground.core.normalise import email_key
from commonground.membership.models import Offering
from commonground.people.models import Person
from commonground.tenancy.models import Association, AuditEntry

from . import channels as ch
from . import visitors as vis
from .actors import Actors, MemberFacts, member_actors
from .calendar import Window
from .write import SOURCES, activities_write, indexes_deferred, sources_create

__all__ = ["ActivitySeedResult", "MemberFacts", "seed_activity"]

CHUNK = 5000  # members generated and written together (bounded memory)
ID_KEYS = {"website": "user_id", "store": "customer_id", "lms": "learner_id", "forum": "author_id",
           "events": "attendee_id", "social": "handle"}
SOURCE_KEYS = list(SOURCES)
KIND_SOURCE = np.array([SOURCE_KEYS.index(s) for s, _k, _c in ch.KINDS], dtype=np.int64)
CONVERTING_SHARE = 0.45  # members who joined in the window after browsing anonymously
ANONYMOUS_PER_MEMBER = 0.9  # visitors who never identify


@dataclass
class ActivitySeedResult:
    activities: int = 0
    unmatched: int = 0
    identities: int = 0
    prospects: int = 0
    seconds: float = 0.0
    by_source: dict[str, int] = field(default_factory=dict)
    truth_rows: list[dict] = field(default_factory=list)


class _Writer:
    """Turns generator frames into activity rows: ids, identities, per-feed external ids."""

    def __init__(self, association: Association, sources: dict, offerings: dict[str, int]) -> None:
        self.association = association
        self.source_ids = pl.Series([sources[k].pk for k in SOURCE_KEYS], dtype=pl.Int64)
        self.offerings = offerings
        self.counters = dict.fromkeys(SOURCE_KEYS, 0)
        self.identities: list[tuple[int, str, int | None, str, int]] = []
        self.result = ActivitySeedResult(by_source=dict.fromkeys(SOURCE_KEYS, 0))
        self.unmatched = dict.fromkeys(SOURCE_KEYS, 0)
        self.write_seconds = 0.0
        self.sqlite = association is not None and _vendor() == "sqlite"

    def write(self, frames: list[pl.DataFrame], *, person_id: np.ndarray, keys: list[str] | None,
              codes: dict[str, list[str]]) -> int:
        frames = [f for f in frames if f.height]
        if not frames:
            return 0
        frame = pl.concat(frames, how="vertical")
        n = len(person_id)
        frame = frame.sort(["ts", "actor", "kind_id"], maintain_order=True)
        frame = frame.with_columns(src=pl.Series(KIND_SOURCE, dtype=pl.Int64).gather(frame["kind_id"]))
        # The id each feed knows the actor by, as a metadata fragment (flat lookup: src × actor).
        fragments = [""] * (len(SOURCE_KEYS) * n)
        for key, values in codes.items():
            s = SOURCE_KEYS.index(key)
            name = ID_KEYS[key] if keys is None or key != "website" else "visitor_id"
            fragments[s * n:(s + 1) * n] = [f'"{name}":"{v}"' if v else "" for v in values]
        frag = pl.Series(fragments, dtype=pl.Utf8).gather(frame["src"] * n + frame["actor"])
        seq = frame.select(pl.int_range(pl.len()).over("src").alias("seq"))["seq"] + pl.Series(
            [self.counters[k] for k in SOURCE_KEYS], dtype=pl.Int64).gather(frame["src"])
        for s, count in frame.group_by("src").len().iter_rows():
            self.counters[SOURCE_KEYS[s]] += count
            self.result.by_source[SOURCE_KEYS[s]] += count
        store = SOURCE_KEYS.index("store")
        prefixes = pl.Series([SOURCES[k][3] for k in SOURCE_KEYS], dtype=pl.Utf8)
        pids = pl.Series(person_id, dtype=pl.Int64).gather(frame["actor"])
        anon = (pl.Series(keys, dtype=pl.Utf8).gather(frame["actor"]) if keys is not None
                else pl.Series([""] * frame.height, dtype=pl.Utf8))
        ts_text = pl.from_epoch(pl.col("ts"), time_unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
        cents = pl.col("amount")
        out = frame.with_columns(frag=frag, seq=seq, pid=pids, anon=anon).with_columns(
            association_id=pl.lit(self.association.pk, dtype=pl.Int64),
            person_id=pl.when(pl.col("pid") > 0).then(pl.col("pid")),
            anonymous_key=pl.when(pl.col("pid") > 0).then(pl.lit("")).otherwise(pl.col("anon")),
            source_id=self.source_ids.gather(frame["src"]),
            kind=pl.Series([k for _s, k, _c in ch.KINDS], dtype=pl.Utf8).gather(frame["kind_id"]),
            category=pl.Series([c for _s, _k, c in ch.KINDS], dtype=pl.Utf8).gather(frame["kind_id"]),
            occurred_at=ts_text if self.sqlite else ts_text + "+00",
            quantity=pl.col("quantity"),
            amount=pl.when(cents.is_not_null()).then(
                (cents // 100).cast(pl.Utf8) + "." + (cents % 100).cast(pl.Utf8).str.zfill(2)),
            currency=pl.when(cents.is_not_null()).then(pl.lit(self.association.currency))
            .otherwise(pl.lit("")),
            offering_id=pl.col("offering").replace_strict(self.offerings, default=None,
                                                          return_dtype=pl.Int64),
            order=pl.when(pl.col("src") == store).then(
                pl.lit('"order":"#') + (pl.col("seq") + 100001).cast(pl.Utf8) + pl.lit('"')),
        ).with_columns(
            metadata=pl.concat_str([pl.lit("{"), pl.concat_list(["order", "frag", "meta"]).list.eval(
                pl.element().filter(pl.element().is_not_null() & (pl.element() != ""))).list.join(","),
                pl.lit("}")]),
            external_id=pl.when(pl.col("src") == store).then(
                pl.lit("#") + (pl.col("seq") + 100001).cast(pl.Utf8) + ":" + pl.col("sku"))
            .otherwise(prefixes.gather(frame["src"]) + pl.col("seq").cast(pl.Utf8).str.zfill(9)),
        )
        t0 = time.perf_counter()
        written = activities_write(out)
        self.write_seconds += time.perf_counter() - t0
        self.result.activities += written
        self.result.unmatched += int(out["person_id"].null_count())
        for s, count in out.filter(pl.col("person_id").is_null()).group_by("src").len().iter_rows():
            self.unmatched[SOURCE_KEYS[s]] += count
        # Identities: each person once per feed that knows them by its own id.
        known = (out.filter(pl.col("person_id").is_not_null() & (pl.col("frag") != "")
                            & (pl.col("src") != SOURCE_KEYS.index("email")))
                 .group_by("src", "actor").agg(pl.col("person_id").first(), pl.col("ts").min()))
        for s, a, pid, ts in known.sort("src", "actor").iter_rows():
            key = SOURCE_KEYS[s]
            if key == "website" and keys is not None:
                continue  # visitor ids, linked as anonymous identities by the caller
            self.identities.append((pid, "ext", s, codes[key][a], ts))
        return written


def _vendor() -> str:
    return connection.vendor


def _handles(emails: list[str], taken: set[str]) -> list[str]:
    out = []
    for email in emails:
        base = "@" + re.sub(r"[^a-z0-9]+", "_", email.split("@")[0].lower()).strip("_")[:20]
        handle, n = base, 2
        while handle in taken:
            handle, n = f"{base}{n}", n + 1
        taken.add(handle)
        out.append(handle)
    return out


def seed_activity(*, association: Association, facts: MemberFacts, seed: int, today: date,
                  per_member: float = 100.0, first_names: list[str], last_names: list[str],
                  emails_seen: set[str], say: Callable[[str], None] = lambda _m: None
                  ) -> ActivitySeedResult:
    """Generate and write the activity stream; returns counts and the prospects' ground truth."""
    started = time.perf_counter()
    scale = per_member / 100.0
    w = Window(today, association.time_zone)
    base_url = f"https://www.{association.slug}.example.org"
    sources = sources_create(association)
    catalogue = list(Offering.objects.all())
    offering_ids = {o.name: o.pk for o in catalogue}
    prices = {o.name: (o.price_for(is_member=True), o.price_for(is_member=False)) for o in catalogue}
    offering_info = {o.name: (o.category, *prices[o.name]) for o in catalogue}
    calendar = w.occasions(sorted({c for c in facts.chapter if c >= 0}))
    campaigns = w.campaigns()
    writer = _Writer(association, sources, offering_ids)
    taken: set[str] = set()
    members = len(facts)

    def generate(rng: np.random.Generator, a: Actors, *, only: tuple[str, ...] | None = None
                 ) -> list[pl.DataFrame]:
        def want(name: str) -> bool:
            return only is None or name in only

        frames: list[pl.DataFrame] = []
        if want("web"):
            frames += [ch.web(rng, a, w, scale, base_url), ch.downloads(rng, a, w, scale, base_url),
                       ch.advocacy(rng, a, w, scale, base_url)]
        if want("social"):
            frames.append(ch.social(rng, a, w, scale))
        if want("forum"):
            frames.append(ch.forum(rng, a, w, scale))
        if want("store"):
            frames.append(ch.store(rng, a, w, scale, prices))
        if want("learning"):
            frames.append(ch.self_paced(rng, a, w, scale))
        if want("occasions"):
            frames += ch.occasions(rng, a, w, scale, calendar, offering_info)
        if want("email"):
            frames += ch.emails(rng, a, w, scale, campaigns, base_url)
        return frames

    # ---- members, chunk by chunk
    deferred = ExitStack()  # closed once every activity is in (an error rolls it all back)
    deferred.enter_context(indexes_deferred(round(members * per_member)))
    spans = np.asarray(facts.spans, dtype=np.int64).reshape(-1, 3)
    fades = np.asarray(facts.fades, dtype=np.int64).reshape(-1, 3)
    for chunk, lo in enumerate(range(0, members, CHUNK)):
        hi = min(members, lo + CHUNK)
        rng = np.random.default_rng([seed, 0xAC7, chunk])
        a = member_actors(facts, lo, hi, w, spans, fades)
        numbers = facts.number[lo:hi]
        codes = {"website": [f"M{100000 + i}" for i in numbers],
                 "store": [f"C{500000 + i}" for i in numbers],
                 "lms": [f"L{80000 + i}" for i in numbers],
                 "forum": [f"u{20000 + i}" for i in numbers],
                 "events": [f"A{300000 + i}" for i in numbers],
                 "social": _handles(facts.email[lo:hi], taken)}
        writer.write(generate(rng, a), person_id=a.person_id, keys=None, codes=codes)
        say(f"activity: members {hi}/{members}, {writer.result.activities} activities "
            f"({time.perf_counter() - started:.1f}s)")

    # ---- prospects (new people), newsletter-only addresses and store guests
    rng = np.random.default_rng([seed, 0xAC7, 10 ** 6])
    out = vis.outsiders(rng, w, members=members, first_number=members, first_names=first_names,
                        last_names=last_names, emails_seen=emails_seen)
    pids = _prospects_write(association, out.prospect_people, w)
    out.prospects.person_id = np.asarray(pids, dtype=np.int64)
    p_numbers = out.prospects.index.tolist()
    p_codes = {"website": [f"W{900000 + i - members}" for i in p_numbers],
               "store": [f"C{500000 + i}" for i in p_numbers], "lms": [f"L{80000 + i}" for i in p_numbers],
               "events": [f"A{300000 + i}" for i in p_numbers],
               "social": _handles([p["email"] for p in out.prospect_people], taken)}
    writer.write(generate(rng, out.prospects, only=("web", "social", "store", "occasions", "email")),
                 person_id=out.prospects.person_id, keys=None, codes=p_codes)
    writer.write(generate(rng, out.subscribers, only=("email",)), person_id=out.subscribers.person_id,
                 keys=out.subscribers.keys, codes={})
    writer.write(generate(rng, out.guests, only=("store",)), person_id=out.guests.person_id,
                 keys=out.guests.keys, codes={"store": [k.split(":", 1)[1] for k in out.guests.keys]})

    # ---- anonymous browsing: converting members and prospects first, then strangers
    joined = np.asarray(facts.joined, dtype=np.int64) - w.ordinal0
    candidates = np.flatnonzero((joined >= 3) & (joined < w.D))
    converting = candidates[rng.random(len(candidates)) < CONVERTING_SHARE]
    anchors = np.r_[joined[converting], out.prospects.subscribed].astype(np.int64)
    who = np.r_[np.asarray(facts.person_id, dtype=np.int64)[converting], out.prospects.person_id]
    n_conv = len(converting)
    first_seen = w.midnight[np.clip(anchors - 30, 0, w.D - 1)]
    vids = vis.visitor_ids(first_seen, 0, seed)
    pre = vis.browse(rng, w, anchors, 1 + rng.poisson(2.5, len(anchors)), backward=True, gap_days=12,
                     base_url=base_url)
    ident_member = vis.identified(rng, w, anchors[:n_conv], prospects=False, base_url=base_url)
    ident_prospect = vis.identified(rng, w, anchors[n_conv:], prospects=True, base_url=base_url)
    ident_prospect = ident_prospect.with_columns(pl.col("actor") + n_conv)
    # Collected anonymously, so they carry the visitor id (not a login) although attached.
    writer.write([pre, ident_member, ident_prospect], person_id=who, keys=[""] * len(who),
                 codes={"website": vids})
    linked_at = (w.midnight[anchors] + 12 * 3600).tolist()  # linked when they identified
    writer.identities += [(p, "anon", None, v, t)
                          for p, v, t in zip(who.tolist(), vids, linked_at, strict=True)]

    n_anon = max(5, round(members * ANONYMOUS_PER_MEMBER * min(1.0, scale)))
    season = w.season("web")
    first = ch.choose(rng, season, n_anon)
    anon_ids = vis.visitor_ids(w.midnight[first], len(vids), seed)
    strangers = vis.browse(rng, w, first, rng.geometric(0.55, n_anon), backward=False, gap_days=25,
                           base_url=base_url)
    writer.write([strangers], person_id=np.zeros(n_anon, dtype=np.int64),
                 keys=[f"anon:{v}" for v in anon_ids], codes={"website": anon_ids})

    t0 = time.perf_counter()
    deferred.close()
    say(f"activity: indexed in {time.perf_counter() - t0:.1f}s")

    # ---- identities and feed health
    table = bulk.Table(Identity, ["association_id", "person_id", "kind", "source_id", "value",
                                  "created_at"])
    source_pk = [sources[k].pk for k in SOURCE_KEYS]
    for pid, kind, s, value, ts in writer.identities:
        table.add(association.pk, pid, kind, None if s is None else source_pk[s], value,
                  datetime.fromtimestamp(ts, UTC))
    writer.result.identities = bulk.write(table)
    _sources_health(sources, writer, w)
    writer.result.prospects = len(pids)
    writer.result.truth_rows = [
        {"person_id": pid, "email": p["email"], "kind": "prospect",
         "prospect_interest": round(float(i), 4), "identified_on": w.dates[p["since"]].isoformat(),
         "anonymous_visitor": 1}
        for pid, p, i in zip(pids, out.prospect_people, out.prospect_interest.tolist(), strict=True)]
    writer.result.seconds = time.perf_counter() - started
    say(f"activity: {writer.result.activities} activities ({writer.result.unmatched} unmatched), "
        f"{writer.result.identities} identities, {len(pids)} prospects, {n_conv} converted visitors "
        f"in {writer.result.seconds:.1f}s (writing {writer.write_seconds:.1f}s)")
    return writer.result


def _prospects_write(association: Association, people: list[dict], w: Window) -> list[int]:
    """Prospects as people (no membership), written like the seed writes members."""
    aid = association.pk
    t_person = bulk.Table(Person, [
        "association_id", "first_name", "last_name", "email", "email_key", "phone", "address_line1",
        "address_line2", "city", "region", "postal_code", "country", "chapter_id", "custom",
        "external_id", "user_id", "search_text", "created_at", "updated_at", "erased_at"])
    hist = ["id", "first_name", "last_name", "email", "email_key", "phone", "address_line1",
            "address_line2", "city", "region", "postal_code", "country", "custom", "external_id",
            "created_at", "erased_at", "association_id", "chapter_id", "user_id", "history_date",
            "history_change_reason", "history_type", "history_user_id"]
    t_hist = bulk.Table(Person.history.model, hist, id_column="history_id")
    t_audit = bulk.Table(AuditEntry, ["association_id", "actor_id", "action", "object_type", "object_id",
                                      "data", "created_at"])
    blank = ("",) * 7  # phone and address: a newsletter sign-up gives a name and an email
    ids = []
    for p in people:
        at = datetime.fromtimestamp(int(w.midnight[p["since"]]) + 13 * 3600, UTC)
        first, last, email = p["first_name"], p["last_name"], p["email"]
        key = email_key(email)
        pid = t_person.add(aid, first, last, email, key, *blank, None, {}, "", None,
                           Person.make_search_text(first, last, email), at, at, None)
        t_hist.add(pid, first, last, email, key, *blank, {}, "", at, None, aid, None, None, at, None,
                   "+", None)
        t_audit.add(aid, None, "person.created", "person", pid, {"source": "newsletter sign-up"}, at)
        ids.append(pid)
    for table in (t_person, t_hist, t_audit):
        bulk.write(table)
    return ids


def _sources_health(sources: dict, writer: _Writer, w: Window) -> None:
    """Feed health as the ingestion keeps it: rows landed and unmatched, last fed yesterday."""
    fed = datetime.fromtimestamp(int(w.midnight[-1]) + 86399, UTC)
    for key, source in sources.items():
        source.rows_landed, source.rows_unmatched = writer.result.by_source[key], writer.unmatched[key]
        source.last_fed_at = fed
        source.save(update_fields=["rows_landed", "rows_unmatched", "last_fed_at"])
