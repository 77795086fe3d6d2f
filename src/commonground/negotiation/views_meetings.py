"""Meetings staff pages: the list (upcoming, past), scheduling (and a series with its
cadence), a meeting's page (participants by side, the agenda with its origins and links,
drafting from the data, minutes, action items, circulation) and the action items list.
Every action is a plain POST form calling one service; no JavaScript needed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.core.ids import parse_id
from commonground.planning.services import comment_add
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors_meetings as selectors
from . import services
from .forms_meetings import ActionItemForm, AgendaItemForm, ScheduleForm, SeriesForm, staff_choices
from .models import ActionItem, AgendaItem, Meeting, MeetingSeries


def _back(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    return redirect("meeting_detail", association=request.association.slug,
                    meeting_id=meeting.pk)


def _refused(request: HttpRequest, exc: DomainError) -> None:
    details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
    messages.error(request, exc.message + (f": {details}" if details and
                                           exc.message.startswith("Please") else
                                           (f" ({details})" if details else "")))


@staff_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.meetings_list(now=timezone.now())
    return render(request, "negotiation/meetings/list.html", {
        "upcoming": upcoming, "past": past, "series": selectors.series_list()})


@staff_view
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST or None)
    form.set_staff(staff_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                association=request.association, title=data["title"],
                starts_at=data["starts_at"], participants=form.participants(),
                series=data["series"], location=data["location"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"“{meeting.title}” scheduled.")
            return _back(request, meeting)
    return render(request, "negotiation/meetings/new.html", {"form": form})


@staff_view
def series_new(request: HttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None)
    form.set_staff(staff_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.series_save(
                association=request.association, name=data["name"], cadence=data["cadence"],
                purpose=data["purpose"], participants=form.participants(), actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Series “{series.name}” set up: schedule its next "
                                      "meeting from the meetings list.")
            return redirect("meeting_list", association=request.association.slug)
    return render(request, "negotiation/meetings/series_new.html", {"form": form})


@staff_view
def series_next(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(MeetingSeries, pk=series_id)
    if request.method != "POST":
        return redirect("meeting_list", association=request.association.slug)
    try:
        meeting = services.meeting_schedule_next(association=request.association,
                                                 series=series, actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
        return redirect("meeting_list", association=request.association.slug)
    messages.success(request, f"“{meeting.title}” scheduled.")
    return _back(request, meeting)


@staff_view
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("series", "association",
                                                               "minutes_by"), pk=meeting_id)
    page = selectors.meeting_page(meeting, today=association_today(request.association))
    action_form = ActionItemForm(initial={"due_on": page.today})
    action_form.set_staff(staff_choices())
    return render(request, "negotiation/meetings/detail.html", {
        "page": page, "meeting": meeting, "item_form": AgendaItemForm(),
        "action_form": action_form})


@staff_view
def meeting_draft(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    try:
        added = services.agenda_draft(association=request.association, meeting=meeting,
                                      today=association_today(request.association),
                                      actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{len(added)} item(s) drafted from the data." if added
                         else "Nothing new in the data since the last draft.")
    return _back(request, meeting)


@staff_view
def agenda_item_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "An agenda item needs a title (at most 300 characters).")
        return _back(request, meeting)
    try:
        services.agenda_item_add(association=request.association, meeting=meeting,
                                 title=form.cleaned_data["title"],
                                 body=form.cleaned_data["body"], actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Item added to the agenda.")
    return _back(request, meeting)


@staff_view
def agenda_item_delete(request: HttpRequest, meeting_id: int, agenda_item_id: int
                       ) -> HttpResponse:
    item = get_object_or_404(AgendaItem, pk=agenda_item_id, meeting_id=meeting_id)
    if request.method != "POST":
        return _back(request, item.meeting)
    try:
        services.agenda_item_remove(association=request.association, item=item,
                                    actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Item taken off the agenda.")
    return _back(request, item.meeting)


class MinutesForm(forms.Form):
    minutes = forms.CharField(max_length=100_000)


@staff_view
def meeting_minutes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the minutes before saving them.")
        return _back(request, meeting)
    notes = {}
    for key, value in request.POST.items():
        if key.startswith("note_") and (item_id := parse_id(key[5:])):
            notes[item_id] = value
    attended = [i for i in (parse_id(v) for v in request.POST.getlist("attended")) if i]
    try:
        services.minutes_record(association=request.association, meeting=meeting,
                                minutes=form.cleaned_data["minutes"], notes=notes,
                                attended=attended, actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Minutes saved; circulate them when they are final.")
    return _back(request, meeting)


@staff_view
def meeting_circulate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    try:
        sent = services.meeting_circulate(association=request.association, meeting=meeting,
                                          actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Minutes circulated to {sent} people, in the app and by "
                                  "email." if sent else "The minutes were already circulated.")
    return _back(request, meeting)


@staff_view
def meeting_comment(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A comment on the meeting: any staff member, the board too (its voice in the room)."""
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    try:
        comment_add(association=request.association, subject="meeting", subject_id=meeting.pk,
                    body=request.POST.get("body", ""), actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Comment added.")
    return _back(request, meeting)


def _owner(user_id: int | None):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@staff_view
def meeting_action_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    if request.method != "POST":
        return _back(request, meeting)
    form = ActionItemForm(request.POST)
    form.set_staff(staff_choices())
    if not form.is_valid():
        messages.error(request, "An action item needs what, who and by when: "
                       + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return _back(request, meeting)
    data = form.cleaned_data
    try:
        services.action_item_add(association=request.association, title=data["title"],
                                 owner=_owner(data["owner"]), due_on=data["due_on"],
                                 meeting=meeting, actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Action item added; its owner has been told.")
    return _back(request, meeting)


@staff_view
def action_item_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    show = show if show in selectors.ACTION_FILTERS else "open"
    owner_id = parse_id(request.GET.get("owner", ""))
    today = association_today(request.association)
    items = list(selectors.action_items(today=today, show=show, owner_id=owner_id)[:500])
    choices = staff_choices()
    form = ActionItemForm(initial={"due_on": today})
    form.set_staff(choices)
    return render(request, "negotiation/actions/list.html", {
        "groups": selectors.action_items_by_owner(items), "show": show, "owner_id": owner_id,
        "owners": choices["any"], "today": today, "form": form, "count": len(items)})


@staff_view
def action_item_new(request: HttpRequest) -> HttpResponse:
    back = redirect("action_item_list", association=request.association.slug)
    if request.method != "POST":
        return back
    form = ActionItemForm(request.POST)
    form.set_staff(staff_choices())
    if not form.is_valid():
        messages.error(request, "An action item needs what, who and by when.")
        return back
    data = form.cleaned_data
    try:
        services.action_item_add(association=request.association, title=data["title"],
                                 owner=_owner(data["owner"]), due_on=data["due_on"],
                                 actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Action item added; its owner has been told.")
    return back


def _close(request: HttpRequest, action_item_id: int, done: bool) -> HttpResponse:
    item = get_object_or_404(ActionItem, pk=action_item_id)
    if request.method != "POST":
        return redirect("action_item_list", association=request.association.slug)
    write = services.action_item_complete if done else services.action_item_drop
    try:
        write(association=request.association, item=item, actor=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"“{item.title}” {'done' if done else 'dropped'}.")
    back = request.POST.get("next", "")
    if back.startswith(f"/a/{request.association.slug}/") and "//" not in back:
        return redirect(back)
    return redirect("action_item_list", association=request.association.slug)


@staff_view
def action_item_done(request: HttpRequest, action_item_id: int) -> HttpResponse:
    return _close(request, action_item_id, True)


@staff_view
def action_item_drop(request: HttpRequest, action_item_id: int) -> HttpResponse:
    return _close(request, action_item_id, False)
