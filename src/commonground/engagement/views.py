"""Staff pages: taxonomies, a person's traits, the contribution verification queue, recording
contributions and outcomes, deciding on peer groups.

Each view parses the form, calls one service or selector and renders; domain errors come
back as field errors on the form or as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors, form_saved
from commonground.people.models import Person
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .forms import (
    GroupDecideForm,
    OutcomeForm,
    RejectForm,
    StaffContributionForm,
    TraitForm,
    TraitsForm,
)
from .models import (
    Contribution,
    ContributionOrigin,
    ContributionStatus,
    GroupStatus,
    PeerGroup,
    ReportedVia,
    Trait,
    TraitKind,
    TraitSource,
)


@staff_view
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    services.ensure_taxonomy(request.association)
    form = TraitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trait = services.trait_save(association=request.association, actor=request.user,
                                        **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Added {trait.get_kind_display().lower()} “{trait.name}”.")
            return redirect("taxonomy_list", association=request.association.slug)
    traits = list(selectors.taxonomy(active_only=False))
    groups = [(label, [t for t in traits if t.kind == kind]) for kind, label in TraitKind.choices]
    return render(request, "engagement/taxonomy_list.html", {"groups": groups, "form": form})


@staff_view
def trait_edit(request: HttpRequest, trait_id: int) -> HttpResponse:
    trait = get_object_or_404(Trait, pk=trait_id)
    form = TraitForm(request.POST or None, initial=TraitForm.initial_for(trait))
    form.fields["kind"].disabled = True
    if form_saved(request, form, lambda: services.trait_save(
            association=request.association, trait=trait, actor=request.user,
            **form.cleaned_data), success=f"Saved “{trait.name}”."):
        return redirect("taxonomy_list", association=request.association.slug)
    return render(request, "engagement/trait_edit.html", {"form": form, "trait": trait})


@staff_view
def person_traits(request: HttpRequest, person_id: int) -> HttpResponse:
    """Staff record a person's motivations, skills and interests (source "staff"); the
    member's own answers and the inferred ones are shown beside, not changed."""
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    services.ensure_taxonomy(request.association)
    form = TraitsForm(request.POST if request.method == "POST" else None,
                      traits=list(selectors.taxonomy()),
                      initial_strengths=selectors.person_traits_by_source(
                          person=person, source=TraitSource.STAFF))
    if form_saved(request, form, lambda: services.traits_survey_save(
            association=request.association, person=person, source=TraitSource.STAFF,
            answers=form.answers(), actor=request.user), success="Saved."):
        return redirect("person_detail", association=request.association.slug,
                        person_id=person.pk)
    return render(request, "engagement/person_traits.html",
                  {"form": form, "person": person,
                   "effective": selectors.effective_traits(person)})


QUEUE_LIMIT = 100


@staff_view
def contribution_queue(request: HttpRequest) -> HttpResponse:
    """The verification queue: contributions waiting (or, by filter, decided ones)."""
    status = request.GET.get("status") or ContributionStatus.SUBMITTED
    if status not in ContributionStatus.values:
        status = ContributionStatus.SUBMITTED
    origin = request.GET.get("origin") or None
    if origin not in ContributionOrigin.values:
        origin = None
    qs = selectors.contribution_queue(status=status, origin=origin)
    return render(request, "engagement/contribution_queue.html", {
        "rows": list(qs[:QUEUE_LIMIT]), "total": qs.count(), "status": status, "origin": origin,
        "statuses": ContributionStatus.choices, "origins": ContributionOrigin.choices,
        "reject_form": RejectForm(), "limit": QUEUE_LIMIT})


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("contribution_queue", association=request.association.slug)


@staff_view
def contribution_decide(request: HttpRequest, contribution_id: int, decision: str) -> HttpResponse:
    contribution = get_object_or_404(Contribution, pk=contribution_id)
    if request.method != "POST":
        return _back_to_queue(request)
    try:
        if decision == "verify":
            services.contribution_verify(association=request.association,
                                         contribution=contribution, actor=request.user)
            messages.success(request, f"Verified “{contribution.title}”.")
        else:
            form = RejectForm(request.POST)
            reason = form.data.get("reason", "")
            services.contribution_reject(association=request.association,
                                         contribution=contribution, reason=reason,
                                         actor=request.user)
            messages.success(request, f"Not verified: “{contribution.title}”. The member was told why.")
    except DomainError as exc:
        detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
        messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
    return _back_to_queue(request)


@staff_view
def contribution_record(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = StaffContributionForm(request.POST or None)
    if form_saved(request, form, lambda: services.contribution_record(
            association=request.association, person=person,
            verified=form.cleaned_data["verified"], actor=request.user, **form.service_data()),
            success="Contribution recorded."):
        return redirect("person_detail", association=request.association.slug,
                        person_id=person.pk)
    return render(request, "engagement/record.html",
                  {"form": form, "person": person, "what": "a contribution"})


@staff_view
def outcome_record(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = OutcomeForm(request.POST or None)
    if form_saved(request, form, lambda: services.outcome_create(
            association=request.association, person=person, reported_via=ReportedVia.STAFF,
            actor=request.user, **form.service_data()), success="Outcome recorded."):
        return redirect("person_detail", association=request.association.slug,
                        person_id=person.pk)
    return render(request, "engagement/record.html",
                  {"form": form, "person": person, "what": "an outcome"})


@staff_view
def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/group_list.html", {
        "proposed": list(selectors.groups_for_staff(status=GroupStatus.PROPOSED)),
        "others": list(selectors.groups_for_staff().exclude(status=GroupStatus.PROPOSED)),
        "form": GroupDecideForm()})


@staff_view
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(PeerGroup.objects.select_related("proposed_by"), pk=group_id)
    return render(request, "engagement/group_detail.html",
                  {"group": group, "members": selectors.group_members(group=group),
                   "form": GroupDecideForm(initial={"forum": group.forum})})


@staff_view
def group_decide(request: HttpRequest, group_id: int, approve: bool) -> HttpResponse:
    group = get_object_or_404(PeerGroup, pk=group_id)
    if request.method == "POST":
        form = GroupDecideForm(request.POST)
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        try:
            services.group_decide(association=request.association, group=group, approve=approve,
                                  note=form.data.get("note", ""),
                                  forum=data.get("forum") if approve else None,
                                  actor=request.user)
        except DomainError as exc:
            detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            messages.error(request, f"{exc.message}{': ' + detail if detail else ''}")
        else:
            messages.success(request, f"{group.name}: {'approved' if approve else 'declined'}.")
    return redirect("group_list", association=request.association.slug)
