"""Appraisals and schedules that need both sides' input, from the command line.

    commonground forms list --association SLUG [--status open|completed] [--json]
    commonground forms show ID --association SLUG [--json]
    commonground forms create --association SLUG --by EMAIL --kind appraisal --title TEXT
        --subject STAFF-EMAIL [--json]
    commonground forms create --association SLUG --by EMAIL --kind schedule --title TEXT
        --from DATE --to DATE [--json]
    commonground forms input ID --association SLUG --by EMAIL --side mission|business
        --body TEXT [--rating 1-5] [--slot TEXT]…
    commonground forms complete ID --association SLUG --by EMAIL --summary TEXT
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.core.ids import parse_id
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.cli import staff_named as staff_user

from ... import selectors_decisions as sel
from ... import services
from ...models import DualForm, DualFormKind, DualFormStatus

OPTIONS = {"subject_user": "--subject", "period_start": "--from", "period_end": "--to",
           "data.rating": "--rating", "data.slots": "--slot"}


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: a date as YYYY-MM-DD") from None


def row(f: DualForm) -> dict[str, Any]:
    inputs = list(f.inputs.select_related("author").order_by("side"))
    return {"id": f.pk, "kind": f.kind, "title": f.title, "status": f.status,
            "subject_user": f.subject_user.email if f.subject_user_id else None,
            "period": [str(f.period_start), str(f.period_end)] if f.period_start else None,
            "waiting_for": sel.dual_form_missing(f), "summary": f.summary,
            "inputs": [{"side": i.side, "author": i.author.email, "body": i.body,
                        "data": i.data} for i in inputs]}


class Command(BaseCommand):
    help = "Appraisals and schedules: both sides give input before completion."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def cmd(name: str, text: str, *, target: bool = False, by: bool = True):
            p = sub.add_parser(name, help=text)
            if target:
                p.add_argument("form", help="The form's id")
            p.add_argument("--association", required=True)
            p.add_argument("--by", required=by, help="Email of the staff member acting")
            p.add_argument("--json", action="store_true", dest="as_json")
            return p

        lst = cmd("list", "Appraisals and schedules", by=False)
        lst.add_argument("--status", choices=DualFormStatus.values)
        cmd("show", "One form with both sides' input", target=True, by=False)
        create = cmd("create", "Start an appraisal or a schedule")
        create.add_argument("--kind", required=True, choices=DualFormKind.values)
        create.add_argument("--title", required=True)
        create.add_argument("--subject", help="An appraisal: the staff member's email")
        create.add_argument("--from", dest="period_start", help="A schedule's first day")
        create.add_argument("--to", dest="period_end", help="A schedule's last day")
        give = cmd("input", "Give your side's input", target=True)
        give.add_argument("--side", required=True, choices=["mission", "business"])
        give.add_argument("--body", required=True)
        give.add_argument("--rating")
        give.add_argument("--slot", action="append", default=[], dest="slots")
        done = cmd("complete", "Complete with the agreed result", target=True)
        done.add_argument("--summary", required=True)

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            options["actor"] = staff_user(assoc, options.pop("by", None))
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc, options=OPTIONS) from None

    def _form(self, value: str) -> DualForm:
        pk = parse_id(value)
        found = DualForm.objects.filter(pk=pk).first() if pk else None
        if found is None:
            raise CommandError(f"No form {value!r} in this association")
        return found

    def _emit(self, data: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(data, default=str) if as_json else text)

    @staticmethod
    def _line(r: dict[str, Any]) -> str:
        waiting = f" waiting for {' and '.join(r['waiting_for'])}" if r["waiting_for"] else ""
        return f"{r['id']:>6}  {r['kind']:<9} {r['status']:<9}{waiting}  {r['title']}"

    def _list(self, assoc, *, status=None, as_json=False, **_: Any) -> None:
        rows = [row(f) for f in sel.dual_form_list(status=status or "")[:500]]
        self._emit(rows, "\n".join(map(self._line, rows)) or "No appraisals or schedules.",
                   as_json)

    def _show(self, assoc, *, form, as_json=False, **_: Any) -> None:
        r = row(self._form(form))
        lines = [self._line(r)] + [f"  {i['side']} ({i['author']}): {i['body']}"
                                   for i in r["inputs"]]
        if r["summary"]:
            lines.append(f"  summary: {r['summary']}")
        self._emit(r, "\n".join(lines), as_json)

    def _create(self, assoc, *, kind, title, subject=None, period_start=None, period_end=None,
                actor=None, as_json=False, **_: Any) -> None:
        subject_user = None
        if subject:
            subject_user = get_user_model().objects.filter(email__iexact=subject.strip()).first()
            if subject_user is None:
                raise CommandError(f"--subject: no user {subject!r}")
        made = services.dual_form_create(
            association=assoc, kind=kind, title=title, subject_user=subject_user,
            period_start=_date(period_start, "--from"), period_end=_date(period_end, "--to"),
            actor=actor)
        self._emit(row(made), f"Form {made.pk} started: {made.title} (waits for both sides).",
                   as_json)

    def _input(self, assoc, *, form, side, body, rating=None, slots=(), actor=None,
               as_json=False, **_: Any) -> None:
        target = self._form(form)
        data = {"rating": rating} if target.kind == DualFormKind.APPRAISAL and rating else {}
        if target.kind == DualFormKind.SCHEDULE and slots:
            data = {"slots": list(slots)}
        services.dual_input_submit(association=assoc, form=target, side=side, body=body,
                                   data=data, actor=actor)
        r = row(self._form(form))
        self._emit(r, f"Input recorded for the {side} side. {self._line(r).strip()}", as_json)

    def _complete(self, assoc, *, form, summary, actor=None, as_json=False, **_: Any) -> None:
        done = services.dual_form_complete(association=assoc, form=self._form(form),
                                           summary=summary, actor=actor)
        self._emit(row(done), f"Form {done.pk} completed.", as_json)
