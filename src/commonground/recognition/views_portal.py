"""Member pages: my badges (with the Open Badges 3.0 credential to download), the public
page choice, nominating a fellow member, the expert directory and my expert entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.people.member_access import member_view
from commonground.people.models import Person

from . import openbadges, selectors, services
from .forms import ExpertForm, ExpertSearchForm, NominateForm, PublicForm
from .models import ExpertProfile, NominationSource


def _mine(request: HttpRequest) -> HttpResponse:
    return redirect("portal:recognition", association=request.association.slug)


@member_view
def my_recognition(request: HttpRequest) -> HttpResponse:
    person = request.person
    data = selectors.person_recognition(person=person)
    issuer = services.issuer_get(association=request.association)
    for award in data["awards"]:
        award.public_url = openbadges.url(issuer, "badge_assertion", uuid=str(award.uuid))
    return render(request, "recognition/portal_mine.html", {
        **data,
        "public_form": PublicForm(initial={"public": data["public"],
                                           "headline": data["headline"]}),
        "nominate_form": NominateForm(),
        "public_url": openbadges.url(issuer, "recognition_public"),
    })


@member_view
@require_POST
def public_set(request: HttpRequest) -> HttpResponse:
    form = PublicForm(request.POST)
    if form.is_valid():
        try:
            services.member_recognition_set(association=request.association,
                                            person=request.person, actor=request.user,
                                            **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "You are shown on the public recognition page."
                             if form.cleaned_data["public"] else
                             "You are not shown on the public recognition page.")
    return _mine(request)


@member_view
def nominate(request: HttpRequest) -> HttpResponse:
    form = NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        nominee = Person.objects.filter(email_key=email, erased_at__isnull=True).first()
        if nominee is None:
            form.add_error("email", "No member with this email address")
        else:
            try:
                services.nomination_create(
                    association=request.association, tier=form.cleaned_data["tier"],
                    person=nominee, reason=form.cleaned_data["reason"],
                    source=NominationSource.MEMBER, nominated_by_person=request.person,
                    actor=request.user)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, "Thank you: your nomination goes to the staff.")
                return _mine(request)
    return render(request, "recognition/portal_nominate.html", {"form": form})


@member_view
def credential_download(request: HttpRequest, uuid: str) -> HttpResponse:
    """The member's badge as an Open Badges 3.0 OpenBadgeCredential (VC-JWT), to import
    into a wallet or backpack. Only their own, never a revoked one."""
    award = selectors.award_by_uuid(uuid)
    if award is None or award.person_id != request.person.pk or award.revoked_at:
        raise Http404("No such badge")
    issuer = services.issuer_get(association=request.association)
    token = openbadges.credential_jwt(award, issuer)
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="{request.association.slug}-{award.tier.slug}-{award.uuid}.jwt"')
    return response


@member_view
def experts(request: HttpRequest) -> HttpResponse:
    skills = list(selectors.skill_traits())
    form = ExpertSearchForm(request.GET or None, skills=skills)
    found = None
    if form.is_bound and form.is_valid():
        found = selectors.expert_search(text=form.cleaned_data["q"] or "",
                                        specialty=form.cleaned_data["specialty"],
                                        available_only=form.cleaned_data["available"])[:100]
    elif not form.is_bound:
        found = selectors.expert_search()[:100]
    mine = ExpertProfile.objects.filter(person=request.person).first()
    return render(request, "recognition/portal_experts.html",
                  {"form": form, "experts": found, "mine": mine})


@member_view
def expert_apply(request: HttpRequest) -> HttpResponse:
    skills = list(selectors.skill_traits())
    mine = ExpertProfile.objects.filter(person=request.person).first()
    initial = None
    if mine is not None:
        initial = {"headline": mine.headline, "bio": mine.bio,
                   "other_specialties": mine.other_specialties,
                   "availability": mine.availability,
                   "specialties": [str(s.trait_id) for s in mine.specialties.all()]}
    form = ExpertForm(request.POST or None, initial=initial, skills=skills)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_profile_save(
                association=request.association, person=request.person, actor=request.user,
                headline=form.cleaned_data["headline"], bio=form.cleaned_data["bio"],
                specialties=[int(s) for s in form.cleaned_data["specialties"]],
                other_specialties=form.cleaned_data["other_specialties"],
                availability=form.cleaned_data["availability"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Your expert entry is saved." if mine else
                             "Thank you: staff will review your application.")
            return redirect("portal:recognition_experts", association=request.association.slug)
    return render(request, "recognition/portal_expert_form.html", {"form": form, "mine": mine})
