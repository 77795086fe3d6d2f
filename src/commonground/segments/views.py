"""Segments staff pages: the list, the filter builder (new and edit, with a live count),
a segment's page (count, sample, files, freeze, duplicate, delete) and static lists made
from a selection on another page. Every action is a plain POST form; HTMX only refreshes
the builder and its count as the rules change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from commonground.core.errors import DomainError, ValidationFailed
from commonground.core.forms import add_domain_errors
from commonground.people import selectors as people_selectors
from commonground.people.filters import filter_fields
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import builder, selectors, services
from .exporting import segment_file_response
from .models import Segment

SAMPLE_ON_PAGE = 25


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=services.MAX_NAME, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                  max_length=services.MAX_DESCRIPTION)


def _slug(request: HttpRequest) -> str:
    return request.association.slug


def _outreach_url(request: HttpRequest, segment: Segment) -> str | None:
    # Outreach sits above segments: linked by URL name only, and only once it exists.
    try:
        return reverse("outreach_new", kwargs={"association": _slug(request)}) \
            + f"?segment={segment.pk}"
    except NoReverseMatch:
        return None


@staff_view
def segment_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in ("live", "static") else ""
    return render(request, "segments/list.html", {
        "segments": list(selectors.segment_list(kind=kind)), "kind": kind})


def _initial_definition(request: HttpRequest) -> dict[str, Any]:
    """A new segment starts from the member list's filters when it came from there (the
    list links here with its own query), else from one empty rule."""
    params = people_selectors.list_params(request.GET)
    if any(params.values()):
        return people_selectors.list_definition(**params)
    return {"op": "and", "rules": [dict(builder.EMPTY_RULE)]}


def _builder(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    form = SegmentForm(request.POST or None, initial={
        "name": segment.name, "description": segment.description} if segment else None)
    if request.method == "POST":
        definition = builder.from_form(request.POST)
        action = request.POST.get("action", "count")
        if action.partition("@")[0] in ("add_rule", "add_group", "remove"):
            definition = builder.apply(definition, action)
        count, people, errors = _count(definition)
        if action == "save" and not errors:
            # Rows still without a field are not part of what is saved.
            saved = _save(request, form, segment, builder.complete(definition)[0])
            if saved is not None:
                url = reverse("segment_detail", kwargs={"association": _slug(request),
                                                        "segment_id": saved.pk})
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        definition = segment.definition if segment and segment.definition else \
            _initial_definition(request)
        count, people, errors = _count(definition)
    context = {"form": form, "segment": segment, "tree": builder.rows(definition, errors),
               "count": count, "sample": people, "errors": errors,
               "groups": _field_groups()}
    template = "segments/_builder.html" if request.htmx else "segments/builder.html"
    return render(request, template, context)


def _count(definition: dict[str, Any]) -> tuple[int | None, list[Any], dict[str, list[str]]]:
    """Count and sample what the builder shows so far: rows without a field yet are left
    out (they are still being filled in); mistakes come back with the form's paths."""
    ready, back = builder.complete(definition)
    try:
        found = selectors.definition_people(ready)
    except ValidationFailed as exc:
        return None, [], {back(key.removeprefix("definition.")): messages
                          for key, messages in exc.fields.items()}
    return found.order_by().count(), selectors.sample(found), {}


def _field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for f in filter_fields():
        groups.setdefault(f.group, []).append((f.key, f.label))
    return list(groups.items())


def _save(request: HttpRequest, form: SegmentForm, segment: Segment | None,
          definition: dict[str, Any]) -> Segment | None:
    if not form.is_valid():
        return None
    try:
        if segment is None:
            saved = services.segment_create(
                association=request.association, name=form.cleaned_data["name"],
                definition=definition, description=form.cleaned_data["description"],
                actor=request.user)
        else:
            saved = services.segment_update(
                association=request.association, segment=segment,
                name=form.cleaned_data["name"], description=form.cleaned_data["description"],
                definition=definition, actor=request.user)
    except DomainError as exc:
        add_domain_errors(form, exc)
        return None
    messages.success(request, f"Segment “{saved.name}” saved.")
    return saved


@staff_view
def segment_new(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@staff_view
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=segment_id)
    if not segment.is_static:
        return _builder(request, segment)
    # A static list keeps its people: only its name and description change.
    form = SegmentForm(request.POST or None, initial={"name": segment.name,
                                                      "description": segment.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.segment_update(association=request.association, segment=segment,
                                    name=form.cleaned_data["name"],
                                    description=form.cleaned_data["description"],
                                    actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "List saved.")
            return redirect("segment_detail", association=_slug(request), segment_id=segment.pk)
    return render(request, "segments/static_form.html", {"form": form, "segment": segment})


@staff_view
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("frozen_from", "created_by"),
                                pk=segment_id)
    count = selectors.segment_count(segment)
    return render(request, "segments/detail.html", {
        "segment": segment, "count": count, "words": selectors.segment_words(segment),
        "sample": selectors.sample(selectors.segment_people(segment), SAMPLE_ON_PAGE),
        "sample_size": SAMPLE_ON_PAGE, "outreach_url": _outreach_url(request, segment),
        "people_url": reverse("person_list", kwargs={"association": _slug(request)})})


@staff_view
def segment_export(request: HttpRequest, segment_id: int, fmt: str) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=segment_id)
    return segment_file_response(association=request.association, segment=segment, fmt=fmt)


def _post_action(request: HttpRequest, segment_id: int, write, success: str) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=segment_id)
    if request.method != "POST":
        return redirect("segment_detail", association=_slug(request), segment_id=segment.pk)
    try:
        result = write(segment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("segment_detail", association=_slug(request), segment_id=segment.pk)
    messages.success(request, success.format(name=getattr(result, "name", segment.name)))
    if result is None:
        return redirect("segment_list", association=_slug(request))
    return redirect("segment_detail", association=_slug(request), segment_id=result.pk)


@staff_view
def segment_freeze(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _post_action(request, segment_id, lambda s: services.segment_freeze(
        association=request.association, segment=s, name=request.POST.get("name", ""),
        actor=request.user), "Frozen into the static list “{name}”: its people stay as they "
                             "are now.")


@staff_view
def segment_duplicate(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _post_action(request, segment_id, lambda s: services.segment_duplicate(
        association=request.association, segment=s, actor=request.user),
        "Copied as “{name}”.")


@staff_view
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _post_action(request, segment_id, lambda s: services.segment_delete(
        association=request.association, segment=s, actor=request.user),
        "Segment “{name}” deleted.")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


@staff_view
def segment_from_selection(request: HttpRequest) -> HttpResponse:
    """POST ``person`` (repeated), ``name`` (optional), ``next`` (optional): a static list of
    the chosen people. Then its page — or ``next`` with ``segment=<id>`` added, so a page
    can send the selection straight on (to a new outreach list, say)."""
    back = _safe_next(request) or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("segment_list", kwargs={"association": _slug(request)})
    if request.method != "POST":
        return redirect(back)
    today: date = association_today(request.association)
    name = request.POST.get("name", "").strip() or f"Selection of {today:%d %b %Y}"
    try:
        segment = services.segment_create_static(
            association=request.association, name=name,
            person_ids=request.POST.getlist("person"), actor=request.user)
    except DomainError as exc:
        messages.error(request, " ".join(m for ms in exc.fields.values() for m in ms)
                       or exc.message)
        return redirect(back)
    messages.success(request, f"Static list “{segment.name}” made with "
                              f"{segment.last_count} people.")
    target = _safe_next(request)
    if target:
        return redirect(f"{target}{'&' if '?' in target else '?'}segment={segment.pk}")
    return redirect("segment_detail", association=_slug(request), segment_id=segment.pk)
