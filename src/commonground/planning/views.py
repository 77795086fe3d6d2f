"""The plan's staff pages: the plan with the board's five answers and the goals with their
objectives (live number, target, deadline, state, trend), the answers' history, the
plan's and the goals' forms, a goal's trace page, and comments.

Everyone on the staff reads the plan; what each person may change follows
``tenancy.permissions`` (the board writes the answers and comments, administrators edit
the plan and its goals, staff the objectives of their side), and a page shows only the
buttons its reader may use.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse

from commonground.core import charts
from commonground.core.errors import DomainError
from commonground.core.forms import form_saved
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .charts import spark_chart
from .forms import AnswerForm, CommentForm, GoalForm, PlanForm
from .models import Goal, StrategicPlan, WhyQuestion


def _slug(request: HttpRequest) -> str:
    return request.association.slug


def can(request: HttpRequest) -> dict[str, bool]:
    """What the reader may do on the plan's pages (the templates show only those)."""
    roles = request.staff_roles
    return {"edit_plan": permissions.may_edit_plan(roles),
            "write_why": permissions.may_write_why(roles),
            "add_objective": permissions.is_admin(roles) or bool(permissions.sides_of(roles)),
            "comment": permissions.may_comment(roles),
            "board_only": permissions.is_board_only(roles)}


def optional_url(name: str, **kwargs) -> str | None:
    """A page of another part of the plan (the drill-down, say) once it exists."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _plan(request: HttpRequest, strategic_plan_id: int) -> StrategicPlan:
    return get_object_or_404(StrategicPlan.objects.select_related("association"),
                             pk=strategic_plan_id)


@staff_view
def plan_home(request: HttpRequest) -> HttpResponse:
    """The current plan (see ``selectors.current_plan``), or how to start one."""
    plan = selectors.current_plan(request.association)
    if plan is None:
        return render(request, "planning/no_plan.html", {"can": can(request)})
    return _plan_page(request, plan)


@staff_view
def plan_detail(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    return _plan_page(request, _plan(request, strategic_plan_id))


def _plan_page(request: HttpRequest, plan: StrategicPlan) -> HttpResponse:
    plan.association = request.association  # the same row: no second read
    today = association_today(request.association)
    tree = selectors.plan_tree(plan, today)
    sparks = {n.objective.pk: spark_chart(n) for n in tree.objectives}
    if response := charts.csv_for(request, sparks.values()) or \
            charts.svg_for(request, sparks.values()):
        return response
    slug = _slug(request)
    for node in tree.objectives:
        chart = sparks[node.objective.pk]
        node.chart = chart.with_csv_url(charts.csv_href(request, chart.name)).with_image_url(
            charts.image_href(request, chart)).render()
        node.rows_url = optional_url("kpi_rows", association=slug,
                                     objective_id=node.objective.pk)
    flagged = sum(g.flagged for g in tree.goals)
    return render(request, "planning/plan.html", {
        "tree": tree, "plan": plan, "can": can(request), "flagged": flagged,
        "comment_form": CommentForm(),
        "other_plans": selectors.plan_list(request.association).exclude(pk=plan.pk)[:10]})


@staff_view
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/plan_list.html", {
        "plans": selectors.plan_list(request.association), "can": can(request)})


def _plan_form(request: HttpRequest, plan: StrategicPlan | None) -> HttpResponse:
    initial = ({"name": plan.name, "starts_on": plan.starts_on, "ends_on": plan.ends_on,
                "status": plan.status} if plan else None)
    form = PlanForm(request.POST or None, initial=initial)
    saved: list[StrategicPlan] = []

    def write() -> None:
        d = form.cleaned_data
        saved.append(services.strategic_plan_save(
            association=request.association, name=d["name"], starts_on=d["starts_on"],
            ends_on=d["ends_on"], status=d["status"], plan=plan, actor=request.user))

    if form_saved(request, form, write, success="Plan saved."):
        return redirect("strategic_plan_detail", association=_slug(request),
                        strategic_plan_id=saved[0].pk)
    return render(request, "planning/form.html", {
        "form": form, "title": f"Edit {plan.name}" if plan else "New strategic plan",
        "back": reverse("plan_home", kwargs={"association": _slug(request)}),
        "submit": "Save the plan"})


@staff_view
def plan_new(request: HttpRequest) -> HttpResponse:
    return _plan_form(request, None)


@staff_view
def plan_edit(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    return _plan_form(request, _plan(request, strategic_plan_id))


# ---------------------------------------------------------------- why-answers


@staff_view
def plan_why(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    """Every version of the board's answers, newest first per question (``?question=``
    narrows to one)."""
    plan = _plan(request, strategic_plan_id)
    question = request.GET.get("question", "")
    question = question if question in WhyQuestion.values else ""
    versions = selectors.answer_history(plan, question or None)
    grouped: list[tuple[str, list]] = []
    for q, label in WhyQuestion.choices:
        found = [a for a in versions if a.question == q]
        if found or not question:
            grouped.append((label, found))
    return render(request, "planning/why.html", {
        "plan": plan, "grouped": grouped, "question": question, "can": can(request),
        "questions": WhyQuestion.choices})


@staff_view
def why_write(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    """A new version of one answer (``?question=`` chooses it; the current text to start
    from)."""
    plan = _plan(request, strategic_plan_id)
    question = request.POST.get("question") or request.GET.get("question", "")
    question = question if question in WhyQuestion.values else WhyQuestion.FOUNDED
    current = next((s.answer for s in selectors.answers_of(plan)
                    if s.question == question), None)
    form = AnswerForm(request.POST or None, initial={
        "question": question, "text": current.text if current else ""})

    def write() -> None:
        d = form.cleaned_data
        services.why_answer_write(association=request.association, plan=plan,
                                  question=d["question"], text=d["text"],
                                  written_on=d["written_on"], actor=request.user)

    if form_saved(request, form, write, success="The answer is saved as a new version."):
        return redirect("strategic_plan_detail", association=_slug(request), strategic_plan_id=plan.pk)
    return render(request, "planning/form.html", {
        "form": form, "title": "The board's answer", "plan": plan,
        "intro": "Saving keeps the earlier versions: the history shows each with its date.",
        "back": reverse("strategic_plan_detail", kwargs={"association": _slug(request),
                                               "strategic_plan_id": plan.pk}),
        "submit": "Save as a new version"})


# ---------------------------------------------------------------- goals


def _goal(request: HttpRequest, goal_id: int) -> Goal:
    return get_object_or_404(Goal.objects.select_related("plan"), pk=goal_id)


def _goal_form(request: HttpRequest, plan: StrategicPlan, goal: Goal | None) -> HttpResponse:
    initial = ({"title": goal.title, "description": goal.description,
                "deadline": goal.deadline} if goal else None)
    form = GoalForm(request.POST or None, initial=initial)

    def write() -> None:
        d = form.cleaned_data
        services.goal_save(association=request.association, plan=plan, title=d["title"],
                           description=d["description"], deadline=d["deadline"], goal=goal,
                           actor=request.user)

    if form_saved(request, form, write, success="Goal saved."):
        return redirect("strategic_plan_detail", association=_slug(request), strategic_plan_id=plan.pk)
    return render(request, "planning/form.html", {
        "form": form, "title": f"Edit {goal.title}" if goal else f"New goal in {plan.name}",
        "back": reverse("strategic_plan_detail", kwargs={"association": _slug(request),
                                               "strategic_plan_id": plan.pk}),
        "submit": "Save the goal",
        "delete_url": reverse("goal_delete", kwargs={"association": _slug(request),
                                                     "goal_id": goal.pk})
        if goal and can(request)["edit_plan"] else None})


@staff_view
def goal_new(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    return _goal_form(request, _plan(request, strategic_plan_id), None)


@staff_view
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    return _goal_form(request, goal.plan, goal)


@staff_view
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    if request.method != "POST":  # the object first: another association's id is a 404
        return redirect("goal_edit", association=_slug(request), goal_id=goal.pk)
    try:
        services.goal_delete(association=request.association, goal=goal, actor=request.user)
    except DomainError as exc:
        detail = "; ".join(m for ms in exc.fields.values() for m in ms)
        messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
        return redirect("goal_edit", association=_slug(request), goal_id=goal.pk)
    messages.success(request, f"Goal “{goal.title}” deleted.")
    return redirect("strategic_plan_detail", association=_slug(request), strategic_plan_id=goal.plan_id)


@staff_view
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    """The goal's trace: its objectives, their KPIs and where each was discussed, decided
    and acted on (meetings, decisions, action items), each a link."""
    goal = _goal(request, goal_id)
    node = selectors.goal_trace(goal, association_today(request.association))
    slug = _slug(request)
    for n in node.objectives:
        n.rows_url = optional_url("kpi_rows", association=slug, objective_id=n.objective.pk)
        n.filter_words = selectors.filter_words(n.objective, n.metric)
        n.by_kind = by_kind(n.links)
    return render(request, "planning/goal.html", {
        "goal": goal, "node": node, "can": can(request), "comment_form": CommentForm(),
        "comments": selectors.comments_on("goal", goal.pk)})


KINDS = (("meeting", "Meetings"), ("decision", "Decisions"), ("action_item", "Action items"))


def by_kind(links) -> list[tuple[str, list]]:
    out = [(label, [li for li in links if li.kind == kind]) for kind, label in KINDS]
    known = {k for k, _ in KINDS}
    other = [li for li in links if li.kind not in known]
    if other:
        out.append(("Other", other))
    return out


# ---------------------------------------------------------------- comments


def comment_post(request: HttpRequest, subject: str, obj, back: str) -> HttpResponse:
    """Add the posted comment on ``obj`` (already found in the association: another's id
    was a 404), then back to its page; a GET just goes back."""
    if request.method != "POST":
        return redirect(back)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A comment needs some text.")
        return redirect(back)
    try:
        services.comment_add(association=request.association, subject=subject,
                             subject_id=obj.pk, body=form.cleaned_data["body"],
                             actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Comment added.")
    return redirect(back + "#comments")


@staff_view
def plan_comment(request: HttpRequest, strategic_plan_id: int) -> HttpResponse:
    plan = _plan(request, strategic_plan_id)
    return comment_post(request, "plan", plan, reverse(
        "strategic_plan_detail", kwargs={"association": _slug(request), "strategic_plan_id": plan.pk}))


@staff_view
def goal_comment(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    return comment_post(request, "goal", goal, reverse(
        "goal_detail", kwargs={"association": _slug(request), "goal_id": goal.pk}))
