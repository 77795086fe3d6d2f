"""The Prospects page: non-members most likely to join, best first by the first year's
dues they would bring, each with the reasons; a selection becomes a segment (the
segments app's ``segment_from_selection``); staff can retrain or rescore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonground.core.ids import parse_id
from commonground.tenancy.decorators import staff_view

from . import selectors as versions
from .models import Band, ModelKind
from .prospects import selectors, tasks

PAGE = 50


def _page_number(request: HttpRequest) -> int:
    n = parse_id(request.GET.get("page", "") or "1")
    return n if n is not None and n <= 10_000 else 1


def _model_summary(version: Any) -> dict[str, Any] | None:
    """What the page says about the version behind the scores."""
    if version is None:
        return None
    card = version.card or {}
    return {"version": version, "rules": version.method == "rules", "card": card,
            "auc": card.get("auc"), "lift": card.get("top_decile_lift"),
            "why_rules": card.get("why_rules", ""), "horizon": card.get("horizon_days", 180)}


@staff_view
def prospects_page(request: HttpRequest) -> HttpResponse:
    association = request.association
    band = request.GET.get("band", "")
    band = band if band in selectors.BANDS else ""
    search = request.GET.get("q", "")[:100]
    page = _page_number(request)
    qs = selectors.ranked(association, band=band, search=search)
    found = list(qs[(page - 1) * PAGE: page * PAGE + 1])
    more, found = len(found) > PAGE, found[:PAGE]
    rows = [{"p": p, "person": p.person, "percent": round(100 * p.probability, 1),
             "expected": round(p.expected, 2)} for p in found]
    current = versions.current_version(ModelKind.PROSPECT)
    latest = versions.versions(ModelKind.PROSPECT).first()
    return render(request, "insight/prospects.html", {
        "rows": rows, "band": band, "q": search, "bands": Band.choices, "page": page,
        "more": more, "first_rank": (page - 1) * PAGE + 1,
        "counts": selectors.counts(association), "model": _model_summary(current),
        "pending": latest if latest is not None and latest != current
        and latest.status in ("training", "failed") else None,
        "currency": association.currency})


@staff_view  # first: another association's URL is a 404, whatever the method
@require_POST
def prospects_refresh(request: HttpRequest) -> HttpResponse:
    """"Retrain now" (a new version, then everyone rescored) or "Rescore now" (the current
    version on today's activity), handed to the worker: training reads the whole history."""
    association = request.association
    if request.POST.get("action") == "train":
        tasks.enqueue_train(association.pk, actor_id=request.user.pk)
        messages.success(request, "Retraining the prospects model; the list updates when it is done.")
    else:
        tasks.enqueue_score(association.pk)
        messages.success(request, "Rescoring every prospect; the list updates when it is done.")
    return redirect("prospects", association=association.slug)
