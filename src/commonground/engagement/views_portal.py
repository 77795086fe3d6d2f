"""The member's engagement pages in the portal: notices, my contributions.

Each view parses the form, calls one service or selector and renders; domain errors come
back as field errors on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.people.member_access import member_view

from . import selectors, services
from .forms import ContributionForm
from .models import Contribution, ContributionOrigin


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
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_create(association=request.association, person=request.person,
                                         origin=ContributionOrigin.MEMBER, actor=request.user,
                                         **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Thank you: your contribution waits for verification.")
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
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_update(association=request.association,
                                         contribution=contribution, as_member=request.person,
                                         actor=request.user, **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Your contribution was saved.")
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
