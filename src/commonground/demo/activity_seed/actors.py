"""Who acts: the hidden member profiles turned into a day-by-day activity level.

``MemberFacts`` collects, while the seed simulates memberships, what the activity model
needs from each member's hidden profile (engagement and its drift, motivations, career
stage) and membership timeline (spans as a member, lapse and cancellation dates, including
the lapse still ahead when the drawn next decision is "does not renew"). ``Actors`` is a
chunk of people as arrays: ``level[i, d]`` is how active person ``i`` is on window day
``d`` — engaged members are several times as active as disengaged ones, activity fades
over the months before a lapse, and lapsed members only trickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from commonground.membership import lifecycle

from ..catalogue import CAREER_STAGES, MOTIVATIONS
from .calendar import Window

# Interest axes: weights over the motivations (catalogue.MOTIVATIONS order: business
# development, visibility, competence, career, belonging, insider access, giving back) and
# a multiplier per career stage (student, early, mid, senior, retired).
AXES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "general": ((.3, .3, .3, .3, .3, .3, .3), (1, 1, 1, 1, 1)),
    "network": ((.8, .7, 0, .2, 1, .3, .2), (.6, .9, 1.1, 1.1, .8)),
    "learn": ((0, .1, 1, .6, 0, .2, 0), (1.4, 1.3, 1, .7, .4)),
    "advocate": ((0, .2, 0, 0, .3, .4, 1), (.5, .8, 1, 1.2, 1.3)),
    "know": ((.3, .2, .7, .3, 0, 1, .1), (.8, 1, 1.1, 1.1, .8)),
    "social": ((.6, 1, 0, .4, .4, 0, .2), (1.3, 1.3, 1, .8, .4)),
    "forum": ((.2, .3, .5, .3, 1, .2, .4), (1, 1.1, 1, .9, .9)),
    "career": ((0, .2, .8, 1, 0, 0, 0), (2.5, 2, 1, .25, .05)),
    "lead": ((.3, .6, .4, .6, 0, .3, .2), (.05, .6, 2, 1.2, .1)),
    "mentee": ((0, .1, .6, 1, .4, 0, 0), (2, 2, .6, .1, 0)),
    "insider": ((1, .4, 0, 0, 0, 1, 0), (.1, .4, 1, 2, .5)),
    "give": ((0, 0, 0, 0, .4, 0, 1), (.5, .6, 1, 1.5, 2)),
}
AXIS_NAMES = tuple(AXES)
_W = np.array([w for w, _ in AXES.values()], dtype=np.float64).T  # (motivations, axes)
_STAGE = np.array([s for _, s in AXES.values()], dtype=np.float64).T  # (stages, axes)
# Normalise so an average profile has affinity about 1 on every axis.
_NORM = 0.25 + 2.2 * _W.sum(axis=0) / len(MOTIVATIONS)

DECLINE_DAYS_LAPSE = 150  # activity fades over about five months before a lapse
DECLINE_DAYS_CANCEL = 60
DECLINE_FLOOR = 0.15  # on the lapse date: this share of the usual level
ALUMNI_LEVEL = 0.06  # lapsed and cancelled members still visit now and then


def affinity(motivations: np.ndarray, stages: np.ndarray) -> np.ndarray:
    """(n, 7) motivation shares and (n,) stage indexes → (n, axes) interest multipliers."""
    return (0.25 + 2.2 * motivations @ _W) / _NORM * _STAGE[stages]


def activity_of(engagement: np.ndarray) -> np.ndarray:
    """Engagement (0..1) → activity multiplier: 0.2 at 0.2, 0.6 at 0.45, 1.4 at 0.8."""
    return 0.08 + 1.9 * engagement ** 1.6


@dataclass
class MemberFacts:
    """What the activity seed needs to know about each individual member, gathered in order."""

    person_id: list[int] = field(default_factory=list)
    number: list[int] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    chapter: list[int] = field(default_factory=list)
    stage: list[int] = field(default_factory=list)
    engagement: list[float] = field(default_factory=list)
    trend: list[float] = field(default_factory=list)
    motivations: list[tuple[float, ...]] = field(default_factory=list)
    joined: list[int] = field(default_factory=list)  # ordinal
    # Flat lists, member index first: membership spans and the dates activity fades toward.
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (member, start, end) ordinals
    fades: list[tuple[int, int, int]] = field(default_factory=list)  # (member, day, over days)

    def __len__(self) -> int:
        return len(self.person_id)

    def add(self, *, person_id: int, number: int, email: str, chapter_id: int | None, profile,
            joined_on: date, timeline, grace_days: int) -> None:
        k = len(self.person_id)
        self.person_id.append(person_id)
        self.number.append(number)
        self.email.append(email)
        self.chapter.append(chapter_id or -1)
        self.stage.append(CAREER_STAGES.index(profile.career_stage))
        self.engagement.append(profile.engagement)
        self.trend.append(profile.trend)
        self.motivations.append(tuple(profile.motivations[m] for m in MOTIVATIONS))
        self.joined.append(joined_on.toordinal())
        start = None
        for _from, _to, event, on in timeline.transitions:
            if event in ("joined", "reinstated"):
                start = on.toordinal()
            elif event in ("lapsed", "cancelled") and start is not None:
                self.spans.append((k, start, on.toordinal()))
                self.fades.append((k, on.toordinal(), DECLINE_DAYS_LAPSE if event == "lapsed"
                                   else DECLINE_DAYS_CANCEL))
                start = None
        if start is not None:
            self.spans.append((k, start, date.max.toordinal()))
            if timeline.next_renews is False and timeline.ends_on is not None:
                # The lapse still ahead: members who will not renew are already fading.
                ahead = lifecycle.lapse_date(timeline.ends_on, grace_days).toordinal()
                self.fades.append((k, ahead, DECLINE_DAYS_LAPSE))


@dataclass
class Actors:
    """A chunk of people (or unknown visitors/addresses) as arrays over the window's days."""

    group: str  # member / prospect / subscriber
    index: np.ndarray  # global number, for the ids feeds know them by
    person_id: np.ndarray  # int64, 0 = nobody (unmatched)
    keys: list[str] | None  # anonymous_key per actor when person_id is 0
    level: np.ndarray  # (n, D) float32
    member: np.ndarray  # (n, D) bool: a member that day (member prices, member mailings)
    lapsed: np.ndarray  # (n, D) bool: a former member that day
    subscribed: np.ndarray  # (n,) day index from which prospect mailings reach them
    joined: np.ndarray  # (n,) day index of the (latest) join, may be negative
    chapter: np.ndarray  # (n,) chapter id or -1
    affinity: np.ndarray  # (n, axes)
    handles: list[str] = field(default_factory=list)  # social handles

    def __len__(self) -> int:
        return len(self.index)


def member_actors(facts: MemberFacts, lo: int, hi: int, window: Window,
                  spans: np.ndarray, fades: np.ndarray) -> Actors:
    """Members ``lo``..``hi-1`` as actors. ``spans``/``fades`` are the facts' flat lists as arrays."""
    n, D = hi - lo, window.D
    days = np.arange(D, dtype=np.float32)
    e0 = np.asarray(facts.engagement[lo:hi], dtype=np.float32)[:, None]
    trend = np.asarray(facts.trend[lo:hi], dtype=np.float32)[:, None]
    joined = np.asarray(facts.joined[lo:hi], dtype=np.int64) - window.ordinal0
    engagement = np.clip(e0 + trend * (days[None, :] - joined[:, None]) / 365.25, 0.02, 0.98)
    level = activity_of(engagement).astype(np.float32)

    # Membership spans → a member-that-day mask (difference array, one cumsum).
    s = spans[(spans[:, 0] >= lo) & (spans[:, 0] < hi)]
    diff = np.zeros((n, D + 1), dtype=np.int16)
    a = np.clip(s[:, 1] - window.ordinal0, 0, D)
    b = np.clip(s[:, 2] - window.ordinal0, 0, D)
    np.add.at(diff, (s[:, 0] - lo, a), 1)
    np.add.at(diff, (s[:, 0] - lo, b), -1)
    member = np.cumsum(diff[:, :D], axis=1) > 0
    first_start = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_start, s[:, 0] - lo, s[:, 1] - window.ordinal0)
    lapsed = ~member & (days[None, :] >= first_start[:, None])

    # Fading toward each lapse: grouped so no member appears twice in one vector update.
    f = fades[(fades[:, 0] >= lo) & (fades[:, 0] < hi)]
    f = f[(f[:, 1] - window.ordinal0 > 0) & (f[:, 1] - f[:, 2] - window.ordinal0 < D)]
    rank = np.zeros(len(f), dtype=np.int64)
    if len(f):
        order = np.lexsort((f[:, 1], f[:, 0]))
        f = f[order]
        starts = np.r_[0, np.flatnonzero(np.diff(f[:, 0])) + 1]
        rank = np.arange(len(f)) - np.repeat(starts, np.diff(np.r_[starts, len(f)]))
    for r in range(int(rank.max()) + 1 if len(f) else 0):
        g = f[rank == r]
        rows = g[:, 0] - lo
        until = (g[:, 1] - window.ordinal0).astype(np.float32)[:, None]
        over = g[:, 2].astype(np.float32)[:, None]
        ramp = np.clip((until - days[None, :]) / over, 0, 1)
        fade = np.where(days[None, :] < until, DECLINE_FLOOR + (1 - DECLINE_FLOOR) * ramp, 1.0)
        level[rows] *= fade.astype(np.float32)

    level *= np.where(member, 1.0, np.where(lapsed, ALUMNI_LEVEL, 0.0)).astype(np.float32)
    motivations = np.asarray(facts.motivations[lo:hi], dtype=np.float64)
    stages = np.asarray(facts.stage[lo:hi], dtype=np.int64)
    latest_join = np.full(n, -10 ** 6, dtype=np.int64)
    np.maximum.at(latest_join, s[:, 0] - lo, s[:, 1] - window.ordinal0)
    return Actors(
        group="member", index=np.arange(lo, hi), person_id=np.asarray(facts.person_id[lo:hi]),
        keys=None, level=level, member=member, lapsed=lapsed,
        subscribed=np.full(n, D + 1), joined=latest_join,
        chapter=np.asarray(facts.chapter[lo:hi], dtype=np.int64),
        affinity=affinity(motivations, stages).astype(np.float32))
