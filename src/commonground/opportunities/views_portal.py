"""Member pages: opportunities suggested for me (with why), my invitations, express
interest, accept or decline. Served in the portal's namespace under /m/<association>/."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonground.core.errors import DomainError
from commonground.people.member_access import member_view

from . import matching, selectors, services
from .forms import RespondForm
from .models import InvitationStatus, Opportunity, OpportunityStatus

# Staff phrasing → the member's ("wants visibility" → "you want visibility").
_VOICE = (("wants ", "you want "), ("spoke ", "you spoke "), ("wrote ", "you wrote "),
          ("taught ", "you taught "), ("mentored ", "you mentored "),
          ("expertise: ", "your expertise: "), ("mentions ", "you wrote about "),
          ("interested in ", "you are interested in "), ("in the ", "you are in the "))


def for_member(reasons: list[str]) -> list[str]:
    out = []
    for r in reasons:
        if r.startswith(("not asked", "highly engaged")):
            continue  # staff's concerns, not a reason a member needs
        for staff, member in _VOICE:
            if r.startswith(staff):
                r = member + r[len(staff):]
                break
        out.append(r.replace("(inferred from activity)", "(from what you do here)"))
    return out


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    try:
        return selectors.portal_opportunity(person=request.person, opportunity_id=opportunity_id)
    except Opportunity.DoesNotExist:
        raise Http404("No such opportunity") from None


@member_view
def opportunities(request: HttpRequest) -> HttpResponse:
    invitations = selectors.person_invitations(request.person)
    mine = {i.opportunity_id for i in invitations}
    open_ones = [o for o in selectors.open_opportunities() if o.pk not in mine]
    suggested = matching.suggestions_for(request.association, request.person, open_ones)
    suggested_ids = {o.pk for o, _ in suggested}
    return render(request, "opportunities/portal/list.html", {
        "invitations": invitations,
        "suggested": [(o, c, for_member(c.reasons)) for o, c in suggested],
        "others": [o for o in open_ones if o.pk not in suggested_ids],
        "respond_form": RespondForm()})


@member_view
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = _opportunity(request, opportunity_id)
    invitation = selectors.invitation_of(opportunity=opp, person=request.person)
    return render(request, "opportunities/portal/detail.html", {
        "opportunity": opp, "traits": selectors.opportunity_traits(opp),
        "invitation": invitation, "can_interest": opp.status == OpportunityStatus.OPEN and (
            invitation is None or invitation.status == InvitationStatus.SUGGESTED),
        "can_respond": invitation is not None and invitation.status == InvitationStatus.INVITED,
        "respond_form": RespondForm()})


@member_view
def opportunity_interest(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = _opportunity(request, opportunity_id)
    if request.method == "POST":
        try:
            services.invitation_advance(association=request.association, opportunity=opp,
                                        person=request.person, event="interest",
                                        actor=request.user, by_member=True)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Thank you: staff will be in touch about it.")
    return redirect("portal:opportunity_detail", association=request.association.slug,
                    opportunity_id=opp.pk)


@member_view
def opportunity_respond(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opp = _opportunity(request, opportunity_id)
    back = redirect("portal:opportunity_detail", association=request.association.slug,
                    opportunity_id=opp.pk)
    if request.method != "POST":
        return back
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or decline.")
        return back
    decision = form.cleaned_data["decision"]
    try:
        services.invitation_advance(association=request.association, opportunity=opp,
                                    person=request.person, event=decision, actor=request.user,
                                    by_member=True, note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Thank you for accepting: staff will confirm the details."
                         if decision == "accept" else "Thank you for letting us know.")
    return back
