"""Staff pages for possible duplicates, merging two people, and notes on a profile.

Thin views (parse, call one service or selector, render or redirect); every form works
without JavaScript (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.tenancy.decorators import staff_view

from . import duplicates, merging, selectors, services
from .merging.fields import GROUPS
from .models import DuplicateDismissal, Note, Person

PAGE = 50


def _slug(request: HttpRequest) -> str:
    return request.association.slug


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# ---------------------------------------------------------------- duplicates

@staff_view
def duplicate_list(request: HttpRequest) -> HttpResponse:
    found = duplicates.duplicate_candidates(association=request.association)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    rows = duplicates.with_people(list(page.object_list))
    return render(request, "people/duplicate_list.html",
                  {"page": page, "rows": rows, "total": len(found)})


@staff_view
def duplicate_dismiss(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("duplicate_list", association=_slug(request))
    a = get_object_or_404(Person, pk=parse_id(request.POST.get("person_a")))
    b = get_object_or_404(Person, pk=parse_id(request.POST.get("person_b")))
    services.duplicate_dismiss(association=request.association, person_a=a, person_b=b,
                                 actor=request.user)
    messages.success(request, f"{a} and {b} will not be proposed as duplicates again.")
    return _back(request, reverse("duplicate_list", kwargs={"association": _slug(request)}))


@staff_view
def dismissal_list(request: HttpRequest) -> HttpResponse:
    rows = DuplicateDismissal.objects.select_related("person_a", "person_b", "dismissed_by")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "people/duplicate_dismissed.html", {"page": page})


@staff_view
def dismissal_restore(request: HttpRequest, dismissal_id: int) -> HttpResponse:
    # The lookup comes first: another association's id is a 404 whatever the method.
    dismissal = get_object_or_404(DuplicateDismissal, pk=dismissal_id)
    if request.method != "POST":
        return redirect("dismissal_list", association=_slug(request))
    services.duplicate_restore(association=request.association, dismissal=dismissal,
                                 actor=request.user)
    messages.success(request, "The pair may be proposed again.")
    return redirect("dismissal_list", association=_slug(request))


# ---------------------------------------------------------------- merge

def _choices(request: HttpRequest) -> dict[str, str]:
    return {g: request.POST[f"choice_{g}"] for g in GROUPS
            if request.POST.get(f"choice_{g}") in ("keep", "remove")}


@staff_view
def person_merge(request: HttpRequest, person_id: int) -> HttpResponse:
    """Choose the other record (GET without ``with``), preview (GET), confirm (POST).

    The person in the URL is kept; ``with`` is the record merged into it."""
    keep = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    other_id = parse_id(request.GET.get("with") or request.POST.get("with"))
    if other_id is None:
        q = request.GET.get("q", "").strip()[:100]
        found = list(selectors.person_filter(search=q).exclude(pk=keep.pk)
                     .order_by("last_name", "first_name", "id")[:20]) if q else []
        likely = duplicates.with_people(
            duplicates.duplicates_for(association=request.association, person=keep))
        return render(request, "people/merge_choose.html",
                      {"person": keep, "q": q, "found": found, "likely": likely})
    remove = get_object_or_404(Person, pk=other_id, erased_at__isnull=True)
    if keep.pk == remove.pk:
        messages.error(request, "Choose another person: a person cannot be merged into themselves.")
        return redirect("person_merge", association=_slug(request), person_id=keep.pk)
    choices = _choices(request) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            result = services.person_merge(association=request.association, keep=keep,
                                          remove=remove, actor=request.user,
                                          field_choices=choices)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            moved = sum(result.moved.values())
            messages.success(request, f"Merged person {result.removed_id} into {keep}: "
                                      f"{moved} records moved.")
            return redirect("person_detail", association=_slug(request), person_id=keep.pk)
    try:
        preview = merging.merge_preview(keep=keep, remove=remove, field_choices=choices)
    except DomainError as exc:  # e.g. the same person twice: say so on the chooser
        messages.error(request, exc.message)
        return redirect("person_merge", association=_slug(request), person_id=keep.pk)
    return render(request, "people/merge_preview.html", preview)


# ---------------------------------------------------------------- notes

@staff_view
def note_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    profile = reverse("person_detail", kwargs={"association": _slug(request),
                                               "person_id": person.pk}) + "#notes-h"
    if request.method == "POST":
        try:
            services.note_add(association=request.association, person=person,
                           body=request.POST.get("body", ""),
                           pinned=request.POST.get("pinned") == "on", actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.fields.get("body", [exc.message])[0].capitalize()
                           if exc.fields else exc.message)
        else:
            messages.success(request, "Note added.")
    return redirect(profile)


@staff_view
def note_pin(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_object_or_404(Note.objects.select_related("person"), pk=note_id)
    if request.method == "POST":
        services.note_pin(association=request.association, note=note,
                       pinned=request.POST.get("pinned") == "1", actor=request.user)
    return redirect(reverse("person_detail", kwargs={"association": _slug(request),
                                                     "person_id": note.person_id}) + "#notes-h")
