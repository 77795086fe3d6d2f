"""Action items: something a named staff member will do by a date. Open ones are carried
to the next meeting's agenda (``agenda_sources``) until they are done or dropped."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from commonground.core.errors import Conflict
from commonground.tenancy import audit, permissions
from commonground.tenancy.models import Association

from ..models import ActionItem, ActionStatus, Meeting, MeetingStatus
from .inbox import inbox_send
from .meetings_common import actor_user, clean_text, raise_if, require_side_staff

MAX_TITLE = 300


def _action_url(item: ActionItem) -> str:
    try:
        return reverse("action_item_list", kwargs={"association": item.association.slug}) \
            + f"#action-{item.pk}"
    except NoReverseMatch:  # the staff pages are not mounted (a worker-only deployment)
        return ""


def _check(association: Association, *, title: str, owner, due_on, meeting, objective,
           decision, errors: dict[str, list[str]]) -> str:
    title = clean_text(title, field="title", errors=errors, max_length=MAX_TITLE)
    if owner is None:
        errors.setdefault("owner", []).append("required")
    else:
        # The owner acts for a side: staff on the mission or business side, not the board.
        roles = permissions.staff_roles_of(association=association, user=owner)
        if not permissions.sides_of(roles):
            errors.setdefault("owner", []).append(
                f"{getattr(owner, 'email', owner)} is not staff on a side here")
    if not isinstance(due_on, date):
        errors.setdefault("due_on", []).append("required (a date)")
    for field, obj in (("meeting", meeting), ("objective", objective), ("decision", decision)):
        if obj is not None and obj.association_id != association.pk:
            errors.setdefault(field, []).append(f"no such {field}")
    if meeting is not None and meeting.status == MeetingStatus.CANCELLED:
        errors.setdefault("meeting", []).append("the meeting was cancelled")
    return title


def _notify_owner(association: Association, item: ActionItem, actor) -> None:
    if actor_user(actor) is not None and actor_user(actor).pk == item.owner_id:
        return  # one's own action item needs no message
    inbox_send(association=association, users=[item.owner_id],
               subject=f"Action item for you: {item.title}"[:200],
               body=f"Due {item.due_on:%-d %B %Y}." + (
                   f"\nAgreed at {item.meeting.title}." if item.meeting_id else ""),
               url=_action_url(item), kind="action.assigned")


@transaction.atomic
def action_item_add(*, association: Association, title: str, owner, due_on: date,
                    meeting: Meeting | None = None, objective=None, decision=None,
                    actor=None) -> ActionItem:
    """A new open action item; its owner gets an inbox message (and an email)."""
    require_side_staff(association, actor, "add action items")
    errors: dict[str, list[str]] = {}
    title = _check(association, title=title, owner=owner, due_on=due_on, meeting=meeting,
                   objective=objective, decision=decision, errors=errors)
    raise_if(errors)
    item = ActionItem.objects.create(association=association, meeting=meeting, title=title,
                                     owner=owner, due_on=due_on, objective=objective,
                                     decision=decision, created_by=actor_user(actor))
    audit.record(association=association, action="action_item.added", obj=item,
                 actor=actor_user(actor),
                 data={"title": title, "owner": owner.pk, "due_on": due_on.isoformat(),
                       "meeting": meeting.pk if meeting else None})
    _notify_owner(association, item, actor)
    return item


def _locked(item: ActionItem) -> ActionItem:
    # Lock the item's row only (PostgreSQL refuses FOR UPDATE on the outer-joined meeting).
    return ActionItem.objects.select_for_update(of=("self",)) \
        .select_related("meeting", "association").get(pk=item.pk)


@transaction.atomic
def action_item_update(*, association: Association, item: ActionItem, title: str, owner,
                       due_on: date, actor=None) -> ActionItem:
    """Change an open item's title, owner or due date (a new owner is told)."""
    require_side_staff(association, actor, "change action items")
    item = _locked(item)
    if item.status != ActionStatus.OPEN:
        raise Conflict(f"The action item is {item.get_status_display().lower()}")
    errors: dict[str, list[str]] = {}
    title = _check(association, title=title, owner=owner, due_on=due_on, meeting=None,
                   objective=None, decision=None, errors=errors)
    raise_if(errors)
    before = {"title": item.title, "owner": item.owner_id, "due_on": item.due_on.isoformat()}
    new_owner = owner.pk != item.owner_id
    item.title, item.owner, item.due_on = title, owner, due_on
    item.save(update_fields=["title", "owner", "due_on"])
    audit.record(association=association, action="action_item.changed", obj=item,
                 actor=actor_user(actor),
                 data={"before": before, "after": {"title": title, "owner": owner.pk,
                                                   "due_on": due_on.isoformat()}})
    if new_owner:
        _notify_owner(association, item, actor)
    return item


def _close(association: Association, item: ActionItem, status: str, actor) -> ActionItem:
    require_side_staff(association, actor, "close action items")
    item = _locked(item)
    if item.status == status:
        return item  # done twice is still done
    if item.status != ActionStatus.OPEN:
        raise Conflict(f"The action item is already {item.get_status_display().lower()}")
    item.status = status
    item.done_at = timezone.now()
    item.save(update_fields=["status", "done_at"])
    audit.record(association=association, action=f"action_item.{status}", obj=item,
                 actor=actor_user(actor), data={"title": item.title})
    return item


@transaction.atomic
def action_item_complete(*, association: Association, item: ActionItem,
                         actor=None) -> ActionItem:
    """Done: it is no longer carried to the next meeting."""
    return _close(association, item, ActionStatus.DONE, actor)


@transaction.atomic
def action_item_drop(*, association: Association, item: ActionItem, actor=None) -> ActionItem:
    """Dropped (no longer wanted): not carried either, and kept on the record."""
    return _close(association, item, ActionStatus.DROPPED, actor)
