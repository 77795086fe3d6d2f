"""The member's engagement pages in the portal: notices, the survey, my outcomes and
contributions, peer groups.

Each view parses the form, calls one service or selector and renders; domain errors come
back as field errors on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import form_saved
from commonground.people.member_access import member_view

from . import selectors, services
from .forms import ContributionForm, GroupProposeForm, OutcomeForm, TraitsForm
from .models import (
    Contribution,
    ContributionOrigin,
    Outcome,
    PeerGroup,
    ReportedVia,
    TraitSource,
)


@member_view
def notices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notices_mark_read(association=request.association, person=request.person)
        messages.success(request, "All notices are marked as read.")
        return redirect("portal:notices", association=request.association.slug)
    return render(request, "engagement/portal/notices.html",
                  {"notices": selectors.person_notices(person=request.person),
                   "unread": selectors.unread_notice_count(person=request.person)})


@member_view
def contributions(request: HttpRequest) -> HttpResponse:
    """My contributions and the form to submit one."""
    form = ContributionForm(request.POST or None)
    if form_saved(request, form, lambda: services.contribution_create(
            association=request.association, person=request.person,
            origin=ContributionOrigin.MEMBER, actor=request.user, **form.service_data()),
            success="Thank you: your contribution waits for verification."):
        return redirect("portal:contributions", association=request.association.slug)
    return render(request, "engagement/portal/contributions.html",
                  {"form": form,
                   "contributions": selectors.person_contributions(person=request.person)})


def _mine(request: HttpRequest, contribution_id: int) -> Contribution:
    # Someone else's contribution is not found, rather than forbidden: ids reveal nothing.
    contribution = Contribution.objects.filter(pk=contribution_id, person=request.person).first()
    if contribution is None:
        raise Http404("No such contribution")
    return contribution


@member_view
def contribution_edit(request: HttpRequest, contribution_id: int) -> HttpResponse:
    contribution = _mine(request, contribution_id)
    form = ContributionForm(request.POST or None,
                            initial=ContributionForm.initial_for(contribution))
    if form_saved(request, form, lambda: services.contribution_update(
            association=request.association, contribution=contribution,
            as_member=request.person, actor=request.user, **form.service_data()),
            success="Your contribution was saved."):
        return redirect("portal:contributions", association=request.association.slug)
    return render(request, "engagement/portal/contribution_edit.html",
                  {"form": form, "contribution": contribution})


@member_view
def contribution_withdraw(request: HttpRequest, contribution_id: int) -> HttpResponse:
    contribution = _mine(request, contribution_id)
    if request.method == "POST":
        try:
            services.contribution_withdraw(association=request.association,
                                           contribution=contribution, as_member=request.person,
                                           actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Your contribution was withdrawn.")
    return redirect("portal:contributions", association=request.association.slug)


@member_view
def traits(request: HttpRequest) -> HttpResponse:
    """The short survey: why I belong, what I am good at, what interests me. Editable any time."""
    services.ensure_taxonomy(request.association)
    form = TraitsForm(request.POST if request.method == "POST" else None,
                      traits=list(selectors.taxonomy()),
                      initial_strengths=selectors.person_traits_by_source(
                          person=request.person, source=TraitSource.MEMBER))
    if form_saved(request, form, lambda: services.traits_survey_save(
            association=request.association, person=request.person,
            source=TraitSource.MEMBER, answers=form.answers(), actor=request.user),
            success="Thank you: your answers were saved. You can change them any time."):
        return redirect("portal:traits", association=request.association.slug)
    return render(request, "engagement/portal/traits.html", {"form": form})


@member_view
def outcomes(request: HttpRequest) -> HttpResponse:
    """What I got from belonging: outcomes I report (and staff recorded for me)."""
    form = OutcomeForm(request.POST or None)
    if form_saved(request, form, lambda: services.outcome_create(
            association=request.association, person=request.person,
            reported_via=ReportedVia.MEMBER, actor=request.user, **form.service_data()),
            success="Thank you: your outcome was saved."):
        return redirect("portal:outcomes", association=request.association.slug)
    return render(request, "engagement/portal/outcomes.html",
                  {"form": form, "outcomes": selectors.person_outcomes(person=request.person)})


def _my_outcome(request: HttpRequest, outcome_id: int) -> Outcome:
    outcome = Outcome.objects.filter(pk=outcome_id, person=request.person).first()
    if outcome is None:
        raise Http404("No such outcome")
    return outcome


@member_view
def outcome_edit(request: HttpRequest, outcome_id: int) -> HttpResponse:
    outcome = _my_outcome(request, outcome_id)
    if request.method == "POST" and "delete" in request.POST:
        services.outcome_delete(association=request.association, outcome=outcome,
                                as_member=request.person, actor=request.user)
        messages.success(request, "The outcome was deleted.")
        return redirect("portal:outcomes", association=request.association.slug)
    form = OutcomeForm(request.POST or None, initial=OutcomeForm.initial_for(outcome))
    if form_saved(request, form, lambda: services.outcome_update(
            association=request.association, outcome=outcome, as_member=request.person,
            actor=request.user, via_person=outcome.via_person, **form.service_data()),
            success="Your outcome was saved."):
        return redirect("portal:outcomes", association=request.association.slug)
    return render(request, "engagement/portal/outcome_edit.html",
                  {"form": form, "outcome": outcome})


@member_view
def groups(request: HttpRequest) -> HttpResponse:
    """Peer groups: join an approved one, or propose a new one."""
    form = GroupProposeForm(request.POST or None)
    if form_saved(request, form, lambda: services.group_propose(
            association=request.association, person=request.person, actor=request.user,
            **form.cleaned_data),
            success="Thank you: staff will look at your proposal and let you know."):
        return redirect("portal:groups", association=request.association.slug)
    return render(request, "engagement/portal/groups.html",
                  {"form": form, **selectors.groups_for_member(person=request.person)})


@member_view
def group_membership(request: HttpRequest, group_id: int, action: str) -> HttpResponse:
    group = PeerGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise Http404("No such group")
    if request.method == "POST":
        try:
            if action == "join":
                services.group_join(association=request.association, group=group,
                                    person=request.person, actor=request.user)
                messages.success(request, f"You joined {group.name}.")
            else:
                services.group_leave(association=request.association, group=group,
                                     person=request.person, actor=request.user)
                messages.success(request, f"You left {group.name}.")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("portal:groups", association=request.association.slug)
