"""Regulation meetings: a series with its cadence and standing participants, scheduling
(never with one side only), the agenda drafted from the data or added by hand, minutes,
and circulation to everyone concerned. Action items are ``actions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from commonground.core.errors import Conflict, ValidationFailed
from commonground.planning.models import ObjectiveOwner
from commonground.tenancy import audit, permissions
from commonground.tenancy.clock import association_now
from commonground.tenancy.models import Association, Side, StaffMember

from .. import agenda as agenda_registry
from ..models import (
    ActionItem,
    AgendaItem,
    AgendaOrigin,
    Cadence,
    Meeting,
    MeetingParticipant,
    MeetingSeries,
    MeetingStatus,
)
from ..models.meetings import CADENCE_MONTHS
from .inbox import inbox_send
from .meetings_common import actor_user, clean_text, raise_if, require_side_staff

SIDES = (Side.MISSION.value, Side.BUSINESS.value)
MAX_TITLE, MAX_TEXT, MAX_MINUTES = 200, 20_000, 100_000
MAX_PARTICIPANTS = 100


def meeting_url(meeting: Meeting) -> str:
    try:
        return reverse("meeting_detail", kwargs={"association": meeting.association.slug,
                                                 "meeting_id": meeting.pk})
    except NoReverseMatch:  # the staff pages are not mounted (a worker-only deployment)
        return ""


def _participants(association: Association, participants: Iterable,
                  errors: dict[str, list[str]]) -> list[tuple[int, str]]:
    """``participants`` as (user id, side): each a staff member who can act for that side
    (``permissions.may_sign``), each once; both sides present."""
    rows: list[tuple[int, str]] = []
    seen: set[int] = set()
    for entry in participants:
        try:
            user, side = entry
        except (TypeError, ValueError):
            errors.setdefault("participants", []).append("each participant is (user, side)")
            return []
        uid = getattr(user, "pk", user)
        if not isinstance(uid, int) or side not in SIDES:
            errors.setdefault("participants", []).append(
                f"{uid!r}: a user and a side ({' or '.join(SIDES)})")
            continue
        if uid in seen:
            errors.setdefault("participants", []).append(f"user {uid} is named twice")
            continue
        seen.add(uid)
        rows.append((uid, side))
    if len(rows) > MAX_PARTICIPANTS:
        errors.setdefault("participants", []).append(f"at most {MAX_PARTICIPANTS}")
        return rows
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=seen)}
    roles_by_user: dict[int, list] = {}
    for staff in StaffMember.objects.filter(association=association, user_id__in=seen) \
            .select_related("role"):
        roles_by_user.setdefault(staff.user_id, []).append(staff)
    for uid, side in rows:
        if uid not in users or uid not in roles_by_user:
            errors.setdefault("participants", []).append(f"user {uid} is not staff here")
        elif not permissions.may_sign(roles_by_user[uid], side):
            errors.setdefault("participants", []).append(
                f"{users[uid].email or uid} is not on the {side} side")
    present = {side for _, side in rows}
    for side in SIDES:
        if side not in present and not errors.get("participants"):
            errors.setdefault("participants", []).append(
                f"a meeting needs both sides: add someone from the {side} side")
    return rows


@transaction.atomic
def series_save(*, association: Association, name: str, cadence: str = Cadence.TRIMESTER,
                purpose: str = "", participants: Sequence = (),
                series: MeetingSeries | None = None, actor=None) -> MeetingSeries:
    """Create or change a series of meetings: its cadence and its standing participants
    (copied to each meeting scheduled in it), who cover both sides."""
    require_side_staff(association, actor, "set up meetings")
    errors: dict[str, list[str]] = {}
    name = clean_text(name, field="name", errors=errors, max_length=MAX_TITLE)
    purpose = clean_text(purpose, field="purpose", errors=errors, max_length=MAX_TEXT,
                         required=False)
    if cadence not in Cadence.values:
        errors.setdefault("cadence", []).append(f"one of {', '.join(Cadence.values)}")
    rows = _participants(association, participants, errors)
    raise_if(errors)
    standing = [{"user_id": uid, "side": side} for uid, side in rows]
    created = series is None
    if created:
        series = MeetingSeries.objects.create(association=association, name=name,
                                              purpose=purpose, cadence=cadence,
                                              default_participants=standing,
                                              created_by=actor_user(actor))
    else:
        series.name, series.purpose, series.cadence = name, purpose, cadence
        series.default_participants = standing
        series.save(update_fields=["name", "purpose", "cadence", "default_participants"])
    audit.record(association=association, action="meeting_series." +
                 ("created" if created else "changed"), obj=series, actor=actor_user(actor),
                 data={"name": name, "cadence": cadence, "participants": standing})
    return series


def _standing(series: MeetingSeries) -> list[tuple[int, str]]:
    return [(p["user_id"], p["side"]) for p in series.default_participants or []]


@transaction.atomic
def meeting_schedule(*, association: Association, title: str, starts_at: datetime,
                     participants: Sequence = (), series: MeetingSeries | None = None,
                     location: str = "", actor=None) -> Meeting:
    """Schedule a meeting. ``participants`` are (user, side) pairs — a user or user id and
    "mission" or "business" — each a staff member on that side; without them a series'
    standing participants are used. A meeting with one side only is refused ("a meeting
    needs both sides: add someone from the mission side")."""
    require_side_staff(association, actor, "schedule meetings")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, field="title", errors=errors, max_length=MAX_TITLE)
    location = clean_text(location, field="location", errors=errors, max_length=200,
                          required=False)
    if not isinstance(starts_at, datetime):
        errors.setdefault("starts_at", []).append("a date and time")
    elif timezone.is_naive(starts_at):
        # A wall-clock time is the association's, not the server's.
        starts_at = timezone.make_aware(starts_at, association_now(association).tzinfo)
    if series is not None and series.association_id != association.pk:
        errors.setdefault("series", []).append("no such series")
    if not participants and series is not None:
        participants = _standing(series)
    rows = _participants(association, participants, errors)
    raise_if(errors)
    meeting = Meeting.objects.create(association=association, series=series, title=title,
                                     starts_at=starts_at, location=location,
                                     created_by=actor_user(actor))
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(association=association, meeting=meeting, user_id=uid, side=side)
         for uid, side in rows])
    audit.record(association=association, action="meeting.scheduled", obj=meeting,
                 actor=actor_user(actor),
                 data={"title": title, "starts_at": starts_at.isoformat(),
                       "series": series.pk if series else None,
                       "participants": [{"user_id": u, "side": s} for u, s in rows]})
    return meeting


def next_starts_at(series: MeetingSeries, *, after: datetime) -> datetime:
    """The next meeting of a series: its latest meeting moved on by the cadence, or one
    cadence after ``after`` when it has none yet."""
    months = CADENCE_MONTHS[series.cadence]
    last = series.meetings.exclude(status=MeetingStatus.CANCELLED).aggregate(
        last=Max("starts_at"))["last"]
    start = (last or after) + relativedelta(months=months)
    while start <= after:  # a series that lapsed: the next date still ahead
        start += relativedelta(months=months)
    return start


@transaction.atomic
def meeting_schedule_next(*, association: Association, series: MeetingSeries,
                          actor=None) -> Meeting:
    """The series' next meeting from its cadence, with its standing participants."""
    now = timezone.now()
    starts_at = next_starts_at(series, after=now)
    local = association_now(association, at=starts_at)
    return meeting_schedule(association=association,
                            title=f"{series.name}, {local:%-d %b %Y}", starts_at=starts_at,
                            series=series, actor=actor)


def _editable(meeting: Meeting, what: str) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(f"The meeting was cancelled; its {what} can no longer change")
    if meeting.status == MeetingStatus.CIRCULATED:
        raise Conflict(f"The minutes were circulated; the meeting's {what} can no longer "
                       "change")


def _next_position(meeting: Meeting) -> int:
    top = meeting.agenda.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def agenda_draft(*, association: Association, meeting: Meeting, today: date,
                 actor=None) -> list[AgendaItem]:
    """Draft the agenda from the data: every registered agenda source's proposals
    (``negotiation.agenda``) that the meeting does not have yet (by ``origin_key``), after
    its current items. Drafting again adds only what is new."""
    require_side_staff(association, actor, "draft agendas")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _editable(meeting, "agenda")
    if meeting.status == MeetingStatus.HELD:
        raise Conflict("The meeting was held; its agenda is in the minutes")
    have = set(meeting.agenda.exclude(origin_key="").values_list("origin_key", flat=True))
    position = _next_position(meeting)
    items = []
    for p in agenda_registry.proposals(association=association, meeting=meeting, today=today):
        if p.origin_key in have:
            continue
        origin = p.origin if p.origin in AgendaOrigin.values else AgendaOrigin.DATA
        items.append(AgendaItem(association=association, meeting=meeting, position=position,
                                title=p.title[:300], body=p.body, origin=origin,
                                origin_key=p.origin_key, objective_id=p.objective_id,
                                action_item_id=p.action_item_id, decision_id=p.decision_id,
                                added_by=actor_user(actor)))
        position += 1
    AgendaItem.objects.bulk_create(items)
    audit.record(association=association, action="meeting.agenda_drafted", obj=meeting,
                 actor=actor_user(actor),
                 data={"added": [i.origin_key for i in items], "today": today.isoformat()})
    return items


@transaction.atomic
def agenda_item_add(*, association: Association, meeting: Meeting, title: str,
                    body: str = "", objective=None, actor=None) -> AgendaItem:
    """An item added by hand (any staff on a side), at the end of the agenda."""
    require_side_staff(association, actor, "add agenda items")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _editable(meeting, "agenda")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, field="title", errors=errors, max_length=300)
    body = clean_text(body, field="body", errors=errors, max_length=MAX_TEXT, required=False)
    if objective is not None and objective.association_id != association.pk:
        errors.setdefault("objective", []).append("no such objective")
    raise_if(errors)
    item = AgendaItem.objects.create(association=association, meeting=meeting,
                                     position=_next_position(meeting), title=title, body=body,
                                     origin=AgendaOrigin.MANUAL, objective=objective,
                                     added_by=actor_user(actor))
    audit.record(association=association, action="meeting.agenda_item_added", obj=item,
                 actor=actor_user(actor), data={"meeting": meeting.pk, "title": title})
    return item


@transaction.atomic
def agenda_item_remove(*, association: Association, item: AgendaItem, actor=None) -> None:
    """Take an item off the agenda before the meeting is held (drafting again would
    bring a data item back while its reason stands)."""
    require_side_staff(association, actor, "change agendas")
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    _editable(meeting, "agenda")
    if meeting.status == MeetingStatus.HELD:
        raise Conflict("The meeting was held; its agenda is in the minutes")
    audit.record(association=association, action="meeting.agenda_item_removed", obj=item,
                 actor=actor_user(actor), data={"meeting": meeting.pk, "title": item.title})
    item.delete()


@transaction.atomic
def minutes_record(*, association: Association, meeting: Meeting, minutes: str,
                   notes: dict[int, str] | None = None,
                   attended: Iterable[int] | None = None, actor=None) -> Meeting:
    """Record the minutes: the text, what was said on each agenda item (``notes`` by item
    id) and who attended (user ids; the others are marked absent). The meeting is then
    held; minutes can be corrected until they are circulated."""
    require_side_staff(association, actor, "record minutes")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _editable(meeting, "minutes")
    errors: dict[str, list[str]] = {}
    minutes = clean_text(minutes, field="minutes", errors=errors, max_length=MAX_MINUTES)
    items = {i.pk: i for i in meeting.agenda.all()}
    for item_id, text in (notes or {}).items():
        if item_id not in items:
            errors.setdefault("notes", []).append(f"item {item_id} is not on this agenda")
            continue
        clean = clean_text(text, field=f"notes.{item_id}", errors=errors,
                           max_length=MAX_TEXT, required=False)
        items[item_id].notes = clean
    participant_ids = set(meeting.participants.values_list("user_id", flat=True))
    attended_ids = None if attended is None else {int(a) for a in attended}
    if attended_ids is not None and (extra := attended_ids - participant_ids):
        errors.setdefault("attended", []).append(
            f"not participants: {', '.join(map(str, sorted(extra)))}")
    raise_if(errors)
    if notes:
        AgendaItem.objects.bulk_update([items[i] for i in notes], ["notes"])
    if attended_ids is not None:
        meeting.participants.update(attended=False)
        meeting.participants.filter(user_id__in=attended_ids).update(attended=True)
    was = meeting.status
    meeting.minutes, meeting.minutes_by = minutes, actor_user(actor)
    meeting.status = MeetingStatus.HELD
    meeting.held_at = meeting.held_at or timezone.now()
    meeting.save(update_fields=["minutes", "minutes_by", "status", "held_at"])
    audit.record(association=association,
                 action="meeting.minutes_recorded" if was != MeetingStatus.HELD
                 else "meeting.minutes_corrected", obj=meeting, actor=actor_user(actor),
                 data={"notes": sorted(notes or {}), "attended": sorted(attended_ids or ())})
    return meeting


@transaction.atomic
def meeting_cancel(*, association: Association, meeting: Meeting, actor=None) -> Meeting:
    require_side_staff(association, actor, "cancel meetings")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("Only a meeting not yet held can be cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    audit.record(association=association, action="meeting.cancelled", obj=meeting,
                 actor=actor_user(actor))
    return meeting


def concerned_user_ids(meeting: Meeting) -> list[int]:
    """Everyone the minutes concern: the participants, the owners of the meeting's action
    items and the owners of the objectives on its agenda (three queries)."""
    ids = list(meeting.participants.values_list("user_id", flat=True))
    ids += ActionItem.objects.filter(meeting=meeting).values_list("owner_id", flat=True)
    ids += ObjectiveOwner.objects.filter(
        objective_id__in=meeting.agenda.exclude(objective=None).values("objective_id")
    ).values_list("user_id", flat=True)
    return list(dict.fromkeys(ids))


def minutes_text(meeting: Meeting) -> str:
    """The circulated minutes as plain text: the record, each item's notes, the actions."""
    local = association_now(meeting.association, at=meeting.starts_at)
    lines = [f"{meeting.title} — {local:%-d %B %Y, %H:%M}", "", meeting.minutes.strip(), ""]
    items = list(meeting.agenda.all())
    if items:
        lines.append("Agenda")
        for n, item in enumerate(items, 1):
            lines.append(f"{n}. {item.title}")
            if item.notes:
                lines.extend(f"   {line}" for line in item.notes.splitlines())
        lines.append("")
    actions = list(ActionItem.objects.filter(meeting=meeting).select_related("owner"))
    if actions:
        lines.append("Action items")
        lines.extend(f"- {a.title} ({a.owner.email or a.owner.username}, by "
                     f"{a.due_on:%-d %b %Y}; {a.get_status_display().lower()})"
                     for a in actions)
    return "\n".join(lines).strip() + "\n"


@transaction.atomic
def meeting_circulate(*, association: Association, meeting: Meeting, actor=None) -> int:
    """Send the minutes to everyone concerned: an inbox message each, emailed once this
    commits. Only held meetings; circulating again sends nothing (returns 0)."""
    require_side_staff(association, actor, "circulate minutes")
    meeting = Meeting.objects.select_for_update().select_related("association").get(
        pk=meeting.pk)
    if meeting.status == MeetingStatus.CIRCULATED:
        return 0
    if meeting.status != MeetingStatus.HELD:
        raise ValidationFailed("Record the minutes before circulating them",
                               fields={"minutes": ["not recorded yet"]})
    users = concerned_user_ids(meeting)
    # Owners who have since left the staff get nothing (the inbox is for staff).
    staff = set(StaffMember.objects.filter(association=association, user_id__in=users)
                .values_list("user_id", flat=True))
    users = [u for u in users if u in staff]
    if users:
        inbox_send(association=association, users=users, subject=f"Minutes: {meeting.title}",
                   body=minutes_text(meeting), url=meeting_url(meeting), kind="minutes")
    meeting.status, meeting.circulated_at = MeetingStatus.CIRCULATED, timezone.now()
    meeting.save(update_fields=["status", "circulated_at"])
    audit.record(association=association, action="meeting.circulated", obj=meeting,
                 actor=actor_user(actor), data={"recipients": users})
    return len(users)
