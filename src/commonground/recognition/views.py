"""Staff pages: tiers and their evaluation, the nomination queue, awards (issue, revoke),
the expert network's vetting, and the issuer settings. Each POST calls one service;
refusals come back as form errors or a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.people.models import Person
from commonground.tenancy.decorators import staff_view

from . import openbadges, selectors, services
from .forms import DecideForm, IssueForm, IssuerForm, NominateForm, RevokeForm, TierForm
from .models import Award, ExpertProfile, Nomination, NominationSource, Tier, VettingStatus


def _home(request: HttpRequest) -> HttpResponse:
    return redirect("recognition_home", association=request.association.slug)


@staff_view
def recognition_home(request: HttpRequest) -> HttpResponse:
    return render(request, "recognition/home.html", {
        "tiers": selectors.tier_list(),
        "queue": selectors.nomination_queue()[:200],
        "recent": selectors.award_list()[:20],
        "decide_form": DecideForm(),
    })


@staff_view
@require_POST
def tiers_defaults(request: HttpRequest) -> HttpResponse:
    tiers = services.tiers_install_defaults(association=request.association, actor=request.user)
    messages.success(request, f"{len(tiers)} tiers in place.")
    return _home(request)


@staff_view
def tier_edit(request: HttpRequest, tier_id: int | None = None) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=tier_id) if tier_id else None
    form = TierForm(request.POST or None, initial=TierForm.initial_for(tier) if tier else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.tier_save(association=request.association, tier=tier,
                                       actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Tier {saved.name} saved.")
            return _home(request)
    return render(request, "recognition/tier_form.html", {"form": form, "tier": tier})


@staff_view
@require_POST
def tiers_evaluate(request: HttpRequest) -> HttpResponse:
    result = services.tiers_evaluate(association=request.association, actor=request.user)
    messages.success(request, f"{result.candidates} candidate(s) meet a tier's rule: "
                              f"{result.nominated} newly nominated, {result.awarded} awarded.")
    return _home(request)


@staff_view
def nomination_decide(request: HttpRequest, nomination_id: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "decline"):
        raise Http404("Unknown decision")
    nomination = get_object_or_404(Nomination, pk=nomination_id)
    if request.method != "POST":
        return _home(request)
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services.nomination_decide(association=request.association, nomination=nomination,
                                   approve=decision == "approve", actor=request.user,
                                   note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{nomination.person}: {nomination.tier.name} "
                                  f"{'awarded' if decision == 'approve' else 'declined'}.")
    return _home(request)


@staff_view
def award_list(request: HttpRequest) -> HttpResponse:
    issuer = services.issuer_get(association=request.association)
    awards = list(selectors.award_list()[:500])
    for a in awards:
        a.public_url = openbadges.url(issuer, "badge_assertion", uuid=str(a.uuid))
    return render(request, "recognition/awards.html", {"awards": awards,
                                                       "revoke_form": RevokeForm()})


@staff_view
def award_revoke(request: HttpRequest, award_id: int) -> HttpResponse:
    award = get_object_or_404(Award, pk=award_id)
    if request.method != "POST":
        return redirect("recognition_awards", association=request.association.slug)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for revoking the badge.")
        return redirect("recognition_awards", association=request.association.slug)
    try:
        services.award_revoke(association=request.association, award=award,
                              reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{award.tier.name} badge of {award.person} revoked.")
    return redirect("recognition_awards", association=request.association.slug)


def _back_to_person(request: HttpRequest, person: Person) -> HttpResponse:
    return redirect("person_detail", association=request.association.slug, person_id=person.pk)


@staff_view
def person_award(request: HttpRequest, person_id: int) -> HttpResponse:
    """From the profile's recognition panel: award a tier now."""
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    if request.method != "POST":
        return _back_to_person(request, person)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            award = services.award_issue(association=request.association, person=person,
                                         tier=form.cleaned_data["tier"], actor=request.user,
                                         narrative=form.cleaned_data["narrative"])
        except DomainError as exc:
            messages.error(request, exc.message + "".join(
                f" {k}: {'; '.join(v)}." for k, v in exc.fields.items()))
        else:
            messages.success(request, f"{award.tier.name} badge issued.")
    else:
        messages.error(request, "Choose a tier.")
    return _back_to_person(request, person)


@staff_view
def person_nominate(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    if request.method != "POST":
        return _back_to_person(request, person)
    form = NominateForm(request.POST, staff=True)
    if form.is_valid():
        try:
            services.nomination_create(association=request.association, person=person,
                                       tier=form.cleaned_data["tier"],
                                       reason=form.cleaned_data["reason"],
                                       source=NominationSource.STAFF, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Nominated; the nomination waits in the recognition queue.")
    else:
        messages.error(request, "Choose a tier and give a reason.")
    return _back_to_person(request, person)


@staff_view
def expert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or VettingStatus.APPLIED
    if status not in VettingStatus.values:
        status = VettingStatus.APPLIED
    return render(request, "recognition/experts.html", {
        "experts": selectors.expert_search(status=status)[:300], "status": status,
        "statuses": VettingStatus.choices})


@staff_view
def expert_vet(request: HttpRequest, expert_id: int) -> HttpResponse:
    profile = get_object_or_404(ExpertProfile, pk=expert_id)
    if request.method != "POST":
        return redirect("recognition_experts", association=request.association.slug)
    try:
        services.expert_vet(association=request.association, profile=profile,
                            status=request.POST.get("status", ""), note=request.POST.get("note", ""),
                            actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{profile.person}: {request.POST.get('status')}.")
    return redirect(reverse("recognition_experts", kwargs={"association": request.association.slug})
                    + "?status=" + (request.POST.get("back") or VettingStatus.APPLIED))


@staff_view(admin=True)
def issuer_settings(request: HttpRequest) -> HttpResponse:
    issuer = services.issuer_get(association=request.association)
    form = IssuerForm(request.POST or None, initial={
        "email": issuer.email, "url": issuer.url, "origin": issuer.origin,
        "description": issuer.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.issuer_save(association=request.association, actor=request.user,
                                 **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Badge issuer saved.")
            return redirect("recognition_issuer", association=request.association.slug)
    return render(request, "recognition/issuer.html", {
        "form": form, "issuer": issuer,
        "issuer_url": openbadges.url(issuer, "badge_issuer"),
        "keys_url": openbadges.url(issuer, "badge_keys"),
        "public_url": openbadges.url(issuer, "recognition_public")})
