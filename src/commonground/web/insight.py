"""The Insight dashboard's figures and charts (D5): membership, lapse predictions and the
engagement score together, so it lives in web (it reads several apps).

Every figure is an aggregate over the whole association, read inside the request's scope
and cached briefly per association and day (like the other dashboards). Charts go through
``core.charts``, each with its data table and CSV. Predictions are optional: without
them the risk charts are empty states that say where they come from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Min, Q
from django_scopes import get_scope

from commonground.core import charts
from commonground.insight.models import Prediction
from commonground.membership import lifecycle
from commonground.membership.models import Membership, Plan, TermKind
from commonground.people.models import Person
from commonground.scoring import evaluation as score_evaluation
from commonground.scoring import services as score_services
from commonground.tenancy.clock import association_today

CACHE_SECONDS = 120
CHECK_SECONDS = 6 * 3600  # the engagement check rescoring past decisions: slow, changes slowly
LOYAL_YEARS = 3
COHORT_YEARS = 8
BANDS = (("high", "High", "#9b2c2c"), ("medium", "Medium", "#c05621"), ("low", "Low", "#2f855a"))
RISK_MONTHS = 12


@dataclass
class InsightFigures:
    # (stage, people) in funnel order
    funnel: list[tuple[str, int]] = field(default_factory=list)
    # (join year, decided, renewed)
    cohorts: list[tuple[str, int, int]] = field(default_factory=list)
    predictions: int = 0
    # (probability bin label, high, medium, low)
    risk_bins: list[tuple[str, int, int, int]] = field(default_factory=list)
    band_counts: dict[str, int] = field(default_factory=dict)
    # (decision month, high €, medium €, low €, expected loss €)
    at_risk: list[tuple[date, Decimal, Decimal, Decimal, Decimal]] = field(default_factory=list)
    value_at_risk: Decimal = Decimal("0")
    expected_loss: Decimal = Decimal("0")
    # (decile, decisions, renewed, score low, score high)
    engagement: list[tuple[str, int, int, float, float]] = field(default_factory=list)
    engagement_auc: float | None = None
    engagement_decisions: int = 0


def insight_figures(*, today: date | None = None) -> InsightFigures:
    """The dashboard's figures for the association in scope, cached briefly."""
    association = get_scope().get("association")
    today = today or association_today(association)
    key = f"insight-dashboard:{getattr(association, 'pk', None)}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures(association, today)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _figures(association, today: date) -> InsightFigures:
    f = InsightFigures()
    _funnel(f, today)
    _cohorts(f, today)
    _risk(f, today)
    _engagement(f, association, today)
    return f


def _funnel(f: InsightFigures, today: date) -> None:
    """People who were never members (prospects), those who joined, those who renewed at
    least once, and those who have been members for ``LOYAL_YEARS`` years or more."""
    people = Person.objects.filter(erased_at__isnull=True).count()
    joined: set[int] = set()
    loyal: set[int] = set()
    loyal_days = LOYAL_YEARS * 365
    for pid, joined_on, ends_on in Membership.objects.filter(person__isnull=False).values_list(
            "person_id", "joined_on", "ends_on").iterator(chunk_size=10_000):
        joined.add(pid)
        if (min(ends_on, today) - joined_on).days >= loyal_days:
            loyal.add(pid)
    renewed = Membership.objects.filter(person__isnull=False, terms__kind=TermKind.RENEWAL) \
        .values("person_id").distinct().count()
    f.funnel = [("Never members (prospects)", max(people - len(joined), 0)),
                ("Joined", len(joined)), ("Renewed at least once", renewed),
                (f"Members {LOYAL_YEARS}+ years", len(loyal))]


def _cohorts(f: InsightFigures, today: date) -> None:
    """By join year: memberships whose first term has ended and its grace passed, and how
    many of them renewed (a renewal term followed). Lifetime plans never decide."""
    grace = {p.pk: (p.grace, p.is_lifetime) for p in Plan.objects.all()}
    since = date(today.year - COHORT_YEARS + 1, 1, 1)
    decided, renewed = Counter(), Counter()
    rows = (Membership.objects.filter(joined_on__gte=since)
            .annotate(first_end=Min("terms__ends_on"),
                      renewals=Count("terms", filter=Q(terms__kind=TermKind.RENEWAL)))
            .values_list("joined_on", "plan_id", "first_end", "renewals"))
    for joined_on, plan_id, first_end, renewals in rows.iterator(chunk_size=10_000):
        days, lifetime = grace.get(plan_id, (0, False))
        if lifetime or first_end is None or lifecycle.lapse_date(first_end, days) > today:
            continue
        decided[joined_on.year] += 1
        renewed[joined_on.year] += renewals > 0
    f.cohorts = [(str(y), decided[y], renewed[y]) for y in sorted(decided)]


def _risk(f: InsightFigures, today: date) -> None:
    """Lapse predictions: by tenth of probability and band, and the value at risk by band
    and decision month (the next ``RISK_MONTHS`` months)."""
    bins: dict[int, Counter] = defaultdict(Counter)
    bands = Counter()
    money: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    expected: dict[date, Decimal] = defaultdict(Decimal)
    first = today.replace(day=1)
    last = (first + timedelta(days=31 * RISK_MONTHS)).replace(day=1)
    for p, band, on, value in Prediction.objects.filter(kind="lapse").values_list(
            "probability", "band", "decision_on", "value_at_risk").iterator(chunk_size=10_000):
        bins[min(int(p * 10), 9)][band] += 1
        bands[band] += 1
        if on is not None and value and first <= on < last:
            month = on.replace(day=1)
            money[month][band] += value
            expected[month] += value * Decimal(str(round(p, 4)))
    f.predictions = sum(bands.values())
    f.band_counts = dict(bands)
    if not f.predictions:
        return
    f.risk_bins = [(f"{b * 10}–{b * 10 + 10}%", bins[b]["high"], bins[b]["medium"], bins[b]["low"])
                   for b in range(10)]
    f.at_risk = [(m, money[m]["high"], money[m]["medium"], money[m]["low"],
                  expected[m].quantize(Decimal("0.01"))) for m in sorted(money)]
    f.value_at_risk = sum((sum(v.values(), Decimal(0)) for v in money.values()), Decimal(0))
    f.expected_loss = sum(expected.values(), Decimal(0)).quantize(Decimal("0.01"))


def _engagement(f: InsightFigures, association, today: date) -> None:
    """Renewal rate by decile of the engagement score each person had before their last
    renewal decision — the score app's own check (``scoring.evaluation``), cached for hours
    per score model version and day: it rescores a sample of past decisions as of their
    dates, and even listing the decisions reads two years of transitions."""
    config = score_services.current_config(association=association)
    key = f"insight-engagement:{association.pk}:{config.version}:{today.isoformat()}"
    check = cache.get(key)
    if check is None:
        decisions = score_evaluation.renewal_decisions(association)
        check = score_evaluation.check(association, config.params, decisions) if decisions \
            else score_evaluation.Check(decisions=0, renewed=0, auc=None)
        cache.set(key, check, CHECK_SECONDS)
    f.engagement = [(f"D{d.decile}", d.people, d.renewed, d.low, d.high) for d in check.deciles]
    f.engagement_auc = check.auc
    f.engagement_decisions = check.decisions


# ---- charts


def funnel_chart(f: InsightFigures) -> charts.Chart:
    top = f.funnel[1][1] if len(f.funnel) > 1 else 0
    rows = [(stage, n, Decimal(n) / top if top and i else None) for i, (stage, n) in enumerate(f.funnel)]
    return charts.bar(
        "funnel", title="Membership funnel",
        description=("People by how far they have come: never members, joined, renewed at "
                     f"least once, members for {LOYAL_YEARS} years or more; the share of those "
                     "who joined is in the data table."),
        x=charts.Column("stage", "Stage", "text"),
        series=[charts.Column("people", "People", colour="#0b5cad")],
        extra=[charts.Column("share", "Share of those who joined", "percent", places=1)],
        rows=rows, width=900, height=220, filename="membership-funnel.csv")


def cohorts_chart(f: InsightFigures) -> charts.Chart:
    rows = [(year, renewed, decided - renewed, decided, Decimal(renewed) / decided if decided else None)
            for year, decided, renewed in f.cohorts]
    best = max(rows, key=lambda r: r[4] or 0)[0] if rows else "none"
    return charts.bar(
        "cohorts", title="First renewal by join cohort",
        description=(f"For each join year of the last {COHORT_YEARS}, the memberships whose first "
                     "term has ended: renewed at the bottom, not renewed on top; the renewal "
                     f"rate of each year is in the data table (highest: {best})."),
        x=charts.Column("year", "Joined in", "text"),
        series=[charts.Column("renewed", "Renewed", colour="#2e7d4f"),
                charts.Column("lapsed", "Did not renew", colour="#c0392b")],
        extra=[charts.Column("decided", "First terms ended"),
               charts.Column("rate", "Renewal rate", "percent", places=1)],
        rows=rows, width=900, height=220, filename="renewal-by-cohort.csv")


def risk_chart(f: InsightFigures) -> charts.Chart:
    counts = ", ".join(f"{f.band_counts.get(k, 0)} {label.lower()}" for k, label, _c in BANDS)
    return charts.bar(
        "risk-distribution", title="Lapse risk distribution",
        description=(f"Members with a lapse prediction ({f.predictions}) by their probability of "
                     f"not renewing, one bar per ten points, coloured by band ({counts})."),
        x=charts.Column("probability", "Probability of lapsing", "text"),
        series=[charts.Column(k, label, colour=c) for k, label, c in BANDS],
        rows=f.risk_bins, width=900, height=220, filename="lapse-risk-distribution.csv")


def at_risk_chart(f: InsightFigures) -> charts.Chart:
    return charts.bar(
        "revenue-at-risk", title="Revenue at risk by renewal month",
        description=(f"The dues of the renewals due in each of the next {RISK_MONTHS} months, "
                     f"stacked by risk band ({f.value_at_risk:,.0f} in all); the expected loss "
                     f"(dues × probability, {f.expected_loss:,.0f} in all) is in the data table."),
        x=charts.Column("month", "Renewal month", "month"),
        series=[charts.Column(k, label, "money", colour=c) for k, label, c in BANDS],
        extra=[charts.Column("expected", "Expected loss", "money")],
        rows=f.at_risk, width=900, height=220, filename="revenue-at-risk.csv")


def engagement_chart(f: InsightFigures) -> charts.Chart:
    rows = [(d, n, renewed, Decimal(renewed) / n if n else None, Decimal(str(round(lo, 1))),
             Decimal(str(round(hi, 1)))) for d, n, renewed, lo, hi in f.engagement]
    auc = f"{f.engagement_auc:.2f}" if f.engagement_auc is not None else "not measurable"
    return charts.bar(
        "engagement-renewal", title="Engagement score against renewal",
        description=(f"{f.engagement_decisions} recent renewal decisions, split into tenths by the "
                     "engagement score the person had at the start of the decision's month "
                     "(D1 lowest): the bars are the renewal rate of each tenth; the score "
                     f"ranks renewers first with an AUC of {auc}."),
        x=charts.Column("decile", "Score decile", "text"),
        series=[charts.Column("rate", "Renewal rate", "percent", places=1, colour="#0b7285")],
        extra=[charts.Column("decisions", "Decisions"), charts.Column("renewed", "Renewed"),
               charts.Column("low", "Lowest score", "decimal", places=1),
               charts.Column("high", "Highest score", "decimal", places=1)],
        rows=[(r[0], r[3], r[1], r[2], r[4], r[5]) for r in rows], width=900, height=220,
        filename="engagement-against-renewal.csv")


def dashboard_charts(f: InsightFigures) -> list[charts.Chart]:
    return [funnel_chart(f), cohorts_chart(f), risk_chart(f), at_risk_chart(f), engagement_chart(f)]


__all__ = ["InsightFigures", "dashboard_charts", "insight_figures"]
