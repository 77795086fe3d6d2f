"""Staff pages: opportunities (list, create, edit, detail with the pipeline), ranked
candidates with reasons and gaps, invite and the invitation's next steps. Every action is
a POST form calling one service; no JavaScript needed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.people.models import Person
from commonground.tenancy.decorators import staff_view

from . import matching, selectors, services, states
from .forms import CompleteForm, InviteForm, OpportunityForm
from .models import Invitation, Opportunity, OpportunityStatus

STAFF_ACTIONS = {"accept": "Accepted", "decline": "Declined", "withdraw": "Withdrawn",
                 "complete": "Completed", "suggest": "Shortlisted"}


@staff_view
def opportunity_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in OpportunityStatus.values:
        status = None
    return render(request, "opportunities/list.html", {
        "opportunities": selectors.opportunity_list(status=status), "status": status,
        "statuses": OpportunityStatus.choices})


@staff_view
def opportunity_edit(request: HttpRequest, opportunity_id: int | None = None) -> HttpResponse:
    opp = get_object_or_404(Opportunity, pk=opportunity_id) if opportunity_id else None
    form = OpportunityForm(request.POST or None,
                           initial=OpportunityForm.initial_for(opp) if opp else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.opportunity_save(association=request.association, opportunity=opp,
                                              actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Opportunity “{saved.title}” saved.")
            return redirect("opportunity_detail", association=request.association.slug,
                            opportunity_id=saved.pk)
    return render(request, "opportunities/form.html", {"form": form, "opportunity": opp})


@staff_view
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = get_object_or_404(Opportunity.objects.select_related("chapter"), pk=opportunity_id)
    pipeline = selectors.opportunity_pipeline(opp)
    for inv in pipeline:
        inv.actions = [(e, STAFF_ACTIONS[e]) for e in states.allowed_events(inv.status)
                       if e in STAFF_ACTIONS and e != "suggest"]
    return render(request, "opportunities/detail.html", {
        "opportunity": opp, "traits": selectors.opportunity_traits(opp), "pipeline": pipeline,
        "taken": services.places_taken(opp), "statuses": OpportunityStatus.choices,
        "complete_form": CompleteForm()})


@staff_view
def opportunity_candidates(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = get_object_or_404(Opportunity.objects.select_related("chapter"), pk=opportunity_id)
    try:
        limit = max(1, min(int(request.GET.get("limit", 25)), 200))
    except ValueError:
        limit = 25
    result = matching.match(request.association, opp, limit=limit)
    return render(request, "opportunities/candidates.html", {
        "opportunity": opp, "result": result, "limit": limit,
        "can_invite": opp.status == OpportunityStatus.OPEN})


@staff_view
def opportunity_status(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = get_object_or_404(Opportunity, pk=opportunity_id)
    if request.method == "POST":
        try:
            opp = services.opportunity_set_status(association=request.association,
                                                  opportunity=opp,
                                                  status=request.POST.get("status", ""),
                                                  actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Opportunity now {opp.get_status_display().lower()}.")
    return redirect("opportunity_detail", association=request.association.slug,
                    opportunity_id=opp.pk)


@staff_view
def opportunity_invite(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = get_object_or_404(Opportunity, pk=opportunity_id)
    back = redirect("opportunity_candidates", association=request.association.slug,
                    opportunity_id=opp.pk)
    if request.method != "POST":
        return back
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose someone to invite.")
        return back
    person = get_object_or_404(Person, pk=form.cleaned_data["person_id"], erased_at__isnull=True)
    try:
        services.invitation_advance(association=request.association, opportunity=opp,
                                    person=person, event="invite", actor=request.user,
                                    message=form.cleaned_data["message"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{person} invited; they were told by email and in the portal.")
    return back


@staff_view
def invitation_action(request: HttpRequest, invitation_id: int, action: str) -> HttpResponse:
    inv = get_object_or_404(Invitation.objects.select_related("opportunity", "person"),
                            pk=invitation_id)
    back = redirect("opportunity_detail", association=request.association.slug,
                    opportunity_id=inv.opportunity_id)
    if request.method != "POST" or action not in STAFF_ACTIONS:
        return back
    extra = {}
    if action == "complete":
        form = CompleteForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the date and hours.")
            return back
        extra = {"occurred_on": form.cleaned_data["occurred_on"],
                 "hours": form.cleaned_data["hours"]}
    try:
        services.invitation_advance(association=request.association, opportunity=inv.opportunity,
                                    person=inv.person, event=action, actor=request.user,
                                    **extra)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = f"{STAFF_ACTIONS[action]}: {inv.person}."
        if action == "complete":
            text += " A contribution waits for verification."
        messages.success(request, text)
    return back
