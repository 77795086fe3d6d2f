"""Reads of the meetings part: the meetings list, a meeting's page, action items by owner,
the staff inbox, the operations manual and its diffs. Never a write; a fixed number of
queries per page whatever the number of rows."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from commonground.planning.models import Comment

from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    InboxMessage,
    ManualPage,
    ManualRevision,
    Meeting,
    MeetingParticipant,
    MeetingSeries,
    MeetingStatus,
)

SIDE_ORDER = ("mission", "business")


def url_or_blank(name: str, **kwargs: Any) -> str:
    """A link to another part's page by URL name, blank while that part is not mounted
    (the plan's objective page, a decision's page)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def meetings_list(*, now: datetime, series_id: int | None = None) -> tuple[list[Meeting],
                                                                             list[Meeting]]:
    """(upcoming soonest first, past latest first) with their participant, agenda and
    open action counts. One query."""
    qs = (Meeting.objects.select_related("series")
          .annotate(n_participants=Count("participants", distinct=True),
                    n_items=Count("agenda", distinct=True),
                    n_open=Count("action_items", distinct=True,
                                 filter=Q(action_items__status=ActionStatus.OPEN))))
    if series_id:
        qs = qs.filter(series_id=series_id)
    rows = list(qs)
    upcoming = sorted((m for m in rows if m.starts_at >= now
                       and m.status == MeetingStatus.SCHEDULED), key=lambda m: m.starts_at)
    past = [m for m in rows if m not in upcoming]
    return upcoming, past


def series_list() -> list[MeetingSeries]:
    return list(MeetingSeries.objects.annotate(n_meetings=Count("meetings")))


@dataclass
class AgendaRow:
    item: AgendaItem
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


@dataclass
class MeetingPage:
    meeting: Meeting
    sides: list[tuple[str, list[MeetingParticipant]]]
    agenda: list[AgendaRow]
    actions: list[ActionItem]      # agreed at this meeting
    carried: list[ActionItem]      # still open from earlier meetings
    manual_revisions: list[ManualRevision]
    comments: list
    today: date

    @property
    def is_open(self) -> bool:
        return self.meeting.status == MeetingStatus.SCHEDULED

    @property
    def minutes_editable(self) -> bool:
        return self.meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.HELD)


def _agenda_rows(slug: str, items: list[AgendaItem]) -> list[AgendaRow]:
    rows = []
    for item in items:
        row = AgendaRow(item)
        if item.objective_id:
            url = url_or_blank("objective_detail", association=slug,
                               objective_id=item.objective_id)
            label = item.objective.title if item.objective else "the objective"
            if url:
                row.links.append((f"Objective: {label}", url))
        if item.decision_id:
            url = url_or_blank("decision_detail", association=slug, decision_id=item.decision_id)
            if url:
                row.links.append(("The decision", url))
        if item.action_item_id:
            url = url_or_blank("action_item_list", association=slug)
            if url:
                row.links.append(("The action item", f"{url}#action-{item.action_item_id}"))
        rows.append(row)
    return rows


def meeting_page(meeting: Meeting, *, today: date) -> MeetingPage:
    """Everything the meeting page shows, in seven queries."""
    slug = meeting.association.slug
    by_side: dict[str, list[MeetingParticipant]] = {s: [] for s in SIDE_ORDER}
    for p in meeting.participants.select_related("user").order_by("user__email"):
        by_side.setdefault(p.side, []).append(p)
    items = list(meeting.agenda.select_related("objective", "action_item"))
    actions = list(meeting.action_items.select_related("owner").order_by("due_on", "id"))
    carried = list(ActionItem.objects.filter(status=ActionStatus.OPEN,
                                             meeting__starts_at__lt=meeting.starts_at)
                   .select_related("owner", "meeting").order_by("due_on", "id"))
    revisions = list(meeting.manual_revisions.select_related("page"))
    comments = list(Comment.objects.filter(subject="meeting", subject_id=meeting.pk)
                    .select_related("author"))
    return MeetingPage(meeting, list(by_side.items()), _agenda_rows(slug, items), actions,
                       carried, revisions, comments, today)


ACTION_FILTERS = ("open", "overdue", "done", "all")


def action_items(*, today: date, show: str = "open", owner_id: int | None = None
                 ) -> QuerySet[ActionItem]:
    """Action items: open (default), overdue (open and past due), done/dropped, or all;
    soonest due first."""
    qs = ActionItem.objects.select_related("owner", "meeting", "objective")
    if show == "open":
        qs = qs.filter(status=ActionStatus.OPEN)
    elif show == "overdue":
        qs = qs.filter(status=ActionStatus.OPEN, due_on__lt=today)
    elif show == "done":
        qs = qs.exclude(status=ActionStatus.OPEN)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by("due_on", "id")


def action_items_by_owner(items: list[ActionItem]) -> list[tuple[Any, list[ActionItem]]]:
    groups: dict[int, tuple[Any, list[ActionItem]]] = {}
    for a in items:
        groups.setdefault(a.owner_id, (a.owner, []))[1].append(a)
    return sorted(groups.values(), key=lambda g: (g[0].email or g[0].username))


def inbox(*, user, unread_only: bool = False) -> QuerySet[InboxMessage]:
    qs = InboxMessage.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def manual_pages() -> list[ManualPage]:
    """The pages in order with their current version number and when it was written."""
    return list(ManualPage.objects.annotate(n_versions=Count("revisions")))


@dataclass
class ManualPageView:
    page: ManualPage
    current: ManualRevision | None
    revisions: list[ManualRevision]


def manual_page(page: ManualPage) -> ManualPageView:
    revisions = list(page.revisions.select_related("meeting", "written_by")
                     .order_by("-version"))
    return ManualPageView(page, revisions[0] if revisions else None, revisions)


@dataclass(frozen=True)
class DiffLine:
    op: str     # "+", "-", " " or "@" (a hunk header)
    text: str


def manual_diff(page: ManualPage, *, from_version: int, to_version: int) -> list[DiffLine]:
    """A unified diff, line by line, between two versions of a page (difflib)."""
    bodies = dict(page.revisions.filter(version__in=[from_version, to_version])
                  .values_list("version", "body"))
    if from_version not in bodies or to_version not in bodies:
        return []
    out = []
    for line in difflib.unified_diff(bodies[from_version].splitlines(),
                                     bodies[to_version].splitlines(),
                                     fromfile=f"version {from_version}",
                                     tofile=f"version {to_version}", lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        op = "@" if line.startswith("@@") else line[:1] or " "
        out.append(DiffLine(op, line if op == "@" else line[1:]))
    return out
