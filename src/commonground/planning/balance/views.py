"""The balance pages: the view itself (two side charts, the offerings' quadrants), the
settings (which metrics sit on which side) and the offering costs. Each parses the input,
calls one selector or service and renders."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from commonground.core import charts
from commonground.core.errors import DomainError
from commonground.core.forms import form_saved
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from ..models import BalanceMetric, OfferingCost
from . import selectors, services, tasks
from .charts import page_charts
from .forms import BalanceMetricForm, OfferingCostForm

MONTH_CHOICES = (6, 12, 24)


def _months(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and int(raw) in MONTH_CHOICES else 12


def _rows_url(slug: str, series, view) -> str | None:
    """The drill-down behind a side's latest figure (the kpis app's generic rows page)."""
    if series.balance_metric is None or not series.known:
        return None
    try:
        base = reverse("metric_rows", kwargs={"association": slug})
    except NoReverseMatch:
        return None
    last = view.months[-1]
    query = {"metric": series.balance_metric.metric, "start": last.start.isoformat(),
             "end": last.end.isoformat(), **(series.balance_metric.filters or {})}
    return f"{base}?{urlencode(query)}"


@staff_view
def balance(request: HttpRequest) -> HttpResponse:
    association = request.association
    today = association_today(association)
    view = selectors.balance_view(association, today=today,
                                  months=_months(request.GET.get("months")),
                                  period=request.GET.get("period", "")[:7],
                                  economic=request.GET.get("economic", "margin"))
    declared = page_charts(view)
    if (response := charts.csv_for(request, declared)):
        return response
    rendered = {c.name: c.with_csv_url(charts.csv_href(request, c.name)).render() for c in declared}
    slug = association.slug
    sides = [{"key": side, "label": view.side_label(side), "chart": rendered[side],
              "series": [{"s": s, "rows_url": _rows_url(slug, s, view)} for s in view.sides[side]]}
             for side in services.SIDES]
    roles = request.staff_roles
    return render(request, "planning/balance/balance.html", {
        "view": view, "sides": sides, "offerings_chart": rendered["offerings"], "slug": slug,
        "month_choices": MONTH_CHOICES, "months": len(view.months),
        "may_edit": any(permissions.may_edit_balance(roles, s) for s in services.SIDES),
        "may_cost": permissions.may_record_cost(roles),
    })


@staff_view
@require_POST
def balance_refresh(request: HttpRequest) -> HttpResponse:
    """Queue today's snapshots now instead of waiting for the night's job."""
    if not any(permissions.may_edit_balance(request.staff_roles, s) for s in services.SIDES):
        messages.error(request, "Only staff on a side or administrators can refresh the figures.")
    else:
        tasks.enqueue_on_commit(request.association.pk)
        messages.success(request, "The figures are being computed; reload in a minute.")
    return redirect("balance", association=request.association.slug)


@staff_view
def balance_settings(request: HttpRequest) -> HttpResponse:
    association = request.association
    form = BalanceMetricForm(request.POST or None, prefix="add")
    if form_saved(request, form, lambda: services.balance_metric_add(
            association=association, side=form.cleaned_data["side"],
            metric=form.cleaned_data["metric"], filters=form.cleaned_data["filters"],
            label=form.cleaned_data["label"], actor=request.user),
            success="Metric added; its figures appear after the next snapshot."):
        return redirect("balance_settings", association=association.slug)
    rows, configured = selectors.balance_metrics(association)
    roles = request.staff_roles
    sides = [{"key": side, "label": selectors.BalanceSide(side).label,
              "may_edit": permissions.may_edit_balance(roles, side),
              "rows": [{"m": m, "label": selectors.label_of(m)} for m in rows if m.side == side]}
             for side in services.SIDES]
    return render(request, "planning/balance/settings.html", {
        "form": form, "sides": sides, "configured": configured, "slug": association.slug})


def _post_write(request: HttpRequest, write, success: str) -> HttpResponse:
    try:
        write()
    except DomainError as exc:
        messages.error(request, " ".join([exc.message, *(m for ms in exc.fields.values()
                                                         for m in ms)]))
    else:
        messages.success(request, success)
    return redirect("balance_settings", association=request.association.slug)


@staff_view
def balance_metric_remove(request: HttpRequest, balance_metric_id: int) -> HttpResponse:
    row = get_object_or_404(BalanceMetric, pk=balance_metric_id)
    if request.method != "POST":  # after the lookup: another association's id is a 404
        return HttpResponseNotAllowed(["POST"])
    return _post_write(request, lambda: services.balance_metric_remove(
        association=request.association, balance_metric=row, actor=request.user),
        "Metric removed from the balance view.")


@staff_view
def balance_metric_move(request: HttpRequest, balance_metric_id: int) -> HttpResponse:
    row = get_object_or_404(BalanceMetric, pk=balance_metric_id)
    if request.method != "POST":  # after the lookup: another association's id is a 404
        return HttpResponseNotAllowed(["POST"])
    side = request.POST.get("side") or None
    direction = request.POST.get("direction") or None
    return _post_write(request, lambda: services.balance_metric_move(
        association=request.association, balance_metric=row, side=side, direction=direction,
        actor=request.user), "Metric moved.")


@staff_view
@require_POST
def balance_defaults(request: HttpRequest) -> HttpResponse:
    """Store the default metrics so they can be edited one by one."""
    return _post_write(request, lambda: services.balance_defaults_apply(
        association=request.association, actor=request.user), "Defaults stored.")


@staff_view
def balance_costs(request: HttpRequest) -> HttpResponse:
    association = request.association
    form = OfferingCostForm(request.POST or None)
    if form_saved(request, form, lambda: services.offering_cost_record(
            association=association, offering=form.cleaned_data["offering"],
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"], amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"], actor=request.user),
            success="Cost recorded; margins include it after the next snapshot."):
        return redirect("balance_costs", association=association.slug)
    return render(request, "planning/balance/costs.html", {
        "form": form, "costs": selectors.costs(association), "slug": association.slug,
        "may_cost": permissions.may_record_cost(request.staff_roles)})


@staff_view
def balance_cost_delete(request: HttpRequest, cost_id: int) -> HttpResponse:
    cost = get_object_or_404(OfferingCost, pk=cost_id)
    if request.method != "POST":  # after the lookup: another association's id is a 404
        return HttpResponseNotAllowed(["POST"])
    try:
        services.offering_cost_delete(association=request.association, cost=cost,
                                      actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cost removed.")
    return redirect("balance_costs", association=request.association.slug)
