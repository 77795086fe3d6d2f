"""What actors do, per feed, vectorised: each generator returns a polars frame of rows.

Row frame columns: ``actor`` (index into the chunk), ``kind_id`` (into ``KINDS``), ``ts``
(UTC epoch seconds), ``amount`` (cents, null when none), ``quantity``, ``offering`` (name,
null when none), ``sku`` (store line items) and ``meta`` (the inside of a JSON object).
Day-by-day channels draw a Poisson count per actor from ``level × season × affinity`` and
place the events on days by inverse-CDF sampling over each actor's row.
"""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import polars as pl

from .actors import AXIS_NAMES, Actors
from .calendar import Campaign, Occasion, Window

# (source key, kind, category): every kind the seed writes.
KINDS: list[tuple[str, str, str]] = [
    ("website", "page_view", "web"), ("website", "download", "knowledge"),
    ("website", "form_submit", "advocacy"), ("website", "sign_up", "web"),
    ("social", "social_like", "social"), ("social", "social_share", "social"),
    ("social", "social_comment", "social"), ("social", "social_mention", "social"),
    ("social", "social_follow", "social"),
    ("forum", "forum_reply", "community"), ("forum", "forum_topic", "community"),
    ("forum", "forum_answer", "community"),
    ("store", "order_line", "commerce"),
    ("lms", "course_completed", "learning"),
    ("events", "event_checkin", "community"), ("events", "event_checkin", "advocacy"),
    ("events", "event_checkin", "learning"), ("events", "volunteer_shift", "volunteering"),
    ("email", "email_sent", "marketing"), ("email", "email_open", "marketing"),
    ("email", "email_click", "marketing"), ("email", "email_bounce", "marketing"),
    ("email", "email_unsubscribe", "marketing"),
]
K = {(s, k, c): i for i, (s, k, c) in enumerate(KINDS)}
KIND_OF = {(s, k): i for i, (s, k, c) in reversed(list(enumerate(KINDS)))}
AX = {name: i for i, name in enumerate(AXIS_NAMES)}
OCCASION_BOOST = 1.8  # calibrates events and courses to about 3 and 1.5 per member in two years
OFFERING_CATEGORY = {"learning": "learning", "knowledge": "knowledge", "community": "community",
                     "advocacy": "advocacy"}

MEMBER_PAGES = (("/", 10), ("/members/dashboard", 8), ("/events", 6), ("/events/annual-conference", 4),
                ("/news", 6), ("/journal", 5), ("/learn", 5), ("/learn/webinars", 3),
                ("/learn/certification", 2), ("/careers/jobs", 6), ("/community/forum", 5),
                ("/chapters", 3), ("/advocacy", 2), ("/membership/renew", 2), ("/store", 2),
                ("/about", 1), ("/research", 3), ("/search", 4))
DOWNLOADS = (("/journal/latest-issue.pdf", "Journal of Practice", 5),
             ("/research/briefs/latest.pdf", "Research Briefs", 4),
             ("/research/salary-survey.pdf", "Annual Salary Survey", 2),
             ("/standards/handbook-chapter.pdf", "Standards Handbook", 2),
             ("/toolkits/practice-toolkit.pdf", None, 2))
ADVOCACY_FORMS = (("/advocacy/act", "Contact your legislator", "Policy Action Center", 5),
                  ("/advocacy/petition", "Sign the petition", "Policy Action Center", 3),
                  ("/advocacy/pledge", "Take the pledge", "Public Awareness Campaign", 2))
SOCIAL = (("social_like", .52), ("social_share", .15), ("social_comment", .16),
          ("social_mention", .1), ("social_follow", .07))
PLATFORMS = ("linkedin", "linkedin", "linkedin", "x", "facebook")
FORUM = (("forum_reply", .6), ("forum_topic", .25), ("forum_answer", .15))
FORUMS = ("Career advice", "Clinical practice", "Research corner", "Policy and advocacy",
          "Students and new professionals", "Chapters", "Off topic")
STORE_ITEMS = (("Standards Handbook", "standards-handbook", None, 4),
               ("Journal of Practice", "journal-subscription", None, 2),
               ("Annual Salary Survey", "salary-survey", None, 2),
               ("Society tote bag", "merch-tote", Decimal("18.00"), 2),
               ("Enamel pin", "merch-pin", Decimal("8.00"), 1),
               ("Practice guide bundle", "guide-bundle", Decimal("39.00"), 2))
SELF_PACED = (("Ethics Refresher (CE)", "Ethics Refresher (CE)", 2.0, 4),
              ("Self-paced module: Documentation essentials", None, 1.0, 3),
              ("Self-paced module: Data privacy", None, 1.0, 3))


def rows_frame(actor, kind_id, ts, meta: pl.Series, *, amount=None, quantity=None, offering=None,
           sku=None) -> pl.DataFrame:
    n = len(actor)
    return pl.DataFrame({
        "actor": pl.Series(actor, dtype=pl.Int32),
        "kind_id": pl.Series(np.broadcast_to(kind_id, n), dtype=pl.Int16),
        "ts": pl.Series(ts, dtype=pl.Int64),
        "amount": pl.Series(amount, dtype=pl.Int64) if amount is not None else _nulls(n, pl.Int64),
        "quantity": pl.Series(quantity if quantity is not None else np.ones(n), dtype=pl.Float64),
        "offering": pl.Series(offering, dtype=pl.Utf8) if offering is not None else _nulls(n, pl.Utf8),
        "sku": pl.Series(sku, dtype=pl.Utf8) if sku is not None else _nulls(n, pl.Utf8),
        "meta": meta,
    })


def _nulls(n: int, dtype) -> pl.Series:
    return pl.repeat(None, n, dtype=dtype, eager=True)


def empty() -> pl.DataFrame:
    return rows_frame(np.zeros(0, np.int64), 0, np.zeros(0, np.int64), pl.Series([], dtype=pl.Utf8))


def pick_rows(options: list[str] | tuple, idx: np.ndarray) -> pl.Series:
    return pl.Series(list(options), dtype=pl.Utf8).gather(pl.Series(idx, dtype=pl.UInt32))


def choose(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n), side="right").clip(0, len(w) - 1)


def sample_days(rng: np.random.Generator, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected events per actor per day (n, D) → (actor, day) of Poisson-drawn events."""
    n, D = weights.shape
    totals = weights.sum(axis=1)
    counts = rng.poisson(totals)
    actor = np.repeat(np.arange(n), counts)
    if not len(actor):
        return actor, actor
    cum = np.cumsum(weights, axis=1)
    cum /= np.where(totals > 0, totals, 1.0)[:, None]
    cum[:, -1] = 1.0
    cum += np.arange(n)[:, None]
    pos = np.searchsorted(cum.ravel(), rng.random(len(actor)) + actor, side="right")
    return actor, np.clip(pos - actor * D, 0, D - 1)


def _daily(rng, a: Actors, w: Window, season: str, rate: float, axis: str,
           member_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    per_actor = rate * a.affinity[:, AX[axis]] / w.D
    weights = a.level.astype(np.float64) * w.season(season)[None, :] * per_actor[:, None]
    if member_only:
        weights *= a.member
    return sample_days(rng, weights)


def _money(value: Decimal | str) -> int:
    return int(Decimal(value) * 100)


def web(rng, a: Actors, w: Window, scale: float, base_url: str) -> pl.DataFrame:
    """Sessions of a few page views, office-hours heavy, spiking before the conference."""
    actor, day = _daily(rng, a, w, "web", 35 * scale, "general")
    pages = rng.geometric(0.42, len(actor))
    if not len(actor):
        return empty()
    start = w.midnight[day] + w.hours(rng, day, "web")
    actor, start = np.repeat(actor, pages), np.repeat(start, pages)
    step = rng.exponential(70, len(actor)).astype(np.int64) + 5
    cs = np.cumsum(step)
    within = cs - np.repeat(cs[np.r_[0, np.cumsum(pages)[:-1]]], pages)  # 0 for a session's first page
    paths, weights = zip(*MEMBER_PAGES, strict=True)
    metas = [f'"page":{json.dumps(base_url + p)}' for p in paths]
    return rows_frame(actor, K["website", "page_view", "web"], start + within,
                  pick_rows(metas, choose(rng, weights, len(actor))))


def downloads(rng, a: Actors, w: Window, scale: float, base_url: str) -> pl.DataFrame:
    actor, day = _daily(rng, a, w, "knowledge", 10 * scale, "know")
    idx = choose(rng, [x[2] for x in DOWNLOADS], len(actor))
    metas = [f'"page":{json.dumps(base_url + p)}' for p, _o, _w in DOWNLOADS]
    offerings = [o for _p, o, _w in DOWNLOADS]
    return rows_frame(actor, K["website", "download", "knowledge"],
                  w.midnight[day] + w.hours(rng, day, "web"), pick_rows(metas, idx),
                  offering=pick_rows(offerings, idx))


def advocacy(rng, a: Actors, w: Window, scale: float, base_url: str) -> pl.DataFrame:
    actor, day = _daily(rng, a, w, "advocacy", 2.5 * scale, "advocate")
    idx = choose(rng, [x[3] for x in ADVOCACY_FORMS], len(actor))
    metas = [f'"page":{json.dumps(base_url + p)},"form":{json.dumps(f)}' for p, f, _o, _w in ADVOCACY_FORMS]
    return rows_frame(actor, K["website", "form_submit", "advocacy"],
                  w.midnight[day] + w.hours(rng, day, "evening"), pick_rows(metas, idx),
                  offering=pick_rows([x[2] for x in ADVOCACY_FORMS], idx))


def social(rng, a: Actors, w: Window, scale: float) -> pl.DataFrame:
    actor, day = _daily(rng, a, w, "social", 11.5 * scale, "social")
    kind = choose(rng, [p for _k, p in SOCIAL], len(actor))
    kind_ids = np.array([K["social", k, "social"] for k, _p in SOCIAL])[kind]
    platform = choose(rng, [1] * len(PLATFORMS), len(actor))
    # The association posts about once a day: people react to that day's post.
    post = pl.Series(w.ordinal0 + day, dtype=pl.Int64).cast(pl.Utf8)
    meta = pl.concat_str([pick_rows([f'"platform":"{p}","post":"https://social.example.com/{p}/posts/'
                                 for p in PLATFORMS], platform), post, pl.lit('"')], separator="")
    frame = rows_frame(actor, 0, w.midnight[day] + w.hours(rng, day, "social"),
                   pl.select(meta).to_series())
    return frame.with_columns(kind_id=pl.Series(kind_ids, dtype=pl.Int16))


def forum(rng, a: Actors, w: Window, scale: float) -> pl.DataFrame:
    actor, day = _daily(rng, a, w, "forum", 9.5 * scale, "forum", member_only=True)
    kind = choose(rng, [p for _k, p in FORUM], len(actor))
    kind_ids = np.array([K["forum", k, "community"] for k, _p in FORUM])[kind]
    topic = choose(rng, [5, 4, 3, 2, 2, 1, 1], len(actor))
    thread = pl.Series(10000 + (w.ordinal0 + day) // 3 * 7 + rng.integers(0, 7, len(actor)),
                       dtype=pl.Int64).cast(pl.Utf8)
    meta = pl.concat_str([pick_rows([f'"forum":{json.dumps(f)},"thread":"t' for f in FORUMS], topic),
                          thread, pl.lit('"')], separator="")
    frame = rows_frame(actor, 0, w.midnight[day] + w.hours(rng, day, "evening"), pl.select(meta).to_series(),
                   offering=pl.Series(["Online Member Forum"] * len(actor), dtype=pl.Utf8))
    return frame.with_columns(kind_id=pl.Series(kind_ids, dtype=pl.Int16))


def store(rng, a: Actors, w: Window, scale: float, prices: dict[str, tuple[Decimal, Decimal]]
          ) -> pl.DataFrame:
    """Publications and merchandise; registrations are ordered with their occasions."""
    actor, day = _daily(rng, a, w, "store", 1.6 * scale, "know")
    idx = choose(rng, [x[3] for x in STORE_ITEMS], len(actor))
    is_member = a.member[actor, day]
    member_cents = np.array([_money(p or prices[o][0]) for o, _s, p, _w in STORE_ITEMS])
    other_cents = np.array([_money(p or prices[o][1]) for o, _s, p, _w in STORE_ITEMS])
    cents = np.where(is_member, member_cents[idx], other_cents[idx])
    return _order_frame(actor, w.midnight[day] + w.hours(rng, day, "evening"), cents,
                        [o for o, _s, _p, _w in STORE_ITEMS], [s for _o, s, _p, _w in STORE_ITEMS], idx,
                        offerings=[o if p is None else None for o, _s, p, _w in STORE_ITEMS])


def _order_frame(actor, ts, cents, items, skus, idx, *, offerings) -> pl.DataFrame:
    total = pl.Series(cents, dtype=pl.Int64)
    total_text = (total // 100).cast(pl.Utf8) + "." + (total % 100).cast(pl.Utf8).str.zfill(2)
    meta = pl.concat_str([pick_rows([f'"item":{json.dumps(i)},"financial_status":"paid","order_total":"'
                                 for i in items], idx), total_text, pl.lit('"')], separator="")
    return rows_frame(actor, K["store", "order_line", "commerce"], ts, pl.select(meta).to_series(),
                  amount=cents, offering=pick_rows(offerings, idx), sku=pick_rows(skus, idx))


def self_paced(rng, a: Actors, w: Window, scale: float) -> pl.DataFrame:
    actor, day = _daily(rng, a, w, "ce", 2.0 * scale, "learn", member_only=True)
    idx = choose(rng, [x[3] for x in SELF_PACED], len(actor))
    score = pl.Series(np.clip(rng.normal(84, 8, len(actor)), 50, 100).astype(np.int64)).cast(pl.Utf8)
    meta = pl.concat_str([pick_rows([f'"course":{json.dumps(c)},"score":"' for c, *_ in SELF_PACED], idx),
                          score, pl.lit('"')], separator="")
    return rows_frame(actor, K["lms", "course_completed", "learning"],
                  w.midnight[day] + w.hours(rng, day, "evening"), pl.select(meta).to_series(),
                  quantity=np.array([x[2] for x in SELF_PACED])[idx],
                  offering=pick_rows([x[1] for x in SELF_PACED], idx))


def occasions(rng, a: Actors, w: Window, scale: float, calendar: list[Occasion],
              offerings: dict[str, tuple[str, Decimal, Decimal]]) -> list[pl.DataFrame]:
    """Check-ins, volunteer shifts, course completions and the registration orders before them."""
    out: list[pl.DataFrame] = []
    give = a.affinity[:, AX["give"]]
    for o in calendar:
        d = min(o.day, w.D - 1)
        eligible = a.member[:, d].copy()
        if o.prospects:
            eligible |= a.subscribed <= d
        if o.chapter >= 0:
            eligible &= a.chapter == o.chapter
        who = np.flatnonzero(eligible)
        p = np.clip(OCCASION_BOOST * o.p * scale * a.level[who, d] * a.affinity[who, AX[o.axis]], 0, 0.9)
        if o.source == "lms" and o.order_lead:
            p = np.clip(p / 0.8, 0, 0.95)  # enrol: a fifth do not finish
        who = who[rng.random(len(who)) < p]
        if not len(who):
            continue
        category, member_price, other_price = offerings[o.offering]
        if o.order_lead:
            order_day = np.maximum(0, d - rng.integers(3, o.order_lead + 1, len(who)))
            is_member = a.member[who, order_day]
            cents = np.where(is_member, _money(member_price), _money(other_price))
            paid = cents > 0
            if paid.any():
                out.append(_order_frame(who[paid], w.midnight[order_day[paid]] + w.hours(
                    rng, order_day[paid], "evening"), cents[paid], [o.title], [o.code],
                    np.zeros(paid.sum(), dtype=np.int64), offerings=[o.offering]))
        ticket = np.where(a.member[who, d], "Member", "Non-member")
        if o.source == "lms":
            if o.order_lead:
                who = who[rng.random(len(who)) < 0.8]
            day = np.clip(d - rng.integers(0, o.spread + 1, len(who)), 0, w.D - 1)
            at = w.midnight[day] + (o.hour * 3600 + rng.normal(0, 5400 if o.spread else 600,
                                                                len(who))).astype(np.int64)
            score = pl.Series(np.clip(rng.normal(80, 9, len(who)) + 6 * (a.affinity[who, AX["learn"]] - 1),
                                      50, 100).astype(np.int64)).cast(pl.Utf8)
            meta = pl.select(pl.concat_str([pl.lit(f'"course":{json.dumps(o.title)},"score":"'), score,
                                            pl.lit('"')], separator="")).to_series()
            out.append(rows_frame(who, K["lms", "course_completed", "learning"], at, meta,
                              quantity=np.full(len(who), o.credits),
                              offering=pl.Series([o.offering] * len(who), dtype=pl.Utf8)))
            continue
        kind_id = K["events", "event_checkin", OFFERING_CATEGORY[category]]
        volunteer = rng.random(len(who)) < np.clip(0.15 * give[who], 0, 0.6)
        if o.axis == "mentee":  # mentors give their time: a volunteer shift, not a seat
            volunteer = rng.random(len(who)) < give[who] / (give[who] + a.affinity[who, AX["mentee"]])
        attended = [np.ones(len(who), dtype=bool)]
        for k in range(1, o.days):
            attended.append(attended[-1] & (rng.random(len(who)) < 0.55 + 0.4 * np.minimum(
                a.level[who, d], 1.0)) & (d + k < w.D))
        for k, present in enumerate(attended):
            rows = who[present]
            at = w.midnight[np.minimum(d + k, w.D - 1)] + (o.hour * 3600 + rng.exponential(
                1500, len(rows))).astype(np.int64) - 1200
            vol = volunteer[present]
            types = np.where(vol, "Volunteer" if o.axis != "mentee" else "Mentor", ticket[present])
            meta = pl.select(pl.concat_str([
                pl.lit(f'"event":{json.dumps(o.title)},"session":"Day {k + 1}","ticket_type":"'),
                pl.Series(types, dtype=pl.Utf8), pl.lit('"')], separator="")).to_series()
            frame = rows_frame(rows, kind_id, at, meta,
                           offering=pl.Series([o.offering] * len(rows), dtype=pl.Utf8))
            kinds = np.where(vol, K["events", "volunteer_shift", "volunteering"], kind_id)
            out.append(frame.with_columns(kind_id=pl.Series(kinds, dtype=pl.Int16)))
    return out


def emails(rng, a: Actors, w: Window, scale: float, campaigns: list[Campaign], base_url: str
           ) -> list[pl.DataFrame]:
    """Dated sends to segments; opens and clicks follow the send, driven by the day's level."""
    n = len(a)
    out: list[pl.DataFrame] = []
    gone = np.zeros(n, dtype=bool)  # unsubscribed
    learn, advocate = a.affinity[:, AX["learn"]], a.affinity[:, AX["advocate"]]
    sample = min(1.0, scale)
    for c in campaigns:
        d = c.day
        member = a.member[:, d]
        prospect = (a.subscribed <= d) & ~member
        if c.segment == "all":
            seg = member | prospect
        elif c.segment == "learners":
            seg = (member | prospect) & (learn > 1.0)
        elif c.segment == "advocates":
            seg = member & (advocate > 1.0)
        elif c.segment == "lapsed":
            seg = a.lapsed[:, d]
        elif c.segment == "new":
            seg = member & (a.joined < d) & (a.joined >= d - 35)
        else:
            seg = prospect
        to = np.flatnonzero(seg & ~gone & (rng.random(n) < sample))
        if not len(to):
            continue
        sent = w.midnight[d] + int(c.hour * 3600) + rng.integers(0, 1200, len(to))
        level = np.minimum(a.level[to, d], 1.6)
        bounce = rng.random(len(to)) < 0.012
        opened = ~bounce & (rng.random(len(to)) < np.clip((0.05 + 0.42 * level) * c.appeal, 0, 0.92))
        clicked = opened & (rng.random(len(to)) < np.clip((0.08 + 0.2 * level) * c.appeal, 0, 0.8))
        unsub = opened & ~clicked & (rng.random(len(to)) < 0.004 + 0.03 * np.maximum(0, 0.5 - level))
        gone[to[unsub]] = True
        open_at = sent + np.minimum(rng.exponential(3 * 3600, len(to)), 4 * 86400).astype(np.int64) + 30
        click_at = open_at + rng.exponential(90, len(to)).astype(np.int64) + 3
        base = f'"campaign":{json.dumps(c.name)}'
        meta = pl.Series([base], dtype=pl.Utf8)
        click_meta = pl.Series([f'{base},"url":{json.dumps(base_url + c.url)}'], dtype=pl.Utf8)
        for kind, mask, at, m in (("email_sent", np.ones(len(to), bool), sent, meta),
                                  ("email_bounce", bounce, sent + 60, meta),
                                  ("email_open", opened, open_at, meta),
                                  ("email_click", clicked, click_at, click_meta),
                                  ("email_unsubscribe", unsub, click_at + 20, meta)):
            if mask.any():
                count = int(mask.sum())
                out.append(rows_frame(to[mask], K["email", kind, "marketing"], at[mask],
                                  m.gather(np.zeros(count, dtype=np.uint32))))
    return out
