"""An objective's pages: its burn-up with the pace needed, its KPI, owners, trace links and
comments; the form that adds or changes it; its status."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from commonground.core import charts, metrics
from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .charts import burnup_chart
from .forms import FILTER_PREFIX, CommentForm, ObjectiveForm
from .models import Goal, Objective, ObjectiveStatus
from .progress import PACE_DAYS
from .views import by_kind, can, comment_post, optional_url


def _slug(request: HttpRequest) -> str:
    return request.association.slug


def _objective(objective_id: int) -> Objective:
    return get_object_or_404(Objective.objects.select_related("goal", "goal__plan"),
                             pk=objective_id)


def _num(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def pace_sentence(objective: Objective, p) -> str:
    """The pace needed, said as staff act on it: "+12 per 30 days to reach 400 by …"."""
    if objective.status != ObjectiveStatus.ACTIVE:
        return f"This objective is {objective.get_status_display().lower()}."
    if p.current is None:
        return "No value has been computed yet: the first one comes with tonight's snapshot."
    if p.state == "achieved":
        return f"The target of {_num(objective.target)} is reached."
    if p.required_pace is None:
        return (f"The deadline has passed at {_num(p.current)} of "
                f"{_num(objective.target)}.")
    sign = "+" if p.required_pace >= 0 else "−"
    text = (f"To reach {_num(objective.target)} by {objective.deadline:%-d %b %Y} it needs "
            f"{sign}{_num(abs(p.required_pace))} per {PACE_DAYS} days from now.")
    if p.pace is not None:
        so_far = "+" if p.pace >= 0 else "−"
        text += (f" So far: {so_far}{_num(abs(p.pace))} per {PACE_DAYS} days, which would "
                 f"end near {_num(p.projected)}.")
    return text


def _rows_link(request: HttpRequest, objective: Objective, metric) -> tuple[str | None, str]:
    """The drill-down's URL and its words: "See the 412 people behind this number"."""
    url = optional_url("kpi_rows", association=_slug(request), objective_id=objective.pk)
    noun = "rows"
    if metric is not None:
        try:
            _, query = metrics.validate(association=request.association,
                                        metric_key=objective.metric, filters=objective.filters,
                                        start=objective.starts_on, end=objective.deadline)
            noun = metric.rows(request.association, query).noun
        except DomainError:
            pass  # a filter that no longer resolves: the rows page says so
    count = objective.current_value
    if count is not None and metric is not None and metric.unit == "count":
        return url, f"See the {_num(count)} {noun} behind this number"
    return url, f"See the {noun} behind this number"


@staff_view
def objective_detail(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    objective.association = request.association
    detail = selectors.objective_detail(objective, association_today(request.association))
    chart = burnup_chart(detail)
    if response := charts.csv_for(request, [chart]):
        return response
    metric = detail.node.metric
    rows_url, rows_words = _rows_link(request, objective, metric)
    roles = request.staff_roles
    return render(request, "planning/objective.html", {
        "o": objective, "detail": detail, "p": detail.progress, "metric": metric,
        "chart": chart.with_csv_url(charts.csv_href(request, chart.name)).render(),
        "pace": pace_sentence(objective, detail.progress),
        "filter_words": selectors.filter_words(objective, metric),
        "rows_url": rows_url, "rows_words": rows_words,
        "links": by_kind(detail.node.links), "can": can(request),
        "may_edit": permissions.may_edit_objective(roles, objective.sides),
        "statuses": [s for s in ObjectiveStatus.choices if s[0] != objective.status],
        "comment_form": CommentForm(), "comments": detail.comments,
        "num": _num(objective.current_value), "target": _num(objective.target)})


def _objective_form(request: HttpRequest, goal: Goal, objective: Objective | None
                    ) -> HttpResponse:
    initial = ObjectiveForm.initial_for(objective) if objective else None
    form = ObjectiveForm(request.POST or None, initial=initial,
                         association=request.association)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        baseline = d["baseline"] or None
        if objective is not None and baseline is not None and \
                Decimal(baseline.replace(",", "") or 0) == objective.baseline and \
                (d["metric"], form.kpi_filters()) != (objective.metric, objective.filters):
            baseline = None  # the old KPI's baseline: let the new KPI's be computed
        try:
            saved = services.objective_save(
                association=request.association, goal=goal, title=d["title"],
                description=d["description"], metric=d["metric"],
                filters=form.kpi_filters(), starts_on=d["starts_on"], deadline=d["deadline"],
                target=d["target"], baseline=baseline, direction=d["direction"],
                sides=d["sides"] or None, owners=form.owner_pairs(), objective=objective,
                actor=request.user)
        except DomainError as exc:
            exc.fields = {k.replace("filters.", FILTER_PREFIX, 1): v
                          for k, v in exc.fields.items()}
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Objective “{saved.title}” saved.")
            return redirect("objective_detail", association=_slug(request),
                            objective_id=saved.pk)
    back = (reverse("objective_detail", kwargs={"association": _slug(request),
                                                "objective_id": objective.pk}) if objective
            else reverse("strategic_plan_detail", kwargs={"association": _slug(request),
                                                "strategic_plan_id": goal.plan_id}))
    catalogue_url = optional_url("metric_catalogue", association=_slug(request))
    return render(request, "planning/objective_form.html", {
        "form": form, "goal": goal, "objective": objective, "back": back,
        "catalogue_url": catalogue_url,
        "title": f"Edit {objective.title}" if objective else f"New objective for {goal.title}"})


@staff_view
def objective_new(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("plan"), pk=goal_id)
    return _objective_form(request, goal, None)


@staff_view
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    return _objective_form(request, objective.goal, objective)


@staff_view
def objective_status(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    if request.method != "POST":  # the object first: another association's id is a 404
        return redirect("objective_detail", association=_slug(request),
                        objective_id=objective.pk)
    try:
        services.objective_set_status(association=request.association, objective=objective,
                                      status=request.POST.get("status", ""),
                                      actor=request.user)
    except DomainError as exc:
        detail = "; ".join(m for ms in exc.fields.values() for m in ms)
        messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
    else:
        messages.success(request, f"“{objective.title}” is now "
                                  f"{objective.get_status_display().lower()}.")
    return redirect("objective_detail", association=_slug(request), objective_id=objective.pk)


@staff_view
def objective_comment(request: HttpRequest, objective_id: int) -> HttpResponse:
    objective = _objective(objective_id)
    return comment_post(request, "objective", objective, reverse(
        "objective_detail", kwargs={"association": _slug(request),
                                    "objective_id": objective.pk}))
