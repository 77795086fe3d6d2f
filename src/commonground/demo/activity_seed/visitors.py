"""The people around the members: web visitors, prospects, newsletter-only subscribers, guests.

* Anonymous visitors browse a few public pages and stay in the unmatched queue
  (``anonymous_key="anon:<visitor id>"``).
* Converting visitors: a share of members who joined inside the window, and every prospect,
  browsed anonymously before they identified (joined, or signed up). Those visits are
  written attached to the person, with an ``Identity(kind="anon")`` for the visitor id — as
  linking the identity would have left them.
* Prospects are people with no membership: identified on a sign-up day, then active with a
  hidden interest that fades unless it is high.
* Subscribers are newsletter addresses nobody in the database has ("email:<address>"), and
  guests are store customers the store knows only by its own id ("ext:<customer id>").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..catalogue import CAREER_STAGE_P, EMAIL_DOMAINS, MOTIVATIONS
from .actors import Actors, affinity
from .calendar import Window
from .channels import K, choose, pick_rows, rows_frame

PUBLIC_PAGES = (("/", 20), ("/about", 6), ("/membership", 8), ("/join", 3), ("/events", 5),
                ("/events/annual-conference", 4), ("/journal", 3), ("/research", 3),
                ("/careers/jobs", 6), ("/learn/certification", 3), ("/news", 4), ("/search", 3))


def visitor_ids(first_ts: np.ndarray, start: int, salt: int) -> list[str]:
    """GA-style pseudo ids ("1234567890.1712345678"); the first part is a bijection of the
    visitor's number, so ids never collide."""
    k = np.arange(start, start + len(first_ts), dtype=np.int64)
    head = (k * 2654435761 + salt) % 8_999_999_999 + 1_000_000_000
    return [f"{h}.{t}" for h, t in zip(head.tolist(), first_ts.tolist(), strict=True)]


def browse(rng: np.random.Generator, w: Window, anchor: np.ndarray, sessions: np.ndarray, *,
           backward: bool, gap_days: float, base_url: str) -> pl.DataFrame:
    """Sessions of public page views per visitor: before ``anchor`` (the day they identified) or
    from it onwards. The first session is on the anchor day itself."""
    v = np.repeat(np.arange(len(anchor)), sessions)
    first = np.r_[0, np.cumsum(sessions)[:-1]]
    gaps = rng.exponential(gap_days, len(v)).astype(np.int64) + 1
    gaps[first] = 0
    if backward:
        day = anchor[v] - gaps
    else:
        cs = np.cumsum(gaps)
        day = anchor[v] + cs - np.repeat(cs[first], sessions)
    keep = (day >= 0) & (day < w.D)
    v, day = v[keep], day[keep]
    pages = rng.geometric(0.45, len(v))
    start = w.midnight[day] + w.hours(rng, day, "web")
    v, start = np.repeat(v, pages), np.repeat(start, pages)
    step = rng.exponential(60, len(v)).astype(np.int64) + 5
    cs = np.cumsum(step)
    offsets = cs - np.repeat(cs[np.r_[0, np.cumsum(pages)[:-1]]], pages) if len(v) else cs
    paths, weights = zip(*PUBLIC_PAGES, strict=True)
    metas = [f'"page":{json.dumps(base_url + p)}' for p in paths]
    return rows_frame(v, K["website", "page_view", "web"], start + offsets,
                  pick_rows(metas, choose(rng, weights, len(v))))


def identified(rng: np.random.Generator, w: Window, day: np.ndarray, *, prospects: bool,
               base_url: str) -> pl.DataFrame:
    """The moment a visitor identifies: the join page, or a newsletter/guide sign-up."""
    ts = w.midnight[day] + w.hours(rng, day, "web")
    if prospects:
        return rows_frame(np.arange(len(day)), K["website", "sign_up", "web"], ts, pl.Series(
            [f'"page":{json.dumps(base_url + "/newsletter/thanks")}'] * len(day), dtype=pl.Utf8))
    return rows_frame(np.arange(len(day)), K["website", "page_view", "web"], ts, pl.Series(
        [f'"page":{json.dumps(base_url + "/join/welcome")}'] * len(day), dtype=pl.Utf8))


@dataclass
class Outsiders:
    """People who are not (yet) members, drawn once per seed."""

    prospects: Actors
    prospect_people: list[dict]  # Person fields for the seed to write
    prospect_interest: np.ndarray
    subscribers: Actors
    guests: Actors


def _email_local(first: str, last: str) -> str:
    return f"{re.sub(r'[^a-z]', '', first.lower())}.{re.sub(r'[^a-z]', '', last.lower())}"


def outsiders(rng: np.random.Generator, w: Window, *, members: int, first_number: int,
              first_names: list[str], last_names: list[str], emails_seen: set[str]) -> Outsiders:
    D = w.D
    days = np.arange(D)

    def names(n: int, tag: str) -> tuple[list[tuple[str, str]], list[str]]:
        people, emails = [], []
        for i in range(n):
            first = first_names[int(rng.integers(len(first_names)))]
            last = last_names[int(rng.integers(len(last_names)))]
            domain = EMAIL_DOMAINS[int(rng.integers(len(EMAIL_DOMAINS)))]
            email = f"{_email_local(first, last)}.{tag}{i}@{domain}"
            while email in emails_seen:
                email = f"{_email_local(first, last)}.{tag}{i}x@{domain}"
            emails_seen.add(email)
            people.append((first, last))
            emails.append(email)
        return people, emails

    def stranger_affinity(n: int) -> np.ndarray:
        motivations = rng.gamma(0.7, 1.0, (n, len(MOTIVATIONS)))
        motivations /= motivations.sum(axis=1, keepdims=True)
        stages = choose(rng, CAREER_STAGE_P, n)
        return affinity(motivations, stages).astype(np.float32)

    # Prospects: identified on a sign-up day; interest fades unless it is high.
    n_p = max(3, round(members * 0.04))
    people, emails = names(n_p, "p")
    since = rng.integers(20, D - 5, n_p)
    interest = rng.beta(2.0, 3.0, n_p)
    age = days[None, :] - since[:, None]
    fade = np.exp(-np.maximum(age, 0) / (90 + 600 * interest[:, None]))
    level = np.where(age >= 0, (0.15 + 1.3 * interest[:, None]) * fade, 0).astype(np.float32)
    prospects = Actors(group="prospect", index=np.arange(first_number, first_number + n_p),
                       person_id=np.zeros(n_p, dtype=np.int64), keys=None, level=level,
                       member=np.zeros((n_p, D), bool), lapsed=np.zeros((n_p, D), bool),
                       subscribed=since, joined=np.full(n_p, -10 ** 6),
                       chapter=np.full(n_p, -1), affinity=stranger_affinity(n_p))
    prospect_people = [{"first_name": f, "last_name": la, "email": e, "since": int(s)}
                       for (f, la), e, s in zip(people, emails, since.tolist(), strict=True)]

    # Newsletter-only subscribers nobody has.
    n_s = max(3, round(members * 0.03))
    _people, addresses = names(n_s, "s")
    sub_since = rng.integers(0, D - 5, n_s)
    sub_level = np.where(days[None, :] >= sub_since[:, None], 0.2 + 0.7 * rng.random((n_s, 1)), 0)
    subscribers = Actors(group="subscriber", index=np.arange(n_s), person_id=np.zeros(n_s, np.int64),
                         keys=[f"email:{a}" for a in addresses], level=sub_level.astype(np.float32),
                         member=np.zeros((n_s, D), bool), lapsed=np.zeros((n_s, D), bool),
                         subscribed=sub_since, joined=np.full(n_s, -10 ** 6),
                         chapter=np.full(n_s, -1), affinity=stranger_affinity(n_s))

    # Guest customers of the store: a burst of interest around their first order.
    n_g = max(2, round(members * 0.02))
    g_first = rng.integers(0, D - 5, n_g)
    g_level = np.where(np.abs(days[None, :] - g_first[:, None]) < 45, 6.0, 0.0).astype(np.float32)
    guests = Actors(group="guest", index=np.arange(n_g), person_id=np.zeros(n_g, np.int64),
                    keys=[f"ext:G{300000 + i}" for i in range(n_g)], level=g_level,
                    member=np.zeros((n_g, D), bool), lapsed=np.zeros((n_g, D), bool),
                    subscribed=np.full(n_g, D + 1), joined=np.full(n_g, -10 ** 6),
                    chapter=np.full(n_g, -1), affinity=stranger_affinity(n_g))
    return Outsiders(prospects=prospects, prospect_people=prospect_people, prospect_interest=interest,
                     subscribers=subscribers, guests=guests)
