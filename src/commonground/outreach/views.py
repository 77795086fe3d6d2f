"""Outreach staff pages: the lists, a new list from a segment (``?segment=``), a list's
page (its holdout, the effect report with its chart, the members and their contacts),
the export for another tool, and the settings. Every action is a POST form calling one
service; no JavaScript needed."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from commonground.core import charts
from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors, form_saved
from commonground.core.ids import parse_id
from commonground.segments.models import Segment
from commonground.tenancy.decorators import staff_view

from . import report as effect
from . import selectors, services
from .forms import ContactsForm, OutreachForm, SettingsForm
from .models import ContactStatus, Group, Outreach

PAGE = 100


@staff_view
def outreach_list(request: HttpRequest) -> HttpResponse:
    return render(request, "outreach/list.html", {"lists": selectors.outreach_list()})


@staff_view
def outreach_new(request: HttpRequest) -> HttpResponse:
    association = request.association
    initial = {"holdout_percent": selectors.settings_for(association).holdout_percent}
    chosen = parse_id(request.GET.get("segment", ""))
    segment = Segment.objects.filter(pk=chosen).first() if chosen else None
    if segment is not None:
        initial |= {"segment": segment.pk, "name": f"Outreach: {segment.name}"}
    form = OutreachForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.outreach_create(
                association=association, name=data["name"], segment=data["segment"],
                holdout_percent=data["holdout_percent"], seed=data["seed"],
                description=data["description"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            held = made.members.filter(group=Group.HOLDOUT).count()
            messages.success(request, f"List “{made.name}” made: {held} held back at random, "
                                      "the others to contact.")
            return redirect("outreach_detail", association=association.slug,
                            outreach_id=made.pk)
    return render(request, "outreach/new.html", {
        "form": form, "segment": segment, "has_segments": len(form.fields["segment"].choices) > 1})


@staff_view
def outreach_detail(request: HttpRequest, outreach_id: int) -> HttpResponse:
    outreach = get_object_or_404(Outreach.objects.select_related("created_by"), pk=outreach_id)
    report = effect.effect_report(outreach)
    chart = effect.rate_chart(report)
    if (response := charts.csv_for(request, [chart])):
        return response
    group = request.GET.get("group") if request.GET.get("group") in Group.values else None
    status = request.GET.get("status") if request.GET.get("status") in ContactStatus.values \
        else None
    page = Paginator(selectors.members(outreach, group=group, status=status), PAGE) \
        .get_page(request.GET.get("page"))
    for m in page.object_list:
        m.band_label = effect.BAND_LABEL.get(m.band, m.band)
    return render(request, "outreach/detail.html", {
        "outreach": outreach, "report": report, "counts": selectors.counts(outreach),
        "chart": chart.with_csv_url(charts.csv_href(request, chart.name)).render(),
        "page": page, "group": group, "status": status, "groups": Group.choices,
        "statuses": ContactStatus.choices,
        "bands": [(effect.BAND_LABEL.get(b, b), c, h) for b, c, h in report.bands]})


@staff_view
def outreach_contacts(request: HttpRequest, outreach_id: int) -> HttpResponse:
    outreach = get_object_or_404(Outreach, pk=outreach_id)
    back = redirect("outreach_detail", association=request.association.slug,
                    outreach_id=outreach.pk)
    if request.method != "POST":
        return back
    ids = [p for p in map(parse_id, request.POST.getlist("person")) if p]
    form = ContactsForm(request.POST, person_ids=ids)
    if not form.is_valid():
        messages.error(request, "Choose people and what happened.")
        return back
    people, status = form.selection()
    try:
        n = services.outreach_contacts_record(
            association=request.association, outreach=outreach, person_ids=people,
            status=status or ContactStatus.CONTACTED, note=form.cleaned_data["note"],
            actor=request.user)
    except DomainError as exc:
        messages.error(request, "; ".join([exc.message, *(m for ms in exc.fields.values()
                                                           for m in ms)]))
    else:
        label = "not reachable" if status == ContactStatus.UNREACHABLE else "contacted"
        messages.success(request, f"{n} {'person' if n == 1 else 'people'} recorded as {label}.")
    return back


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_view
def outreach_export(request: HttpRequest, outreach_id: int) -> HttpResponse:
    """POST: the contact group as CSV (the held-back people are never in it); the people
    not contacted yet are marked exported."""
    outreach = get_object_or_404(Outreach, pk=outreach_id)
    if request.method != "POST":
        return redirect("outreach_detail", association=request.association.slug,
                        outreach_id=outreach.pk)
    rows = services.outreach_export(association=request.association, outreach=outreach,
                                    actor=request.user)
    writer = csv.writer(_Echo())
    lines = [writer.writerow(selectors.ExportRow.HEADER)] + \
        [writer.writerow(r.cells()) for r in rows]
    response = StreamingHttpResponse(["\ufeff", *lines], content_type="text/csv; charset=utf-8")
    name = slugify(outreach.name) or f"outreach-{outreach.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-contacts.csv"'
    return response


@staff_view
def outreach_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(request.association)
    form = SettingsForm(request.POST or None, initial={
        "holdout_percent": current.holdout_percent, "min_per_group": current.min_per_group})
    if form_saved(request, form, lambda: services.outreach_settings_save(
            association=request.association, actor=request.user, **form.cleaned_data),
            success="Outreach settings saved; they apply to lists made from now on."):
        return redirect("outreach_settings", association=request.association.slug)
    return render(request, "outreach/settings.html", {"form": form})

