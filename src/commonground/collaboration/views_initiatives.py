"""Joint initiative pages: start one in a consortium, its page (participants with what
each contributed and received, objectives summed over the participants' own data with
their progress, contributions, revenues and their split), change its status and split,
add an objective, compute the objectives now, record a contribution or a revenue.

An initiative is shown to the active members of its consortium; anything else is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commonground.core import metrics
from commonground.core.errors import DomainError, NotFound
from commonground.core.forms import form_saved
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import crossing
from . import selectors_consortia as sel
from .crossing import initiatives as cross
from .forms_consortia import (
    ContributionForm,
    InitiativeChangeForm,
    InitiativeForm,
    ObjectiveForm,
    RevenueForm,
)
from .models import JointInitiative
from .services import initiatives as services
from .views_consortia import can, refused_message, visible


def initiative_visible(request: HttpRequest, initiative_id: int) -> JointInitiative:
    try:
        return cross.initiative_visible(association=request.association,
                                        initiative_id=initiative_id)
    except NotFound:
        raise Http404("No such initiative") from None


def _detail(request: HttpRequest, initiative: JointInitiative) -> HttpResponse:
    return redirect("initiative_detail", association=request.association.slug,
                    initiative_id=initiative.pk)


def _back(request: HttpRequest, initiative: JointInitiative) -> str:
    return reverse("initiative_detail", kwargs={"association": request.association.slug,
                                                "initiative_id": initiative.pk})


def _percent_fields(write: Callable[[], Any]) -> Callable[[], Any]:
    """The services name a participant's percentage ``percents.<slug>``; the forms
    ``percent_<slug>``; a filter's mistake ``filters.<name>`` lands on ``filters``."""
    def wrapped() -> Any:
        try:
            return write()
        except DomainError as exc:
            exc.fields = {k.replace("percents.", "percent_", 1)
                          .split(".")[0] if k.startswith(("percents.", "filters.")) else k: v
                          for k, v in exc.fields.items()}
            raise
    return wrapped


def _form_page(request: HttpRequest, form, title: str, submit: str, back: str,
               intro: str = "") -> HttpResponse:
    return render(request, "collaboration/consortia/form.html", {
        "form": form, "title": title, "submit": submit, "back": back, "intro": intro})


@staff_view
def initiative_new(request: HttpRequest, consortium_id: int) -> HttpResponse:
    consortium = visible(request, consortium_id)
    members = [m.association for m in crossing.participants(consortium)]
    form = InitiativeForm(request.POST or None, members=members)
    made: list[JointInitiative] = []

    def write() -> None:
        d = form.cleaned_data
        made.append(services.initiative_create(
            association=request.association, consortium=consortium, name=d["name"],
            kind=d["kind"], purpose=d["purpose"], starts_on=d["starts_on"],
            ends_on=d["ends_on"], split_method=d["split_method"],
            participants=d["participants"], percents=form.percents(), actor=request.user))

    if form_saved(request, form, _percent_fields(write), success="Initiative started."):
        return _detail(request, made[0])
    return _form_page(request, form, f"A joint initiative of {consortium.name}",
                      "Start the initiative",
                      reverse("consortium_detail", kwargs={
                          "association": request.association.slug,
                          "consortium_id": consortium.pk}),
                      "A joint initiative or a joint social enterprise, led by your "
                      "association, with the consortium members you choose.")


@staff_view
def initiative_detail(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = initiative_visible(request, initiative_id)
    today = association_today(request.association)
    page = sel.initiative_page(request.association, initiative, today)
    return render(request, "collaboration/consortia/initiative.html", {
        "page": page, "initiative": initiative, "can": can(request),
        "contribution_form": ContributionForm() if page.is_participant else None,
        "revenue_form": RevenueForm() if page.is_lead else None})


@staff_view
def initiative_edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = initiative_visible(request, initiative_id)
    parts = cross.participants_of(initiative)
    form = InitiativeChangeForm(request.POST or None, members=[p.association for p in parts],
                                initial={"status": initiative.status,
                                         "split_method": initiative.split_method,
                                         **{f"percent_{p.association.slug}": p.split_percent
                                            for p in parts}})

    def write() -> None:
        d = form.cleaned_data
        services.initiative_change(association=request.association, initiative=initiative,
                                   status=d["status"], split_method=d["split_method"],
                                   percents=form.percents(), actor=request.user)

    if form_saved(request, form, _percent_fields(write), success="Initiative saved."):
        return _detail(request, initiative)
    return _form_page(request, form, f"Change {initiative.name}", "Save",
                      _back(request, initiative),
                      "Revenues already split keep their shares; the new rule applies to "
                      "revenues recorded from now on.")


def metric_choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.group}: {m.label}") for m in metrics.catalogue()]


@staff_view
def initiative_objective_new(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = initiative_visible(request, initiative_id)
    form = ObjectiveForm(request.POST or None, metric_choices=metric_choices(),
                         initial={"metric_key": "activity.event_attendance"})

    def write() -> None:
        d = dict(form.cleaned_data)
        d["baseline"] = d["baseline"] if d["baseline"] is not None else 0
        services.initiative_objective_add(association=request.association,
                                          initiative=initiative, actor=request.user, **d)

    if form_saved(request, form, _percent_fields(write), success="Objective added."):
        return _detail(request, initiative)
    return _form_page(request, form, f"An objective of {initiative.name}", "Add the objective",
                      _back(request, initiative),
                      "Its number is the metric computed in each participant's own data and "
                      "summed: every participant sees its own figure and the total.")


@staff_view
def initiative_refresh(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """POST only; another association's initiative is a 404 first."""
    initiative = initiative_visible(request, initiative_id)
    if request.method != "POST":
        return _detail(request, initiative)
    refused_message(request, lambda: services.initiative_snapshot(
        association=request.association, initiative=initiative, actor=request.user),
        "The objectives were computed in each participant's data.")
    return _detail(request, initiative)


@staff_view
def initiative_contribute(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = initiative_visible(request, initiative_id)
    form = ContributionForm(request.POST or None)

    def write() -> None:
        services.contribution_record(association=request.association, initiative=initiative,
                                     actor=request.user, **form.cleaned_data)

    if form_saved(request, form, write, success="Contribution recorded."):
        return _detail(request, initiative)
    return _form_page(request, form, f"Your contribution to {initiative.name}",
                      "Record the contribution", _back(request, initiative))


@staff_view
def initiative_revenue_new(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = initiative_visible(request, initiative_id)
    form = RevenueForm(request.POST or None)

    def write() -> None:
        services.revenue_record(association=request.association, initiative=initiative,
                                actor=request.user, **form.cleaned_data)

    if form_saved(request, form, write, success="Revenue recorded and split."):
        return _detail(request, initiative)
    return _form_page(request, form, f"A revenue of {initiative.name}", "Record and split",
                      _back(request, initiative),
                      f"Split at once by the initiative's rule "
                      f"({initiative.get_split_method_display().lower()}), to the cent.")
