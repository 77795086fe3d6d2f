"""Reads of the planning app: the current plan, the plan's tree (answers, goals, their
objectives with progress, owners and trace links), the objectives off pace (the agenda
drafting reads them) and one objective's page.

Every number comes from stored figures (``Objective.current_value`` and the daily
``KpiSnapshot`` rows): nothing here computes a KPI, so the plan page costs the same few
queries whatever the size of the data behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from commonground.core import metrics
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import progress as progress_rule
from . import trace
from .models import (
    Comment,
    Goal,
    KpiSnapshot,
    Objective,
    ObjectiveOwner,
    ObjectiveStatus,
    PlanStatus,
    StrategicPlan,
    WhyAnswer,
    WhyQuestion,
)

# The flagged states, worst first: the agenda and the plan page list them in this order.
SEVERITY = {"missed": 0, "off_track": 1, "at_risk": 2}
SPARK_WEEKS = 52


def current_plan(association: Association, today: date | None = None) -> StrategicPlan | None:
    """The active plan whose period holds today; else the latest active one; else the
    latest plan of any status (a closed plan is still read)."""
    today = today or association_today(association)
    plans = StrategicPlan.objects.filter(association=association)
    return (plans.filter(status=PlanStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today)
            .order_by("-starts_on", "-id").first()
            or plans.filter(status=PlanStatus.ACTIVE).order_by("-starts_on", "-id").first()
            or plans.order_by("-starts_on", "-id").first())


def plan_list(association: Association):
    return StrategicPlan.objects.filter(association=association).order_by("-starts_on", "-id")


@dataclass
class AnswerSlot:
    """One of the five questions with its current answer (None until the board writes
    one) and how many versions it has had."""

    question: str
    label: str
    answer: WhyAnswer | None
    versions: int


@dataclass
class ObjectiveNode:
    objective: Objective
    progress: progress_rule.Progress
    owners: list[ObjectiveOwner] = field(default_factory=list)
    links: list[trace.TraceLink] = field(default_factory=list)
    spark: list[tuple[date, Decimal]] = field(default_factory=list)  # weekly, oldest first
    metric: metrics.Metric | None = None

    @property
    def flagged(self) -> bool:
        return self.objective.status == ObjectiveStatus.ACTIVE and self.progress.flagged


@dataclass
class GoalNode:
    goal: Goal
    objectives: list[ObjectiveNode] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(o.flagged for o in self.objectives)


@dataclass
class PlanTree:
    plan: StrategicPlan
    today: date
    answers: list[AnswerSlot]
    goals: list[GoalNode]
    comments: list[Comment]

    @property
    def objectives(self) -> list[ObjectiveNode]:
        return [o for g in self.goals for o in g.objectives]


def answers_of(plan: StrategicPlan) -> list[AnswerSlot]:
    """The five questions in order, each with its current version (one query)."""
    latest: dict[str, WhyAnswer] = {}
    counts: dict[str, int] = defaultdict(int)
    for a in WhyAnswer.objects.filter(plan=plan).select_related("written_by").order_by(
            "question", "-version"):
        latest.setdefault(a.question, a)
        counts[a.question] += 1
    return [AnswerSlot(q, label, latest.get(q), counts[q]) for q, label in WhyQuestion.choices]


def answer_history(plan: StrategicPlan, question: str | None = None) -> list[WhyAnswer]:
    """Every version, newest first per question, in the questions' order."""
    order = {q: i for i, q in enumerate(WhyQuestion.values)}
    rows = WhyAnswer.objects.filter(plan=plan).select_related("written_by")
    if question:
        rows = rows.filter(question=question)
    return sorted(rows, key=lambda a: (order.get(a.question, 9), -a.version))


def _nodes(association: Association, objectives: list[Objective], today: date, *,
           spark: bool = True) -> list[ObjectiveNode]:
    """Progress, owners, trace links and (``spark``) the weekly sparkline points of
    ``objectives``: one query each for owners and points, one per trace provider."""
    ids = [o.pk for o in objectives]
    owners: dict[int, list[ObjectiveOwner]] = defaultdict(list)
    points: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    if ids:
        for ow in ObjectiveOwner.objects.filter(objective_id__in=ids).select_related(
                "user").order_by("side", "user__email"):
            owners[ow.objective_id].append(ow)
        if spark:
            # One point a week, on today's weekday, so every sparkline ends near today and
            # a year of daily snapshots is 52 rows an objective, not 365.
            weekday = (today.isoweekday() % 7) + 1  # Django's week_day: Sunday = 1
            since = today - timedelta(weeks=SPARK_WEEKS)
            for oid, day, value in KpiSnapshot.objects.filter(
                    objective_id__in=ids, day__gte=since, day__week_day=weekday).order_by(
                    "objective_id", "day").values_list("objective_id", "day", "value"):
                points[oid].append((day, value))
    links = trace.links(association, ids)
    out = []
    for o in objectives:
        spark_rows = points.get(o.pk, [])
        if o.current_on and o.current_value is not None and (
                not spark_rows or spark_rows[-1][0] < o.current_on):
            spark_rows = [*spark_rows, (o.current_on, o.current_value)]
        out.append(ObjectiveNode(o, progress_rule.of(o, on=today), owners.get(o.pk, []),
                                 links.get(o.pk, []), spark_rows, metrics.get(o.metric)))
    return out


def plan_tree(plan: StrategicPlan, today: date) -> PlanTree:
    """The plan page: the five answers, the goals in order with their objectives (active
    ones first, then the others), each with its progress on ``today``, owners, links and
    sparkline points, and the comments on the plan. A fixed number of queries (answers,
    goals, objectives, owners, points, comments, one per trace provider)."""
    association = plan.association
    goals = list(Goal.objects.filter(plan=plan).order_by("position", "id"))
    objectives = list(Objective.objects.filter(goal__plan=plan).order_by(
        "goal_id", "position", "id"))
    nodes = _nodes(association, objectives, today)
    by_goal: dict[int, list[ObjectiveNode]] = defaultdict(list)
    for n in nodes:
        by_goal[n.objective.goal_id].append(n)
    tree = [GoalNode(g, sorted(by_goal.get(g.pk, []),
                               key=lambda n: n.objective.status != ObjectiveStatus.ACTIVE))
            for g in goals]
    return PlanTree(plan=plan, today=today, answers=answers_of(plan), goals=tree,
                    comments=comments_on("plan", plan.pk))


@dataclass(frozen=True)
class FlaggedObjective:
    """An active objective off pace: at risk, off track, or its deadline passed unmet."""

    objective: Objective
    progress: progress_rule.Progress

    @property
    def state(self) -> str:
        return self.progress.state

    @property
    def label(self) -> str:
        return self.progress.label


def objectives_flagged(association: Association, today: date) -> list[FlaggedObjective]:
    """Every active objective whose progress is flagged (``progress.FLAGGED``) on
    ``today``, worst first, then by deadline. One query; the goal is loaded with it."""
    found = []
    for o in Objective.objects.filter(association=association, status=ObjectiveStatus.ACTIVE) \
            .select_related("goal"):
        p = progress_rule.of(o, on=today)
        if p.flagged:
            found.append(FlaggedObjective(o, p))
    found.sort(key=lambda f: (SEVERITY.get(f.state, 9), f.objective.deadline, f.objective.pk))
    return found


@dataclass
class ObjectiveDetail:
    objective: Objective
    node: ObjectiveNode
    snapshots: list[tuple[date, Decimal]]
    comments: list[Comment]

    @property
    def progress(self) -> progress_rule.Progress:
        return self.node.progress

    def burnup_rows(self) -> list[tuple[date, Decimal | None, Decimal]]:
        """(day, actual, on pace) for the burn-up: the actual from the snapshots, the
        straight line from the baseline on the start date to the target on the deadline
        (its value on each drawn day, and a last row on the deadline)."""
        o = self.objective
        total = max((o.deadline - o.starts_on).days, 1)

        def line(day: date) -> Decimal:
            elapsed = min(max((day - o.starts_on).days, 0), total)
            return (o.baseline + (o.target - o.baseline) * elapsed / total).quantize(
                Decimal("0.01"))

        rows: list[tuple[date, Decimal | None, Decimal]] = []
        if not self.snapshots or self.snapshots[0][0] > o.starts_on:
            rows.append((o.starts_on, None, line(o.starts_on)))
        rows.extend((day, value, line(day)) for day, value in self.snapshots)
        if rows[-1][0] < o.deadline:
            rows.append((o.deadline, None, line(o.deadline)))
        return rows


MAX_CHART_POINTS = 400


def objective_detail(objective: Objective, today: date) -> ObjectiveDetail:
    """One objective's page: its node (progress, owners, links), every snapshot for the
    burn-up (weekly past ``MAX_CHART_POINTS`` days, plus the latest) and its comments."""
    node = _nodes(objective.association, [objective], today, spark=False)[0]
    snaps = KpiSnapshot.objects.filter(objective=objective)
    count = snaps.count()
    if count > MAX_CHART_POINTS:
        weekday = (today.isoweekday() % 7) + 1
        last = snaps.order_by("-day").values_list("day", flat=True).first()
        snaps = snaps.filter(Q(day__week_day=weekday) | Q(day=last))
    points = list(snaps.order_by("day").values_list("day", "value"))
    return ObjectiveDetail(objective, node, points, comments_on("objective", objective.pk))


def comments_on(subject: str, subject_id: int) -> list[Comment]:
    return list(Comment.objects.filter(subject=subject, subject_id=subject_id)
                .select_related("author").order_by("created_at", "id"))


def goal_trace(goal: Goal, today: date) -> GoalNode:
    """A goal with its objectives, each with its KPI, progress and trace links (meetings,
    decisions, action items): the traceability page."""
    objectives = list(Objective.objects.filter(goal=goal).order_by("position", "id"))
    return GoalNode(goal, _nodes(goal.association, objectives, today, spark=False))


def filter_words(objective: Objective, metric: metrics.Metric | None = None) -> str:
    """The KPI's filters as a reader says them: "plan Gold, chapter North"."""
    metric = metric or metrics.get(objective.metric)
    parts = []
    for name, value in (objective.filters or {}).items():
        spec = metric.filter_spec(name) if metric else None
        parts.append(f"{spec.label if spec else name} {value}")
    return ", ".join(parts)
