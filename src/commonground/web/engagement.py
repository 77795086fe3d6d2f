"""The Engagement dashboard's figures and charts (D4): it reads several apps, so it lives in web.

Every figure is read inside the request's tenant scope and cached briefly per association
(like the main dashboard): each summarises the whole membership. The charts go through
``core.charts``, so each has its data table and CSV.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django_scopes import get_scope

from commonground.activity.models import Activity
from commonground.core import charts
from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.membership import lifecycle
from commonground.membership.models import Membership
from commonground.opportunities.models import Invitation, Opportunity, OpportunityType
from commonground.people.models import Person
from commonground.scoring import selectors as score_selectors
from commonground.scoring.models import Score
from commonground.tenancy.clock import association_today, association_zone

CACHE_SECONDS = 120
STRONG = 4  # a motivation rated (or inferred) 4 or 5 of 5
QUIET_DAYS = 90  # "little activity": fewer than QUIET_MAX activities in this many days
QUIET_MAX = 3
NOT_ACTIVITY = ("marketing",)  # emails sent to people are not something they did
SOURCE_RANK = {"member": 0, "staff": 1, "inferred": 2}  # the member's own answer wins
TOP = 10
BAND = 25  # the quadrant's cells: a quarter of each sub-score, so the split at 50 is a cell edge
SPLIT = 50  # where "high" starts on either sub-score


@dataclass
class Untapped:
    person_id: int
    name: str
    motivation: str
    strength: int
    source: str
    recent: int


@dataclass
class EngagementFigures:
    motivations: list[tuple[str, str]] = field(default_factory=list)  # (slug, name) in order
    stated_top: dict[str, int] = field(default_factory=dict)
    inferred_top: dict[str, int] = field(default_factory=dict)
    agree_top: dict[str, int] = field(default_factory=dict)
    stated_people: int = 0
    inferred_people: int = 0
    both_people: int = 0
    both_agree: int = 0
    strong: dict[str, int] = field(default_factory=dict)
    untapped: dict[str, int] = field(default_factory=dict)
    untapped_people: list[Untapped] = field(default_factory=list)
    untapped_total: int = 0
    top_contributors: list[tuple[int, str, int, int, Decimal]] = field(default_factory=list)
    waiting: int = 0
    score_bands: list[tuple[str, int]] = field(default_factory=list)
    quadrant: list[tuple[int, int, int]] = field(default_factory=list)
    levels: list[tuple[str, int]] = field(default_factory=list)
    scored: int = 0
    # (type label, open, filled, closed, invited, accepted, completed) per opportunity type
    opportunities: list[tuple[str, int, int, int, int, int, int]] = field(default_factory=list)


def engagement_figures(*, today: date | None = None) -> EngagementFigures:
    """The dashboard's figures for the association in scope, cached briefly."""
    association = get_scope().get("association")
    today = today or association_today(association)
    key = f"engagement-dashboard:{getattr(association, 'pk', None)}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures(association, today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _figures(association, today: date) -> EngagementFigures:
    f = EngagementFigures()
    f.motivations = list(Trait.objects.filter(kind="motivation", is_active=True)
                         .order_by("order", "name").values_list("slug", "name"))
    _motivations(f)
    _untapped(f, association, today)
    _contributors(f, today)
    _scores(f, association)
    _opportunities(f)
    return f


def _opportunities(f: EngagementFigures) -> None:
    """Opportunities by type: open, filled and closed ones, and where their invitations are."""
    status = Counter(Opportunity.objects.values_list("type", "status"))
    answers = Counter(Invitation.objects.values_list("opportunity__type", "status"))
    f.opportunities = [
        (label, status[t, "open"], status[t, "filled"], status[t, "closed"],
         sum(answers[t, s] for s in ("invited", "accepted", "declined", "completed")),
         answers[t, "accepted"] + answers[t, "completed"], answers[t, "completed"])
        for t, label in OpportunityType.choices
        if any(status[t, s] for s in ("open", "filled", "closed"))]


def _scores(f: EngagementFigures, association) -> None:
    """Current members' engagement scores: by ten points of the total, in the derived ×
    created grid (cells of ``BAND``), and by level."""
    live = Membership.objects.filter(status__in=list(lifecycle.LIVE), person__isnull=False) \
        .values("person_id")
    bands, cells, levels = Counter(), Counter(), Counter()
    for total, derived, created, level in Score.objects.filter(person_id__in=live).values_list(
            "total", "derived", "created", "level").iterator(chunk_size=5000):
        bands[min(int(total // 10), 9)] += 1
        cells[(_cell(derived), _cell(created))] += 1
        levels[level] += 1
    f.scored = sum(bands.values())
    f.score_bands = [(f"{b * 10}–{b * 10 + 9 if b < 9 else 100}", bands.get(b, 0)) for b in range(10)]
    f.quadrant = [(d, c, n) for (d, c), n in sorted(cells.items())]
    names = score_selectors.level_names(association)
    f.levels = [(name, levels.get(i, 0)) for i, name in enumerate(names)]


def _cell(value: float) -> int:
    return min(int(value // BAND), 100 // BAND - 1) * BAND


def _tops(rows) -> dict[int, tuple[str, int]]:
    """person → (slug, strength) of their strongest motivation (ties: taxonomy order)."""
    out: dict[int, tuple[str, int]] = {}
    for pid, slug, strength in rows:
        if pid not in out or strength > out[pid][1]:
            out[pid] = (slug, strength)
    return out


def _motivations(f: EngagementFigures) -> None:
    """Stated (the survey) against inferred (the activity stream) top motivations."""
    base = MemberTrait.objects.filter(trait__kind="motivation", trait__is_active=True).order_by(
        "person_id", "trait__order", "trait__name")
    stated = _tops(base.filter(source="member").values_list("person_id", "trait__slug", "strength"))
    inferred = _tops(base.filter(source="inferred").values_list("person_id", "trait__slug",
                                                                "strength"))
    f.stated_top = Counter(slug for slug, _s in stated.values())
    f.inferred_top = Counter(slug for slug, _s in inferred.values())
    both = stated.keys() & inferred.keys()
    f.agree_top = Counter(stated[p][0] for p in both if stated[p][0] == inferred[p][0])
    f.stated_people, f.inferred_people, f.both_people = len(stated), len(inferred), len(both)
    f.both_agree = sum(f.agree_top.values())


def _untapped(f: EngagementFigures, association, today: date) -> None:
    """Current members with a strong motivation (their effective answer: member > staff >
    inferred) and little activity lately and no contribution this year: people to invite."""
    current = set(Membership.objects.filter(status__in=list(lifecycle.LIVE), person__isnull=False)
                  .values_list("person_id", flat=True))
    effective: dict[tuple[int, str], tuple[int, int, str]] = {}
    for pid, slug, source, strength in MemberTrait.objects.filter(
            trait__kind="motivation", trait__is_active=True).values_list(
            "person_id", "trait__slug", "source", "strength"):
        if pid not in current:
            continue
        rank = SOURCE_RANK.get(source, 9)
        held = effective.get((pid, slug))
        if held is None or rank < held[0]:
            effective[(pid, slug)] = (rank, strength, source)
    strongest: dict[int, tuple[str, int, str]] = {}
    for (pid, slug), (_rank, strength, source) in effective.items():
        if strength >= STRONG and (pid not in strongest or strength > strongest[pid][1]):
            strongest[pid] = (slug, strength, source)
    since = datetime.combine(today - timedelta(days=QUIET_DAYS), time.min,
                             tzinfo=association_zone(association))
    recent = dict(Activity.objects.filter(person__isnull=False, occurred_at__gte=since)
                  .exclude(category__in=NOT_ACTIVITY).values_list("person_id")
                  .annotate(n=Count("id")).order_by())
    gave = set(Contribution.objects.filter(status="verified",
                                           occurred_on__gte=today - timedelta(days=365))
               .values_list("person_id", flat=True))
    strong, untapped = Counter(), Counter()
    chosen: list[tuple[int, int, str, str, int]] = []
    for pid, (slug, strength, source) in strongest.items():
        strong[slug] += 1
        n = recent.get(pid, 0)
        if n < QUIET_MAX and pid not in gave:
            untapped[slug] += 1
            chosen.append((-strength, n, slug, source, pid))
    f.strong, f.untapped, f.untapped_total = strong, untapped, sum(untapped.values())
    chosen.sort()
    names = {p.pk: str(p) for p in Person.objects.filter(pk__in=[c[-1] for c in chosen[:TOP * 2]])}
    labels = dict(f.motivations)
    f.untapped_people = [Untapped(pid, names.get(pid, f"#{pid}"), labels.get(slug, slug), -neg, source, n)
                         for neg, n, slug, source, pid in chosen[:TOP * 2]]


def _contributors(f: EngagementFigures, today: date) -> None:
    """The members with the most verified contributions in the last twelve months."""
    year = Contribution.objects.filter(status="verified", occurred_on__gt=today - timedelta(days=365))
    top = list(year.values("person_id").annotate(n=Count("id"), kinds=Count("kind", distinct=True),
                                                 hours=Sum("hours"), last=Max("occurred_on"))
               .order_by("-n", "-kinds", "-last", "person_id")[:TOP])
    names = {p.pk: str(p) for p in Person.objects.filter(pk__in=[r["person_id"] for r in top])}
    f.top_contributors = [(r["person_id"], names.get(r["person_id"], f"#{r['person_id']}"), r["n"],
                           r["kinds"], r["hours"] or Decimal(0)) for r in top]
    f.waiting = Contribution.objects.filter(status="submitted").count()


# ---- charts


def short(name: str) -> str:
    """An axis label: "Career advancement and leadership" → "Career advancement"."""
    return name.split(" and ")[0].split(" to ")[0]


def motivations_chart(f: EngagementFigures) -> charts.Chart:
    rows = [(short(name), f.stated_top.get(slug, 0), f.inferred_top.get(slug, 0),
             f.agree_top.get(slug, 0)) for slug, name in f.motivations]
    share = f"{f.both_agree / f.both_people * 100:.0f}%" if f.both_people else "no one yet"
    return charts.bar(
        "motivations", title="Top motivation: stated and inferred",
        description=(f"For each motivation, side by side: how many members name it as their "
                     f"strongest in the survey ({f.stated_people} answered) and how many the "
                     f"activity stream suggests it for ({f.inferred_people} inferred). Of the "
                     f"{f.both_people} with both, {share} agree."),
        x=charts.Column("motivation", "Motivation", "text"),
        series=[charts.Column("stated", "Stated (survey)", colour="#0b5cad"),
                charts.Column("inferred", "Inferred (activity)", colour="#c05621")],
        extra=[charts.Column("agree", "Both, agreeing")],
        rows=rows, stacked=False, width=900, height=240, filename="motivations-stated-inferred.csv")


def untapped_chart(f: EngagementFigures) -> charts.Chart:
    rows = [(short(name), f.untapped.get(slug, 0), f.strong.get(slug, 0) - f.untapped.get(slug, 0),
             f.strong.get(slug, 0)) for slug, name in f.motivations]
    return charts.bar(
        "untapped", title="Untapped: strong motivation, little activity",
        description=(f"Current members whose strongest motivation is rated {STRONG} or 5 of 5, by "
                     f"motivation: at the bottom those with fewer than {QUIET_MAX} activities in "
                     f"{QUIET_DAYS} days and no verified contribution this year "
                     f"({f.untapped_total} in all), on top the others."),
        x=charts.Column("motivation", "Motivation", "text"),
        series=[charts.Column("untapped", "Untapped", colour="#9b2c2c"),
                charts.Column("active", "Active", colour="#2f855a")],
        extra=[charts.Column("strong", "Strongly motivated")],
        rows=rows, width=900, height=220, filename="untapped-members.csv")


def contributors_chart(f: EngagementFigures) -> charts.Chart:
    rows = [(name, n, kinds, hours) for _pid, name, n, kinds, hours in f.top_contributors]
    return charts.bar(
        "top-contributors", title="Top contributors, last 12 months",
        description=(f"The {len(rows)} members with the most verified contributions in the last "
                     "twelve months, one bar each; kinds and hours are in the data table."),
        x=charts.Column("member", "Member", "text"),
        series=[charts.Column("contributions", "Verified contributions", colour="#6b46c1")],
        extra=[charts.Column("kinds", "Kinds"), charts.Column("hours", "Hours", "decimal", places=1)],
        rows=rows, width=900, height=220, filename="top-contributors.csv")


def quadrant_counts(cells: list[tuple[int, int, int]]) -> dict[str, int]:
    """Members per quadrant from (derived band, created band, members) cells."""
    out = Counter()
    for d, c, n in cells:
        out[("high" if d >= SPLIT else "low", "high" if c >= SPLIT else "low")] += n
    return {"champions": out["high", "high"], "givers": out["low", "high"],
            "takers": out["high", "low"], "quiet": out["low", "low"]}


def quadrant_chart(cells: list[tuple[int, int, int]]) -> charts.Chart:
    """Value derived against value created, members binned in cells of ``BAND`` points."""
    q = quadrant_counts(cells)
    return charts.Chart(
        name="quadrant", title="Value derived and value created",
        description=(f"Each circle is a cell of {BAND} points of the derived (across) and the "
                     f"created (up) sub-score, its size the members in it; dashed lines at "
                     f"{SPLIT} split the quadrants: {q['champions']} members get and give a lot, "
                     f"{q['givers']} give more than they get, {q['takers']} get more than they "
                     f"give, {q['quiet']} do little of either."),
        columns=(charts.Column("derived", "Value derived from"),
                 charts.Column("created", "Value created from"),
                 charts.Column("members", "Members")),
        rows=cells, spec="commonground.web.chart_specs.quadrant",
        options={"x": "derived", "y": "created", "n": "members", "band": BAND, "split": SPLIT,
                 "x_title": "Value derived (what they get)",
                 "y_title": "Value created (what they give)"},
        width=460, height=460, responsive=False, filename="derived-created-quadrant.csv")


def score_distribution_chart(bands: list[tuple[str, int]]) -> charts.Chart:
    """Members per band of ten points of the total score, from (band label, members) rows."""
    total = sum(n for _b, n in bands)
    rows = [(label, n, Decimal(n) / total if total else None) for label, n in bands]
    peak = max(bands, key=lambda r: r[1])[0] if total else "none"
    return charts.bar(
        "score-distribution", title="Engagement score distribution",
        description=(f"Current members by total engagement score (0–100), one bar per ten "
                     f"points ({total} members); the most are in the {peak} band."),
        x=charts.Column("band", "Score", "text"),
        series=[charts.Column("members", "Members", colour="#0b7285")],
        extra=[charts.Column("share", "Share", "percent", places=1)],
        rows=rows, width=900, height=220, filename="score-distribution.csv")


def opportunities_chart(f: EngagementFigures) -> charts.Chart:
    rows = f.opportunities
    return charts.bar(
        "opportunities", title="Opportunities: open and filled",
        description=(f"Opportunities by type, stacked: open ({sum(r[1] for r in rows)}), filled "
                     f"({sum(r[2] for r in rows)}) and closed ({sum(r[3] for r in rows)}); the "
                     "invitations sent, accepted and completed for each type are in the table."),
        x=charts.Column("type", "Type", "text"),
        series=[charts.Column("open", "Open", colour="#0b5cad"),
                charts.Column("filled", "Filled", colour="#2f855a"),
                charts.Column("closed", "Closed", colour="#4a5568")],
        extra=[charts.Column("invited", "Invited"), charts.Column("accepted", "Accepted"),
               charts.Column("completed", "Completed")],
        rows=rows, width=900, height=200, filename="opportunities.csv")


def dashboard_charts(f: EngagementFigures) -> list[charts.Chart]:
    return [score_distribution_chart(f.score_bands), quadrant_chart(f.quadrant), motivations_chart(f),
            untapped_chart(f), contributors_chart(f), opportunities_chart(f)]


__all__ = ["EngagementFigures", "Untapped", "dashboard_charts", "engagement_figures"]
