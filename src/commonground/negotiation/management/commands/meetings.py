"""Regulation meetings and the operations manual from the command line.

    commonground meetings list --association SLUG [--when upcoming|past] [--json]
    commonground meetings series --association SLUG --name NAME [--cadence trimester]
        --mission EMAIL[,EMAIL] --business EMAIL[,EMAIL] [--json]
    commonground meetings schedule --association SLUG --title TITLE --starts "YYYY-MM-DD HH:MM"
        (--mission EMAILS --business EMAILS | --series ID) [--location TEXT] [--json]
    commonground meetings next SERIES --association SLUG [--json]
    commonground meetings show MEETING --association SLUG [--json]
    commonground meetings draft MEETING --association SLUG [--today YYYY-MM-DD] [--json]
    commonground meetings minutes MEETING --association SLUG --text TEXT|@FILE
    commonground meetings circulate MEETING --association SLUG
    commonground meetings manual list|show PAGE|new --title T|revise PAGE --body TEXT|@FILE
        [--summary S] [--meeting ID]|diff PAGE [--from N] [--to N]  --association SLUG

Times without an offset are the association's. A refused write prints the service's
message and each field's, and exits non-zero. ``draft`` prints ``added=N`` last.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.clock import association_today

from ... import selectors_meetings as selectors
from ... import services
from ...models import Cadence, ManualPage, Meeting, MeetingSeries

OPTIONS = {"participants": "--mission/--business", "starts_at": "--starts", "minutes": "--text"}


def text_arg(value: str, option: str) -> str:
    """TEXT, or @FILE holding it."""
    if not value.startswith("@"):
        return value
    try:
        return Path(value[1:]).read_text()
    except OSError as exc:
        raise CommandError(f"{option}: cannot read {value[1:]}: {exc.strerror}") from None


def users_by_email(emails: str | None, option: str) -> list:
    wanted = [e.strip().lower() for e in (emails or "").split(",") if e.strip()]
    found = {u.email.lower(): u for u in get_user_model().objects.filter(email__in=wanted)}
    if missing := [e for e in wanted if e not in found]:
        raise CommandError(f"{option}: no user {', '.join(missing)}")
    return [found[e] for e in wanted]


def _one(model, ref: str, noun: str):
    found = model.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    if found is None and model is ManualPage:
        found = ManualPage.objects.filter(slug=ref).first()
    if found is None:
        raise CommandError(f"No {noun} {ref!r} (see `commonground meetings list`)")
    return found


def _meeting_row(m: Meeting) -> dict[str, Any]:
    return {"id": m.pk, "title": m.title, "starts_at": m.starts_at.isoformat(),
            "status": m.status, "series": m.series_id, "location": m.location}


class Command(BaseCommand):
    help = "Regulation meetings: schedule, draft the agenda, minutes, circulate; the manual."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Upcoming and past meetings")
        lst.add_argument("--when", choices=["upcoming", "past"])
        series = sub.add_parser("series", help="Set up a series with a cadence")
        series.add_argument("--name", required=True)
        series.add_argument("--cadence", choices=Cadence.values, default=Cadence.TRIMESTER)
        series.add_argument("--purpose", default="")
        sched = sub.add_parser("schedule", help="Schedule a meeting (both sides needed)")
        sched.add_argument("--title", required=True)
        sched.add_argument("--starts", required=True, help="YYYY-MM-DD HH:MM")
        sched.add_argument("--location", default="")
        sched.add_argument("--series", help="A series id (its standing participants)")
        for p in (series, sched):
            p.add_argument("--mission", help="Emails of mission-side participants")
            p.add_argument("--business", help="Emails of business-side participants")
        nxt = sub.add_parser("next", help="Schedule a series' next meeting from its cadence")
        nxt.add_argument("series")
        show = sub.add_parser("show", help="A meeting's participants, agenda and actions")
        draft = sub.add_parser("draft", help="Draft the agenda from the data")
        draft.add_argument("--today", type=date.fromisoformat,
                           help="The day to draft for (default: the association's today)")
        minutes = sub.add_parser("minutes", help="Record the minutes (the meeting is held)")
        minutes.add_argument("--text", required=True, help="TEXT or @FILE")
        circ = sub.add_parser("circulate", help="Circulate the minutes (inbox and email)")
        for p in (show, draft, minutes, circ):
            p.add_argument("meeting")
        manual = sub.add_parser("manual", help="The operations manual")
        manual.add_argument("manual_action", choices=["list", "show", "new", "revise", "diff"])
        manual.add_argument("page", nargs="?")
        manual.add_argument("--title")
        manual.add_argument("--body", help="TEXT or @FILE")
        manual.add_argument("--summary", default="")
        manual.add_argument("--meeting", help="The held meeting that decided the change")
        manual.add_argument("--from", dest="from_v", type=int)
        manual.add_argument("--to", dest="to_v", type=int)
        for p in (lst, series, sched, nxt, show, draft, minutes, circ, manual):
            p.add_argument("--association", required=True)
            p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _participants(self, mission, business) -> list:
        return ([(u, "mission") for u in users_by_email(mission, "--mission")]
                + [(u, "business") for u in users_by_email(business, "--business")])

    def _list(self, assoc, *, when=None, as_json=False, **_: Any) -> None:
        upcoming, past = selectors.meetings_list(now=timezone.now())
        rows = upcoming if when == "upcoming" else past if when == "past" else upcoming + past
        lines = [f"{m.pk:>6}  {m.starts_at:%Y-%m-%d %H:%M}  {m.status:<10}  {m.title}"
                 for m in rows] or ["No meetings."]
        self._say([_meeting_row(m) for m in rows], "\n".join(lines), as_json)

    def _series(self, assoc, *, name, cadence, purpose, mission=None, business=None,
                as_json=False, **_: Any) -> None:
        s = services.series_save(association=assoc, name=name, cadence=cadence,
                                 purpose=purpose,
                                 participants=self._participants(mission, business))
        self._say({"id": s.pk, "name": s.name, "cadence": s.cadence},
                  f"Series {s.pk} “{s.name}” ({s.get_cadence_display().lower()}).", as_json)

    def _schedule(self, assoc, *, title, starts, location, series=None, mission=None,
                  business=None, as_json=False, **_: Any) -> None:
        try:
            starts_at = datetime.fromisoformat(starts)
        except ValueError:
            raise CommandError(f"--starts: not a date and time (YYYY-MM-DD HH:MM): {starts!r}") \
                from None
        m = services.meeting_schedule(
            association=assoc, title=title, starts_at=starts_at, location=location,
            series=_one(MeetingSeries, series, "series") if series else None,
            participants=self._participants(mission, business))
        self._say(_meeting_row(m), f"Meeting {m.pk} “{m.title}” scheduled.", as_json)

    def _next(self, assoc, *, series, as_json=False, **_: Any) -> None:
        m = services.meeting_schedule_next(association=assoc,
                                           series=_one(MeetingSeries, series, "series"))
        self._say(_meeting_row(m), f"Meeting {m.pk} “{m.title}” scheduled for "
                                   f"{m.starts_at:%Y-%m-%d %H:%M}.", as_json)

    def _show(self, assoc, *, meeting, as_json=False, **_: Any) -> None:
        m = _one(Meeting, meeting, "meeting")
        page = selectors.meeting_page(m, today=association_today(assoc))
        payload = {**_meeting_row(m),
                   "participants": {side: [p.user.email for p in people]
                                    for side, people in page.sides},
                   "agenda": [{"id": r.item.pk, "title": r.item.title, "origin": r.item.origin,
                               "origin_key": r.item.origin_key} for r in page.agenda],
                   "action_items": [{"id": a.pk, "title": a.title, "owner": a.owner.email,
                                     "due_on": a.due_on, "status": a.status}
                                    for a in page.actions]}
        lines = [f"{m.title} — {m.starts_at:%Y-%m-%d %H:%M} ({m.get_status_display()})"]
        for side, people in payload["participants"].items():
            lines.append(f"  {side}: {', '.join(people) or '—'}")
        lines += [f"  {n}. [{i['origin']}] {i['title']}"
                  for n, i in enumerate(payload["agenda"], 1)]
        lines += [f"  action {a['id']}: {a['title']} ({a['owner']}, {a['due_on']}, "
                  f"{a['status']})" for a in payload["action_items"]]
        self._say(payload, "\n".join(lines), as_json)

    def _draft(self, assoc, *, meeting, today=None, as_json=False, **_: Any) -> None:
        m = _one(Meeting, meeting, "meeting")
        added = services.agenda_draft(association=assoc, meeting=m,
                                      today=today or association_today(assoc))
        rows = [{"id": i.pk, "title": i.title, "origin": i.origin, "origin_key": i.origin_key}
                for i in added]
        lines = [f"  [{r['origin']}] {r['title']}" for r in rows] + [f"added={len(rows)}"]
        self._say({"added": rows}, "\n".join(lines), as_json)

    def _minutes(self, assoc, *, meeting, text, as_json=False, **_: Any) -> None:
        m = services.minutes_record(association=assoc, meeting=_one(Meeting, meeting, "meeting"),
                                    minutes=text_arg(text, "--text"))
        self._say(_meeting_row(m), f"Minutes of {m.pk} recorded; the meeting is held.", as_json)

    def _circulate(self, assoc, *, meeting, as_json=False, **_: Any) -> None:
        sent = services.meeting_circulate(association=assoc,
                                          meeting=_one(Meeting, meeting, "meeting"))
        self._say({"sent": sent}, f"sent={sent}" if sent else
                  "Already circulated: nothing sent. sent=0", as_json)

    def _manual(self, assoc, *, manual_action, page=None, title=None, body=None, summary="",
                meeting=None, from_v=None, to_v=None, as_json=False, **_: Any) -> None:
        if manual_action == "list":
            pages = selectors.manual_pages()
            self._say([{"id": p.pk, "slug": p.slug, "title": p.title, "versions": p.n_versions}
                       for p in pages],
                      "\n".join(f"{p.pk:>6}  {p.slug:<24}  v{p.n_versions}  {p.title}"
                                for p in pages) or "The manual has no pages yet.", as_json)
            return
        if manual_action == "new":
            if not title:
                raise CommandError("manual new needs --title")
            p = services.manual_page_save(association=assoc, title=title)
            self._say({"id": p.pk, "slug": p.slug}, f"Page {p.pk} “{p.title}” ({p.slug}).",
                      as_json)
            return
        if not page:
            raise CommandError(f"manual {manual_action} needs a PAGE (id or slug)")
        p = _one(ManualPage, page, "manual page")
        if manual_action == "show":
            view = selectors.manual_page(p)
            rows = [{"version": r.version, "summary": r.summary, "meeting": r.meeting_id,
                     "created_at": r.created_at} for r in view.revisions]
            text = (view.current.body if view.current else "(nothing written yet)") + "\n" + \
                "\n".join(f"  v{r['version']}: {r['summary'] or 'first version'}"
                          f"{' (meeting ' + str(r['meeting']) + ')' if r['meeting'] else ''}"
                          for r in rows)
            self._say({"id": p.pk, "title": p.title, "body": view.current.body
                       if view.current else "", "versions": rows}, text, as_json)
        elif manual_action == "revise":
            if body is None:
                raise CommandError("manual revise needs --body TEXT or @FILE")
            r = services.manual_revise(
                association=assoc, page=p, body=text_arg(body, "--body"), summary=summary,
                meeting=_one(Meeting, meeting, "meeting") if meeting else None)
            self._say({"version": r.version}, f"Version {r.version} of “{p.title}” saved.",
                      as_json)
        else:
            to_v = to_v or p.revisions.count()
            from_v = from_v or max(to_v - 1, 1)
            lines = selectors.manual_diff(p, from_version=from_v, to_version=to_v)
            self._say([{"op": d.op, "text": d.text} for d in lines],
                      "\n".join(d.text if d.op == "@" else f"{d.op}{d.text}" for d in lines)
                      or "No difference.", as_json)
