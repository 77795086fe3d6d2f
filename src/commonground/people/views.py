"""Staff pages for people, organisations, chapters and custom fields.

Views stay thin: parse a form, call one service or selector, render or redirect
(POST-redirect-GET). Services' field errors are shown next to the fields.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.tenancy.decorators import staff_view

from . import extensions, selectors, services
from .forms import (
    ChapterForm,
    CustomFieldForm,
    EraseForm,
    OrganisationForm,
    PersonForm,
    RelationshipForm,
)
from .models import Chapter, CustomFieldDefinition, Organisation, Person
from .privacy import person_export

LIST_FILTERS = ("q", "plan", "status", "chapter", "expiring", "sort")


def _slug(request: HttpRequest) -> str:
    return request.association.slug


@staff_view
def person_list(request: HttpRequest) -> HttpResponse:
    params = selectors.list_params(request.GET)
    sort = request.GET.get("sort", "name")
    page = selectors.person_list(**params, sort=sort, cursor=request.GET.get("cursor"),
                                 limit=50)
    kept = {k: request.GET[k] for k in LIST_FILTERS if request.GET.get(k)}

    def link(cursor: str | None) -> str | None:
        return f"?{urlencode({**kept, 'cursor': cursor})}" if cursor else None

    context = {
        "page": page,
        # Row links are built from this prefix: one reverse() per page, not one per row.
        "people_url": reverse("person_list", kwargs={"association": _slug(request)}),
        "params": params,
        "kept": kept,
        "export_query": urlencode(kept),
        "next_url": link(page.next_cursor),
        "prev_url": link(page.prev_cursor),
        "choices": selectors.filter_choices(),
        "filtered": any(params.values()),
        "sort_label": selectors.SORTS[page.sort].lower(),
    }
    template = "people/_list_results.html" if request.htmx else "people/list.html"
    return render(request, template, context)


@staff_view
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(association=request.association, actor=request.user,
                                            **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"{person} was added.")
            return redirect("person_detail", association=_slug(request), person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None})


@staff_view
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        context = selectors.person_profile(person_id=person_id)
    except Person.DoesNotExist:
        raise Http404("No such person")
    person = context["person"]
    # The other apps' sections (memberships and invoices, activity, …) and contact-card
    # controls, each rendered from its own template and context (see ``extensions``).
    panels, audit_objects = [], []
    for panel in extensions.profile_panels:
        panel_context = panel.context(request, person)
        panels.append(render_to_string(panel.template, panel_context, request=request))
        if panel.audit_objects is not None:
            audit_objects.append(panel.audit_objects(panel_context))
    context["panels"] = panels
    context["contact_actions"] = [
        render_to_string(action.template, {"person": person}, request=request)
        for action in extensions.profile_actions]
    context["audit"] = selectors.audit_trail(person=person, objects=audit_objects)
    return render(request, "people/detail.html", context)


@staff_view
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = PersonForm(request.POST or None, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(association=request.association, person=person,
                                   actor=request.user, **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("person_detail", association=_slug(request), person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@staff_view
def person_erase(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.person_erase(association=request.association, person=person, actor=request.user)
        messages.success(request, "The person's identity was erased; financial records were kept.")
        return redirect("person_detail", association=_slug(request), person_id=person.pk)
    return render(request, "people/erase.html", {"person": person, "form": form})


@staff_view
def person_data_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """Subject-access export as a JSON download (POST: producing it is audited)."""
    person = get_object_or_404(Person, pk=person_id)
    if request.method != "POST":
        return redirect("person_detail", association=_slug(request), person_id=person.pk)
    return json_download(person, actor=request.user, name=f"person-{person.pk}")


def json_download(person: Person, *, actor, name: str) -> HttpResponse:
    body = json.dumps(person_export(person, actor=actor), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@staff_view
def relationship_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = RelationshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(association=request.association,
                                               name=form.cleaned_data["organisation"],
                                               actor=request.user)
            services.relationship_add(association=request.association, person=person,
                                      organisation=org, kind=form.cleaned_data["kind"],
                                      title=form.cleaned_data["title"], actor=request.user)
        except DomainError as exc:
            exc.fields = {("organisation" if k == "name" else k): v for k, v in exc.fields.items()}
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Linked to {org}.")
            return redirect("person_detail", association=_slug(request), person_id=person.pk)
    return render(request, "people/relationship_form.html", {"person": person, "form": form})


# ---------------------------------------------------------------- organisations

@staff_view
def organisation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    orgs = Organisation.objects.all()
    if q:
        orgs = orgs.filter(name_key__contains=q.lower())
    orgs = orgs.annotate(people_count=Count("relationships", distinct=True)).order_by("name_key")
    return render(request, "people/organisation_list.html",
                  {"organisations": orgs[:200], "q": q})


@staff_view
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(association=request.association,
                                               actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"{org} saved.")
            return redirect("organisation_detail", association=_slug(request),
                            organisation_id=org.pk)
    return render(request, "people/organisation_form.html", {"form": form})


@staff_view
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=organisation_id)
    return render(request, "people/organisation_detail.html", {
        "org": org,
        "relationships": org.relationships.select_related("person").order_by(
            "person__last_name", "person__first_name"),
        "memberships": org.memberships.select_related("plan").order_by("-ends_on"),
    })


# ---------------------------------------------------------------- chapters, custom fields

@staff_view
def chapter_list(request: HttpRequest) -> HttpResponse:
    form = ChapterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chapter = services.chapter_create(association=request.association, actor=request.user,
                                              **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Chapter {chapter} saved.")
            return redirect("chapter_list", association=_slug(request))
    chapters = Chapter.objects.annotate(
        people_count=Count("people", filter=Q(people__erased_at__isnull=True))).order_by("name")
    return render(request, "people/chapter_list.html", {"chapters": chapters, "form": form})


@staff_view
def custom_field_list(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.custom_field_define(
                association=request.association, key=data["key"], label=data["label"],
                kind=data["kind"], choices=form.choice_list(), required=data["required"],
                help_text=data["help_text"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Field “{data['label']}” saved.")
            return redirect("custom_field_list", association=_slug(request))
    return render(request, "people/custom_field_list.html",
                  {"fields": CustomFieldDefinition.objects.all(), "form": form})
