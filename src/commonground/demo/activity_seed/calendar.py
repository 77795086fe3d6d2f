"""The two-year activity window: days, seasonality, dated occasions and email campaigns.

All behaviour is laid out in the association's local time (a US society: New York time when
the association itself says UTC) and stored in UTC, so hour-of-day and weekday patterns look
right on a local dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import numpy as np

WINDOW_DAYS = 730
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Local hour-of-day weights (0..23): office hours with a lunch dip and an evening bump.
HOURS = {
    "web": ([1, .5, .3, .2, .2, .4, 1.2, 3, 5.5, 7, 7.5, 6.5, 5, 6, 6.5, 6, 5, 4, 3.5, 4, 4.5, 4, 3, 1.8],
            [1.5, .8, .4, .3, .3, .4, .8, 1.5, 2.5, 3.5, 4.2, 4.5, 4.2, 4, 3.8, 3.6, 3.5, 3.6, 4, 4.5, 4.6,
             4, 3, 2]),
    "social": ([.8, .4, .2, .2, .3, .8, 2.5, 5, 5.5, 4, 3.5, 4, 5.5, 4.5, 3.5, 3.5, 4, 5, 5.5, 6, 6, 5, 3.5,
                1.8],
               [1.2, .7, .3, .2, .2, .4, 1, 2, 3.5, 4.5, 5, 5, 4.5, 4, 3.8, 3.8, 4, 4.5, 5, 5.5, 5.5, 4.5,
                3, 1.8]),
    "evening": ([.6, .3, .1, .1, .1, .2, .6, 1.5, 2.5, 3, 3, 3, 4, 3.5, 3, 3, 3, 3.5, 4.5, 6, 7, 6.5, 4, 1.5],
                [.8, .4, .2, .1, .1, .2, .5, 1, 2, 3, 3.5, 4, 4, 4, 3.8, 3.5, 3.5, 3.8, 4.5, 5.5, 6, 5,
                 3.5, 1.5]),
}
WEEKDAY = {"web": (1.0, 1.05, 1.0, .95, .85, .45, .5), "social": (1.0, 1.0, 1.0, 1.0, .95, .7, .7),
           "forum": (1.0, 1.0, 1.0, 1.0, .9, .55, .6), "store": (1.0, 1.0, 1.0, 1.0, 1.05, .8, .8),
           "flat": (1.0,) * 7}
MONTH = {"web": (1.1, 1.05, 1.05, 1.0, 1.15, .9, .75, .8, 1.1, 1.1, 1.0, .7),
         "store": (.9, .9, 1.0, 1.0, 1.2, .9, .8, .8, 1.0, 1.0, 1.2, 1.4),
         "ce": (1.3, 1.0, 1.0, 1.0, .9, .8, .7, .7, .9, 1.1, 1.4, 2.2),  # year-end CE deadlines
         "flat": (1.0,) * 12}


@dataclass(frozen=True)
class Occasion:
    """A dated event or course run: people take part with a probability drawn per person."""

    code: str  # stable id used in external ids ("conf-2025")
    title: str  # "Annual Conference 2025"
    offering: str  # catalogue offering name
    source: str  # "events" or "lms"
    axis: str  # interest axis that drives taking part
    day: int  # first (or completion) day index in the window
    days: int = 1  # multi-day events: one check-in per day attended
    hour: float = 9.0  # local start hour
    spread: int = 0  # completions spread over this many days before ``day``
    p: float = 0.05  # base probability for a fully engaged member with affinity 1
    chapter: int = -1  # chapter meetups: only that chapter's members
    order_lead: int = 0  # days before ``day`` the registration order is placed (0: none)
    credits: float = 0.0  # CE credits for course completions
    prospects: bool = False  # non-members take part too


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    day: int
    hour: float
    segment: str  # members / all / learners / advocates / lapsed / new / prospects
    appeal: float = 1.0  # open-rate multiplier
    url: str = "/"


class Window:
    """Days ``start`` .. ``start + D - 1`` (the last is the day before ``today``)."""

    def __init__(self, today: date, time_zone: str, days: int = WINDOW_DAYS) -> None:
        zone = ZoneInfo(time_zone if time_zone and time_zone != "UTC" else "America/New_York")
        # End before the zone's own today: west of UTC, the server's today can still be
        # tomorrow there, and that last day's activity would lie in the future.
        today = min(today, datetime.now(zone).date())
        self.today = today
        self.D = days
        self.start = today - timedelta(days=days)
        self.dates = [self.start + timedelta(days=i) for i in range(days)]
        self.zone = zone
        ordinals = np.array([d.toordinal() for d in self.dates], dtype=np.int64)
        self.ordinal0 = int(ordinals[0])
        offsets = np.array([int(datetime.combine(d, dtime(12), tzinfo=zone).utcoffset().total_seconds())
                            for d in self.dates], dtype=np.int64)
        # UTC epoch seconds of each local midnight (DST changes at 2 am are ignored).
        self.midnight = (ordinals - EPOCH_ORDINAL) * 86400 - offsets
        self.weekday = np.array([d.weekday() for d in self.dates], dtype=np.int8)
        self.month = np.array([d.month for d in self.dates], dtype=np.int8)
        self.weekend = self.weekday >= 5
        self.hour_cum = {k: (np.cumsum(wd) / sum(wd), np.cumsum(we) / sum(we))
                         for k, (wd, we) in HOURS.items()}
        self.conferences = [self._nth_weekday(y, 5, 1, 2) for y in self._years()]
        self.hill_days = [self._nth_weekday(y, 3, 2, 3) for y in self._years()]
        self._seasons: dict[str, np.ndarray] = {}

    # ---- helpers
    def _years(self) -> range:
        return range(self.start.year, self.today.year + 1)

    def _nth_weekday(self, year: int, month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def index(self, day: date) -> int:
        return day.toordinal() - self.ordinal0

    def inside(self, day: date) -> bool:
        return 0 <= self.index(day) < self.D

    def hours(self, rng: np.random.Generator, days: np.ndarray, profile: str) -> np.ndarray:
        """Local seconds after midnight, drawn from the profile's weekday/weekend hour curve."""
        weekday_cum, weekend_cum = self.hour_cum[profile]
        u = rng.random(len(days))
        h = np.where(self.weekend[days], np.searchsorted(weekend_cum, u, side="right"),
                     np.searchsorted(weekday_cum, u, side="right"))
        return np.minimum(h, 23) * 3600 + rng.integers(0, 3600, len(days))

    # ---- seasonality (mean 1 over the window)
    def season(self, kind: str) -> np.ndarray:
        if kind not in self._seasons:
            self._seasons[kind] = self._season(kind)
        return self._seasons[kind]

    def _season(self, kind: str) -> np.ndarray:
        key = {"forum": "web", "social": "web"}.get(kind, kind)
        s = np.asarray(WEEKDAY.get(kind, WEEKDAY["flat"]))[self.weekday] * \
            np.asarray(MONTH.get(key, MONTH["flat"]))[self.month - 1]
        s = s * (1.0 + 0.1 * np.arange(self.D) / 365)  # the site and the audience grow
        spike = {"web": (2.5, 1.6), "social": (6.0, 1.4), "store": (1.5, 1.8), "forum": (2.0, 1.3),
                 "advocacy": (1.0, 1.0), "knowledge": (1.5, 1.2)}.get(kind)
        if spike:
            on, before = spike
            for conf in self.conferences:
                c = self.index(conf)
                lo = max(0, c - 60)
                if c + 3 <= 0 or lo >= self.D:
                    continue
                ramp = np.arange(lo, min(c, self.D))
                s[ramp] *= 1 + (before - 1) * np.exp(-(c - ramp) / 14)
                s[max(0, c):min(self.D, c + 3)] *= on
        if kind == "advocacy":
            for hill in self.hill_days:  # action alerts before Hill Day and in the autumn
                for alert in (hill - timedelta(days=21), hill, date(hill.year, 10, 1)):
                    a = self.index(alert)
                    s[max(0, a):max(0, min(self.D, a + 4))] *= 8
        if kind == "knowledge":
            for y in self._years():  # the journal's quarterly issues
                for m in (1, 4, 7, 10):
                    a = self.index(date(y, m, 15))
                    s[max(0, a):max(0, min(self.D, a + 7))] *= 2.5
        return s / s.mean()

    # ---- the calendar
    def occasions(self, chapters: list[int]) -> list[Occasion]:
        out: list[Occasion] = []
        add = out.append
        for conf in self.conferences:
            if self.inside(conf):
                add(Occasion(f"conf-{conf.year}", f"Annual Conference {conf.year}", "Annual Conference",
                             "events", "network", self.index(conf), days=3, hour=8.0, p=0.16,
                             order_lead=75, prospects=True))
        for hill in self.hill_days:
            if self.inside(hill):
                add(Occasion(f"hill-{hill.year}", f"Capitol Hill Day {hill.year}", "Capitol Hill Day",
                             "events", "advocate", self.index(hill), hour=8.5, p=0.05, order_lead=40))
        months = [(y, m) for y in self._years() for m in range(1, 13)]
        for y, m in months:
            first = date(y, m, 1)
            if m not in (7, 8, 12):
                for k, chapter in enumerate(chapters):
                    day = self._nth_weekday(y, m, 3, 1 + k % 3)
                    if self.inside(day):
                        add(Occasion(f"meet-{chapter}-{y}{m:02d}", f"Chapter meetup {first:%B %Y}",
                                     "Regional Chapter Meetups", "events", "network", self.index(day),
                                     hour=18.0, p=0.045, chapter=chapter))
            webinar = self._nth_weekday(y, m, 2, 2)
            if self.inside(webinar):
                topic = WEBINAR_TOPICS[(y * 12 + m) % len(WEBINAR_TOPICS)]
                add(Occasion(f"web-{y}{m:02d}", f"Webinar: {topic}", "Continuing Education Webinars",
                             "lms", "learn", self.index(webinar), hour=14.0, p=0.05, order_lead=10,
                             credits=1.0, prospects=True))
            if m in (2, 5, 8, 11):
                day = self._nth_weekday(y, m, 0, 2)
                if self.inside(day):
                    add(Occasion(f"mentor-{y}{m:02d}", f"Peer mentoring circle {first:%B %Y}",
                                 "Peer Mentoring Circles", "events", "mentee", self.index(day),
                                 hour=12.0, p=0.06))
            if m in (1, 4, 7, 10):
                day = self._nth_weekday(y, m, 3, 3)
                if self.inside(day):
                    add(Occasion(f"brief-{y}{m:02d}", f"Industry council briefing {first:%B %Y}",
                                 "Industry Council Briefings", "events", "insider", self.index(day),
                                 hour=8.0, p=0.03))
            if m in (4, 11):  # certification prep terms end in April and November
                end = date(y, m, 30)
                if self.inside(end):
                    term = "Spring" if m == 4 else "Fall"
                    add(Occasion(f"cert-{y}{term[0]}", f"Certification Prep, {term} {y}",
                                 "Certification Prep Course", "lms", "career", self.index(end),
                                 spread=25, hour=19.0, p=0.025, order_lead=80, credits=24.0,
                                 prospects=True))
            if m == 6:
                grad = self._nth_weekday(y, 6, 4, 2)
                if self.inside(grad):
                    add(Occasion(f"lead-{y}", f"Leadership Academy {y}", "Leadership Academy", "lms",
                                 "lead", self.index(grad), hour=16.0, p=0.012, order_lead=160,
                                 credits=30.0))
        return out

    def campaigns(self) -> list[Campaign]:
        out: list[Campaign] = []
        for y in self._years():
            for m in range(1, 13):
                first = date(y, m, 1)
                nl = self._nth_weekday(y, m, 1, 1)
                if self.inside(nl):
                    out.append(Campaign(f"nl-{y}{m:02d}", f"{first:%B %Y} newsletter", self.index(nl),
                                        10.0, "all", 1.0, "/news"))
                welcome = date(y, m, 3)
                if self.inside(welcome):
                    out.append(Campaign(f"welcome-{y}{m:02d}", f"Welcome to the society ({first:%B %Y})",
                                        self.index(welcome), 9.0, "new", 1.8, "/members/start"))
                if m % 2 == 0 and self.inside(date(y, m, 15)):
                    out.append(Campaign(f"nurture-{y}{m:02d}", f"Why join? ({first:%B %Y})",
                                        self.index(date(y, m, 15)), 11.0, "prospects", 1.1, "/join"))
                if m in (2, 5, 8, 11) and self.inside(date(y, m, 20)):
                    out.append(Campaign(f"winback-{y}{m:02d}", f"We miss you ({first:%B %Y})",
                                        self.index(date(y, m, 20)), 10.0, "lapsed", 0.7, "/renew"))
                if m in (1, 4, 7, 10) and self.inside(date(y, m, 6)):
                    out.append(Campaign(f"webinars-{y}{m:02d}", f"Webinar series ({first:%B %Y})",
                                        self.index(date(y, m, 6)), 13.0, "learners", 1.1, "/learn/webinars"))
                if m in (1, 8) and self.inside(date(y, m, 10)):
                    out.append(Campaign(f"cert-{y}{m:02d}", f"Certification prep: enrol now ({first:%B %Y})",
                                        self.index(date(y, m, 10)), 9.5, "learners", 1.2,
                                        "/learn/certification"))
        for conf in self.conferences:
            for lead, label, code in ((70, "early bird", "eb"), (21, "last call", "lc")):
                day = conf - timedelta(days=lead)
                if self.inside(day):
                    out.append(Campaign(f"conf-{conf.year}-{code}", f"Annual Conference {conf.year}: "
                                        f"{label}", self.index(day), 10.0, "all", 1.3,
                                        "/events/annual-conference"))
        for hill in self.hill_days:
            day = hill - timedelta(days=30)
            if self.inside(day):
                out.append(Campaign(f"hill-{hill.year}", f"Capitol Hill Day {hill.year}: sign up",
                                    self.index(day), 10.0, "advocates", 1.3, "/advocacy/hill-day"))
        out.sort(key=lambda c: (c.day, c.hour, c.code))
        return out


WEBINAR_TOPICS = ("Ethics in daily practice", "Data for practitioners", "Negotiating your salary",
                  "Leading small teams", "New standards explained", "Writing for the journal",
                  "Grant funding basics", "Policy update", "Managing burnout",
                  "Digital tools for practice", "Mentoring well", "Presenting with confidence")
