"""The plan's API, mounted by ``web.api`` under /api/v1: strategic plans with the board's
answers (every version kept), goals, joint objectives with their progress, comments.

Who may write follows ``tenancy.permissions`` for the token's user (the board writes the
answers and comments, administrators plans and goals, staff the objectives of their
side); a refusal is a 403 with the reason. KPI values and drill-downs are
``planning.api_kpis``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from ninja import Query, Router, Status

from commonground.core import metrics
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import progress as progress_rule
from . import selectors, services
from .models import (
    Comment,
    Goal,
    Objective,
    ObjectiveStatus,
    StrategicPlan,
    WhyAnswer,
    WhyQuestion,
)
from .schemas import (
    AnswerIn,
    AnswerOut,
    CommentIn,
    CommentOut,
    GoalIn,
    GoalOut,
    GoalPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlanTreeOut,
    Question,
    StatusIn,
)

router = Router(tags=["planning"])
QUESTIONS = dict(WhyQuestion.choices)


def _today(request) -> date:
    return association_today(request.association)


def _plan_out(p: StrategicPlan) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on,
            "status": p.status, "created_at": p.created_at}


def _answer_out(a: WhyAnswer) -> dict[str, Any]:
    return {"id": a.pk, "question": a.question, "question_text": QUESTIONS[a.question],
            "version": a.version, "text": a.text, "written_on": a.written_on,
            "written_by": a.written_by.email if a.written_by else None,
            "created_at": a.created_at}


def _progress_out(p: progress_rule.Progress) -> dict[str, Any]:
    return {"state": p.state, "label": p.label, "flagged": p.flagged, "expected": p.expected,
            "required_pace": p.required_pace, "pace": p.pace, "projected": p.projected,
            "share": p.share}


def _objective_out(o: Objective, today: date, owners=None) -> dict[str, Any]:
    metric = metrics.get(o.metric)
    owners = owners if owners is not None else o.owners.all()
    return {"id": o.pk, "goal_id": o.goal_id, "title": o.title, "description": o.description,
            "metric": o.metric, "metric_label": metric.label if metric else None,
            "filters": o.filters or {}, "starts_on": o.starts_on, "deadline": o.deadline,
            "baseline": o.baseline, "target": o.target, "direction": o.direction,
            "status": o.status, "sides": list(o.sides),
            "owners": [{"user_id": w.user_id, "email": w.user.email, "side": w.side}
                       for w in owners],
            "current_value": o.current_value, "current_on": o.current_on,
            "progress": _progress_out(progress_rule.of(o, on=today))}


def _goal_out(g: Goal, objectives: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": g.pk, "strategic_plan_id": g.plan_id, "title": g.title,
            "description": g.description, "deadline": g.deadline, "position": g.position,
            "objectives": objectives}


def _objectives():
    return Objective.objects.prefetch_related("owners__user")


# ---------------------------------------------------------------- plans


@router.get("/planning/plans", response=Page[PlanOut], summary="List strategic plans")
def list_plans_strategic(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(StrategicPlan.objects.all(), cursor=cursor, limit=limit)
    return {"items": [_plan_out(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/planning/plans", response={201: PlanOut}, summary="Start a strategic plan")
@idempotent
def create_plan_strategic(request, payload: PlanIn):
    plan = services.strategic_plan_save(association=request.association, actor=request.user,
                                        **payload.model_dump())
    return Status(201, _plan_out(plan))


def _tree_out(plan: StrategicPlan, today: date) -> dict[str, Any]:
    tree = selectors.plan_tree(plan, today)
    return {**_plan_out(plan),
            "answers": [_answer_out(s.answer) for s in tree.answers if s.answer],
            "goals": [_goal_out(g.goal, [_objective_out(n.objective, today, n.owners)
                                         for n in g.objectives]) for g in tree.goals]}


@router.get("/planning/plans/current", response=PlanTreeOut,
            summary="The current plan with its answers, goals and objectives")
def current_plan(request):
    """The active plan whose period holds today (else the latest): the plan page as data.
    A 404 while the association has no plan."""
    plan = selectors.current_plan(request.association)
    if plan is None:
        raise Http404("No plan yet")
    plan.association = request.association
    return _tree_out(plan, _today(request))


@router.get("/planning/plans/{strategic_plan_id}", response=PlanTreeOut,
            summary="A plan with its answers, goals and objectives")
def get_plan_strategic(request, strategic_plan_id: int = path_id()):
    plan = get_or_404(StrategicPlan.objects.all(), strategic_plan_id)
    plan.association = request.association
    return _tree_out(plan, _today(request))


@router.patch("/planning/plans/{strategic_plan_id}", response=PlanOut, summary="Change a plan")
@idempotent
def patch_plan_strategic(request, payload: PlanPatch, strategic_plan_id: int = path_id()):
    plan = get_or_404(StrategicPlan.objects.all(), strategic_plan_id)
    data = {"name": plan.name, "starts_on": plan.starts_on, "ends_on": plan.ends_on,
            "status": plan.status, **payload.model_dump(exclude_unset=True, exclude_none=True)}
    return _plan_out(services.strategic_plan_save(association=request.association, plan=plan,
                                                  actor=request.user, **data))


@router.get("/planning/plans/{strategic_plan_id}/answers", response=list[AnswerOut],
            summary="Every version of the board's answers")
def list_answers(request, strategic_plan_id: int = path_id(), question: Question | None = None):
    """Newest first within each of the five questions, in their order."""
    plan = get_or_404(StrategicPlan.objects.all(), strategic_plan_id)
    return [_answer_out(a) for a in selectors.answer_history(plan, question)]


@router.post("/planning/plans/{strategic_plan_id}/answers", response={201: AnswerOut},
             summary="Write a new version of an answer")
@idempotent
def write_answer(request, payload: AnswerIn, strategic_plan_id: int = path_id()):
    """The board or an administrator. The same text as the current version adds none and
    returns it."""
    plan = get_or_404(StrategicPlan.objects.all(), strategic_plan_id)
    answer = services.why_answer_write(association=request.association, plan=plan,
                                       actor=request.user, **payload.model_dump())
    return Status(201, _answer_out(answer))


# ---------------------------------------------------------------- goals


@router.get("/planning/goals", response=Page[GoalOut], summary="List goals")
def list_goals(request, strategic_plan_id: int | None = Query(None, ge=1, le=MAX_ID),
               cursor: str | None = Query(None, max_length=500), limit: int = 50):
    goals = Goal.objects.all()
    if strategic_plan_id:
        goals = goals.filter(plan_id=strategic_plan_id)
    page = paginate(goals, cursor=cursor, limit=limit)
    return {"items": [_goal_out(g) for g in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/planning/goals", response={201: GoalOut}, summary="Add a goal to a plan")
@idempotent
def create_goal(request, payload: GoalIn):
    data = payload.model_dump()
    plan = get_or_404(StrategicPlan.objects.all(), data.pop("strategic_plan_id"))
    goal = services.goal_save(association=request.association, plan=plan, actor=request.user,
                              **data)
    return Status(201, _goal_out(goal, []))


@router.get("/planning/goals/{goal_id}", response=GoalOut,
            summary="A goal with its objectives")
def get_goal(request, goal_id: int = path_id()):
    goal = get_or_404(Goal.objects.all(), goal_id)
    today = _today(request)
    return _goal_out(goal, [_objective_out(o, today) for o in _objectives().filter(goal=goal)])


@router.patch("/planning/goals/{goal_id}", response=GoalOut, summary="Change a goal")
@idempotent
def patch_goal(request, payload: GoalPatch, goal_id: int = path_id()):
    goal = get_or_404(Goal.objects.select_related("plan"), goal_id)
    data = {"title": goal.title, "description": goal.description, "deadline": goal.deadline,
            **payload.model_dump(exclude_unset=True, exclude_none=True)}
    saved = services.goal_save(association=request.association, plan=goal.plan, goal=goal,
                               actor=request.user, **data)
    return _goal_out(saved)


@router.delete("/planning/goals/{goal_id}", response={204: None},
               summary="Delete a goal without objectives")
@idempotent
def delete_goal(request, goal_id: int = path_id()):
    goal = get_or_404(Goal.objects.all(), goal_id)
    services.goal_delete(association=request.association, goal=goal, actor=request.user)
    return Status(204, None)


# ---------------------------------------------------------------- objectives


@router.get("/planning/objectives", response=Page[ObjectiveOut],
            summary="List objectives with their progress")
def list_objectives(request, goal_id: int | None = Query(None, ge=1, le=MAX_ID),
                    status: ObjectiveStatus | None = None,
                    cursor: str | None = Query(None, max_length=500), limit: int = 50):
    found = _objectives()
    if goal_id:
        found = found.filter(goal_id=goal_id)
    if status:
        found = found.filter(status=status)
    page = paginate(found, cursor=cursor, limit=limit)
    today = _today(request)
    return {"items": [_objective_out(o, today) for o in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.get("/planning/objectives/flagged", response=list[ObjectiveOut],
            summary="Active objectives off pace, worst first")
def flagged_objectives(request):
    """At risk, off track, or past the deadline unmet (what the agenda drafting reads)."""
    today = _today(request)
    return [_objective_out(f.objective, today)
            for f in selectors.objectives_flagged(request.association, today)]


def _owners(payload_owners) -> list[tuple[str, str]] | None:
    if payload_owners is None:
        return None
    return [(o["email"], o["side"]) for o in payload_owners]


@router.post("/planning/objectives", response={201: ObjectiveOut},
             summary="Add a joint objective with its KPI")
@idempotent
def create_objective(request, payload: ObjectiveIn):
    """The KPI is a metric of the catalogue with filters; an unknown metric or filter, a
    deadline in the past, an owner not on their side's staff are 422s naming the field."""
    data = payload.model_dump()
    goal = get_or_404(Goal.objects.all(), data.pop("goal_id"))
    data["owners"] = _owners(data["owners"])
    saved = services.objective_save(association=request.association, goal=goal,
                                    actor=request.user, **data)
    return Status(201, _objective_out(_objectives().get(pk=saved.pk), _today(request)))


@router.get("/planning/objectives/{objective_id}", response=ObjectiveOut,
            summary="An objective with its progress")
def get_objective(request, objective_id: int = path_id()):
    return _objective_out(get_or_404(_objectives(), objective_id), _today(request))


@router.patch("/planning/objectives/{objective_id}", response=ObjectiveOut,
              summary="Change an objective")
@idempotent
def patch_objective(request, payload: ObjectivePatch, objective_id: int = path_id()):
    """Fields left out keep their values; a changed KPI recomputes the baseline (unless
    given) and refills the history."""
    o = get_or_404(Objective.objects.select_related("goal"), objective_id)
    data = payload.model_dump(exclude_unset=True)
    goal = get_or_404(Goal.objects.all(), data.pop("goal_id")) if data.get("goal_id") \
        else o.goal
    data.pop("goal_id", None)
    merged = {"title": o.title, "description": o.description, "metric": o.metric,
              "filters": o.filters, "starts_on": o.starts_on, "deadline": o.deadline,
              "target": o.target, "direction": o.direction,
              **{k: v for k, v in data.items() if v is not None or k == "baseline"}}
    merged["owners"] = _owners(data.get("owners"))
    saved = services.objective_save(association=request.association, goal=goal, objective=o,
                                    actor=request.user, **merged)
    return _objective_out(_objectives().get(pk=saved.pk), _today(request))


@router.post("/planning/objectives/{objective_id}/status", response=ObjectiveOut,
             summary="Mark an objective achieved, missed, dropped or active")
@idempotent
def set_objective_status(request, payload: StatusIn, objective_id: int = path_id()):
    o = get_or_404(Objective.objects.all(), objective_id)
    services.objective_set_status(association=request.association, objective=o,
                                  status=payload.status, actor=request.user)
    return _objective_out(_objectives().get(pk=o.pk), _today(request))


# ---------------------------------------------------------------- comments

SUBJECTS = {"plan": StrategicPlan, "answer": WhyAnswer, "goal": Goal, "objective": Objective}


def _comment_out(c: Comment) -> dict[str, Any]:
    return {"id": c.pk, "subject": c.subject, "subject_id": c.subject_id,
            "author": c.author.email if c.author else None, "body": c.body,
            "created_at": c.created_at}


@router.get("/planning/comments", response=Page[CommentOut], summary="List comments")
def list_comments(request, subject: str | None = Query(None, max_length=20),
                  subject_id: int | None = Query(None, ge=1, le=MAX_ID),
                  cursor: str | None = Query(None, max_length=500), limit: int = 50):
    """Oldest first; narrowed to one thing with `subject` and `subject_id`."""
    found = Comment.objects.select_related("author")
    if subject:
        found = found.filter(subject=subject)
    if subject_id:
        found = found.filter(subject_id=subject_id)
    page = paginate(found, cursor=cursor, limit=limit)
    return {"items": [_comment_out(c) for c in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/planning/comments", response={201: CommentOut},
             summary="Comment on a plan, an answer, a goal or an objective")
@idempotent
def add_comment(request, payload: CommentIn):
    """Any staff member, the board too. The thing commented on must be the association's."""
    obj = get_or_404(SUBJECTS[payload.subject].objects.all(), payload.subject_id)
    comment = services.comment_add(association=request.association, subject=payload.subject,
                                   subject_id=obj.pk, body=payload.body, actor=request.user)
    return Status(201, _comment_out(comment))
