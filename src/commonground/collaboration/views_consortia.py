"""Consortia pages: the association's consortia and invitations, forming one, a
consortium's page (participants, governance, the characteristics side by side, its
initiatives), inviting by slug, answering an invitation, leaving, the governance form and
history, assessing, and each participant's assessment history.

A consortium is shown only to its active members (an invitation only to the invited
association); anything else is a 404. Every write is one service call; its refusals are
messages on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commonground.core.errors import DomainError, NotFound
from commonground.core.forms import form_saved
from commonground.tenancy import permissions
from commonground.tenancy.decorators import staff_view

from . import crossing
from . import selectors_consortia as sel
from .forms_consortia import AssessmentForm, ConsortiumForm, GovernanceForm, InviteForm
from .models import Consortium
from .services import consortia as services


def can(request: HttpRequest) -> dict[str, bool]:
    roles = request.staff_roles
    return {"govern": permissions.may_govern_collaboration(roles),
            "work": permissions.may_work_collaboration(roles)}


def visible(request: HttpRequest, consortium_id: int) -> Consortium:
    """The consortium if the association is an active member, else a 404."""
    try:
        return crossing.consortium_visible(association=request.association,
                                           consortium_id=consortium_id)
    except NotFound:
        raise Http404("No such consortium") from None


def _detail(request: HttpRequest, consortium: Consortium) -> HttpResponse:
    return redirect("consortium_detail", association=request.association.slug,
                    consortium_id=consortium.pk)


def refused_message(request: HttpRequest, write: Callable[[], Any], success: str) -> bool:
    """A one-button write: its refusal becomes an error message on the page."""
    try:
        write()
    except DomainError as exc:
        detail = "; ".join(f"{'; '.join(v)}" for v in exc.fields.values())
        messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
        return False
    messages.success(request, success)
    return True


@staff_view
def consortium_list(request: HttpRequest) -> HttpResponse:
    return render(request, "collaboration/consortia/list.html", {
        "rows": sel.consortium_rows(request.association), "can": can(request)})


@staff_view
def consortium_new(request: HttpRequest) -> HttpResponse:
    form = ConsortiumForm(request.POST or None)
    made: list[Consortium] = []

    def write() -> None:
        made.append(services.consortium_create(association=request.association,
                                               actor=request.user, **form.cleaned_data))

    if form_saved(request, form, write, success="Consortium formed: invite its members."):
        return _detail(request, made[0])
    return render(request, "collaboration/consortia/form.html", {
        "form": form, "title": "Form a consortium", "submit": "Form the consortium",
        "intro": "Your association coordinates it and is its first member.",
        "back": reverse("consortium_list", kwargs={"association": request.association.slug})})


@staff_view
def consortium_detail(request: HttpRequest, consortium_id: int) -> HttpResponse:
    consortium = visible(request, consortium_id)
    page = sel.consortium_page(request.association, consortium)
    return render(request, "collaboration/consortia/detail.html", {
        "page": page, "consortium": consortium, "can": can(request),
        "is_coordinator": page.me.is_coordinator, "invite_form": InviteForm(),
        "assess_form": AssessmentForm()})


@staff_view
def consortium_governance(request: HttpRequest, consortium_id: int) -> HttpResponse:
    """The coordinator changes the governance; everyone reads its history below."""
    consortium = visible(request, consortium_id)
    coordinator = consortium.association_id == request.association.pk
    form = GovernanceForm(request.POST or None, initial={
        "name": consortium.name, "purpose": consortium.purpose, "level": consortium.level,
        "decision_rule": consortium.decision_rule, "governance": consortium.governance,
        "review_on": consortium.review_on})

    def write() -> None:
        d = dict(form.cleaned_data)
        d["review_on"] = d["review_on"] or ""
        services.consortium_govern(association=request.association, consortium=consortium,
                                   actor=request.user, **d)

    if coordinator and form_saved(request, form, write, success="Governance saved."):
        return _detail(request, consortium)
    return render(request, "collaboration/consortia/governance.html", {
        "consortium": consortium, "form": form if coordinator and can(request)["govern"]
        else None, "history": sel.governance_history(consortium)})


@staff_view
def consortium_invite(request: HttpRequest, consortium_id: int) -> HttpResponse:
    """POST only (the form is on the consortium's page); another consortium is a 404
    before anything else, so a GET of one's own answers with its page."""
    consortium = visible(request, consortium_id)
    if request.method != "POST":
        return _detail(request, consortium)
    form = InviteForm(request.POST)
    if form.is_valid():
        refused_message(request, lambda: services.consortium_invite(
            association=request.association, consortium=consortium, actor=request.user,
            invitee=form.cleaned_data["invitee"], votes=form.cleaned_data["votes"]),
            f"Invitation sent to {form.cleaned_data['invitee']}: its administrators answer "
            "on their own pages.")
    else:
        messages.error(request, "Name the association by its slug (votes 1 to 100).")
    return _detail(request, consortium)


@staff_view
def consortium_invitation(request: HttpRequest, consortium_id: int) -> HttpResponse:
    """The association's own invitation: what it is invited to, accept or decline."""
    try:
        member = crossing.invitation_visible(association=request.association,
                                             consortium_id=consortium_id)
    except NotFound:
        raise Http404("No such invitation") from None
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, "Choose accept or decline.")
        elif refused_message(request, lambda: services.consortium_answer(
                association=request.association, consortium_id=consortium_id,
                accept=answer == "accept", actor=request.user),
                "You joined the consortium." if answer == "accept"
                else "You declined the invitation."):
            if answer == "accept":
                return redirect("consortium_detail", association=request.association.slug,
                                consortium_id=consortium_id)
            return redirect("consortium_list", association=request.association.slug)
    with crossing.across():
        coordinator = member.consortium.association
    return render(request, "collaboration/consortia/invitation.html", {
        "member": member, "consortium": member.consortium, "coordinator": coordinator,
        "can": can(request)})


@staff_view
def consortium_leave(request: HttpRequest, consortium_id: int) -> HttpResponse:
    consortium = visible(request, consortium_id)
    if request.method != "POST":
        return _detail(request, consortium)
    if refused_message(request, lambda: services.consortium_leave(
            association=request.association, consortium=consortium, actor=request.user),
            f"You left {consortium.name}."):
        return redirect("consortium_list", association=request.association.slug)
    return _detail(request, consortium)


@staff_view
def consortium_assess(request: HttpRequest, consortium_id: int) -> HttpResponse:
    consortium = visible(request, consortium_id)
    form = AssessmentForm(request.POST or None, initial={
        "characteristic": request.GET.get("characteristic", "")})

    def write() -> None:
        d = dict(form.cleaned_data)
        d["assessed_on"] = d["assessed_on"] or None
        services.assessment_record(association=request.association, consortium=consortium,
                                   actor=request.user, **d)

    if form_saved(request, form, write, success="Assessment recorded."):
        return _detail(request, consortium)
    return render(request, "collaboration/consortia/form.html", {
        "form": form, "title": f"Assess {consortium.name}", "submit": "Record the assessment",
        "intro": "Your association's view, dated: the latest per characteristic shows beside "
                 "the other participants'; earlier ones stay in the history.",
        "back": reverse("consortium_detail", kwargs={"association": request.association.slug,
                                                     "consortium_id": consortium.pk})})


@staff_view
def consortium_assessments(request: HttpRequest, consortium_id: int) -> HttpResponse:
    """Every assessment of every participant, newest first, per characteristic."""
    consortium = visible(request, consortium_id)
    return render(request, "collaboration/consortia/assessments.html", {
        "consortium": consortium, "matrix": sel.characteristics_matrix(consortium)})
