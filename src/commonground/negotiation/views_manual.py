"""The staff inbox and the operations manual's pages: the manual's table of contents, a
page with its current text and every version ("decided at <meeting>"), writing a new
version, and the difference between two versions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.core.ids import parse_id
from commonground.tenancy.decorators import staff_view

from . import selectors_meetings as selectors
from . import services
from .forms_meetings import ManualPageForm, ManualReviseForm
from .models import InboxMessage, ManualPage, ManualRevision

INBOX_PAGE = 50


@staff_view
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(user=request.user, unread_only=unread_only),
                     INBOX_PAGE).get_page(request.GET.get("page"))
    return render(request, "negotiation/inbox.html", {
        "page": page, "unread": selectors.unread_count(user=request.user),
        "unread_only": unread_only})


@staff_view
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark all read, or one message (``message`` in the form) and follow its link."""
    if request.method != "POST":
        return redirect("inbox", association=request.association.slug)
    one = parse_id(request.POST.get("message", ""))
    if one:
        message = get_object_or_404(InboxMessage, pk=one, user=request.user)
        services.inbox_mark_read(association=request.association, user=request.user,
                                 message_ids=[message.pk])
        if message.url.startswith(f"/a/{request.association.slug}/") and "//" not in message.url:
            return redirect(message.url)
    else:
        n = services.inbox_mark_read(association=request.association, user=request.user)
        messages.success(request, f"{n} message(s) marked read.")
    return redirect("inbox", association=request.association.slug)


@staff_view
def manual_list(request: HttpRequest) -> HttpResponse:
    form = ManualPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.manual_page_save(association=request.association,
                                             title=form.cleaned_data["title"],
                                             actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Page “{page.title}” added: write its first version.")
            return redirect("manual_page_edit", association=request.association.slug,
                            manual_page_id=page.pk)
    return render(request, "negotiation/manual/list.html", {
        "pages": selectors.manual_pages(), "form": form})


@staff_view
def manual_page_detail(request: HttpRequest, manual_page_id: int) -> HttpResponse:
    page = get_object_or_404(ManualPage, pk=manual_page_id)
    return render(request, "negotiation/manual/detail.html", {
        "view": selectors.manual_page(page), "page": page})


@staff_view
def manual_page_edit(request: HttpRequest, manual_page_id: int) -> HttpResponse:
    page = get_object_or_404(ManualPage, pk=manual_page_id)
    view = selectors.manual_page(page)
    initial = {"body": view.current.body if view.current else ""}
    chosen = parse_id(request.GET.get("meeting", ""))
    if chosen:
        initial["meeting"] = chosen
    form = ManualReviseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.manual_revise(
                association=request.association, page=page, body=data["body"],
                summary=data["summary"], meeting=data["meeting"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Version {revision.version} of “{page.title}” saved.")
            return redirect("manual_page_detail", association=request.association.slug,
                            manual_page_id=page.pk)
    return render(request, "negotiation/manual/edit.html", {"view": view, "page": page,
                                                            "form": form})


@staff_view
def manual_revision_detail(request: HttpRequest, manual_page_id: int, revision_id: int
                           ) -> HttpResponse:
    revision = get_object_or_404(ManualRevision.objects.select_related(
        "page", "meeting", "written_by"), pk=revision_id, page_id=manual_page_id)
    return render(request, "negotiation/manual/revision.html", {"revision": revision,
                                                                "page": revision.page})


@staff_view
def manual_page_diff(request: HttpRequest, manual_page_id: int) -> HttpResponse:
    page = get_object_or_404(ManualPage, pk=manual_page_id)
    versions = list(page.revisions.order_by("version").values_list("version", flat=True))
    to_v = parse_id(request.GET.get("to", "")) or (versions[-1] if versions else 0)
    from_v = parse_id(request.GET.get("from", "")) or max(to_v - 1, 1)
    lines = selectors.manual_diff(page, from_version=from_v, to_version=to_v)
    return render(request, "negotiation/manual/diff.html", {
        "page": page, "lines": lines, "from_v": from_v, "to_v": to_v, "versions": versions,
        "known": from_v in versions and to_v in versions})
