"""Writes of the planning app: strategic plans, why-answers, goals, objectives, comments.

KPI computation and snapshots are ``planning.kpis``; the balance view's settings and
offering costs are ``planning.balance``. Who may write what is ``tenancy.permissions``:
the board writes the why-answers and comments, administrators edit plans and goals, staff
edit the objectives of their side.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max

from commonground.core.errors import PermissionDenied, ValidationFailed
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import inputs
from . import objectives as _objectives
from .inputs import MAX_TEXT
from .models import (
    Comment,
    Goal,
    Objective,
    PlanStatus,
    StrategicPlan,
    WhyAnswer,
    WhyQuestion,
)

COMMENT_SUBJECTS = ("plan", "answer", "goal", "objective", "meeting", "decision", "form")

# objective_save lives in planning.objectives (it is most of the app's rules); it is
# re-exported here so every write is ``planning.services.<entity>_<verb>``.
objective_save = _objectives.objective_save
objective_set_status = _objectives.objective_set_status
Owner = _objectives.Owner

__all__ = ["COMMENT_SUBJECTS", "Owner", "comment_add", "goal_delete", "goal_save",
           "objective_save", "objective_set_status", "strategic_plan_save",
           "why_answer_write"]


def _roles(association: Association, actor) -> list:
    return permissions.staff_roles_of(association=association, user=actor)


# ---------------------------------------------------------------- strategic plans


@transaction.atomic
def strategic_plan_save(*, association: Association, name: str, starts_on: date | str,
                        ends_on: date | str, status: str = PlanStatus.ACTIVE,
                        plan: StrategicPlan | None = None, actor) -> StrategicPlan:
    """Create a plan or change one (``plan``): administrators only."""
    if not permissions.may_edit_plan(_roles(association, actor)):
        raise PermissionDenied("Only an administrator can create or change the plan")
    errors: dict[str, list[str]] = {}
    name = inputs.text(errors, "name", name)
    start = inputs.parse_date(errors, "starts_on", starts_on)
    end = inputs.parse_date(errors, "ends_on", ends_on)
    if status not in PlanStatus.values:
        errors["status"] = [f"one of {', '.join(PlanStatus.values)}"]
    if start and end and end < start:
        errors["ends_on"] = ["the plan ends before it starts"]
    inputs.fail(errors)
    created = plan is None
    if created:
        plan = StrategicPlan(association=association, created_by=_user(actor))
    before = {"name": plan.name, "starts_on": str(plan.starts_on), "ends_on": str(plan.ends_on),
              "status": plan.status}
    plan.name, plan.starts_on, plan.ends_on, plan.status = name, start, end, status
    after = {"name": name, "starts_on": str(start), "ends_on": str(end), "status": status}
    if not created and before == after:
        return plan
    plan.save()
    audit.record(association=association, action="plan.created" if created else "plan.changed",
                 obj=plan, actor=actor,
                 data=after if created else {k: v for k, v in after.items() if before[k] != v})
    return plan


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# ---------------------------------------------------------------- why-answers


@transaction.atomic
def why_answer_write(*, association: Association, plan: StrategicPlan, question: str,
                     text: str, written_on: date | str | None = None, actor) -> WhyAnswer:
    """A new version of the board's answer to one of the five questions, dated the day the
    board agreed it (today unless given; never in the future). Earlier versions stay: the
    plan page shows the latest, the history page all of them. Writing the same text again
    adds nothing and returns the current version."""
    if not permissions.may_write_why(_roles(association, actor)):
        raise PermissionDenied("Only the board or an administrator can write the why-answers")
    errors: dict[str, list[str]] = {}
    if question not in WhyQuestion.values:
        errors["question"] = [f"one of {', '.join(WhyQuestion.values)}"]
    text = inputs.text(errors, "text", text, limit=MAX_TEXT)
    today = association_today(association)
    on = inputs.parse_date(errors, "written_on", written_on, required=False) or today
    if on > today:
        errors["written_on"] = [f"in the future: the board agreed it on or before {today:%-d %b %Y}"]
    inputs.fail(errors)
    # Lock the plan row: two board members saving at once get versions n and n+1, not
    # one unique-constraint error.
    StrategicPlan.objects.select_for_update().filter(pk=plan.pk).first()
    current = (WhyAnswer.objects.filter(plan=plan, question=question)
               .order_by("-version").first())
    if current is not None and current.text == text and current.written_on == on:
        return current
    if current is not None and on < current.written_on:
        raise ValidationFailed("Please correct the highlighted fields", fields={
            "written_on": [f"before the current version's date ({current.written_on:%-d %b %Y})"]})
    answer = WhyAnswer.objects.create(
        association=association, plan=plan, question=question,
        version=(current.version + 1) if current else 1, text=text, written_by=_user(actor),
        written_on=on)
    audit.record(association=association, action="plan.answer_written", obj=answer,
                 actor=actor, data={"plan_id": plan.pk, "question": question,
                                    "version": answer.version, "written_on": str(on)})
    return answer


# ---------------------------------------------------------------- goals


@transaction.atomic
def goal_save(*, association: Association, plan: StrategicPlan, title: str,
              deadline: date | str, description: str = "", position: int | None = None,
              goal: Goal | None = None, actor) -> Goal:
    """Create a goal of ``plan`` or change one: administrators (they edit the plan). A new
    deadline may not be in the past."""
    if not permissions.may_edit_plan(_roles(association, actor)):
        raise PermissionDenied("Only an administrator can add or change goals")
    errors: dict[str, list[str]] = {}
    title = inputs.text(errors, "title", title)
    description = inputs.text(errors, "description", description, required=False, limit=MAX_TEXT)
    end = inputs.parse_date(errors, "deadline", deadline)
    today = association_today(association)
    if end and end < today and (goal is None or goal.deadline != end):
        errors["deadline"] = [f"in the past: a goal is reached on or after today "
                              f"({today:%-d %b %Y})"]
    if position is not None and not 0 <= int(position) <= 10_000:
        errors["position"] = ["between 0 and 10000"]
    inputs.fail(errors)
    created = goal is None
    if created:
        goal = Goal(association=association, plan=plan, created_by=_user(actor))
        if position is None:
            position = (Goal.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1
    before = {"title": goal.title, "description": goal.description,
              "deadline": str(goal.deadline), "position": goal.position}
    goal.title, goal.description, goal.deadline = title, description, end
    if position is not None:
        goal.position = int(position)
    after = {"title": goal.title, "description": goal.description,
             "deadline": str(goal.deadline), "position": goal.position}
    if not created and before == after:
        return goal
    goal.save()
    audit.record(association=association, action="goal.created" if created else "goal.changed",
                 obj=goal, actor=actor, data={"plan_id": plan.pk, **(
                     after if created else {k: v for k, v in after.items() if before[k] != v})})
    return goal


@transaction.atomic
def goal_delete(*, association: Association, goal: Goal, actor) -> None:
    """Delete a goal without objectives: an objective's history is not thrown away with
    its goal (drop the objectives first, or move them)."""
    if not permissions.may_edit_plan(_roles(association, actor)):
        raise PermissionDenied("Only an administrator can delete goals")
    count = Objective.objects.filter(goal=goal).count()
    if count:
        raise ValidationFailed(
            f"“{goal.title}” still has {count} objective{'s' if count != 1 else ''}",
            fields={"goal": ["delete or move its objectives first"]})
    audit.record(association=association, action="goal.deleted", obj=goal, actor=actor,
                 data={"title": goal.title, "plan_id": goal.plan_id})
    goal.delete()


# ---------------------------------------------------------------- comments


@transaction.atomic
def comment_add(*, association: Association, subject: str, subject_id: int, body: str,
                actor) -> Comment:
    """A comment on a plan item, a meeting or a decision: any staff member, the board too.
    The caller has checked that ``subject_id`` is one of the association's objects."""
    roles = permissions.staff_roles_of(association=association, user=actor)
    if not permissions.may_comment(roles):
        raise PermissionDenied("Only the association's staff and board can comment")
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = ["required"]
    elif len(body) > MAX_TEXT:
        errors["body"] = [f"at most {MAX_TEXT} characters"]
    if subject not in COMMENT_SUBJECTS:
        errors["subject"] = [f"one of {', '.join(COMMENT_SUBJECTS)}"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    comment = Comment.objects.create(association=association, subject=subject,
                                     subject_id=subject_id, author=actor, body=body)
    audit.record(association=association, action="comment.added", obj=comment, actor=actor,
                 data={"subject": subject, "subject_id": subject_id})
    return comment


