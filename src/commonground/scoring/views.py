"""Engagement score staff pages: the profile panel, the person's explanation, the settings
page (edit the model, check it against past renewals before saving)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonground.core.errors import ValidationFailed
from commonground.people.member_access import member_view
from commonground.people.models import Person
from commonground.tenancy.decorators import staff_view

from . import config as config_rules
from . import evaluation, selectors, services
from .forms import ScoreConfigForm


def explanation_context(association: Any, person: Person) -> dict[str, Any]:
    """What "why 72?" and "why +8?" show, for the staff panel and the member's page."""
    score = selectors.score_of(association, person)
    if score is None:
        return {"score": None, "person": person}
    change = selectors.change_since_snapshot(score)
    return {"score": score, "person": person, "why": change.now, "change": change,
            "levels": selectors.level_names(association),
            "trend": selectors.snapshots_of(association, person)}


def profile_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    return {**explanation_context(request.association, person), "request": request}


@staff_view
def score_settings(request: HttpRequest) -> HttpResponse:
    """Edit the score model. "Check" scores past renewal decisions with the current and the
    proposed (unsaved) model side by side; "Save" stores the proposal as a new version and
    recomputes every score in the background."""
    association = request.association
    current = services.current_config(association=association)
    decisions = evaluation.renewal_decisions(association)
    proposed_check = None
    form = ScoreConfigForm(request.POST or None, params=current.params)
    if request.method == "POST" and form.is_valid():
        try:
            params = config_rules.validate(form.to_params())
        except ValidationFailed as exc:
            form.add_config_errors(exc.fields)
        else:
            if request.POST.get("action") == "save":
                saved = services.score_config_save(association=association, params=params,
                                                   note=form.cleaned_data["note"], actor=request.user)
                services.score_recompute_start(association=association, actor=request.user,
                                               background=True)
                messages.success(request, f"Saved as version {saved.version}; every score is "
                                          "being recomputed with it.")
                return redirect("score_settings", association=association.slug)
            proposed_check = evaluation.check(association, params, decisions)
    return render(request, "scoring/settings.html", {
        "form": form, "config": current, "versions": selectors.config_versions(association)[:10],
        "current_check": evaluation.check(association, current.params, decisions),
        "proposed_check": proposed_check, "sample": len(decisions),
        "current_title": f"Current model (v{current.version})"})


@staff_view
def score_explain_page(request: HttpRequest, person_id: int) -> HttpResponse:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    return render(request, "scoring/explain.html", explanation_context(request.association, person))


@member_view
def my_engagement(request: HttpRequest) -> HttpResponse:
    """The member's own score, explained the way staff see it."""
    return render(request, "scoring/portal_engagement.html",
                  explanation_context(request.association, request.person))
