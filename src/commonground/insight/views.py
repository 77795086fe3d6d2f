"""Insight staff pages: the at-risk list, the model card, retraining from the card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from commonground.core import charts
from commonground.core.errors import DomainError
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .forms import AtRiskFilter
from .models import Method, ModelKind, VersionStatus

PER_PAGE = 50


def _url(name: str, **kwargs: Any) -> str | None:
    """A sibling app's page, when it is installed (segments and outreach sit above)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@dataclass
class Page:
    """A page of a list without counting the whole list (a COUNT over 100,000 predictions
    joined to people cost more than the page itself): one row more says "there is more"."""

    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page(qs, raw: str | None) -> Page:
    number = int(raw) if raw and raw.isdigit() and 0 < int(raw) < 10_000 else 1
    start = (number - 1) * PER_PAGE
    rows = list(qs[start:start + PER_PAGE + 1])
    return Page(object_list=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE)


@staff_view
def at_risk(request: HttpRequest) -> HttpResponse:
    """Members most likely not to renew at their next renewal date, by revenue at risk."""
    association = request.association
    form = AtRiskFilter(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {"band": form.cleaned_data["band"] or None,
                   "plan_id": form.cleaned_data["plan"],
                   "chapter_id": form.cleaned_data["chapter"]}
    version = selectors.current_version()
    page = _page(selectors.at_risk(**filters), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "insight/at_risk.html", {
        "form": form, "page": page, "version": version, "query": query.urlencode(),
        "counts": selectors.band_counts(version=version), "slug": association.slug,
        "is_rules": version is not None and version.method == Method.RULES,
        "segment_url": _url("segment_from_selection", association=association.slug),
        "outreach_new_url": _url("outreach_new", association=association.slug),
        "latest": selectors.card_version() if version is None else None,
    })


LAPSE_SIGNALS = (
    "Signals: tenure, plan and dues, price changes, payment lateness and overdue invoices, "
    "activity by kind over 3 and 12 months with recency and trend (rates per month, scaled "
    "for members of a few months), email opens, engagement scores of earlier months, the "
    "chapter's activity, number custom fields (as recorded today: they keep no history).")


def card_words(card: dict[str, Any]) -> dict[str, str]:
    """The card's nouns: a model kind's own (``what``, ``decisions``, ``signals`` on its
    card) or the lapse model's."""
    pos, neg = card.get("what") or ("lapses", "renewals")
    unit = card["decisions"] if isinstance(card.get("decisions"), str) else \
        "past renewal decisions"
    return {"pos": pos, "neg": neg, "unit": unit, "signals": card.get("signals") or LAPSE_SIGNALS}


def calibration_chart(version) -> charts.Chart:
    rows = [(b["bin"], b["predicted"], b["observed"], b["n"])
            for b in (version.card.get("calibration") or [])]
    words = card_words(version.card)
    return charts.bar(
        "calibration", title="Calibration on the held-out decisions",
        description=(f"The held-out latest {words['unit']}, split into ten equal groups by "
                     f"predicted probability: the average predicted probability beside the "
                     f"share that actually turned out as {words['pos']}. Bars of equal "
                     "height mean the probabilities can be taken at their word."),
        x=charts.Column("bin", "Group (lowest to highest risk)", "int"),
        series=[charts.Column("predicted", "Predicted", "percent", places=1, colour="#0b5cad"),
                charts.Column("observed", "Observed", "percent", places=1, colour="#c05621")],
        extra=[charts.Column("n", "Decisions")],
        rows=rows, stacked=False, width=640, height=220, filename="calibration.csv")


@staff_view
def model_card(request: HttpRequest, kind: str) -> HttpResponse:
    """The current model's card: how well it does on decisions it never saw."""
    if kind not in ModelKind.values:
        raise Http404("No such model")
    raw = request.GET.get("version")
    version = selectors.card_version(kind, int(raw) if raw and raw.isdigit() else None)
    context: dict[str, Any] = {"kind": kind, "kind_label": ModelKind(kind).label,
                               "version": version, "slug": request.association.slug,
                               "versions": selectors.versions(kind)[:10],
                               "can_train": kind in services.TRAINERS,
                               "words": card_words(version.card if version else {}),
                               "list_url": _url("at_risk" if kind == ModelKind.LAPSE
                                                else "prospects",
                                                association=request.association.slug)}
    if version is not None and version.status == VersionStatus.READY \
            and version.method == Method.MODEL:
        chart = calibration_chart(version)
        if response := charts.csv_for(request, [chart]):
            return response
        context["chart"] = chart.with_csv_url(charts.csv_href(request, chart.name)).render()
        context["importance"] = (version.card.get("importance") or [])[:15]
    return render(request, "insight/model_card.html", context)


@staff_view
@require_POST
def model_train(request: HttpRequest, kind: str) -> HttpResponse:
    """Train a new version now (the weekly task does the same) and score everyone with it."""
    trainer = services.TRAINERS.get(kind)
    if trainer is None:
        raise Http404("No such model")
    try:
        version = trainer(association=request.association, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    except Exception as exc:  # noqa: BLE001 - the version is marked failed with the error
        messages.error(request, f"Training failed: {exc}")
    else:
        what = "a rule-based score" if version.method == Method.RULES else "a trained model"
        messages.success(request, f"Version {version.version} is {what}; every member has "
                                  "been scored with it.")
    return redirect("model_card", association=request.association.slug, kind=kind)
