"""Staff pages for people, organisations, chapters and custom fields.

Views stay thin: parse a form, call one service or selector, render or redirect
(POST-redirect-GET). Services' field errors are shown next to the fields.
"""

from __future__ import annotations

import json
import tempfile

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.membership.models import Status
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .forms import (
    ChapterForm,
    CustomFieldForm,
    EraseForm,
    OrganisationForm,
    PersonForm,
    RelationshipForm,
)
from .models import Chapter, CustomFieldDefinition, Organisation, Person

LIST_FILTERS = ("q", "plan", "status", "chapter", "expiring", "sort")


def _slug(request: HttpRequest) -> str:
    return request.association.slug


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _list_params(request: HttpRequest) -> dict:
    g = request.GET
    return {
        "search": g.get("q", "").strip()[:100],
        "plan": _int_or_none(g.get("plan")),
        "status": g.get("status", "") if g.get("status", "") in Status.values else "",
        "chapter": _int_or_none(g.get("chapter")),
        "expiring": g.get("expiring", "") if g.get("expiring", "") in selectors.EXPIRING else "",
    }


@staff_view
def person_list(request: HttpRequest) -> HttpResponse:
    params = _list_params(request)
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
def person_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The current filtered list as CSV or XLSX, in the list's sort order."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format")
    try:
        from .exporting import export_people
    except ImportError:  # the exporter ships separately; say so rather than fail
        messages.error(request, "Export is not available in this installation yet.")
        return redirect("person_list", association=_slug(request))
    params = _list_params(request)
    people = selectors.person_filter(**params).order_by("last_name", "first_name", "id")
    # Not a context manager: FileResponse streams the file and closes it when done.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    export_people(association=request.association, people=people, fmt=fmt, out=out)
    out.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(out, as_attachment=True,
                        filename=f"{request.association.slug}-people-{stamp}.{fmt}")


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
    from commonground.membership.forms import JoinForm

    context["join_form"] = JoinForm(person=context["person"])
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
    from .privacy import person_export

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


@staff_view
def portal_access(request: HttpRequest, person_id: int) -> HttpResponse:
    """Give the person a portal login (created or linked by email)."""
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    if request.method != "POST":
        return redirect("person_detail", association=_slug(request), person_id=person.pk)
    from commonground.portal.services import portal_access_grant

    user, password = portal_access_grant(association=request.association, person=person,
                                         actor=request.user)
    portal_url = request.build_absolute_uri(reverse("portal:home", args=[_slug(request)]))
    return render(request, "people/portal_access.html",
                  {"person": person, "login": user, "password": password,
                   "portal_url": portal_url})


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
