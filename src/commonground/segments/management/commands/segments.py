"""Segments from the command line.

    commonground segments list --association SLUG [--kind live|static] [--json]
    commonground segments count [SEGMENT] --association SLUG [--definition JSON|@FILE] [--json]
    commonground segments create --association SLUG --name NAME (--definition JSON|@FILE
        | --people ID,ID,…) [--description TEXT] [--json]
    commonground segments export SEGMENT --association SLUG [--format csv|xlsx]
        [--output PATH]   (default: standard output for CSV)
    commonground segments freeze SEGMENT --association SLUG [--name NAME] [--json]

SEGMENT is a segment's id or slug. ``count`` without one counts ``--definition`` (the
filter language of the API and the builder: ``{"op": "and", "rules": [...]}``); a mistake
prints each rule's message with its path. ``count`` prints ``count=N`` last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.tenancy.cli import association_named, refused
from commonground.tenancy.models import Association

from ... import selectors, services
from ...exporting import FORMATS, segment_export
from ...models import Segment


def _segment(ref: str) -> Segment:
    found = Segment.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    found = found or Segment.objects.filter(slug=ref).first()
    if found is None:
        raise CommandError(f"No segment {ref!r} (see `commonground segments list`)")
    return found


def _definition(text: str | None) -> Any:
    if text is None:
        return None
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text()
        except OSError as exc:
            raise CommandError(f"--definition: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CommandError(f"--definition is not JSON: {exc}") from None


def _row(s: Segment) -> dict[str, Any]:
    return {"id": s.pk, "slug": s.slug, "name": s.name,
            "kind": "static" if s.is_static else "live", "last_count": s.last_count,
            "definition": s.definition, "words": selectors.segment_words(s)}


class Command(BaseCommand):
    help = "List, count, create, export and freeze segments (saved person filters)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="The association's segments with their last counts")
        lst.add_argument("--kind", choices=["live", "static"])
        count = sub.add_parser("count", help="Count a segment, or an ad-hoc --definition")
        count.add_argument("segment", nargs="?")
        count.add_argument("--definition", help="JSON, or @file holding it")
        create = sub.add_parser("create", help="Save a live segment or a static list")
        create.add_argument("--name", required=True)
        create.add_argument("--description", default="")
        create.add_argument("--definition", help="JSON, or @file holding it: a live segment")
        create.add_argument("--people", help="Person ids, comma-separated: a static list")
        export = sub.add_parser("export", help="Write a segment's people as CSV or XLSX")
        export.add_argument("segment")
        export.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
        export.add_argument("--output", help="File to write (default: standard output, CSV)")
        freeze = sub.add_parser("freeze", help="Freeze a live segment into a static list")
        freeze.add_argument("segment")
        freeze.add_argument("--name", default="")
        for p in (lst, count, create, export, freeze):
            p.add_argument("--association", required=True)
            if p is not export:
                p.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, action: str, association: str, **options) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            try:
                getattr(self, f"_{action}")(assoc, **options)
            except DomainError as exc:
                raise refused(exc) from None

    def _say(self, payload: Any, text: str, as_json: bool) -> None:
        self.stdout.write(json.dumps(payload, default=str, indent=2) if as_json else text)

    def _list(self, assoc: Association, *, kind=None, as_json=False, **_: Any) -> None:
        rows = [_row(s) for s in selectors.segment_list(kind=kind or "")]
        lines = [f"{r['id']:>6}  {r['kind']:<6}  {'' if r['last_count'] is None else r['last_count']:>8}"
                 f"  {r['name']}  ({r['words']})" for r in rows] or ["No segments yet."]
        self._say(rows, "\n".join(lines), as_json)

    def _count(self, assoc: Association, *, segment=None, definition=None, as_json=False,
               **_: Any) -> None:
        if (segment is None) == (definition is None):
            raise CommandError("Give a segment (id or slug) or --definition, not both.")
        if segment is not None:
            seg = _segment(segment)
            n = selectors.segment_count(seg)
            payload = {"segment": seg.pk, "name": seg.name, "count": n}
        else:
            n = selectors.definition_people(_definition(definition)).order_by().count()
            payload = {"count": n}
        self._say(payload, f"count={n}", as_json)

    def _create(self, assoc: Association, *, name, description="", definition=None,
                people=None, as_json=False, **_: Any) -> None:
        if (definition is None) == (people is None):
            raise CommandError("Give --definition (a live segment) or --people (a static list).")
        if people is not None:
            seg = services.segment_create_static(
                association=assoc, name=name, description=description,
                person_ids=[p for p in people.split(",") if p.strip()])
        else:
            seg = services.segment_create(association=assoc, name=name, description=description,
                                          definition=_definition(definition))
        self._say(_row(seg), f"Saved segment {seg.pk} “{seg.name}” ({seg.slug}).", as_json)

    def _export(self, assoc: Association, *, segment, fmt="csv", output=None, **_: Any) -> None:
        seg = _segment(segment)
        if output is None and fmt == "xlsx":
            raise CommandError("XLSX needs --output FILE.")
        if output is None:
            self.stdout.flush()
            written = segment_export(association=assoc, segment=seg, fmt=fmt,
                                     out=sys.stdout.buffer)
            sys.stdout.buffer.flush()
            self.stderr.write(f"{written} people written.")
            return
        with open(output, "wb") as out:
            written = segment_export(association=assoc, segment=seg, fmt=fmt, out=out)
        self.stdout.write(f"{written} people written to {output}.")

    def _freeze(self, assoc: Association, *, segment, name="", as_json=False, **_: Any) -> None:
        frozen = services.segment_freeze(association=assoc, segment=_segment(segment), name=name)
        self._say(_row(frozen), f"Frozen into static list {frozen.pk} “{frozen.name}” with "
                                f"{frozen.last_count} people.", as_json)
