"""Action items from the command line.

    commonground actions list --association SLUG [--show open|overdue|done|all]
        [--owner EMAIL] [--json]
    commonground actions add --association SLUG --title TEXT --owner EMAIL --due YYYY-MM-DD
        [--meeting ID] [--json]
    commonground actions done ID --association SLUG
    commonground actions drop ID --association SLUG

Open items are carried to the next meeting's agenda until they are done or dropped.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.clock import association_today

from ... import selectors_meetings as selectors
from ... import services
from ...models import ActionItem, ActionStatus, Meeting
from .meetings import users_by_email


def _row(a: ActionItem, today: date) -> dict[str, Any]:
    return {"id": a.pk, "title": a.title, "owner": a.owner.email, "due_on": a.due_on,
            "status": a.status, "overdue": a.status == ActionStatus.OPEN and a.due_on < today,
            "meeting": a.meeting_id}


class Command(BaseCommand):
    help = "List, add and close action items (owner, due date; open ones carry over)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Action items, soonest due first")
        lst.add_argument("--show", choices=selectors.ACTION_FILTERS, default="open")
        lst.add_argument("--owner", help="An owner's email")
        add = sub.add_parser("add", help="A new action item; its owner is told")
        add.add_argument("--title", required=True)
        add.add_argument("--owner", required=True, help="Email of a staff member on a side")
        add.add_argument("--due", required=True, type=date.fromisoformat)
        add.add_argument("--meeting", type=int, help="The meeting that agreed it")
        done = sub.add_parser("done", help="Mark an action item done")
        drop = sub.add_parser("drop", help="Drop an action item")
        for p in (done, drop):
            p.add_argument("item", type=int)
        for p in (lst, add, done, drop):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options={"due_on": "--due"}) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _list(self, assoc, *, show, owner=None, as_json=False, **_: Any) -> None:
        today = association_today(assoc)
        owner_id = users_by_email(owner, "--owner")[0].pk if owner else None
        rows = [_row(a, today) for a in
                selectors.action_items(today=today, show=show, owner_id=owner_id)]
        lines = [f"{r['id']:>6}  {r['due_on']}  {r['status']:<7}{' OVERDUE' if r['overdue'] else ''}"
                 f"  {r['owner']}  {r['title']}" for r in rows] or ["No action items."]
        self._say(rows, "\n".join(lines), as_json)

    def _add(self, assoc, *, title, owner, due, meeting=None, as_json=False, **_: Any) -> None:
        found = Meeting.objects.filter(pk=meeting).first() if meeting else None
        if meeting and found is None:
            raise CommandError(f"--meeting: no meeting {meeting}")
        a = services.action_item_add(association=assoc, title=title,
                                     owner=users_by_email(owner, "--owner")[0], due_on=due,
                                     meeting=found)
        self._say(_row(a, association_today(assoc)), f"Action item {a.pk} added.", as_json)

    def _close(self, assoc, item: int, write, word: str, as_json: bool) -> None:
        found = ActionItem.objects.filter(pk=item).first()
        if found is None:
            raise CommandError(f"No action item {item} (see `commonground actions list`)")
        a = write(association=assoc, item=found)
        self._say(_row(a, association_today(assoc)), f"Action item {a.pk} {word}.", as_json)

    def _done(self, assoc, *, item, as_json=False, **_: Any) -> None:
        self._close(assoc, item, services.action_item_complete, "done", as_json)

    def _drop(self, assoc, *, item, as_json=False, **_: Any) -> None:
        self._close(assoc, item, services.action_item_drop, "dropped", as_json)
