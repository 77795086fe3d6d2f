"""Next-best offering staff page: what is suggested to how many, how well it would have
predicted what people took next, and "compute now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonground.tenancy.decorators import staff_view

from . import selectors, tasks
from .evaluation import KS, MIN_CASES

METHOD_LABELS = {"blend": "Next-best offering (blend)", "taken_together": "Taken together only",
                 "similar_members": "Similar members only",
                 "popular": "Baseline: most popular"}


@staff_view
def next_best_offering(request: HttpRequest) -> HttpResponse:
    run = selectors.latest_run()
    figures = (run.evaluation if run else {}) or {}
    hit = figures.get("hit", {})
    rows = [(METHOD_LABELS[m], [f"{hit[m].get(f'hit@{k}', 0) * 100:.1f}%" for k in KS])
            for m in METHOD_LABELS if m in hit]
    return render(request, "recommendations/overview.html", {
        "run": run, "offerings": selectors.offering_counts() if run else [],
        "shown": selectors.SHOWN, "figures": figures, "hit_rows": rows, "min_cases": MIN_CASES, "ks": KS})


@staff_view
@require_POST
def next_best_offering_compute(request: HttpRequest) -> HttpResponse:
    tasks.enqueue(request.association.pk, evaluate=True)
    messages.success(request, "Suggestions are being computed (and evaluated) in the "
                              "background; this page shows them when the run lands.")
    return redirect("next_best_offering", association=request.association.slug)
